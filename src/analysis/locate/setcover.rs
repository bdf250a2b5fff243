//! The location set covering problem (LSCP; Toregas, Swain, ReVelle & Bergman 1971) with a
//! certified lower bound: the fewest sites (fixed-open ones counted) such that every demand
//! with weight > 0 has a chosen site within `cutoff` (conventions in [`super::cover`]).
//!
//! # Method
//! - **Core** (Toregas & ReVelle 1973): a demand whose covering sites include all of another
//!   demand's is dropped, then a site whose demands another site covers too.
//! - **Solution**: greedy (Chvátal 1979), removal of redundant sites, then exchanges of two
//!   chosen sites for one while any exists.
//! - **Lower bound**: Lagrangian relaxation of the cover constraints,
//!   `L(u) = Σ_i u_i + Σ_j min(0, 1 − Σ_{i∈cov(j)} u_i)`, with subgradient optimisation and
//!   a Lagrangian heuristic (Beasley 1990): the relaxed solution is completed greedily by
//!   multiplier-weighted coverage. `L` is evaluated exactly in fixed point and rounded up
//!   (the objective is integral).
//! - **Branch and bound** while the gap is open: depth first on the first uncovered demand in
//!   order of fewest covering sites, one branch per covering site with the earlier ones excluded,
//!   pruned by the incumbent and by the same Lagrangian bound restricted to the node (kept
//!   exact and incremental). If it finishes, the optimum is proven.
//!
//! # Parameters
//! [`Options::iterations`] bounds the subgradient steps; the branch and bound may make
//! `100 × enumerate_up_to` list updates (none when [`Options::enumerate_up_to`] is 0);
//! [`Options::time_limit_s`] stops both (the bound stays valid); [`Options::gap`] decides
//! `proven_optimal`.
//!
//! # Returns
//! An [`Answer`] whose objective is the number of sites; [`Infeasible::Unreachable`] with the
//! demands (ascending) that no allowed site covers.
//!
//! # Complexity
//! n demands, m sites, nnz covering pairs: the lists O(n·m); the core O(nnz·(c + d)) for c
//! and d the most demands a site covers and the most sites covering a demand; greedy
//! O(nnz + s·m) for s chosen sites; one subgradient step O(nnz + m); the branch and bound is
//! exponential at worst, hence its budget. Deterministic, ties to the lower index.
//!
//! # Example
//! ```
//! use pave::analysis::locate::{set_cover, Instance, Options};
//! // Demands at 0, 1, 5, 6 and 20 on a line; sites at the same places.
//! let at = [0.0f64, 1.0, 5.0, 6.0, 20.0];
//! let cost: Vec<Vec<f64>> = at.iter().map(|a| at.iter().map(|b| (a - b).abs()).collect()).collect();
//! let inst = Instance { weight: vec![1.0; 5], cost, fixed_open: vec![], fixed_closed: vec![] };
//! let a = set_cover(&inst, 1.0, &Options::default()).expect("coverable");
//! assert_eq!((a.sites, a.objective), (vec![0, 2, 4], 3.0));
//! assert!(a.proven_optimal);
//! ```

use super::cover::{Cover, answer, late, sites};
use super::{Answer, Infeasible, Instance, Options};
use std::time::Instant;

/// Branch-and-bound list updates allowed per unit of [`Options::enumerate_up_to`].
const BB_WORK: u64 = 100;
/// Subgradient steps without a better bound before the step size is halved.
const PATIENCE: usize = 100;
/// Fixed-point scale of the multipliers in the exact bound (2^32).
const SCALE: f64 = 4_294_967_296.0;

/// Solves the location set covering problem (see the module).
pub fn set_cover(inst: &Instance, cutoff: f64, opt: &Options) -> Result<Answer, Infeasible> {
    let start = Instant::now();
    let st = sites(inst, None)?;
    let cv = Cover::new(inst, &st, cutoff);
    if !cv.lost.is_empty() {
        return Err(Infeasible::Unreachable(cv.lost));
    }
    let (sol, lower) = solve_cover(&cv, None, start, opt);
    let sites = st.full(&sol);
    let objective = sites.len() as f64;
    Ok(answer(sites, objective, (st.fixed.len() + lower) as f64, objective, opt))
}

