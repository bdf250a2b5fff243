//! Dijkstra's algorithm from one or several access points, with a cutoff.
//!
//! # Parameters
//! - `graph`: forward graph for "from the sources", the transposed graph for "to them".
//! - `sources`: access points with their starting costs (ms).
//! - `cutoff`: costs above it are not explored (ms); `UNREACHABLE` for none.
//!
//! # Complexity
//! O(E + V log C) for the explored part (radix heap, C the largest cost), lazy deletion.
//!
//! # Notes
//! Distances are unique whatever the tie order; the search stops early once every target of
//! [`one_to_many`] is settled.

use super::{Access, Cost, UNREACHABLE, Workspace};
use crate::network::csr::Csr;

/// Runs a search; afterwards `ws.dist(v)` is the cost of every node within `cutoff`.
pub fn one_to_all(graph: &Csr, sources: &[Access], cutoff: Cost, ws: &mut Workspace) {
    search(graph, sources, cutoff, ws, &mut |_| false);
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
    let mut pending = vec![0u32; 0];
    // Count how many access points wait on each node (nodes may serve several targets).
    if waiting > 0 {
        pending.resize(graph.node_count(), 0);
        for a in targets.iter().flatten() {
            pending[a.node as usize] += 1;
        }
    }
    search(graph, sources, cutoff, ws, &mut |v| {
        if waiting > 0 {
            let p = &mut pending[v as usize];
            waiting -= *p as usize;
            *p = 0;
        }
        waiting == 0
    });
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

/// The search loop; `settled(v)` returning true stops it.
fn search(graph: &Csr, sources: &[Access], cutoff: Cost, ws: &mut Workspace, settled: &mut dyn FnMut(u32) -> bool) {
    ws.reset(graph.node_count());
    for s in sources {
        if s.cost <= cutoff && s.cost < ws.dist(s.node) {
            ws.set(s.node, s.cost, 0);
            ws.heap.push(s.cost, (0, s.node));
        }
    }
    while let Some((d, (_, u))) = ws.heap.pop() {
        if d > ws.dist(u) {
            continue;
        }
        if settled(u) {
            return;
        }
        for e in graph.edges(u) {
            let v = graph.head[e];
            let nd = d.saturating_add(graph.weight[e]);
            if nd <= cutoff && nd < ws.dist(v) {
                ws.set(v, nd, 0);
                ws.heap.push(nd, (0, v));
            }
        }
    }
}
