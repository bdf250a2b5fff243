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
    measure(&path, nodes.len());
    realistic(side);
}

/// The same street grid written as real extracts are: DenseNodes, zlib blobs, and streets
/// drawn with shape points — two between junctions, ways of two segments — so the file has
/// five nodes per way (the Helsinki extract: 24,260 nodes, 5,130 ways, 4.7).
fn realistic(side: usize) {
    let side = side * 10 / 22; // about as many OSM nodes as the way-heavy file above
    let raw = pave::sample::roads::grid(side, 42);
    let to_wgs = pave::io::crs::Transform::new(
        pave::io::crs::Crs::from_epsg(3067).unwrap(),
        pave::io::crs::Crs::from_epsg(4326).unwrap(),
    );
    let mut nodes: Vec<pbf::Node> = (0..raw.x.len())
        .map(|i| {
            let (lon, lat) = to_wgs.apply(raw.x[i], raw.y[i]);
            (i as i64 + 1, lon, lat)
        })
        .collect();
    let shape = |a: usize, b: usize, nodes: &mut Vec<pbf::Node>| -> Vec<i64> {
        (1..=2)
            .map(|k| {
                let f = k as f64 / 3.0;
                let (x, y) = (raw.x[a] + (raw.x[b] - raw.x[a]) * f + 3.0, raw.y[a] + (raw.y[b] - raw.y[a]) * f - 3.0);
                let (lon, lat) = to_wgs.apply(x, y);
                nodes.push((nodes.len() as i64 + 1, lon, lat));
                nodes.len() as i64
            })
            .collect()
    };
    // Ways along rows and columns, two segments each.
    let id = |i: usize, j: usize| i * side + j;
    let mut ways: Vec<pbf::Way<'_>> = Vec::new();
    for line in 0..side {
        for along in [true, false] {
            let mut k = 0;
            while k + 2 < side {
                let at = |t: usize| if along { id(line, t) } else { id(t, line) };
                let mut refs = vec![at(k) as i64 + 1];
                for t in k..k + 2 {
                    refs.extend(shape(at(t), at(t + 1), &mut nodes));
                    refs.push(at(t + 1) as i64 + 1);
                }
                ways.push((ways.len() as i64 + 1, refs, vec![("highway", "residential")]));
                k += 2;
            }
        }
    }
    let bytes = pbf::write_dense(&nodes, &ways);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dense.osm.pbf");
    std::fs::write(&path, &bytes).unwrap();
    println!(
        "realistic PBF (DenseNodes, zlib): {} nodes, {} ways ({:.1} nodes per way), {:.0} MB",
        nodes.len(),
        ways.len(),
        nodes.len() as f64 / ways.len() as f64,
        bytes.len() as f64 / 1e6
    );
    measure(&path, nodes.len());
}

/// Reads `path` three times into a walking network and prints the speeds.
fn measure(path: &std::path::Path, nodes: usize) {
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let data = pave::io::osm::read(path).unwrap();
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
    println!("best: {:.2} M OSM nodes/s", nodes as f64 / best / 1e6);
}
