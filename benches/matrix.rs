//! Benchmark: the region-wide matrix. 13,231 × 13,231 (the Helsinki Region Travel Time
//! Matrix size) on a ~300k-node road-like graph, PHAST on a contraction hierarchy versus
//! plain Dijkstra, and whether the Hilbert node order pays.
//!
//! Run: `cargo bench --bench matrix` (set PAVE_BENCH_QUICK=1 for a smaller run).

use pave::network::build::build;
use pave::routing::{Access, UNREACHABLE, Workspace, ch, dijkstra, phast};
use rayon::prelude::*;
use std::time::Instant;

fn main() {
    let quick = std::env::var_os("PAVE_BENCH_QUICK").is_some();
    let side = if quick { 200 } else { 548 }; // 548² ≈ 300k nodes
    let points = if quick { 2_000 } else { 13_231 };
    let t = Instant::now();
    let raw = pave::sample::roads::grid(side, 42);
    let (net, _) = build(&raw, "bench grid");
    println!(
        "graph: {} nodes, {} edges (generated + built in {:.2} s)",
        net.node_count(),
        net.edge_count(),
        t.elapsed().as_secs_f64()
    );
    let step = (net.node_count() / points).max(1);
    let pts: Vec<Vec<Access>> =
        (0..points).map(|i| vec![Access { node: ((i * step) % net.node_count()) as u32, cost: 0 }]).collect();

    // Plain Dijkstra: time a sample of full trees and extrapolate.
    let sample = 64.min(points);
    let t = Instant::now();
    (0..sample).into_par_iter().for_each_init(
        || Workspace::new(net.node_count()),
        |ws, i| dijkstra::one_to_all(&net.forward, &pts[i], UNREACHABLE, ws),
    );
    let per = t.elapsed().as_secs_f64() / sample as f64;
    println!(
        "dijkstra: {:.2} ms per full tree (2 threads, amortised) → {:.0} s estimated for {points} trees",
        per * 1e3,
        per * points as f64
    );

    // Contraction hierarchy + PHAST.
    let t = Instant::now();
    let h = ch::build(&net.forward);
    println!(
        "contraction hierarchy: {:.2} s, {} shortcuts, up {} / down {} edges",
        t.elapsed().as_secs_f64(),
        h.shortcuts,
        h.up_out.edge_count(),
        h.down_in.edge_count()
    );
    let t = Instant::now();
    let checksum: u64 = pts
        .par_iter()
        .map_init(
            || phast::PhastWorkspace::new(net.node_count()),
            |ws, s| {
                phast::tree(&h, s, true, ws);
                pts.iter().map(|d| u64::from(phast::distance(&h, ws, d, UNREACHABLE))).sum::<u64>()
            },
        )
        .sum();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "phast: {points} × {points} in {secs:.1} s ({:.2} ms per tree), checksum {checksum}",
        secs / points as f64 * 1e3
    );
}
