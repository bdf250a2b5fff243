//! Snapping points (demand areas, units) onto the network with an R-tree (rstar).
//!
//! A point snaps onto the nearest point of the nearest edge segment. It then enters the
//! graph at both ends of that edge, with the partial travel times along the edge in each
//! direction the edge allows, plus the straight-line snap distance costed at the network's
//! access speed. Points farther than the maximum snap distance are reported, never used.
//!
//! `SnapMode::Node` snaps to the nearest node instead, at no cost: the convention of the
//! interchange format the Python peers use, for like-for-like comparisons.

use super::Access;
use super::Network;
use rstar::RTree;
use rstar::primitives::{GeomWithData, Line};

/// How points attach to the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SnapMode {
    /// Onto the nearest edge, entering at both ends with partial costs (default).
    Edge,
    /// Onto the nearest node, at zero cost (interchange convention).
    Node,
}

/// Where a point snapped.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Snap {
    /// Forward edge index (u → v) the point lies on; for node snaps, `u32::MAX`.
    pub edge: u32,
    /// Position along the edge from u (0) to v (1), by length.
    pub fraction: f64,
    /// Straight-line distance from the point to the network, metres.
    pub distance_m: f64,
    /// For node snaps, the node.
    pub node: u32,
}

/// A segment of an edge's polyline: its edge and where it starts and ends along the edge.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Seg {
    edge: u32,
    from_m: f64,
    len_m: f64,
    edge_len: f64,
}

/// R-trees over a network's edge segments and nodes (each built on first use). The index
/// holds no reference to the network: every query passes the network it was built for.
#[derive(Default)]
pub struct SnapIndex {
    segments: std::sync::OnceLock<RTree<GeomWithData<Line<[f64; 2]>, Seg>>>,
    nodes: std::sync::OnceLock<NodeGrid>,
}

/// A uniform grid over the nodes (about two per cell) for nearest-node queries: builds in
/// O(n), much faster than an R-tree when only a few points snap to a million nodes.
struct NodeGrid {
    minx: f64,
    miny: f64,
    cell: f64,
    cols: usize,
    rows: usize,
    first: Vec<u32>,
    items: Vec<u32>,
}

impl NodeGrid {
    fn new(x: &[f64], y: &[f64]) -> Self {
        let n = x.len().max(1);
        let (minx, maxx) = x.iter().fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
        let (miny, maxy) = y.iter().fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
        let (w, h) = ((maxx - minx).max(1.0), (maxy - miny).max(1.0));
        let cell = (w * h / n as f64 * 2.0).sqrt().max(1.0);
        let cols = ((w / cell) as usize + 1).min(1 << 14);
        let rows = ((h / cell) as usize + 1).min(1 << 14);
        let cell_of = |i: usize| -> usize {
            let c = (((x[i] - minx) / cell) as usize).min(cols - 1);
            let r = (((y[i] - miny) / cell) as usize).min(rows - 1);
            r * cols + c
        };
        let mut first = vec![0u32; cols * rows + 1];
        for i in 0..x.len() {
            first[cell_of(i) + 1] += 1;
        }
        for i in 0..cols * rows {
            first[i + 1] += first[i];
        }
        let mut fill = first.clone();
        let mut items = vec![0u32; x.len()];
        for i in 0..x.len() {
            let c = cell_of(i);
            items[fill[c] as usize] = i as u32;
            fill[c] += 1;
        }
        NodeGrid { minx, miny, cell, cols, rows, first, items }
    }

