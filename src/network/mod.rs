//! Road and path networks: graph construction, compact storage and snapping.
//!
//! A [`Network`] is one mode's routing graph: nodes in Hilbert order with EPSG:3067
//! coordinates and their source ids, the forward and backward CSR with travel times in
//! milliseconds, and per forward edge its length, road class and geometry.
//!
//! **Invariant:** no routing queries here; `network` builds and stores graphs, `routing`
//! searches them.

pub mod ascii;
pub mod build;
pub mod components;
pub mod csr;
pub mod hierarchy;
pub mod lines;
pub mod order;
pub mod osm;
pub mod profile;
pub mod snap;
pub mod source;
pub mod store;

use crate::model::network::{Mode, RoadClass};
use csr::Csr;

/// A travel time in whole milliseconds — the weight every kernel searches on. A length
/// search (see [`Network::lengths`]) runs on decimetres, which leave the kernels as
/// [`Decimetres`], never as a `Cost`.
pub type Cost = u32;

/// A network distance in whole decimetres; [`Decimetres::UNREACHABLE`] beyond the search.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct Decimetres(pub u32);

impl Decimetres {
    /// Unreachable (or beyond the cutoff).
    pub const UNREACHABLE: Decimetres = Decimetres(u32::MAX);

    /// In metres; `None` when unreachable.
    pub fn metres(self) -> Option<f64> {
        (self != Self::UNREACHABLE).then(|| f64::from(self.0) / 10.0)
    }
}

/// "Unreachable" (or beyond the cutoff).
pub const UNREACHABLE: Cost = u32::MAX;

/// Where a point enters (or leaves) the graph: a node and the cost between point and node.
///
/// A point snapped onto an edge has up to two access points, one at each end, with the
/// partial costs along the edge (and the snap distance) included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Access {
    /// Graph node.
    pub node: u32,
    /// Cost between the point and the node, milliseconds.
    pub cost: Cost,
}

/// Bit set in `edge_shape` when the shape runs against the edge's direction.
pub const REVERSED: u32 = 1 << 31;

/// Provenance and build facts of a network.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NetworkMeta {
    /// Mode the travel times are for.
    pub mode: Mode,
    /// Speed for the walk between a point and the network, m/s.
    pub access_speed_mps: f64,
    /// Input description (file names and hashes).
    pub source: String,
    /// Nodes dropped outside the largest strongly connected component.
    pub dropped_nodes: u64,
    /// Edges dropped with them.
    pub dropped_edges: u64,
    /// Strongly connected components in the input.
    pub components: u64,
}

/// A frozen routing network for one mode.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    /// Provenance.
    pub meta: NetworkMeta,
    /// Node eastings, EPSG:3067.
    pub x: Vec<f64>,
    /// Node northings, EPSG:3067.
    pub y: Vec<f64>,
    /// Source id of each node.
    pub node_id: Vec<i64>,
    /// Forward graph, weights in milliseconds.
    pub forward: Csr,
    /// Transposed graph (for searches towards a point).
    pub backward: Csr,
    /// Length of each forward edge, metres.
    pub length_m: Vec<f32>,
    /// Road class code of each forward edge.
    pub class: Vec<u8>,
    /// Shape index of each forward edge (`u32::MAX` none; [`REVERSED`] bit for direction).
    pub edge_shape: Vec<u32>,
    /// Offsets into `shape_x` / `shape_y`, one more than there are shapes.
    pub shape_first: Vec<u32>,
    /// Intermediate shape points, eastings.
    pub shape_x: Vec<f64>,
    /// Intermediate shape points, northings.
    pub shape_y: Vec<f64>,
    /// Contraction hierarchy for fast one-to-all trees, when built (`--contract`).
    pub hierarchy: Option<hierarchy::Hierarchy>,
    /// The graph weighted by edge length (decimetres) both ways, built when first needed.
    pub lengths: std::sync::OnceLock<(Csr, Csr)>,
}

