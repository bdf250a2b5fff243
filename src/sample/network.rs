//! SYNTHETIC road networks for Turku and Kuopio as Digiroad K-format line layers (EPSG:3067).
//!
//! Neither city's real network ships here, so a road-like lattice is generated over the
//! synthetic population: nodes at the 250 m cell centres (jittered ±30 m) of every inhabited
//! cell and a margin around it (Turku one cell; Kuopio none, whose sparse countryside would
//! otherwise pass 3 MB), plus arterial rows and columns every 2 km across the
//! inhabited cells' bounding box wherever they lie inside the municipal boundary. 4-neighbour
//! nodes are linked; ~8 % of the residential links are dropped (never arterials, never
//! leaving a node with fewer than two links); each link gets a middle vertex with a small
//! sideways offset, so its length exceeds the straight line. Pieces still apart are joined to
//! the main piece by the shortest L-shaped lattice road. A few streets become one-way
//! (`AJOSUUNTA` 3 / 4) or pedestrian and cycle paths (`TOIMINN_LK` 8, `LINKKITYYP` 8), but
//! only where a square of ordinary two-way roads goes round them, so every mode's network
//! stays one strongly connected piece.
//!
//! Every random draw is keyed by the lattice position (node or link), not by the order of
//! generation, so the output is deterministic and rows come in lattice order.

use super::Written;
use super::common::Cell;
use super::rng::Rng;
use crate::io::{GeometryKind, OutColumn, OutGeometry, OutTable, WriteError, gpkg};
use geo::{Contains, Geometry, LineString, MultiPolygon, Point};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;

/// Lattice spacing, metres (the population grid's cell size).
const STEP: f64 = 250.0;
/// Arterial rows and columns every this many lattice steps (2 km).
const ARTERIAL_EVERY: i32 = 8;
/// Node jitter, ± metres.
const JITTER: f64 = 30.0;
/// Share of residential links dropped.
const DROP: f64 = 0.08;
/// Share of residential links made one-way.
const ONE_WAY: f64 = 0.03;
/// Share of residential links made pedestrian and cycle paths.
const PATH: f64 = 0.015;

/// A lattice position: column and row of the 250 m grid (cell centre = index × 250 + 125).
type Key = (i32, i32);

/// What a link is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// 2 km arterial grid: TOIMINN_LK 3, 50 km/h.
    Arterial,
    /// Residential street: TOIMINN_LK 5 (40 km/h) or 6 (30 km/h).
    Street,
    /// Road added to join a separate piece: TOIMINN_LK 5, 40 km/h.
    Connector,
}

/// A street's special use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Special {
    /// Ordinary two-way road.
    None,
    /// One-way for vehicles.
    OneWay,
    /// Pedestrian and cycle path.
    Path,
}

/// One lattice link between `a` and its east or north neighbour.
#[derive(Clone, Copy, Debug)]
struct Link {
    kind: Kind,
    special: Special,
    /// Part of the two-way bypass of a special link: stays ordinary.
    protected: bool,
}

/// The random draws of one link, always made in the same order.
struct Draws {
    drop: f64,
    special: f64,
    class: f64,
    offset: f64,
    reversed: bool,
    along: bool,
}

