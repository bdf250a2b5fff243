//! Location-allocation on the engine (`pave locate`): a problem file's instance built from
//! its scenario — the children of the year per demand area and language group, the units
//! operating, candidate sites from cells, premises or points, travel times from the
//! engine's travel cache — or from a matrix brought from another tool; solved by
//! `analysis::locate` with a certified bound; returned with the chosen units and a
//! scenario file of the solution (`output`).
//!
//! Language places hold as in scenarios: a site serves a language group only if it has
//! places that group may take under the city's `[language_rules]` (matrix problems: the
//! sites' `accepts`).

mod build;
mod closure;
pub mod output;

use super::{Engine, EngineError};
use crate::analysis::locate::{
    Answer, CapInstance, CapPool, Infeasible, Instance, Options, assignment_cost, capacitated, capacity_shortfall,
    max_coverage, p_center, p_median, set_cover,
};
use crate::model::locate::{LocateKind, LocationProblem};
use crate::progress::Progress;
pub use build::{Built, DemandPoint, Site, SiteRole};

/// What a solved problem gives: the instance's sites and demand, the answer with its
/// bounds, each demand point's site, and how long it took.
#[derive(Clone, Debug)]
pub struct Located {
    /// The problem as read.
    pub problem: LocationProblem,
    /// The instance.
    pub built: Built,
    /// The answer: chosen sites (indices into `built.sites`), objective and bounds.
    pub answer: Answer,
    /// The objective's unit, e.g. "child-minutes per day".
    pub unit: &'static str,
    /// Each demand point's share on sites: (demand, site, weight).
    pub assignment: Vec<(u32, u32, f64)>,
    /// Demand weight served within the coverage time (coverage kinds), for reports.
    pub covered: Option<f64>,
    /// Headline share before and after (closure).
    pub headline: Option<(f64, f64)>,
    /// Seconds spent building the instance and solving it.
    pub seconds: (f64, f64),
    /// What was left out or noticed.
    pub notes: Vec<String>,
}

impl Engine {
    /// Builds and solves a location-allocation problem (see the module).
    pub fn locate(&mut self, problem: &LocationProblem, progress: &dyn Progress) -> Result<Located, EngineError> {
        let started = std::time::Instant::now();
        if problem.kind == LocateKind::Closure {
            return closure::solve(self, problem, progress);
        }
        let built = match &problem.matrix {
            Some(_) => build::from_matrix(problem)?,
            None => build::from_scenario(self, problem, progress)?,
        };
        let build_s = started.elapsed().as_secs_f64();
        progress.start(&format!("{}: {}", problem.name, problem.kind.code()), 0);
        let solved = solve(problem, &built);
        progress.finish();
        let (answer, unit) = solved.map_err(|e| infeasible(problem, &built, e))?;
        let assignment = assign(problem, &built, &answer.sites);
        let covered = problem.kind.maximises().then(|| {
            let cutoff = built.cutoff_min;
            assignment.iter().filter(|a| built.cost[a.0 as usize][a.1 as usize] <= cutoff).map(|a| a.2).sum()
        });
        let mut notes = built.notes.clone();
        if matches!(problem.kind, LocateKind::CapacitatedPMedian | LocateKind::FacilityLocation) {
            // Places short: children no chosen unit can take, whatever the travel.
            let inst = cap_instance(&built, false);
            for (class, short) in capacity_shortfall(&inst, &answer.sites) {
                notes.push(format!(
                    "places short: {short:.1} children of language group {} find no place they may take in the units of the solution (reachable within the search cutoff); they count as unserved at {} minutes each",
                    crate::analysis::demand::GROUPS[class as usize].code(),
                    built.unserved_min
                ));
            }
        }
        if matches!(problem.kind, LocateKind::CapacitatedPMedian | LocateKind::FacilityLocation) {
            let total: f64 = built.demand.iter().map(|d| d.weight).sum();
            let placed: f64 = assignment.iter().map(|a| a.2).sum();
            if total - placed > 0.005 {
                notes.push(format!(
                    "{:.1} of {total:.1} children are left without a place in the solution",
                    total - placed
                ));
            }
        }
        if !answer.proven_optimal {
            notes.push(format!(
                "optimality not proven: the solution is at most {:.2} % from the best possible (the bound's iterations or the time limit of {} s ran out with the gap open)",
                answer.gap * 100.0,
                problem.time_limit_s
            ));
        }
        Ok(Located {
            problem: problem.clone(),
            answer,
            unit,
            assignment,
            covered,
            headline: None,
            seconds: (build_s, started.elapsed().as_secs_f64() - build_s),
            notes,
            built,
        })
    }
}

/// The solver options of a problem.
fn options(problem: &LocationProblem) -> Options {
    Options { gap: problem.gap.max(1e-9), time_limit_s: problem.time_limit_s, ..Options::default() }
}

/// The number of units p of a problem that takes one.
fn p_of(problem: &LocationProblem, built: &Built) -> usize {
    match (problem.units, problem.new_units) {
        (Some(p), _) => p,
        (None, Some(k)) => built.fixed_open().len() + k,
        (None, None) => 0,
    }
}