/// The smallest cover of the remaining demands found (compact free sites, ascending) and a
/// proven lower bound on its size. With `goal = Some(t)` it stops as soon as a cover of at
/// most `t` sites is found or the bound exceeds `t`.
pub(super) fn solve_cover(cv: &Cover, goal: Option<usize>, start: Instant, opt: &Options) -> (Vec<u32>, usize) {
    if cv.w.is_empty() {
        return (Vec::new(), 0);
    }
    let done = |lower: usize, upper: usize| lower >= upper || goal.is_some_and(|t| upper <= t || lower > t);
    let core = reduce(cv);
    let cv = &core;
    let mut sol = greedy_cover(cv, &[], None);
    improve(cv, &mut sol);
    let mut lower = 1;
    if done(lower, sol.len()) {
        return (sol, lower);
    }
    let u = lagrangian_cover(cv, &mut sol, &mut lower, &done, start, opt);
    let budget = opt.enumerate_up_to.saturating_mul(BB_WORK);
    if done(lower, sol.len()) || budget == 0 || late(start, opt) {
        return (sol, lower);
    }
    let mut bb = Bb::new(cv, &u, start, opt);
    (bb.best, bb.first, bb.budget) = (goal.map_or(sol.len(), |t| t + 1), goal.is_some(), budget);
    bb.dfs(0);
    if let Some(mut s) = bb.sol.take() {
        s.sort_unstable();
        sol = s;
    }
    if !bb.stopped {
        lower = lower.max(bb.best);
    }
    (sol, lower)
}

/// The set-cover core (Toregas & ReVelle 1973): drops each demand whose covering sites include
/// all those of another demand, then each site whose remaining demands another site covers too
/// (equal ones: the higher index). Every cover of the core covers all demands; site indices
/// are kept and dropped sites cover nothing.
fn reduce(cv: &Cover) -> Cover {
    let (n, m) = (cv.w.len(), cv.sites());
    let words = m.div_ceil(64);
    let mut bits = vec![0u64; n * words];
    for i in 0..n {
        cv.by(i).iter().for_each(|&j| bits[i * words + j as usize / 64] |= 1 << (j % 64));
    }
    let has = |i: usize, j: u32| bits[i * words + j as usize / 64] >> (j % 64) & 1 == 1;
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (cv.by(i).len(), i));
    let mut keep = vec![true; n];
    for (x, &i) in order.iter().enumerate() {
        if keep[i] {
            let rare = cv.by(i).iter().copied().min_by_key(|&j| (cv.of(j as usize).len(), j)).unwrap_or(0);
            for &k in cv.of(rare as usize) {
                let k = k as usize;
                let later = (cv.by(k).len(), k) > (cv.by(i).len(), order[x]);
                if k != i && keep[k] && later && cv.by(i).iter().all(|&j| has(k, j)) {
                    keep[k] = false;
                }
            }
        }
    }
    let rows: Vec<usize> = (0..n).filter(|&i| keep[i]).collect();
    let of = |j: usize| cv.of(j).iter().map(|&i| i as usize).filter(|&i| keep[i]);
    let size: Vec<usize> = (0..m).map(|j| of(j).count()).collect();
    let drop: Vec<bool> = (0..m)
        .map(|j| {
            let beats = |b: usize| b != j && (size[j] < size[b] || b < j) && of(j).all(|i| has(i, b as u32));
            of(j).min_by_key(|&i| (cv.by(i).len(), i)).is_none_or(|r| cv.by(r).iter().any(|&b| beats(b as usize)))
        })
        .collect();
    let mut core = Cover { d_off: vec![0], ..Cover::default() };
    for &i in &rows {
        core.d_site.extend(cv.by(i).iter().filter(|&&j| !drop[j as usize]));
        core.d_off.push(core.d_site.len());
        core.w.push(cv.w[i]);
    }
    core.index(m);
    core
}

