//! Service areas (palvelualue): which part of every edge lies within a travel-time budget.
//!
//! # Parameters
//! `dist` are node costs from a search (from the point on the forward graph, or towards it
//! on the backward graph); `budget` in milliseconds.
//!
//! # Returns
//! For each edge u → v of the forward graph that is at least partly within the budget:
//! the edge index and the reached span as fractions along u → v. Travel away from a point
//! enters an edge at u; travel towards a point leaves it at v, so the reached span starts
//! at v and grows backwards.
//!
//! # Complexity
//! O(E) after the search.

use super::{Cost, UNREACHABLE};
use crate::network::csr::Csr;

/// Part of an edge within the budget: edge index and span `[from, to]` along u → v (0…1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReachedEdge {
    /// Forward edge index.
    pub edge: u32,
    /// Start of the reached span (fraction of the edge from its tail).
    pub from: f64,
    /// End of the reached span.
    pub to: f64,
}

/// Reached edges for travel away from the search origin (`dist` from a forward search).
pub fn reached_from(forward: &Csr, dist: &dyn Fn(u32) -> Cost, budget: Cost) -> Vec<ReachedEdge> {
    let mut out = Vec::new();
    for u in 0..forward.node_count() as u32 {
        let du = dist(u);
        if du == UNREACHABLE || du > budget {
            continue;
        }
        for e in forward.edges(u) {
            let w = forward.weight[e];
            let from_u = if w == 0 { 1.0 } else { (f64::from(budget - du) / f64::from(w)).min(1.0) };
            out.push(ReachedEdge { edge: e as u32, from: 0.0, to: from_u });
        }
    }
    out
}

/// Reached edges for travel towards the search origin (`dist` from a backward search:
/// cost from each node to the origin).
pub fn reached_towards(forward: &Csr, dist: &dyn Fn(u32) -> Cost, budget: Cost) -> Vec<ReachedEdge> {
    let mut out = Vec::new();
    for u in 0..forward.node_count() as u32 {
        for e in forward.edges(u) {
            let v = forward.head[e];
            let dv = dist(v);
            if dv == UNREACHABLE || dv > budget {
                continue;
            }
            let w = forward.weight[e];
            let span = if w == 0 { 1.0 } else { (f64::from(budget - dv) / f64::from(w)).min(1.0) };
            out.push(ReachedEdge { edge: e as u32, from: 1.0 - span, to: 1.0 });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_spans_at_the_frontier() {
        // 0 →(10) 1 →(10) 2, budget 15 from node 0: edge 0→1 full, edge 1→2 half.
        let g = Csr::from_edges(3, &mut [(0, 1, 10), (1, 2, 10)]);
        let d = [0, 10, 20];
        let r = reached_from(&g, &|v| d[v as usize], 15);
        assert_eq!(r, vec![ReachedEdge { edge: 0, from: 0.0, to: 1.0 }, ReachedEdge { edge: 1, from: 0.0, to: 0.5 }]);
        // Towards node 2: cost to 2 is 20, 10, 0; budget 15: 1→2 full, 0→1 last half.
        let t = [20, 10, 0];
        let r = reached_towards(&g, &|v| t[v as usize], 15);
        assert_eq!(r, vec![ReachedEdge { edge: 0, from: 0.5, to: 1.0 }, ReachedEdge { edge: 1, from: 0.0, to: 1.0 }]);
    }
}
