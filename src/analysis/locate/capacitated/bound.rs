//! The bound side of the capacitated search: the greedy gain `G_j` over a site's places
//! polymatroid, the Lagrangian relaxation with subgradient optimisation, variable fixing at
//! the best multipliers, and branching over the free sites (see the parent module).

use super::{CapInstance, CapPool, Search, below};
use crate::analysis::locate::assignment::accepts;
use crate::analysis::locate::{Options, choices};

/// A site for the greedy gain `G_j`: classes mapped to local bits, the rank (places) of every
/// set of local classes, and the demands it may serve with their costs.
pub(super) struct Site {
    local: [u8; 32],
    rank: Vec<f64>,
    pub(super) reach: Vec<(usize, f64)>,
}

pub(super) fn sites_of(inst: &CapInstance) -> Vec<Site> {
    (0..inst.opening_cost.len())
        .map(|j| {
            let pools: Vec<&CapPool> = inst.pools.iter().filter(|p| p.site == j).collect();
            let mask = pools.iter().fold(0u32, |a, p| a | p.accepts);
            let merged = mask.count_ones() > 8;
            let (mut local, mut bits) = ([u8::MAX; 32], 0u8);
            for class in (0..32).filter(|&c| accepts(mask, c)) {
                local[class as usize] = if merged { 0 } else { bits };
                bits += 1;
            }
            let bits = if merged { 1 } else { bits };
            let lmask = |p: &CapPool| {
                (0..32u8).filter(|&c| accepts(p.accepts, c)).fold(0usize, |a, c| a | 1 << local[c as usize])
            };
            let rank = (0..1usize << bits)
                .map(|s| pools.iter().filter(|p| lmask(p) & s != 0).map(|p| p.capacity.max(0.0)).sum())
                .collect();
            let reach = (0..inst.weight.len())
                .filter(|&i| inst.weight[i] > 0.0 && accepts(mask, inst.class[i]))
                .filter_map(|i| (inst.cost[i][j] < inst.unserved_cost).then_some((i, inst.cost[i][j])))
                .collect();
            Site { local, rank, reach }
        })
        .collect()
}

/// Per `t`, the most the values after `t` can add: the sum of the `r − 1` largest
/// (`need = Some(r)`) or of all positive ones.
pub(super) fn best_after(v: &[f64], need: Option<usize>) -> Vec<f64> {
    let (mut out, mut top, mut positive) = (vec![0.0; v.len()], Vec::<f64>::new(), 0.0);
    for t in (0..v.len()).rev() {
        out[t] = if need.is_some() { top.iter().sum() } else { positive };
        positive += v[t].max(0.0);
        if let Some(r) = need {
            top.insert(top.partition_point(|&x| x >= v[t]), v[t]);
            top.truncate(r.saturating_sub(1));
        }
    }
    out
}

