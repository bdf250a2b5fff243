//! What the planner's workspace (`pave serve`) needs from the engine, as plain data: a
//! scenario file with the planner's edits on top ([`Edits`], [`edited`]), the same saved as
//! a scenario file `pave run` reads ([`scenario_toml`]), the map's fixed layers
//! ([`map_base`]: streets, demand cells, district borders) and what changes with every
//! edit ([`view`]: KPIs, per-cell values, units, districts).
//!
//! Coordinates stay in EPSG:3067 metres, rounded to 0.1 m; the browser projects them.

use super::Evaluation;
use crate::model::scenario::{Change, Rule, Scenario};
use crate::scenario::apply::UnitStatus;
use crate::scenario::kpis::Kpis;
use crate::scenario::outcome::DistrictRow;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// A planner's edits on top of a scenario file: parameter overrides and changes, in order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edits {
    /// Year studied (an observed or forecast year of the city).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<u16>,
    /// The "within" indicator, minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold_min: Option<f64>,
    /// Target share of the indicator (0–1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_share: Option<f64>,
    /// Participation (osallistumisaste), 0–1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participation: Option<f64>,
    /// Rule behind the headline figures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocation: Option<Rule>,
    /// Changes after the scenario file's own, applied in order.
    #[serde(default)]
    pub changes: Vec<Change>,
}

/// Where errors in workspace edits point: this name, and the edit's number as the line.
pub const EDITS_ORIGIN: &str = "workspace edits";

/// `base` with `edits` applied: overrides replace the file's values, changes follow its own.
/// Values are checked when the result is evaluated (errors name the edit's number).
pub fn edited(base: &Scenario, edits: &Edits) -> Scenario {
    let mut s = base.clone();
    let origin = |line: u64| crate::model::scenario::KeyOrigin { file: PathBuf::from(EDITS_ORIGIN), line };
    if let Some(y) = edits.year {
        s.year = (y, origin(0));
    }
    let p = &mut s.parameters;
    if let Some(v) = edits.threshold_min {
        p.threshold_min = v;
    }
    if let Some(v) = edits.target_share {
        p.target_share = v;
    }
    if let Some(v) = edits.participation {
        p.participation = v;
    }
    if let Some(v) = edits.allocation {
        p.allocation = v;
    }
    for (i, c) in edits.changes.iter().enumerate() {
        s.changes.push((c.clone(), origin(i as u64 + 1)));
    }
    s
}

/// The edited scenario as a scenario file `pave run` reads: it `extends` the base file (by
/// absolute path, so the file can be saved anywhere on this machine), overrides what the
/// edits set and lists the added changes. `pave run` of it gives the same KPIs as
/// evaluating [`edited`].
pub fn scenario_toml(base_file: &Path, name: &str, title: &str, edits: &Edits) -> String {
    let base = base_file.canonicalize().unwrap_or_else(|_| base_file.to_owned());
    let q = |s: &str| toml::Value::String(s.to_owned()).to_string();
    let mut out = String::new();
    out.push_str("# Saved from the pave workspace: the base scenario and the edits made on top of it.\n");
    out.push_str(&format!("name = {}\ntitle = {}\nextends = {}\n", q(name), q(title), q(&base.to_string_lossy())));
    if let Some(y) = edits.year {
        out.push_str(&format!("year = {y}\n"));
    }
    let mut params = Vec::new();
    if let Some(v) = edits.threshold_min {
        params.push(format!("threshold_min = {v:?}"));
    }
    if let Some(v) = edits.target_share {
        params.push(format!("target_share = {v:?}"));
    }
    if let Some(v) = edits.participation {
        params.push(format!("participation = {v:?}"));
    }
    if let Some(v) = edits.allocation {
        params.push(format!("allocation = {}", q(v.code())));
    }
    if !params.is_empty() {
        out.push_str(&format!("\n[parameters]\n{}\n", params.join("\n")));
    }
    for c in &edits.changes {
        #[derive(Serialize)]
        struct One<'a> {
            change: [&'a Change; 1],
        }
        let table = toml::to_string(&One { change: [c] }).unwrap_or_default();
        out.push('\n');
        out.push_str(&table);
    }
    out
}

/// The map's layers that no edit changes.
#[derive(Clone, Debug, Serialize)]
pub struct MapBase {
    /// Extent [min x, min y, max x, max y], EPSG:3067.
    pub extent: [f64; 4],
    /// Street polylines, each flat [x0, y0, x1, y1, …] (every street once, both directions
    /// drawn as one).
    pub streets: Vec<Vec<f64>>,
    /// Demand cells in the order of [`View::cells`]: id and outer ring, flat.
    pub cells: Vec<CellShape>,
    /// District borders at the summary level: segments between cells of different
    /// districts and on the study area's edge, each flat [x0, y0, x1, y1].
    pub district_borders: Vec<[f64; 4]>,
    /// Districts: code → (Finnish name, Swedish name).
    pub districts: BTreeMap<String, (String, Option<String>)>,
    /// Observed and forecast years of the city.
    pub years: Vec<u16>,
}

