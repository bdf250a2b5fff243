//! Sweeps: scenarios × forecast variants × years × participation rates × thresholds, one
//! evaluation per run,
//! the runs of a shard evaluated on one engine (cities, networks and unit searches shared),
//! each run's headline KPIs one row of the shard's Parquet part (and of `_rows.json` beside
//! it, which dataset readers skip).

use super::{Input, Work, add_input, job_error, scenario_inputs};
use crate::engine::workspace::{Edits, edited};
use crate::engine::{Engine, EngineError};
use crate::io::error::ReadError;
use crate::io::{OutColumn, OutTable};
use crate::model::profile::CsvDialect;
use crate::progress::{NoProgress, Progress};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `[sweep]`: scenario files (relative to the job file) and the values to sweep.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SweepJob {
    /// Scenario files.
    pub scenarios: Vec<String>,
    /// Years (observed or forecast); default each scenario's own.
    #[serde(default)]
    pub years: Vec<u16>,
    /// Participation rates, 0–1; default each scenario's own.
    #[serde(default)]
    pub participation: Vec<f64>,
    /// Travel-time thresholds, minutes; default each scenario's own.
    #[serde(default)]
    pub threshold_min: Vec<f64>,
    /// Population forecast variants (ennustevaihtoehdot): name → a profile of the same city
    /// whose forecast differs (low, high…). Each scenario of that city runs with its own
    /// profile and with every variant of its city.
    #[serde(default)]
    pub forecasts: BTreeMap<String, String>,
}

/// One run of a sweep.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Run {
    /// The scenario file (absolute).
    pub scenario: PathBuf,
    /// Its name.
    pub name: String,
    /// Year, if swept.
    pub year: Option<u16>,
    /// Participation, if swept.
    pub participation: Option<f64>,
    /// Threshold, if swept.
    pub threshold_min: Option<f64>,
    /// Forecast variant and its profile, if not the scenario's own.
    #[serde(default)]
    pub forecast: Option<(String, PathBuf)>,
}

