//! Batch runs that outgrow one machine, split into shards an existing scheduler runs
//! (Slurm array jobs, Kubernetes Indexed Jobs, GNU parallel): `pave batch`.
//!
//! A job (TOML) names the work — a travel-time matrix of origins × destinations on a
//! network, or a sweep of scenario evaluations over years and parameters — and how to
//! split it. [`plan`] checks the inputs, records their hashes and
//! writes `JOBDIR/manifest.json` with the shards (ranges of origins or runs). [`run_shard`]
//! computes one shard into a Hive-partitioned Parquet dataset,
//! `JOBDIR/out/shard=N/part-N.parquet` (written to a temporary name and renamed), then
//! writes the completion record `_done.json` beside it (rows, checksum of the file, the
//! manifest's id): a finished shard is not run again; inputs changed since the plan are
//! refused. A failure is recorded in `JOBDIR/failed/N.txt` (outside the dataset) and
//! cleared by the next success. [`status`] lists every shard's state; [`merge`] checks that
//! every shard is present once, complete and consistent, and writes `summary.json` (and
//! optionally the whole matrix as one CSV, byte-identical to `pave matrix` of the job).
//!
//! Files whose names start with `_` or `.` are ignored by polars, DuckDB, Spark, Arrow and
//! GDAL when they read `JOBDIR/out` as one table.

mod sweep;

pub use sweep::{Run, SweepJob, SweepSummary};

