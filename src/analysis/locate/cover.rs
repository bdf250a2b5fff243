//! Coverage location problems: the shared coverage lists and the maximal covering location
//! problem.
//!
//! A demand `i` is *covered* by a chosen site `j` when `cost[i][j] <= cutoff` (a finite cost).
//! Demands with weight 0 are ignored everywhere. Fixed-open sites are always chosen and
//! counted, fixed-closed ones never (a site listed in both counts as open). The family:
//! [`max_coverage`] here, [`set_cover`](super::setcover::set_cover) and
//! [`p_center`](super::center::p_center).
//!
//! [`max_coverage`] solves the maximal covering location problem (MCLP; Church & ReVelle 1974):
//! choose exactly `p` sites (fixed ones included) so that the covered demand weight is largest.
//!
//! # Method
//! Demands a fixed site covers are set aside; the rest become per-demand lists of covering
//! free sites and per-site lists of covered demands (demands with equal lists merged), so no
//! later step scans the dense matrix.
//! - **Solution**: greedy addition, then best-improvement swaps (Teitz & Bart 1968), all
//!   swaps priced in one O(nnz + p·m) pass.
//! - **Upper bound**: Lagrangian relaxation of `y_i ≤ Σ_{j∈N_i} x_j` (Galvão & ReVelle 1996):
//!   `L(λ) = Σ_i max(0, w_i − λ_i) + (the p largest site sums Σ_{i∈cov(j)} λ_i)` plus the
//!   fixed sites' weight, minimised by subgradient optimisation (Held, Wolfe & Crowder 1974).
//!   The relaxed solutions are evaluated as well and the best is polished by the swaps. The
//!   bound is inflated by the worst rounding error of its sums, rounded down when all weights
//!   are integral, and never above the coverable weight.
//! - **Exact** when `C(free, p − fixed)` ≤ [`Options::enumerate_up_to`]: every choice is
//!   enumerated depth first and the optimum is proven.
//!
//! # Parameters
//! [`Options::iterations`] bounds the subgradient steps; [`Options::time_limit_s`] stops the
//! swaps and the subgradient (the bound stays valid; the enumeration is not cut);
//! [`Options::gap`] decides `proven_optimal`.
//!
//! # Returns
//! An [`Answer`] whose objective and lower bound are the covered weight; [`Infeasible::P`] when
//! `p` is below the fixed-open sites or above the allowed ones. Demand no site covers simply
//! stays uncovered.
//!
//! # Complexity
//! n demands, m sites, nnz covering pairs: the lists O(n·m); greedy O(nnz + p·m); one swap
//! pass O(nnz + p·m); one subgradient step O(nnz + m). Deterministic, ties to the lower index.
//!
//! # Example
//! ```
//! use pave::analysis::locate::{max_coverage, Instance, Options};
//! // Demands at 0, 1, 5, 6 and 20 on a line (the last weighs 3); sites at the same places.
//! let at = [0.0f64, 1.0, 5.0, 6.0, 20.0];
//! let cost: Vec<Vec<f64>> = at.iter().map(|a| at.iter().map(|b| (a - b).abs()).collect()).collect();
//! let inst = Instance { weight: vec![1.0, 1.0, 1.0, 1.0, 3.0], cost, fixed_open: vec![], fixed_closed: vec![] };
//! let a = max_coverage(&inst, 2, 1.0, &Options::default()).expect("feasible");
//! assert_eq!((a.sites, a.objective), (vec![0, 4], 5.0)); // 20, and 0 for the pair 0, 1
//! assert!(a.proven_optimal);
//! ```

use super::{Answer, Infeasible, Instance, Options, choices};
use std::time::Instant;

/// Subgradient steps without a better bound before the step size is halved.
const PATIENCE: usize = 50;

/// The demand weight within `cutoff` of some site in `sites`.
pub fn covered_weight(inst: &Instance, sites: &[usize], cutoff: f64) -> f64 {
    let hit = |row: &Vec<f64>| sites.iter().any(|&j| covers(row[j], cutoff));
    inst.cost.iter().zip(&inst.weight).filter(|(row, w)| active(**w) && hit(row)).map(|(_, w)| w).sum()
}

