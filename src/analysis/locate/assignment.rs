//! The assignment of divisible demand to capacitated pools of places, for a given set of open
//! sites: a transportation problem, solved exactly (used by
//! [`capacitated`](super::capacitated())).
//!
//! # Problem
//! For open sites `S`: `min Σ_{i,k} x_ik·c_{i,site(k)} + U·Σ_i (w_i − Σ_k x_ik)` over flows
//! `x ≥ 0` from demand `i` to the pools `k` of `S` that accept its class, with `Σ_k x_ik ≤ w_i`
//! and `Σ_i x_ik ≤ cap_k`; plus the opening costs of `S` (see [`CapInstance`]).
//!
//! # Method
//! Successive shortest paths with node potentials (Tomizawa 1971; Edmonds & Karp 1972; Ahuja,
//! Magnanti & Orlin 1993, ch. 9) on the graph contracted to the pools, with a node "unserved"
//! (cost `U`, unlimited) and a sink. The instance is kept sparse: per demand only the pools it
//! may use (class accepted, cost below `U`). The potentials are the pools' prices and every
//! demand sits at a node of least `c + price`, so every search is Dijkstra's on reduced costs
//! `≥ 0`; moving demand from node `a` to node `b` costs the least `c_ib − c_ia` over the demands
//! at `a`, kept per arc in a lazy heap built when a search first reaches the pool.
//! - Cold start: each pool at the least price at which the demands preferring it to being
//!   unserved fit its places (an upper bound on its price); every demand at its cheapest node.
//! - Warm start, from the optimal flow of another site set: its flows and prices; the demands
//!   of closed pools go to their cheapest node, and each new pool enters at the least price at
//!   which the demands preferring it fit, taking them.
//!
//! Either leaves pools over full, and priced pools with free places. The excess of each
//! over-full pool is pushed along shortest paths to the sink (through "unserved" or a pool with
//! free places); then each short pool is filled by a shortest path found backwards (unserved
//! demand or a neighbour's demand moving in, or its price falling). A demand's consecutive
//! moves on a path are merged into one (else the amount it has at the middle pool would bound
//! every augmentation without being used up). Exact for `f64` data up to rounding (amounts
//! within `1e-12 · max w` of zero are zero; reduced costs within `1e-12 · U` are ties).
//!
//! With duals, each pool gets the least optimal dual price, what one more place there saves:
//! its price less its reduced distance from the sink (one more Dijkstra). With the demand duals
//! `u_i = min(U, min_k c_ik + price_k)` they are an optimal dual solution; its objective
//! `Σ_i w_i u_i − Σ_k cap_k price_k` (= the cost) and the least `u` let the location search
//! bound its moves as tightly as the duals allow. Deterministic: ties to the lower index.
//!
//! # Complexity
//! `n` demands, `r` pools within reach of a demand. Memory `O(n·r)`: the sparse instance (built
//! once per solver) and the heaps of the pools the searches reach. A solve: `O(n)` to start and
//! one Dijkstra per augmentation, over the pools nearer than its end; a pool's arcs cost
//! `O(d·r·log)` when first reached (`d` its demands). About one augmentation per demand moved:
//! for a cold start about `n`, for a warm one the demand of the sites changed. Duals: `O(n·r)`.
//! Measured (2 shared cores), 30,000 demands, 714 open pools, 46 (89) pools in reach: a cold
//! solve with duals 1 s (2.5–3 s); a warm one, a site added or dropped, 30 ms (55 ms).
//!
//! # Example
//! ```
//! use pave::analysis::locate::{CapInstance, CapPool, assignment_cost, capacity_shortfall};
//! // Two cells of Finnish-speaking children (class 0), one of Swedish-speaking (class 1).
//! let inst = CapInstance {
//!     weight: vec![10.0, 10.0, 5.0],
//!     class: vec![0, 0, 1],
//!     cost: vec![vec![1.0, 5.0], vec![5.0, 1.0], vec![2.0, 4.0]],
//!     pools: vec![
//!         CapPool { site: 0, capacity: 12.0, accepts: 0b01 }, // Finnish groups at site 0
//!         CapPool { site: 0, capacity: 5.0, accepts: 0b10 },  // a Swedish group at site 0
//!         CapPool { site: 1, capacity: 20.0, accepts: 0b11 }, // shared places at site 1
//!     ],
//!     opening_cost: vec![0.0, 0.0],
//!     unserved_cost: 100.0,
//!     fixed_open: vec![],
//!     fixed_closed: vec![],
//! };
//! let both = assignment_cost(&inst, &[0, 1]);
//! assert_eq!(both.objective, 10.0 * 1.0 + 10.0 * 1.0 + 5.0 * 2.0);
//! assert_eq!(both.flows, vec![(0, 0, 10.0), (1, 2, 10.0), (2, 1, 5.0)]);
//! // Site 0 alone: 12 Finnish places for 20 Finnish children.
//! let alone = assignment_cost(&inst, &[0]);
//! assert_eq!(alone.unserved, vec![0.0, 8.0, 0.0]);
//! assert_eq!(alone.price[0], 100.0 - 5.0); // one more place serves a child now unserved
//! assert_eq!(capacity_shortfall(&inst, &[0]), vec![(0, 8.0)]);
//! ```

