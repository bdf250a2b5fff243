//! Dijkstra's algorithm from one or several access points, with a cutoff.
//!
//! # Parameters
//! - `graph`: forward graph for "from the sources", the transposed graph for "to them".
//! - `sources`: access points with their starting costs (ms).
//! - `cutoff`: costs above it are not explored (ms); `UNREACHABLE` for none.
//!
//! # Example
//! ```
//! use pave::network::{csr::Csr, Access};
//! use pave::routing::{dijkstra::one_to_many, workspace::Workspace, UNREACHABLE};
//! // 0 → 1 → 2 costs 3 s; the direct edge 0 → 2 costs 5 s.
//! let graph = Csr::from_edges(3, &mut [(0, 1, 1000), (1, 2, 2000), (0, 2, 5000)]);
//! let mut ws = Workspace::new(3);
//! let from = [Access { node: 0, cost: 0 }];
//! // A target reached through two access points takes the better one (here 3 s + 30 s).
//! let targets = [vec![Access { node: 2, cost: 30_000 }, Access { node: 1, cost: 60_000 }]];
//! let mut cost = [0; 1];
//! one_to_many(&graph, &from, &targets, UNREACHABLE, &mut ws, &mut cost);
//! assert_eq!(cost, [33_000]);
//! ```
//!
//! # Complexity
//! O((V + E) log V) for the explored part: binary heap of packed keys, lazy deletion.
//!
//! # Notes
//! Distances are unique whatever the tie order; the search stops early once every target of
//! [`one_to_many`] is settled.

use super::{Access, Cost, UNREACHABLE, Workspace};
use crate::network::csr::Csr;

/// Runs a search; afterwards `ws.dist(v)` is the cost of every node within `cutoff`.
pub fn one_to_all(graph: &Csr, sources: &[Access], cutoff: Cost, ws: &mut Workspace) {
    search(graph, sources, cutoff, ws, |_, _| false);
}

/// Runs a search until all `targets` are settled; returns the cost per target (its best
/// access point), `UNREACHABLE` when beyond `cutoff`.
pub fn one_to_many(
    graph: &Csr,
    sources: &[Access],
    targets: &[Vec<Access>],
    cutoff: Cost,
    ws: &mut Workspace,
    out: &mut [Cost],
) {
    let mut waiting: usize = targets.iter().map(|t| t.len()).sum();
    // Count how many access points wait on each node (nodes may serve several targets);
    // the counters live in the workspace and are all zero again when the search ends.
    let mut pending = std::mem::take(&mut ws.pending);
    pending.resize(graph.node_count(), 0);
    for a in targets.iter().flatten() {
        pending[a.node as usize] += 1;
    }
    search(graph, sources, cutoff, ws, |v, _| {
        let p = &mut pending[v as usize];
        waiting -= *p as usize;
        *p = 0;
        waiting == 0
    });
    for a in targets.iter().flatten() {
        pending[a.node as usize] = 0;
    }
    ws.pending = pending;
    for (o, t) in out.iter_mut().zip(targets) {
        *o = best(ws, t, cutoff);
    }
}

/// Cost of reaching a point with access points `t` after a search.
#[inline]
pub fn best(ws: &Workspace, t: &[Access], cutoff: Cost) -> Cost {
    let c = t.iter().map(|a| ws.dist(a.node).saturating_add(a.cost)).min().unwrap_or(UNREACHABLE);
    if c > cutoff { UNREACHABLE } else { c }
}

/// The search loop; `settled(v, cost)` returning true stops it (inlined per caller).
#[inline]
fn search(
    graph: &Csr,
    sources: &[Access],
    cutoff: Cost,
    ws: &mut Workspace,
    mut settled: impl FnMut(u32, Cost) -> bool,
) {
    ws.reset(graph.node_count());
    let mut heap = std::mem::take(&mut ws.heap);
    for s in sources {
        if s.cost <= cutoff && s.cost < ws.dist(s.node) {
            ws.set(s.node, s.cost);
            heap.push(std::cmp::Reverse((u64::from(s.cost) << 32) | u64::from(s.node)));
        }
    }
    let (first_out, head, weight) = (&graph.first_out[..], &graph.head[..], &graph.weight[..]);
    while let Some(std::cmp::Reverse(key)) = heap.pop() {
        let (d, u) = ((key >> 32) as u32, key as u32);
        if d > ws.dist(u) {
            continue;
        }
        if settled(u, d) {
            ws.heap = heap;
            return;
        }
        let (start, end) = (first_out[u as usize] as usize, first_out[u as usize + 1] as usize);
        for (&v, &w) in head[start..end].iter().zip(&weight[start..end]) {
            let nd = d.saturating_add(w);
            if nd <= cutoff && nd < ws.dist(v) {
                ws.set(v, nd);
                heap.push(std::cmp::Reverse((u64::from(nd) << 32) | u64::from(v)));
            }
        }
    }
    ws.heap = heap;
}
