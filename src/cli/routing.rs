//! `pave matrix` and `pave nearest`: travel times between points on a built network.

use super::network::load;
use crate::io::od::OdWriter;
use crate::io::points::{self, RoutePoint};
use crate::model::Problems;
use crate::network::Network;
use crate::network::snap::{Snap, SnapIndex, SnapMode, apply_direct, destination_access, direct_pairs, origin_access};
use crate::progress::Progress;
use crate::routing::{Access, Cost, UNREACHABLE, Workspace, matrix, nearest};
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

/// Collects per-point snap facts for `--snap-report`.
#[derive(Default)]
struct SnapReport(String);

impl SnapReport {
    fn add(&mut self, net: &Network, role: &str, pts: &[RoutePoint], index: &SnapIndex, mode: SnapMode, max_snap: f64) {
        use std::fmt::Write as _;
        for p in pts {
            match index.snap(p.x, p.y, mode) {
                Some(s) => {
                    let snapped = u8::from(s.distance_m <= max_snap);
                    let walk = if mode == SnapMode::Edge && net.meta.access_speed_mps > 0.0 {
                        s.distance_m / net.meta.access_speed_mps
                    } else {
                        0.0
                    };
                    let _ = writeln!(self.0, "{},{role},{snapped},{:.2},{walk:.3}", p.id, s.distance_m);
                }
                None => {
                    let _ = writeln!(self.0, "{},{role},0,,", p.id);
                }
            }
        }
    }

    fn write(&self, path: &std::path::Path) -> anyhow::Result<()> {
        let text = format!("id,role,snapped,snap_distance_m,walk_s\n{}", self.0);
        crate::io::atomic::write_bytes(path, text.as_bytes())?;
        Ok(())
    }
}

fn snap_mode(args: &RouteArgs) -> SnapMode {
    match args.snap {
        SnapArg::Edge => SnapMode::Edge,
        SnapArg::Node => SnapMode::Node,
    }
}

