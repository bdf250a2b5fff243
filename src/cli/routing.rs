//! `pave matrix`, `pave nearest` and `pave isochrone`: parse, call the engine, write, report.

use crate::engine::routing::{self, RouteOptions, RouteReport, SnapMode};
use crate::io::od::OdWriter;
use crate::network::{Cost, UNREACHABLE};
use crate::progress::Progress;
use anyhow::{Context, bail};
use std::path::PathBuf;
use std::process::ExitCode;

/// How points attach to the network, on the command line.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum SnapArg {
    /// Nearest point of the nearest edge, entering at both ends with partial costs.
    Edge,
    /// Nearest node at zero cost (the interchange convention of the peer tools).
    Node,
}

/// Options shared by the routing commands.
#[derive(Debug, clap::Args)]
pub struct RouteArgs {
    /// Network file from `pave network build`.
    #[arg(long, value_name = "FILE")]
    pub network: PathBuf,
    /// Leave out travel longer than this: 30min, 1800s, 1h, 16min.
    #[arg(long, value_name = "TIME", value_parser = parse_duration)]
    pub cutoff: Option<u32>,
    /// How points attach to the network.
    #[arg(long, value_enum, default_value = "edge")]
    pub snap: SnapArg,
    /// Points farther than this from the network (metres) are reported and left unrouted.
    #[arg(long, default_value_t = 500.0, value_name = "M")]
    pub max_snap: f64,
    /// Also write how every point attached to the network: CSV id, role, snapped (1/0),
    /// snap_distance_m, walk_s (the costed walk to the network).
    #[arg(long, value_name = "CSV")]
    pub snap_report: Option<PathBuf>,
}

impl RouteArgs {
    fn options(&self) -> RouteOptions {
        RouteOptions {
            snap: match self.snap {
                SnapArg::Edge => SnapMode::Edge,
                SnapArg::Node => SnapMode::Node,
            },
            max_snap_m: self.max_snap,
            cutoff: self.cutoff.unwrap_or(UNREACHABLE),
        }
    }
}

