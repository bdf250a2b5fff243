//! The command line: argument parsing, terminal output and exit codes. The only module that
//! uses clap, anyhow and stdout/stderr.
//!
//! Exit codes (as ripgrep): 0 success, 1 the data has problems, 2 usage or I/O error.

mod batch;
mod locate;
mod network;
mod progress;
mod routing;
mod sample;
mod scenario;
mod schema;
mod serve;
mod validate;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// pave — service and facility network planning (palveluverkkosuunnittelu).
///
/// Reads each city's own files through a city profile into one harmonised model
/// (units / toimipaikat, premises / tilat, demand areas, population and forecasts),
/// checks and exports them, builds road networks and travel-time matrices, and scores
/// scenarios against the nearest-daycare principle (lähipäiväkotiperiaate).
///
/// Start with the bundled sample data:
///
///   pave compare sample-data/*/scenarios/*.toml --out out/compare
///
///   pave validate sample-data/*/profile.toml
///
///   pave model export sample-data/*/profile.toml --out out/model
#[derive(Debug, Parser)]
#[command(name = "pave", version, about, long_about, max_term_width = 100)]
pub struct Cli {
    /// Hide progress bars.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, global = true, value_name = "N")]
    pub threads: Option<usize>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check one or more cities' data against their profiles and list every problem.
    ///
    /// Reads everything a city profile names, converts it into the harmonised model and
    /// checks types, codes, coordinates (inside Finland after transformation, inside the city
    /// boundary), polygons, duplicate ids, references (unit → premises, population →
    /// area), capacities (> 0) and years (inside the profile's observed / forecast ranges).
    ///
    /// Prints a summary per city and all problems, each naming file, row or feature, field,
    /// value and what was expected. Exit status: 0 clean (warnings allowed), 1 data
    /// problems, 2 usage error.
    Validate(validate::ValidateArgs),
    /// Work with the harmonised model.
    #[command(subcommand)]
    Model(ModelCommand),
    /// Write the JSON Schemas of the profile and input tables (into schemas/ by default).
    Schema(schema::SchemaArgs),
    /// Regenerate the SYNTHETIC parts of the bundled sample data (deterministic, seeded).
    Sample(sample::SampleArgs),
    /// Build and inspect routing networks.
    #[command(subcommand)]
    Network(NetworkCommand),
    /// Travel-time matrix between origins and destinations on a network.
    ///
    /// Points are snapped onto the nearest edge (or node with --snap node). With few
    /// destinations one search runs per destination; otherwise rows are computed and
    /// streamed block by block, so region-wide matrices fit in memory. Output rows:
    /// origin_id, destination_id, time_s (seconds, millisecond precision; empty when
    /// unreachable or beyond --cutoff).
    Matrix(routing::MatrixArgs),
    /// Service areas: the streets (and a polygon around them) within given travel times.
    ///
    /// With --direction to (the default) the area holds everyone who reaches the point within
    /// the time, e.g. a daycare's 16-minute walking catchment; with --direction from, where one
    /// gets from the point. Edges at the frontier are cut at the exact reached fraction.
    Isochrone(routing::IsochroneArgs),
    /// Nearest unit (or k nearest) for every point or every network node.
    ///
    /// Travel is from the point to the unit. Ties go to the unit listed first.
    Nearest(routing::NearestArgs),
    /// Score scenarios: allocation, nearest-daycare KPIs, accessibility, equity, report.
    ///
    /// A scenario file (TOML) names a city profile, a year (observed or forecast), a service
    /// type, a network (OSM PBF, Digiroad line layer or network file) and mode, parameters
    /// (threshold such as 16 min, participation, decay, 2SFCA catchment) and changes: close,
    /// open (at a point or in premises), capacity, expand, language, move. Writes into DIR:
    /// cells.gpkg/.parquet (keyed by the source grid id), units.gpkg/.parquet,
    /// allocation.csv/.parquet (both rules), districts.csv (Finnish Excel) /.parquet,
    /// kpis.json and a self-contained report.html. Every output carries provenance.
    ///
    /// Example: pave run sample-data/kuopio/scenarios/swedish-places.toml --out out/kuopio
    Run(scenario::RunArgs),
    /// Compare scenarios (files or result folders) side by side, each with its city's first.
    ///
    /// Scenario files are run first into DIR/<name>/, reusing each unit's travel-time
    /// column across scenarios on the same city and network. Writes comparison.csv (KPIs
    /// with deltas), comparison_districts.csv, comparison_cells.csv and comparison.html
    /// with per-cell change maps. Scenarios of different cities compare on their KPIs.
    Compare(scenario::CompareArgs),
    /// Where to open units, or which to close: location-allocation with a certified gap.
    ///
    /// A problem file (TOML) extends a scenario — city, year, service, network, parameters
    /// and the units operating — and names the kind: p-median (least child-minutes),
    /// capacitated-p-median, facility-location (opening costs plus travel), max-coverage
    /// and capacitated-coverage (most children within the coverage time), set-cover (fewest
    /// units covering every child), p-center (least worst travel) or closure (k units to
    /// close with the least loss in the headline share). Candidates come from grid cells,
    /// premises or a points file; language places hold as in scenarios. A problem may
    /// instead bring its own travel-time matrix ([matrix]: OD table, demand and sites).
    ///
    /// Prints the answer with a proven lower and upper bound and the gap; writes into
    /// DIR/<name>/ sites.csv, allocation.csv, bounds.json and <name>.toml, a scenario of
    /// the solution for `pave run` and `pave compare`.
    ///
    /// Example: pave locate sample-data/helsinki/locate/two-new.toml --out out/locate
    Locate(locate::LocateArgs),
    /// The planner's workspace in the browser: edit scenarios on a map, see exact KPIs.
    ///
    /// Serves a web app (built into this binary: no internet needed) on 127.0.0.1 and
    /// prints its address. With no files it serves the bundled sample scenarios
    /// (sample-data/*/scenarios/*.toml, run from the repository); otherwise the scenario
    /// files given. In the browser: close, open, move and resize units on the map, change
    /// the year and parameters, and see the nearest-daycare KPIs after every edit, against
    /// the scenario as loaded; save the edited scenario as a file `pave run` reads, or
    /// export its tables. Stop with Ctrl-C.
    ///
    ///   pave serve
    ///
    ///   pave serve sample-data/helsinki/scenarios/*.toml --port 8080
    Serve(serve::ServeArgs),
    /// Work split into shards for a scheduler (Slurm, Kubernetes, GNU parallel).
    ///
    /// plan → run each shard (any order, any machine sharing the folder) → status → merge.
    /// On one machine: `seq 0 7 | xargs -P 2 -I{} pave batch run JOBDIR --shard {}`.
    #[command(subcommand)]
    Batch(batch::BatchCommand),
}