    /// Nearest node to (px, py) and its distance; ties go to the lower node id.
    fn nearest(&self, x: &[f64], y: &[f64], px: f64, py: f64) -> Option<(u32, f64)> {
        if x.is_empty() {
            return None;
        }
        let clamp = |v: f64, n: usize| (v.max(0.0) as usize).min(n - 1);
        let (ci, cj) = (clamp((px - self.minx) / self.cell, self.cols), clamp((py - self.miny) / self.cell, self.rows));
        let mut best: Option<(f64, u32)> = None;
        for r in 0..self.cols.max(self.rows) {
            let (c0, c1) = (ci.saturating_sub(r), (ci + r).min(self.cols - 1));
            let (r0, r1) = (cj.saturating_sub(r), (cj + r).min(self.rows - 1));
            for row in r0..=r1 {
                for col in c0..=c1 {
                    if row != r0 && row != r1 && col != c0 && col != c1 {
                        continue; // inner cells were visited in earlier rings
                    }
                    let c = row * self.cols + col;
                    for &i in &self.items[self.first[c] as usize..self.first[c + 1] as usize] {
                        let d2 = (x[i as usize] - px).powi(2) + (y[i as usize] - py).powi(2);
                        if best.is_none_or(|(bd, bi)| (d2, i) < (bd, bi)) {
                            best = Some((d2, i));
                        }
                    }
                }
            }
            // Every unvisited node lies outside the visited block; stop once none can be nearer.
            let (bx0, bx1) = (self.minx + c0 as f64 * self.cell, self.minx + (c1 + 1) as f64 * self.cell);
            let (by0, by1) = (self.miny + r0 as f64 * self.cell, self.miny + (r1 + 1) as f64 * self.cell);
            let covers_all = c0 == 0 && r0 == 0 && c1 == self.cols - 1 && r1 == self.rows - 1;
            let inside = px >= bx0 && px <= bx1 && py >= by0 && py <= by1;
            let margin = if inside { (px - bx0).min(bx1 - px).min(py - by0).min(by1 - py) } else { 0.0 };
            if covers_all || best.is_some_and(|(bd, _)| bd.sqrt() < margin) {
                break;
            }
        }
        best.map(|(d2, i)| (i, d2.sqrt()))
    }
}

impl SnapIndex {
    /// An index for one network; the trees are built when first needed.
    pub fn new() -> Self {
        SnapIndex::default()
    }

    /// Indexes every edge once per physical segment (a two-way street is indexed once).
    fn segment_tree(net: &Network) -> RTree<GeomWithData<Line<[f64; 2]>, Seg>> {
        let mut items = Vec::new();
        for u in 0..net.node_count() as u32 {
            for e in net.forward.edges(u) {
                let v = net.forward.head[e];
                if v < u && reverse_edge(net, e as u32).is_some() {
                    continue; // indexed through the opposite edge
                }
                let pts = net.polyline(e);
                let total: f64 = pts.windows(2).map(|w| dist(w[0], w[1])).sum();
                let mut along = 0.0;
                for w in pts.windows(2) {
                    let l = dist(w[0], w[1]);
                    items.push(GeomWithData::new(
                        Line::new([w[0].0, w[0].1], [w[1].0, w[1].1]),
                        Seg { edge: e as u32, from_m: along, len_m: l, edge_len: total },
                    ));
                    along += l;
                }
            }
        }
        RTree::bulk_load(items)
    }

