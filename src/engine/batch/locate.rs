//! Location-allocation instances in shards: `pave locate` problems, each solved as written
//! or for several numbers of new units (the curve of how much each further unit buys), one
//! row per solve with its objective and certified bounds; merged into `JOBDIR/locate.csv`.

use super::{Input, Work, add_input, job_error, scenario_inputs};
use crate::engine::{Engine, EngineError};
use crate::io::{OutColumn, OutTable};
use crate::progress::Progress;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// `[locate]`: problem files (relative to the job file) and, optionally, the numbers of new
/// units to solve each for.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LocateJob {
    /// Problem files (`pave locate`).
    pub problems: Vec<String>,
    /// Numbers of new units (p-median, coverage, facility location…); default each
    /// problem's own.
    #[serde(default)]
    pub new_units: Vec<usize>,
}

/// One solve of a locate job.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct LocateRun {
    /// The problem file (absolute).
    pub problem: PathBuf,
    /// Its name.
    pub name: String,
    /// New units, if swept.
    pub new_units: Option<usize>,
}

/// Plans a locate job: every problem read and checked (the messages of `pave locate`), its
/// scenario's city loaded, every file it reads recorded as an input.
pub(super) fn plan(job: &Path, base: &Path, l: &LocateJob) -> Result<(Work, Vec<Input>, usize), EngineError> {
    if l.problems.is_empty() {
        return Err(job_error(job, "[locate]: key 'problems' lists no problem files"));
    }
    if l.new_units.contains(&0) {
        return Err(job_error(job, "[locate]: key 'new_units' = 0: at least one new unit"));
    }
    let mut engine = Engine::new();
    let (mut runs, mut inputs) = (Vec::new(), Vec::new());
    for file in &l.problems {
        let path = base.join(file);
        let path = path.canonicalize().unwrap_or(path);
        let problem = crate::io::locate::read(&path)?;
        if !l.new_units.is_empty() && !problem.kind.takes_p() {
            return Err(job_error(
                job,
                format!(
                    "[locate]: key 'new_units' sweeps the number of new units, but {} is a {} problem",
                    path.display(),
                    problem.kind.code()
                ),
            ));
        }
        add_input(&mut inputs, path.clone());
        if let Some(s) = &problem.scenario {
            scenario_inputs(&mut engine, &mut inputs, &crate::io::scenario::read(s)?)?;
        }
        if let Some((points, _)) = &problem.points {
            add_input(&mut inputs, points.clone());
        }
        if let Some((od, demand, sites)) = &problem.matrix {
            for f in [od, demand, sites] {
                add_input(&mut inputs, f.clone());
            }
        }
        let counts: Vec<Option<usize>> =
            if l.new_units.is_empty() { vec![None] } else { l.new_units.iter().map(|n| Some(*n)).collect() };
        for new_units in counts {
            runs.push(LocateRun { problem: path.clone(), name: problem.name.clone(), new_units });
        }
    }
    let n = runs.len();
    Ok((Work::Locate { runs }, inputs, n))
}

/// Solves `runs` (numbered from `first`) on one engine and writes one row each to `part`:
/// run, problem, kind, new units, objective with its unit, lower and upper bound, gap,
/// proven, sites opened and closed (ids joined by "; "). Solve times stay out (the rows must not depend on the
/// machine); a solve stopped by its time limit still has certified bounds.
pub(super) fn run(runs: &[LocateRun], first: usize, part: &Path, progress: &dyn Progress) -> Result<u64, EngineError> {
    let mut engine = Engine::new();
    let mut t = Rows::default();
    for (i, r) in runs.iter().enumerate() {
        let mut problem = crate::io::locate::read(&r.problem)?;
        if r.new_units.is_some() {
            problem.new_units = r.new_units;
            problem.units = None;
        }
        let located = engine.locate(&problem, progress)?;
        let a = &located.answer;
        let chosen = |roles: &[crate::engine::locate::SiteRole]| -> String {
            a.sites
                .iter()
                .map(|&s| &located.built.sites[s])
                .filter(|s| roles.contains(&s.role))
                .map(|s| s.id.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        };
        let closed: Vec<&str> = located
            .built
            .sites
            .iter()
            .enumerate()
            .filter(|(k, s)| s.role != crate::engine::locate::SiteRole::Candidate && !a.sites.contains(k))
            .map(|(_, s)| s.id.as_str())
            .collect();
        t.run.push(Some((first + i) as i64));
        t.problem.push(Some(r.name.clone()));
        t.kind.push(Some(problem.kind.code().to_owned()));
        t.new_units.push(problem.new_units.map(|n| n as i64));
        t.objective.push(Some(a.objective));
        t.unit.push(Some(located.unit.to_owned()));
        t.lower.push(Some(a.lower_bound));
        t.upper.push(Some(a.upper_bound));
        t.gap.push(Some(a.gap * 100.0));
        t.proven.push(Some(if a.proven_optimal { "yes" } else { "no" }.to_owned()));
        t.opened.push(Some(chosen(&[crate::engine::locate::SiteRole::Candidate])));
        t.closed.push(Some(closed.join("; ")));
    }
    let table = t.table();
    crate::io::parquet::write(part, &table)?;
    Ok(runs.len() as u64)
}

#[derive(Default)]
struct Rows {
    run: Vec<Option<i64>>,
    problem: Vec<Option<String>>,
    kind: Vec<Option<String>>,
    new_units: Vec<Option<i64>>,
    objective: Vec<Option<f64>>,
    unit: Vec<Option<String>>,
    lower: Vec<Option<f64>>,
    upper: Vec<Option<f64>>,
    gap: Vec<Option<f64>>,
    proven: Vec<Option<String>>,
    opened: Vec<Option<String>>,
    closed: Vec<Option<String>>,
}

impl Rows {
    fn table(self) -> OutTable {
        OutTable::new("locate")
            .with("run", OutColumn::Int(self.run))
            .with("problem", OutColumn::Text(self.problem))
            .with("kind", OutColumn::Text(self.kind))
            .with("new_units", OutColumn::Int(self.new_units))
            .with_rounded("objective", 2, OutColumn::Float(self.objective))
            .with("objective_unit", OutColumn::Text(self.unit))
            .with_rounded("lower_bound", 2, OutColumn::Float(self.lower))
            .with_rounded("upper_bound", 2, OutColumn::Float(self.upper))
            .with_rounded("gap_pct", 3, OutColumn::Float(self.gap))
            .with("proven", OutColumn::Text(self.proven))
            .with("opened", OutColumn::Text(self.opened))
            .with("closed", OutColumn::Text(self.closed))
    }
}

/// The CSV decimals of the merged table.
pub(super) fn decimals() -> Vec<(String, u8)> {
    [("objective", 2), ("lower_bound", 2), ("upper_bound", 2), ("gap_pct", 3)]
        .into_iter()
        .map(|(n, d)| (n.to_owned(), d))
        .collect()
}
