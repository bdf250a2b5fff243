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
//! cleared by the next success. A run claims its shard first (`JOBDIR/running/N.json`,
//! see `claim`): two runs of one shard at once cannot both publish. [`status`] lists every shard's state; [`merge`] checks that
//! every shard is present once, complete and consistent, and writes `summary.json` (and
//! optionally the whole matrix as one CSV, byte-identical to `pave matrix` of the job).
//!
//! Files whose names start with `_` or `.` are ignored by polars, DuckDB, Spark, Arrow and
//! GDAL when they read `JOBDIR/out` as one table.

mod claim;
mod locate;
mod matrix;
mod report;
mod slurm;
mod sweep;
mod tables;

pub use claim::{Claim, abandon};
pub use locate::{LocateJob, LocateRun};
pub use matrix::{MatrixJob, Summary};
pub use slurm::{array_list, memory_mb, slurm_script, time_limit};
pub use sweep::{Run, SweepJob, SweepSummary};
pub use tables::{AccessibilityJob, NearestJob, TableSummary};

use super::EngineError;
use crate::io::error::{ReadError, WriteError};
use crate::model::ProblemKind;
use crate::progress::Progress;
use crate::scenario::kpis::{file_hash, fnv1a64};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A batch job file as written: one of `[matrix]`, `[nearest]`, `[accessibility]`,
/// `[sweep]` or `[locate]`, and `[split]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobFile {
    /// A travel-time matrix.
    pub matrix: Option<MatrixJob>,
    /// A sweep of scenario evaluations.
    pub sweep: Option<sweep::SweepJob>,
    /// The nearest units of every point.
    pub nearest: Option<tables::NearestJob>,
    /// Accessibility (cumulative opportunities) of every origin.
    pub accessibility: Option<tables::AccessibilityJob>,
    /// Location-allocation problems, each solved as written or for several numbers of new
    /// units.
    pub locate: Option<locate::LocateJob>,
    /// How to split it.
    #[serde(default)]
    pub split: Split,
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
    /// The nearest units of `points`.
    Nearest {
        /// The job.
        job: tables::NearestJob,
        /// Points labelled.
        points: usize,
        /// Units.
        units: usize,
    },
    /// Accessibility of `origins` to `destinations`.
    Accessibility {
        /// The job.
        job: tables::AccessibilityJob,
        /// Origins.
        origins: usize,
        /// Destinations.
        destinations: usize,
    },
    /// Location-allocation solves, one per run.
    Locate {
        /// Every run, in order.
        runs: Vec<locate::LocateRun>,
    },
    /// Scenario evaluations, one per run.
    Sweep {
        /// Every run, in order.
        runs: Vec<sweep::Run>,
    },
}