#[derive(Debug, Subcommand)]
enum NetworkCommand {
    /// Build a network file from OpenStreetMap (PBF) or an interchange network.
    ///
    /// From OSM, `--mode walk|bike|car` picks the usable ways, one-way rules and speeds
    /// (see the network::profile docs); ways are split at shared nodes only and keep their
    /// geometry. From --csv, nodes.csv (id,x,y in EPSG:3067) and edges.csv
    /// (from,to,length_m,time_s per directed edge) are taken as they are. Keeps the largest strongly connected component (reporting what it dropped),
    /// renumbers nodes along a Hilbert curve, and writes a versioned, checksummed file.
    Build(network::BuildArgs),
    /// Show nodes, edges, components, extent, length by road class and memory.
    Info(network::InfoArgs),
    /// Write the edges to a GeoPackage for QGIS (one line per directed edge, EPSG:3067).
    Export(network::ExportArgs),
}

#[derive(Debug, Subcommand)]
enum ModelCommand {
    /// Export one or several cities as one harmonised model: GeoPackage + Parquet, EPSG:3067.
    ///
    /// Writes DIR/model.gpkg with layers units, premises, demand_areas, population,
    /// districts and service_types, and one (Geo)Parquet file per layer. Refuses to write
    /// anything when the data has errors (run `pave validate` to see them).
    Export(validate::ExportArgs),
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    if let Some(n) = cli.threads {
        let _ = rayon::ThreadPoolBuilder::new().num_threads(n.max(1)).build_global();
    }
    let bar = progress::Bar::new(cli.quiet);
    let result = match cli.command {
        Command::Validate(args) => validate::run_validate(&args, &bar),
        Command::Model(ModelCommand::Export(args)) => validate::run_export(&args, &bar),
        Command::Schema(args) => schema::run(&args),
        Command::Sample(args) => sample::run(&args),
        Command::Network(NetworkCommand::Build(args)) => network::run_build(&args),
        Command::Network(NetworkCommand::Info(args)) => network::run_info(&args),
        Command::Matrix(args) => routing::run_matrix(&args, &bar),
        Command::Nearest(args) => routing::run_nearest(&args, &bar),
        Command::Isochrone(args) => routing::run_isochrone(&args, &bar),
        Command::Run(args) => scenario::run(&args, &bar),
        Command::Compare(args) => scenario::run_compare(&args, &bar),
        Command::Serve(args) => serve::run(&args),
        Command::Locate(args) => locate::run(&args, &bar),
        Command::Batch(command) => batch::run(&command, &bar),
        Command::Network(NetworkCommand::Export(args)) => network::run_export(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            if let Some(io) = e.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::BrokenPipe
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("pave: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Paths helper shared by subcommands.
fn display(path: &std::path::Path) -> String {
    path.display().to_string()
}