impl Search<'_> {
    /// `G_j(lam)`: the greedy over site `j`'s polymatroid, best value per unit first; the
    /// amounts taken go to `out`.
    pub(super) fn gain(&mut self, j: usize, lam: &[f64], mut out: Option<&mut Vec<(usize, f64)>>) -> f64 {
        let (inst, site) = (self.inst, &self.sites[j]);
        let (cand, slack) = (&mut self.cand, &mut self.slack);
        let mut need = [0.0f64; 8];
        cand.clear();
        for &(i, c) in &site.reach {
            if lam[i] > c {
                cand.push((lam[i] - c, i));
                need[site.local[inst.class[i] as usize] as usize] += inst.weight[i];
            }
        }
        slack.clear();
        slack.extend_from_slice(&site.rank);
        let full = slack.len() - 1;
        // If every candidate fits whole, no order is needed.
        let fits = (1..=full).all(|s| (0..8).filter(|l| s >> l & 1 == 1).map(|l| need[l]).sum::<f64>() <= slack[s]);
        let order = |a: &(f64, usize), b: &(f64, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        let (mut total, mut sorted) = (0.0, if fits { cand.len() } else { 0 });
        for t in 0..cand.len() {
            if t == sorted {
                // Sort a growing prefix only: the places are often full long before the end.
                sorted = (2 * sorted).max(64).min(cand.len());
                if sorted < cand.len() {
                    cand[t..].select_nth_unstable_by(sorted - t - 1, order);
                }
                cand[t..sorted].sort_unstable_by(order);
            }
            let (v, i) = cand[t];
            let mut amount = inst.weight[i];
            if !fits {
                let bit = 1usize << site.local[inst.class[i] as usize];
                amount = (1..=full).filter(|s| s & bit != 0).fold(amount, |a, s| a.min(slack[s]));
                if amount <= 0.0 {
                    if slack[full] <= 0.0 {
                        break;
                    }
                    continue;
                }
                for s in (1..=full).filter(|s| s & bit != 0) {
                    slack[s] -= amount;
                }
            }
            total += amount * v;
            if let Some(o) = out.as_deref_mut() {
                o.push((i, amount));
            }
        }
        total
    }

    /// Lagrangian variable fixing at the best multipliers: the free sites whose forced exclusion
    /// (inclusion) lifts the bound to the incumbent: in (out of) every better solution.
    pub(super) fn fixing(&self) -> (Vec<usize>, Vec<usize>) {
        let mut order = self.free.clone();
        order.sort_by(|&a, &b| self.val[a].total_cmp(&self.val[b]).then(a.cmp(&b)));
        let take = self.k.unwrap_or_else(|| order.iter().take_while(|&&j| self.val[j] < 0.0).count());
        let chosen: f64 = order[..take].iter().map(|&j| self.val[j]).sum();
        let lag = self.lag0 + self.fixed.iter().map(|&j| self.val[j]).sum::<f64>() + chosen;
        let (cut, last, next) = (below(self.best.0), take.checked_sub(1), order.get(take));
        let (mut inn, mut out) = (Vec::new(), Vec::new());
        for (t, &j) in order.iter().enumerate() {
            // The bound with `j` swapped in for the last chosen one, or out for the next one.
            let swap = if t < take { next.map(|&o| self.val[o]) } else { last.map(|l| self.val[order[l]]) };
            let forced = match (self.k, t < take) {
                (Some(_), true) => lag - self.val[j] + swap.unwrap_or(f64::INFINITY),
                (Some(_), false) => lag + self.val[j] - swap.unwrap_or(f64::INFINITY),
                (None, _) => lag + self.val[j].abs(),
            };
            if forced >= cut {
                if t < take { inn.push(j) } else { out.push(j) }
            }
        }
        (inn, out)
    }

    /// The choices left by `fixing`, saturating.
    pub(super) fn choices(&self, (inn, out): &(Vec<usize>, Vec<usize>)) -> u64 {
        let free = self.free.len() - inn.len() - out.len();
        match self.k {
            Some(k) => choices(free, k - inn.len()),
            None => 1u64.checked_shl(free as u32).unwrap_or(u64::MAX),
        }
    }

    /// Applies `fixing`: its sites leave the free ones, those forced in join the fixed ones.
    pub(super) fn fix(&mut self, (inn, out): (Vec<usize>, Vec<usize>)) {
        self.free.retain(|j| !inn.contains(j) && !out.contains(j));
        self.fixed.extend(&inn);
        self.fixed.sort_unstable();
        self.k = self.k.map(|k| k - inn.len());
    }

    /// Depth-first enumeration of the sets extending `set` by free sites from index `from` on;
    /// a child is entered only when a bound is below the incumbent: the Lagrangian one at the
    /// best multipliers (`lag`: their value with `set` open) or, where `set` is solved, the
    /// duality one. False when stopped by the time limit.
    pub(super) fn branch(&mut self, set: Vec<usize>, from: usize, lag: f64, until: f64) -> bool {
        if self.secs() > until {
            return false;
        }
        let need = self.k.map(|k| self.fixed.len() + k - set.len());
        let rest: Vec<usize> = if need == Some(0) { Vec::new() } else { self.free[from..].to_vec() };
        let v: Vec<f64> = rest.iter().map(|&j| self.val[j]).collect();
        let least = best_after(&v.iter().map(|x| -x).collect::<Vec<f64>>(), need);
        let mut bound: Vec<f64> = v.iter().zip(&least).map(|(x, e)| lag + x - e).collect();
        let cut = below(self.best.0);
        // Solve `set` when it is a solution, or its children are and one may beat the incumbent.
        if need.is_none_or(|r| r == 0) || (need == Some(1) && bound.iter().any(|&b| b < cut)) {
            let last = self.last.take();
            let f = self.solver.solve(&set, last.as_ref(), true);
            if need.is_none_or(|r| r == 0) {
                self.offer(f.cost, &set);
            }
            let g: Vec<f64> = rest.iter().map(|&j| self.gain(j, &f.u, None) - self.inst.opening_cost[j]).collect();
            for ((b, e), x) in bound.iter_mut().zip(best_after(&g, need)).zip(&g) {
                *b = b.max(f.dual - x - e);
            }
            self.last = Some(f);
        }
        for t in 0..rest.len() {
            if need.is_some_and(|r| rest.len() - t < r) {
                break;
            }
            if bound[t] < below(self.best.0) {
                let mut child = set.clone();
                child.push(rest[t]);
                child.sort_unstable();
                if !self.branch(child, from + t + 1, lag + v[t], until) {
                    return false;
                }
            }
        }
        true
    }

    /// Subgradient optimisation of `L(λ)` from `lam`: the best bound and the latest distinct
    /// site sets of the subproblems that raised it.
    pub(super) fn lagrangian(&mut self, mut lam: Vec<f64>, opt: &Options, until: f64) -> (f64, Vec<Vec<usize>>) {
        let inst = self.inst;
        let (n, big, upper) = (inst.weight.len(), inst.unserved_cost, self.best.0);
        let all: Vec<usize> = self.fixed.iter().chain(&self.free).copied().collect();
        let (mut best, mut theta, mut since) = (f64::NEG_INFINITY, 2.0, 0);
        let (mut val, mut g, mut y) = (vec![0.0; inst.opening_cost.len()], vec![0.0; n], Vec::new());
        let mut sets: Vec<Vec<usize>> = Vec::new();
        for it in 0..opt.iterations.max(1) {
            if it > 0 && self.secs() > until {
                break;
            }
            for &j in &all {
                val[j] = self.inst.opening_cost[j] - self.gain(j, &lam, None);
            }
            let mut order = self.free.clone();
            order.sort_by(|&a, &b| val[a].total_cmp(&val[b]).then(a.cmp(&b)));
            let take = self.k.unwrap_or_else(|| order.iter().take_while(|&&j| val[j] < 0.0).count());
            let mut chosen: Vec<usize> = self.fixed.iter().chain(&order[..take]).copied().collect();
            chosen.sort_unstable();
            let base = (0..n).map(|i| inst.weight[i].max(0.0) * lam[i].min(big)).sum::<f64>();
            let value = base + chosen.iter().map(|&j| val[j]).sum::<f64>();
            if best == f64::NEG_INFINITY || value > best + 1e-12 * best.abs().max(1.0) {
                (best, since, self.lag0) = (value, 0, base);
                self.val.clone_from(&val);
                if !sets.contains(&chosen) {
                    sets.push(chosen.clone());
                    if sets.len() > 20 {
                        sets.remove(0);
                    }
                }
            } else {
                since += 1;
                if since >= 30 {
                    theta /= 2.0;
                    since = 0;
                }
            }
            // Stop when the gap is closed, or enough sites are fixed to enumerate the rest.
            let few = it % 50 == 49 && self.choices(&self.fixing()) <= opt.enumerate_up_to;
            if upper - best <= opt.gap * upper.abs() || theta < 1e-8 || few {
                break;
            }
            // Subgradient: w_i − z_i − Σ_{j chosen} y_ij.
            for i in 0..n {
                g[i] = if lam[i] > big { 0.0 } else { inst.weight[i].max(0.0) };
            }
            for &j in &chosen {
                y.clear();
                self.gain(j, &lam, Some(&mut y));
                for &(i, a) in &y {
                    g[i] -= a;
                }
            }
            let norm: f64 = g.iter().map(|v| v * v).sum();
            if norm == 0.0 {
                break;
            }
            let step = theta * (upper - value) / norm;
            for i in 0..n {
                lam[i] += step * g[i];
            }
        }
        (best, sets)
    }
}
