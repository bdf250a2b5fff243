//! Routing operations of the engine on a built network: origin–destination matrices
//! (dense, or streamed block by block with plain or hierarchy-based searches), nearest and
//! k-nearest units, and service areas. Points snap onto the network here (one path for
//! every operation); what could not be routed comes back as [`Note`]s and a per-point snap
//! report, never printed.

use super::{EngineError, Note, Phases};
use crate::io::error::{ReadError, WriteError};
use crate::io::points::RoutePoint;
use crate::io::{GeometryKind, OutColumn, OutGeometry, OutTable};
use crate::model::{PopulationKind, ProblemKind, Problems};
use crate::network::snap::{Snap, SnapIndex, apply_direct, destination_access, direct_pairs, origin_access};
use crate::network::{Access, Cost, Network, UNREACHABLE};
use crate::progress::Progress;
use crate::routing::{Workspace, dijkstra, isochrone, matrix, nearest};
use std::path::Path;

/// How points attach to the network and how far searches go.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RouteOptions {
    /// Nearest edge (default) or nearest node.
    pub snap: SnapMode,
    /// Points farther than this from the network (metres) are not routed.
    pub max_snap_m: f64,
    /// Leave out travel longer than this, milliseconds ([`UNREACHABLE`]: no cutoff).
    pub cutoff: Cost,
}

/// How one point attached to the network (`--snap-report`).
#[derive(Clone, Debug, PartialEq)]
pub struct SnapRow {
    /// Point id.
    pub id: String,
    /// origin, destination, unit or point.
    pub role: &'static str,
    /// Whether it was routed.
    pub snapped: bool,
    /// Straight-line distance to the network, metres (none for an empty network).
    pub distance_m: Option<f64>,
    /// The costed walk to the network, seconds (edge snaps only).
    pub walk_s: Option<f64>,
}

/// Points snapped for routing.
struct Snapped {
    access: Vec<Vec<Access>>,
    snaps: Vec<Option<Snap>>,
    rows: Vec<SnapRow>,
    far: Vec<(String, f64)>,
}

fn snap(
    net: &Network,
    index: &SnapIndex,
    pts: &[RoutePoint],
    o: &RouteOptions,
    origin: bool,
    role: &'static str,
) -> Snapped {
    let mut out = Snapped { access: Vec::new(), snaps: Vec::new(), rows: Vec::new(), far: Vec::new() };
    for p in pts {
        let s = index.snap(net, p.x, p.y, o.snap);
        let within = s.filter(|s| s.distance_m <= o.max_snap_m);
        if let Some(s) = s.filter(|s| s.distance_m > o.max_snap_m) {
            out.far.push((p.id.clone(), s.distance_m));
        }
        let walk = (o.snap == SnapMode::Edge && net.meta.access_speed_mps > 0.0)
            .then(|| s.map(|s| s.distance_m / net.meta.access_speed_mps))
            .flatten();
        out.rows.push(SnapRow {
            id: p.id.clone(),
            role,
            snapped: within.is_some(),
            distance_m: s.map(|s| s.distance_m),
            walk_s: if s.is_some() { walk.or(Some(0.0)) } else { None },
        });
        out.access.push(match &within {
            Some(s) if origin => origin_access(net, s),
            Some(s) => destination_access(net, s),
            None => vec![],
        });
        out.snaps.push(within);
    }
    out
}

fn note(role: &str, s: &Snapped, o: &RouteOptions) -> Option<Note> {
    (!s.far.is_empty()).then(|| Note::PointsOffNetwork {
        role: role.to_owned(),
        points: s.far.clone(),
        limit_m: o.max_snap_m,
    })
}

/// What a routing operation did besides its result.
#[derive(Clone, Debug, Default)]
pub struct RouteReport {
    /// Points not routed.
    pub notes: Vec<Note>,
    /// How every point attached.
    pub snaps: Vec<SnapRow>,
    /// Wall-clock phases.
    pub phases: Phases,
}

