//! Networks: OSM profiles on hand-made PBF fixtures, the Helsinki extract, snapping against
//! brute force, the network file, bad input, and determinism across thread counts.

#[path = "support/pbf.rs"]
mod pbf;
mod support;

use pave::io::osm;
use pave::model::network::Mode;
use pave::network::build::build;
use pave::network::profile::Speeds;
use pave::network::snap::{SnapIndex, SnapMode};
use pave::network::{Network, osm::raw_network, store};
use support::pave;

/// A 3 × 2 street grid near Kamppi, about 100 m apart:
///
/// ```text
///   4 --- 5 --- 6
///   |     |     |
///   1 --- 2 --- 3
/// ```
fn grid(ways: &[pbf::Way<'_>]) -> Vec<u8> {
    let (lon0, lat0) = (24.93, 60.168);
    let nodes: Vec<pbf::Node> = (1..=6)
        .map(|i| (i, lon0 + 0.0018 * f64::from(((i - 1) % 3) as i32), lat0 + 0.0009 * f64::from(((i - 1) / 3) as i32)))
        .collect();
    pbf::write(&nodes, ways)
}

fn net_of(pbf_bytes: &[u8], mode: Mode) -> Option<Network> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.osm.pbf");
    std::fs::write(&path, pbf_bytes).unwrap();
    let data = osm::read(&path).unwrap();
    let (raw, _) = raw_network(&data, mode, &Speeds::default());
    (!raw.edges.is_empty()).then(|| build(&raw, "test").0)
}

/// Whether the network has an edge between OSM nodes `a` → `b`.
fn has(net: &Network, a: i64, b: i64) -> bool {
    let ix = |id: i64| net.node_id.iter().position(|&n| n == id);
    match (ix(a), ix(b)) {
        (Some(u), Some(v)) => net.forward.edges(u as u32).any(|e| net.forward.head[e] == v as u32),
        _ => false,
    }
}

const RING: [(&str, &str); 1] = [("highway", "residential")];

/// The outer ring as six separate ways, so every grid node is a graph node, plus `extra`.
fn ring_ways<'a>(extra: pbf::Way<'a>) -> Vec<pbf::Way<'a>> {
    let sides = [(1, 2), (2, 3), (3, 6), (6, 5), (5, 4), (4, 1)];
    let mut ways: Vec<pbf::Way<'a>> =
        sides.iter().enumerate().map(|(i, &(a, b))| (20 + i as i64, vec![a, b], RING.to_vec())).collect();
    ways.push(extra);
    ways
}

#[test]
fn oneway_variants_set_edge_directions() {
    type Case<'a> = (&'a [(&'a str, &'a str)], Mode, bool, bool);
    let cases: [Case<'_>; 7] = [
        (&[("highway", "residential"), ("oneway", "yes")], Mode::Car, true, false),
        (&[("highway", "residential"), ("oneway", "-1")], Mode::Car, false, true),
        (&[("highway", "primary"), ("junction", "roundabout")], Mode::Car, true, false),
        (&[("highway", "residential"), ("oneway", "yes")], Mode::Walk, true, true),
        (&[("highway", "residential"), ("oneway", "yes")], Mode::Bike, true, false),
        (&[("highway", "residential"), ("oneway", "yes"), ("oneway:bicycle", "no")], Mode::Bike, true, true),
        (&[("highway", "residential")], Mode::Car, true, true),
    ];
    for (tags, mode, forward, backward) in cases {
        // The middle street 2 → 5 carries the tags under test; the ring keeps it connected.
        let bytes = grid(&ring_ways((11, vec![2, 5], tags.to_vec())));
        let net = net_of(&bytes, mode).unwrap();
        assert_eq!((has(&net, 2, 5), has(&net, 5, 2)), (forward, backward), "{tags:?} for {mode:?}");
    }
}