impl Work {
    /// What a shard's range counts: origins, points or runs.
    pub fn items(&self) -> &'static str {
        match self {
            Work::Matrix { .. } | Work::Accessibility { .. } => "origins",
            Work::Nearest { .. } => "points",
            Work::Sweep { .. } | Work::Locate { .. } => "runs",
        }
    }

    /// A line for people: what the job computes.
    pub fn describe(&self) -> String {
        match self {
            Work::Matrix { origins, destinations, .. } => format!("a {origins} × {destinations} travel-time matrix"),
            Work::Nearest { job, points, units } => {
                format!("the {} nearest of {units} units for {points} points", job.k)
            }
            Work::Accessibility { job, origins, destinations } => format!(
                "accessibility of {origins} origins to {destinations} destinations within {:?} min",
                job.thresholds_min
            ),
            Work::Sweep { runs } => format!("a sweep of {} scenario evaluations", runs.len()),
            Work::Locate { runs } => format!("{} location-allocation solves", runs.len()),
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
    /// Peak resident memory of the process that ran it, MB (Linux; for the scheduler's
    /// memory request).
    #[serde(default)]
    pub peak_mb: Option<f64>,
}

/// Peak resident memory of this process so far, MB (Linux `VmHWM`; `None` elsewhere).
fn peak_memory_mb() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = text.lines().find_map(|l| l.strip_prefix("VmHWM:"))?.split_whitespace().next()?.parse().ok()?;
    Some((kb / 1024.0).ceil())
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
    let given = [
        file.matrix.is_some(),
        file.nearest.is_some(),
        file.accessibility.is_some(),
        file.sweep.is_some(),
        file.locate.is_some(),
    ];
    if given.iter().filter(|&&g| g).count() != 1 {
        return Err(job_error(
            job,
            "a job has exactly one of the tables [matrix], [nearest], [accessibility], [sweep], [locate]",
        ));
    }
    let (work, inputs, items) = if let Some(m) = &file.matrix {
        matrix::plan(job, base, m)?
    } else if let Some(n) = &file.nearest {
        tables::plan_nearest(job, base, n)?
    } else if let Some(a) = &file.accessibility {
        tables::plan_accessibility(job, base, a)?
    } else if let Some(l) = &file.locate {
        locate::plan(job, base, l)?
    } else {
        sweep::plan(job, base, file.sweep.as_ref().expect("counted above"))?
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

/// Adds `path` with its hash unless listed.
fn add_input(inputs: &mut Vec<Input>, path: PathBuf) {
    if !inputs.iter().any(|i| i.path == path) {
        inputs.push(Input { hash: file_hash(&path), path });
    }
}

/// Checks a network and two point files as the shards will read them (the messages of
/// `pave matrix`) and records the three as inputs: (inputs, points in each file).
fn routing_inputs(network: &str, first: &str, second: &str) -> Result<(Vec<Input>, usize, usize), EngineError> {
    let _ = super::routing::load_network(Path::new(network))?;
    let a = super::routing::read_points(Path::new(first))?.len();
    let b = super::routing::read_points(Path::new(second))?.len();
    let mut inputs = Vec::new();
    for spec in [network, first, second] {
        add_input(&mut inputs, file_of(spec));
    }
    Ok((inputs, a, b))
}

/// Loads a scenario's city on `engine` (checked as `pave run` checks it) and records every
/// file the scenario reads as an input: its own files, the profile, the city's sources and
/// the network's files. Returns the city.
fn scenario_inputs(
    engine: &mut super::Engine,
    inputs: &mut Vec<Input>,
    scenario: &crate::model::scenario::Scenario,
) -> Result<std::sync::Arc<crate::model::Dataset>, EngineError> {
    let (_, data) = engine.city(&scenario.profile, &crate::progress::NoProgress)?;
    for f in scenario.files.iter().chain([&scenario.profile]) {
        add_input(inputs, f.clone());
    }
    for source in &data.sources {
        add_input(inputs, source.path.clone());
    }
    for f in scenario.network.files() {
        add_input(inputs, f);
    }
    Ok(data)
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
        if !input.path.exists() {
            return Err(job_error(
                &input.path,
                "missing: the job read it when it was planned; restore it, or plan the job again into a new folder",
            ));
        }
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
    // One run at a time per shard; a run that finished while this one waited is enough.
    let _claim = claim::take(dir, n)?;
    if let Some(done) = read_done(dir, n).filter(|d| d.manifest == m.id) {
        return Ok(ShardRun::AlreadyDone(done));
    }
    claim::clear_leftovers(dir, n);
    let started = std::time::Instant::now();
    let sd = shard_dir(dir, n);
    std::fs::create_dir_all(&sd).map_err(|e| WriteError::new(&sd, e))?;
    let part = sd.join(format!("part-{n}.parquet"));
    let rows = match &m.work {
        Work::Matrix { job, .. } => matrix::run(job, spec, &part, progress)?,
        Work::Nearest { job, .. } => tables::run_nearest(job, spec, &part)?,
        Work::Accessibility { job, .. } => tables::run_accessibility(job, spec, &part, progress)?,
        Work::Locate { runs } => locate::run(&runs[spec.first..spec.last], spec.first, &part, progress)?,
        Work::Sweep { runs } => sweep::run(&runs[spec.first..spec.last], spec.first, &part, progress)?,
    };
    let seconds = (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
    let done =
        Completion { manifest: m.id.clone(), rows, checksum: file_hash(&part), seconds, peak_mb: peak_memory_mb() };
    let text = serde_json::to_string_pretty(&done).unwrap_or_default();
    crate::io::atomic::write_bytes(&sd.join("_done.json"), text.as_bytes())?;
    Ok(ShardRun::Computed(done))
}

/// A shard's state for [`status`].
#[derive(Clone, Debug, PartialEq)]
pub enum ShardState {
    /// Finished for this plan.
    Done(Completion),
    /// Not run yet.
    Missing,
    /// Claimed by a run that is going on (alive on this host, or touching its claim).
    Running(Claim),
    /// Claimed by a run that is gone (killed outright: its process left this host, or its
    /// claim went untouched for ten minutes): to be run again.
    Interrupted(Claim),
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
                (None, failed) => match (claim::read(dir, s.index), failed) {
                    (Some(c), _) if c.gone() => ShardState::Interrupted(c),
                    (Some(c), _) => ShardState::Running(c),
                    (None, Some(msg)) => ShardState::Failed(msg.trim().to_owned()),
                    (None, None) => ShardState::Missing,
                },
            };
            (s, state)
        })
        .collect())
}

/// What [`merge`] wrote.
#[derive(Clone, Debug, PartialEq)]
pub enum Merged {
    /// A matrix's summary.
    Matrix(matrix::Summary),
    /// A sweep's summary.
    Sweep(sweep::SweepSummary),
    /// A per-point table's summary (nearest, accessibility).
    Table(tables::TableSummary),
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
            ShardState::Running(c) => Some(format!("shard {}: running, {}", s.index, c.describe())),
            ShardState::Interrupted(c) => Some(format!("shard {}: interrupted, {}", s.index, c.describe())),
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
        Work::Nearest { .. } | Work::Accessibility { .. } | Work::Locate { .. } => {
            let (name, decimals) = match &m.work {
                Work::Nearest { .. } => ("nearest", tables::decimals(&m.work)),
                Work::Accessibility { .. } => ("accessibility", tables::decimals(&m.work)),
                _ => ("locate", locate::decimals()),
            };
            return Ok(Merged::Table(tables::merge(dir, &m.id, &parts, name, &decimals, csv)?));
        }
    };
    Ok(Merged::Matrix(matrix::merge(dir, &m.id, &parts, (origins, destinations), csv)?))
}
