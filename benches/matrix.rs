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

    // Does the Hilbert node order pay? The same graph with nodes in random order.
    let mut ids: Vec<u32> = (0..net.node_count() as u32).collect();
    let mut rng = pave::sample::rng::Rng::new(7);
    for i in (1..ids.len()).rev() {
        ids.swap(i, rng.int(0, i as i64) as usize);
    }
    let shuffled = permute(&net.forward, &ids);
    let pts_shuffled: Vec<Vec<Access>> =
        pts.iter().map(|p| vec![Access { node: ids[p[0].node as usize], cost: 0 }]).collect();
    let t = Instant::now();
    (0..sample).into_par_iter().for_each_init(
        || Workspace::new(net.node_count()),
        |ws, i| dijkstra::one_to_all(&shuffled, &pts_shuffled[i], UNREACHABLE, ws),
    );
    let per_random = t.elapsed().as_secs_f64() / sample as f64;
    println!(
        "dijkstra, random node order: {:.2} ms per tree (Hilbert order: {:.2} ms → {:.2}× faster)",
        per_random * 1e3,
        per * 1e3,
        per_random / per
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

    // The same matrix as `pave matrix` writes it: streamed block by block to Parquet.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("od.parquet");
    let o_ids: Vec<String> = (0..points).map(|i| (5_000_000 + i).to_string()).collect();
    let before = peak_rss_mb();
    let t = Instant::now();
    let mut writer = pave::io::od::OdWriter::create(&path, false, &o_ids, &o_ids).expect("writer");
    let block_rows = (1_000_000 / points).max(1);
    pave::routing::matrix::streamed_phast(&h, &pts, &pts, UNREACHABLE, block_rows, &mut |first, block| {
        writer.write_block(&o_ids, &o_ids, first, block)
    })
    .expect("write");
    let rows = writer.finish().expect("finish");
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    println!(
        "phast → Parquet: {rows} rows in {:.1} s, {size:.0} MB file; peak memory {:.0} MB (before the matrix: {before:.0} MB)",
        t.elapsed().as_secs_f64(),
        peak_rss_mb()
    );
}

/// Peak resident memory of this process so far, MB (Linux `VmHWM`).
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The same graph with nodes renumbered: node `v` becomes `new_id[v]` (to measure what the
/// Hilbert order of built networks is worth).
fn permute(g: &pave::network::csr::Csr, new_id: &[u32]) -> pave::network::csr::Csr {
    let mut edges: Vec<(u32, u32, u32)> = Vec::with_capacity(g.edge_count());
    for u in 0..g.node_count() as u32 {
        for e in g.edges(u) {
            edges.push((new_id[u as usize], new_id[g.head[e] as usize], g.weight[e]));
        }
    }
    pave::network::csr::Csr::from_edges(g.node_count(), &mut edges)
}
