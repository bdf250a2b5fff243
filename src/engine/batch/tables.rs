//! Per-point tables in shards — the nearest units of every point, accessibility of every
//! origin: each shard's rows a Parquet part; merged in shard order into one CSV exactly as
//! the single-process command writes it (`pave nearest`), through the same table writer.

use super::{Input, ShardSpec, Work, absolute, job_error, routing_inputs};
use crate::engine::EngineError;
use crate::engine::routing::{self, RouteOptions, SnapMode, load_network, od_matrix, read_points};
use crate::io::error::WriteError;
use crate::io::table::Column as TableColumn;
use crate::io::{OutColumn, OutTable};
use crate::network::UNREACHABLE;
use crate::progress::Progress;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// `[nearest]`: the `k` nearest units of every point (paths relative to the job file).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NearestJob {
    /// Network file (`pave network build`).
    pub network: String,
    /// Points to label (split into shards): CSV id,x,y or `PROFILE.toml:demand_areas`.
    pub from: String,
    /// Units: CSV id,x,y or `PROFILE.toml:units[:SERVICE_TYPE]`.
    pub units: String,
    /// How many nearest units per point (1).
    #[serde(default = "one")]
    pub k: usize,
    /// Leave out units farther than this, minutes (default: no cutoff).
    #[serde(default)]
    pub cutoff_min: Option<f64>,
    /// Points farther from the network are not routed, metres (500).
    #[serde(default = "super::matrix::default_snap")]
    pub max_snap_m: f64,
}

/// `[accessibility]`: per origin, the time to the nearest destination within the largest
/// threshold (empty beyond it), and the destinations and their weight (places, jobs…)
/// reached within each threshold — cumulative opportunities.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AccessibilityJob {
    /// Network file (`pave network build`).
    pub network: String,
    /// Origins (split into shards): CSV id,x,y or `PROFILE.toml:demand_areas`.
    pub from: String,
    /// Destinations with their weight: CSV id,x,y,weight or `PROFILE.toml:units` (places).
    pub to: String,
    /// Thresholds, minutes, ascending.
    pub thresholds_min: Vec<f64>,
    /// Points farther from the network are not routed, metres (500).
    #[serde(default = "super::matrix::default_snap")]
    pub max_snap_m: f64,
}

fn one() -> usize {
    1
}

fn minutes_ok(job: &Path, key: &str, v: f64) -> Result<(), EngineError> {
    if v > 0.0 && v.is_finite() {
        Ok(())
    } else {
        Err(job_error(job, format!("key '{key}' = {v}: a positive number of minutes")))
    }
}

/// Plans a nearest job: the files made absolute, read and checked as the shards will.
pub(super) fn plan_nearest(job: &Path, base: &Path, n: &NearestJob) -> Result<(Work, Vec<Input>, usize), EngineError> {
    let mut n = n.clone();
    for spec in [&mut n.network, &mut n.from, &mut n.units] {
        *spec = absolute(base, spec);
    }
    if n.k == 0 {
        return Err(job_error(job, "key 'k' = 0: at least 1 nearest unit"));
    }
    if let Some(c) = n.cutoff_min {
        minutes_ok(job, "cutoff_min", c)?;
    }
    let (inputs, points, units) = routing_inputs(&n.network, &n.from, &n.units)?;
    Ok((Work::Nearest { job: n, points, units }, inputs, points))
}

/// Plans an accessibility job.
pub(super) fn plan_accessibility(
    job: &Path,
    base: &Path,
    a: &AccessibilityJob,
) -> Result<(Work, Vec<Input>, usize), EngineError> {
    let mut a = a.clone();
    for spec in [&mut a.network, &mut a.from, &mut a.to] {
        *spec = absolute(base, spec);
    }
    if a.thresholds_min.is_empty() {
        return Err(job_error(job, "key 'thresholds_min': at least one threshold, e.g. [10, 16, 30]"));
    }
    for (i, &t) in a.thresholds_min.iter().enumerate() {
        minutes_ok(job, "thresholds_min", t)?;
        if i > 0 && t <= a.thresholds_min[i - 1] {
            return Err(job_error(
                job,
                format!("key 'thresholds_min' = {:?}: thresholds in ascending order, each once", a.thresholds_min),
            ));
        }
    }
    let (inputs, origins, destinations) = routing_inputs(&a.network, &a.from, &a.to)?;
    Ok((Work::Accessibility { job: a, origins, destinations }, inputs, origins))
}

fn options(max_snap_m: f64, cutoff_min: Option<f64>) -> RouteOptions {
    RouteOptions {
        snap: SnapMode::Edge,
        max_snap_m,
        cutoff: cutoff_min.map_or(UNREACHABLE, |c| (c * 60_000.0).round() as u32),
    }
}

/// The nearest units of the shard's points, as `pave nearest` tables them; rows written.
pub(super) fn run_nearest(job: &NearestJob, spec: ShardSpec, part: &Path) -> Result<u64, EngineError> {
    let net = load_network(Path::new(&job.network))?;
    let points = read_points(Path::new(&job.from))?;
    let units = read_points(Path::new(&job.units))?;
    let mine = &points[spec.first..spec.last];
    let (rows, _) = routing::nearest(&net, &units, Some(mine), job.k, &options(job.max_snap_m, job.cutoff_min))?;
    let ids: Vec<String> = mine.iter().map(|p| p.id.clone()).collect();
    let table = routing::nearest_table(&ids, &rows, &units);
    crate::io::parquet::write(part, &table)?;
    Ok(table.columns.first().map_or(0, |c| c.1.len()) as u64)
}

/// A threshold as a column suffix: `16min`, `7.5min`.
fn label(t: f64) -> String {
    format!("{t}min")
}