/// Arguments of `pave matrix`.
#[derive(Debug, clap::Args)]
pub struct MatrixArgs {
    /// Network, cutoff and snapping options.
    #[command(flatten)]
    pub route: RouteArgs,
    /// Origins: CSV id,x,y[,weight] in EPSG:3067, or a city layer through its profile:
    /// PROFILE.toml:demand_areas or PROFILE.toml:facilities[:SERVICE_TYPE].
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
    /// Facilities (destinations): CSV id,x,y[,capacity] in EPSG:3067.
    #[arg(long, value_name = "CSV")]
    pub facilities: PathBuf,
    /// Points to label (origins); without it every network node is labelled.
    #[arg(long, value_name = "CSV")]
    pub from: Option<PathBuf>,
    /// How many nearest facilities per point.
    #[arg(long, default_value_t = 1)]
    pub k: usize,
    /// Output CSV: id, rank, facility_id, time_s.
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

fn read_points(path: &std::path::Path) -> anyhow::Result<Vec<RoutePoint>> {
    let text = path.to_string_lossy();
    if let Some((profile, layer)) = text.split_once(".toml:") {
        return points_from_profile(&std::path::PathBuf::from(format!("{profile}.toml")), layer);
    }
    let mut problems = Problems::with_limit(20);
    match points::read(path, &mut problems) {
        Some(p) => Ok(p),
        None => {
            let list: Vec<String> = problems.list.iter().map(|p| format!("    {p}")).collect();
            bail!("{} has {} errors:\n{}", path.display(), problems.errors, list.join("\n"))
        }
    }
}

/// Points of a city's layer read through its profile: `demand_areas` (representative
/// points, weight = latest observed residents) or `facilities[:service_type]` (weight =
/// places).
fn points_from_profile(profile: &std::path::Path, layer: &str) -> anyhow::Result<Vec<RoutePoint>> {
    let mut problems = Problems::with_limit(20);
    let data = crate::io::load::load_city(profile, &mut problems, &crate::progress::NoProgress)?;
    if problems.has_errors() {
        let list: Vec<String> = problems
            .list
            .iter()
            .filter(|p| p.severity == crate::model::Severity::Error)
            .map(|p| format!("    {p}"))
            .collect();
        bail!("{} has {} data errors (see `pave validate`):\n{}", profile.display(), problems.errors, list.join("\n"));
    }
    let (name, service) = layer.split_once(':').map_or((layer, None), |(a, b)| (a, Some(b)));
    match name {
        "demand_areas" => {
            let pop = &data.population;
            let latest = (0..pop.len())
                .filter(|&r| pop.kind[r] == crate::model::PopulationKind::Observed)
                .map(|r| pop.year[r])
                .max();
            let mut residents: std::collections::HashMap<&str, f64> = std::collections::HashMap::new();
            for r in 0..pop.len() {
                let area = &pop.areas[pop.area[r] as usize];
                if Some(pop.year[r]) == latest
                    && pop.kind[r] == crate::model::PopulationKind::Observed
                    && area.level == crate::model::AreaLevel::DemandArea
                {
                    *residents.entry(area.id.as_str()).or_default() += pop.count[r];
                }
            }
            Ok(data
                .demand_areas
                .iter()
                .map(|a| RoutePoint {
                    id: a.id.0.clone(),
                    x: a.point.x(),
                    y: a.point.y(),
                    weight: residents.get(a.id.as_str()).copied().unwrap_or(0.0),
                })
                .collect())
        }
        "facilities" => Ok(data
            .facilities
            .iter()
            .filter(|f| service.is_none_or(|s| f.service_type == s))
            .map(|f| RoutePoint { id: f.id.0.clone(), x: f.x, y: f.y, weight: f64::from(f.total_places()) })
            .collect()),
        other => bail!(
            "unknown layer '{other}' after the profile; use PROFILE.toml:demand_areas or PROFILE.toml:facilities[:SERVICE_TYPE]"
        ),
    }
}

/// Snaps points and returns their access lists; points beyond `max_snap` get none.
fn snap_points(
    net: &Network,
    index: &SnapIndex,
    pts: &[RoutePoint],
    args: &RouteArgs,
    as_origin: bool,
    role: &str,
) -> Vec<Vec<Access>> {
    snap_all(net, index, pts, args, as_origin, role).0
}

/// Snaps points: access lists and the snaps used (`None` beyond `max_snap`).
fn snap_all(
    net: &Network,
    index: &SnapIndex,
    pts: &[RoutePoint],
    args: &RouteArgs,
    as_origin: bool,
    role: &str,
) -> (Vec<Vec<Access>>, Vec<Option<Snap>>) {
    let mode = snap_mode(args);
    let mut far = Vec::new();
    let snaps: Vec<Option<Snap>> = pts
        .iter()
        .map(|p| match index.snap(p.x, p.y, mode) {
            Some(s) if s.distance_m <= args.max_snap => Some(s),
            Some(s) => {
                far.push(format!("{} ({:.0} m)", p.id, s.distance_m));
                None
            }
            None => None,
        })
        .collect();
    let access = snaps
        .iter()
        .map(|s| match s {
            Some(s) if as_origin => origin_access(net, s),
            Some(s) => destination_access(net, s),
            None => vec![],
        })
        .collect();
    if !far.is_empty() {
        let shown: Vec<&str> = far.iter().take(20).map(String::as_str).collect();
        eprintln!(
            "pave: warning: {} {role} farther than {} m from the network are left unrouted (their times are empty): {}{}",
            far.len(),
            args.max_snap,
            shown.join(", "),
            if far.len() > 20 { ", …" } else { "" }
        );
    }
    (access, snaps)
}

/// Wall-clock phases of a command, reported on stderr.
struct Phases(Vec<(&'static str, f64)>, std::time::Instant);

impl Phases {
    fn new() -> Self {
        Phases(Vec::new(), std::time::Instant::now())
    }

    fn done(&mut self, name: &'static str) {
        self.0.push((name, self.1.elapsed().as_secs_f64()));
        self.1 = std::time::Instant::now();
    }

    fn report(&self) -> String {
        self.0.iter().map(|(n, t)| format!("{n} {t:.3} s")).collect::<Vec<_>>().join(" · ")
    }
}

/// Runs `pave matrix`.
pub fn run_matrix(args: &MatrixArgs, progress: &dyn Progress) -> anyhow::Result<ExitCode> {
    let mut phases = Phases::new();
    let net = load(&args.route.network)?;
    phases.done("load network");
    let origins = read_points(&args.from)?;
    let destinations = read_points(&args.to)?;
    phases.done("read points");
    let index = SnapIndex::new(&net);
    let (o_access, o_snaps) = snap_all(&net, &index, &origins, &args.route, true, "origins");
    let (d_access, d_snaps) = snap_all(&net, &index, &destinations, &args.route, false, "destinations");
    let xy = |p: &[RoutePoint]| -> Vec<(f64, f64)> { p.iter().map(|p| (p.x, p.y)).collect() };
    let direct = direct_pairs(&net, &xy(&origins), &o_snaps, &xy(&destinations), &d_snaps);
    if let Some(path) = &args.route.snap_report {
        let mut report = SnapReport::default();
        report.add(&net, "origin", &origins, &index, snap_mode(&args.route), args.route.max_snap);
        report.add(&net, "destination", &destinations, &index, snap_mode(&args.route), args.route.max_snap);
        report.write(path)?;
    }
    phases.done("snap");
    let cutoff = args.route.cutoff.unwrap_or(UNREACHABLE);
    let o_ids: Vec<String> = origins.iter().map(|p| p.id.clone()).collect();
    let d_ids: Vec<String> = destinations.iter().map(|p| p.id.clone()).collect();
    let mut writer = OdWriter::create(&args.out, args.sparse, &o_ids, &d_ids)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let searches = origins.len().min(destinations.len());
    progress.start("travel-time matrix", searches as u64);
    if origins.len() > destinations.len() {
        // Few destinations: one backward search each, whole matrix in memory (rows × few).
        let mut m =
            matrix::dense(&net.forward, &net.backward, &o_access, &d_access, cutoff, &|n| progress.inc(n as u64));
        apply_direct(&mut m, 0, destinations.len(), &direct, cutoff);
        phases.done("search");
        writer.write_block(&o_ids, &d_ids, 0, &m)?;
    } else {
        // Stream blocks of rows so memory stays bounded for full region matrices.
        let block_rows = (1_000_000 / destinations.len().max(1)).clamp(1, 4096);
        let mut fixed = Vec::new();
        let mut sink = |first: usize, block: &[Cost]| {
            progress.inc((block.len() / destinations.len().max(1)) as u64);
            fixed.clear();
            fixed.extend_from_slice(block);
            apply_direct(&mut fixed, first, destinations.len(), &direct, cutoff);
            writer.write_block(&o_ids, &d_ids, first, &fixed)
        };
        match &net.hierarchy {
            Some(h) => matrix::streamed_phast(h, &o_access, &d_access, cutoff, block_rows, &mut sink)?,
            None => matrix::streamed(&net.forward, &o_access, &d_access, cutoff, block_rows, &mut sink)?,
        }
    }
    progress.finish();
    let rows = writer.finish()?;
    phases.done(if origins.len() > destinations.len() { "write" } else { "search + write" });
    eprintln!(
        "wrote {}: {rows} rows ({} origins × {} destinations); {}",
        args.out.display(),
        origins.len(),
        destinations.len(),
        phases.report()
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs `pave nearest`.
pub fn run_nearest(args: &NearestArgs, _progress: &dyn Progress) -> anyhow::Result<ExitCode> {
    if args.k == 0 {
        bail!("--k must be at least 1");
    }
    let mut phases = Phases::new();
    let net = load(&args.route.network)?;
    phases.done("load network");
    let facilities = read_points(&args.facilities)?;
    let index = SnapIndex::new(&net);
    let f_access = snap_points(&net, &index, &facilities, &args.route, false, "facilities");
    if let Some(path) = &args.route.snap_report {
        let mut report = SnapReport::default();
        report.add(&net, "facility", &facilities, &index, snap_mode(&args.route), args.route.max_snap);
        if let Some(from) = &args.from {
            report.add(&net, "point", &read_points(from)?, &index, snap_mode(&args.route), args.route.max_snap);
        }
        report.write(path)?;
    }
    phases.done("read + snap");
    let cutoff = args.route.cutoff.unwrap_or(UNREACHABLE);
    // Search backwards from the facilities: node → facility travel. (A stored hierarchy is
    // not used here: the partitioned bucket search measured twice as fast as the PHAST
    // sweep on 2 cores, see benches/README.md.)
    let found = if args.k == 1 {
        let (cost, label) = nearest::nearest(&net.backward, &f_access, cutoff);
        Found::One(cost, label)
    } else {
        Found::Many(nearest::k_nearest(&net.backward, &f_access, args.k, cutoff))
    };
    phases.done("search");
    let mut out = String::with_capacity(net.node_count().max(1) * 24);
    out.push_str("id,rank,facility_id,time_s\n");
    let mut row = |id: &str, list: &mut dyn Iterator<Item = (Cost, u32)>| {
        use std::fmt::Write as _;
        let mut any = false;
        for (rank, (c, l)) in list.enumerate() {
            any = true;
            let _ = writeln!(out, "{id},{},{},{}.{:03}", rank + 1, facilities[l as usize].id, c / 1000, c % 1000);
        }
        if !any {
            out.push_str(id);
            out.push_str(",1,,\n");
        }
    };
    let labelled = match &args.from {
        None => {
            for (v, id) in net.node_id.iter().enumerate() {
                row(&id.to_string(), &mut found.of(v));
            }
            net.node_count()
        }
        Some(path) => {
            let pts = read_points(path)?;
            let access = snap_points(&net, &index, &pts, &args.route, true, "points");
            for (p, acc) in pts.iter().zip(&access) {
                let mut all: Vec<(Cost, u32)> = acc
                    .iter()
                    .flat_map(|a| found.of(a.node as usize).map(move |(c, l)| (c.saturating_add(a.cost), l)))
                    .filter(|&(c, _)| c <= cutoff)
                    .collect();
                all.sort_unstable();
                let mut seen = Vec::new();
                all.retain(|&(_, l)| {
                    if seen.contains(&l) {
                        false
                    } else {
                        seen.push(l);
                        true
                    }
                });
                all.truncate(args.k);
                row(&p.id, &mut all.into_iter());
            }
            pts.len()
        }
    };
    crate::io::atomic::write_bytes(&args.out, out.as_bytes())?;
    phases.done("write");
    eprintln!(
        "wrote {}: nearest {} of {} facilities for {} points; {}",
        args.out.display(),
        args.k,
        facilities.len(),
        labelled,
        phases.report()
    );
    Ok(ExitCode::SUCCESS)
}

/// What `pave nearest` found for every node: the nearest facility, or the k nearest.
enum Found {
    /// Cost and facility label per node (`UNREACHABLE` where none).
    One(Vec<Cost>, Vec<u32>),
    /// Up to k (cost, facility label) per node, nearest first.
    Many(Vec<Vec<(Cost, u32)>>),
}

impl Found {
    /// The (cost, facility) pairs of node `v`, nearest first.
    fn of(&self, v: usize) -> impl Iterator<Item = (Cost, u32)> + '_ {
        let (one, many) = match self {
            Found::One(cost, label) => ((cost[v] != UNREACHABLE).then_some((cost[v], label[v])), &[][..]),
            Found::Many(lists) => (None, &lists[v][..]),
        };
        one.into_iter().chain(many.iter().copied())
    }
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
    /// Points (facilities or origins): CSV id,x,y in EPSG:3067.
    #[arg(long, value_name = "CSV")]
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
    use crate::io::{GeometryKind, OutColumn, OutGeometry, OutTable};
    use crate::routing::{dijkstra, isochrone};
    let net = load(&args.route.network)?;
    let pts = read_points(&args.points)?;
    let index = SnapIndex::new(&net);
    let towards = matches!(args.direction, Direction::To);
    let access = snap_points(&net, &index, &pts, &args.route, !towards, "points");
    let mut times = args.times.clone();
    times.sort_unstable();
    times.dedup();
    let max = *times.last().unwrap_or(&0);
    let (mut ids, mut minutes, mut lines, mut polys, mut km) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut ws = Workspace::new(net.node_count());
    progress.start("service areas", pts.len() as u64);
    for (p, a) in pts.iter().zip(&access) {
        if a.is_empty() {
            continue;
        }
        let graph = if towards { &net.backward } else { &net.forward };
        dijkstra::one_to_all(graph, a, max, &mut ws);
        for &t in &times {
            let dist = |v: u32| ws.dist(v);
            let reached = if towards {
                isochrone::reached_towards(&net.forward, &dist, t)
            } else {
                isochrone::reached_from(&net.forward, &dist, t)
            };
            let merged = crate::analysis::service_area::merge_directions(&net, &reached);
            let (ml, hull) = crate::analysis::service_area::geometry(&net, &merged);
            let length = crate::analysis::service_area::street_km(&net, &merged) * 1000.0;
            ids.push(Some(p.id.clone()));
            minutes.push(Some(f64::from(t) / 60_000.0));
            km.push(Some(length / 1000.0));
            lines.push(Some(geo::Geometry::MultiLineString(ml)));
            polys.push(hull.map(|h| geo::Geometry::MultiPolygon(geo::MultiPolygon(vec![h]))));
        }
        progress.inc(1);
    }
    progress.finish();
    let table = |name: &str, kind, values| {
        let mut t = OutTable::new(name)
            .with("point_id", OutColumn::Text(ids.clone()))
            .with("minutes", OutColumn::Float(minutes.clone()))
            .with("direction", OutColumn::Text(vec![Some(if towards { "to" } else { "from" }.to_owned()); ids.len()]))
            .with("street_km", OutColumn::Float(km.clone()));
        t.geometry = Some(OutGeometry { kind, epsg: 3067, values });
        t
    };
    let layers = [
        table("service_area", GeometryKind::MultiPolygon, polys),
        table("service_area_lines", GeometryKind::MultiLineString, lines),
    ];
    crate::io::gpkg::write(&args.out, &layers)?;
    eprintln!(
        "wrote {}: {} service areas ({} points × {} time bands)",
        args.out.display(),
        ids.len(),
        pts.len(),
        times.len()
    );
    Ok(ExitCode::SUCCESS)
}
