//! Benchmark: `pave batch` on the 1M-node synthetic road grid (`pave::sample::roads::grid`,
//! 1,000 × 1,000 nodes, 100 km × 100 km), through the binary as a scheduler runs it:
//! 1. the fixed cost of a shard (process start, manifest, input hashes, loading the network,
//!    reading the points, writing the part) from a shard of one origin and one destination;
//! 2. an origins × destinations matrix (60 min cutoff) in 8 shards, run 1, 2, 4 and 8 at a
//!    time on this machine: wall time, the shards' own seconds and peak memory, throughput;
//! 3. the merge.
//!
//! `cargo bench --bench batch` (`PAVE_BENCH_QUICK=1`: a 300 × 300 grid); figures and the
//! cluster estimates built on them in `benches/README.md`.

use pave::network::build::build;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

fn pave(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_pave")).args(args).current_dir(dir).output().expect("run pave");
    assert!(out.status.success(), "pave {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Points on a lattice of `n` × `n` inside the grid's extent, as `id,x,y`.
fn lattice(n: usize, side: usize, prefix: &str) -> String {
    let extent = (side as f64 - 1.0) * 100.0;
    let mut text = String::from("id,x,y\n");
    for i in 0..n {
        for j in 0..n {
            let x = 380_000.0 + (i as f64 + 0.5) / n as f64 * extent;
            let y = 6_650_000.0 + (j as f64 + 0.5) / n as f64 * extent;
            text.push_str(&format!("{prefix}{},{x:.0},{y:.0}\n", i * n + j));
        }
    }
    text
}

fn job(network: &str, from: &str, to: &str, shards: usize) -> String {
    format!(
        "[matrix]\nnetwork = \"{network}\"\nfrom = \"{from}\"\nto = \"{to}\"\ncutoff_min = 60\nsparse = true\n\n[split]\nshards = {shards}\n"
    )
}

/// (seconds, peak MB) from every shard's completion record.
fn records(dir: &Path, shards: usize) -> Vec<(f64, f64)> {
    (0..shards)
        .map(|n| {
            let text = std::fs::read_to_string(dir.join(format!("out/shard={n}/_done.json"))).expect("record");
            let v: serde_json::Value = serde_json::from_str(&text).expect("json");
            (v["seconds"].as_f64().unwrap_or(0.0), v["peak_mb"].as_f64().unwrap_or(0.0))
        })
        .collect()
}

fn main() {
    let quick = std::env::var_os("PAVE_BENCH_QUICK").is_some();
    let side = if quick { 300 } else { 1000 };
    let (origins_side, destinations_side) = if quick { (20, 10) } else { (40, 16) };
    let tmp = tempfile::tempdir().expect("temp dir");
    let d = tmp.path();
    let t = Instant::now();
    let raw = pave::sample::roads::grid(side, 42);
    let (net, _) = build(&raw, "bench grid");
    let bytes = pave::network::store::to_bytes(&net);
    std::fs::write(d.join("grid.pavenet"), &bytes).expect("write the network");
    println!(
        "network: {} nodes, {} edges, {:.0} MB file (generated, built and written in {:.1} s)",
        net.node_count(),
        net.edge_count(),
        bytes.len() as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    drop((raw, net, bytes));
    std::fs::write(d.join("origins.csv"), lattice(origins_side, side, "o")).expect("origins");
    std::fs::write(d.join("destinations.csv"), lattice(destinations_side, side, "d")).expect("destinations");
    std::fs::write(d.join("one.csv"), "id,x,y\nonly,385000,6655000\n").expect("one point");
    let (o, dn) = (origins_side * origins_side, destinations_side * destinations_side);

    // 1. The fixed cost of a shard.
    std::fs::write(d.join("overhead.toml"), job("grid.pavenet", "one.csv", "one.csv", 1)).expect("job");
    pave(d, &["batch", "plan", "overhead.toml", "--out", "overhead"]);
    let t = Instant::now();
    pave(d, &["batch", "run", "overhead", "--shard", "0"]);
    let overhead = t.elapsed().as_secs_f64();
    let (_, overhead_peak) = records(&d.join("overhead"), 1)[0];
    println!(
        "shard overhead (1 × 1 shard: start, hashes, network, points, part): {overhead:.2} s, peak {overhead_peak:.0} MB"
    );
    // Its parts, in this process.
    let t = Instant::now();
    let hash = pave::scenario::kpis::file_hash(&d.join("grid.pavenet"));
    let hashed = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let net = pave::engine::routing::load_network(&d.join("grid.pavenet")).expect("load");
    let loaded = t.elapsed().as_secs_f64();
    let one = pave::engine::routing::read_points(&d.join("one.csv")).expect("points");
    let options = pave::engine::routing::RouteOptions {
        snap: pave::engine::routing::SnapMode::Edge,
        max_snap_m: 500.0,
        cutoff: 3_600_000,
    };
    let t = Instant::now();
    let report =
        pave::engine::routing::od_matrix(&net, &one, &one, &options, &mut |_, _| Ok(()), &pave::progress::NoProgress)
            .expect("route");
    println!(
        "  of which: input hash {hashed:.2} s ({hash}), network load {loaded:.2} s, snapping and 1 × 1 search {:.2} s (phases: snap {:.2} s, search {:.2} s)",
        t.elapsed().as_secs_f64(),
        report.phases.get("snap"),
        report.phases.get("search")
    );
    drop(net);

    // 2. The matrix in 8 shards, P at a time.
    std::fs::write(d.join("matrix.toml"), job("grid.pavenet", "origins.csv", "destinations.csv", 8)).expect("job");
    let t = Instant::now();
    pave(d, &["batch", "plan", "matrix.toml", "--out", "plan-check"]);
    println!("plan (inputs read and hashed): {:.2} s", t.elapsed().as_secs_f64());
    let mut first = None;
    for parallel in [1usize, 2, 4, 8] {
        let dir = format!("m{parallel}");
        pave(d, &["batch", "plan", "matrix.toml", "--out", &dir]);
        let t = Instant::now();
        let mut next = 0;
        let mut running: Vec<std::process::Child> = Vec::new();
        while next < 8 || !running.is_empty() {
            while running.len() < parallel && next < 8 {
                running.push(
                    Command::new(env!("CARGO_BIN_EXE_pave"))
                        .args(["batch", "run", &dir, "--shard", &next.to_string()])
                        .current_dir(d)
                        .stdout(std::process::Stdio::null())
                        .spawn()
                        .expect("start a shard"),
                );
                next += 1;
            }
            let mut i = 0;
            while i < running.len() {
                if let Some(status) = running[i].try_wait().expect("wait") {
                    assert!(status.success(), "a shard failed");
                    running.swap_remove(i).wait().expect("reaped");
                } else {
                    i += 1;
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let wall = t.elapsed().as_secs_f64();
        let rec = records(&d.join(&dir), 8);
        let busy: f64 = rec.iter().map(|r| r.0).sum();
        let peak = rec.iter().map(|r| r.1).fold(0.0, f64::max);
        let base = *first.get_or_insert(wall);
        println!(
            "{o} × {dn} in 8 shards, {parallel} at a time: wall {wall:.1} s ({:.2}× of one at a time), shards' own {busy:.1} s in all ({:.2} s each), peak {peak:.0} MB per shard, {:.0} origins/s",
            wall / base,
            busy / 8.0,
            o as f64 / wall
        );
    }

    // 3. The merge (every shard checked, totals; and the whole matrix as one CSV).
    let t = Instant::now();
    let out = pave(d, &["batch", "merge", "m1", "--csv", "merged.csv"]);
    let size = std::fs::metadata(d.join("merged.csv")).map_or(0, |m| m.len());
    let dataset: u64 = (0..8)
        .map(|n| std::fs::metadata(d.join(format!("m1/out/shard={n}/part-{n}.parquet"))).map_or(0, |m| m.len()))
        .sum();
    println!(
        "merge with --csv: {:.2} s; {}dataset {:.1} MB Parquet, CSV {:.1} MB",
        t.elapsed().as_secs_f64(),
        out.lines().next().map(|l| format!("{l}; ")).unwrap_or_default(),
        dataset as f64 / 1e6,
        size as f64 / 1e6
    );
}
