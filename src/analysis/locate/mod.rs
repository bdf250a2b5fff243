//! Location-allocation (sijaintianalyysi): where to place units, or which to close, with a
//! certified optimality gap.
//!
//! Every solver returns an [`Answer`]: the chosen sites, the objective, a proven lower and
//! upper bound, the relative gap and whether optimality is proven. Solutions come from
//! constructive heuristics and local search; bounds from Lagrangian relaxation with
//! subgradient optimisation; instances with few choices are enumerated and so proven.
//! All solvers are deterministic: no randomness, ties to the lower site index.
//!
//! - [`median`]: the p-median problem (least demand-weighted travel cost).
//! - [`cover`]: the maximal covering location problem (and the coverage lists shared below).
//! - [`setcover`]: the location set covering problem.
//! - [`center`]: the vertex p-center problem.
//! - [`capacitated`](mod@capacitated): capacitated p-median and facility location with pools
//!   of places per class (language groups); divisible demand.
//! - [`assignment`]: the exact assignment of divisible demand to capacitated pools.
//!
//! The solvers are pure: dense cost matrices in, answers out; no I/O.

pub mod assignment;
pub mod capacitated;
pub mod center;
pub mod cover;
pub mod median;
mod paths;
pub mod setcover;

pub use assignment::{Assignment, assignment_cost, capacity_shortfall};
pub use capacitated::{CapInstance, CapPool, capacitated};
pub use center::{p_center, radius_of};
pub use cover::{covered_weight, max_coverage};
pub use median::{cost_of, p_median};
pub use setcover::set_cover;

/// A p-median instance.
#[derive(Clone, Debug, PartialEq)]
pub struct Instance {
    /// Demand weight per demand point (children, residents).
    pub weight: Vec<f64>,
    /// `cost[i][j]`: travel cost from demand `i` to site `j` (e.g. minutes); `f64::INFINITY`
    /// where site `j` cannot serve `i`.
    pub cost: Vec<Vec<f64>>,
    /// Sites that must be chosen.
    pub fixed_open: Vec<usize>,
    /// Sites that may not be chosen.
    pub fixed_closed: Vec<usize>,
}

/// Limits of the search.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Options {
    /// Enumerate every choice when there are at most this many.
    pub enumerate_up_to: u64,
    /// Subgradient steps.
    pub iterations: usize,
    /// Stop once the gap is at most this (relative).
    pub gap: f64,
    /// Stop improving after this many seconds and report the state reached (the bounds stay
    /// valid; the answer then depends on the machine's speed).
    pub time_limit_s: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options { enumerate_up_to: 200_000, iterations: 2_000, gap: 1e-9, time_limit_s: f64::INFINITY }
    }
}

/// A solution with its bound.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    /// Chosen sites, ascending.
    pub sites: Vec<usize>,
    /// The solution's objective value.
    pub objective: f64,
    /// A proven lower bound on the optimum (for a maximisation: the objective).
    pub lower_bound: f64,
    /// A proven upper bound on the optimum (for a minimisation: the objective).
    pub upper_bound: f64,
    /// `(upper_bound − lower_bound) / |objective|` (0 when the bounds are equal).
    pub gap: f64,
    /// Whether `objective` is proven optimal.
    pub proven_optimal: bool,
}

/// Why an instance has no solution.
#[derive(Clone, Debug, PartialEq)]
pub enum Infeasible {
    /// `p` is below the fixed-open sites or above the sites allowed.
    P { p: usize, fixed_open: usize, allowed: usize },
    /// These demands can be served by no allowed site.
    Unreachable(Vec<usize>),
}

/// C(n, k), saturating.
pub(crate) fn choices(n: usize, k: usize) -> u64 {
    let mut c: u64 = 1;
    for i in 0..k.min(n.saturating_sub(k)) {
        c = c.saturating_mul((n - i) as u64) / (i as u64 + 1);
    }
    c
}