/// A demand cell's id and outline.
#[derive(Clone, Debug, Serialize)]
pub struct CellShape {
    /// Demand area id as in the city's data (e.g. the INSPIRE grid id).
    pub id: String,
    /// District at the summary level.
    pub district: Option<String>,
    /// Outer ring, flat [x0, y0, x1, y1, …].
    pub ring: Vec<f64>,
}

fn r1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// The fixed layers of an evaluation's map.
pub fn map_base(eval: &Evaluation) -> MapBase {
    let net = &eval.network;
    let g = &net.forward;
    let mut streets = Vec::new();
    let (mut min, mut max) = ([f64::MAX; 2], [f64::MIN; 2]);
    for u in 0..g.node_count() as u32 {
        for e in g.edges(u) {
            let v = g.head[e];
            // One direction of two-way streets (the other is drawn by the same line).
            if v < u && g.edges(v).any(|f| g.head[f] == u) {
                continue;
            }
            let mut line = vec![r1(net.x[u as usize]), r1(net.y[u as usize])];
            let shape = net.edge_shape[e];
            if shape != u32::MAX {
                let i = (shape & !crate::network::REVERSED) as usize;
                let range = net.shape_first[i] as usize..net.shape_first[i + 1] as usize;
                let mut pts: Vec<(f64, f64)> = range.map(|k| (net.shape_x[k], net.shape_y[k])).collect();
                if shape & crate::network::REVERSED != 0 {
                    pts.reverse();
                }
                for (x, y) in pts {
                    line.extend([r1(x), r1(y)]);
                }
            }
            line.extend([r1(net.x[v as usize]), r1(net.y[v as usize])]);
            for p in line.chunks(2) {
                for k in 0..2 {
                    min[k] = min[k].min(p[k]);
                    max[k] = max[k].max(p[k]);
                }
            }
            streets.push(line);
        }
    }
    let data = &eval.data;
    let level = eval.outcome.district_level.clone();
    let mut cells = Vec::with_capacity(data.demand_areas.len());
    for a in &data.demand_areas {
        let ring: Vec<f64> = a
            .geometry
            .0
            .first()
            .map(|p| p.exterior().0.iter().flat_map(|c| [r1(c.x), r1(c.y)]).collect())
            .unwrap_or_default();
        for p in ring.chunks(2) {
            for k in 0..2 {
                min[k] = min[k].min(p[k]);
                max[k] = max[k].max(p[k]);
            }
        }
        cells.push(CellShape { id: a.id.0.clone(), district: a.districts.get(&level).map(|d| d.0.clone()), ring });
    }
    let district_borders = borders(&cells);
    let districts = data
        .districts
        .iter()
        .filter(|d| d.level == level)
        .map(|d| (d.code.0.clone(), (d.name_fi.clone(), d.name_sv.clone())))
        .collect();
    let mut years: Vec<u16> = data.population.year.clone();
    years.sort_unstable();
    years.dedup();
    if min[0] > max[0] {
        (min, max) = ([0.0; 2], [0.0; 2]);
    }
    MapBase { extent: [min[0], min[1], max[0], max[1]], streets, cells, district_borders, districts, years }
}

/// Cell edges with different districts on their two sides (or a cell on one side only).
fn borders(cells: &[CellShape]) -> Vec<[f64; 4]> {
    type Key = (i64, i64, i64, i64);
    let key = |a: (f64, f64), b: (f64, f64)| -> Key {
        let (p, q) = ((a.0 * 10.0) as i64, (a.1 * 10.0) as i64);
        let (r, s) = ((b.0 * 10.0) as i64, (b.1 * 10.0) as i64);
        if (p, q) <= (r, s) { (p, q, r, s) } else { (r, s, p, q) }
    };
    let mut sides: HashMap<Key, (Option<&str>, usize, bool)> = HashMap::new();
    for c in cells {
        let d = c.district.as_deref();
        let pts: Vec<(f64, f64)> = c.ring.chunks(2).map(|p| (p[0], p[1])).collect();
        for w in pts.windows(2) {
            let e = sides.entry(key(w[0], w[1])).or_insert((d, 0, false));
            e.1 += 1;
            e.2 |= e.0 != d;
        }
    }
    let mut out: Vec<[f64; 4]> = sides
        .into_iter()
        .filter(|(_, (_, n, differ))| *n == 1 || *differ)
        .map(|(k, _)| [k.0 as f64 / 10.0, k.1 as f64 / 10.0, k.2 as f64 / 10.0, k.3 as f64 / 10.0])
        .collect();
    out.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    out
}