use super::EngineError;
use super::routing::{RouteOptions, SnapMode, load_network, od_matrix, read_points};
use crate::io::error::{ReadError, WriteError};
use crate::io::od::OdWriter;
use crate::model::ProblemKind;
use crate::network::UNREACHABLE;
use crate::progress::Progress;
use crate::scenario::kpis::{file_hash, fnv1a64};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A batch job file as written: one of `[matrix]` or `[sweep]`, and `[split]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobFile {
    /// A travel-time matrix.
    pub matrix: Option<MatrixJob>,
    /// A sweep of scenario evaluations.
    pub sweep: Option<sweep::SweepJob>,
    /// How to split it.
    #[serde(default)]
    pub split: Split,
}

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

fn default_snap() -> f64 {
    500.0
}

/// `[split]`: a number of shards or origins per shard (default 8 shards).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Split {
    /// Number of shards.
    pub shards: Option<usize>,
    /// Origins per shard.
    pub rows_per_shard: Option<usize>,
}

/// One input and its hash at planning time.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Input {
    /// Absolute path.
    pub path: PathBuf,
    /// `fnv1a64:<hex>` of the bytes.
    pub hash: String,
}

/// One shard: origins `first..last` × every destination.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq)]
pub struct ShardSpec {
    /// Shard number (0-based, as array task ids).
    pub index: usize,
    /// First origin (inclusive).
    pub first: usize,
    /// Last origin (exclusive).
    pub last: usize,
}

/// `JOBDIR/manifest.json`: the planned work.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Manifest {
    /// Format version (1).
    pub version: u32,
    /// Identity of this plan: a hash of the inputs' hashes, the work and the split.
    pub id: String,
    /// The work, paths made absolute.
    pub work: Work,
    /// Inputs with their hashes.
    pub inputs: Vec<Input>,
    /// The shards (ranges of origins, or of runs).
    pub shards: Vec<ShardSpec>,
}

/// What a job computes.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Work {
    /// A travel-time matrix of `origins` × `destinations`.
    Matrix {
        /// The job.
        job: MatrixJob,
        /// Origins.
        origins: usize,
        /// Destinations.
        destinations: usize,
    },
    /// Scenario evaluations, one per run.
    Sweep {
        /// Every run, in order.
        runs: Vec<sweep::Run>,
    },
}

impl Work {
    /// A line for people: what the job computes.
    pub fn describe(&self) -> String {
        match self {
            Work::Matrix { origins, destinations, .. } => format!("a {origins} × {destinations} travel-time matrix"),
            Work::Sweep { runs } => format!("a sweep of {} scenario evaluations", runs.len()),
        }
    }
}

/// `_done.json`: a finished shard.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Completion {
    /// The manifest it was computed for.
    pub manifest: String,
    /// Rows written.
    pub rows: u64,
    /// `fnv1a64:<hex>` of the Parquet file.
    pub checksum: String,
    /// Wall-clock seconds the shard took (for the scheduler's time limits).
    #[serde(default)]
    pub seconds: f64,
}

fn job_error(path: &Path, message: impl Into<String>) -> EngineError {
    ReadError::new(path, ProblemKind::Profile, message).into()
}

/// `p` relative to `base`, made absolute; `PROFILE.toml:layer` keeps its layer.
fn absolute(base: &Path, p: &str) -> String {
    let joined = base.join(file_of(p));
    let abs = joined.canonicalize().unwrap_or(joined);
    match p.split_once(".toml:") {
        Some((_, layer)) => format!("{}:{layer}", abs.display()),
        None => abs.display().to_string(),
    }
}

/// The file of a points spec (`PROFILE.toml:layer` → `PROFILE.toml`).
fn file_of(spec: &str) -> PathBuf {
    PathBuf::from(spec.split_once(".toml:").map_or(spec.to_owned(), |(f, _)| format!("{f}.toml")))
}

/// Reads `job`, checks its inputs (the same messages as `pave matrix` and `pave run`), and
/// writes `out/manifest.json`. Planning again with unchanged inputs gives the same manifest.
pub fn plan(job: &Path, out: &Path) -> Result<Manifest, EngineError> {
    let text = std::fs::read_to_string(job).map_err(|e| job_error(job, format!("cannot read the job file: {e}")))?;
    let file: JobFile = toml::from_str(&text).map_err(|e| job_error(job, e.to_string()))?;
    let base = job.parent().unwrap_or(Path::new("."));
    let (work, inputs, items) = match (&file.matrix, &file.sweep) {
        (Some(m), None) => plan_matrix(job, base, m)?,
        (None, Some(s)) => sweep::plan(job, base, s)?,
        _ => return Err(job_error(job, "a job has either a [matrix] or a [sweep] table")),
    };
    if items == 0 {
        return Err(job_error(job, "nothing to compute: no origins or no runs"));
    }
    let per = match (file.split.shards, file.split.rows_per_shard) {
        (Some(_), Some(_)) => {
            return Err(job_error(job, "[split]: give either 'shards' or 'rows_per_shard', not both"));
        }
        (Some(0), _) | (_, Some(0)) => {
            return Err(job_error(job, "[split]: shards and rows_per_shard must be at least 1"));
        }
        (Some(n), None) => items.div_ceil(n),
        (None, Some(r)) => r,
        (None, None) => items.div_ceil(8),
    };
    let shards: Vec<ShardSpec> = (0..items.div_ceil(per))
        .map(|i| ShardSpec { index: i, first: i * per, last: ((i + 1) * per).min(items) })
        .collect();
    let identity = serde_json::to_string(&(&work, &inputs, &shards)).unwrap_or_default();
    let manifest = Manifest { version: 1, id: fnv1a64(identity.as_bytes()), work, inputs, shards };
    std::fs::create_dir_all(out).map_err(|e| WriteError::new(out, e))?;
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    crate::io::atomic::write_bytes(&out.join("manifest.json"), text.as_bytes())?;
    Ok(manifest)
}

fn plan_matrix(job: &Path, base: &Path, m: &MatrixJob) -> Result<(Work, Vec<Input>, usize), EngineError> {
    let mut m = m.clone();
    m.network = absolute(base, &m.network);
    m.from = absolute(base, &m.from);
    m.to = absolute(base, &m.to);
    if m.cutoff_min.is_some_and(|c| !(c > 0.0 && c.is_finite())) {
        return Err(job_error(job, format!("key 'cutoff_min' = {:?}: a positive number of minutes", m.cutoff_min)));
    }
    // Checked as the shards will read them.
    let _ = load_network(Path::new(&m.network))?;
    let origins = read_points(Path::new(&m.from))?.len();
    let destinations = read_points(Path::new(&m.to))?.len();
    let mut inputs = Vec::new();
    for spec in [&m.network, &m.from, &m.to] {
        add_input(&mut inputs, file_of(spec));
    }
    Ok((Work::Matrix { job: m, origins, destinations }, inputs, origins))
}

/// Adds `path` with its hash unless listed.
fn add_input(inputs: &mut Vec<Input>, path: PathBuf) {
    if !inputs.iter().any(|i| i.path == path) {
        inputs.push(Input { hash: file_hash(&path), path });
    }
}

/// Reads `dir/manifest.json`.
pub fn manifest(dir: &Path) -> Result<Manifest, EngineError> {
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| job_error(&path, format!("cannot read the manifest ({e}); run `pave batch plan` first")))?;
    serde_json::from_str(&text).map_err(|e| job_error(&path, format!("not a pave batch manifest: {e}")))
}

fn shard_dir(dir: &Path, n: usize) -> PathBuf {
    dir.join("out").join(format!("shard={n}"))
}

fn read_done(dir: &Path, n: usize) -> Option<Completion> {
    let text = std::fs::read_to_string(shard_dir(dir, n).join("_done.json")).ok()?;
    serde_json::from_str(&text).ok()
}

/// What [`run_shard`] did.
#[derive(Clone, Debug, PartialEq)]
pub enum ShardRun {
    /// Computed now.
    Computed(Completion),
    /// Already finished for this manifest: nothing done.
    AlreadyDone(Completion),
}

/// Computes shard `n` of the job in `dir` (see the module). Inputs whose hashes changed
/// since the plan are an error; so is a finished shard of another plan.
pub fn run_shard(dir: &Path, n: usize, progress: &dyn Progress) -> Result<ShardRun, EngineError> {
    let result = run_shard_inner(dir, n, progress);
    let failed = dir.join("failed").join(format!("{n}.txt"));
    match &result {
        Ok(_) => {
            let _ = std::fs::remove_file(&failed);
        }
        Err(e) => {
            let _ = std::fs::create_dir_all(dir.join("failed"));
            let _ = std::fs::write(&failed, format!("{e}\n"));
        }
    }
    result
}

fn run_shard_inner(dir: &Path, n: usize, progress: &dyn Progress) -> Result<ShardRun, EngineError> {
    let m = manifest(dir)?;
    let Some(spec) = m.shards.get(n).copied() else {
        return Err(job_error(
            &dir.join("manifest.json"),
            format!("shard {n}: the plan has shards 0–{}", m.shards.len().saturating_sub(1)),
        ));
    };
    if let Some(done) = read_done(dir, n) {
        if done.manifest == m.id {
            return Ok(ShardRun::AlreadyDone(done));
        }
        return Err(job_error(
            &shard_dir(dir, n).join("_done.json"),
            format!(
                "shard {n} was computed for another plan ({}, this plan is {}); remove {} or plan into a new folder",
                done.manifest,
                m.id,
                dir.join("out").display()
            ),
        ));
    }
    for input in &m.inputs {
        let now = file_hash(&input.path);
        if now != input.hash {
            return Err(job_error(
                &input.path,
                format!(
                    "changed since the plan (hash {now}, planned {}); plan the job again into a new folder",
                    input.hash
                ),
            ));
        }
    }
    let started = std::time::Instant::now();
    let sd = shard_dir(dir, n);
    std::fs::create_dir_all(&sd).map_err(|e| WriteError::new(&sd, e))?;
    let part = sd.join(format!("part-{n}.parquet"));
    let rows = match &m.work {
        Work::Matrix { job, .. } => run_matrix(job, spec, &part, progress)?,
        Work::Sweep { runs } => sweep::run(&runs[spec.first..spec.last], spec.first, &part, progress)?,
    };
    let seconds = (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
    let done = Completion { manifest: m.id.clone(), rows, checksum: file_hash(&part), seconds };
    let text = serde_json::to_string_pretty(&done).unwrap_or_default();
    crate::io::atomic::write_bytes(&sd.join("_done.json"), text.as_bytes())?;
    Ok(ShardRun::Computed(done))
}

fn run_matrix(job: &MatrixJob, spec: ShardSpec, part: &Path, progress: &dyn Progress) -> Result<u64, EngineError> {
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

/// A shard's state for [`status`].
#[derive(Clone, Debug, PartialEq)]
pub enum ShardState {
    /// Finished for this plan.
    Done(Completion),
    /// Not run yet (or still running).
    Missing,
    /// The last run failed with this message.
    Failed(String),
    /// Finished, but for another plan or its file no longer matches its record.
    Stale(String),
}

/// Every shard's state, in shard order.
pub fn status(dir: &Path) -> Result<Vec<(ShardSpec, ShardState)>, EngineError> {
    let m = manifest(dir)?;
    Ok(m.shards
        .iter()
        .map(|&s| {
            let failed = std::fs::read_to_string(dir.join("failed").join(format!("{}.txt", s.index))).ok();
            let state = match (read_done(dir, s.index), failed) {
                (Some(d), _) if d.manifest != m.id => ShardState::Stale(format!("computed for plan {}", d.manifest)),
                (Some(d), _) => {
                    let now = file_hash(&shard_dir(dir, s.index).join(format!("part-{}.parquet", s.index)));
                    if now == d.checksum {
                        ShardState::Done(d)
                    } else {
                        ShardState::Stale(format!("part file hash {now}, recorded {}", d.checksum))
                    }
                }
                (None, Some(msg)) => ShardState::Failed(msg.trim().to_owned()),
                (None, None) => ShardState::Missing,
            };
            (s, state)
        })
        .collect())
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

/// What [`merge`] wrote.
#[derive(Clone, Debug, PartialEq)]
pub enum Merged {
    /// A matrix's summary.
    Matrix(Summary),
    /// A sweep's summary.
    Sweep(sweep::SweepSummary),
}

/// Checks that every shard is done once for this plan and its file matches its record, then
/// writes `summary.json`: for a matrix its totals, and with `csv` the whole matrix as one
/// CSV in origin order (as `pave matrix` writes it); for a sweep one KPI table of every run
/// (`csv`, Finnish Excel dialect, default `JOBDIR/kpis.csv`) and which scenario is best under
/// each variant. Lists every shard not done in the error.
pub fn merge(dir: &Path, csv: Option<&Path>) -> Result<Merged, EngineError> {
    let m = manifest(dir)?;
    let states = status(dir)?;
    let bad: Vec<String> = states
        .iter()
        .filter_map(|(s, st)| match st {
            ShardState::Done(_) => None,
            ShardState::Missing => Some(format!("shard {}: missing", s.index)),
            ShardState::Failed(msg) => Some(format!("shard {}: failed: {msg}", s.index)),
            ShardState::Stale(why) => Some(format!("shard {}: stale: {why}", s.index)),
        })
        .collect();
    if !bad.is_empty() {
        return Err(job_error(
            &dir.join("manifest.json"),
            format!("{} of {} shards are not done:\n    {}", bad.len(), states.len(), bad.join("\n    ")),
        ));
    }
    // Nothing in the dataset but the planned parts.
    let mut extra = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir.join("out")) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let planned =
                name.strip_prefix("shard=").and_then(|k| k.parse::<usize>().ok()).is_some_and(|k| k < m.shards.len());
            if !planned && !name.starts_with(['_', '.']) {
                extra.push(name);
            }
        }
    }
    if !extra.is_empty() {
        return Err(job_error(&dir.join("out"), format!("not part of the plan: {}", extra.join(", "))));
    }
    let parts: Vec<PathBuf> =
        states.iter().map(|(s, _)| shard_dir(dir, s.index).join(format!("part-{}.parquet", s.index))).collect();
    let (origins, destinations) = match &m.work {
        Work::Matrix { origins, destinations, .. } => (*origins, *destinations),
        Work::Sweep { runs } => return Ok(Merged::Sweep(sweep::merge(dir, &m.id, runs, &parts, csv)?)),
    };
    // One shard in memory at a time; the CSV is streamed into its temporary file.
    let (mut rows, mut reachable, mut total) = (0u64, 0u64, 0.0f64);
    let mut read_error: Option<ReadError> = None;
    let mut each = |out: &mut RowSink<'_>| -> Result<(), String> {
        for part in &parts {
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
        manifest: m.id,
        shards: states.len(),
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
    Ok(Merged::Matrix(summary))
}

/// Receives the merged matrix row by row: origin, destination, time in ms.
type RowSink<'a> = dyn FnMut(&str, &str, Option<u32>) -> std::io::Result<()> + 'a;

/// Slurm's array list for shard numbers: ranges where they run on (`0-7`, `2,5,9-11`).
pub fn array_list(shards: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < shards.len() {
        let mut j = i;
        while j + 1 < shards.len() && shards[j + 1] == shards[j] + 1 {
            j += 1;
        }
        parts.push(if j > i { format!("{}-{}", shards[i], shards[j]) } else { shards[i].to_string() });
        i = j + 1;
    }
    parts.join(",")
}

/// The time limit for the shards still to do, minutes: four times the slowest shard done so
/// far plus a minute (shards are ranges of equal size), or `default` when none is done.
pub fn time_limit(states: &[(ShardSpec, ShardState)], default: u32) -> u32 {
    let slowest = states
        .iter()
        .filter_map(|(_, st)| match st {
            ShardState::Done(d) => Some(d.seconds),
            _ => None,
        })
        .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))));
    slowest.map_or(default, |s| (s * 4.0 / 60.0).ceil() as u32 + 1)
}

/// An `sbatch` script for the shards of the job in `dir` not done yet (`todo`): an array over
/// them (at most `parallel` at once, `minutes` each, requeued on node failure) and a merge
/// job after every one succeeded (cancelled, not left pending, if one fails).
pub fn slurm_script(dir: &Path, m: &Manifest, todo: &[usize], parallel: usize, pave: &Path, minutes: u32) -> String {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_owned());
    let (d, p) = (dir.display(), pave.display());
    format!(
        "#!/bin/bash\n\
         # pave batch for {d}: {n} of {shards} shards of {work} (plan {id}).\n\
         # Run it on the login node: bash {d}/submit.sh; it prints the array and merge job ids.\n\
         set -euo pipefail\n\
         mkdir -p {d}/logs\n\
         array=$(sbatch --parsable --job-name=pave-shards --array={list}%{parallel} --requeue \\\n  \
           --time={minutes} --cpus-per-task=2 --mem=4G --output={d}/logs/shard-%a.out \\\n  \
           --wrap=\"{p} batch run {d}\")\n\
         merge=$(sbatch --parsable --job-name=pave-merge --dependency=afterok:$array --kill-on-invalid-dep=yes \\\n  \
           --time=30 --cpus-per-task=1 --mem=2G --output={d}/logs/merge.out --wrap=\"{p} batch merge {d}\")\n\
         echo \"$array $merge\"\n",
        n = todo.len(),
        shards = m.shards.len(),
        work = m.work.describe(),
        id = m.id,
        list = array_list(todo),
        parallel = parallel.max(1),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn array_lists_join_runs_of_shards() {
        assert_eq!(super::array_list(&[0, 1, 2, 3]), "0-3");
        assert_eq!(super::array_list(&[2, 5, 9, 10, 11]), "2,5,9-11");
        assert_eq!(super::array_list(&[]), "");
    }

    #[test]
    fn time_limits_follow_the_slowest_shard_done() {
        use super::{Completion, ShardSpec, ShardState};
        let spec = |index| ShardSpec { index, first: 0, last: 1 };
        let done = |seconds| {
            ShardState::Done(Completion { manifest: String::new(), rows: 1, checksum: String::new(), seconds })
        };
        assert_eq!(super::time_limit(&[(spec(0), ShardState::Missing)], 60), 60);
        // 150 s × 4 = 10 min, plus one.
        assert_eq!(
            super::time_limit(&[(spec(0), done(20.0)), (spec(1), done(150.0)), (spec(2), ShardState::Missing)], 60),
            11
        );
    }
}
