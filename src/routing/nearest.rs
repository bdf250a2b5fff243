//! Multi-source searches: label every node with its nearest source (or its k nearest).
//!
//! Used for nearest-unit catchments (lähipäiväkoti): run on the transposed graph from the
//! units to get, for every node, the unit nearest *to travel to*.
//!
//! # Notes
//! Ties are broken by the lower source label, exactly: the search orders by (cost, label),
//! which is itself a shortest-path order, so labels do not depend on heap internals.
//!
//! # Example
//! A path 0 — 1 — 2 — 3 (one second per edge, both ways) with units at nodes 0 and 3:
//! ```
//! use pave::network::{csr::Csr, Access};
//! use pave::routing::{nearest::nearest, UNREACHABLE};
//! let mut edges: Vec<(u32, u32, u32)> = (0..3).flat_map(|v| [(v, v + 1, 1000), (v + 1, v, 1000)]).collect();
//! let graph = Csr::from_edges(4, &mut edges);
//! let unit = |node| vec![Access { node, cost: 0 }];
//! let (cost, label) = nearest(&graph, &[unit(0), unit(3)], UNREACHABLE);
//! assert_eq!(cost, vec![0, 1000, 1000, 0]);
//! assert_eq!(label, vec![0, 0, 1, 1]);
//! ```
//!
//! # Complexity
//! [`nearest`]: bucket stepping (`partitioned`), O(V + E + C/δ) for the largest cost C and
//! bucket width δ, plus rescans for edges lighter than δ, split over threads. [`k_nearest`]:
//! each node is settled up to k times, O(k (V + E) log(kV)).

use super::{Access, Cost};
use crate::network::csr::Csr;
use std::cmp::Reverse;

/// Cost to and label of the nearest source for every node (`UNREACHABLE`, `u32::MAX` if none
/// within `cutoff`). `sources[i]` are the access points of source `i`.
///
/// (cost, label) pairs are packed into one `u64` (cost in the high half), so the
/// lexicographic tie-break is a single integer comparison and one array holds both.
///
/// Large graphs are split between the threads of the current rayon pool (see
/// [`nearest_with`]); the labels are the same with any number of threads.
pub fn nearest(graph: &Csr, sources: &[Vec<Access>], cutoff: Cost) -> (Vec<Cost>, Vec<u32>) {
    let threads = if graph.node_count() >= PARALLEL_FROM { rayon::current_num_threads() } else { 1 };
    nearest_with(graph, sources, cutoff, threads)
}

/// Graphs from this many nodes up are labelled on several threads: below it, starting
/// threads and meeting at barriers costs more than it saves.
const PARALLEL_FROM: usize = 100_000;

/// [`nearest`] on `threads` worker threads (node ranges; 1 = sequential).
pub fn nearest_with(graph: &Csr, sources: &[Vec<Access>], cutoff: Cost, threads: usize) -> (Vec<Cost>, Vec<u32>) {
    super::partitioned::nearest(graph, sources, cutoff, bucket_width(&graph.weight), threads.max(1))
}

/// Bucket width for [`nearest_with`]: about the 1st percentile of the edge weights (from an
/// evenly spaced sample), but at least 1/1024 of the heaviest sampled edge and 1 ms, so
/// zero-cost links cannot make the buckets many and tiny. Results do not depend on it;
/// speed does: wider buckets mean fewer barriers, and edges lighter than the width make
/// their bucket be scanned again.
fn bucket_width(weights: &[Cost]) -> Cost {
    let step = (weights.len() / 8192).max(1);
    let mut sample: Vec<Cost> = weights.iter().step_by(step).copied().collect();
    let heaviest = sample.iter().copied().max().unwrap_or(0);
    if sample.is_empty() {
        return 1;
    }
    let k = sample.len() / 100;
    let (_, p1, _) = sample.select_nth_unstable(k);
    (*p1).max(heaviest / 1024).max(1)
}

/// The `k` nearest distinct sources of every node, as `(cost, label)` sorted by cost then
/// label; `result[v]` has fewer than `k` entries when fewer sources are within `cutoff`.
pub fn k_nearest(graph: &Csr, sources: &[Vec<Access>], k: usize, cutoff: Cost) -> Vec<Vec<(Cost, u32)>> {
    let n = graph.node_count();
    let mut found: Vec<Vec<(Cost, u32)>> = vec![Vec::new(); n];
    let mut heap = std::collections::BinaryHeap::new();
    for (label, access) in sources.iter().enumerate() {
        for a in access {
            if a.cost <= cutoff {
                heap.push(Reverse((a.cost, label as u32, a.node)));
            }
        }
    }
    while let Some(Reverse((d, l, u))) = heap.pop() {
        let f = &mut found[u as usize];
        if f.len() >= k || f.iter().any(|&(_, fl)| fl == l) {
            continue;
        }
        f.push((d, l));
        for e in graph.edges(u) {
            let v = graph.head[e];
            let nd = d.saturating_add(graph.weight[e]);
            let fv = &found[v as usize];
            if nd <= cutoff && fv.len() < k && !fv.iter().any(|&(_, fl)| fl == l) {
                heap.push(Reverse((nd, l, v)));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_on_a_drawn_network_with_one_way_streets_equal_brute_force() {
        use crate::network::ascii::Drawing;
        use crate::routing::{UNREACHABLE, Workspace, dijkstra::one_to_all};
        let d = Drawing::parse("a-b-c-d\n|   ^ |\ne->-f-g\n    |\n    h-i", 1000).unwrap();
        let units = [d.node('a'), d.node('g'), d.node('i')];
        let sources: Vec<Vec<Access>> = units.iter().map(|&node| vec![Access { node, cost: 0 }]).collect();
        let (cost, label) = nearest(&d.graph, &sources, UNREACHABLE);
        let mut ws = Workspace::new(d.graph.node_count());
        let mut best = vec![(UNREACHABLE, u32::MAX); d.graph.node_count()];
        for (i, s) in sources.iter().enumerate() {
            one_to_all(&d.graph, s, UNREACHABLE, &mut ws);
            for (v, b) in best.iter_mut().enumerate() {
                *b = (*b).min((ws.dist(v as u32), i as u32));
            }
        }
        let expected: (Vec<Cost>, Vec<u32>) = best.into_iter().unzip();
        assert_eq!((cost, label), expected);
        // f is labelled from g (2 s) rather than from a, whose way runs a → e → f (2 + 4 s).
        assert_eq!(expected.1[d.node('f') as usize], 1);
    }
}