/// What an edit changes: KPIs, values per cell and unit, district rows.
#[derive(Clone, Debug, Serialize)]
pub struct View {
    /// The KPI document (as `kpis.json`).
    pub kpis: Kpis,
    /// Per demand cell, in the order of [`MapBase::cells`].
    pub cells: Vec<CellView>,
    /// Every unit of the scenario, closed ones included.
    pub units: Vec<UnitView>,
    /// District summary rows.
    pub districts: Vec<DistrictRow>,
    /// Unit searches this evaluation ran.
    pub searches: usize,
    /// Engine time of the evaluation or update, milliseconds.
    pub engine_ms: f64,
    /// Engine phases (name, seconds).
    pub phases: Vec<(&'static str, f64)>,
}

/// One demand cell's values.
#[derive(Clone, Debug, Serialize)]
pub struct CellView {
    /// Children (after participation), all language groups.
    pub children: f64,
    /// Mean travel time to the allocated units (headline rule), minutes.
    pub minutes: Option<f64>,
    /// Unserved children.
    pub unserved: f64,
    /// 2SFCA places per child.
    pub sfca: f64,
    /// Index into [`View::units`] of the unit taking most of the cell's children.
    pub unit: Option<usize>,
}

/// One unit's figures for the map and its detail panel.
#[derive(Clone, Debug, Serialize)]
pub struct UnitView {
    /// Unit id.
    pub id: String,
    /// Finnish name.
    pub name_fi: String,
    /// Swedish name, if any.
    pub name_sv: Option<String>,
    /// Location, EPSG:3067.
    pub x: f64,
    /// Location, EPSG:3067.
    pub y: f64,
    /// `kept`, `closed`, `opened`, `resized`, `relanguaged` or `moved`.
    pub status: &'static str,
    /// Places per language code (`shared` for places open to all).
    pub places: BTreeMap<String, u32>,
    /// Children placed by the headline rule.
    pub placed: f64,
    /// Placed / places.
    pub utilisation: Option<f64>,
    /// Catchment children (nearest unit they may take).
    pub catchment: f64,
    /// District at the summary level.
    pub district: Option<String>,
    /// Annual premises cost per place, euros.
    pub cost_per_place_eur: Option<f64>,
    /// Repair debt of the premises, euros.
    pub repair_debt_eur: Option<f64>,
}

fn status_code(s: UnitStatus) -> &'static str {
    match s {
        UnitStatus::Kept => "kept",
        UnitStatus::Closed => "closed",
        UnitStatus::Opened => "opened",
        UnitStatus::Resized => "resized",
        UnitStatus::Relanguaged => "relanguaged",
        UnitStatus::Moved => "moved",
    }
}

/// The changing figures of an evaluation.
pub fn view(eval: &Evaluation) -> View {
    let o = &eval.outcome;
    let headline_optimum = eval.scenario.parameters.allocation == Rule::SystemOptimum;
    let mut plan_of_active = vec![0usize; o.active.len()];
    let mut active_of_plan = vec![None; o.plans.len()];
    for (i, &p) in o.active.iter().enumerate() {
        plan_of_active[i] = p;
        active_of_plan[p] = Some(i);
    }
    let swedish_names: HashMap<&str, &str> =
        eval.data.units.iter().filter_map(|u| u.name_sv.as_deref().map(|n| (u.id.0.as_str(), n))).collect();
    let units = o
        .plans
        .iter()
        .enumerate()
        .map(|(p, plan)| {
            let r = active_of_plan[p].map(|i| &o.units[i]);
            let name_sv = swedish_names.get(plan.id.as_str()).map(|n| (*n).to_owned());
            let mut places = BTreeMap::new();
            for &(lang, n) in &plan.places {
                *places.entry(lang.map_or_else(|| "shared".to_owned(), |l| l.code().to_owned())).or_insert(0) += n;
            }
            UnitView {
                id: plan.id.clone(),
                name_fi: plan.name.clone(),
                name_sv,
                x: r1(plan.x),
                y: r1(plan.y),
                status: status_code(plan.status),
                places,
                placed: r.map_or(0.0, |r| if headline_optimum { r.placed_optimum } else { r.placed_rule }),
                utilisation: r.and_then(|r| r.utilisation),
                catchment: r.map_or(0.0, |r| r.catchment_children),
                district: r.and_then(|r| r.district.clone()),
                cost_per_place_eur: r.and_then(|r| r.cost_per_place_eur),
                repair_debt_eur: r.and_then(|r| r.repair_debt_eur),
            }
        })
        .collect();
    let cells = o
        .cells
        .iter()
        .map(|c| CellView {
            children: c.children.iter().sum(),
            minutes: c.mean_min,
            unserved: c.unserved,
            sfca: c.sfca,
            unit: c.allocated.map(|a| plan_of_active[a as usize]),
        })
        .collect();
    View {
        kpis: eval.kpis.clone(),
        cells,
        units,
        districts: o.districts.clone(),
        searches: eval.searches,
        engine_ms: eval.phases.list.iter().map(|p| p.1).sum::<f64>() * 1000.0,
        phases: eval.phases.list.clone(),
    }
}
