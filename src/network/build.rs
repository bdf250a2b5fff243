//! Raw network → frozen [`Network`]: largest strongly connected component, Hilbert node
//! order, CSR in both directions, edge attributes aligned with the forward CSR.

use super::components::largest;
use super::csr::Csr;
use super::order::hilbert_order;
use super::{Network, NetworkMeta};
use crate::model::network::{Mode, RawNetwork};

/// What the builder dropped, for reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Dropped {
    /// Nodes outside the largest strongly connected component.
    pub nodes: usize,
    /// Edges touching them.
    pub edges: usize,
    /// Strongly connected components found in total.
    pub components: usize,
    /// Self loops and heavier parallel edges removed.
    pub duplicate_edges: usize,
}

/// Builds the routing network from `raw`; `source` describes the input for provenance.
pub fn build(raw: &RawNetwork, source: &str) -> (Network, Dropped) {
    let n = raw.x.len();
    // Component filter on a plain CSR of all edges.
    let mut all: Vec<(u32, u32, u32)> = raw.edges.iter().map(|e| (e.from, e.to, e.time_ms)).collect();
    let full = Csr::from_edges(n, &mut all);
    let (keep, components) = largest(&full);
    let kept: Vec<u32> = (0..n as u32).filter(|&v| keep[v as usize]).collect();
    // Hilbert order over the kept nodes.
    let kx: Vec<f64> = kept.iter().map(|&v| raw.x[v as usize]).collect();
    let ky: Vec<f64> = kept.iter().map(|&v| raw.y[v as usize]).collect();
    let order = hilbert_order(&kx, &ky);
    let mut new_id = vec![u32::MAX; n];
    for (i, &v) in kept.iter().enumerate() {
        new_id[v as usize] = order[i];
    }
    let m = kept.len();
    let mut x = vec![0.0; m];
    let mut y = vec![0.0; m];
    let mut node_id = vec![0i64; m];
    for &v in &kept {
        let i = new_id[v as usize] as usize;
        x[i] = raw.x[v as usize];
        y[i] = raw.y[v as usize];
        node_id[i] = raw.node_id[v as usize];
    }
    // Edges inside the component, sorted (from, to, time); keep the lightest of parallels.
    let mut edges: Vec<(u32, u32, u32, usize)> = raw
        .edges
        .iter()
        .enumerate()
        .filter(|(_, e)| keep[e.from as usize] && keep[e.to as usize])
        .map(|(i, e)| (new_id[e.from as usize], new_id[e.to as usize], e.time_ms, i))
        .collect();
    let inside = edges.len();
    rayon::slice::ParallelSliceMut::par_sort_unstable(&mut edges[..]);
    edges.dedup_by(|b, a| a.0 == b.0 && a.1 == b.1);
    edges.retain(|e| e.0 != e.1);
    let mut first_out = vec![0u32; m + 1];
    for e in &edges {
        first_out[e.0 as usize + 1] += 1;
    }
    for i in 0..m {
        first_out[i + 1] += first_out[i];
    }
    let forward =
        Csr { first_out, head: edges.iter().map(|e| e.1).collect(), weight: edges.iter().map(|e| e.2).collect() };
    let length_m = edges.iter().map(|e| raw.edges[e.3].length_m as f32).collect();
    let class = edges.iter().map(|e| raw.edges[e.3].class as u8).collect();
    let edge_shape = edges
        .iter()
        .map(|e| {
            let r = &raw.edges[e.3];
            r.shape.map_or(u32::MAX, |s| s | if r.shape_reversed { super::REVERSED } else { 0 })
        })
        .collect();
    let mut shape_first = vec![0u32];
    let (mut shape_x, mut shape_y) = (Vec::new(), Vec::new());
    for s in &raw.shapes {
        shape_x.extend(s.iter().map(|p| p.0));
        shape_y.extend(s.iter().map(|p| p.1));
        shape_first.push(shape_x.len() as u32);
    }
    let backward = forward.transpose();
    let dropped =
        Dropped { nodes: n - m, edges: raw.edges.len() - inside, components, duplicate_edges: inside - edges.len() };
    let meta = NetworkMeta {
        mode: raw.mode.unwrap_or(Mode::Custom),
        access_speed_mps: raw.access_speed_mps,
        source: source.to_owned(),
        dropped_nodes: dropped.nodes as u64,
        dropped_edges: dropped.edges as u64,
        components: components as u64,
    };
    let net = Network {
        meta,
        x,
        y,
        node_id,
        forward,
        backward,
        length_m,
        class,
        edge_shape,
        shape_first,
        shape_x,
        shape_y,
        hierarchy: None,
        lengths: Default::default(),
    };
    debug_assert!(net.forward.validate().is_ok());
    (net, dropped)
}
