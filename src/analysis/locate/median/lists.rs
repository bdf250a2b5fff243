//! Sorted cost lists for the p-median solver ([`super`]).
//!
//! For each demand with positive weight, its allowed sites with a finite cost, cheapest first
//! (ties to the lower index). Only a head of each list is stored, laid out tier by tier so
//! that passes over all demands that read the first entries stream through memory; entries
//! beyond the head are read from the cost matrix. An index by site gives the demands whose
//! head holds a site. The parallel sums are taken over fixed blocks of demands in order, so
//! they do not depend on the number of threads.

use crate::analysis::locate::Instance;
use rayon::prelude::*;

/// No site.
pub(super) const NONE: u32 = u32::MAX;
/// Demands per block of a parallel sum.
const BLOCK: usize = 256;

/// A demand's head (cost, site), whether it is the whole list, and its largest finite cost.
type Head = (Vec<(f64, u32)>, bool, f64);

/// For each demand with positive weight, its cheapest allowed sites with a finite cost in
/// order (ties to the lower index): a head of `tiers · size` entries (padded with
/// `(∞, NONE)`), laid out tier by tier — entries `size · t ..` of every demand together — so
/// that a pass over all demands that reads only the first entries streams through memory.
/// Costs beyond the head are read from the cost matrix.
pub(super) struct Lists<'a> {
    pub(super) inst: &'a Instance,
    allowed: &'a [bool],
    /// Weight per listed demand.
    pub(super) w: Vec<f64>,
    /// The instance row of each listed demand.
    pub(super) row: Vec<usize>,
    /// Tiers of the head, and entries per demand in a tier.
    pub(super) tiers: usize,
    pub(super) size: usize,
    /// `(cost, site)` pairs, tier by tier, demand by demand.
    item: Vec<(f64, u32)>,
    /// Per demand: the head holds every finite allowed cost.
    pub(super) complete: Vec<bool>,
    /// Per site: the demands whose head holds it, with its rank there.
    pub(super) by_site: Vec<Vec<(u32, u32)>>,
    /// Number of sites.
    pub(super) m: usize,
    /// Cost charged to a demand that no open site reaches, large enough that serving one
    /// more demand outweighs any change of the finite costs (capped for precision).
    pub(super) big: f64,
}

/// `a` after `b` in list order.
pub(super) fn after(a: (f64, u32), b: (f64, u32)) -> bool {
    a.0 > b.0 || (a.0 == b.0 && a.1 > b.1)
}