/// Solves the maximal covering location problem (see the module).
pub fn max_coverage(inst: &Instance, p: usize, cutoff: f64, opt: &Options) -> Result<Answer, Infeasible> {
    let start = Instant::now();
    let st = sites(inst, Some(p))?;
    let k = p - st.fixed.len();
    let cv = Cover::new(inst, &st, cutoff);
    if choices(st.free.len(), k) <= opt.enumerate_up_to {
        let sites = st.full(&enumerate_mclp(&cv, k));
        let objective = covered_weight(inst, &sites, cutoff);
        return Ok(answer(sites, objective, objective, objective, opt));
    }
    let mut sol = greedy_mclp(&cv, k);
    swap_mclp(&cv, &mut sol, start, opt);
    let value = coverage(&cv, &sol);
    // Valid upper bound from a computed relaxation value: inflated by the worst summation error
    // of nonnegative terms, rounded down when every weight is integral.
    let total: f64 = cv.base + cv.w.iter().sum::<f64>();
    let integral = inst.weight.iter().all(|w| w.fract() == 0.0) && total < 2f64.powi(52);
    let terms = (2 * inst.cost.len() + cv.sites() + 16) as f64;
    let cap = |l: f64| {
        let l = l * (1.0 + 4e-16 * terms);
        if integral { l.floor() } else { l }
    };
    let (bound, alt) = lagrangian_mclp(&cv, k, value, &cap, start, opt);
    if let Some(mut alt) = alt {
        swap_mclp(&cv, &mut alt, start, opt);
        if coverage(&cv, &alt) > value {
            sol = alt;
        }
    }
    let sites = st.full(&sol);
    let objective = covered_weight(inst, &sites, cutoff);
    let upper = cap(bound).min(cap(total)).max(objective);
    Ok(answer(sites, objective, objective, upper, opt))
}

/// Whether a demand counts (weight > 0).
pub(super) fn active(w: f64) -> bool {
    w > 0.0
}

/// Whether cost `c` is within `cutoff` (never an infinite cost).
pub(super) fn covers(c: f64, cutoff: f64) -> bool {
    c <= cutoff && c.is_finite()
}

/// Whether the time limit has passed.
pub(super) fn late(start: Instant, opt: &Options) -> bool {
    start.elapsed().as_secs_f64() > opt.time_limit_s
}

/// An [`Answer`] with sorted sites and the gap `(upper − lower) / |objective|`.
pub(super) fn answer(mut sites: Vec<usize>, objective: f64, lower: f64, upper: f64, opt: &Options) -> Answer {
    sites.sort_unstable();
    let gap = if upper <= lower {
        0.0
    } else if objective != 0.0 && objective.is_finite() {
        (upper - lower) / objective.abs()
    } else {
        f64::INFINITY
    };
    Answer { sites, objective, lower_bound: lower, upper_bound: upper, gap, proven_optimal: gap <= opt.gap }
}

/// The fixed-open sites, the free (allowed, not fixed) ones, and which sites may be chosen.
pub(super) struct Sites {
    pub(super) fixed: Vec<usize>,
    pub(super) free: Vec<usize>,
    pub(super) allowed: Vec<bool>,
}

/// The fixed and free sites; [`Infeasible::P`] if `p` is given and impossible.
pub(super) fn sites(inst: &Instance, p: Option<usize>) -> Result<Sites, Infeasible> {
    let listed = inst.fixed_open.iter().chain(&inst.fixed_closed).map(|&j| j + 1).max().unwrap_or(0);
    let m = inst.cost.first().map_or(0, Vec::len).max(listed);
    let mut fixed = inst.fixed_open.clone();
    fixed.sort_unstable();
    fixed.dedup();
    let mut allowed = vec![true; m];
    for &j in &inst.fixed_closed {
        allowed[j] = false;
    }
    for &j in &fixed {
        allowed[j] = true;
    }
    let n_allowed = allowed.iter().filter(|a| **a).count();
    if let Some(p) = p.filter(|&p| p < fixed.len() || p > n_allowed) {
        return Err(Infeasible::P { p, fixed_open: fixed.len(), allowed: n_allowed });
    }
    let free = (0..m).filter(|&j| allowed[j] && fixed.binary_search(&j).is_err()).collect();
    Ok(Sites { fixed, free, allowed })
}

impl Sites {
    /// The fixed sites and the free sites at compact indices `sol`, ascending.
    pub(super) fn full(&self, sol: &[u32]) -> Vec<usize> {
        let mut s: Vec<usize> = self.fixed.iter().copied().chain(sol.iter().map(|&t| self.free[t as usize])).collect();
        s.sort_unstable();
        s
    }
}

/// Coverage at one cutoff after setting aside the demands a fixed site covers: the remaining
/// demands that some free site covers, with both incidence lists (compressed rows).
#[derive(Default)]
pub(super) struct Cover {
    /// Weight per remaining demand.
    pub(super) w: Vec<f64>,
    /// Per demand, the covering free sites (compact indices into `Sites::free`).
    pub(super) d_off: Vec<usize>,
    pub(super) d_site: Vec<u32>,
    /// Per site, the covered remaining demands.
    pub(super) s_off: Vec<usize>,
    pub(super) s_dem: Vec<u32>,
    /// Weight covered by the fixed sites.
    pub(super) base: f64,
    /// Demands (weight > 0, original indices) that no allowed site covers.
    pub(super) lost: Vec<usize>,
}