pub use crate::network::snap::SnapMode;

/// Builds a network (see [`crate::network::source::build`]) and, with `contract`, its
/// contraction hierarchy for PHAST matrices; the second value is the number of shortcuts.
pub fn build_network(
    source: &crate::network::source::Source,
    options: &crate::network::source::Options,
    contract: bool,
) -> Result<(crate::network::source::Built, Option<u64>), crate::network::source::BuildError> {
    let mut built = crate::network::source::build(source, options)?;
    let mut shortcuts = None;
    if contract {
        let started = std::time::Instant::now();
        let h = crate::routing::ch::build(&built.network.forward);
        shortcuts = Some(h.shortcuts);
        built.network.hierarchy = Some(h);
        built.build_secs += started.elapsed().as_secs_f64();
    }
    Ok((built, shortcuts))
}

/// Receives each block of an OD matrix: first row and row-major times (ms).
pub type BlockSink<'a> = dyn FnMut(usize, &[Cost]) -> Result<(), WriteError> + 'a;

/// Per point, its nearest units: (time ms, unit index), nearest first.
pub type Labels = Vec<Vec<(Cost, u32)>>;

/// Reads a network file.
pub fn load_network(path: &Path) -> Result<Network, ReadError> {
    let bytes = std::fs::read(path)
        .map_err(|e| ReadError::new(path, ProblemKind::Unreadable, format!("cannot read the network file: {e}")))?;
    crate::network::store::from_bytes(&bytes).map_err(|e| ReadError::new(path, ProblemKind::Parse, e.to_string()))
}

/// Points to route: a CSV `id,x,y[,weight]` in EPSG:3067, or a city's layer through its
/// profile: `PROFILE.toml:demand_areas` (representative points, weight = latest observed
/// residents) or `PROFILE.toml:units[:SERVICE_TYPE]` (weight = places; `facilities` is
/// accepted too).
pub fn read_points(spec: &Path) -> Result<Vec<RoutePoint>, EngineError> {
    let text = spec.to_string_lossy();
    if let Some((profile, layer)) = text.split_once(".toml:") {
        return points_of_city(&std::path::PathBuf::from(format!("{profile}.toml")), layer);
    }
    let mut problems = Problems::with_limit(20);
    match crate::io::points::read(spec, &mut problems) {
        Some(p) => Ok(p),
        None => Err(super::data_error(spec, &problems)),
    }
}