use super::capacitated::CapInstance;
use super::paths::Solver;

/// No node, no demand, no entry.
pub(super) const NONE: u32 = u32::MAX;

/// The optimal assignment for a set of open sites.
#[derive(Clone, Debug, PartialEq)]
pub struct Assignment {
    /// Opening plus travel plus unserved cost.
    pub objective: f64,
    /// `(demand, pool, amount)` for every positive flow, by demand, then pool.
    pub flows: Vec<(usize, usize, f64)>,
    /// Unserved amount per demand.
    pub unserved: Vec<f64>,
    /// Per pool, what one more place there would save (a dual price ≥ 0; 0 when closed).
    pub price: Vec<f64>,
}

/// The least-cost assignment of demand to the pools of `sites` (see the module).
pub fn assignment_cost(inst: &CapInstance, sites: &[usize]) -> Assignment {
    let mut s = Solver::new(Net::new(inst, &|i, j| inst.cost[i][j], inst.unserved_cost));
    let f = s.solve(sites, None, true);
    let (np, mut flows) = (inst.pools.len(), Vec::new());
    let mut unserved = vec![0.0; inst.weight.len()];
    for (i, left) in unserved.iter_mut().enumerate() {
        let start = flows.len();
        flows.extend(f.of(i).filter(|e| e.0 < np).map(|(k, x)| (i, k, x)));
        flows[start..].sort_unstable_by_key(|e| e.1);
        *left = (inst.weight[i].max(0.0) - flows[start..].iter().map(|e| e.2).sum::<f64>()).max(0.0);
    }
    Assignment { objective: f.cost, flows, unserved, price: f.price }
}

/// Per class, the demand that the pools of `sites` cannot take whatever the travel cost (only
/// pairs with an infinite cost are excluded): `(class, shortfall)` for the classes short, by
/// class. The total is the least possible; where pools are shared between classes, which of
/// them is left short is one choice among equals.
pub fn capacity_shortfall(inst: &CapInstance, sites: &[usize]) -> Vec<(u8, f64)> {
    let zero = |i: usize, j: usize| if inst.cost[i][j].is_finite() { 0.0 } else { f64::INFINITY };
    let mut s = Solver::new(Net::new(inst, &zero, 1.0));
    let f = s.solve(sites, None, false);
    let mut short = [0.0f64; 256];
    for i in 0..inst.weight.len() {
        short[inst.class[i] as usize] += f.of(i).filter(|e| e.0 == inst.pools.len()).map(|e| e.1).sum::<f64>();
    }
    let eps = 1e-9 * inst.weight.iter().fold(0.0f64, |a, &b| a.max(b));
    (0..256).filter(|&c| short[c] > eps).map(|c| (c as u8, short[c])).collect()
}

/// The optimal transportation to the pools of `sites`, opening costs and duals included.
#[cfg(test)]
pub(crate) fn evaluate(inst: &CapInstance, sites: &[usize]) -> Flow {
    Solver::new(Net::new(inst, &|i, j| inst.cost[i][j], inst.unserved_cost)).solve(sites, None, true)
}

