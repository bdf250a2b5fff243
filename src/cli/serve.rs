//! `pave serve`: parses the options and starts [`crate::server`].

use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Options of `pave serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Scenario files to offer (default: the bundled sample scenarios).
    #[arg(value_name = "SCENARIO.toml")]
    pub scenarios: Vec<PathBuf>,
    /// Address to listen on; 0.0.0.0 opens the workspace to other machines.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Port (0 = any free port).
    #[arg(long, default_value_t = 8377)]
    pub port: u16,
    /// Folder for results exported from the browser.
    #[arg(long, default_value = "out/serve", value_name = "DIR")]
    pub out: PathBuf,
}

/// The bundled sample scenarios, by city then file name.
fn sample_scenarios() -> Vec<PathBuf> {
    let mut found = Vec::new();
    if let Ok(cities) = std::fs::read_dir("sample-data") {
        for city in cities.flatten() {
            if let Ok(files) = std::fs::read_dir(city.path().join("scenarios")) {
                found.extend(files.flatten().map(|f| f.path()).filter(|p| p.extension().is_some_and(|e| e == "toml")));
            }
        }
    }
    found.sort();
    found
}

/// Runs `pave serve`.
pub fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let scenarios = if args.scenarios.is_empty() { sample_scenarios() } else { args.scenarios.clone() };
    if scenarios.is_empty() {
        eprintln!(
            "pave serve: no scenario files given and no sample-data/*/scenarios/*.toml here; name scenario files or run from the repository"
        );
        return Ok(ExitCode::from(2));
    }
    eprintln!("pave serve: evaluating {} scenarios…", scenarios.len());
    let config = crate::server::Config { bind: args.bind, port: args.port, scenarios, out: args.out.clone() };
    let result = crate::server::serve(config, |addr| {
        println!("pave serve: open http://{addr}/ (Ctrl-C stops)");
        use std::io::Write;
        let _ = std::io::stdout().flush();
    });
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            eprintln!("pave serve: {e}");
            Ok(ExitCode::from(1))
        }
    }
}