/// Plans a sweep: every scenario read and its city loaded and checked (the messages of
/// `pave run`), the runs in order (scenario, then year, participation, threshold), and every
/// file the scenarios read as inputs.
pub(super) fn plan(job: &Path, base: &Path, s: &SweepJob) -> Result<(Work, Vec<Input>, usize), EngineError> {
    if s.scenarios.is_empty() {
        return Err(job_error(job, "[sweep]: key 'scenarios' lists no scenario files"));
    }
    if let Some(p) = s.participation.iter().find(|p| !(**p > 0.0 && **p <= 1.0)) {
        return Err(job_error(job, format!("[sweep]: key 'participation' = {p}: a share between 0 and 1")));
    }
    if let Some(t) = s.threshold_min.iter().find(|t| !(**t > 0.0 && t.is_finite())) {
        return Err(job_error(job, format!("[sweep]: key 'threshold_min' = {t}: a positive number of minutes")));
    }
    let opt = |v: &[f64]| -> Vec<Option<f64>> {
        if v.is_empty() { vec![None] } else { v.iter().map(|x| Some(*x)).collect() }
    };
    let years: Vec<Option<u16>> =
        if s.years.is_empty() { vec![None] } else { s.years.iter().map(|y| Some(*y)).collect() };
    let mut runs = Vec::new();
    let mut inputs = Vec::new();
    let mut engine = Engine::new();
    // Variants: (name, profile, city), each loaded and checked as `pave validate` does.
    let mut variants: Vec<(String, PathBuf, String)> = Vec::new();
    let mut cities: Vec<String> = Vec::new();
    for (name, file) in &s.forecasts {
        let path = base.join(file);
        let path = path.canonicalize().unwrap_or(path);
        if !path.is_file() {
            return Err(job_error(job, format!("[sweep]: key 'forecasts.{name}': no profile at {}", path.display())));
        }
        let (_, data) = engine.city(&path, &NoProgress)?;
        add_input(&mut inputs, path.clone());
        for source in &data.sources {
            add_input(&mut inputs, source.path.clone());
        }
        variants.push((name.clone(), path, data.city.clone()));
    }
    for file in &s.scenarios {
        let path = base.join(file);
        let path = path.canonicalize().unwrap_or(path);
        let scenario = crate::io::scenario::read(&path)?;
        let data = scenario_inputs(&mut engine, &mut inputs, &scenario)?;
        cities.push(data.city.clone());
        // Every variant of this city has the years its runs ask for: the swept ones, or
        // the scenario's own.
        for v in variants.iter().filter(|v| v.2 == data.city) {
            let (_, vd) = engine.city(&v.1, &NoProgress)?;
            let wanted: Vec<u16> = if s.years.is_empty() { vec![scenario.year.0] } else { s.years.clone() };
            if let Some(y) = wanted.iter().find(|y| !vd.population.year.contains(y)) {
                return Err(job_error(
                    job,
                    format!("[sweep]: key 'forecasts.{}': {} has no population for {y}", v.0, v.1.display()),
                ));
            }
        }
        let forecasts: Vec<Option<(String, PathBuf)>> = std::iter::once(None)
            .chain(variants.iter().filter(|v| v.2 == data.city).map(|v| Some((v.0.clone(), v.1.clone()))))
            .collect();
        let known: Vec<u16> = data.population.year.clone();
        if let Some(y) = years.iter().flatten().find(|y| !known.contains(y)) {
            return Err(job_error(
                job,
                format!("[sweep]: key 'years' = {y}: {} has population for {:?}", data.city, {
                    let mut k = known.clone();
                    k.sort_unstable();
                    k.dedup();
                    k
                }),
            ));
        }
        for forecast in &forecasts {
            for &year in &years {
                for &participation in &opt(&s.participation) {
                    for &threshold_min in &opt(&s.threshold_min) {
                        runs.push(Run {
                            scenario: path.clone(),
                            name: scenario.name.clone(),
                            year,
                            participation,
                            threshold_min,
                            forecast: forecast.clone(),
                        });
                    }
                }
            }
        }
    }
    if let Some(v) = variants.iter().find(|v| !cities.contains(&v.2)) {
        return Err(job_error(
            job,
            format!(
                "[sweep]: key 'forecasts.{}': {} is a profile of {}, and no scenario is of that city",
                v.0,
                v.1.display(),
                v.2
            ),
        ));
    }
    let n = runs.len();
    Ok((Work::Sweep { runs }, inputs, n))
}

/// One run's figures: the row of the KPI table.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct RunKpis {
    /// Run number in the sweep.
    pub run: usize,
    /// Scenario name.
    pub scenario: String,
    /// Year evaluated.
    pub year: u16,
    /// Participation.
    pub participation: f64,
    /// Threshold, minutes.
    pub threshold_min: f64,
    /// Children (after participation).
    pub children: f64,
    /// Places.
    pub places: f64,
    /// Headline rule: share within the threshold.
    pub within_share: Option<f64>,
    /// Headline rule: share in their nearest unit.
    pub nearest_share: Option<f64>,
    /// Headline rule: unserved children.
    pub unserved: f64,
    /// Headline rule: mean travel time, minutes.
    pub mean_min: Option<f64>,
    /// Headline rule: 90th percentile of travel time, minutes.
    pub p90_min: Option<f64>,
    /// Whether the share within the threshold meets the target.
    pub meets_target: bool,
    /// The target share (rows of shards from before it was recorded lack it).
    #[serde(default)]
    pub target_share: Option<f64>,
    /// Forecast variant, if not the scenario's own profile.
    #[serde(default)]
    pub forecast: Option<String>,
}

