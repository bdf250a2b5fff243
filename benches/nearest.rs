//! Benchmark: nearest-facility labelling of every node (the lähipäiväkoti catchment of a
//! whole network), the kernel `pave nearest` runs.
//!
//! Run: `cargo bench --bench nearest` (a generated ~1M-node road-like grid, 200 facilities;
//! PAVE_BENCH_QUICK=1 for ~100k nodes). To time the peers' exact files instead, set
//! PAVE_BENCH_NETWORK=syn1M.pavenet and PAVE_BENCH_FACILITIES=facilities.csv (snapped to
//! nodes, as `pave nearest --snap node` does).

use pave::network::Network;
use pave::network::snap::{SnapIndex, SnapMode};
use pave::routing::{Access, UNREACHABLE, nearest};
use std::time::Instant;

fn main() {
    let (net, facilities) = match (std::env::var_os("PAVE_BENCH_NETWORK"), std::env::var_os("PAVE_BENCH_FACILITIES")) {
        (Some(n), Some(f)) => from_files(n.as_ref(), f.as_ref()),
        _ => generated(),
    };
    println!("graph: {} nodes, {} edges; {} facilities", net.node_count(), net.edge_count(), facilities.len());
    let threads = rayon::current_num_threads();
    let runs = 7;
    let time = |f: &dyn Fn() -> (Vec<u32>, Vec<u32>)| {
        let mut best = f64::MAX;
        let mut out = None;
        for _ in 0..runs {
            let t = Instant::now();
            let r = f();
            best = best.min(t.elapsed().as_secs_f64());
            out = Some(r);
        }
        (best, out.expect("at least one run"))
    };
    let (t1, one) = time(&|| nearest::nearest_with(&net.backward, &facilities, UNREACHABLE, 1));
    println!("nearest, 1 thread: {:.4} s (best of {runs})", t1);
    let (tn, many) = time(&|| nearest::nearest_with(&net.backward, &facilities, UNREACHABLE, threads));
    println!("nearest, {threads} threads: {:.4} s (best of {runs}); {:.2}× one thread", tn, t1 / tn);
    assert!(one == many, "labels differ between 1 and {threads} threads");
    let reached = one.0.iter().filter(|&&c| c != UNREACHABLE).count();
    let checksum: u64 = one.0.iter().filter(|&&c| c != UNREACHABLE).map(|&c| u64::from(c)).sum();
    println!("reached {reached} nodes; cost checksum {checksum} ms");
}

fn generated() -> (Network, Vec<Vec<Access>>) {
    let side = if std::env::var_os("PAVE_BENCH_QUICK").is_some() { 317 } else { 1004 };
    let raw = pave::sample::roads::grid(side, 42);
    let (net, _) = pave::network::build::build(&raw, "bench grid");
    let step = net.node_count() / 200;
    let facilities = (0..200).map(|i| vec![Access { node: (i * step + step / 2) as u32, cost: 0 }]).collect();
    (net, facilities)
}

fn from_files(network: &std::path::Path, facilities: &std::path::Path) -> (Network, Vec<Vec<Access>>) {
    let bytes = std::fs::read(network).expect("network file");
    let net = pave::network::store::from_bytes(&bytes).expect("a pave network file");
    let mut problems = pave::model::Problems::with_limit(5);
    let points = pave::io::points::read(facilities, &mut problems).expect("facilities CSV id,x,y");
    let index = SnapIndex::new();
    let access = points
        .iter()
        .map(|p| {
            let s = index.snap(&net, p.x, p.y, SnapMode::Node).expect("a node");
            vec![Access { node: s.node, cost: 0 }]
        })
        .collect();
    (net, access)
}