/// Replaces two chosen sites by one while every demand stays covered (first such exchange, then
/// again), assuming no chosen site is redundant.
fn improve(cv: &Cover, sol: &mut Vec<u32>) {
    let (n, m) = (cv.w.len(), cv.sites());
    let mut count = vec![0usize; m];
    'again: loop {
        let (mut cnt, mut who) = (vec![0usize; n], vec![[0u32; 2]; n]);
        for &j in sol.iter() {
            for &i in cv.of(j as usize) {
                let c = &mut cnt[i as usize];
                if *c < 2 {
                    who[i as usize][*c] = j;
                }
                *c += 1;
            }
        }
        let mut alone = vec![Vec::new(); m];
        let mut pairs = Vec::new();
        for i in 0..n {
            match cnt[i] {
                1 => alone[who[i][0] as usize].push(i),
                2 => pairs.push((who[i][0].min(who[i][1]), who[i][0].max(who[i][1]), i)),
                _ => {}
            }
        }
        pairs.sort_unstable();
        for (x, &a) in sol.iter().enumerate() {
            for &b in &sol[x + 1..] {
                let (a, b) = (a.min(b), a.max(b));
                let both =
                    pairs.partition_point(|t| (t.0, t.1) < (a, b))..pairs.partition_point(|t| (t.0, t.1) <= (a, b));
                let need: Vec<usize> = alone[a as usize]
                    .iter()
                    .chain(&alone[b as usize])
                    .copied()
                    .chain(pairs[both].iter().map(|t| t.2))
                    .collect();
                need.iter().for_each(|&i| cv.by(i).iter().for_each(|&s| count[s as usize] += 1));
                let fit = need.first().and_then(|&i| {
                    cv.by(i).iter().copied().filter(|&s| s != a && s != b && count[s as usize] == need.len()).min()
                });
                need.iter().for_each(|&i| cv.by(i).iter().for_each(|&s| count[s as usize] = 0));
                if let Some(s) = fit {
                    sol.retain(|&j| j != a && j != b);
                    sol.push(s);
                    sol.sort_unstable();
                    continue 'again;
                }
            }
        }
        return;
    }
}

/// Chvátal's greedy completion of the cover `seed`, then removal of redundant sites (fewest
/// covered demands first).
fn greedy_cover(cv: &Cover, seed: &[u32], wt: Option<&[f64]>) -> Vec<u32> {
    let wt = |i: u32| wt.map_or(1.0, |u| u[i as usize] + 1e-6);
    let mut cnt = vec![0u32; cv.w.len()];
    let mut sol: Vec<u32> = seed.to_vec();
    for &j in seed {
        cv.of(j as usize).iter().for_each(|&i| cnt[i as usize] += 1);
    }
    let mut gain: Vec<f64> =
        (0..cv.sites()).map(|j| cv.of(j).iter().filter(|&&i| cnt[i as usize] == 0).map(|&i| wt(i)).sum()).collect();
    let mut left = cnt.iter().filter(|&&c| c == 0).count();
    while left > 0 {
        let j = (0..gain.len()).reduce(|a, b| if gain[b] > gain[a] { b } else { a }).unwrap_or(0);
        sol.push(j as u32);
        for &i in cv.of(j) {
            if cnt[i as usize] == 0 {
                left -= 1;
                cv.by(i as usize).iter().for_each(|&a| gain[a as usize] -= wt(i));
            }
            cnt[i as usize] += 1;
        }
    }
    sol.sort_unstable_by_key(|&j| (cv.of(j as usize).len(), j));
    sol.retain(|&j| {
        let spare = cv.of(j as usize).iter().all(|&i| cnt[i as usize] >= 2);
        if spare {
            cv.of(j as usize).iter().for_each(|&i| cnt[i as usize] -= 1);
        }
        !spare
    });
    sol.sort_unstable();
    sol
}