/// Whether `mask` has the bit of `class`.
pub(crate) fn accepts(mask: u32, class: u8) -> bool {
    class < 32 && (mask >> class) & 1 == 1
}

/// The instance in sparse form, built once: per demand the pools it may use (class accepted,
/// cost below the unserved cost), by pool; per pool the demands that may use it, nearest first.
pub(crate) struct Net {
    pub(super) n: usize,
    pub(super) np: usize,
    pub(super) big: f64,
    /// Amounts at most this are zero; reduced costs within `tol` are ties.
    pub(super) eps: f64,
    pub(super) tol: f64,
    pub(super) total: f64,
    pub(super) w: Vec<f64>,
    pub(super) site: Vec<usize>,
    pub(super) cap: Vec<f64>,
    pub(super) opening: Vec<f64>,
    pub(super) os: Vec<usize>,
    pub(super) opt: Vec<(u32, f64)>,
    pub(super) ns: Vec<usize>,
    pub(super) near: Vec<(u32, f64)>,
}

impl Net {
    /// The sparse form of `inst` with costs `cost(demand, site)`; costs at or above `big`
    /// (the unserved cost) are dropped.
    pub(crate) fn new(inst: &CapInstance, cost: &dyn Fn(usize, usize) -> f64, big: f64) -> Net {
        let (n, m, np) = (inst.weight.len(), inst.opening_cost.len(), inst.pools.len());
        let mut at: Vec<Vec<u32>> = vec![Vec::new(); m];
        for (k, p) in inst.pools.iter().enumerate() {
            at[p.site].push(k as u32);
        }
        let w: Vec<f64> = inst.weight.iter().map(|&x| x.max(0.0)).collect();
        let (mut os, mut opt) = (vec![0], Vec::new());
        for i in 0..n {
            if w[i] > 0.0 {
                for j in (0..m).filter(|&j| !at[j].is_empty()) {
                    let c = cost(i, j);
                    if c < big {
                        let ok = at[j].iter().filter(|&&k| accepts(inst.pools[k as usize].accepts, inst.class[i]));
                        opt.extend(ok.map(|&k| (k, c)));
                    }
                }
                opt[os[i]..].sort_unstable_by_key(|e| e.0);
            }
            os.push(opt.len());
        }
        let mut ns = vec![0usize; np + 1];
        for e in &opt {
            ns[e.0 as usize + 1] += 1;
        }
        for k in 0..np {
            ns[k + 1] += ns[k];
        }
        let (mut near, mut next) = (vec![(0u32, 0.0); opt.len()], ns.clone());
        for i in 0..n {
            for &(k, c) in &opt[os[i]..os[i + 1]] {
                near[next[k as usize]] = (i as u32, c);
                next[k as usize] += 1;
            }
        }
        for k in 0..np {
            near[ns[k]..ns[k + 1]].sort_unstable_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        }
        let wmax = w.iter().fold(0.0f64, |a, &b| a.max(b));
        Net {
            n,
            np,
            big,
            eps: 1e-12 * wmax,
            tol: 1e-12 * big.abs().max(1.0),
            total: w.iter().sum(),
            w,
            site: inst.pools.iter().map(|p| p.site).collect(),
            cap: inst.pools.iter().map(|p| p.capacity.max(0.0)).collect(),
            opening: inst.opening_cost.clone(),
            os,
            opt,
            ns,
            near,
        }
    }

    pub(super) fn opts(&self, i: usize) -> &[(u32, f64)] {
        &self.opt[self.os[i]..self.os[i + 1]]
    }

    pub(super) fn near(&self, k: usize) -> &[(u32, f64)] {
        &self.near[self.ns[k]..self.ns[k + 1]]
    }

    /// The cost of demand `i` at node `v` (a pool it may use, or unserved).
    pub(super) fn cost(&self, i: usize, v: usize) -> Option<f64> {
        if v == self.np {
            return Some(self.big);
        }
        let o = self.opts(i);
        o.binary_search_by_key(&(v as u32), |e| e.0).ok().map(|p| o[p].1)
    }
}

