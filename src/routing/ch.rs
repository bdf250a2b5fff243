//! Contraction hierarchies (Geisberger, Sanders, Schultes, Delling 2008): nodes are
//! contracted one by one in order of importance; shortcuts keep every shortest distance.
//! The result feeds [`super::phast`], which answers one-to-all queries with a linear sweep.
//!
//! # Parameters
//! Node order by lazy priority: edge difference (shortcuts added − edges removed) plus the
//! number of already contracted neighbours (spreads contraction evenly). Witness searches
//! are local Dijkstras limited by cost and by a settled-node budget; a budget cut only adds
//! unnecessary shortcuts, never wrong distances.
//!
//! # Returns
//! A [`Hierarchy`] with nodes renumbered by descending rank (rank-order id 0 is the most
//! important node), `up_out` (edges to more important nodes, by tail) and `down_in` (edges
//! from more important nodes, by head).
//!
//! # Complexity
//! Heuristic; seconds for 10^5 road nodes. Memory O(V + E + shortcuts).

use super::Cost;
use crate::network::csr::Csr;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

pub use crate::network::hierarchy::Hierarchy;

struct Work {
    out: Vec<Vec<(u32, Cost)>>,
    inc: Vec<Vec<(u32, Cost)>>,
    contracted: Vec<bool>,
    deleted_neighbours: Vec<u32>,
    // Witness-search state with generation stamps.
    dist: Vec<Cost>,
    stamp: Vec<u32>,
    generation: u32,
}

impl Work {
    fn add_edge(&mut self, u: u32, v: u32, w: Cost) {
        match self.out[u as usize].iter_mut().find(|e| e.0 == v) {
            Some(e) => e.1 = e.1.min(w),
            None => self.out[u as usize].push((v, w)),
        }
        match self.inc[v as usize].iter_mut().find(|e| e.0 == u) {
            Some(e) => e.1 = e.1.min(w),
            None => self.inc[v as usize].push((u, w)),
        }
    }

    /// Local Dijkstra from `s` avoiding `skip`, up to cost `limit` and `budget` settled nodes.
    fn witness(&mut self, s: u32, skip: u32, limit: Cost, budget: usize) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.fill(0);
            self.generation = 1;
        }
        let mut heap = BinaryHeap::new();
        self.stamp[s as usize] = self.generation;
        self.dist[s as usize] = 0;
        heap.push(Reverse((0, s)));
        let mut settled = 0;
        while let Some(Reverse((d, u))) = heap.pop() {
            if d > self.dist[u as usize] {
                continue;
            }
            settled += 1;
            if settled > budget || d > limit {
                break;
            }
            for i in 0..self.out[u as usize].len() {
                let (v, w) = self.out[u as usize][i];
                if v == skip || self.contracted[v as usize] {
                    continue;
                }
                let nd = d.saturating_add(w);
                let seen = self.stamp[v as usize] == self.generation;
                if nd <= limit && (!seen || nd < self.dist[v as usize]) {
                    self.stamp[v as usize] = self.generation;
                    self.dist[v as usize] = nd;
                    heap.push(Reverse((nd, v)));
                }
            }
        }
    }

    fn dist_to(&self, v: u32) -> Cost {
        if self.stamp[v as usize] == self.generation { self.dist[v as usize] } else { Cost::MAX }
    }

    /// Shortcuts needed to contract `v`: (from, to, cost).
    fn shortcuts(&mut self, v: u32, budget: usize) -> Vec<(u32, u32, Cost)> {
        let ins: Vec<(u32, Cost)> =
            self.inc[v as usize].iter().copied().filter(|e| !self.contracted[e.0 as usize]).collect();
        let outs: Vec<(u32, Cost)> =
            self.out[v as usize].iter().copied().filter(|e| !self.contracted[e.0 as usize]).collect();
        let mut result = Vec::new();
        for &(u, wu) in &ins {
            let limit = outs.iter().filter(|o| o.0 != u).map(|o| wu.saturating_add(o.1)).max();
            let Some(limit) = limit else { continue };
            self.witness(u, v, limit, budget);
            for &(w, ww) in &outs {
                if w == u {
                    continue;
                }
                let via = wu.saturating_add(ww);
                if self.dist_to(w) > via {
                    result.push((u, w, via));
                }
            }
        }
        result
    }

    fn priority(&mut self, v: u32) -> i64 {
        let sc = self.shortcuts(v, 40).len() as i64;
        let live = |l: &Vec<(u32, Cost)>, c: &Vec<bool>| l.iter().filter(|e| !c[e.0 as usize]).count() as i64;
        let removed = live(&self.out[v as usize], &self.contracted) + live(&self.inc[v as usize], &self.contracted);
        2 * (sc - removed) + i64::from(self.deleted_neighbours[v as usize])
    }
}