/// The weights a search runs on, with the walk between a point and the network priced in
/// the same unit: travel time in milliseconds ([`Network::times`]) or length in decimetres
/// ([`Network::lengths`]). Kernels see only the weights; the unit is the caller's.
#[derive(Clone, Copy, Debug)]
pub struct Weights<'a> {
    /// Forward graph with the weights.
    pub forward: &'a Csr,
    /// The same graph reversed.
    pub backward: &'a Csr,
    /// The walk between a point and the network: its weight is metres ÷ `off_speed` ×
    /// `off_scale` (time: the access speed and 1000 ms/s; length: 1 and 10 dm/m).
    pub off_speed: f64,
    /// See `off_speed`.
    pub off_scale: f64,
}

impl Weights<'_> {
    /// The weight of `metres` between a point and the network.
    pub fn off_network(&self, metres: f64) -> u32 {
        if self.off_speed > 0.0 { (metres / self.off_speed * self.off_scale).round() as u32 } else { 0 }
    }
}

impl Network {
    /// Travel-time weights (milliseconds); off the network at the access speed.
    pub fn times(&self) -> Weights<'_> {
        Weights {
            forward: &self.forward,
            backward: &self.backward,
            off_speed: self.meta.access_speed_mps,
            off_scale: 1000.0,
        }
    }

    /// Length weights (decimetres; edge lengths rounded to the decimetre), for shortest
    /// paths by length; off the network 10 per metre.
    pub fn lengths(&self) -> Weights<'_> {
        let (forward, backward) = self.lengths.get_or_init(|| {
            let mut forward = self.forward.clone();
            forward.weight = self.length_m.iter().map(|&l| (f64::from(l) * 10.0).round() as u32).collect();
            let backward = forward.transpose();
            (forward, backward)
        });
        Weights { forward, backward, off_speed: 1.0, off_scale: 10.0 }
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.x.len()
    }

    /// Number of directed edges.
    pub fn edge_count(&self) -> usize {
        self.forward.edge_count()
    }

    /// Tail node of forward edge `e`.
    pub fn tail(&self, e: usize) -> u32 {
        self.forward.first_out.partition_point(|&f| f as usize <= e) as u32 - 1
    }

    /// The polyline of forward edge `e` from its tail to its head.
    pub fn polyline(&self, e: usize) -> Vec<(f64, f64)> {
        let (u, v) = (self.tail(e), self.forward.head[e]);
        let mut pts = vec![(self.x[u as usize], self.y[u as usize])];
        let s = self.edge_shape[e];
        if s != u32::MAX {
            let idx = (s & !REVERSED) as usize;
            let range = self.shape_first[idx] as usize..self.shape_first[idx + 1] as usize;
            let mid: Vec<(f64, f64)> = range.map(|i| (self.shape_x[i], self.shape_y[i])).collect();
            if s & REVERSED != 0 {
                pts.extend(mid.into_iter().rev());
            } else {
                pts.extend(mid);
            }
        }
        pts.push((self.x[v as usize], self.y[v as usize]));
        pts
    }

    /// Heap memory of the routing part (nodes, both CSRs, per-edge attributes), bytes.
    pub fn routing_memory_bytes(&self) -> usize {
        let nodes = self.node_count() * (8 + 8 + 8);
        let edges = self.edge_count() * (4 + 1 + 4);
        nodes
            + edges
            + self.forward.memory_bytes()
            + self.backward.memory_bytes()
            + self.hierarchy.as_ref().map_or(0, |h| h.memory_bytes())
    }

    /// Heap memory of the geometry (shapes), bytes.
    pub fn geometry_memory_bytes(&self) -> usize {
        4 * self.shape_first.len() + 16 * self.shape_x.len()
    }

    /// Total edge length per road class in kilometres, counting each direction.
    pub fn length_by_class(&self) -> Vec<(RoadClass, f64)> {
        let mut km = [0.0f64; 14];
        for (e, &c) in self.class.iter().enumerate() {
            km[c as usize % 14] += f64::from(self.length_m[e]) / 1000.0;
        }
        RoadClass::ALL.iter().zip(km).filter(|(_, k)| *k > 0.0).map(|(c, k)| (*c, k)).collect()
    }

    /// Bounding box of the nodes (min x, min y, max x, max y).
    pub fn extent(&self) -> Option<[f64; 4]> {
        (0..self.node_count()).fold(None, |acc, i| {
            let (x, y) = (self.x[i], self.y[i]);
            Some(acc.map_or([x, y, x, y], |e: [f64; 4]| [e[0].min(x), e[1].min(y), e[2].max(x), e[3].max(y)]))
        })
    }
}
