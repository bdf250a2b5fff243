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
//! Magnanti & Orlin 1993, ch. 9) on the graph contracted to the pools. Every demand starts at
//! its cheapest pool (or unserved), which is optimal but for capacities; each over-full pool's
//! excess is then pushed along a shortest path to a pool with free places or to "unserved",
//! where moving demand from pool `a` to pool `b` costs the least `c_ib − c_ia` over the demands
//! now in `a` — kept in one lazy heap per pair of pools. Exact for `f64` data up to rounding
//! (flows below `1e-12 · max w` are dropped and count as unserved). Arcs costing `U` or more are
//! never used (unserved is as cheap). Afterwards each pool gets the least optimal dual price,
//! what one more place there saves: `max(0, −d)`, `d` the cheapest chain of moves ending in the
//! pool (one more Dijkstra). With the demand duals `u_i = min(U, min_k c_ik + price_k)` they
//! are an optimal dual solution; its objective `Σ_i w_i u_i − Σ_k cap_k price_k` (= the cost)
//! and the least `u` let the location search bound its moves as tightly as the duals allow.
//! Deterministic: ties to the lower index.
//!
//! # Complexity
//! `n` demands, `K` open pools: `O(n·K)` memory and set-up, `O(n·K log n)` heap work, plus
//! `O(K²)` per augmentation; an augmentation empties an over-full pool, fills a pool, or moves one
//! demand's whole amount out of a pool — in practice about one per demand moved.
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

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::capacitated::CapInstance;

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
    let f = evaluate(inst, sites);
    let w1 = f.pools.len() + 1;
    let mut flows = Vec::new();
    let mut unserved = vec![0.0; inst.weight.len()];
    for (i, left) in unserved.iter_mut().enumerate() {
        let mut served = 0.0;
        for (a, &k) in f.pools.iter().enumerate() {
            if f.x[i * w1 + a] > 0.0 {
                flows.push((i, k, f.x[i * w1 + a]));
                served += f.x[i * w1 + a];
            }
        }
        *left = (inst.weight[i].max(0.0) - served).max(0.0);
    }
    let mut price = vec![0.0; inst.pools.len()];
    for (a, &k) in f.pools.iter().enumerate() {
        price[k] = f.price[a];
    }
    Assignment { objective: f.cost, flows, unserved, price }
}

/// Per class, the demand that the pools of `sites` cannot take whatever the travel cost (only
/// pairs with an infinite cost are excluded): `(class, shortfall)` for the classes short, by
/// class. The total is the least possible; where pools are shared between classes, which of
/// them is left short is one choice among equals.
pub fn capacity_shortfall(inst: &CapInstance, sites: &[usize]) -> Vec<(u8, f64)> {
    let f = transport(inst, sites, &|i, j| if inst.cost[i][j].is_finite() { 0.0 } else { f64::INFINITY }, 1.0);
    let w1 = f.pools.len() + 1;
    let mut short = [0.0f64; 256];
    for i in 0..inst.weight.len() {
        let served: f64 = f.x[i * w1..(i + 1) * w1 - 1].iter().sum();
        short[inst.class[i] as usize] += (inst.weight[i].max(0.0) - served).max(0.0);
    }
    let eps = 1e-9 * inst.weight.iter().fold(0.0f64, |a, &b| a.max(b));
    (0..256).filter(|&c| short[c] > eps).map(|c| (c as u8, short[c])).collect()
}

/// A solved transportation: the open pools, dense flows `n × (K + 1)` (the last column is
/// unserved), pool prices, demand duals, and the cost and dual objective with opening costs.
pub(crate) struct Flow {
    pub(crate) pools: Vec<usize>,
    pub(crate) x: Vec<f64>,
    pub(crate) price: Vec<f64>,
    pub(crate) u: Vec<f64>,
    pub(crate) cost: f64,
    pub(crate) dual: f64,
}