/// Beasley's subgradient optimisation of the set-cover Lagrangian bound
/// `L(u) = Σ u_i + Σ_j min(0, 1 − Σ_{i∈cov(j)} u_i)`, with the Lagrangian heuristic (the
/// relaxed solution completed greedily) improving `sol`. Raises `lower` to the exact rounded
/// bound; returns the best multipliers.
fn lagrangian_cover(
    cv: &Cover,
    sol: &mut Vec<u32>,
    lower: &mut usize,
    done: &dyn Fn(usize, usize) -> bool,
    start: Instant,
    opt: &Options,
) -> Vec<f64> {
    let (n, m) = (cv.w.len(), cv.sites());
    let size: Vec<f64> = (0..m).map(|j| cv.of(j).len() as f64).collect();
    let mut u: Vec<f64> =
        (0..n).map(|i| cv.by(i).iter().map(|&j| 1.0 / size[j as usize]).fold(1.0, f64::min)).collect();
    let mut best_u = u.clone();
    let (mut best, mut theta, mut since) = (f64::NEG_INFINITY, 2.0, 0);
    let (mut red, mut x, mut g) = (vec![0.0; m], Vec::new(), vec![0.0; n]);
    for it in 0..opt.iterations {
        for (j, r) in red.iter_mut().enumerate() {
            *r = 1.0 - cv.of(j).iter().map(|&i| u[i as usize]).sum::<f64>();
        }
        let l = u.iter().sum::<f64>() + red.iter().map(|r| r.min(0.0)).sum::<f64>();
        x.clear();
        x.extend((0..m as u32).filter(|&j| red[j as usize] < 0.0));
        let improved = l > best + 1e-9;
        if improved {
            (best, since) = (l, 0);
            best_u.clone_from(&u);
            if (l - 1e-6).ceil() > *lower as f64 {
                *lower = (*lower).max(Bb::new(cv, &u, start, opt).rest());
            }
        } else {
            since += 1;
            if since >= PATIENCE {
                (theta, since) = (theta / 2.0, 0);
            }
        }
        if improved || it.is_multiple_of(10) {
            let mut h = greedy_cover(cv, &x, Some(&u));
            if h.len() < sol.len() {
                improve(cv, &mut h);
                *sol = h;
            }
        }
        if done(*lower, sol.len()) || theta < 0.005 || late(start, opt) {
            break;
        }
        let mut hit = vec![0u32; n];
        for &j in &x {
            cv.of(j as usize).iter().for_each(|&i| hit[i as usize] += 1);
        }
        for ((gi, h), ui) in g.iter_mut().zip(&hit).zip(&u) {
            *gi = 1.0 - *h as f64;
            if *ui == 0.0 && *gi < 0.0 {
                *gi = 0.0;
            }
        }
        let norm: f64 = g.iter().map(|v| v * v).sum();
        if norm == 0.0 {
            break;
        }
        let step = theta * (1.05 * sol.len() as f64 - l).max(1e-3) / norm;
        for (ui, gi) in u.iter_mut().zip(&g) {
            *ui = (*ui + step * gi).max(0.0);
        }
    }
    best_u
}

/// Depth-first branch and bound for the remaining set cover. The bound at a node is the
/// Lagrangian bound of the uncovered demands over the available sites with fixed multipliers,
/// kept exactly in fixed point: `su = Σ_{uncovered} u_i`, `red_j = 1 − Σ_{uncovered ∈ cov(j)} u_i`,
/// `neg = Σ_{available j} min(0, red_j)`.
struct Bb<'a> {
    cv: &'a Cover,
    uq: Vec<i64>,
    red: Vec<i64>,
    su: i64,
    neg: i64,
    cnt: Vec<u32>,
    /// Uncovered demands.
    left: usize,
    avail: Vec<bool>,
    order: Vec<u32>,
    chosen: Vec<u32>,
    /// Size to beat (the incumbent, or the goal + 1).
    best: usize,
    sol: Option<Vec<u32>>,
    /// Stop at the first cover found.
    first: bool,
    stopped: bool,
    work: u64,
    budget: u64,
    nodes: u64,
    start: Instant,
    opt: &'a Options,
}

