//! The p-median problem with a certified optimality gap.
//!
//! Choose `p` of the candidate sites so that the demand-weighted travel cost to the nearest
//! chosen site is least: `min Σ_i w_i · min_{j ∈ S} c_ij` over `|S| = p`, with some sites
//! fixed open and some fixed closed (existing units kept or excluded).
//!
//! # Method
//! - **Upper bound** (a solution): greedy addition, then vertex substitution (Teitz & Bart
//!   1968): swap a chosen site for an unchosen one while that lowers the cost, best swap
//!   first, until no swap does.
//! - **Lower bound**: Lagrangian relaxation of the assignment constraints (Cornuéjols,
//!   Fisher & Nemhauser 1977) with subgradient optimisation (Held, Wolfe & Crowder 1974):
//!   for multipliers λ, `L(λ) = Σ_i λ_i + Σ_{j ∈ S(λ)} Σ_i min(0, w_i c_ij − λ_i)` where
//!   `S(λ)` takes the `p` most negative site sums (fixed sites forced). Every `L(λ)` is a
//!   valid lower bound; the best is kept.
//! - **Exact** when the number of choices `C(free, p − fixed)` is at most
//!   [`Options::enumerate_up_to`]: every choice is evaluated and the optimum is proven.
//!
//! The answer reports objective, lower bound and gap, and whether optimality is proven.
//! Deterministic: no randomness, ties to the lower site index.
//!
//! # Complexity
//! Costs are dense, n demands × m sites. Greedy O(p·n·m); one substitution pass O(p·m·n);
//! one subgradient step O(n·m + m log m).
//!
//! # Example
//! ```
//! use pave::analysis::locate::{p_median, Instance, Options};
//! // Three demands on a line at 0, 1 and 10; sites at the same places.
//! let at = [0.0f64, 1.0, 10.0];
//! let cost: Vec<Vec<f64>> = at.iter().map(|a| at.iter().map(|b| (a - b).abs()).collect()).collect();
//! let instance = Instance { weight: vec![1.0; 3], cost, fixed_open: vec![], fixed_closed: vec![] };
//! let answer = p_median(&instance, 2, &Options::default()).expect("feasible");
//! assert_eq!(answer.sites, vec![0, 2]); // or 1 and 2: equal cost 1, ties to the lower index
//! assert_eq!(answer.objective, 1.0);
//! assert!(answer.proven_optimal);
//! ```

use super::{Answer, Infeasible, Instance, Options, choices};

/// The cost of choosing `sites`.
pub fn cost_of(inst: &Instance, sites: &[usize]) -> f64 {
    inst.cost
        .iter()
        .zip(&inst.weight)
        .map(|(row, w)| if *w == 0.0 { 0.0 } else { w * sites.iter().map(|&j| row[j]).fold(f64::INFINITY, f64::min) })
        .sum()
}

/// Solves the p-median problem (see the module).
pub fn p_median(inst: &Instance, p: usize, opt: &Options) -> Result<Answer, Infeasible> {
    let m = inst.cost.first().map_or(0, Vec::len);
    let mut allowed: Vec<bool> = vec![true; m];
    for &j in &inst.fixed_closed {
        allowed[j] = false;
    }
    let fixed: Vec<usize> = {
        let mut f = inst.fixed_open.clone();
        f.sort_unstable();
        f.dedup();
        f
    };
    let n_allowed = allowed.iter().filter(|a| **a).count();
    if p < fixed.len() || p > n_allowed {
        return Err(Infeasible::P { p, fixed_open: fixed.len(), allowed: n_allowed });
    }
    let unreachable: Vec<usize> = (0..inst.cost.len())
        .filter(|&i| inst.weight[i] > 0.0 && !(0..m).any(|j| allowed[j] && inst.cost[i][j].is_finite()))
        .collect();
    if !unreachable.is_empty() {
        return Err(Infeasible::Unreachable(unreachable));
    }
    let free: Vec<usize> = (0..m).filter(|&j| allowed[j] && !fixed.contains(&j)).collect();
    let k = p - fixed.len();
    if choices(free.len(), k) <= opt.enumerate_up_to {
        let (sites, objective) = enumerate(inst, &fixed, &free, k);
        return Ok(Answer {
            sites,
            objective,
            lower_bound: objective,
            upper_bound: objective,
            gap: 0.0,
            proven_optimal: true,
        });
    }
    let mut sites = greedy(inst, &fixed, &free, k);
    substitute(inst, &fixed, &free, &mut sites);
    sites.sort_unstable();
    let objective = cost_of(inst, &sites);
    let lower_bound = lagrangian(inst, &fixed, &free, k, objective, opt).min(objective);
    let gap = if objective > 0.0 { (objective - lower_bound) / objective } else { 0.0 };
    Ok(Answer { sites, objective, lower_bound, upper_bound: objective, gap, proven_optimal: gap <= opt.gap })
}