/// Whether `mask` has the bit of `class`.
pub(crate) fn accepts(mask: u32, class: u8) -> bool {
    class < 32 && (mask >> class) & 1 == 1
}

/// Heap entry (key, demand), ordered so that `BinaryHeap` pops the least key, then demand.
#[derive(PartialEq)]
struct Entry(f64, usize);

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.total_cmp(&self.0).then(other.1.cmp(&self.1))
    }
}

/// Demand `i` now has flow in column `a` (a pool, or `K`: unserved): offer its moves from `a`
/// to every other column.
fn activate(heap: &mut [BinaryHeap<Entry>], c: &[f64], w1: usize, i: usize, a: usize) {
    let row = &c[i * w1..(i + 1) * w1];
    for b in (0..w1).filter(|&b| b != a && row[b].is_finite()) {
        heap[a * w1 + b].push(Entry(row[b] - row[a], i));
    }
}

/// The cheapest move out of column `a` in `h` by a demand still in `a` (stale entries dropped).
fn top(h: &mut BinaryHeap<Entry>, x: &[f64], w1: usize, a: usize) -> Option<(f64, usize)> {
    while let Some(e) = h.peek() {
        if x[e.1 * w1 + a] > 0.0 {
            return Some((e.0, e.1));
        }
        h.pop();
    }
    None
}

/// The unfinished node with the least finite label, ties to the lower index.
fn pick(label: &[f64], done: &[bool]) -> Option<usize> {
    (0..label.len()).filter(|&v| !done[v] && label[v].is_finite()).fold(None, |b, v| match b {
        Some(b) if label[b] <= label[v] => Some(b),
        _ => Some(v),
    })
}

/// The optimal transportation to the pools of `sites`, opening costs included.
pub(crate) fn evaluate(inst: &CapInstance, sites: &[usize]) -> Flow {
    let mut f = transport(inst, sites, &|i, j| inst.cost[i][j], inst.unserved_cost);
    let mut open = vec![false; inst.opening_cost.len()];
    let opening: f64 =
        sites.iter().filter(|&&j| !std::mem::replace(&mut open[j], true)).map(|&j| inst.opening_cost[j]).sum();
    f.cost += opening;
    f.dual += opening;
    f
}

