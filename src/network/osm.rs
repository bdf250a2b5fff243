//! OpenStreetMap ways → raw network for one mode: ways are split at shared nodes only, the
//! nodes in between become the edge's geometry, and edge length is measured along it in
//! EPSG:3067.
//!
//! # Notes
//! Way nodes missing from the extract (ways cut at its border) split the way there; the
//! missing parts are counted in the report, not invented.

use super::profile::{Speeds, way_use};
use crate::io::crs::{Crs, Transform};
use crate::io::osm::OsmData;
use crate::model::network::{Mode, RawNetwork, Segment};

/// What the OSM conversion used and skipped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OsmReport {
    /// Ways with a `highway` tag.
    pub highway_ways: usize,
    /// Of those, usable by the mode.
    pub usable_ways: usize,
    /// Way node references not found in the file.
    pub missing_nodes: usize,
}

/// Builds the raw network of `mode` from OSM data.
pub fn raw_network(data: &OsmData, mode: Mode, speeds: &Speeds) -> (RawNetwork, OsmReport) {
    let mut report = OsmReport { highway_ways: data.ways.len(), ..OsmReport::default() };
    // Usable ways, each cut into runs of nodes present in the file.
    let mut runs: Vec<(Vec<usize>, super::profile::WayUse)> = Vec::new();
    for w in &data.ways {
        let Some(u) = way_use(mode, speeds, &|k| w.tag(k)) else { continue };
        if !(u.forward || u.backward) {
            continue;
        }
        report.usable_ways += 1;
        let mut run = Vec::new();
        for r in &w.refs {
            match data.node(*r) {
                Some(i) => run.push(i),
                None => {
                    report.missing_nodes += 1;
                    if run.len() >= 2 {
                        runs.push((std::mem::take(&mut run), u));
                    }
                    run.clear();
                }
            }
        }
        if run.len() >= 2 {
            runs.push((run, u));
        }
    }
    // Graph nodes: run ends and nodes used more than once.
    let mut uses = vec![0u8; data.node_id.len()];
    for (run, _) in &runs {
        for &i in run {
            uses[i] = uses[i].saturating_add(1);
        }
        uses[run[0]] = uses[run[0]].saturating_add(2);
        let last = run[run.len() - 1];
        uses[last] = uses[last].saturating_add(2);
    }
    // Project every node the runs use, once, in parallel (the series are the costly part).
    let to3067 = Transform::to_internal(Crs::from_epsg(4326).expect("4326 is supported"));
    let xy: Vec<(f64, f64)> = {
        use rayon::prelude::*;
        (0..data.node_id.len())
            .into_par_iter()
            .map(|i| if uses[i] > 0 { to3067.apply(data.lon[i], data.lat[i]) } else { (0.0, 0.0) })
            .collect()
    };
    let mut raw = RawNetwork { mode: Some(mode), access_speed_mps: speeds.walk_mps, ..RawNetwork::default() };
    let mut graph_id = vec![u32::MAX; data.node_id.len()];
    let mut graph_node = |i: usize, raw: &mut RawNetwork| -> u32 {
        if graph_id[i] == u32::MAX {
            graph_id[i] = raw.x.len() as u32;
            let (x, y) = xy[i];
            raw.x.push(x);
            raw.y.push(y);
            raw.node_id.push(data.node_id[i]);
        }
        graph_id[i]
    };
    for (run, u) in &runs {
        let mut start = graph_node(run[0], &mut raw);
        let mut shape: Vec<(f64, f64)> = Vec::new();
        let mut prev = xy[run[0]];
        let mut length = 0.0;
        for &i in &run[1..] {
            let p = xy[i];
            length += ((p.0 - prev.0).powi(2) + (p.1 - prev.1).powi(2)).sqrt();
            prev = p;
            if uses[i] >= 2 {
                let end = graph_node(i, &mut raw);
                let time_ms = (length / u.speed_mps * 1000.0).round() as u32;
                let seg = Segment {
                    a: start,
                    b: end,
                    length_m: length,
                    time_ms,
                    class: u.class,
                    shape: std::mem::take(&mut shape),
                    forward: u.forward,
                    backward: u.backward,
                };
                raw.push_segment(seg);
                start = end;
                length = 0.0;
            } else {
                shape.push(p);
            }
        }
    }
    (raw, report)
}