/// One demand's amount at a node and its cost there, in a linked list per demand.
#[derive(Clone, Copy, Debug)]
pub(super) struct Ent {
    pub(super) node: u32,
    pub(super) next: u32,
    pub(super) amt: f64,
    pub(super) cost: f64,
}

/// A solved transportation: sparse flows, loads, flows to the sink and potentials (node `np`
/// is "unserved", `np + 1` the sink); with duals the least optimal pool prices, the demand
/// duals and the dual objective (opening costs included in `cost` and `dual`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Flow {
    pub(super) open: Vec<bool>,
    pub(super) head: Vec<u32>,
    pub(super) ent: Vec<Ent>,
    pub(super) spare: u32,
    pub(super) load: Vec<f64>,
    pub(super) fill: Vec<f64>,
    pub(super) pot: Vec<f64>,
    pub(crate) price: Vec<f64>,
    pub(crate) u: Vec<f64>,
    pub(crate) cost: f64,
    pub(crate) dual: f64,
}

impl Flow {
    pub(super) fn new(n: usize, np: usize) -> Flow {
        let (load, fill, pot) = (vec![0.0; np + 1], vec![0.0; np], vec![0.0; np + 2]);
        Flow { head: vec![NONE; n], spare: NONE, load, fill, pot, ..Flow::default() }
    }

    pub(super) fn ents(&self, i: usize) -> impl Iterator<Item = Ent> + '_ {
        let mut e = self.head[i];
        std::iter::from_fn(move || {
            let t = *self.ent.get(e as usize)?;
            e = t.next;
            Some(t)
        })
    }

    /// `(node, amount)` of demand `i`.
    pub(super) fn of(&self, i: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.ents(i).map(|t| (t.node as usize, t.amt))
    }

    pub(super) fn x(&self, i: usize, v: usize) -> f64 {
        self.ents(i).find(|e| e.node as usize == v).map_or(0.0, |e| e.amt)
    }

    /// Adds `a` of demand `i` at `v` (at `cost()` per unit); true if `i` was not there.
    pub(super) fn put(&mut self, i: usize, v: usize, a: f64, cost: impl FnOnce() -> f64) -> bool {
        self.load[v] += a;
        let mut e = self.head[i];
        while e != NONE {
            if self.ent[e as usize].node == v as u32 {
                self.ent[e as usize].amt += a;
                return false;
            }
            e = self.ent[e as usize].next;
        }
        let new = Ent { node: v as u32, next: self.head[i], amt: a, cost: cost() };
        self.head[i] = if self.spare == NONE { self.ent.len() as u32 } else { self.spare };
        if self.spare == NONE {
            self.ent.push(new);
        } else {
            self.spare = std::mem::replace(&mut self.ent[self.spare as usize], new).next;
        }
        true
    }

    /// Removes `a` of demand `i` at `v` (all of it when at most `eps` would be left): the
    /// amount removed and whether none is left.
    pub(super) fn cut(&mut self, i: usize, v: usize, a: f64, eps: f64) -> (f64, bool) {
        let (mut prev, mut e) = (NONE, self.head[i]);
        while self.ent[e as usize].node != v as u32 {
            (prev, e) = (e, self.ent[e as usize].next);
        }
        let t = self.ent[e as usize];
        let gone = t.amt - a <= eps;
        let moved = if gone { t.amt } else { a };
        self.load[v] -= moved;
        if !gone {
            self.ent[e as usize].amt -= a;
        } else {
            *(if prev == NONE { &mut self.head[i] } else { &mut self.ent[prev as usize].next }) = t.next;
            self.ent[e as usize].next = std::mem::replace(&mut self.spare, e);
        }
        (moved, gone)
    }
}

impl Solver {
    /// Demand `i`'s least `c + pot` over the open pools and unserved, with its node.
    fn argmin(&self, i: usize) -> (f64, usize) {
        let (f, np) = (&self.f, self.net.np);
        let open = self.net.opts(i).iter().filter(|e| f.open[e.0 as usize]);
        open.fold((self.net.big + f.pot[np], np), |b, &(k, c)| {
            if c + f.pot[k as usize] < b.0 { (c + f.pot[k as usize], k as usize) } else { b }
        })
    }