/// Evaluates `runs` (numbered from `first`) and writes their rows to `part`; the rows written.
pub(super) fn run(runs: &[Run], first: usize, part: &Path, progress: &dyn Progress) -> Result<u64, EngineError> {
    let mut engine = Engine::new();
    let mut rows = Vec::new();
    let mut read: BTreeMap<PathBuf, crate::model::scenario::Scenario> = BTreeMap::new();
    for (i, r) in runs.iter().enumerate() {
        if !read.contains_key(&r.scenario) {
            read.insert(r.scenario.clone(), crate::io::scenario::read(&r.scenario)?);
        }
        let base = &read[&r.scenario];
        let edits =
            Edits { year: r.year, participation: r.participation, threshold_min: r.threshold_min, ..Edits::default() };
        let mut scenario = edited(base, &edits);
        if let Some((_, profile)) = &r.forecast {
            scenario.profile = profile.clone();
        }
        let e = engine.evaluate(&scenario, progress)?;
        let k = &e.kpis;
        let h = k.headline();
        rows.push(RunKpis {
            run: first + i,
            scenario: r.name.clone(),
            year: k.year,
            participation: e.scenario.parameters.participation,
            threshold_min: k.threshold_min,
            children: k.children,
            places: k.places,
            within_share: h.within_share,
            nearest_share: h.nearest_share,
            unserved: h.unserved,
            mean_min: h.mean_min,
            p90_min: h.p90_min,
            meets_target: h.within_share.is_some_and(|s| s >= k.target_share),
            target_share: Some(k.target_share),
            forecast: r.forecast.as_ref().map(|f| f.0.clone()),
        });
    }
    crate::io::parquet::write(part, &table(&rows))?;
    let json = serde_json::to_string(&rows).unwrap_or_default();
    let beside = part
        .with_file_name(format!("_rows-{}.json", part.file_stem().map(|s| s.to_string_lossy()).unwrap_or_default()));
    crate::io::atomic::write_bytes(&beside, json.as_bytes())?;
    Ok(rows.len() as u64)
}

fn table(rows: &[RunKpis]) -> OutTable {
    let f = |g: &dyn Fn(&RunKpis) -> Option<f64>| OutColumn::Float(rows.iter().map(g).collect());
    let mut t = OutTable::new("sweep_kpis")
        .with("run", f(&|r| Some(r.run as f64)))
        .with("scenario", OutColumn::Text(rows.iter().map(|r| Some(r.scenario.clone())).collect()))
        .with("year", f(&|r| Some(f64::from(r.year))))
        .with("participation_pct", f(&|r| Some(r.participation * 100.0)))
        .with("threshold_min", f(&|r| Some(r.threshold_min)))
        .with("children", f(&|r| Some(r.children)))
        .with("places", f(&|r| Some(r.places)))
        .with("within_pct", f(&|r| r.within_share.map(|s| s * 100.0)))
        .with("nearest_pct", f(&|r| r.nearest_share.map(|s| s * 100.0)))
        .with("unserved", f(&|r| Some(r.unserved)))
        .with("mean_min", f(&|r| r.mean_min))
        .with("p90_min", f(&|r| r.p90_min))
        .with(
            "meets_target",
            OutColumn::Text(rows.iter().map(|r| Some(if r.meets_target { "yes" } else { "no" }.to_owned())).collect()),
        )
        .with("forecast", OutColumn::Text(rows.iter().map(|r| r.forecast.clone()).collect()));
    t.csv_decimals =
        [("run", 0), ("year", 0), ("participation_pct", 1), ("threshold_min", 1), ("children", 2), ("places", 0)]
            .into_iter()
            .chain([("within_pct", 1), ("nearest_pct", 1), ("unserved", 2), ("mean_min", 1), ("p90_min", 1)])
            .map(|(n, d)| (n.to_owned(), d))
            .collect();
    t
}

/// A merged sweep.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct SweepSummary {
    /// The plan.
    pub manifest: String,
    /// Shards merged.
    pub shards: usize,
    /// Runs.
    pub runs: usize,
    /// Per scenario: (name, lowest, median, highest share within the threshold, runs meeting
    /// the target, variants where it is best).
    pub scenarios: Vec<ScenarioRange>,
    /// Per variant ("year 2030, participation 75 %, 16 min"): the best scenario by the share
    /// within the threshold (ties: fewer unserved, then the name).
    pub best: Vec<(String, String)>,
    /// The KPI table written.
    pub table: PathBuf,
    /// The distribution report written (`JOBDIR/report.html`).
    pub report: PathBuf,
}

