//! Road network as read from a source, before it becomes a routing graph.
//!
//! Readers (OSM, line layers, interchange CSV) produce a [`RawNetwork`]; `network::build`
//! turns it into a compact graph. Coordinates are EPSG:3067.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Travel mode (kulkutapa).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Mode {
    /// Walking (kävely).
    #[serde(rename = "walk")]
    Walk,
    /// Cycling (pyöräily).
    #[serde(rename = "bike")]
    Bike,
    /// Driving (auto).
    #[serde(rename = "car")]
    Car,
    /// Costs given by the source (interchange files).
    #[serde(rename = "custom")]
    Custom,
}

impl std::str::FromStr for Mode {
    type Err = String;
    /// Parses `walk`, `bike`, `car` or `custom`.
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "walk" => Ok(Mode::Walk),
            "bike" => Ok(Mode::Bike),
            "car" => Ok(Mode::Car),
            "custom" => Ok(Mode::Custom),
            other => Err(format!("unknown travel mode '{other}'; expected walk, bike or car")),
        }
    }
}

impl Mode {
    /// The name used on the command line and in files.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Walk => "walk",
            Mode::Bike => "bike",
            Mode::Car => "car",
            Mode::Custom => "custom",
        }
    }
}

/// Road class of an edge, for statistics and styling (OSM `highway` or Digiroad class).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum RoadClass {
    /// Motorway (moottoritie).
    Motorway,
    /// Trunk road (valtatie).
    Trunk,
    /// Primary road (kantatie).
    Primary,
    /// Secondary road (seututie).
    Secondary,
    /// Tertiary road / collector street (kokoojakatu).
    Tertiary,
    /// Unclassified minor road.
    Unclassified,
    /// Residential street (asuntokatu).
    Residential,
    /// Living street (pihakatu).
    LivingStreet,
    /// Service road.
    Service,
    /// Pedestrian street or footway.
    Footway,
    /// Cycleway (pyörätie).
    Cycleway,
    /// Path or track.
    Path,
    /// Steps (portaat).
    Steps,
    /// Anything else, or unknown.
    Other,
}

impl RoadClass {
    /// All classes in order.
    pub const ALL: [RoadClass; 14] = [
        RoadClass::Motorway,
        RoadClass::Trunk,
        RoadClass::Primary,
        RoadClass::Secondary,
        RoadClass::Tertiary,
        RoadClass::Unclassified,
        RoadClass::Residential,
        RoadClass::LivingStreet,
        RoadClass::Service,
        RoadClass::Footway,
        RoadClass::Cycleway,
        RoadClass::Path,
        RoadClass::Steps,
        RoadClass::Other,
    ];

    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            RoadClass::Motorway => "motorway",
            RoadClass::Trunk => "trunk",
            RoadClass::Primary => "primary",
            RoadClass::Secondary => "secondary",
            RoadClass::Tertiary => "tertiary",
            RoadClass::Unclassified => "unclassified",
            RoadClass::Residential => "residential",
            RoadClass::LivingStreet => "living_street",
            RoadClass::Service => "service",
            RoadClass::Footway => "footway",
            RoadClass::Cycleway => "cycleway",
            RoadClass::Path => "path",
            RoadClass::Steps => "steps",
            RoadClass::Other => "other",
        }
    }

    /// The class with code `c` (its position in [`RoadClass::ALL`]).
    pub fn from_code(c: u8) -> RoadClass {
        *RoadClass::ALL.get(c as usize).unwrap_or(&RoadClass::Other)
    }
}

/// One directed edge of a raw network.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RawEdge {
    /// Tail node index.
    pub from: u32,
    /// Head node index.
    pub to: u32,
    /// Length in metres, ≥ 0.
    pub length_m: f64,
    /// Travel time in milliseconds.
    pub time_ms: u32,
    /// Road class.
    pub class: RoadClass,
    /// Index of the edge's intermediate geometry in `shapes`, if any.
    pub shape: Option<u32>,
    /// Whether the shape runs from `to` to `from` (the reverse direction of a two-way segment).
    pub shape_reversed: bool,
}

/// One street segment between two graph nodes, to be added in the directions it allows.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    /// Start node (the geometry's first point).
    pub a: u32,
    /// End node.
    pub b: u32,
    /// Length along the geometry, metres.
    pub length_m: f64,
    /// Travel time in either direction, milliseconds.
    pub time_ms: u32,
    /// Road class.
    pub class: RoadClass,
    /// Intermediate points (without the end nodes), EPSG:3067.
    pub shape: Vec<(f64, f64)>,
    /// Travel from `a` to `b` allowed.
    pub forward: bool,
    /// Travel from `b` to `a` allowed.
    pub backward: bool,
}

/// A network as read: nodes with coordinates and source ids, directed edges, shapes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawNetwork {
    /// Mode the costs are for.
    pub mode: Option<Mode>,
    /// Easting of each node, EPSG:3067.
    pub x: Vec<f64>,
    /// Northing of each node, EPSG:3067.
    pub y: Vec<f64>,
    /// Source id of each node (OSM node id, CSV id).
    pub node_id: Vec<i64>,
    /// Directed edges.
    pub edges: Vec<RawEdge>,
    /// Intermediate points of edges (without the end nodes), EPSG:3067.
    pub shapes: Vec<Vec<(f64, f64)>>,
    /// Speed used to cost the walk between a point and the network, m/s.
    pub access_speed_mps: f64,
}