fn enumerate(inst: &Instance, fixed: &[usize], free: &[usize], k: usize) -> (Vec<usize>, f64) {
    let mut pick: Vec<usize> = (0..k).collect();
    let mut best: Option<(f64, Vec<usize>)> = None;
    loop {
        let mut sites: Vec<usize> = fixed.iter().copied().chain(pick.iter().map(|&t| free[t])).collect();
        sites.sort_unstable();
        let c = cost_of(inst, &sites);
        if best.as_ref().is_none_or(|b| c < b.0 || (c == b.0 && sites < b.1)) {
            best = Some((c, sites));
        }
        // Next combination in lexicographic order.
        let mut i = k;
        loop {
            if i == 0 {
                let (c, s) = best.unwrap_or((f64::INFINITY, Vec::new()));
                return (s, c);
            }
            i -= 1;
            if pick[i] < free.len() - k + i {
                pick[i] += 1;
                for t in i + 1..k {
                    pick[t] = pick[t - 1] + 1;
                }
                break;
            }
        }
    }
}

fn greedy(inst: &Instance, fixed: &[usize], free: &[usize], k: usize) -> Vec<usize> {
    let mut sites = fixed.to_vec();
    for _ in 0..k {
        let candidates: Vec<usize> = free.iter().copied().filter(|j| !sites.contains(j)).collect();
        let best = candidates
            .into_iter()
            .map(|j| {
                sites.push(j);
                let c = cost_of(inst, &sites);
                sites.pop();
                (c, j)
            })
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        if let Some((_, j)) = best {
            sites.push(j);
        }
    }
    sites
}

/// Teitz–Bart: the best improving swap of a free chosen site for an unchosen one, repeated.
fn substitute(inst: &Instance, fixed: &[usize], free: &[usize], sites: &mut [usize]) {
    let mut current = cost_of(inst, sites);
    loop {
        let mut best: Option<(f64, usize, usize)> = None;
        for slot in 0..sites.len() {
            if fixed.contains(&sites[slot]) {
                continue;
            }
            let out = sites[slot];
            let unchosen: Vec<usize> = free.iter().copied().filter(|j| !sites.contains(j)).collect();
            for j in unchosen {
                sites[slot] = j;
                let c = cost_of(inst, sites);
                if c < current - 1e-12 * current.abs().max(1.0) && best.is_none_or(|b| c < b.0) {
                    best = Some((c, slot, j));
                }
            }
            sites[slot] = out;
        }
        match best {
            Some((c, slot, j)) => {
                sites[slot] = j;
                current = c;
            }
            None => return,
        }
    }
}