/// Min-cost transportation to the pools of `sites` (successive shortest paths, see the module);
/// costs from `cost(demand, site)`, arcs at or above `big` (the unserved cost) dropped.
fn transport(inst: &CapInstance, sites: &[usize], cost: &dyn Fn(usize, usize) -> f64, big: f64) -> Flow {
    let n = inst.weight.len();
    let mut open = vec![false; inst.opening_cost.len()];
    for &j in sites {
        open[j] = true;
    }
    let pools: Vec<usize> = (0..inst.pools.len()).filter(|&k| open[inst.pools[k].site]).collect();
    let (kk, w1) = (pools.len(), pools.len() + 1);
    let cap: Vec<f64> = pools.iter().map(|&k| inst.pools[k].capacity.max(0.0)).chain([f64::INFINITY]).collect();
    let eps = 1e-12 * inst.weight.iter().fold(0.0f64, |a, &b| a.max(b));
    let (mut c, mut x, mut load) = (vec![f64::INFINITY; n * w1], vec![0.0; n * w1], vec![0.0; w1]);
    let mut heap: Vec<BinaryHeap<Entry>> = (0..w1 * w1).map(|_| BinaryHeap::new()).collect();
    for i in (0..n).filter(|&i| inst.weight[i] > 0.0) {
        let row = &mut c[i * w1..(i + 1) * w1];
        row[kk] = big;
        for (a, &k) in pools.iter().enumerate() {
            if accepts(inst.pools[k].accepts, inst.class[i]) {
                let v = cost(i, inst.pools[k].site);
                if v < big {
                    row[a] = v;
                }
            }
        }
        let a = (0..w1).fold(kk, |b, a| if row[a] < row[b] { a } else { b });
        x[i * w1 + a] = inst.weight[i];
        load[a] += inst.weight[i];
        activate(&mut heap, &c, w1, i, a);
    }
    // Push every pool's excess along shortest paths (reduced costs stay ≥ 0 under `pot`).
    let mut pot = vec![0.0; w1];
    let (mut dist, mut done, mut pred) = (vec![0.0; w1], vec![false; w1], vec![(0, 0); w1]);
    while let Some(s) = (0..kk).find(|&a| load[a] - cap[a] > eps) {
        dist.fill(f64::INFINITY);
        done.fill(false);
        dist[s] = 0.0;
        let t = loop {
            let Some(u) = pick(&dist, &done) else { break None };
            done[u] = true;
            if u == kk || cap[u] - load[u] > eps {
                break Some(u);
            }
            for v in (0..w1).filter(|&v| !done[v]) {
                if let Some((d, i)) = top(&mut heap[u * w1 + v], &x, w1, u) {
                    let nd = dist[u] + (d + pot[u] - pot[v]).max(0.0);
                    if nd < dist[v] {
                        dist[v] = nd;
                        pred[v] = (u, i);
                    }
                }
            }
        };
        let Some(t) = t else { break }; // cannot happen: every demand may go unserved
        for v in 0..w1 {
            pot[v] += dist[v].min(dist[t]);
        }
        let mut delta = (load[s] - cap[s]).min(cap[t] - load[t]);
        let mut v = t;
        while v != s {
            let (u, i) = pred[v];
            delta = delta.min(x[i * w1 + u]);
            v = u;
        }
        let mut v = t;
        while v != s {
            let (u, i) = pred[v];
            let rest = x[i * w1 + u] - delta;
            x[i * w1 + u] = if rest > eps {
                rest
            } else {
                load[u] -= rest;
                0.0
            };
            if x[i * w1 + v] == 0.0 {
                activate(&mut heap, &c, w1, i, v);
            }
            x[i * w1 + v] += delta;
            v = u;
        }
        load[s] -= delta;
        load[t] += delta;
    }
    // Prices, the least optimal ones (what one more place saves): price_b = max(0, −d(b)), d(b)
    // the cheapest residual path ending at b from any node (prices are ≥ 0 everywhere); a
    // Dijkstra from all nodes at once, 0 at pools with free places.
    let free: Vec<bool> = (0..w1).map(|v| v == kk || cap[v] - load[v] > eps).collect();
    let mut label: Vec<f64> = pot.iter().map(|p| -p).collect();
    done.fill(false);
    while let Some(a) = pick(&label, &done) {
        done[a] = true;
        for b in (0..kk).filter(|&b| !done[b]) {
            if let Some((d, _)) = top(&mut heap[a * w1 + b], &x, w1, a) {
                label[b] = label[b].min(label[a] + (d + pot[a] - pot[b]).max(0.0));
            }
        }
    }
    let price: Vec<f64> =
        (0..kk).map(|b| if free[b] || !label[b].is_finite() { 0.0 } else { (-label[b] - pot[b]).max(0.0) }).collect();
    let (mut u, mut total, mut dual) = (vec![0.0; n], 0.0, 0.0);
    for i in (0..n).filter(|&i| inst.weight[i] > 0.0) {
        let (row, xr) = (&c[i * w1..(i + 1) * w1], &x[i * w1..(i + 1) * w1]);
        let served: f64 = xr[..kk].iter().sum();
        total += (0..kk).filter(|&a| xr[a] > 0.0).map(|a| xr[a] * row[a]).sum::<f64>();
        total += big * (inst.weight[i] - served).max(0.0);
        u[i] = (0..kk).filter(|&a| row[a].is_finite()).map(|a| row[a] + price[a]).fold(big, f64::min);
        dual += inst.weight[i] * u[i];
    }
    dual -= (0..kk).filter(|&a| price[a] > 0.0).map(|a| cap[a] * price[a]).sum::<f64>();
    Flow { pools, x, price, u, cost: total, dual }
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
