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
    /// Background map for those online: a tile URL template in the ETRS-TM35FIN tile matrix
    /// set (EPSG:3067, JHS 180) with {z}, {x} (column) and {y} (row), e.g. the National Land
    /// Survey's background map
    /// 'https://avoin-karttakuva.maanmittauslaitos.fi/avoin/wmts/1.0.0/taustakartta/default/ETRS-TM35FIN/{z}/{y}/{x}.png?api-key=KEY'.
    /// The browser fetches the tiles; without this option the map needs no network.
    #[arg(long, value_name = "URL")]
    pub tiles: Option<String>,
    /// Evaluations run side by side, so one planner's export or change of year does not hold
    /// up another's edit (default: the cores, at most 4). Each worker keeps its own
    /// evaluations and travel caches: memory grows with it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub workers: Option<u16>,
    /// Attribution shown on the map for --tiles.
    #[arg(long, value_name = "TEXT", default_value = "Background map: tile service given with --tiles")]
    pub tiles_attribution: String,
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
    let tiles = match &args.tiles {
        Some(url) => match crate::server::Tiles::new(url, &args.tiles_attribution) {
            Ok(t) => Some(t),
            Err(e) => {
                eprintln!("pave serve: --tiles: {e}");
                return Ok(ExitCode::from(2));
            }
        },
        None => None,
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers = args.workers.map_or(cores.min(4), usize::from);
    eprintln!("pave serve: evaluating {} scenarios ({workers} workers)…", scenarios.len());
    let config =
        crate::server::Config { bind: args.bind, port: args.port, scenarios, out: args.out.clone(), tiles, workers };
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