/// The best Lagrangian bound found by subgradient optimisation.
fn lagrangian(inst: &Instance, fixed: &[usize], free: &[usize], k: usize, upper: f64, opt: &Options) -> f64 {
    let n = inst.cost.len();
    // Start at each demand's cheapest weighted cost.
    let mut lambda: Vec<f64> = (0..n)
        .map(|i| {
            let w = inst.weight[i];
            let c = free.iter().chain(fixed).map(|&j| inst.cost[i][j]).fold(f64::INFINITY, f64::min);
            if w > 0.0 { w * c } else { 0.0 }
        })
        .collect();
    let mut best = f64::NEG_INFINITY;
    let mut theta = 2.0;
    let mut since = 0;
    let mut rho: Vec<f64> = Vec::new();
    for _ in 0..opt.iterations {
        // Site sums and the chosen set.
        let site = |j: usize, lambda: &[f64]| -> f64 {
            (0..n).map(|i| (inst.weight[i] * inst.cost[i][j] - lambda[i]).min(0.0)).filter(|v| v.is_finite()).sum()
        };
        rho.clear();
        rho.extend(free.iter().map(|&j| site(j, &lambda)));
        let mut order: Vec<usize> = (0..free.len()).collect();
        order.sort_by(|&a, &b| rho[a].total_cmp(&rho[b]).then(a.cmp(&b)));
        let chosen: Vec<usize> = fixed.iter().copied().chain(order[..k].iter().map(|&t| free[t])).collect();
        let value: f64 = lambda.iter().sum::<f64>()
            + fixed.iter().map(|&j| site(j, &lambda)).sum::<f64>()
            + order[..k].iter().map(|&t| rho[t]).sum::<f64>();
        if best == f64::NEG_INFINITY || value > best + 1e-12 * best.abs().max(1.0) {
            best = value;
            since = 0;
        } else {
            since += 1;
            if since >= 30 {
                theta /= 2.0;
                since = 0;
            }
        }
        if upper - best <= opt.gap * upper.abs() || theta < 1e-8 {
            break;
        }
        // Subgradient: 1 − (chosen sites where the demand's reduced cost is negative).
        let g: Vec<f64> = (0..n)
            .map(|i| {
                1.0 - chosen.iter().filter(|&&j| inst.weight[i] * inst.cost[i][j] - lambda[i] < 0.0).count() as f64
            })
            .collect();
        let norm: f64 = g.iter().map(|x| x * x).sum();
        if norm == 0.0 {
            break; // the relaxed solution is feasible: the bound is the optimum
        }
        let step = theta * (upper - value) / norm;
        for i in 0..n {
            lambda[i] = (lambda[i] + step * g[i]).max(0.0);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn brute(inst: &Instance, p: usize) -> f64 {
        let m = inst.cost[0].len();
        let mut best = f64::INFINITY;
        for mask in 0u32..(1 << m) {
            let sites: Vec<usize> = (0..m).filter(|j| mask & (1 << j) != 0).collect();
            if sites.len() == p
                && inst.fixed_open.iter().all(|j| sites.contains(j))
                && !inst.fixed_closed.iter().any(|j| sites.contains(j))
            {
                best = best.min(cost_of(inst, &sites));
            }
        }
        best
    }

    fn instance(seed: u64, n: usize, m: usize) -> Instance {
        let mut rng = crate::sample::rng::Rng::new(seed);
        let demand: Vec<(f64, f64)> = (0..n).map(|_| (rng.range(0.0, 100.0), rng.range(0.0, 100.0))).collect();
        let sites: Vec<(f64, f64)> = (0..m).map(|_| (rng.range(0.0, 100.0), rng.range(0.0, 100.0))).collect();
        Instance {
            weight: (0..n).map(|_| rng.range(0.0, 5.0).round()).collect(),
            cost: demand
                .iter()
                .map(|d| sites.iter().map(|s| ((d.0 - s.0).hypot(d.1 - s.1)).round()).collect())
                .collect(),
            fixed_open: vec![],
            fixed_closed: vec![],
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Enumeration is exact; without it the heuristic is never below the optimum and the
        /// Lagrangian bound never above it.
        #[test]
        fn bounds_bracket_the_brute_force_optimum(seed in 0u64..u64::MAX, n in 1usize..25, m in 2usize..10, p in 1usize..5, fix in 0usize..3) {
            let p = p.min(m);
            let mut inst = instance(seed, n, m);
            if fix == 1 { inst.fixed_open = vec![m - 1]; }
            if fix == 2 { inst.fixed_closed = vec![0]; }
            let optimum = brute(&inst, p);
            match p_median(&inst, p, &Options::default()) {
                Ok(exact) => {
                    prop_assert!(exact.proven_optimal);
                    prop_assert!((exact.objective - optimum).abs() <= 1e-9 * optimum.max(1.0));
                    let heuristic = p_median(&inst, p, &Options { enumerate_up_to: 0, ..Options::default() }).expect("feasible");
                    prop_assert!(heuristic.objective >= optimum - 1e-9 * optimum.max(1.0));
                    prop_assert!(heuristic.lower_bound <= optimum + 1e-6 * optimum.max(1.0), "bound {} above the optimum {}", heuristic.lower_bound, optimum);
                    // And useful: within 10 % of the optimum on these small instances.
                    prop_assert!(heuristic.lower_bound >= 0.9 * optimum - 1e-9, "bound {} far below the optimum {}", heuristic.lower_bound, optimum);
                    prop_assert!((cost_of(&inst, &heuristic.sites) - heuristic.objective).abs() < 1e-9);
                    prop_assert_eq!(heuristic.sites.len(), p);
                }
                Err(Infeasible::P { .. }) => prop_assert!(optimum.is_infinite()),
                Err(e) => prop_assert!(false, "{e:?}"),
            }
        }
    }

    #[test]
    fn medium_instances_get_tight_certified_bounds() {
        for seed in 0..5 {
            let inst = instance(seed, 300, 25);
            let exact = p_median(&inst, 4, &Options::default()).expect("feasible");
            assert!(exact.proven_optimal);
            let a = p_median(&inst, 4, &Options { enumerate_up_to: 0, ..Options::default() }).expect("feasible");
            assert!(a.lower_bound <= exact.objective + 1e-6 && exact.objective <= a.objective + 1e-6);
            assert!(
                a.gap <= 0.02,
                "seed {seed}: gap {:.4} (bound {}, solution {}, optimum {})",
                a.gap,
                a.lower_bound,
                a.objective,
                exact.objective
            );
        }
    }

    #[test]
    fn unreachable_demand_is_named() {
        let inst = Instance {
            weight: vec![1.0, 2.0],
            cost: vec![vec![1.0, f64::INFINITY], vec![f64::INFINITY, f64::INFINITY]],
            fixed_open: vec![],
            fixed_closed: vec![],
        };
        assert_eq!(p_median(&inst, 1, &Options::default()), Err(Infeasible::Unreachable(vec![1])));
    }

    #[test]
    fn the_lagrangian_gap_closes_on_a_clustered_instance() {
        // Four clusters of demand, four sites at their centres: the optimum is obvious and
        // the bound must prove it.
        let centres = [(0.0, 0.0), (100.0, 0.0), (0.0, 100.0), (100.0, 100.0)];
        let mut demand = Vec::new();
        for c in centres {
            for k in 0..5 {
                demand.push((c.0 + k as f64, c.1));
            }
        }
        let mut sites: Vec<(f64, f64)> = centres.to_vec();
        sites.extend([(50.0, 50.0), (50.0, 0.0), (0.0, 50.0), (60.0, 40.0)]);
        let inst = Instance {
            weight: vec![1.0; demand.len()],
            cost: demand.iter().map(|d| sites.iter().map(|s| (d.0 - s.0).hypot(d.1 - s.1)).collect()).collect(),
            fixed_open: vec![],
            fixed_closed: vec![],
        };
        let a = p_median(&inst, 4, &Options { enumerate_up_to: 0, ..Options::default() }).expect("feasible");
        assert_eq!(a.sites, vec![0, 1, 2, 3]);
        assert!(a.gap < 1e-6, "gap {}", a.gap);
        assert!(a.proven_optimal || a.gap < 1e-6);
    }
}
