//! `pave sample`: regenerate the SYNTHETIC sample data.

use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `pave sample`.
#[derive(Debug, clap::Args)]
pub struct SampleArgs {
    /// The sample-data folder to write into.
    #[arg(long, default_value = "sample-data")]
    pub out: PathBuf,
}

/// Regenerates the synthetic files.
pub fn run(args: &SampleArgs) -> anyhow::Result<ExitCode> {
    let written = crate::sample::generate_all(&args.out)?;
    for w in written {
        eprintln!("wrote {}", w.display());
    }
    Ok(ExitCode::SUCCESS)
}