impl Cover {
    /// The coverage lists at `cutoff`.
    pub(super) fn new(inst: &Instance, st: &Sites, cutoff: f64) -> Cover {
        let mut cv = Cover { d_off: vec![0], ..Cover::default() };
        for (i, (row, &w)) in inst.cost.iter().zip(&inst.weight).enumerate() {
            if !active(w) {
                continue;
            }
            if st.fixed.iter().any(|&j| covers(row[j], cutoff)) {
                cv.base += w;
                continue;
            }
            let before = cv.d_site.len();
            let hits = st.free.iter().enumerate().filter(|(_, j)| covers(row[**j], cutoff));
            cv.d_site.extend(hits.map(|(t, _)| t as u32));
            if cv.d_site.len() == before {
                cv.lost.push(i);
            } else {
                cv.w.push(w);
                cv.d_off.push(cv.d_site.len());
            }
        }
        // Demands with the same covering sites become one (weights added).
        let mut ord: Vec<usize> = (0..cv.w.len()).collect();
        ord.sort_by(|&a, &b| cv.by(a).cmp(cv.by(b)).then(a.cmp(&b)));
        let (mut w, mut d_off, mut d_site) = (Vec::new(), vec![0], Vec::new());
        for (x, &i) in ord.iter().enumerate() {
            if x > 0 && cv.by(i) == cv.by(ord[x - 1]) {
                *w.last_mut().expect("a previous demand") += cv.w[i];
            } else {
                w.push(cv.w[i]);
                d_site.extend_from_slice(cv.by(i));
                d_off.push(d_site.len());
            }
        }
        (cv.w, cv.d_off, cv.d_site) = (w, d_off, d_site);
        cv.index(st.free.len());
        cv
    }

    /// Builds the per-site lists from the per-demand ones, for `m` sites.
    pub(super) fn index(&mut self, m: usize) {
        let mut off = vec![0usize; m + 1];
        for &t in &self.d_site {
            off[t as usize + 1] += 1;
        }
        for t in 0..m {
            off[t + 1] += off[t];
        }
        let mut fill = off.clone();
        self.s_dem = vec![0; self.d_site.len()];
        for i in 0..self.w.len() {
            for &t in &self.d_site[self.d_off[i]..self.d_off[i + 1]] {
                self.s_dem[fill[t as usize]] = i as u32;
                fill[t as usize] += 1;
            }
        }
        self.s_off = off;
    }

    /// The number of free sites.
    pub(super) fn sites(&self) -> usize {
        self.s_off.len() - 1
    }

    /// The free sites (compact) covering remaining demand `i`.
    pub(super) fn by(&self, i: usize) -> &[u32] {
        &self.d_site[self.d_off[i]..self.d_off[i + 1]]
    }

    /// The remaining demands free site `j` covers.
    pub(super) fn of(&self, j: usize) -> &[u32] {
        &self.s_dem[self.s_off[j]..self.s_off[j + 1]]
    }
}

/// Covered weight (with the fixed sites' part) of the compact free sites `sol`.
fn coverage(cv: &Cover, sol: &[u32]) -> f64 {
    let mut hit = vec![false; cv.w.len()];
    let mut v = cv.base;
    for &j in sol {
        for &i in cv.of(j as usize) {
            if !std::mem::replace(&mut hit[i as usize], true) {
                v += cv.w[i as usize];
            }
        }
    }
    v
}

/// Every choice of `k` free sites, depth first; the most coverage, ties to the first choice.
fn enumerate_mclp(cv: &Cover, k: usize) -> Vec<u32> {
    type Best = Option<(f64, Vec<u32>)>;
    fn go(cv: &Cover, from: usize, left: usize, cnt: &mut [u32], v: f64, pick: &mut Vec<u32>, best: &mut Best) {
        if left == 0 {
            if best.as_ref().is_none_or(|b| v > b.0 + 1e-12 * b.0.abs()) {
                *best = Some((v, pick.clone()));
            }
            return;
        }
        for j in from..=cv.sites() - left {
            let mut u = v;
            for &i in cv.of(j) {
                cnt[i as usize] += 1;
                if cnt[i as usize] == 1 {
                    u += cv.w[i as usize];
                }
            }
            pick.push(j as u32);
            go(cv, j + 1, left - 1, cnt, u, pick, best);
            pick.pop();
            for &i in cv.of(j) {
                cnt[i as usize] -= 1;
            }
        }
    }
    let mut best = None;
    go(cv, 0, k, &mut vec![0; cv.w.len()], cv.base, &mut Vec::new(), &mut best);
    best.map(|b| b.1).unwrap_or_default()
}

