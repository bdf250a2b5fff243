//! Closure: which k existing units to close with the least loss in the scenario's headline
//! KPI (the share of children placed within the threshold under the headline rule).
//!
//! Every candidate set is scored exactly: the scenario with the closures added is
//! re-evaluated incrementally ([`Engine::update`]), so the figure is the one `pave run`
//! prints. When the choices are few (C(free, k) ≤ [`ENUMERATE_UP_TO`]) all are scored and
//! the answer is proven; otherwise greedy closing (least loss first) and swaps (close
//! another, reopen one) run until no swap helps or the time limit, and the loss is bounded
//! below by the capacitated-coverage bound: no placement of the children, by any rule, in
//! the best n − k units can place more within the threshold than that bound allows.
//!
//! The objective is the loss in percentage points (negative when closing raises the share:
//! the rule is not monotone); the gap is the distance between the bounds as a share of all
//! children. Ties go to the lower mean travel, then to the lower site indices.

use super::super::workspace::{Edits, edited};
use super::super::{Engine, EngineError, Evaluation};
use super::{Located, build, cap_instance, infeasible};
use crate::analysis::locate::{Answer, Infeasible, Options, capacitated, choices};
use crate::model::locate::LocationProblem;
use crate::model::scenario::Change;
use crate::progress::{NoProgress, Progress};

/// Closure sets scored one by one when there are at most this many.
pub const ENUMERATE_UP_TO: u64 = 400;

/// (headline share within the threshold, −mean minutes): larger is better.
type Score = (f64, f64);

fn score_of(eval: &Evaluation) -> Score {
    let h = eval.kpis.headline();
    (h.within_share.unwrap_or(0.0), -h.mean_min.unwrap_or(0.0))
}

fn better(a: Score, b: Score) -> bool {
    a.0 > b.0 + 1e-12 || ((a.0 - b.0).abs() <= 1e-12 && a.1 > b.1 + 1e-9)
}

pub(super) fn solve(
    engine: &mut Engine,
    problem: &LocationProblem,
    progress: &dyn Progress,
) -> Result<Located, EngineError> {
    let started = std::time::Instant::now();
    let mut built = build::from_scenario(engine, problem, progress)?;
    let base = built.scenario.clone().ok_or_else(|| EngineError::Infeasible("closure needs a scenario".into()))?;
    built.cutoff_min = base.parameters.threshold_min;
    let free: Vec<usize> =
        (0..built.sites.len()).filter(|&j| built.sites[j].role == build::SiteRole::Optional).collect();
    let k = problem.close.unwrap_or(0);
    if k > free.len() {
        let e = Infeasible::P {
            p: built.sites.len() - k,
            fixed_open: built.fixed_open().len(),
            allowed: built.sites.len(),
        };
        return Err(infeasible(problem, &built, e));
    }
    let build_s = started.elapsed().as_secs_f64();
    let mut eval = engine.evaluate(&base, &NoProgress)?;
    let before = score_of(&eval);
    let children = eval.kpis.headline().children;
    let mut evaluations = 0usize;
    let mut score = |engine: &mut Engine, closed: &[usize]| -> Result<Score, EngineError> {
        let changes = closed.iter().map(|&j| Change::close(&built.sites[j].id)).collect();
        engine.update(&mut eval, edited(&base, &Edits { changes, ..Edits::default() }), &NoProgress)?;
        evaluations += 1;
        Ok(score_of(&eval))
    };
    let total = choices(free.len(), k);
    progress.start(&format!("{}: closing {k} of {} units", problem.name, free.len()), total.min(ENUMERATE_UP_TO));
    let deadline = problem.time_limit_s;
    let (mut best_set, _, proven_by_enumeration) = if total <= ENUMERATE_UP_TO {
        let mut pick: Vec<usize> = (0..k).collect();
        let mut best: Option<(Score, Vec<usize>)> = None;
        loop {
            let set: Vec<usize> = pick.iter().map(|&t| free[t]).collect();
            let s = score(engine, &set)?;
            progress.inc(1);
            if best.as_ref().is_none_or(|b| better(s, b.0)) {
                best = Some((s, set));
            }
            let Some(i) = (0..k).rev().find(|&i| pick[i] < free.len() - k + i) else { break };
            pick[i] += 1;
            for t in i + 1..k {
                pick[t] = pick[t - 1] + 1;
            }
        }
        let (s, set) = best.unwrap_or((before, Vec::new()));
        (set, s, true)
    } else {
        // Greedy: close the unit whose closure loses least, k times.
        let mut set: Vec<usize> = Vec::new();
        let mut current = before;
        for _ in 0..k {
            let mut step: Option<(Score, usize)> = None;
            for &j in free.iter().filter(|j| !set.contains(j)) {
                let mut trial = set.clone();
                trial.push(j);
                let s = score(engine, &trial)?;
                if step.is_none_or(|b| better(s, b.0)) {
                    step = Some((s, j));
                }
            }
            if let Some((s, j)) = step {
                set.push(j);
                current = s;
            }
        }
        // Swaps: reopen one closed unit and close another, first improvement, until none helps.
        let mut improved = true;
        while improved && started.elapsed().as_secs_f64() < deadline {
            improved = false;
            'swap: for a in 0..set.len() {
                for &j in free.iter().filter(|j| !set.contains(j)) {
                    if started.elapsed().as_secs_f64() >= deadline {
                        break 'swap;
                    }
                    let mut trial = set.clone();
                    trial[a] = j;
                    let s = score(engine, &trial)?;
                    if better(s, current) {
                        (set, current, improved) = (trial, s, true);
                        break 'swap;
                    }
                }
            }
        }
        set.sort_unstable();
        (set, current, false)
    };
    progress.finish();
    best_set.sort_unstable();
    // Leave the evaluation at the answer (its KPIs are reported).
    let best = score(engine, &best_set)?;
    // Loss in percentage points; negative when closing raises the share (the rule is not
    // monotone: a closure can send children to units with room nearer their threshold).
    let loss = (before.0 - best.0) * 100.0;
    let lower = if proven_by_enumeration {
        loss
    } else {
        // Upper bound of the share within the threshold with n − k units.
        let inst = cap_instance(&built, true);
        let p = built.sites.len() - k;
        let opt = Options { time_limit_s: (deadline / 4.0).clamp(1.0, 30.0), ..Options::default() };
        match capacitated(&inst, Some(p), &opt) {
            Ok(a) if children > 0.0 => {
                let covered_max = built.demand.iter().map(|d| d.weight).sum::<f64>() - a.lower_bound;
                ((before.0 - covered_max / children) * 100.0).min(loss)
            }
            _ => (before.0 - 1.0) * 100.0,
        }
    };
    let open: Vec<usize> = (0..built.sites.len()).filter(|j| !best_set.contains(j)).collect();
    // The gap in share points (as a fraction of all children): a relative gap of a loss near
    // zero would say nothing.
    let gap = ((loss - lower) / 100.0).max(0.0);
    let answer = Answer {
        sites: open,
        objective: loss,
        lower_bound: lower,
        upper_bound: loss,
        gap,
        proven_optimal: proven_by_enumeration || gap <= problem.gap.max(1e-9),
    };
    let mut notes = built.notes.clone();
    notes.push(format!("{evaluations} closure sets scored by exact evaluation"));
    Ok(Located {
        problem: problem.clone(),
        answer,
        unit: "percentage points of the headline share",
        assignment: Vec::new(),
        covered: None,
        headline: Some((before.0, best.0)),
        seconds: (build_s, started.elapsed().as_secs_f64() - build_s),
        notes,
        built,
    })
}
