//! `pave schema`: write the generated JSON Schemas.

use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `pave schema`.
#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// Folder to write the schema files into.
    #[arg(long, default_value = "schemas")]
    pub dir: PathBuf,
}

/// Writes every schema file.
pub fn run(args: &SchemaArgs) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(&args.dir).with_context(|| format!("cannot create {}", args.dir.display()))?;
    for (name, content) in crate::model::schema::all() {
        let path = args.dir.join(name);
        crate::io::atomic::write_bytes(&path, content.as_bytes())?;
        eprintln!("wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