impl<'a> Lists<'a> {
    pub(super) fn new(inst: &'a Instance, allowed: &'a [bool], hot: usize, size: usize) -> Lists<'a> {
        let row: Vec<usize> = (0..inst.cost.len()).filter(|&i| inst.weight[i] > 0.0).collect();
        let tiers = hot.div_ceil(size).max(1);
        let order = |a: &(f64, u32), b: &(f64, u32)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
        let heads: Vec<Head> = row
            .par_iter()
            .map(|&i| {
                let mut v: Vec<(f64, u32)> = (inst.cost[i].iter().enumerate())
                    .filter(|&(j, c)| allowed[j] && c.is_finite())
                    .map(|(j, &c)| (c, j as u32))
                    .collect();
                let c_max = v.iter().fold(0.0f64, |a, x| a.max(x.0.abs()));
                let complete = v.len() <= tiers * size;
                if !complete {
                    v.select_nth_unstable_by(tiers * size - 1, order);
                    v.truncate(tiers * size);
                    v.shrink_to_fit();
                }
                v.sort_unstable_by(order);
                (v, complete, c_max)
            })
            .collect();
        let n = row.len();
        let mut item = vec![(f64::INFINITY, NONE); tiers * n * size];
        for (u, h) in heads.iter().enumerate() {
            for (r, &x) in h.0.iter().enumerate() {
                item[((r / size) * n + u) * size + r % size] = x;
            }
        }
        let w: Vec<f64> = row.iter().map(|&i| inst.weight[i]).collect();
        let c_max = heads.iter().fold(0.0f64, |a, h| a.max(h.2));
        let (total, least) = w.iter().fold((0.0, f64::INFINITY), |(t, l), &x| (t + x, l.min(x)));
        let big = (c_max + 1.0) * (total / least + 1.0).min(1e6);
        let complete = heads.iter().map(|h| h.1).collect();
        let mut by_site = vec![Vec::new(); allowed.len()];
        for (u, h) in heads.iter().enumerate() {
            h.0.iter().enumerate().for_each(|(r, x)| by_site[x.1 as usize].push((u as u32, r as u32)));
        }
        let m = allowed.len();
        Lists { inst, allowed, w, row, tiers, size, item, complete, by_site, m, big }
    }

    pub(super) fn len(&self) -> usize {
        self.w.len()
    }

    /// Tier `t` of demand `u`'s head.
    pub(super) fn tier(&self, u: usize, t: usize) -> &[(f64, u32)] {
        let at = (t * self.len() + u) * self.size;
        &self.item[at..at + self.size]
    }

    /// The last entry of a full head.
    pub(super) fn last(&self, u: usize) -> (f64, u32) {
        self.tier(u, self.tiers - 1)[self.size - 1]
    }

    /// Visits the entries `(c, j)` of demand `u` with `keep(c)` (`keep` true up to some
    /// cost, false at ∞): the head cheapest first, then any beyond it in site order.
    pub(super) fn scan(&self, u: usize, keep: impl Fn(f64) -> bool, mut visit: impl FnMut(f64, u32)) {
        for t in 0..self.tiers {
            for &(c, j) in self.tier(u, t) {
                if !keep(c) {
                    return;
                }
                visit(c, j);
            }
        }
        if !self.complete[u] {
            let last = self.last(u);
            for (j, &c) in self.inst.cost[self.row[u]].iter().enumerate() {
                if self.allowed[j] && c.is_finite() && keep(c) && after((c, j as u32), last) {
                    visit(c, j as u32);
                }
            }
        }
    }

    /// `Σ_u min(0, w_u c_uj − v_u)` per site `j`, summed over fixed blocks in order; and per
    /// demand how many entries are negative (more than the head: some beyond it).
    pub(super) fn reduced_sums(&self, v: &[f64]) -> (Vec<f64>, Vec<u32>) {
        let mut reach = vec![0u32; self.len()];
        let parts: Vec<Vec<f64>> = (reach.par_chunks_mut(BLOCK).enumerate())
            .map(|(b, reach)| {
                let mut acc = vec![0.0; self.m];
                for (u, count) in (b * BLOCK..).zip(reach) {
                    let (w, t) = (self.w[u], v[u]);
                    self.scan(
                        u,
                        |c| w * c - t < 0.0,
                        |c, j| {
                            acc[j as usize] += w * c - t;
                            *count += 1;
                        },
                    );
                }
                acc
            })
            .collect();
        let mut sum = vec![0.0; self.m];
        for part in parts {
            sum.iter_mut().zip(part).for_each(|(s, x)| *s += x);
        }
        (sum, reach)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// A scan visits exactly the allowed finite entries below a cost, the head in list
        /// order; the reduced sums and the index by site agree with the dense matrix.
        #[test]
        fn lists_agree_with_the_dense_matrix(seed in 0u64..u64::MAX, n in 1usize..20, m in 1usize..12, hot in 1usize..8, size in 1usize..4) {
            let mut rng = crate::sample::rng::Rng::new(seed);
            let inst = Instance {
                weight: (0..n).map(|_| rng.int(0, 3) as f64).collect(),
                cost: (0..n).map(|_| (0..m).map(|_| if rng.chance(0.3) { f64::INFINITY } else { rng.int(0, 9) as f64 }).collect()).collect(),
                fixed_open: vec![],
                fixed_closed: vec![],
            };
            let allowed: Vec<bool> = (0..m).map(|_| rng.chance(0.8)).collect();
            let lists = Lists::new(&inst, &allowed, hot.min(m), size);
            let v: Vec<f64> = (0..lists.len()).map(|_| rng.range(0.0, 40.0)).collect();
            let (sums, reach) = lists.reduced_sums(&v);
            let mut dense = vec![0.0; m];
            for u in 0..lists.len() {
                let (i, w) = (lists.row[u], lists.w[u]);
                prop_assert!(w > 0.0);
                let limit = rng.range(0.0, 12.0);
                let mut seen = Vec::new();
                lists.scan(u, |c| c < limit, |c, j| seen.push((c, j)));
                let head = seen.len().min(lists.tiers * lists.size);
                prop_assert!(seen[..head].windows(2).all(|x| after(x[1], x[0])));
                seen.sort_by_key(|a| a.1);
                let want: Vec<(f64, u32)> = (0..m).filter(|&j| allowed[j] && inst.cost[i][j] < limit).map(|j| (inst.cost[i][j], j as u32)).collect();
                prop_assert_eq!(seen, want);
                let negative = (0..m).filter(|&j| allowed[j] && w * inst.cost[i][j] < v[u]).count();
                prop_assert_eq!(reach[u] as usize, negative);
                (0..m).filter(|&j| allowed[j] && w * inst.cost[i][j] < v[u]).for_each(|j| dense[j] += w * inst.cost[i][j] - v[u]);
            }
            for j in 0..m {
                prop_assert!((sums[j] - dense[j]).abs() <= 1e-9 * (1.0 + dense[j].abs()));
                for &(u, r) in &lists.by_site[j] {
                    let t = r as usize / lists.size;
                    prop_assert_eq!(lists.tier(u as usize, t)[r as usize % lists.size].1 as usize, j);
                }
            }
            let held: usize = lists.by_site.iter().map(Vec::len).sum();
            let heads: usize = (0..lists.len()).map(|u| (0..lists.tiers).map(|t| lists.tier(u, t).iter().filter(|x| x.1 != NONE).count()).sum::<usize>()).sum();
            prop_assert_eq!(held, heads);
        }
    }
}