#[test]
fn access_rules_decide_usable_ways() {
    let service_foot_yes =
        grid(&ring_ways((11, vec![2, 5], vec![("highway", "service"), ("access", "no"), ("foot", "yes")])));
    assert!(has(&net_of(&service_foot_yes, Mode::Walk).unwrap(), 2, 5));
    assert!(!has(&net_of(&service_foot_yes, Mode::Car).unwrap(), 2, 5));
    let private = grid(&ring_ways((11, vec![2, 5], vec![("highway", "residential"), ("access", "private")])));
    assert!(!has(&net_of(&private, Mode::Car).unwrap(), 2, 5));
    let footway = grid(&ring_ways((11, vec![2, 5], vec![("highway", "footway")])));
    assert!(has(&net_of(&footway, Mode::Walk).unwrap(), 2, 5));
    assert!(!has(&net_of(&footway, Mode::Bike).unwrap(), 2, 5));
    let motorway = grid(&[(10, vec![1, 2, 3], vec![("highway", "motorway"), ("oneway", "no")])]);
    assert!(net_of(&motorway, Mode::Walk).is_none(), "no walkable ways at all");
}

#[test]
fn ways_split_only_at_shared_nodes_and_keep_geometry() {
    // One way 1-2-3 where only 1 and 3 are graph nodes: one edge pair with 2 as geometry.
    let bytes = grid(&[(10, vec![1, 2, 3], vec![("highway", "residential")])]);
    let net = net_of(&bytes, Mode::Walk).unwrap();
    assert_eq!(net.node_count(), 2);
    assert_eq!(net.edge_count(), 2);
    assert_eq!(net.polyline(0).len(), 3);
    // Length follows the geometry: two 0.0018° steps of longitude at 60.168°N ≈ 2 × 100 m.
    let len = net.length_m[0];
    assert!((195.0..205.0).contains(&len), "{len}");
    // 1.2 m/s walking.
    assert!((f64::from(net.forward.weight[0]) / 1000.0 - f64::from(len) / 1.2).abs() < 0.01);
}