/// Greedy addition of `k` free sites, the largest added coverage first.
fn greedy_mclp(cv: &Cover, k: usize) -> Vec<u32> {
    let mut gain: Vec<f64> = (0..cv.sites()).map(|j| cv.of(j).iter().map(|&i| cv.w[i as usize]).sum()).collect();
    let mut hit = vec![false; cv.w.len()];
    let mut taken = vec![false; cv.sites()];
    let mut sol = Vec::with_capacity(k);
    for _ in 0..k {
        let Some(j) = (0..cv.sites()).filter(|&j| !taken[j]).reduce(|a, b| if gain[b] > gain[a] { b } else { a })
        else {
            break;
        };
        taken[j] = true;
        sol.push(j as u32);
        for &i in cv.of(j) {
            if !std::mem::replace(&mut hit[i as usize], true) {
                for &a in cv.by(i as usize) {
                    gain[a as usize] -= cv.w[i as usize];
                }
            }
        }
    }
    sol
}

/// Best-improvement swap of a chosen site for an unchosen one until none improves. Each pass
/// prices all swaps at once: gain of the new site − loss of the old + the old site's
/// sole-covered demands the new site also covers.
fn swap_mclp(cv: &Cover, sol: &mut [u32], start: Instant, opt: &Options) {
    let (n, m, k) = (cv.w.len(), cv.sites(), sol.len());
    if k == 0 || k == m {
        return;
    }
    let tol = 1e-12 * cv.w.iter().sum::<f64>();
    let (mut cnt, mut sole) = (vec![0u32; n], vec![0usize; n]);
    let (mut gain, mut loss, mut extra) = (vec![0.0; m], vec![0.0; k], vec![0.0; k * m]);
    let mut slot = vec![usize::MAX; m];
    while !late(start, opt) {
        cnt.fill(0);
        slot.fill(usize::MAX);
        for (s, &j) in sol.iter().enumerate() {
            slot[j as usize] = s;
            for &i in cv.of(j as usize) {
                cnt[i as usize] += 1;
                sole[i as usize] = s;
            }
        }
        loss.fill(0.0);
        extra.fill(0.0);
        for i in 0..n {
            if cnt[i] == 1 {
                loss[sole[i]] += cv.w[i];
                for &a in cv.by(i) {
                    extra[sole[i] * m + a as usize] += cv.w[i];
                }
            }
        }
        for (a, g) in gain.iter_mut().enumerate() {
            *g = cv.of(a).iter().filter(|&&i| cnt[i as usize] == 0).map(|&i| cv.w[i as usize]).sum();
        }
        let mut best = (tol, usize::MAX, 0);
        for (s, l) in loss.iter().enumerate() {
            for a in (0..m).filter(|&a| slot[a] == usize::MAX) {
                let d = gain[a] - l + extra[s * m + a];
                if d > best.0 {
                    best = (d, s, a);
                }
            }
        }
        if best.1 == usize::MAX {
            return;
        }
        sol[best.1] = best.2 as u32;
    }
}

