//! Per-thread query state with generation-stamped reset (after fast_paths' `valid_flags`):
//! starting a new query is O(1), not O(nodes).

use super::queue::RadixHeap;
use super::{Cost, UNREACHABLE};

/// Distances, labels and the priority queue of one search, reused across searches.
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    dist: Vec<Cost>,
    label: Vec<u32>,
    stamp: Vec<u32>,
    generation: u32,
    /// Priority queue keyed by cost, holding (label, node).
    pub heap: RadixHeap<(u32, u32)>,
}

impl Workspace {
    /// A workspace for graphs of `node_count` nodes.
    pub fn new(node_count: usize) -> Self {
        Workspace {
            dist: vec![UNREACHABLE; node_count],
            label: vec![u32::MAX; node_count],
            stamp: vec![0; node_count],
            generation: 0,
            heap: RadixHeap::default(),
        }
    }

    /// Starts a new search: every node becomes unreached.
    pub fn reset(&mut self, node_count: usize) {
        if self.dist.len() != node_count {
            *self = Workspace::new(node_count);
        }
        self.heap.clear();
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.fill(0);
            self.generation = 1;
        }
    }

    /// Cost of `node` in the current search.
    #[inline]
    pub fn dist(&self, node: u32) -> Cost {
        let i = node as usize;
        if self.stamp[i] == self.generation { self.dist[i] } else { UNREACHABLE }
    }

    /// Label (e.g. source index) of `node` in the current search.
    #[inline]
    pub fn label(&self, node: u32) -> u32 {
        let i = node as usize;
        if self.stamp[i] == self.generation { self.label[i] } else { u32::MAX }
    }

    /// Sets cost and label of `node`.
    #[inline]
    pub fn set(&mut self, node: u32, cost: Cost, label: u32) {
        let i = node as usize;
        self.stamp[i] = self.generation;
        self.dist[i] = cost;
        self.label[i] = label;
    }
}