fn points_of_city(profile: &Path, layer: &str) -> Result<Vec<RoutePoint>, EngineError> {
    let data = super::load_checked(profile, &crate::progress::NoProgress)?;
    let (name, service) = layer.split_once(':').map_or((layer, None), |(a, b)| (a, Some(b)));
    match name {
        "demand_areas" => {
            let pop = &data.population;
            let latest = (0..pop.len()).filter(|&r| pop.kind[r] == PopulationKind::Observed).map(|r| pop.year[r]).max();
            let mut residents: std::collections::HashMap<&str, f64> = std::collections::HashMap::new();
            for r in 0..pop.len() {
                let area = &pop.areas[pop.area[r] as usize];
                if Some(pop.year[r]) == latest
                    && pop.kind[r] == PopulationKind::Observed
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
        "units" | "facilities" => Ok(data
            .units
            .iter()
            .filter(|f| service.is_none_or(|s| f.service_type == s))
            .map(|f| RoutePoint { id: f.id.0.clone(), x: f.x, y: f.y, weight: f64::from(f.total_places()) })
            .collect()),
        other => Err(ReadError::new(
            profile,
            ProblemKind::Profile,
            format!(
                "unknown layer '{other}' after the profile; use PROFILE.toml:demand_areas or PROFILE.toml:units[:SERVICE_TYPE]"
            ),
        )
        .into()),
    }
}

/// Travel times between every origin and destination, handed to `sink` block by block
/// (first row, row-major times in ms, [`UNREACHABLE`] beyond the cutoff). With fewer
/// destinations one search runs per destination and the whole matrix is one block;
/// otherwise rows stream in blocks of about a million cells, with PHAST trees when the
/// network stores a contraction hierarchy.
pub fn od_matrix(
    net: &Network,
    origins: &[RoutePoint],
    destinations: &[RoutePoint],
    o: &RouteOptions,
    sink: &mut BlockSink<'_>,
    progress: &dyn Progress,
) -> Result<RouteReport, EngineError> {
    let mut phases = Phases::new();
    let index = SnapIndex::new();
    let from = snap(net, &index, origins, o, true, "origin");
    let to = snap(net, &index, destinations, o, false, "destination");
    let xy = |p: &[RoutePoint]| -> Vec<(f64, f64)> { p.iter().map(|p| (p.x, p.y)).collect() };
    let direct = direct_pairs(net, &net.times(), &xy(origins), &from.snaps, &xy(destinations), &to.snaps);
    phases.done("snap");
    progress.start("travel-time matrix", origins.len().min(destinations.len()) as u64);
    let cols = destinations.len();
    if origins.len() > cols {
        let mut m =
            matrix::dense(&net.forward, &net.backward, &from.access, &to.access, o.cutoff, &|n| progress.inc(n as u64));
        apply_direct(&mut m, 0, cols, &direct, o.cutoff);
        phases.done("search");
        sink(0, &m)?;
    } else {
        let block_rows = (1_000_000 / cols.max(1)).clamp(1, 4096);
        let mut fixed = Vec::new();
        let mut write = |first: usize, block: &[Cost]| {
            progress.inc((block.len() / cols.max(1)) as u64);
            fixed.clear();
            fixed.extend_from_slice(block);
            apply_direct(&mut fixed, first, cols, &direct, o.cutoff);
            sink(first, &fixed)
        };
        match &net.hierarchy {
            Some(h) => matrix::streamed_phast(h, &from.access, &to.access, o.cutoff, block_rows, &mut write)?,
            None => matrix::streamed(&net.forward, &from.access, &to.access, o.cutoff, block_rows, &mut write)?,
        }
        phases.done("search + write");
    }
    progress.finish();
    let notes = [note("origins", &from, o), note("destinations", &to, o)].into_iter().flatten().collect();
    Ok(RouteReport { notes, snaps: [from.rows, to.rows].concat(), phases })
}

/// The nearest (or `k` nearest) units of every point, or of every network node when
/// `points` is `None`: per point, (time ms, unit index) nearest first, ties to the unit
/// listed first. Travel is from the point to the unit.
pub fn nearest(
    net: &Network,
    units: &[RoutePoint],
    points: Option<&[RoutePoint]>,
    k: usize,
    o: &RouteOptions,
) -> Result<(Labels, RouteReport), EngineError> {
    let mut phases = Phases::new();
    let index = SnapIndex::new();
    let fac = snap(net, &index, units, o, false, "unit");
    phases.done("snap");
    // Search backwards from the units: node → unit travel. (A stored hierarchy is
    // not used: the partitioned bucket search measured faster on 2 cores, benches/README.md.)
    let per_node: Vec<Vec<(Cost, u32)>> = if k == 1 {
        let (cost, label) = nearest::nearest(&net.backward, &fac.access, o.cutoff);
        cost.iter().zip(&label).map(|(&c, &l)| if c == UNREACHABLE { vec![] } else { vec![(c, l)] }).collect()
    } else {
        nearest::k_nearest(&net.backward, &fac.access, k, o.cutoff)
    };
    phases.done("search");
    let mut notes: Vec<Note> = note("units", &fac, o).into_iter().collect();
    let mut snaps = fac.rows;
    let rows = match points {
        None => per_node,
        Some(pts) => {
            let p = snap(net, &index, pts, o, true, "point");
            let rows = p
                .access
                .iter()
                .map(|acc| {
                    let mut all: Vec<(Cost, u32)> = acc
                        .iter()
                        .flat_map(|a| {
                            per_node[a.node as usize].iter().map(move |&(c, l)| (c.saturating_add(a.cost), l))
                        })
                        .filter(|&(c, _)| c <= o.cutoff)
                        .collect();
                    all.sort_unstable();
                    let mut seen = Vec::new();
                    all.retain(|&(_, l)| {
                        !seen.contains(&l) && {
                            seen.push(l);
                            true
                        }
                    });
                    all.truncate(k);
                    all
                })
                .collect();
            notes.extend(note("points", &p, o));
            snaps.extend(p.rows);
            rows
        }
    };
    phases.done("label points");
    Ok((rows, RouteReport { notes, snaps, phases }))
}

/// Service areas of every point for every time band (ms): towards the point (who reaches
/// it within the time) or from it. Returns the polygon layer and the reached-streets layer.
pub fn isochrones(
    net: &Network,
    points: &[RoutePoint],
    times: &[Cost],
    towards: bool,
    o: &RouteOptions,
    progress: &dyn Progress,
) -> ([OutTable; 2], RouteReport) {
    let index = SnapIndex::new();
    let snapped = snap(net, &index, points, o, !towards, "point");
    let mut times = times.to_vec();
    times.sort_unstable();
    times.dedup();
    let max = *times.last().unwrap_or(&0);
    let (mut ids, mut minutes, mut lines, mut polys, mut km) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut ws = Workspace::new(net.node_count());
    progress.start("service areas", points.len() as u64);
    for (p, a) in points.iter().zip(&snapped.access) {
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
            let merged = crate::analysis::service_area::merge_directions(net, &reached);
            let (ml, hull) = crate::analysis::service_area::geometry(net, &merged);
            ids.push(Some(p.id.clone()));
            minutes.push(Some(f64::from(t) / 60_000.0));
            km.push(Some(crate::analysis::service_area::street_km(net, &merged)));
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
    let notes = note("points", &snapped, o).into_iter().collect();
    (layers, RouteReport { notes, snaps: snapped.rows, phases: Phases::default() })
}

/// The nearest units as a table: id, rank, unit_id, time_s (an unreachable point gets one
/// row with empty unit and time).
pub fn nearest_table(ids: &[String], rows: &[Vec<(Cost, u32)>], units: &[RoutePoint]) -> OutTable {
    let (mut id, mut rank, mut fac, mut time) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (pid, list) in ids.iter().zip(rows) {
        if list.is_empty() {
            id.push(Some(pid.clone()));
            rank.push(Some(1));
            fac.push(None);
            time.push(None);
        }
        for (r, &(c, l)) in list.iter().enumerate() {
            id.push(Some(pid.clone()));
            rank.push(Some(r as i64 + 1));
            fac.push(Some(units[l as usize].id.clone()));
            time.push(Some(f64::from(c) / 1000.0));
        }
    }
    OutTable::new("nearest")
        .with("id", OutColumn::Text(id))
        .with("rank", OutColumn::Int(rank))
        .with("unit_id", OutColumn::Text(fac))
        .with_rounded("time_s", 3, OutColumn::Float(time))
}

/// The snap report as a table: id, role, snapped (1/0), snap_distance_m, walk_s.
pub fn snap_table(rows: &[SnapRow]) -> OutTable {
    OutTable::new("snaps")
        .with("id", OutColumn::Text(rows.iter().map(|r| Some(r.id.clone())).collect()))
        .with("role", OutColumn::Text(rows.iter().map(|r| Some(r.role.to_owned())).collect()))
        .with("snapped", OutColumn::Int(rows.iter().map(|r| Some(i64::from(r.snapped))).collect()))
        .with_rounded("snap_distance_m", 2, OutColumn::Float(rows.iter().map(|r| r.distance_m).collect()))
        .with_rounded("walk_s", 3, OutColumn::Float(rows.iter().map(|r| r.walk_s).collect()))
}
