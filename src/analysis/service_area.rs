//! Service-area geometry (palvelualue): reached edge spans as lines, and a polygon around
//! them for maps.
//!
//! # Notes
//! The polygon is the concave hull (geo's concaveman port, concavity 2) of every reached
//! span's end points and vertices: it follows the street network's outline but, like every
//! hull, can bridge water or parks between reached streets. The lines are the exact answer.

use crate::network::Network;
use crate::routing::isochrone::ReachedEdge;
use geo::{ConcaveHull, Coord, LineString, MultiLineString, MultiPoint, Point, Polygon};

/// The polyline of forward edge `e` between fractions `from` and `to` of its length.
pub fn edge_span(net: &Network, e: usize, from: f64, to: f64) -> LineString<f64> {
    let pts = net.polyline(e);
    let seg: Vec<f64> =
        pts.windows(2).map(|w| ((w[1].0 - w[0].0).powi(2) + (w[1].1 - w[0].1).powi(2)).sqrt()).collect();
    let total: f64 = seg.iter().sum();
    let (start, end) = (from * total, to * total);
    let mut out: Vec<Coord<f64>> = Vec::new();
    let mut along = 0.0;
    for (i, w) in pts.windows(2).enumerate() {
        let (a, b) = (w[0], w[1]);
        let l = seg[i];
        let lerp = |d: f64| -> Coord<f64> {
            let t = if l > 0.0 { ((d - along) / l).clamp(0.0, 1.0) } else { 0.0 };
            Coord { x: a.0 + t * (b.0 - a.0), y: a.1 + t * (b.1 - a.1) }
        };
        if along + l >= start && along <= end {
            if out.is_empty() {
                out.push(lerp(start.max(along)));
            }
            out.push(lerp(end.min(along + l)));
        }
        along += l;
    }
    if out.len() == 1 {
        out.push(out[0]);
    }
    LineString(out)
}

/// Reached spans with both directions of a two-way street merged onto one edge of the pair
/// (the one whose tail has the lower id), overlapping spans united. Sorted by edge.
pub fn merge_directions(net: &Network, reached: &[ReachedEdge]) -> Vec<ReachedEdge> {
    let mut canon: Vec<ReachedEdge> = reached
        .iter()
        .map(|r| {
            let e = r.edge as usize;
            let (u, v) = (net.tail(e), net.forward.head[e]);
            match crate::network::snap::reverse_edge(net, r.edge) {
                Some(back) if v < u => ReachedEdge { edge: back, from: 1.0 - r.to, to: 1.0 - r.from },
                _ => *r,
            }
        })
        .collect();
    canon.sort_by(|a, b| (a.edge, a.from).partial_cmp(&(b.edge, b.from)).unwrap_or(std::cmp::Ordering::Equal));
    let mut out: Vec<ReachedEdge> = Vec::with_capacity(canon.len());
    for r in canon {
        match out.last_mut() {
            Some(last) if last.edge == r.edge && r.from <= last.to => last.to = last.to.max(r.to),
            _ => out.push(r),
        }
    }
    out
}

/// Street length of reached spans, kilometres (each physical street counted once).
pub fn street_km(net: &Network, merged: &[ReachedEdge]) -> f64 {
    merged.iter().map(|r| f64::from(net.length_m[r.edge as usize]) * (r.to - r.from)).sum::<f64>() / 1000.0
}

/// Lines and hull polygon of a service area (`reached` as from [`merge_directions`]).
pub fn geometry(net: &Network, reached: &[ReachedEdge]) -> (MultiLineString<f64>, Option<Polygon<f64>>) {
    let lines: Vec<LineString<f64>> = reached.iter().map(|r| edge_span(net, r.edge as usize, r.from, r.to)).collect();
    let points: Vec<Point<f64>> = lines.iter().flat_map(|l| l.0.iter().map(|c| Point::from(*c))).collect();
    let hull = (points.len() >= 3).then(|| MultiPoint(points).concave_hull());
    (MultiLineString(lines), hull)
}