impl<'a> Bb<'a> {
    fn new(cv: &'a Cover, u: &[f64], start: Instant, opt: &'a Options) -> Self {
        let one = SCALE as i64;
        let uq: Vec<i64> = u.iter().map(|&v| (v.clamp(0.0, 4.0) * SCALE).floor() as i64).collect();
        let red: Vec<i64> =
            (0..cv.sites()).map(|j| one - cv.of(j).iter().map(|&i| uq[i as usize]).sum::<i64>()).collect();
        let mut order: Vec<u32> = (0..cv.w.len() as u32).collect();
        order.sort_by_key(|&i| (cv.by(i as usize).len(), i));
        Bb {
            su: uq.iter().sum(),
            neg: red.iter().map(|&r| r.min(0)).sum(),
            uq,
            red,
            cnt: vec![0; cv.w.len()],
            left: cv.w.len(),
            avail: vec![true; cv.sites()],
            order,
            chosen: Vec::new(),
            best: usize::MAX,
            sol: None,
            first: false,
            stopped: false,
            work: 0,
            budget: 0,
            nodes: 0,
            cv,
            start,
            opt,
        }
    }

    /// Lower bound on the sites still needed: ⌈L⌉, at least 1 while a demand is uncovered.
    fn rest(&self) -> usize {
        let l = self.su + self.neg;
        let one = SCALE as i64;
        let bound = if l > 0 { ((l + one - 1) / one) as usize } else { 0 };
        if self.left > 0 { bound.max(1) } else { bound }
    }

    fn set_avail(&mut self, j: usize, on: bool) {
        let r = self.red[j].min(0);
        self.neg += if on { r } else { -r };
        self.avail[j] = on;
    }

    /// Demand `i` becomes covered (`by = 1`) or uncovered again (`by = -1`).
    fn flip(&mut self, i: usize, by: i64) {
        let d = by * self.uq[i];
        self.su -= d;
        self.left = (self.left as i64 - by) as usize;
        let cv = self.cv;
        self.work += cv.by(i).len() as u64;
        for &j in cv.by(i) {
            let j = j as usize;
            if self.avail[j] {
                self.neg += (self.red[j] + d).min(0) - self.red[j].min(0);
            }
            self.red[j] += d;
        }
    }

    fn choose(&mut self, j: usize) {
        self.set_avail(j, false);
        self.chosen.push(j as u32);
        let cv = self.cv;
        self.work += cv.of(j).len() as u64;
        for &i in cv.of(j) {
            self.cnt[i as usize] += 1;
            if self.cnt[i as usize] == 1 {
                self.flip(i as usize, 1);
            }
        }
    }

    fn unchoose(&mut self, j: usize) {
        let cv = self.cv;
        for &i in cv.of(j).iter().rev() {
            self.cnt[i as usize] -= 1;
            if self.cnt[i as usize] == 0 {
                self.flip(i as usize, -1);
            }
        }
        self.chosen.pop();
        self.set_avail(j, true);
    }