    /// Demand `i`'s least `c + pot` where it is now.
    fn value(&self, i: usize) -> f64 {
        self.f.ents(i).map(|e| e.cost + self.f.pot[e.node as usize]).fold(f64::INFINITY, f64::min)
    }

    /// Moves all of demand `i` to `to` (default: its cheapest node).
    fn reassign(&mut self, i: usize, to: Option<usize>) {
        let mut total = 0.0;
        while self.f.head[i] != NONE {
            let e = self.f.ent[self.f.head[i] as usize];
            total += self.f.cut(i, e.node as usize, e.amt, 0.0).0;
        }
        let v = to.unwrap_or_else(|| self.argmin(i).1);
        self.f.put(i, v, total, || self.net.cost(i, v).unwrap_or(f64::INFINITY));
    }

    /// The least price of pool `k` at which the demands preferring it to `alt(i)` fit its
    /// places.
    fn quantile(&self, k: usize, alt: &dyn Fn(usize) -> f64, th: &mut Vec<(f64, f64)>) -> f64 {
        th.clear();
        for &(i, c) in self.net.near(k) {
            let t = alt(i as usize) - c;
            if t > self.net.tol {
                th.push((t, self.net.w[i as usize]));
            }
        }
        let (cap, mut acc) = (self.net.cap[k] + self.net.eps, 0.0);
        if th.iter().map(|e| e.1).sum::<f64>() <= cap {
            return 0.0;
        }
        th.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
        for &(t, w) in th.iter() {
            acc += w;
            if acc > cap {
                return t;
            }
        }
        0.0
    }

    /// Cold-start prices: each pool at the least price at which the demands preferring it to
    /// being unserved fit (an upper bound on its least optimal price).
    fn ascend(&mut self) {
        let (big, mut th) = (self.net.big, Vec::new());
        for a in 0..self.opens.len() {
            self.f.pot[self.opens[a]] = self.quantile(self.opens[a], &|_| big, &mut th);
        }
    }

    /// The optimal flow to the pools of `sites`, warm started from `base` (optimal for another
    /// set of sites) if given; with the least prices and the duals if `duals`.
    pub(crate) fn solve(&mut self, sites: &[usize], base: Option<&Flow>, duals: bool) -> Flow {
        let (n, np) = (self.net.n, self.net.np);
        let mut on = vec![false; self.net.opening.len()];
        sites.iter().for_each(|&j| on[j] = true);
        let open: Vec<bool> = (0..np).map(|k| on[self.net.site[k]]).collect();
        self.opens = (0..np).filter(|&k| open[k]).collect();
        self.reset();
        if let Some(b) = base {
            // Demands of closed pools to their cheapest node at the present prices; then each
            // new pool at its entry price, taking the demands it is cheaper for.
            self.f.clone_from(b);
            self.f.open = (0..np).map(|k| b.open[k] && open[k]).collect();
            (self.f.pot[np], self.f.pot[np + 1]) = (0.0, 0.0);
            let mut moved = Vec::new();
            for k in (0..np).filter(|&k| b.open[k] && !open[k]) {
                moved.extend(self.net.near(k).iter().filter(|e| self.f.x(e.0 as usize, k) > 0.0).map(|e| e.0));
                self.f.pot[k] = 0.0;
            }
            moved.sort_unstable();
            moved.dedup();
            moved.iter().for_each(|&i| self.reassign(i as usize, None));
            let mut th = Vec::new();
            for k in (0..np).filter(|&k| !b.open[k] && open[k]) {
                self.f.open[k] = true;
                let p = self.quantile(k, &|i| self.value(i), &mut th);
                self.f.pot[k] = p;
                for t in 0..self.net.near(k).len() {
                    let (i, c) = self.net.near(k)[t];
                    if c + p < self.value(i as usize) - self.net.tol {
                        self.reassign(i as usize, Some(k));
                    }
                }
            }
        } else {
            self.f = Flow::new(n, np);
            self.f.open = open;
            self.ascend();
            for i in (0..n).filter(|&i| self.net.w[i] > 0.0) {
                let v = self.argmin(i).1;
                self.f.put(i, v, self.net.w[i], || self.net.cost(i, v).unwrap_or(f64::INFINITY));
            }
        }
        for k in 0..np {
            let (f, cap) = (&mut self.f, self.net.cap[k]);
            if !f.open[k] {
                (f.load[k], f.fill[k]) = (0.0, 0.0);
            } else {
                f.fill[k] = if f.pot[k] > 0.0 && cap.is_finite() { cap } else { f.load[k].min(cap) };
            }
        }
        self.et = self.f.fill.iter().sum::<f64>() + self.f.load[np] - self.net.total;
        self.run();
        self.finish(sites, duals)
    }

