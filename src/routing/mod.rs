//! Shortest-path kernels on a [`Csr`](crate::network::csr::Csr) graph with `u32` node ids
//! and `u32` millisecond costs.
//!
//! **Invariants:** kernels know nothing of facilities, areas or files; they take node
//! indices, costs and cutoffs. Costs are integers, so sums are exact and results do not
//! depend on evaluation order: the same input gives byte-identical output with 1 or N
//! threads. Where two answers tie on cost, the lower id (node, source label) wins.

pub mod dijkstra;
pub mod matrix;
pub mod nearest;
pub mod queue;
pub mod workspace;

#[cfg(test)]
mod oracle;

pub use workspace::Workspace;

/// A travel cost in milliseconds.
pub type Cost = u32;

/// "Unreachable" (or beyond the cutoff).
pub const UNREACHABLE: Cost = u32::MAX;

/// Where a point enters (or leaves) the graph: a node and the cost between point and node.
///
/// A point snapped onto an edge has up to two access points, one at each end, with the
/// partial costs along the edge (and the snap distance) included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Access {
    /// Graph node.
    pub node: u32,
    /// Cost between the point and the node, milliseconds.
    pub cost: Cost,
}