    /// Snaps a point onto `net` (always the network the index was first used with), or
    /// `None` when the network is empty.
    pub fn snap(&self, net: &Network, x: f64, y: f64, mode: SnapMode) -> Option<Snap> {
        match mode {
            SnapMode::Node => {
                let grid = self.nodes.get_or_init(|| NodeGrid::new(&net.x, &net.y));
                let (node, d) = grid.nearest(&net.x, &net.y, x, y)?;
                Some(Snap { edge: u32::MAX, fraction: 0.0, distance_m: d, node })
            }
            SnapMode::Edge => {
                let s = self.segments.get_or_init(|| Self::segment_tree(net)).nearest_neighbor(&[x, y])?;
                let line = s.geom();
                let p = line.nearest_point(&[x, y]);
                let t = dist((line.from[0], line.from[1]), (p[0], p[1]));
                let seg = s.data;
                let fraction = if seg.edge_len > 0.0 {
                    ((seg.from_m + t.min(seg.len_m)) / seg.edge_len).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                Some(Snap { edge: seg.edge, fraction, distance_m: dist((x, y), (p[0], p[1])), node: u32::MAX })
            }
        }
    }
}

fn dist(a: (f64, f64), b: (f64, f64)) -> f64 {
    ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
}

/// The forward edge v → u opposite to edge `e` = u → v, if the graph has one.
pub fn reverse_edge(net: &Network, e: u32) -> Option<u32> {
    let u = net.tail(e as usize);
    let v = net.forward.head[e as usize];
    let r = net.forward.edges(v);
    let heads = &net.forward.head[r.clone()];
    heads.binary_search(&u).ok().map(|i| (r.start + i) as u32)
}

/// Access points for leaving the snapped point into the graph (the point as an origin),
/// in travel time.
pub fn origin_access(net: &Network, s: &Snap) -> Vec<Access> {
    origin_access_in(net, &net.times(), s)
}

/// [`origin_access`] in the given weights (time or length).
pub fn origin_access_in(net: &Network, w: &super::Weights<'_>, s: &Snap) -> Vec<Access> {
    if s.edge == u32::MAX {
        return vec![Access { node: s.node, cost: 0 }];
    }
    let walk = w.off_network(s.distance_m);
    let e = s.edge as usize;
    let (u, v) = (net.tail(e), net.forward.head[e]);
    let mut out =
        vec![Access { node: v, cost: walk + ((1.0 - s.fraction) * f64::from(w.forward.weight[e])).round() as u32 }];
    if let Some(r) = reverse_edge(net, s.edge) {
        out.push(Access {
            node: u,
            cost: walk + (s.fraction * f64::from(w.forward.weight[r as usize])).round() as u32,
        });
    }
    out
}

/// Access points for arriving at the snapped point from the graph (the point as a
/// destination), in travel time.
pub fn destination_access(net: &Network, s: &Snap) -> Vec<Access> {
    destination_access_in(net, &net.times(), s)
}

/// [`destination_access`] in the given weights (time or length).
pub fn destination_access_in(net: &Network, w: &super::Weights<'_>, s: &Snap) -> Vec<Access> {
    if s.edge == u32::MAX {
        return vec![Access { node: s.node, cost: 0 }];
    }
    let walk = w.off_network(s.distance_m);
    let e = s.edge as usize;
    let (u, v) = (net.tail(e), net.forward.head[e]);
    let mut out = vec![Access { node: u, cost: walk + (s.fraction * f64::from(w.forward.weight[e])).round() as u32 }];
    if let Some(r) = reverse_edge(net, s.edge) {
        out.push(Access {
            node: v,
            cost: walk + ((1.0 - s.fraction) * f64::from(w.forward.weight[r as usize])).round() as u32,
        });
    }
    out
}

/// The direct cost between two points snapped onto the same edge (no detour via its ends),
/// including both walks to the network, in the given weights; `None` when they are on
/// different edges or the edge runs the wrong way. Two node snaps onto the same node cost 0.
pub fn direct_cost(net: &Network, w: &super::Weights<'_>, from: &Snap, to: &Snap) -> Option<u32> {
    if from.edge == u32::MAX || to.edge == u32::MAX {
        return (from.edge == u32::MAX && to.edge == u32::MAX && from.node == to.node).then_some(0);
    }
    if from.edge != to.edge {
        return None;
    }
    let e = from.edge as usize;
    let walk = w.off_network(from.distance_m) + w.off_network(to.distance_m);
    let along = if to.fraction >= from.fraction {
        (to.fraction - from.fraction) * f64::from(w.forward.weight[e])
    } else {
        let r = reverse_edge(net, from.edge)?;
        (from.fraction - to.fraction) * f64::from(w.forward.weight[r as usize])
    };
    Some(walk + along.round() as u32)
}

/// Pairs whose direct cost beats routing via the network: points on the same edge, or at
/// the same coordinates (cost 0). Points are (x, y) in EPSG:3067; returns (row, column, cost).
pub fn direct_pairs(
    net: &Network,
    w: &super::Weights<'_>,
    origins: &[(f64, f64)],
    o: &[Option<Snap>],
    destinations: &[(f64, f64)],
    d: &[Option<Snap>],
) -> Vec<(usize, usize, u32)> {
    let mut by_edge: std::collections::HashMap<(u32, u32), Vec<usize>> = std::collections::HashMap::new();
    for (j, s) in d.iter().enumerate() {
        if let Some(s) = s {
            by_edge.entry((s.edge, s.node)).or_default().push(j);
        }
    }
    let mut out = Vec::new();
    for (i, s) in o.iter().enumerate() {
        let Some(s) = s else { continue };
        for &j in by_edge.get(&(s.edge, s.node)).map(Vec::as_slice).unwrap_or(&[]) {
            let same_place = origins[i] == destinations[j];
            let cost = if same_place { Some(0) } else { d[j].as_ref().and_then(|t| direct_cost(net, w, s, t)) };
            if let Some(c) = cost {
                out.push((i, j, c));
            }
        }
    }
    out
}

/// Lowers block cells to the direct costs of same-edge pairs (within `cutoff`).
pub fn apply_direct(block: &mut [u32], first_row: usize, cols: usize, direct: &[(usize, usize, u32)], cutoff: u32) {
    let rows = block.len() / cols.max(1);
    for &(i, j, c) in direct {
        if i >= first_row && i < first_row + rows && c <= cutoff {
            let cell = &mut block[(i - first_row) * cols + j];
            *cell = (*cell).min(c);
        }
    }
}