    fn dfs(&mut self, mut pos: usize) {
        self.nodes += 1;
        if self.work > self.budget || (self.nodes.is_multiple_of(1024) && late(self.start, self.opt)) {
            self.stopped = true;
        }
        if self.stopped {
            return;
        }
        while pos < self.order.len() && self.cnt[self.order[pos] as usize] > 0 {
            pos += 1;
        }
        if pos == self.order.len() {
            if self.chosen.len() < self.best {
                self.best = self.chosen.len();
                self.sol = Some(self.chosen.clone());
                self.stopped = self.first;
            }
            return;
        }
        let i = self.order[pos] as usize;
        let mut cands: Vec<u32> = self.cv.by(i).iter().copied().filter(|&j| self.avail[j as usize]).collect();
        cands.sort_by_key(|&j| (self.red[j as usize], j));
        let mut out = 0;
        for &j in &cands {
            if self.chosen.len() + self.rest() >= self.best || self.stopped {
                break;
            }
            self.choose(j as usize);
            self.dfs(pos);
            self.unchoose(j as usize);
            self.set_avail(j as usize, false);
            out += 1;
        }
        for &j in &cands[..out] {
            self.set_avail(j as usize, true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Site `j` covers demand `i` exactly when `i` is in `sets[j]`.
    fn from_sets(n: usize, sets: &[&[usize]]) -> Instance {
        let cost =
            (0..n).map(|i| sets.iter().map(|s| if s.contains(&i) { 0.0 } else { f64::INFINITY }).collect()).collect();
        Instance { weight: vec![1.0; n], cost, fixed_open: vec![], fixed_closed: vec![] }
    }

    #[test]
    fn branch_and_bound_proves_what_the_lagrangian_bound_cannot() {
        // Vertex cover of K5: one demand per edge, covered by its two end sites. The LP bound is
        // 2.5 (every site at ½), so ⌈L⌉ ≤ 3, while the optimum is 4.
        let edges: Vec<(usize, usize)> = (0..5).flat_map(|a| (a + 1..5).map(move |b| (a, b))).collect();
        let sets: Vec<Vec<usize>> =
            (0..5).map(|v| (0..10).filter(|&e| edges[e].0 == v || edges[e].1 == v).collect()).collect();
        let sets: Vec<&[usize]> = sets.iter().map(Vec::as_slice).collect();
        let inst = from_sets(10, &sets);
        let h = set_cover(&inst, 0.0, &Options { enumerate_up_to: 0, ..Options::default() }).expect("coverable");
        assert_eq!((h.objective, h.lower_bound, h.proven_optimal), (4.0, 3.0, false));
        let e = set_cover(&inst, 0.0, &Options::default()).expect("coverable");
        assert_eq!((e.sites, e.objective, e.lower_bound, e.proven_optimal), (vec![0, 1, 2, 3], 4.0, 4.0, true));
    }

    #[test]
    fn the_core_drops_dominated_demands_and_sites() {
        // Demands 1 and 2 are covered wherever demand 0 is (by site 1); sites 0 and 2 cover
        // only what site 1 covers too.
        let inst = from_sets(3, &[&[1], &[0, 1, 2], &[2]]);
        let st = sites(&inst, None).expect("no p");
        let core = reduce(&Cover::new(&inst, &st, 0.0));
        let kept: Vec<usize> = (0..core.sites()).filter(|&j| !core.of(j).is_empty()).collect();
        assert_eq!((core.w.len(), kept), (1, vec![1]));
        let a = set_cover(&inst, 0.0, &Options::default()).expect("coverable");
        assert_eq!((a.sites, a.proven_optimal), (vec![1], true));
    }

    #[test]
    fn two_sites_are_exchanged_for_one() {
        let inst = from_sets(4, &[&[0, 1], &[2, 3], &[0, 1, 2, 3]]);
        let st = sites(&inst, None).expect("no p");
        let cv = Cover::new(&inst, &st, 0.0);
        let mut sol = vec![0, 1];
        improve(&cv, &mut sol);
        assert_eq!(sol, vec![2]);
    }

    #[test]
    fn fixed_sites_count_and_closed_ones_make_demand_unreachable() {
        let mut inst = from_sets(3, &[&[0], &[0, 1], &[2], &[1, 2]]);
        inst.weight[1] = 0.0; // ignored
        inst.fixed_open = vec![2];
        let a = set_cover(&inst, 0.0, &Options::default()).expect("coverable");
        assert_eq!((a.sites, a.objective, a.proven_optimal), (vec![0, 2], 2.0, true));
        inst.fixed_open = vec![];
        inst.fixed_closed = vec![2, 3];
        assert_eq!(set_cover(&inst, 0.0, &Options::default()), Err(Infeasible::Unreachable(vec![2])));
    }
}
