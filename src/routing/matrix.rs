//! Origin–destination travel-time matrices in parallel (rayon), dense or streamed by blocks.
//!
//! # Notes
//! - Searches run from the smaller side: from each origin on the forward graph, or from each
//!   destination on the transposed graph when destinations are fewer.
//! - One [`Workspace`] per worker thread (`map_init`); rows are written into their own slots,
//!   so the result is identical with 1 or N threads.
//! - Cells beyond `cutoff` or unreachable hold [`UNREACHABLE`].
//!
//! # Complexity
//! min(|O|, |D|) bounded Dijkstra searches.

use super::dijkstra::{best, one_to_all, one_to_many};
use super::phast::{self, PhastWorkspace};
use super::{Access, Cost, UNREACHABLE, Workspace};
use crate::network::csr::Csr;
use crate::network::hierarchy::Hierarchy;
use rayon::prelude::*;

/// Receives each computed block: first row index and row-major costs.
pub type BlockSink<'a, E> = dyn FnMut(usize, &[Cost]) -> Result<(), E> + 'a;

/// Dense row-major matrix: `origins.len() × destinations.len()` costs.
pub fn dense(
    forward: &Csr,
    backward: &Csr,
    origins: &[Vec<Access>],
    destinations: &[Vec<Access>],
    cutoff: Cost,
    progress: &(dyn Fn(usize) + Sync),
) -> Vec<Cost> {
    let (rows, cols) = (origins.len(), destinations.len());
    let n = forward.node_count();
    if rows == 0 || cols == 0 {
        return vec![];
    }
    if rows <= cols {
        let mut out = vec![UNREACHABLE; rows * cols];
        out.par_chunks_mut(cols).zip(origins.par_iter()).for_each_init(
            || Workspace::new(n),
            |ws, (row, o)| {
                one_to_many(forward, o, destinations, cutoff, ws, row);
                progress(1);
            },
        );
        out
    } else {
        // One search per destination on the transposed graph gives a column.
        let mut columns = vec![UNREACHABLE; rows * cols];
        columns.par_chunks_mut(rows).zip(destinations.par_iter()).for_each_init(
            || Workspace::new(n),
            |ws, (column, d)| {
                one_to_many(backward, d, origins, cutoff, ws, column);
                progress(1);
            },
        );
        let mut out = vec![UNREACHABLE; rows * cols];
        for (j, column) in columns.chunks(rows).enumerate() {
            for (i, &c) in column.iter().enumerate() {
                out[i * cols + j] = c;
            }
        }
        out
    }
}

/// Drives a streamed matrix: rows in blocks of `block_rows` origins, each block filled in
/// parallel by `fill(workspace, origin, row)` with one workspace per thread, then handed
/// (first row index, row-major costs) to `sink` in order; memory stays at one block.
fn blocks<W: Send, E>(
    origins: &[Vec<Access>],
    cols: usize,
    block_rows: usize,
    init: impl Fn() -> W + Sync + Send,
    fill: impl Fn(&mut W, &[Access], &mut [Cost]) + Sync + Send,
    sink: &mut BlockSink<'_, E>,
) -> Result<(), E> {
    let block_rows = block_rows.max(1);
    let mut buf = vec![UNREACHABLE; block_rows * cols];
    for (b, chunk) in origins.chunks(block_rows).enumerate() {
        let block = &mut buf[..chunk.len() * cols];
        block.par_chunks_mut(cols.max(1)).zip(chunk.par_iter()).for_each_init(&init, |ws, (row, o)| fill(ws, o, row));
        sink(b * block_rows, block)?;
    }
    Ok(())
}

/// Computes the matrix block by block of `block_rows` origins with Dijkstra trees, handing
/// each block (first row index, row-major costs) to `sink` in order.
pub fn streamed<E>(
    forward: &Csr,
    origins: &[Vec<Access>],
    destinations: &[Vec<Access>],
    cutoff: Cost,
    block_rows: usize,
    sink: &mut BlockSink<'_, E>,
) -> Result<(), E> {
    let n = forward.node_count();
    let fill = |ws: &mut Workspace, o: &[Access], row: &mut [Cost]| {
        one_to_all(forward, o, cutoff, ws);
        for (c, d) in row.iter_mut().zip(destinations) {
            *c = best(ws, d, cutoff);
        }
    };
    blocks(origins, destinations.len(), block_rows, || Workspace::new(n), fill, sink)
}

/// As [`streamed`], with PHAST trees on a contraction hierarchy instead of Dijkstra: the
/// kernel for large matrices (every tree is a full one-to-all sweep, so `cutoff` only
/// filters the output).
pub fn streamed_phast<E>(
    h: &Hierarchy,
    origins: &[Vec<Access>],
    destinations: &[Vec<Access>],
    cutoff: Cost,
    block_rows: usize,
    sink: &mut BlockSink<'_, E>,
) -> Result<(), E> {
    let n = h.order.len();
    let fill = |ws: &mut PhastWorkspace, o: &[Access], row: &mut [Cost]| {
        if o.is_empty() {
            row.fill(UNREACHABLE);
            return;
        }
        phast::tree(h, o, true, ws);
        for (c, d) in row.iter_mut().zip(destinations) {
            *c = phast::distance(h, ws, d, cutoff);
        }
    };
    blocks(origins, destinations.len(), block_rows, || PhastWorkspace::new(n), fill, sink)
}