    /// Normalises the prices, removes rounding overflows, totals the cost and, with `duals`,
    /// finds the least optimal prices and the dual objective.
    fn finish(&mut self, sites: &[usize], duals: bool) -> Flow {
        let (n, np, big) = (self.net.n, self.net.np, self.net.big);
        let pt = self.f.pot[np + 1];
        for k in 0..np {
            self.f.pot[k] = if self.f.open[k] { (self.f.pot[k] - pt).max(0.0) } else { 0.0 };
        }
        (self.f.pot[np], self.f.pot[np + 1]) = (0.0, 0.0);
        for a in 0..self.opens.len() {
            let (k, mut t) = (self.opens[a], 0);
            let mut over = self.f.load[k] - self.net.cap[k];
            while over > self.net.eps && t < self.net.near(k).len() {
                let i = self.net.near(k)[t].0 as usize;
                let x = self.f.x(i, k);
                if x > 0.0 {
                    over -= self.shift(i, k, np, x.min(over), 0.0);
                }
                t += 1;
            }
        }
        let mut seen = vec![false; self.net.opening.len()];
        let open = sites.iter().filter(|&&j| !std::mem::replace(&mut seen[j], true));
        let opening: f64 = open.map(|&j| self.net.opening[j]).sum();
        self.f.cost = opening + (0..n).flat_map(|i| self.f.ents(i)).map(|e| e.amt * e.cost).sum::<f64>();
        self.f.price = vec![0.0; np];
        self.f.u.clear();
        self.f.dual = f64::NEG_INFINITY;
        if duals {
            self.least_prices();
            let (f, net) = (&mut self.f, &self.net);
            let least = |i: usize| {
                net.opts(i).iter().filter(|e| f.open[e.0 as usize]).fold(big, |a, e| a.min(e.1 + f.price[e.0 as usize]))
            };
            f.u = (0..n).map(least).collect();
            let places: f64 = (0..np).filter(|&k| f.price[k] > 0.0).map(|k| net.cap[k] * f.price[k]).sum();
            f.dual = opening + (0..n).map(|i| net.w[i] * f.u[i]).sum::<f64>() - places;
        }
        std::mem::take(&mut self.f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::locate::CapPool;

    #[test]
    fn shortfall_is_named_by_class() {
        // 6 Finnish and 4 Swedish children; 5 Finnish places and 2 shared ones.
        let inst = CapInstance {
            weight: vec![6.0, 4.0],
            class: vec![0, 1],
            cost: vec![vec![1.0], vec![1.0]],
            pools: vec![CapPool { site: 0, capacity: 5.0, accepts: 1 }, CapPool { site: 0, capacity: 2.0, accepts: 3 }],
            opening_cost: vec![0.0],
            unserved_cost: 10.0,
            fixed_open: vec![],
            fixed_closed: vec![],
        };
        let short = capacity_shortfall(&inst, &[0]);
        let total: f64 = short.iter().map(|s| s.1).sum();
        assert!((total - 3.0).abs() < 1e-12, "{short:?}");
        assert!(short.iter().all(|s| s.0 <= 1));
        assert_eq!(capacity_shortfall(&inst, &[]), vec![(0, 6.0), (1, 4.0)]);
        let a = assignment_cost(&inst, &[0]);
        assert_eq!(a.objective, 7.0 + 3.0 * 10.0);
        assert!(a.price[1] > 0.0); // a shared place would serve one more child
    }
}
