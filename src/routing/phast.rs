//! PHAST (Delling, Goldberg, Nowatzyk, Werneck 2011): one-to-all shortest paths on a
//! contraction hierarchy by a small upward search followed by one linear sweep over all
//! nodes in rank order. The sweep reads memory sequentially, so a full tree costs a few
//! milliseconds on 10^5–10^6 nodes: the kernel for region-wide matrices.
//!
//! # Notes
//! Forward trees (from a point) search upward along `up_out` and sweep `down_in`; backward
//! trees (towards a point) search along `down_in` and sweep `up_out`. Distances are exact
//! and equal Dijkstra's (property-tested against the oracle).

use super::queue::RadixHeap;
use super::{Access, Cost, UNREACHABLE};
use crate::network::hierarchy::Hierarchy;

/// Per-thread PHAST state: distances in rank order.
#[derive(Clone, Debug)]
pub struct PhastWorkspace {
    /// Distance of every rank-order node after [`tree`].
    pub dist: Vec<Cost>,
    heap: RadixHeap<u32>,
}

impl PhastWorkspace {
    /// A workspace for a hierarchy of `n` nodes.
    pub fn new(n: usize) -> Self {
        PhastWorkspace { dist: vec![UNREACHABLE; n], heap: RadixHeap::default() }
    }
}

/// Computes distances from (`forward`) or to (`!forward`) the access points `sources`
/// (given in original node ids) to every node; read them with [`distance`].
pub fn tree(h: &Hierarchy, sources: &[Access], forward: bool, ws: &mut PhastWorkspace) {
    let (search, sweep) = if forward { (&h.up_out, &h.down_in) } else { (&h.down_in, &h.up_out) };
    ws.dist.fill(UNREACHABLE);
    ws.heap.clear();
    for a in sources {
        let r = h.order[a.node as usize];
        if a.cost < ws.dist[r as usize] {
            ws.dist[r as usize] = a.cost;
            ws.heap.push(a.cost, r);
        }
    }
    // Upward search (towards more important nodes).
    while let Some((d, u)) = ws.heap.pop() {
        if d > ws.dist[u as usize] {
            continue;
        }
        for e in search.edges(u) {
            let v = search.head[e];
            let nd = d.saturating_add(search.weight[e]);
            if nd < ws.dist[v as usize] {
                ws.dist[v as usize] = nd;
                ws.heap.push(nd, v);
            }
        }
    }
    // Downward sweep in rank order: every edge from a more important node has been final
    // since that node's turn.
    for v in 0..ws.dist.len() {
        let mut best = ws.dist[v];
        for e in sweep.edges(v as u32) {
            let d = ws.dist[sweep.head[e] as usize].saturating_add(sweep.weight[e]);
            best = best.min(d);
        }
        ws.dist[v] = best;
    }
}

/// Distance to the point with access points `t` (original ids) after [`tree`].
#[inline]
pub fn distance(h: &Hierarchy, ws: &PhastWorkspace, t: &[Access], cutoff: Cost) -> Cost {
    let c = t
        .iter()
        .map(|a| ws.dist[h.order[a.node as usize] as usize].saturating_add(a.cost))
        .min()
        .unwrap_or(UNREACHABLE);
    if c > cutoff { UNREACHABLE } else { c }
}

#[cfg(test)]
mod tests {
    use super::super::ch::build;
    use super::super::oracle::{as_cost, floyd_warshall};
    use super::*;
    use crate::network::csr::Csr;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn phast_matches_floyd_warshall_both_directions(n in 1usize..28, raw in proptest::collection::vec((0u32..28, 0u32..28, prop_oneof![Just(0u32), 0u32..50, 0u32..100_000]), 0..110)) {
            let edges: Vec<(u32, u32, u32)> = raw.into_iter().map(|(a, b, w)| (a % n as u32, b % n as u32, w)).collect();
            let g = Csr::from_edges(n, &mut edges.clone());
            let h = build(&g);
            let fw = floyd_warshall(n, &edges);
            let mut ws = PhastWorkspace::new(n);
            for (s, row) in fw.iter().enumerate() {
                tree(&h, &[Access { node: s as u32, cost: 0 }], true, &mut ws);
                for (t, &expected) in row.iter().enumerate() {
                    let d = distance(&h, &ws, &[Access { node: t as u32, cost: 0 }], UNREACHABLE);
                    prop_assert_eq!(d, as_cost(expected, UNREACHABLE), "forward {} -> {}", s, t);
                }
                tree(&h, &[Access { node: s as u32, cost: 0 }], false, &mut ws);
                for (t, other) in fw.iter().enumerate() {
                    let d = distance(&h, &ws, &[Access { node: t as u32, cost: 0 }], UNREACHABLE);
                    prop_assert_eq!(d, as_cost(other[s], UNREACHABLE), "backward {} -> {}", t, s);
                }
            }
        }
    }
}