#[test]
fn helsinki_extract_builds_for_all_modes_with_plausible_walking_times() {
    let pbf = support::root().join("sample-data/helsinki/helsinki-center.osm.pbf");
    let data = osm::read(&pbf).unwrap();
    assert_eq!(data.nodes_read, 24_260, "osmium fileinfo of the extract (shared/data/README.md)");
    for mode in [Mode::Walk, Mode::Bike, Mode::Car] {
        let (raw, _) = raw_network(&data, mode, &Speeds::default());
        let (net, _) = build(&raw, "helsinki");
        assert!(net.node_count() > 500, "{mode:?}: {}", net.node_count());
        assert!(net.forward.validate().is_ok() && net.backward.validate().is_ok());
        // The budget (< 40 bytes per directed edge) holds for real street networks; the
        // bike and car graphs of this small extract have many border dead ends, so nodes
        // weigh more per edge there (42–44 bytes); see benches/README.md.
        let bytes_per_edge = net.routing_memory_bytes() as f64 / net.edge_count() as f64;
        if mode == Mode::Walk {
            assert!(bytes_per_edge < 40.0, "{mode:?}: {bytes_per_edge} bytes per edge");
        }
    }
    // Walking: Central Railway Station → Finnish National Theatre (≈ 170 m apart) and →
    // Senate Square (≈ 630 m apart). An independent build of the same extract with scipy
    // (shared/peers osm_to_net.py, 1.2 m/s) gives 192 s and 1069 s between nearest nodes.
    let dir = tempfile::tempdir().unwrap();
    let net = dir.path().join("walk.pavenet");
    let r = pave(
        dir.path(),
        &["network", "build", "--osm", pbf.to_str().unwrap(), "--mode", "walk", "--out", net.to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let pts = dir.path().join("pts.csv");
    std::fs::write(&pts, "id,x,y\nrautatieasema,385781.24,6672243.47\nkansallisteatteri,385927.06,6672325.85\nsenaatintori,386376.37,6672043.31\n").unwrap();
    let out = dir.path().join("od.csv");
    let r = pave(
        dir.path(),
        &[
            "-q",
            "matrix",
            "--network",
            net.to_str().unwrap(),
            "--from",
            pts.to_str().unwrap(),
            "--to",
            pts.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let od = std::fs::read_to_string(&out).unwrap();
    let time = |o: &str, d: &str| -> f64 {
        od.lines()
            .find(|l| l.starts_with(&format!("{o},{d},")))
            .and_then(|l| l.rsplit(',').next())
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!(time("rautatieasema", "rautatieasema"), 0.0);
    let theatre = time("rautatieasema", "kansallisteatteri");
    let senate = time("rautatieasema", "senaatintori");
    assert!((150.0..300.0).contains(&theatre), "{theatre} s");
    assert!((900.0..1300.0).contains(&senate), "{senate} s");
    assert!((senate - 1069.1).abs() / 1069.1 < 0.1, "{senate} s vs the independent 1069 s");
}

#[test]
fn snapping_matches_brute_force() {
    let pbf = support::root().join("sample-data/helsinki/helsinki-center.osm.pbf");
    let data = osm::read(&pbf).unwrap();
    let (raw, _) = raw_network(&data, Mode::Walk, &Speeds::default());
    let (net, _) = build(&raw, "helsinki");
    let index = SnapIndex::new();
    let seg_dist = |p: (f64, f64), a: (f64, f64), b: (f64, f64)| {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let l2 = dx * dx + dy * dy;
        let t = if l2 == 0.0 { 0.0 } else { (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / l2).clamp(0.0, 1.0) };
        ((p.0 - a.0 - t * dx).powi(2) + (p.1 - a.1 - t * dy).powi(2)).sqrt()
    };
    let mut seed = 7u64;
    for _ in 0..200 {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let x = 385_300.0 + (seed >> 33) as f64 % 1300.0;
        let y = 6_671_300.0 + (seed >> 13) as f64 % 1900.0;
        let brute = (0..net.edge_count())
            .map(|e| net.polyline(e).windows(2).map(|w| seg_dist((x, y), w[0], w[1])).fold(f64::MAX, f64::min))
            .fold(f64::MAX, f64::min);
        let s = index.snap(&net, x, y, SnapMode::Edge).unwrap();
        assert!((s.distance_m - brute).abs() < 1e-6, "edge snap {} vs brute force {brute}", s.distance_m);
        let brute_node = (0..net.node_count())
            .map(|i| ((net.x[i] - x).powi(2) + (net.y[i] - y).powi(2)).sqrt())
            .fold(f64::MAX, f64::min);
        let n = index.snap(&net, x, y, SnapMode::Node).unwrap();
        assert!((n.distance_m - brute_node).abs() < 1e-6);
    }
}

#[test]
fn network_file_round_trips_and_detects_corruption() {
    let bytes = grid(&ring_ways((11, vec![2, 5], vec![("highway", "residential")])));
    let net = net_of(&bytes, Mode::Bike).unwrap();
    let file = store::to_bytes(&net);
    assert_eq!(store::from_bytes(&file).unwrap(), net);
    let mut bad = file.clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 0x55;
    assert!(store::from_bytes(&bad).unwrap_err().to_string().contains("corrupt"));
    assert!(store::from_bytes(&file[..file.len() / 3]).is_err());
    assert!(store::from_bytes(b"hello").unwrap_err().to_string().contains("not a pave network"));
    // A file of the earlier format (version 1 stored the backward graph too) asks for a rebuild.
    let mut old = file.clone();
    old[8..12].copy_from_slice(&1u32.to_le_bytes());
    let message = store::from_bytes(&old).unwrap_err().to_string();
    assert!(message.contains("version 1") && message.contains("rebuild it"), "{message}");
}

/// Writes an interchange network and returns (dir, nodes, edges).
fn interchange(nodes: &str, edges: &str) -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let n = dir.path().join("nodes.csv");
    let e = dir.path().join("edges.csv");
    std::fs::write(&n, nodes).unwrap();
    std::fs::write(&e, edges).unwrap();
    (dir, n.display().to_string(), e.display().to_string())
}

const NODES: &str = "id,x,y\n0,385000,6672000\n1,385100,6672000\n2,385100,6672100\n";
const EDGES: &str = "from,to,length_m,time_s\n0,1,100,80\n1,0,100,80\n1,2,100,80\n2,1,100,80\n";

#[test]
fn bad_network_input_is_reported_with_file_and_line() {
    let cases: [(&str, &str, &str); 6] = [
        (NODES, "from,to,length_m,time_s\n0,1,100,80\n0,7,100,80\n", "line 3: field 'to' = '7'"),
        (NODES, "from,to,length_m,time_s\n0,1,100,-80\n", "field 'time_s' = '-80'"),
        (NODES, "from,to,length_m,time_s\n0,1,NaN,80\n", "field 'length_m' = 'NaN'"),
        (NODES, "from,to,length_m,time_s\n0,1,100,inf\n", "finite"),
        ("id,x,y\n0,385000,6672000\nA,385100,6672000\n", EDGES, "field 'id' = 'A': an integer id"),
        ("id,x,y\n0,385000,6672000\n0,385100,6672000\n", EDGES, "duplicate-id"),
    ];
    for (nodes, edges, needle) in cases {
        let (dir, n, e) = interchange(nodes, edges);
        let out = dir.path().join("n.pavenet");
        let r = pave(dir.path(), &["network", "build", "--csv", &n, &e, "--out", out.to_str().unwrap()]);
        assert_eq!(r.code, 1, "{needle}: {}", r.stderr);
        assert!(r.stderr.contains(needle), "expected '{needle}' in:\n{}", r.stderr);
        assert!(!r.stderr.contains("panicked") && !out.exists());
    }
    // PBF: empty, truncated, and without ways usable for the mode.
    let dir = tempfile::tempdir().unwrap();
    let good = grid(&[(10, vec![1, 2, 3], vec![("highway", "motorway")])]);
    for (name, bytes, needle) in [
        ("empty", vec![], "empty"),
        ("truncated", good[..good.len() - 20].to_vec(), "truncated"),
        ("motorway", good.clone(), "no ways usable for walk"),
    ] {
        let p = dir.path().join(format!("{name}.osm.pbf"));
        std::fs::write(&p, &bytes).unwrap();
        let out = dir.path().join(format!("{name}.pavenet"));
        let r = pave(
            dir.path(),
            &["network", "build", "--osm", p.to_str().unwrap(), "--mode", "walk", "--out", out.to_str().unwrap()],
        );
        assert_ne!(r.code, 0, "{name}");
        assert!(r.stderr.contains(needle), "{name}: expected '{needle}' in:\n{}", r.stderr);
        assert!(!r.stderr.contains("panicked") && !out.exists(), "{name}");
    }
}

#[test]
fn interchange_nodes_in_another_crs_are_rejected_or_converted() {
    // Degrees in a file read as EPSG:3067 would snap every point wrongly: an error naming
    // the node's line, its coordinates as written and the fix.
    let degrees = "id,x,y\n0,24.9384,60.1699\n1,24.9402,60.1699\n2,24.9402,60.1708\n";
    let (dir, n, e) = interchange(degrees, EDGES);
    let out = dir.path().join("n.pavenet");
    let r = pave(dir.path(), &["network", "build", "--csv", &n, &e, "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    for needle in ["nodes.csv: line 2", "field 'x, y' = '24.9384, 60.1699'", "look like degrees", "--crs"] {
        assert!(r.stderr.contains(needle), "expected '{needle}' in:\n{}", r.stderr);
    }
    assert!(!out.exists());
    // Declared, they are converted into EPSG:3067.
    let r = pave(dir.path(), &["network", "build", "--csv", &n, &e, "--crs", "4326", "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let info = pave(dir.path(), &["network", "info", out.to_str().unwrap()]);
    assert!(info.stdout.contains("extent:      E 385"), "{}", info.stdout);
    assert!(info.stdout.contains("mode:        custom"), "{}", info.stdout);
    // GK25 coordinates read as EPSG:3067.
    let gk = "id,x,y\n0,25496888,6672394\n1,25496988,6672394\n2,25496988,6672494\n";
    let (dir, n, e) = interchange(gk, EDGES);
    let r = pave(dir.path(), &["network", "build", "--csv", &n, &e, "--out", dir.path().join("g").to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("zone prefix") && r.stderr.contains("3879"), "{}", r.stderr);
}

#[test]
fn island_points_are_flagged_and_threads_do_not_change_results() {
    let (dir, n, e) = interchange(NODES, EDGES);
    let net = dir.path().join("n.pavenet");
    assert_eq!(pave(dir.path(), &["network", "build", "--csv", &n, &e, "--out", net.to_str().unwrap()]).code, 0);
    let pts = dir.path().join("pts.csv");
    std::fs::write(&pts, "id,x,y\na,385010,6672005\nb,385100,6672090\nisland,390000,6680000\n").unwrap();
    let run = |threads: &str, name: &str| {
        let out = dir.path().join(name);
        let r = pave(
            dir.path(),
            &[
                "-q",
                "--threads",
                threads,
                "matrix",
                "--network",
                net.to_str().unwrap(),
                "--from",
                pts.to_str().unwrap(),
                "--to",
                pts.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        (std::fs::read(out).unwrap(), r.stderr)
    };
    let report = dir.path().join("snaps.csv");
    let r = pave(
        dir.path(),
        &[
            "-q",
            "matrix",
            "--network",
            net.to_str().unwrap(),
            "--from",
            pts.to_str().unwrap(),
            "--to",
            pts.to_str().unwrap(),
            "--snap-report",
            report.to_str().unwrap(),
            "--out",
            dir.path().join("r.csv").to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let snaps = std::fs::read_to_string(&report).unwrap();
    assert!(snaps.contains("a,origin,1,5.00,4.167\n"), "{snaps}");
    assert!(snaps.lines().any(|l| l.starts_with("island,destination,0,")), "{snaps}");
    let (one, stderr) = run("1", "one.csv");
    let (two, _) = run("2", "two.csv");
    assert_eq!(one, two, "1 and 2 threads give byte-identical output");
    assert!(stderr.contains("island"), "{stderr}");
    let text = String::from_utf8(one).unwrap();
    assert!(text.contains("a,island,\n") && text.contains("island,a,\n"), "unreachable pairs are explicit:\n{text}");
    // a (10 m along 0→1, 5 m off) → b (90 m along 1→2, 0 m off): 5/1.2 + 90 m at 100/80 m/s
    // along 0→1 + 90 m along 1→2 at the same speed = 4.167 + 72 + 72 = 148.167 s.
    assert!(text.contains("a,b,148.167\n"), "{text}");
}

/// A small road layer in the Digiroad K schema (EPSG:3067): a square A-B-C-D with one-way
/// links in both digitising senses, a motorway diagonal, a pedestrian and cycle way D-F
/// and a ferry C-E.
fn digiroad_fixture(dir: &std::path::Path) -> std::path::PathBuf {
    use pave::io::{GeometryKind, OutColumn, OutGeometry, OutTable};
    let (ax, ay) = (385_000.0, 6_672_000.0);
    let p = |dx: f64, dy: f64| (ax + dx, ay + dy);
    // (LINK_ID, AJOSUUNTA, TOIMINN_LK, LINKKITYYP, NOPEUSRAJ, points)
    type Link = (i64, i64, i64, i64, Option<i64>, Vec<(f64, f64)>);
    let links: Vec<Link> = vec![
        (1, 2, 3, 3, Some(30), vec![p(0.0, 0.0), p(50.0, 5.0), p(100.0, 0.0)]), // A-B two-way, 30 km/h, bent
        (2, 4, 3, 3, None, vec![p(100.0, 0.0), p(100.0, 100.0)]),               // B→C along digitising
        (3, 3, 3, 3, None, vec![p(0.0, 100.0), p(100.0, 100.0)]), // C→D against digitising (digitised D→C)
        (4, 2, 8, 8, None, vec![p(0.0, 100.0), p(-100.0, 100.0)]), // D-F kevyen liikenteen väylä
        (5, 2, 1, 1, None, vec![p(0.0, 0.0), p(100.0, 100.0)]),   // A-C motorway
        (6, 2, 3, 21, None, vec![p(100.0, 100.0), p(200.0, 100.0)]), // C-E ferry
        (7, 2, 5, 3, None, vec![p(0.0, 100.0), p(0.0, 0.0)]),     // D-A street
    ];
    let mut t = OutTable::new("DR_LINKKI_K")
        .with("LINK_ID", OutColumn::Int(links.iter().map(|l| Some(l.0)).collect()))
        .with("AJOSUUNTA", OutColumn::Int(links.iter().map(|l| Some(l.1)).collect()))
        .with("TOIMINN_LK", OutColumn::Int(links.iter().map(|l| Some(l.2)).collect()))
        .with("LINKKITYYP", OutColumn::Int(links.iter().map(|l| Some(l.3)).collect()))
        .with("NOPEUSRAJ", OutColumn::Int(links.iter().map(|l| l.4).collect()))
        .with("TIENIMI_SU", OutColumn::Text(links.iter().map(|l| Some(format!("Testikatu {}", l.0))).collect()));
    t.geometry = Some(OutGeometry {
        kind: GeometryKind::LineString,
        epsg: 3067,
        values: links.iter().map(|l| Some(geo::LineString::from(l.5.clone()).into())).collect(),
    });
    let path = dir.join("digiroad.gpkg");
    pave::io::gpkg::write(&path, &[t]).unwrap();
    path
}

#[test]
fn digiroad_line_layer_follows_the_specification() {
    let dir = tempfile::tempdir().unwrap();
    let gpkg = digiroad_fixture(dir.path());
    let load = |mode: &str| -> Network {
        let out = dir.path().join(format!("{mode}.pavenet"));
        let r = pave(
            dir.path(),
            &[
                "network",
                "build",
                "--lines",
                gpkg.to_str().unwrap(),
                "--mapping",
                "digiroad",
                "--mode",
                mode,
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        store::from_bytes(&std::fs::read(out).unwrap()).unwrap()
    };
    let at = |net: &Network, dx: f64, dy: f64| {
        (0..net.node_count())
            .find(|&i| (net.x[i] - 385_000.0 - dx).abs() < 0.01 && (net.y[i] - 6_672_000.0 - dy).abs() < 0.01)
            .map(|i| i as u32)
    };
    let edge = |net: &Network, a: (f64, f64), b: (f64, f64)| -> Option<usize> {
        let (u, v) = (at(net, a.0, a.1)?, at(net, b.0, b.1)?);
        net.forward.edges(u).find(|&e| net.forward.head[e] == v)
    };
    let (a, b, c, d, e, f) = ((0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0), (200.0, 100.0), (-100.0, 100.0));
    let car = load("car");
    assert!(edge(&car, a, b).is_some() && edge(&car, b, a).is_some(), "AJOSUUNTA 2: both ways");
    assert!(edge(&car, b, c).is_some() && edge(&car, c, b).is_none(), "AJOSUUNTA 4: along digitising only");
    assert!(edge(&car, c, d).is_some() && edge(&car, d, c).is_none(), "AJOSUUNTA 3: against digitising only");
    assert!(at(&car, f.0, f.1).is_none(), "TOIMINN_LK 8: no cars on the pedestrian and cycle way");
    assert!(edge(&car, a, c).is_some(), "motorway open to cars");
    assert!(at(&car, e.0, e.1).is_none() && at(&load("walk"), e.0, e.1).is_none(), "LINKKITYYP 21: ferries left out");
    // Speeds: the joined limit (30 km/h) where given, else 50 km/h for TOIMINN_LK 3.
    let ab = edge(&car, a, b).unwrap();
    let len = f64::from(car.length_m[ab]);
    assert!((len - 2.0 * (50f64.powi(2) + 5f64.powi(2)).sqrt()).abs() < 0.01, "length along the bent geometry: {len}");
    assert!((f64::from(car.forward.weight[ab]) / 1000.0 - len / (30.0 / 3.6)).abs() < 0.01);
    let bc = edge(&car, b, c).unwrap();
    assert!((f64::from(car.forward.weight[bc]) / 1000.0 - 100.0 / (50.0 / 3.6)).abs() < 0.01);
    let walk = load("walk");
    assert!(edge(&walk, d, f).is_some() && edge(&walk, f, d).is_some(), "pedestrians on the kevyen liikenteen väylä");
    assert!(edge(&walk, c, b).is_some(), "walkers ignore one-way codes");
    assert!(edge(&walk, a, c).is_none(), "no walking on the motorway");
}

#[test]
fn service_areas_cut_edges_at_the_frontier_and_export_opens() {
    let (dir, n, e) = interchange(NODES, EDGES);
    let net = dir.path().join("n.pavenet");
    assert_eq!(pave(dir.path(), &["network", "build", "--csv", &n, &e, "--out", net.to_str().unwrap()]).code, 0);
    let pts = dir.path().join("p.csv");
    std::fs::write(&pts, "id,x,y\nhome,385000,6672000\n").unwrap();
    let out = dir.path().join("iso.gpkg");
    let r = pave(
        dir.path(),
        &[
            "-q",
            "isochrone",
            "--network",
            net.to_str().unwrap(),
            "--points",
            pts.to_str().unwrap(),
            "--times",
            "2min,1min",
            "--direction",
            "from",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (t, _) = pave::io::gpkg::read(&out, Some("service_area_lines")).unwrap();
    let km = t.column_index("street_km").unwrap();
    let minutes = t.column_index("minutes").unwrap();
    // Edges of 100 m at 80 s: in 60 s, 75 m; in 120 s, 100 m plus half of the next 100 m.
    let get = |row: usize| match (t.columns[minutes].cell(row), t.columns[km].cell(row)) {
        (pave::io::table::Cell::Float(m), pave::io::table::Cell::Float(k)) => (m, k),
        other => panic!("{other:?}"),
    };
    let (m0, k0) = get(0);
    let (m1, k1) = get(1);
    assert_eq!((m0, m1), (1.0, 2.0), "bands sorted");
    assert!((k0 - 0.075).abs() < 1e-6, "{k0}");
    assert!((k1 - 0.150).abs() < 1e-6, "{k1}");
    let edges = dir.path().join("edges.gpkg");
    assert_eq!(
        pave(dir.path(), &["network", "export", net.to_str().unwrap(), "--out", edges.to_str().unwrap()]).code,
        0
    );
    let (t, _) = pave::io::gpkg::read(&edges, None).unwrap();
    assert_eq!(t.len, 4);
}

#[test]
fn contracted_networks_give_identical_answers() {
    // A 20 × 20 road-like grid as interchange files, built plain and with --contract.
    let raw = pave::sample::roads::grid(20, 3);
    let mut nodes = String::from("id,x,y\n");
    for i in 0..raw.x.len() {
        nodes.push_str(&format!("{},{:.2},{:.2}\n", raw.node_id[i], raw.x[i], raw.y[i]));
    }
    let mut edges = String::from("from,to,length_m,time_s\n");
    for e in &raw.edges {
        edges.push_str(&format!("{},{},{:.3},{:.3}\n", e.from, e.to, e.length_m, f64::from(e.time_ms) / 1000.0));
    }
    let (dir, n, e) = interchange(&nodes, &edges);
    let build = |name: &str, contract: bool| {
        let out = dir.path().join(name);
        let mut args = vec!["network", "build", "--csv", &n, &e, "--out", out.to_str().unwrap()];
        if contract {
            args.push("--contract");
        }
        let r = pave(dir.path(), &args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        out
    };
    let (plain, contracted) = (build("plain.pavenet", false), build("ch.pavenet", true));
    let pts = dir.path().join("pts.csv");
    let mut p = String::from("id,x,y\n");
    for i in (0..raw.x.len()).step_by(37) {
        p.push_str(&format!("p{i},{:.1},{:.1}\n", raw.x[i] + 7.0, raw.y[i] - 3.0));
    }
    std::fs::write(&pts, p).unwrap();
    let run = |net: &std::path::Path, cmd: &str, name: &str| -> Vec<u8> {
        let out = dir.path().join(name);
        let (a, b) = (net.to_str().unwrap(), pts.to_str().unwrap());
        let args: Vec<&str> = match cmd {
            "matrix" => vec!["-q", "matrix", "--network", a, "--from", b, "--to", b, "--out", out.to_str().unwrap()],
            _ => vec!["-q", "nearest", "--network", a, "--facilities", b, "--out", out.to_str().unwrap()],
        };
        let r = pave(dir.path(), &args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        std::fs::read(out).unwrap()
    };
    assert_eq!(run(&plain, "matrix", "m1.csv"), run(&contracted, "matrix", "m2.csv"), "PHAST matrix = Dijkstra matrix");
    assert_eq!(
        run(&plain, "nearest", "n1.csv"),
        run(&contracted, "nearest", "n2.csv"),
        "PHAST labels = Dijkstra labels"
    );
}
