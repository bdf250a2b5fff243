//! Shortest-path kernels on a [`Csr`](crate::network::csr::Csr) graph with `u32` node ids
//! and `u32` millisecond costs.
//!
//! **Invariants:** kernels know nothing of units, areas or files; they take node
//! indices, costs and cutoffs. Costs are integers, so sums are exact and results do not
//! depend on evaluation order: the same input gives byte-identical output with 1 or N
//! threads. Where two answers tie on cost, the lower id (node, source label) wins.

pub mod ch;
pub mod dijkstra;
pub mod isochrone;
pub mod matrix;
pub mod nearest;
mod partitioned;
pub mod phast;
pub mod queue;
pub mod workspace;

#[cfg(test)]
mod oracle;

pub use workspace::Workspace;

pub use crate::network::{Access, Cost, UNREACHABLE};