/// Arguments of `pave matrix`.
#[derive(Debug, clap::Args)]
pub struct MatrixArgs {
    /// Network, cutoff and snapping options.
    #[command(flatten)]
    pub route: RouteArgs,
    /// Origins: CSV id,x,y[,weight] in EPSG:3067, or a city layer through its profile:
    /// PROFILE.toml:demand_areas or PROFILE.toml:units[:SERVICE_TYPE].
    #[arg(long, value_name = "POINTS")]
    pub from: PathBuf,
    /// Destinations, as --from.
    #[arg(long, value_name = "POINTS")]
    pub to: PathBuf,
    /// Write only pairs with a time (within the cutoff); by default every pair is written
    /// and unreachable ones have an empty time.
    #[arg(long)]
    pub sparse: bool,
    /// Output: .csv or .parquet with origin_id, destination_id, time_s.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// Arguments of `pave nearest`.
#[derive(Debug, clap::Args)]
pub struct NearestArgs {
    /// Network, cutoff and snapping options.
    #[command(flatten)]
    pub route: RouteArgs,
    /// Units (the destinations): CSV id,x,y[,capacity] in EPSG:3067, or a city's units
    /// through its profile: PROFILE.toml:units[:SERVICE_TYPE]. (--facilities still works.)
    #[arg(long, alias = "facilities", value_name = "POINTS")]
    pub units: PathBuf,
    /// Points to label (origins); without it every network node is labelled.
    #[arg(long, value_name = "POINTS")]
    pub from: Option<PathBuf>,
    /// How many nearest units per point.
    #[arg(long, default_value_t = 1)]
    pub k: usize,
    /// Output CSV: id, rank, unit_id, time_s.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// Parses `30min`, `1800s`, `1h`, `90s` into milliseconds.
pub fn parse_duration(s: &str) -> Result<u32, String> {
    let t = s.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let v: f64 = num.parse().map_err(|_| format!("'{s}' is not a duration like 30min, 1800s or 1h"))?;
    let secs = match unit.trim() {
        "s" | "sec" => v,
        "min" | "m" => v * 60.0,
        "h" => v * 3600.0,
        "" => return Err(format!("'{s}' needs a unit: 30min, 1800s or 1h")),
        other => return Err(format!("unknown time unit '{other}'; use s, min or h")),
    };
    if !(0.0..1.0e6).contains(&secs) {
        return Err(format!("'{s}' is out of range"));
    }
    Ok((secs * 1000.0).round() as u32)
}

/// Prints the notes and writes the snap report when asked for.
fn finish(report: &RouteReport, args: &RouteArgs) -> anyhow::Result<()> {
    for n in &report.notes {
        eprintln!("pave: warning: {n}");
    }
    if let Some(path) = &args.snap_report {
        crate::io::csv::write(path, &routing::snap_table(&report.snaps), &Default::default())?;
    }
    Ok(())
}

fn phases(report: &RouteReport, before: &[(&str, f64)]) -> String {
    before.iter().chain(&report.phases.list).map(|(n, t)| format!("{n} {t:.3} s")).collect::<Vec<_>>().join(" · ")
}

/// Runs `pave matrix`.
pub fn run_matrix(args: &MatrixArgs, progress: &dyn Progress) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let net = routing::load_network(&args.route.network)?;
    let load = started.elapsed().as_secs_f64();
    let origins = routing::read_points(&args.from)?;
    let destinations = routing::read_points(&args.to)?;
    let read = started.elapsed().as_secs_f64() - load;
    let o_ids: Vec<String> = origins.iter().map(|p| p.id.clone()).collect();
    let d_ids: Vec<String> = destinations.iter().map(|p| p.id.clone()).collect();
    let mut writer = OdWriter::create(&args.out, args.sparse, &o_ids, &d_ids)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let mut sink = |first: usize, block: &[Cost]| writer.write_block(&o_ids, &d_ids, first, block);
    let report = routing::od_matrix(&net, &origins, &destinations, &args.route.options(), &mut sink, progress)?;
    let rows = writer.finish()?;
    finish(&report, &args.route)?;
    eprintln!(
        "wrote {}: {rows} rows ({} origins × {} destinations); {}",
        args.out.display(),
        origins.len(),
        destinations.len(),
        phases(&report, &[("load network", load), ("read points", read)])
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs `pave nearest`.
pub fn run_nearest(args: &NearestArgs, _progress: &dyn Progress) -> anyhow::Result<ExitCode> {
    if args.k == 0 {
        bail!("--k must be at least 1");
    }
    let net = routing::load_network(&args.route.network)?;
    let units = routing::read_points(&args.units)?;
    let points = args.from.as_ref().map(|p| routing::read_points(p)).transpose()?;
    let (rows, report) = routing::nearest(&net, &units, points.as_deref(), args.k, &args.route.options())?;
    let ids: Vec<String> = match &points {
        Some(p) => p.iter().map(|p| p.id.clone()).collect(),
        None => net.node_id.iter().map(i64::to_string).collect(),
    };
    let table = routing::nearest_table(&ids, &rows, &units);
    crate::io::csv::write(&args.out, &table, &Default::default())?;
    finish(&report, &args.route)?;
    eprintln!(
        "wrote {}: nearest {} of {} units for {} points; {}",
        args.out.display(),
        args.k,
        units.len(),
        ids.len(),
        phases(&report, &[])
    );
    Ok(ExitCode::SUCCESS)
}

/// Direction of travel for service areas.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Direction {
    /// Travel to the points (who reaches this daycare within the time).
    To,
    /// Travel from the points (where one gets from here within the time).
    From,
}

/// Arguments of `pave isochrone`.
#[derive(Debug, clap::Args)]
pub struct IsochroneArgs {
    /// Network, cutoff and snapping options.
    #[command(flatten)]
    pub route: RouteArgs,
    /// Points (units or origins): CSV id,x,y in EPSG:3067, or PROFILE.toml:units.
    #[arg(long, value_name = "POINTS")]
    pub points: PathBuf,
    /// Time bands, comma separated, e.g. 5min,10min,16min.
    #[arg(long, value_delimiter = ',', value_parser = parse_duration, required = true)]
    pub times: Vec<u32>,
    /// Direction of travel.
    #[arg(long, value_enum, default_value = "to")]
    pub direction: Direction,
    /// Output GeoPackage: layers service_area (polygons) and service_area_lines (reached
    /// street spans), EPSG:3067.
    #[arg(long, value_name = "GPKG")]
    pub out: PathBuf,
}

/// Runs `pave isochrone`.
pub fn run_isochrone(args: &IsochroneArgs, progress: &dyn Progress) -> anyhow::Result<ExitCode> {
    let net = routing::load_network(&args.route.network)?;
    let pts = routing::read_points(&args.points)?;
    let towards = matches!(args.direction, Direction::To);
    let (layers, report) = routing::isochrones(&net, &pts, &args.times, towards, &args.route.options(), progress);
    crate::io::gpkg::write(&args.out, &layers)?;
    finish(&report, &args.route)?;
    eprintln!(
        "wrote {}: {} service areas ({} points × {} time bands)",
        args.out.display(),
        layers[0].len(),
        pts.len(),
        args.times.len()
    );
    Ok(ExitCode::SUCCESS)
}
