//! Travel-time matrices in shards: origins split into ranges, each shard's rows a Parquet
//! part in pave's OD format; merged in shard order to exactly `pave matrix` of the job.

use super::{Input, ShardSpec, Work, absolute, job_error, routing_inputs};
use crate::engine::EngineError;
use crate::engine::routing::{RouteOptions, SnapMode, load_network, od_matrix, read_points};
use crate::io::error::{ReadError, WriteError};
use crate::io::od::OdWriter;
use crate::network::UNREACHABLE;
use crate::progress::Progress;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// `[matrix]`: origins × destinations on a network (paths relative to the job file).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MatrixJob {
    /// Network file (`pave network build`).
    pub network: String,
    /// Origins: CSV id,x,y[,weight] in EPSG:3067, or `PROFILE.toml:demand_areas`.
    pub from: String,
    /// Destinations, as `from`.
    pub to: String,
    /// Leave out travel longer than this, minutes (default: no cutoff).
    #[serde(default)]
    pub cutoff_min: Option<f64>,
    /// Points farther from the network are not routed, metres (500).
    #[serde(default = "default_snap")]
    pub max_snap_m: f64,
    /// Write only pairs with a time.
    #[serde(default)]
    pub sparse: bool,
}

pub(super) fn default_snap() -> f64 {
    500.0
}

pub(super) fn plan(job: &Path, base: &Path, m: &MatrixJob) -> Result<(Work, Vec<Input>, usize), EngineError> {
    let mut m = m.clone();
    m.network = absolute(base, &m.network);
    m.from = absolute(base, &m.from);
    m.to = absolute(base, &m.to);
    if m.cutoff_min.is_some_and(|c| !(c > 0.0 && c.is_finite())) {
        return Err(job_error(job, format!("key 'cutoff_min' = {:?}: a positive number of minutes", m.cutoff_min)));
    }
    let (inputs, origins, destinations) = routing_inputs(&m.network, &m.from, &m.to)?;
    Ok((Work::Matrix { job: m, origins, destinations }, inputs, origins))
}

pub(super) fn run(job: &MatrixJob, spec: ShardSpec, part: &Path, progress: &dyn Progress) -> Result<u64, EngineError> {
    let net = load_network(Path::new(&job.network))?;
    let origins = read_points(Path::new(&job.from))?;
    let destinations = read_points(Path::new(&job.to))?;
    let o_ids: Vec<String> = origins.iter().map(|p| p.id.clone()).collect();
    let d_ids: Vec<String> = destinations.iter().map(|p| p.id.clone()).collect();
    let options = RouteOptions {
        snap: SnapMode::Edge,
        max_snap_m: job.max_snap_m,
        cutoff: job.cutoff_min.map_or(UNREACHABLE, |c| (c * 60_000.0).round() as u32),
    };
    // Id types (integer or text) follow all origins, so every shard has the same schema.
    let mut writer = OdWriter::create(part, job.sparse, &o_ids, &d_ids)?;
    let mut sink = |first: usize, block: &[u32]| writer.write_block(&o_ids, &d_ids, spec.first + first, block);
    od_matrix(&net, &origins[spec.first..spec.last], &destinations, &options, &mut sink, progress)?;
    Ok(writer.finish()?)
}

/// `JOBDIR/summary.json`, written by [`merge`].
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Summary {
    /// The plan.
    pub manifest: String,
    /// Shards merged.
    pub shards: usize,
    /// Rows in the dataset.
    pub rows: u64,
    /// Origins × destinations planned.
    pub pairs: u64,
    /// Pairs with a time.
    pub reachable: u64,
    /// Sum of every time, seconds (a check figure).
    pub total_time_s: f64,
    /// The dataset, readable as one table.
    pub dataset: PathBuf,
}

/// Reads the parts in shard order, one at a time: totals into `summary.json`, and with `csv`
/// the whole matrix as one CSV in origin order (as `pave matrix` writes it), streamed into
/// its temporary file.
pub(super) fn merge(
    dir: &Path,
    id: &str,
    parts: &[PathBuf],
    (origins, destinations): (usize, usize),
    csv: Option<&Path>,
) -> Result<Summary, EngineError> {
    // One shard in memory at a time; the CSV is streamed into its temporary file.
    let (mut rows, mut reachable, mut total) = (0u64, 0u64, 0.0f64);
    let mut read_error: Option<ReadError> = None;
    let mut each = |out: &mut RowSink<'_>| -> Result<(), String> {
        for part in parts {
            let t = match crate::io::od::read_parquet(part) {
                Ok(t) => t,
                Err(e) => {
                    let message = e.to_string();
                    read_error = Some(e);
                    return Err(message);
                }
            };
            rows += t.len() as u64;
            for (o, d, time) in t {
                if let Some(ms) = time {
                    reachable += 1;
                    total += f64::from(ms) / 1000.0;
                }
                out(&o, &d, time).map_err(|e| e.to_string())?;
            }
        }
        Ok(())
    };
    let written = match csv {
        Some(path) => crate::io::atomic::write_with(path, |tmp| {
            use std::io::Write;
            let file = std::fs::File::create(tmp).map_err(|e| WriteError::new(path, e))?;
            let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
            w.write_all(b"origin_id,destination_id,time_s\n").map_err(|e| WriteError::new(path, e))?;
            each(&mut |o, d, time| writeln!(w, "{o},{d},{}", time.map_or(String::new(), crate::io::od::seconds)))
                .map_err(|e| WriteError::new(path, e))?;
            w.flush().map_err(|e| WriteError::new(path, e))
        }),
        None => each(&mut |_, _, _| Ok(())).map_err(|e| WriteError::new(dir, e)),
    };
    if let Some(e) = read_error {
        return Err(e.into());
    }
    written?;
    let summary = Summary {
        manifest: id.to_owned(),
        shards: parts.len(),
        rows,
        pairs: (origins * destinations) as u64,
        reachable,
        total_time_s: (total * 1000.0).round() / 1000.0,
        dataset: dir.join("out"),
    };
    crate::io::atomic::write_bytes(
        &dir.join("summary.json"),
        serde_json::to_string_pretty(&summary).unwrap_or_default().as_bytes(),
    )?;
    Ok(summary)
}

/// Receives the merged matrix row by row: origin, destination, time in ms.
type RowSink<'a> = dyn FnMut(&str, &str, Option<u32>) -> std::io::Result<()> + 'a;