/// Dispatches to the solver of the kind.
fn solve(problem: &LocationProblem, built: &Built) -> Result<(Answer, &'static str), Infeasible> {
    let opt = options(problem);
    let inst = Instance {
        weight: built.demand.iter().map(|d| d.weight).collect(),
        cost: built.cost.clone(),
        fixed_open: built.fixed_open(),
        fixed_closed: built.fixed_closed(),
    };
    let p = p_of(problem, built);
    // A child no chosen unit reaches within the search cutoff counts as unserved at
    // `unserved_min`; a child no allowed site reaches at all makes the problem infeasible.
    let capped = || {
        let unreachable: Vec<usize> = (0..built.demand.len())
            .filter(|&i| {
                built.demand[i].weight > 0.0
                    && !(0..built.sites.len()).any(|j| built.cost[i][j].is_finite() && !inst.fixed_closed.contains(&j))
            })
            .collect();
        if !unreachable.is_empty() {
            return Err(Infeasible::Unreachable(unreachable));
        }
        let m = built.unserved_min;
        let cost = built.cost.iter().map(|row| row.iter().map(|&c| c.min(m)).collect()).collect();
        Ok(Instance { cost, ..inst.clone() })
    };
    Ok(match problem.kind {
        LocateKind::PMedian => (p_median(&capped()?, p, &opt)?, "child-minutes"),
        LocateKind::MaxCoverage => (max_coverage(&inst, p, built.cutoff_min, &opt)?, "children covered"),
        LocateKind::SetCover => (set_cover(&inst, built.cutoff_min, &opt)?, "units"),
        LocateKind::PCenter => (p_center(&capped()?, p, &opt)?, "minutes (worst travel)"),
        LocateKind::CapacitatedPMedian => (capacitated(&cap_instance(built, false), Some(p), &opt)?, "child-minutes"),
        LocateKind::FacilityLocation => (capacitated(&cap_instance(built, false), None, &opt)?, "child-minutes"),
        LocateKind::CapacitatedCoverage => {
            let a = capacitated(&cap_instance(built, true), Some(p), &opt)?;
            (uncovered_to_covered(a, built.demand.iter().map(|d| d.weight).sum()), "children covered")
        }
        LocateKind::Closure => unreachable!("closure is solved on evaluations"),
    })
}

/// The capacitated instance: pools of places per site; with `coverage`, a demand point is
/// only served within the coverage time and every unserved child costs 1 (the objective
/// counts children not covered).
pub(crate) fn cap_instance(built: &Built, coverage: bool) -> CapInstance {
    let cost = if coverage {
        built
            .cost
            .iter()
            .map(|row| row.iter().map(|&c| if c <= built.cutoff_min { 0.0 } else { f64::INFINITY }).collect())
            .collect()
    } else {
        built.cost.clone()
    };
    CapInstance {
        weight: built.demand.iter().map(|d| d.weight).collect(),
        class: built.demand.iter().map(|d| d.class).collect(),
        cost,
        pools: built
            .sites
            .iter()
            .enumerate()
            .flat_map(|(j, s)| s.pools.iter().map(move |&(capacity, accepts)| CapPool { site: j, capacity, accepts }))
            .collect(),
        opening_cost: built.sites.iter().map(|s| s.opening_cost).collect(),
        unserved_cost: if coverage { 1.0 } else { built.unserved_min },
        fixed_open: built.fixed_open(),
        fixed_closed: built.fixed_closed(),
    }
}

/// A minimised count of uncovered children as a maximised count of covered ones.
fn uncovered_to_covered(a: Answer, total: f64) -> Answer {
    let (lower, upper) = (total - a.upper_bound, total - a.lower_bound);
    let objective = total - a.objective;
    let gap = if objective > 0.0 { (upper - lower) / objective } else { 0.0 };
    Answer { objective, lower_bound: lower, upper_bound: upper, gap, ..a }
}

/// Each demand point on its sites: the nearest chosen site it may use (uncapacitated
/// kinds), or the optimal flow (capacitated kinds).
fn assign(problem: &LocationProblem, built: &Built, sites: &[usize]) -> Vec<(u32, u32, f64)> {
    use LocateKind::*;
    match problem.kind {
        CapacitatedPMedian | FacilityLocation | CapacitatedCoverage => {
            let inst = cap_instance(built, problem.kind == CapacitatedCoverage);
            let flows = assignment_cost(&inst, sites).flows;
            let mut out: Vec<(u32, u32, f64)> =
                flows.iter().map(|&(i, k, w)| (i as u32, inst.pools[k].site as u32, w)).collect();
            out.sort_by_key(|a| (a.0, a.1));
            out.dedup_by(|b, a| {
                let same = (a.0, a.1) == (b.0, b.1);
                if same {
                    a.2 += b.2;
                }
                same
            });
            out
        }
        _ => (0..built.demand.len())
            .filter_map(|i| {
                let row = &built.cost[i];
                let best = sites
                    .iter()
                    .copied()
                    .filter(|&j| row[j].is_finite())
                    .min_by(|&a, &b| row[a].total_cmp(&row[b]).then(a.cmp(&b)))?;
                (built.demand[i].weight > 0.0).then_some((i as u32, best as u32, built.demand[i].weight))
            })
            .collect(),
    }
}

/// An infeasible problem as an error naming what is wrong.
fn infeasible(problem: &LocationProblem, built: &Built, e: Infeasible) -> EngineError {
    let message = match e {
        Infeasible::P { p, fixed_open, allowed } => format!(
            "{}: {} units asked for, but {fixed_open} are fixed open and {allowed} sites may be chosen; \
             expected a number from {fixed_open} to {allowed} (keys problem.new_units / problem.units)",
            problem.file.display(),
            p
        ),
        Infeasible::Unreachable(list) => {
            let within = match problem.kind {
                LocateKind::SetCover => format!("within {} minutes", built.cutoff_min),
                _ => "at all".to_owned(),
            };
            let shown: Vec<String> = list.iter().take(30).map(|&i| built.demand[i].label()).collect();
            format!(
                "{}: no solution: {} demand points can reach no allowed site {within} (language places count): {}{}",
                problem.file.display(),
                list.len(),
                shown.join(", "),
                if list.len() > 30 { ", …" } else { "" }
            )
        }
    };
    EngineError::Infeasible(message)
}
