//! Benchmark: OpenStreetMap reading speed on a large file. The 1M-node road-like grid is
//! written as PBF (the test fixture writer: plain nodes and ways, uncompressed blocks of
//! 8,000 elements) and read back into a walking network.
//!
//! Run: `cargo bench --bench osm`. Target (issue 4): ≥ 1 M OSM nodes/s.

#[path = "../tests/support/pbf.rs"]
mod pbf;

use pave::model::network::Mode;
use pave::network::profile::Speeds;
use std::time::Instant;

fn main() {
    let side = if std::env::var_os("PAVE_BENCH_QUICK").is_some() { 300 } else { 1004 };
    let raw = pave::sample::roads::grid(side, 42);
    let to_wgs = pave::io::crs::Transform::new(
        pave::io::crs::Crs::from_epsg(3067).unwrap(),
        pave::io::crs::Crs::from_epsg(4326).unwrap(),
    );
    let nodes: Vec<pbf::Node> = (0..raw.x.len())
        .map(|i| {
            let (lon, lat) = to_wgs.apply(raw.x[i], raw.y[i]);
            (i as i64 + 1, lon, lat)
        })
        .collect();
    // One way per street segment: the generator writes a two-way street as two consecutive
    // opposite edges, a one-way street as a single edge.
    let mut ways: Vec<pbf::Way<'_>> = Vec::new();
    let mut k = 0;
    while k < raw.edges.len() {
        let e = raw.edges[k];
        let refs = vec![i64::from(e.from) + 1, i64::from(e.to) + 1];
        let two_way = raw.edges.get(k + 1).is_some_and(|o| o.from == e.to && o.to == e.from);
        let tags = if two_way {
            vec![("highway", "residential")]
        } else {
            vec![("highway", "residential"), ("oneway", "yes")]
        };
        ways.push((ways.len() as i64 + 1, refs, tags));
        k += if two_way { 2 } else { 1 };
    }
    let bytes = pbf::write(&nodes, &ways);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("grid.osm.pbf");
    std::fs::write(&path, &bytes).unwrap();
    println!("PBF: {} nodes, {} ways, {:.0} MB", nodes.len(), ways.len(), bytes.len() as f64 / 1e6);
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let data = pave::io::osm::read(&path).unwrap();
        let read = t.elapsed().as_secs_f64();
        let (raw, _) = pave::network::osm::raw_network(&data, Mode::Walk, &Speeds::default());
        let total = t.elapsed().as_secs_f64();
        best = best.min(total);
        println!(
            "read {read:.2} s + split into {} edges {:.2} s = {total:.2} s ({:.2} M OSM nodes/s)",
            raw.edges.len(),
            total - read,
            data.nodes_read as f64 / total / 1e6
        );
    }
    println!("best: {:.2} M OSM nodes/s", nodes.len() as f64 / best / 1e6);
}