/// A generator keyed by seed, lattice position and purpose.
fn keyed(seed: u64, k: Key, salt: u64) -> Rng {
    let mix = (i64::from(k.0) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (i64::from(k.1) as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
        ^ salt.wrapping_mul(0x1656_67B1_9E37_79F9);
    let mut rng = Rng::new(seed ^ mix);
    rng.next_u64();
    rng
}

fn draws(seed: u64, (a, b): (Key, Key)) -> Draws {
    let mut r = keyed(seed, a, if b.0 > a.0 { 1 } else { 2 });
    Draws {
        drop: r.unit(),
        special: r.unit(),
        class: r.unit(),
        offset: r.range(3.0, 15.0) * if r.chance(0.5) { 1.0 } else { -1.0 },
        reversed: r.chance(0.5),
        along: r.chance(0.5),
    }
}

fn round_mm(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// The jittered position of lattice node `k`, EPSG:3067.
fn position(seed: u64, k: Key) -> (f64, f64) {
    let mut r = keyed(seed, k, 0);
    let x = f64::from(k.0) * STEP + STEP / 2.0 + r.range(-JITTER, JITTER);
    let y = f64::from(k.1) * STEP + STEP / 2.0 + r.range(-JITTER, JITTER);
    (round_mm(x), round_mm(y))
}

/// The link key of neighbours `u` and `v` (west/south end first).
fn link_key(u: Key, v: Key) -> (Key, Key) {
    if u < v { (u, v) } else { (v, u) }
}

/// Lattice positions of the inhabited cells.
fn inhabited(cells: &[Cell]) -> Vec<Key> {
    let index = |v: f64| ((v - STEP / 2.0) / STEP).round() as i32;
    cells.iter().filter(|c| c.total >= 1.0).map(|c| (index(c.x), index(c.y))).collect()
}

/// Lattice nodes: `inhabited` cells with `margin` cells around them, and the arterial points
/// inside `boundary`.
fn lattice(boundary: &MultiPolygon<f64>, inhabited: &[Key], margin: i32) -> (BTreeSet<Key>, BTreeSet<Key>) {
    let mut nodes = BTreeSet::new();
    for &(i, j) in inhabited {
        for di in -margin..=margin {
            for dj in -margin..=margin {
                nodes.insert((i + di, j + dj));
            }
        }
    }
    let mut arterial = BTreeSet::new();
    if let (Some(i0), Some(i1), Some(j0), Some(j1)) = (
        inhabited.iter().map(|k| k.0).min(),
        inhabited.iter().map(|k| k.0).max(),
        inhabited.iter().map(|k| k.1).min(),
        inhabited.iter().map(|k| k.1).max(),
    ) {
        for i in i0..=i1 {
            for j in j0..=j1 {
                let on_line = i.rem_euclid(ARTERIAL_EVERY) == 0 || j.rem_euclid(ARTERIAL_EVERY) == 0;
                let centre = Point::new(f64::from(i) * STEP + STEP / 2.0, f64::from(j) * STEP + STEP / 2.0);
                if on_line && boundary.contains(&centre) {
                    arterial.insert((i, j));
                }
            }
        }
    }
    nodes.extend(arterial.iter().copied());
    (nodes, arterial)
}

/// Links between 4-neighbour nodes, with ~8 % of the residential ones dropped.
fn links(seed: u64, nodes: &BTreeSet<Key>, arterial: &BTreeSet<Key>) -> BTreeMap<(Key, Key), Link> {
    let mut links = BTreeMap::new();
    for &a in nodes {
        for (b, on_line) in [((a.0 + 1, a.1), a.1), ((a.0, a.1 + 1), a.0)] {
            if nodes.contains(&b) {
                let is_arterial =
                    on_line.rem_euclid(ARTERIAL_EVERY) == 0 && arterial.contains(&a) && arterial.contains(&b);
                let kind = if is_arterial { Kind::Arterial } else { Kind::Street };
                links.insert((a, b), Link { kind, special: Special::None, protected: false });
            }
        }
    }
    let mut degree: BTreeMap<Key, u32> = BTreeMap::new();
    for &(a, b) in links.keys() {
        *degree.entry(a).or_default() += 1;
        *degree.entry(b).or_default() += 1;
    }
    let keys: Vec<(Key, Key)> = links.keys().copied().collect();
    for k in keys {
        let (a, b) = k;
        if links[&k].kind == Kind::Street && draws(seed, k).drop < DROP && degree[&a] >= 3 && degree[&b] >= 3 {
            links.remove(&k);
            *degree.get_mut(&a).expect("linked node") -= 1;
            *degree.get_mut(&b).expect("linked node") -= 1;
        }
    }
    links
}

/// Joins every separate piece (and every `inhabited` node left without links) to the largest
/// by the shortest L-shaped lattice road; returns the number of connector links added.
fn connect(links: &mut BTreeMap<(Key, Key), Link>, inhabited: &[Key]) -> usize {
    let mut adjacent: BTreeMap<Key, Vec<Key>> = inhabited.iter().map(|&k| (k, Vec::new())).collect();
    for &(a, b) in links.keys() {
        adjacent.entry(a).or_default().push(b);
        adjacent.entry(b).or_default().push(a);
    }
    let mut piece: BTreeMap<Key, usize> = BTreeMap::new();
    let mut pieces: Vec<Vec<Key>> = Vec::new();
    for &start in adjacent.keys() {
        if piece.contains_key(&start) {
            continue;
        }
        let id = pieces.len();
        let mut members = vec![start];
        piece.insert(start, id);
        let mut queue = VecDeque::from([start]);
        while let Some(u) = queue.pop_front() {
            for &v in &adjacent[&u] {
                if let std::collections::btree_map::Entry::Vacant(e) = piece.entry(v) {
                    e.insert(id);
                    members.push(v);
                    queue.push_back(v);
                }
            }
        }
        pieces.push(members);
    }
    let Some(main) = (0..pieces.len()).max_by_key(|&p| (pieces[p].len(), std::cmp::Reverse(p))) else { return 0 };
    let mut joined = vec![false; pieces.len()];
    joined[main] = true;
    let mut added = 0;
    for p in 0..pieces.len() {
        if joined[p] {
            continue;
        }
        let is_joined =
            |k: &Key, piece: &BTreeMap<Key, usize>, joined: &[bool]| piece.get(k).is_some_and(|&q| joined[q]);
        let (from, to) = 'search: {
            for r in 1.. {
                for &u in &pieces[p] {
                    for t in 0..r {
                        for v in [
                            (u.0 + t, u.1 + r - t),
                            (u.0 + r - t, u.1 - t),
                            (u.0 - t, u.1 - r + t),
                            (u.0 - r + t, u.1 + t),
                        ] {
                            if is_joined(&v, &piece, &joined) {
                                break 'search (u, v);
                            }
                        }
                    }
                }
            }
            unreachable!("the main piece is never empty")
        };
        joined[p] = true;
        let mut u = from;
        while u != to {
            let v = if u.0 != to.0 { (u.0 + (to.0 - u.0).signum(), u.1) } else { (u.0, u.1 + (to.1 - u.1).signum()) };
            match piece.get(&v) {
                Some(&q) => joined[q] = true,
                None => {
                    piece.insert(v, main);
                }
            }
            links.entry(link_key(u, v)).or_insert_with(|| {
                added += 1;
                Link { kind: Kind::Connector, special: Special::None, protected: false }
            });
            u = v;
        }
    }
    added
}

/// Makes a few streets one-way or pedestrian paths where a square of ordinary two-way links
/// goes round them (those links are then kept ordinary).
fn specials(seed: u64, links: &mut BTreeMap<(Key, Key), Link>) {
    let keys: Vec<(Key, Key)> = links.keys().copied().collect();
    for k in keys {
        let l = links[&k];
        if l.kind != Kind::Street || l.protected || l.special != Special::None {
            continue;
        }
        let d = draws(seed, k).special;
        let special = if d < ONE_WAY {
            Special::OneWay
        } else if d < ONE_WAY + PATH {
            Special::Path
        } else {
            continue;
        };
        let (a, b) = k;
        let sides: [Key; 2] = if b.0 > a.0 { [(0, 1), (0, -1)] } else { [(1, 0), (-1, 0)] };
        for (di, dj) in sides {
            let (a2, b2) = ((a.0 + di, a.1 + dj), (b.0 + di, b.1 + dj));
            let bypass = [link_key(a, a2), link_key(a2, b2), link_key(b2, b)];
            if bypass.iter().all(|k| links.get(k).is_some_and(|l| l.special == Special::None)) {
                for k in bypass {
                    links.get_mut(&k).expect("checked").protected = true;
                }
                links.get_mut(&k).expect("iterated").special = special;
                break;
            }
        }
    }
}

/// Counts of a generated network, for reports and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Links (rows) in all.
    pub links: usize,
    /// Arterial links.
    pub arterial: usize,
    /// Connector links joining separate pieces.
    pub connectors: usize,
    /// One-way links.
    pub one_way: usize,
    /// Pedestrian and cycle paths.
    pub paths: usize,
}

/// The Digiroad K-format link layer `tieverkko` over `cells` (with `margin` cells around each)
/// inside `boundary`, and its counts.
pub fn layer(boundary: &MultiPolygon<f64>, cells: &[Cell], margin: i32, seed: u64) -> (OutTable, Summary) {
    let inhabited = inhabited(cells);
    let (nodes, arterial) = lattice(boundary, &inhabited, margin);
    let mut links = links(seed, &nodes, &arterial);
    let connectors = connect(&mut links, &inhabited);
    specials(seed, &mut links);
    let mut summary = Summary { links: links.len(), connectors, ..Summary::default() };
    let (mut id, mut direction, mut class, mut kind, mut speed, mut geometry) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (n, (&k, l)) in links.iter().enumerate() {
        let d = draws(seed, k);
        let (toiminn, tyyppi, limit) = match (l.kind, l.special) {
            (_, Special::Path) => (8, 8, None),
            (Kind::Arterial, _) => (3, 3, Some(50)),
            (Kind::Connector, _) => (5, 3, Some(40)),
            (Kind::Street, _) if d.class < 0.4 => (5, 3, Some(40)),
            (Kind::Street, _) => (6, 3, Some(30)),
        };
        summary.arterial += usize::from(l.kind == Kind::Arterial);
        summary.one_way += usize::from(l.special == Special::OneWay);
        summary.paths += usize::from(l.special == Special::Path);
        id.push(Some(n as i64 + 1));
        direction.push(Some(match l.special {
            Special::OneWay if d.along => 4,
            Special::OneWay => 3,
            _ => 2,
        }));
        class.push(Some(toiminn));
        kind.push(Some(tyyppi));
        speed.push(limit);
        let (mut p, mut q) = (position(seed, k.0), position(seed, k.1));
        if d.reversed {
            std::mem::swap(&mut p, &mut q);
        }
        let (dx, dy) = (q.0 - p.0, q.1 - p.1);
        let len = (dx * dx + dy * dy).sqrt();
        let mid =
            (round_mm((p.0 + q.0) / 2.0 - dy / len * d.offset), round_mm((p.1 + q.1) / 2.0 + dx / len * d.offset));
        geometry.push(Some(Geometry::LineString(LineString::from(vec![p, mid, q]))));
    }
    let mut t = OutTable::new("tieverkko")
        .with("LINK_ID", OutColumn::Int(id))
        .with("AJOSUUNTA", OutColumn::Int(direction))
        .with("TOIMINN_LK", OutColumn::Int(class))
        .with("LINKKITYYP", OutColumn::Int(kind))
        .with("NOPEUSRAJ", OutColumn::Int(speed));
    t.geometry = Some(OutGeometry { kind: GeometryKind::LineString, epsg: 3067, values: geometry });
    (t, summary)
}

/// Writes `tieverkko-SYNTHETIC.gpkg` (layer `tieverkko`, see [`layer`]) into `dir`.
pub fn write(
    dir: &Path,
    boundary: &MultiPolygon<f64>,
    cells: &[Cell],
    margin: i32,
    seed: u64,
    written: &mut Written,
) -> Result<Summary, WriteError> {
    let (table, summary) = layer(boundary, cells, margin, seed);
    let path = dir.join("tieverkko-SYNTHETIC.gpkg");
    gpkg::write_at(&path, &[table], super::SAMPLE_TIMESTAMP)?;
    written.push(path);
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::network::{LineMapping, Mode};
    use crate::network::profile::Speeds;

    fn cell(i: i32, j: i32) -> Cell {
        let (x, y) = (f64::from(i) * STEP + STEP / 2.0, f64::from(j) * STEP + STEP / 2.0);
        Cell { id: format!("{i}/{j}"), x, y, total: 10.0, family: 0.0, dist: 0.0, angle: 0.0 }
    }

    /// A dense 12 × 12 block and two lone cells, one far from any arterial line.
    fn town() -> (MultiPolygon<f64>, Vec<Cell>) {
        let (x0, y0) = (1_600.0 * STEP, 26_800.0 * STEP);
        let square = geo::Rect::new((x0, y0), (x0 + 40.0 * STEP, y0 + 40.0 * STEP)).to_polygon();
        let mut cells = Vec::new();
        for i in 1604..1616 {
            for j in 26_804..26_816 {
                cells.push(cell(i, j));
            }
        }
        cells.push(cell(1630, 26_830));
        cells.push(cell(1621, 26_811));
        (MultiPolygon(vec![square]), cells)
    }

    #[test]
    fn every_mode_is_one_strongly_connected_piece_of_bent_links() {
        let (boundary, cells) = town();
        for margin in [0, 1] {
            let (t, summary) = layer(&boundary, &cells, margin, 7);
            assert_eq!(t, layer(&boundary, &cells, margin, 7).0, "deterministic");
            assert!(summary.arterial > 0 && summary.one_way > 0 && summary.connectors > 0, "{summary:?}");
            for g in t.geometry.as_ref().expect("lines").values.iter().flatten() {
                let Geometry::LineString(l) = g else { panic!("{g:?}") };
                let p = &l.0;
                let straight = ((p[2].x - p[0].x).powi(2) + (p[2].y - p[0].y).powi(2)).sqrt();
                let along: f64 =
                    p.windows(2).map(|w| ((w[1].x - w[0].x).powi(2) + (w[1].y - w[0].y).powi(2)).sqrt()).sum();
                assert!(p.len() == 3 && along > straight && (150.0..=350.0).contains(&straight), "{p:?}");
            }
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("t.gpkg");
            gpkg::write(&path, &[t]).expect("write");
            let (table, problems) = gpkg::read(&path, None).expect("read");
            assert!(problems.is_empty());
            for mode in [Mode::Walk, Mode::Bike, Mode::Car] {
                let mut p = crate::model::Problems::with_limit(10);
                let speeds = Speeds { walk_mps: 1.2, bike_mps: 4.0 };
                let raw = crate::network::lines::raw_network(&table, &LineMapping::digiroad(), mode, &speeds, &mut p);
                assert_eq!(p.errors, 0, "{:?}", p.list);
                let (net, dropped) = crate::network::build::build(&raw, "test");
                assert_eq!((dropped.nodes, dropped.components), (0, 1), "margin {margin}, {mode:?}");
                // Every inhabited cell centre has a node within the jitter.
                for c in &cells {
                    let near = (0..net.node_count())
                        .any(|n| (net.x[n] - c.x).abs() <= JITTER && (net.y[n] - c.y).abs() <= JITTER);
                    assert!(near, "margin {margin}, {mode:?}: cell {}", c.id);
                }
            }
        }
    }
}
