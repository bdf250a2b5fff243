//! The stored form of a contraction hierarchy (built by `routing::ch`, queried by
//! `routing::phast`), kept here so the network file can carry it.

use super::csr::Csr;

/// A contraction hierarchy over a network's forward graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hierarchy {
    /// Original node → rank-order id (0 = most important).
    pub order: Vec<u32>,
    /// Edges (original and shortcuts) from each rank-order node to more important ones.
    pub up_out: Csr,
    /// Edges into each rank-order node from more important ones (`head` holds the tails).
    pub down_in: Csr,
    /// Shortcuts added during contraction.
    pub shortcuts: u64,
}

impl Hierarchy {
    /// Heap memory, bytes.
    pub fn memory_bytes(&self) -> usize {
        4 * self.order.len() + self.up_out.memory_bytes() + self.down_in.memory_bytes()
    }
}
