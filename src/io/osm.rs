//! OpenStreetMap PBF reader: node coordinates and the ways with a `highway` tag, with the
//! tags routing needs. No graph building here (that is `network::osm`).

use super::error::ReadError;
use crate::model::ProblemKind;
use osmpbf::{BlobReader, BlobType, Element};
use rayon::prelude::*;
use std::path::Path;

/// Tags kept on ways; everything else is dropped while reading.
pub const ROUTING_KEYS: &[&str] = &[
    "highway",
    "access",
    "foot",
    "bicycle",
    "vehicle",
    "motor_vehicle",
    "motorcar",
    "oneway",
    "oneway:bicycle",
    "oneway:foot",
    "junction",
    "maxspeed",
    "motorroad",
    "area",
    "cycleway",
    "cycleway:left",
    "cycleway:right",
    "service",
];

/// A way with a `highway` tag.
#[derive(Clone, Debug, PartialEq)]
pub struct OsmWay {
    /// OSM way id.
    pub id: i64,
    /// Node ids in order.
    pub refs: Vec<i64>,
    /// Routing-relevant tags.
    pub tags: Vec<(String, String)>,
}

impl OsmWay {
    /// The value of tag `key`.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// What a PBF file holds for routing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OsmData {
    /// Node ids, ascending.
    pub node_id: Vec<i64>,
    /// Latitude of each node, degrees.
    pub lat: Vec<f64>,
    /// Longitude of each node, degrees.
    pub lon: Vec<f64>,
    /// Ways with a `highway` tag.
    pub ways: Vec<OsmWay>,
    /// Nodes read in total.
    pub nodes_read: u64,
}

impl OsmData {
    /// Index of node `id`, if the file has it.
    pub fn node(&self, id: i64) -> Option<usize> {
        self.node_id.binary_search(&id).ok()
    }
}

/// Reads a PBF file.
pub fn read(path: &Path) -> Result<OsmData, ReadError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| ReadError::new(path, ProblemKind::Unreadable, format!("cannot open: {e}")))?;
    if meta.len() == 0 {
        return Err(ReadError::new(path, ProblemKind::Empty, "the file is empty; expected an OpenStreetMap PBF file"));
    }
    let reader = BlobReader::from_path(path)
        .map_err(|e| ReadError::new(path, ProblemKind::Unreadable, format!("cannot open as OSM PBF: {e}")))?;
    let bad = |e: osmpbf::Error| {
        ReadError::new(path, ProblemKind::Unreadable, format!("not a readable OSM PBF file (truncated?): {e}"))
    };
    let blobs = reader.collect::<Result<Vec<_>, _>>().map_err(bad)?;
    let keep = |k: &str| ROUTING_KEYS.contains(&k);
    // Blocks decode independently: in parallel, results concatenated in file order.
    type Part = (Vec<(i64, f64, f64)>, Vec<OsmWay>);
    let parts: Vec<Result<Part, osmpbf::Error>> = blobs
        .par_iter()
        .filter(|b| matches!(b.get_type(), BlobType::OsmData))
        .map(|b| {
            let block = b.to_primitiveblock()?;
            let (mut nodes, mut ways) = (Vec::new(), Vec::new());
            block.for_each_element(|element| match element {
                Element::DenseNode(n) => nodes.push((n.id(), n.lat(), n.lon())),
                Element::Node(n) => nodes.push((n.id(), n.lat(), n.lon())),
                Element::Way(w) => {
                    if w.tags().any(|(k, _)| k == "highway") {
                        let tags =
                            w.tags().filter(|(k, _)| keep(k)).map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
                        ways.push(OsmWay { id: w.id(), refs: w.refs().collect(), tags });
                    }
                }
                Element::Relation(_) => {}
            });
            Ok((nodes, ways))
        })
        .collect();
    let mut nodes: Vec<(i64, f64, f64)> = Vec::new();
    let mut ways = Vec::new();
    for part in parts {
        let (n, w) = part.map_err(bad)?;
        nodes.extend(n);
        ways.extend(w);
    }
    if !blobs.iter().any(|b| matches!(b.get_type(), BlobType::OsmHeader)) {
        return Err(ReadError::new(path, ProblemKind::Unreadable, "not an OSM PBF file (no OSMHeader block)"));
    }
    let nodes_read = nodes.len() as u64;
    if !nodes.is_sorted_by_key(|n| n.0) {
        nodes.sort_unstable_by_key(|n| n.0);
    }
    nodes.dedup_by_key(|n| n.0);
    Ok(OsmData {
        node_id: nodes.iter().map(|n| n.0).collect(),
        lat: nodes.iter().map(|n| n.1).collect(),
        lon: nodes.iter().map(|n| n.2).collect(),
        ways,
        nodes_read,
    })
}