/// Builds a contraction hierarchy of `graph`.
pub fn build(graph: &Csr) -> Hierarchy {
    let n = graph.node_count();
    let mut work = Work {
        out: vec![Vec::new(); n],
        inc: vec![Vec::new(); n],
        contracted: vec![false; n],
        deleted_neighbours: vec![0; n],
        dist: vec![0; n],
        stamp: vec![0; n],
        generation: 0,
    };
    for u in 0..n as u32 {
        for e in graph.edges(u) {
            work.add_edge(u, graph.head[e], graph.weight[e]);
        }
    }
    let mut queue: BinaryHeap<Reverse<(i64, u32)>> = (0..n as u32).map(|v| Reverse((work.priority(v), v))).collect();
    let mut rank = vec![0u32; n];
    let mut next_rank = 0u32;
    let mut shortcuts = 0usize;
    let mut all_edges: Vec<(u32, u32, Cost)> = Vec::with_capacity(graph.edge_count() * 2);
    for u in 0..n as u32 {
        for e in graph.edges(u) {
            all_edges.push((u, graph.head[e], graph.weight[e]));
        }
    }
    while let Some(Reverse((p, v))) = queue.pop() {
        if work.contracted[v as usize] {
            continue;
        }
        // Lazy update: recompute, and put back if it is no longer the minimum.
        let now = work.priority(v);
        if now > p && queue.peek().is_some_and(|Reverse((q, _))| now > *q) {
            queue.push(Reverse((now, v)));
            continue;
        }
        let added = work.shortcuts(v, 500);
        for &(a, b, w) in &added {
            work.add_edge(a, b, w);
            all_edges.push((a, b, w));
        }
        shortcuts += added.len();
        work.contracted[v as usize] = true;
        rank[v as usize] = next_rank;
        next_rank += 1;
        let neighbours: Vec<u32> = work.out[v as usize]
            .iter()
            .chain(&work.inc[v as usize])
            .map(|e| e.0)
            .filter(|&x| !work.contracted[x as usize])
            .collect();
        for x in neighbours {
            work.deleted_neighbours[x as usize] += 1;
        }
        // Free the contracted node's lists.
        work.out[v as usize] = Vec::new();
        work.inc[v as usize] = Vec::new();
    }
    // Rank-order ids: most important first.
    let order: Vec<u32> = rank.iter().map(|&r| n as u32 - 1 - r).collect();
    let mut up: Vec<(u32, u32, Cost)> = Vec::new();
    let mut down: Vec<(u32, u32, Cost)> = Vec::new();
    for &(a, b, w) in &all_edges {
        let (ra, rb) = (order[a as usize], order[b as usize]);
        if ra == rb {
            continue;
        }
        if rb < ra {
            up.push((ra, rb, w)); // towards a more important node (smaller rank-order id)
        } else {
            down.push((rb, ra, w)); // stored at the head, pointing back to the tail
        }
    }
    Hierarchy {
        order,
        up_out: Csr::from_edges(n, &mut up),
        down_in: Csr::from_edges(n, &mut down),
        shortcuts: shortcuts as u64,
    }
}