/// How one scenario fared over the variants.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct ScenarioRange {
    /// Scenario name.
    pub scenario: String,
    /// Lowest share within the threshold.
    pub within_min: Option<f64>,
    /// Median share.
    pub within_median: Option<f64>,
    /// Highest share.
    pub within_max: Option<f64>,
    /// Runs meeting the target.
    pub meeting_target: usize,
    /// Variants where it is best.
    pub best_in: usize,
}

/// Reads every shard's rows (checked against the manifest's runs), writes the KPI table and
/// `summary.json`.
pub(super) fn merge(
    dir: &Path,
    manifest: &str,
    runs: &[Run],
    parts: &[PathBuf],
    csv: Option<&Path>,
) -> Result<SweepSummary, EngineError> {
    let mut rows: Vec<RunKpis> = Vec::new();
    for part in parts {
        let beside = part.with_file_name(format!(
            "_rows-{}.json",
            part.file_stem().map(|s| s.to_string_lossy()).unwrap_or_default()
        ));
        let text = std::fs::read_to_string(&beside).map_err(|e| {
            ReadError::new(&beside, crate::model::ProblemKind::Unreadable, format!("cannot read the shard's rows: {e}"))
        })?;
        let mut more: Vec<RunKpis> = serde_json::from_str(&text)
            .map_err(|e| ReadError::new(&beside, crate::model::ProblemKind::Parse, e.to_string()))?;
        rows.append(&mut more);
    }
    let numbers: Vec<usize> = rows.iter().map(|r| r.run).collect();
    if numbers != (0..runs.len()).collect::<Vec<_>>() {
        return Err(job_error(
            &dir.join("manifest.json"),
            format!("the shards hold runs {numbers:?}, the plan has 0–{}", runs.len().saturating_sub(1)),
        ));
    }
    let table_path = csv.map_or_else(|| dir.join("kpis.csv"), Path::to_owned);
    crate::io::csv::write(&table_path, &table(&rows), &CsvDialect::finnish_excel())?;
    // The best scenario per variant.
    let mut variants: BTreeMap<String, Vec<&RunKpis>> = BTreeMap::new();
    for r in &rows {
        variants.entry(super::report::variant(r)).or_default().push(r);
    }
    let mut best = Vec::new();
    let mut best_in: BTreeMap<&str, usize> = BTreeMap::new();
    for (variant, list) in &variants {
        let top = list.iter().min_by(|a, b| {
            let sa = a.within_share.unwrap_or(-1.0);
            let sb = b.within_share.unwrap_or(-1.0);
            sb.total_cmp(&sa).then(a.unserved.total_cmp(&b.unserved)).then(a.scenario.cmp(&b.scenario))
        });
        if let Some(t) = top {
            best.push((variant.clone(), t.scenario.clone()));
            *best_in.entry(t.scenario.as_str()).or_default() += 1;
        }
    }
    // Scenario names in sweep order, each once.
    let mut names: Vec<&str> = Vec::new();
    for r in &rows {
        if !names.contains(&r.scenario.as_str()) {
            names.push(&r.scenario);
        }
    }
    let scenarios = names
        .into_iter()
        .map(|name| {
            let mut shares: Vec<f64> =
                rows.iter().filter(|r| r.scenario == name).filter_map(|r| r.within_share).collect();
            shares.sort_by(f64::total_cmp);
            ScenarioRange {
                scenario: name.to_owned(),
                within_min: shares.first().copied(),
                within_median: shares.get(shares.len() / 2).copied(),
                within_max: shares.last().copied(),
                meeting_target: rows.iter().filter(|r| r.scenario == name && r.meets_target).count(),
                best_in: best_in.get(name).copied().unwrap_or(0),
            }
        })
        .collect();
    let summary = SweepSummary {
        manifest: manifest.to_owned(),
        shards: parts.len(),
        runs: rows.len(),
        scenarios,
        best,
        table: table_path,
        report: dir.join("report.html"),
    };
    crate::io::atomic::write_bytes(&summary.report, super::report::html(&rows, &summary).as_bytes())?;
    crate::io::atomic::write_bytes(
        &dir.join("summary.json"),
        serde_json::to_string_pretty(&summary).unwrap_or_default().as_bytes(),
    )?;
    Ok(summary)
}