/// Subgradient minimisation of the MCLP Lagrangian bound (see the module). Returns the least
/// `L(λ)` found (with the fixed sites' weight) and, if one of the relaxed solutions covers more
/// than `value`, the best of them.
fn lagrangian_mclp(
    cv: &Cover,
    k: usize,
    mut value: f64,
    cap: &dyn Fn(f64) -> f64,
    start: Instant,
    opt: &Options,
) -> (f64, Option<Vec<u32>>) {
    let (n, m) = (cv.w.len(), cv.sites());
    let mut lambda = cv.w.clone();
    let (mut best, mut alt) = (f64::INFINITY, None);
    let (mut theta, mut since) = (2.0, 0);
    let (mut s, mut x, mut g) = (vec![0.0; m], vec![false; m], vec![0.0; n]);
    let mut order: Vec<u32> = (0..m as u32).collect();
    for _ in 0..opt.iterations.max(1) {
        for (j, sj) in s.iter_mut().enumerate() {
            *sj = cv.of(j).iter().map(|&i| lambda[i as usize]).sum();
        }
        if k < m {
            order.select_nth_unstable_by(k, |&a, &b| s[b as usize].total_cmp(&s[a as usize]).then(a.cmp(&b)));
        }
        let top = &order[..k];
        x.fill(false);
        top.iter().for_each(|&j| x[j as usize] = true);
        let l = cv.base
            + cv.w.iter().zip(&lambda).map(|(w, l)| (w - l).max(0.0)).sum::<f64>()
            + top.iter().map(|&j| s[j as usize]).sum::<f64>();
        if l < best {
            (best, since) = (l, 0);
        } else {
            since += 1;
            if since >= PATIENCE {
                (theta, since) = (theta / 2.0, 0);
            }
        }
        let v = coverage(cv, top);
        if v > value {
            value = v;
            let mut t = top.to_vec();
            t.sort_unstable();
            alt = Some(t);
        }
        if cap(best) <= value || theta < 0.005 || late(start, opt) {
            break;
        }
        for (i, gi) in g.iter_mut().enumerate() {
            let y = if cv.w[i] > lambda[i] { 1.0 } else { 0.0 };
            *gi = cv.by(i).iter().filter(|&&j| x[j as usize]).count() as f64 - y;
        }
        let norm: f64 = g.iter().map(|v| v * v).sum();
        if norm == 0.0 {
            break;
        }
        let step = theta * (l - value).max(1e-9 * l.abs()) / norm;
        for ((lam, gi), w) in lambda.iter_mut().zip(&g).zip(&cv.w) {
            *lam = (*lam - step * gi).clamp(0.0, *w);
        }
    }
    (best, alt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::locate::{p_center, radius_of, set_cover};
    use crate::sample::rng::Rng;
    use proptest::prelude::*;

    /// Every allowed choice of sites (with the fixed ones), as site lists.
    fn subsets(inst: &Instance) -> Vec<Vec<usize>> {
        let m = inst.cost[0].len();
        (0u32..(1 << m))
            .map(|mask| (0..m).filter(|j| mask & (1 << j) != 0).collect::<Vec<usize>>())
            .filter(|s| {
                inst.fixed_open.iter().all(|j| s.contains(j)) && !inst.fixed_closed.iter().any(|j| s.contains(j))
            })
            .collect()
    }

    fn brute_mclp(inst: &Instance, p: usize, cutoff: f64) -> Option<f64> {
        subsets(inst).iter().filter(|s| s.len() == p).map(|s| covered_weight(inst, s, cutoff)).reduce(f64::max)
    }

    fn brute_cover(inst: &Instance, cutoff: f64) -> Option<usize> {
        let all: f64 = inst.weight.iter().filter(|w| **w > 0.0).sum();
        subsets(inst).iter().filter(|s| covered_weight(inst, s, cutoff) == all).map(Vec::len).min()
    }

    fn brute_center(inst: &Instance, p: usize) -> Option<f64> {
        subsets(inst).iter().filter(|s| s.len() == p).map(|s| radius_of(inst, s)).reduce(f64::min)
    }

    /// Demands with weight > 0 that no allowed site reaches within `cutoff`.
    fn lost(inst: &Instance, cutoff: f64) -> Vec<usize> {
        let m = inst.cost[0].len();
        (0..inst.weight.len())
            .filter(|&i| {
                inst.weight[i] > 0.0
                    && !(0..m).any(|j| {
                        (inst.fixed_open.contains(&j) || !inst.fixed_closed.contains(&j))
                            && covers(inst.cost[i][j], cutoff)
                    })
            })
            .collect()
    }

    /// Random points in a 100 × 100 square, rounded distances, some pairs unreachable.
    fn instance(seed: u64, n: usize, m: usize, holes: f64) -> Instance {
        let mut rng = Rng::new(seed);
        let demand: Vec<(f64, f64)> = (0..n).map(|_| (rng.range(0.0, 100.0), rng.range(0.0, 100.0))).collect();
        let sites: Vec<(f64, f64)> = (0..m).map(|_| (rng.range(0.0, 100.0), rng.range(0.0, 100.0))).collect();
        let weight = (0..n).map(|_| rng.range(0.0, 5.0).round()).collect();
        let cost = demand
            .iter()
            .map(|d| {
                let row: Vec<f64> = sites.iter().map(|s| (d.0 - s.0).hypot(d.1 - s.1).round()).collect();
                row.into_iter().map(|c| if rng.chance(holes) { f64::INFINITY } else { c }).collect()
            })
            .collect();
        Instance { weight, cost, fixed_open: vec![], fixed_closed: vec![] }
    }

    /// Demand in Gaussian clusters (towns), sites uniform.
    fn clustered(seed: u64, n: usize, m: usize) -> Instance {
        let mut rng = Rng::new(seed);
        let towns: Vec<(f64, f64, f64)> =
            (0..6).map(|_| (rng.range(10.0, 90.0), rng.range(10.0, 90.0), rng.range(3.0, 12.0))).collect();
        let demand: Vec<(f64, f64)> = (0..n)
            .map(|_| {
                let t = towns[rng.int(0, 5) as usize];
                (t.0 + t.2 * rng.normal(), t.1 + t.2 * rng.normal())
            })
            .collect();
        let sites: Vec<(f64, f64)> = (0..m)
            .map(|j| {
                let t = towns[j % 6];
                if j % 3 == 2 {
                    (rng.range(0.0, 100.0), rng.range(0.0, 100.0))
                } else {
                    (t.0 + 15.0 * rng.normal(), t.1 + 15.0 * rng.normal())
                }
            })
            .collect();
        Instance {
            weight: (0..n).map(|_| rng.range(0.0, 4.0).round()).collect(),
            cost: demand.iter().map(|d| sites.iter().map(|s| (d.0 - s.0).hypot(d.1 - s.1).round()).collect()).collect(),
            fixed_open: vec![],
            fixed_closed: vec![],
        }
    }

    /// The least cutoff at which every demand can be covered.
    fn reach(inst: &Instance) -> f64 {
        inst.cost.iter().map(|r| r.iter().copied().fold(f64::INFINITY, f64::min)).fold(0.0, f64::max)
    }

    fn heuristic() -> Options {
        Options { enumerate_up_to: 0, ..Options::default() }
    }

    /// No exact search and no time: the bounds must stay valid.
    fn stopped() -> Options {
        Options { enumerate_up_to: 0, time_limit_s: 0.0, ..Options::default() }
    }

    fn check_sites(inst: &Instance, a: &Answer, p: Option<usize>) -> Result<(), TestCaseError> {
        prop_assert!(a.sites.windows(2).all(|w| w[0] < w[1]), "sites not ascending: {:?}", a.sites);
        prop_assert!(inst.fixed_open.iter().all(|j| a.sites.contains(j)));
        prop_assert!(!inst.fixed_closed.iter().any(|j| a.sites.contains(j)));
        if let Some(p) = p {
            prop_assert_eq!(a.sites.len(), p);
        }
        prop_assert!(a.lower_bound <= a.objective + 1e-9 && a.objective <= a.upper_bound + 1e-9);
        Ok(())
    }

    fn setup(seed: u64, n: usize, m: usize, fix: usize, holes: bool) -> Instance {
        let mut inst = instance(seed, n, m, if holes { 0.3 } else { 0.0 });
        if fix == 1 {
            inst.fixed_open = vec![m - 1];
        }
        if fix == 2 {
            inst.fixed_closed = vec![0];
        }
        if fix == 3 {
            (inst.fixed_open, inst.fixed_closed) = (vec![m - 1], vec![0]);
        }
        inst
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn max_coverage_matches_brute_force(seed in 0u64..u64::MAX, n in 1usize..30, m in 2usize..11, p in 0usize..5,
                                            fix in 0usize..4, cutoff in 5.0f64..60.0, holes: bool) {
            let p = p.min(m);
            let inst = setup(seed, n, m, fix, holes);
            match (brute_mclp(&inst, p, cutoff), max_coverage(&inst, p, cutoff, &Options::default())) {
                (Some(best), Ok(a)) => {
                    prop_assert!(a.proven_optimal && (a.objective - best).abs() < 1e-9, "{a:?} vs {best}");
                    check_sites(&inst, &a, Some(p))?;
                    let h = max_coverage(&inst, p, cutoff, &heuristic()).expect("feasible");
                    check_sites(&inst, &h, Some(p))?;
                    prop_assert!(h.objective <= best + 1e-9 && h.upper_bound >= best - 1e-9, "{h:?} vs {best}");
                    prop_assert!((covered_weight(&inst, &h.sites, cutoff) - h.objective).abs() < 1e-9);
                    prop_assert!(h.upper_bound <= 1.1 * best + 1.0, "bound {} far above {best}", h.upper_bound);
                    let t = max_coverage(&inst, p, cutoff, &stopped()).expect("feasible");
                    prop_assert!(t.objective <= best + 1e-9 && t.upper_bound >= best - 1e-9, "{t:?} vs {best}");
                }
                (None, Err(Infeasible::P { .. })) => {}
                (b, a) => prop_assert!(false, "{b:?} {a:?}"),
            }
        }

        #[test]
        fn set_cover_matches_brute_force(seed in 0u64..u64::MAX, n in 1usize..30, m in 2usize..11, fix in 0usize..4,
                                         cutoff in 10.0f64..70.0, holes: bool) {
            let inst = setup(seed, n, m, fix, holes);
            match (brute_cover(&inst, cutoff), set_cover(&inst, cutoff, &Options::default())) {
                (Some(best), Ok(a)) => {
                    prop_assert!(a.proven_optimal && a.objective == best as f64, "{a:?} vs {best}");
                    check_sites(&inst, &a, None)?;
                    let h = set_cover(&inst, cutoff, &heuristic()).expect("coverable");
                    check_sites(&inst, &h, None)?;
                    prop_assert!(h.objective >= best as f64 && h.lower_bound <= best as f64, "{h:?} vs {best}");
                    prop_assert_eq!(h.lower_bound.fract(), 0.0);
                    let all: f64 = inst.weight.iter().filter(|w| **w > 0.0).sum();
                    prop_assert_eq!(covered_weight(&inst, &h.sites, cutoff), all);
                    prop_assert!(h.lower_bound + 1.0 >= best as f64, "bound {} far below {best}", h.lower_bound);
                    let t = set_cover(&inst, cutoff, &stopped()).expect("coverable");
                    prop_assert!(t.objective >= best as f64 && t.lower_bound <= best as f64, "{t:?} vs {best}");
                }
                (None, Err(Infeasible::Unreachable(list))) => prop_assert_eq!(list, lost(&inst, cutoff)),
                (b, a) => prop_assert!(false, "{b:?} {a:?}"),
            }
        }

        #[test]
        fn p_center_matches_brute_force(seed in 0u64..u64::MAX, n in 1usize..30, m in 2usize..11, p in 0usize..5,
                                        fix in 0usize..4, holes: bool) {
            let p = p.min(m);
            let inst = setup(seed, n, m, fix, holes);
            let unreachable = lost(&inst, f64::INFINITY);
            match (brute_center(&inst, p), p_center(&inst, p, &Options::default())) {
                (Some(best), Ok(a)) => {
                    prop_assert!(unreachable.is_empty());
                    prop_assert!(a.proven_optimal && a.objective == best, "{a:?} vs {best}");
                    check_sites(&inst, &a, Some(p))?;
                    let h = p_center(&inst, p, &heuristic()).expect("feasible");
                    check_sites(&inst, &h, Some(p))?;
                    prop_assert!(h.objective >= best && h.lower_bound <= best, "{h:?} vs {best}");
                    prop_assert_eq!(radius_of(&inst, &h.sites), h.objective);
                    let t = p_center(&inst, p, &stopped()).expect("feasible");
                    check_sites(&inst, &t, Some(p))?;
                    prop_assert!(t.objective >= best && t.lower_bound <= best, "{t:?} vs {best}");
                }
                (Some(_), Err(Infeasible::Unreachable(list))) => prop_assert_eq!(list, unreachable),
                (None, Err(Infeasible::P { .. })) => {}
                (b, a) => prop_assert!(false, "{b:?} {a:?}"),
            }
        }
    }

    #[test]
    fn fixed_sites_are_kept_and_closed_ones_avoided() {
        // Demands at 0, 1, 5, 6 and 20 (weights 1, 1, 1, 1, 3); sites at the same places.
        let at = [0.0f64, 1.0, 5.0, 6.0, 20.0];
        let cost = at.iter().map(|a| at.iter().map(|b| (a - b).abs()).collect()).collect();
        let mut inst =
            Instance { weight: vec![1.0, 1.0, 1.0, 1.0, 3.0], cost, fixed_open: vec![3], fixed_closed: vec![] };
        inst.fixed_closed = vec![4];
        for o in [Options::default(), heuristic()] {
            let a = max_coverage(&inst, 2, 1.0, &o).expect("feasible");
            assert_eq!((a.sites, a.objective, a.proven_optimal), (vec![0, 3], 4.0, true));
            assert_eq!(max_coverage(&inst, 0, 1.0, &o), Err(Infeasible::P { p: 0, fixed_open: 1, allowed: 4 }));
            assert_eq!(max_coverage(&inst, 5, 1.0, &o), Err(Infeasible::P { p: 5, fixed_open: 1, allowed: 4 }));
        }
        assert_eq!(set_cover(&inst, 1.0, &Options::default()), Err(Infeasible::Unreachable(vec![4])));
        inst.weight[4] = 0.0; // an ignored demand need not be covered
        let a = set_cover(&inst, 1.0, &Options::default()).expect("coverable");
        assert_eq!((a.sites, a.objective, a.proven_optimal), (vec![0, 3], 2.0, true));
        let a = p_center(&inst, 2, &heuristic()).expect("feasible");
        assert_eq!((a.sites.contains(&3), a.objective, a.proven_optimal), (true, 1.0, true));
    }

    /// Medium instances (300 demands, 30 sites): the heuristic path against the exact one.
    /// Measured largest gaps over these seeds: MCLP 0.0022, set cover 0 sites, p-center 0.
    #[test]
    fn medium_instances_get_tight_certified_bounds() {
        for seed in 0..6 {
            for inst in [clustered(seed, 300, 30), instance(seed, 300, 30, 0.0)] {
                let e = max_coverage(&inst, 4, 15.0, &Options::default()).expect("feasible");
                let h = max_coverage(&inst, 4, 15.0, &heuristic()).expect("feasible");
                assert!(e.proven_optimal && h.objective <= e.objective && h.upper_bound >= e.objective);
                assert!(h.gap <= 0.02, "seed {seed}: MCLP {h:?} vs {}", e.objective);
                let r = reach(&inst) + 3.0;
                let e = set_cover(&inst, r, &Options::default()).expect("coverable");
                let h = set_cover(&inst, r, &heuristic()).expect("coverable");
                assert!(e.proven_optimal && h.lower_bound <= e.objective && e.objective <= h.objective);
                assert!(h.upper_bound - h.lower_bound <= 1.0, "seed {seed}: set cover {h:?} vs {}", e.objective);
                let e = p_center(&inst, 4, &Options::default()).expect("feasible");
                let h = p_center(&inst, 4, &heuristic()).expect("feasible");
                assert!(e.proven_optimal && h.lower_bound <= e.objective && e.objective <= h.objective);
                assert!(h.gap <= 0.1, "seed {seed}: p-center {h:?} vs {}", e.objective);
            }
        }
    }

    /// 13,000 demands × 500 sites with the default options (run with `--ignored`).
    #[test]
    #[ignore]
    fn large_instance_timing() {
        let inst = clustered(7, 13_000, 500);
        let o = Options::default();
        let t = Instant::now();
        let a = max_coverage(&inst, 2, 8.0, &o).expect("feasible");
        eprintln!("MCLP p=2 (enumerated) cutoff 8: {:.2}s, {}", t.elapsed().as_secs_f64(), a.objective);
        let t = Instant::now();
        let a = max_coverage(&inst, 40, 8.0, &o).expect("feasible");
        eprintln!(
            "MCLP p=40 cutoff 8: {:.2}s, {} ≤ {} (gap {:.5})",
            t.elapsed().as_secs_f64(),
            a.objective,
            a.upper_bound,
            a.gap
        );
        for extra in [1.0, 2.0, 5.0] {
            let t = Instant::now();
            let r = reach(&inst) + extra;
            let a = set_cover(&inst, r, &o).expect("coverable");
            eprintln!(
                "set cover cutoff {r}: {:.2}s, {} ≥ {} (proven {})",
                t.elapsed().as_secs_f64(),
                a.objective,
                a.lower_bound,
                a.proven_optimal
            );
        }
        for p in [2, 10, 40, 100] {
            let t = Instant::now();
            let a = p_center(&inst, p, &o).expect("feasible");
            eprintln!(
                "p-center p={p}: {:.2}s, {} ≥ {} (gap {:.5})",
                t.elapsed().as_secs_f64(),
                a.objective,
                a.lower_bound,
                a.gap
            );
        }
    }

    /// Bounds against exact answers on many mid-sized instances (run with `--ignored`).
    #[test]
    #[ignore]
    fn stress_bounds_against_exact_answers() {
        let big = Options { enumerate_up_to: 5_000_000, ..Options::default() };
        let (mut worst, mut open) = ([0.0f64; 3], [0usize; 3]);
        for seed in 0..300u64 {
            let inst = if seed % 2 == 0 { clustered(seed, 200, 22) } else { instance(seed, 200, 22, 0.05) };
            let p = 3 + (seed % 3) as usize;
            let cutoff = 8.0 + (seed % 7) as f64 * 3.0;
            let e = max_coverage(&inst, p, cutoff, &big).expect("feasible");
            let h = max_coverage(&inst, p, cutoff, &heuristic()).expect("feasible");
            assert!(h.objective <= e.objective + 1e-9 && h.upper_bound >= e.objective - 1e-9, "{seed}: {h:?} {e:?}");
            worst[0] = worst[0].max(h.gap);
            open[0] += usize::from(!h.proven_optimal);
            if let (Ok(e), Ok(h)) =
                (set_cover(&inst, cutoff + 15.0, &big), set_cover(&inst, cutoff + 15.0, &heuristic()))
            {
                assert!(e.proven_optimal, "{seed}: {e:?}");
                assert!(h.lower_bound <= e.objective && e.objective <= h.objective, "{seed}: {h:?} {e:?}");
                worst[1] = worst[1].max(h.upper_bound - h.lower_bound);
                open[1] += usize::from(!h.proven_optimal);
            }
            if let (Ok(e), Ok(h)) = (p_center(&inst, p, &big), p_center(&inst, p, &heuristic())) {
                assert!(h.lower_bound <= e.objective && e.objective <= h.objective, "{seed}: {h:?} {e:?}");
                worst[2] = worst[2].max(h.gap);
                open[2] += usize::from(!h.proven_optimal);
            }
        }
        eprintln!(
            "worst heuristic gaps: MCLP {:.4}, set cover {} sites, p-center {:.4}; open: {open:?}",
            worst[0], worst[1], worst[2]
        );
    }
}