/// Accessibility of the shard's origins: one row each; rows written.
pub(super) fn run_accessibility(
    job: &AccessibilityJob,
    spec: ShardSpec,
    part: &Path,
    progress: &dyn Progress,
) -> Result<u64, EngineError> {
    let net = load_network(Path::new(&job.network))?;
    let origins = read_points(Path::new(&job.from))?;
    let destinations = read_points(Path::new(&job.to))?;
    let mine = &origins[spec.first..spec.last];
    let limits: Vec<u32> = job.thresholds_min.iter().map(|t| (t * 60_000.0).round() as u32).collect();
    let last = job.thresholds_min.last().copied();
    let cols = destinations.len();
    let mut nearest: Vec<Option<u32>> = vec![None; mine.len()];
    let mut reach = vec![vec![0i64; mine.len()]; limits.len()];
    let mut weight = vec![vec![0f64; mine.len()]; limits.len()];
    let mut sink = |first: usize, block: &[u32]| {
        for (r, row) in block.chunks(cols.max(1)).enumerate() {
            let o = first + r;
            for (d, &ms) in row.iter().enumerate() {
                if ms == UNREACHABLE {
                    continue;
                }
                nearest[o] = Some(nearest[o].map_or(ms, |n| n.min(ms)));
                for (t, &limit) in limits.iter().enumerate() {
                    if ms <= limit {
                        reach[t][o] += 1;
                        weight[t][o] += destinations[d].weight;
                    }
                }
            }
        }
        Ok::<(), WriteError>(())
    };
    od_matrix(&net, mine, &destinations, &options(job.max_snap_m, last), &mut sink, progress)?;
    let mut table = OutTable::new("accessibility")
        .with("origin_id", OutColumn::Text(mine.iter().map(|p| Some(p.id.clone())).collect()))
        .with_rounded(
            "nearest_s",
            3,
            OutColumn::Float(nearest.iter().map(|n| n.map(|ms| f64::from(ms) / 1000.0)).collect()),
        );
    for (t, (r, w)) in job.thresholds_min.iter().zip(reach.into_iter().zip(weight)) {
        table = table
            .with(format!("reached_{}", label(*t)), OutColumn::Int(r.into_iter().map(Some).collect()))
            .with_rounded(format!("weight_{}", label(*t)), 2, OutColumn::Float(w.into_iter().map(Some).collect()));
    }
    crate::io::parquet::write(part, &table)?;
    Ok(mine.len() as u64)
}

/// `JOBDIR/summary.json` of a per-point table.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct TableSummary {
    /// The plan.
    pub manifest: String,
    /// Shards merged.
    pub shards: usize,
    /// Rows in the dataset.
    pub rows: u64,
    /// The whole table as one CSV.
    pub table: PathBuf,
    /// The dataset, readable as one table.
    pub dataset: PathBuf,
}

/// Reads the parts in shard order into one table (the parts' columns, the decimals of
/// `decimals`) and writes it as one CSV (`csv`, default `JOBDIR/<name>.csv`) with the
/// writer `pave nearest` uses, and `summary.json`.
pub(super) fn merge(
    dir: &Path,
    id: &str,
    parts: &[PathBuf],
    name: &str,
    decimals: &[(String, u8)],
    csv: Option<&Path>,
) -> Result<TableSummary, EngineError> {
    let mut out = OutTable::new(name);
    for part in parts {
        let (t, _) = crate::io::parquet::read(part)?;
        if out.columns.is_empty() {
            out.columns = t.names.iter().map(|n| (n.clone(), OutColumn::Int(Vec::new()))).collect();
            for ((_, column), c) in out.columns.iter_mut().zip(&t.columns) {
                *column = match c {
                    TableColumn::Int(_) => OutColumn::Int(Vec::new()),
                    TableColumn::Float(_) => OutColumn::Float(Vec::new()),
                    TableColumn::Text(_) => OutColumn::Text(Vec::new()),
                };
            }
        }
        if t.names.len() != out.columns.len() || t.names.iter().zip(&out.columns).any(|(a, b)| *a != b.0) {
            return Err(job_error(part, format!("columns {:?} differ from the first part's", t.names)));
        }
        for ((_, column), c) in out.columns.iter_mut().zip(&t.columns) {
            match (column, c) {
                (OutColumn::Int(v), TableColumn::Int(x)) => v.extend_from_slice(x),
                (OutColumn::Float(v), TableColumn::Float(x)) => v.extend_from_slice(x),
                (OutColumn::Text(v), TableColumn::Text(x)) => {
                    v.extend((0..x.len()).map(|i| x.get(i).map(str::to_owned)))
                }
                _ => return Err(job_error(part, "a column's type differs from the first part's")),
            }
        }
    }
    out.csv_decimals = decimals.to_vec();
    let rows = out.columns.first().map_or(0, |c| c.1.len()) as u64;
    let table = csv.map_or_else(|| dir.join(format!("{name}.csv")), Path::to_owned);
    crate::io::csv::write(&table, &out, &Default::default())?;
    let summary = TableSummary { manifest: id.to_owned(), shards: parts.len(), rows, table, dataset: dir.join("out") };
    crate::io::atomic::write_bytes(
        &dir.join("summary.json"),
        serde_json::to_string_pretty(&summary).unwrap_or_default().as_bytes(),
    )?;
    Ok(summary)
}

/// The CSV decimals of a job's table (as its shards wrote them).
pub(super) fn decimals(work: &Work) -> Vec<(String, u8)> {
    match work {
        Work::Accessibility { job, .. } => std::iter::once(("nearest_s".to_owned(), 3))
            .chain(job.thresholds_min.iter().map(|t| (format!("weight_{}", label(*t)), 2)))
            .collect(),
        _ => vec![("time_s".to_owned(), 3)],
    }
}