impl RawNetwork {
    /// Adds a segment: its shape once, and an edge per allowed direction (the backward edge
    /// marks its shape as reversed).
    pub fn push_segment(&mut self, seg: Segment) {
        let shape = (!seg.shape.is_empty()).then(|| {
            self.shapes.push(seg.shape);
            (self.shapes.len() - 1) as u32
        });
        let edge = |from, to, shape_reversed| RawEdge {
            from,
            to,
            length_m: seg.length_m,
            time_ms: seg.time_ms,
            class: seg.class,
            shape,
            shape_reversed,
        };
        if seg.forward {
            self.edges.push(edge(seg.a, seg.b, false));
        }
        if seg.backward {
            self.edges.push(edge(seg.b, seg.a, true));
        }
    }
}

/// How to read a line layer as a road network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LineMapping {
    /// Field with the direction code; without it every line is two-way.
    pub direction_field: Option<String>,
    /// Codes meaning "both directions".
    #[serde(default)]
    pub both_ways: Vec<String>,
    /// Codes meaning "along the digitising direction only".
    #[serde(default)]
    pub forward_only: Vec<String>,
    /// Codes meaning "against the digitising direction only".
    #[serde(default)]
    pub backward_only: Vec<String>,
    /// Field with the car speed limit, km/h (used when > 0).
    pub speed_field: Option<String>,
    /// Field with the road class code.
    pub class_field: Option<String>,
    /// Car speed by class code when the speed field is missing or empty, km/h.
    #[serde(default)]
    pub class_speed_kmh: BTreeMap<String, f64>,
    /// Class codes only pedestrians and cyclists may use.
    #[serde(default)]
    pub non_motorised_classes: Vec<String>,
    /// Field with the link type code.
    pub type_field: Option<String>,
    /// Link types closed to pedestrians and cyclists (motorways, motor roads).
    #[serde(default)]
    pub motor_only_types: Vec<String>,
    /// Link types only pedestrians and cyclists may use.
    #[serde(default)]
    pub non_motorised_types: Vec<String>,
    /// Link types pedestrians may use but cyclists may not.
    #[serde(default)]
    pub walk_only_types: Vec<String>,
    /// Link types left out for every mode (e.g. ferries).
    #[serde(default)]
    pub excluded_types: Vec<String>,
}

fn codes(c: &[&str]) -> Vec<String> {
    c.iter().map(|s| (*s).to_owned()).collect()
}

impl LineMapping {
    /// The mapping for Digiroad K-format link layers (see `network::lines`).
    pub fn digiroad() -> Self {
        LineMapping {
            direction_field: Some("AJOSUUNTA".into()),
            both_ways: codes(&["2"]),
            forward_only: codes(&["4"]),
            backward_only: codes(&["3"]),
            speed_field: Some("NOPEUSRAJ".into()),
            class_field: Some("TOIMINN_LK".into()),
            class_speed_kmh: [
                ("1", 90.0),
                ("2", 80.0),
                ("3", 50.0),
                ("4", 50.0),
                ("5", 40.0),
                ("6", 40.0),
                ("7", 20.0),
            ]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), *v))
            .collect(),
            non_motorised_classes: codes(&["8"]),
            type_field: Some("LINKKITYYP".into()),
            motor_only_types: codes(&["1", "4"]),
            non_motorised_types: codes(&["8", "9"]),
            walk_only_types: codes(&["9"]),
            excluded_types: codes(&["21"]),
        }
    }
}

/// Where a network comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum NetworkSource {
    /// OpenStreetMap PBF extract, built for a mode.
    Osm(PathBuf),
    /// Road line layer (GeoPackage) read with a field mapping, built for a mode.
    Lines {
        /// The GeoPackage.
        path: PathBuf,
        /// Layer, when the file has several.
        layer: Option<String>,
        /// Field mapping ([`LineMapping::digiroad`] for Digiroad extracts).
        mapping: Box<LineMapping>,
    },
    /// Interchange `nodes.csv` + `edges.csv` with their own travel times (mode `custom`).
    Csv {
        /// Nodes: id, x, y.
        nodes: PathBuf,
        /// Directed edges: from, to, length_m, time_s.
        edges: PathBuf,
        /// EPSG code of the node coordinates (3067 unless declared).
        crs: u32,
    },
    /// A network file from `pave network build` (its own mode and times).
    File(PathBuf),
}

impl NetworkSource {
    /// The main file of the source, for provenance and messages.
    pub fn path(&self) -> &Path {
        match self {
            NetworkSource::Osm(p) | NetworkSource::File(p) => p,
            NetworkSource::Lines { path, .. } => path,
            NetworkSource::Csv { edges, .. } => edges,
        }
    }

    /// Every input file of the source.
    pub fn files(&self) -> Vec<PathBuf> {
        match self {
            NetworkSource::Csv { nodes, edges, .. } => vec![nodes.clone(), edges.clone()],
            other => vec![other.path().to_owned()],
        }
    }

    /// Whether the source's travel times come from a mode profile (OSM, lines) rather than
    /// from the source itself (CSV, network file).
    pub fn needs_mode(&self) -> bool {
        matches!(self, NetworkSource::Osm(_) | NetworkSource::Lines { .. })
    }
}
