//! Multi-source searches: label every node with its nearest source (or its k nearest).
//!
//! Used for nearest-facility catchments (lähipäiväkoti): run on the transposed graph from the
//! facilities to get, for every node, the facility nearest *to travel to*.
//!
//! # Notes
//! Ties are broken by the lower source label, exactly: the search orders by (cost, label),
//! which is itself a shortest-path order, so labels do not depend on heap internals.
//!
//! # Complexity
//! [`nearest`]: with edges of at least 64 ms, Dial's buckets (`partitioned`), O(V + E + C/δ)
//! for the largest cost C and lightest edge δ, split over threads; otherwise one Dijkstra
//! with a radix heap, O((V + E) log C). [`k_nearest`]: each node is settled up to k
//! times, O(k (V + E) log(kV)).

use super::{Access, Cost, UNREACHABLE};
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
    use rayon::prelude::*;
    let n = graph.node_count();
    let min_weight = graph.weight.par_iter().copied().min().unwrap_or(0);
    if min_weight >= 64 {
        // Dial's buckets of the lightest edge's width: a node settled from bucket k only
        // relaxes into later buckets, so each bucket is final when reached and its nodes
        // can be scanned in any order (or by several threads); the packed (cost, label)
        // key keeps ties exact. Measured 35 % faster than the radix heap on one thread.
        return super::partitioned::nearest(graph, sources, cutoff, min_weight, threads.max(1));
    }
    let mut best = vec![u64::MAX; n];
    radix(graph, sources, cutoff, &mut best);
    let cost = best.iter().map(|&k| if k == u64::MAX { UNREACHABLE } else { (k >> 32) as Cost }).collect();
    let label = best.iter().map(|&k| if k == u64::MAX { u32::MAX } else { k as u32 }).collect();
    (cost, label)
}

#[inline]
fn pack(c: Cost, l: u32) -> u64 {
    (u64::from(c) << 32) | u64::from(l)
}

/// Label-setting with a radix heap (any non-negative weights).
fn radix(graph: &Csr, sources: &[Vec<Access>], cutoff: Cost, best: &mut [u64]) {
    // Radix heap on the cost: with many sources the frontier is wide, where it measured
    // 20 % faster than a binary heap (the single-source searches of `dijkstra` are the
    // other way round).
    let mut heap: crate::routing::queue::RadixHeap<(u32, u32)> = crate::routing::queue::RadixHeap::default();
    for (label, access) in sources.iter().enumerate() {
        for a in access {
            let key = pack(a.cost, label as u32);
            if a.cost <= cutoff && key < best[a.node as usize] {
                best[a.node as usize] = key;
                heap.push(a.cost, (label as u32, a.node));
            }
        }
    }
    while let Some((d, (l, u))) = heap.pop() {
        if best[u as usize] != pack(d, l) {
            continue;
        }
        let r = graph.edges(u);
        for (&v, &w) in graph.head[r.clone()].iter().zip(&graph.weight[r]) {
            let v = v as usize;
            let nd = d.saturating_add(w);
            let key = pack(nd, l);
            if nd <= cutoff && key < best[v] {
                best[v] = key;
                heap.push(nd, (l, v as u32));
            }
        }
    }
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
