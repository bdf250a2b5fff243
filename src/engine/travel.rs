//! Travel from a city's demand areas to units on one network, as columns per unit location:
//! time (ms) and network distance (shortest path by length, dm). A column, once searched,
//! is kept for every scenario and edit on the same city, network, snap limit and cutoff, so
//! a scenario only searches from the units it opened or moved.

use crate::network::snap::{
    Snap, SnapIndex, SnapMode, apply_direct, destination_access_in, direct_pairs, origin_access_in,
};
use crate::network::{Access, Cost, Decimetres, Network, UNREACHABLE, Weights};
use crate::routing::matrix;
use std::collections::HashMap;
use std::sync::Arc;

/// Travel from every demand area to one unit location: times in milliseconds and network
/// distances in decimetres, [`UNREACHABLE`] beyond the cutoff or off the network.
#[derive(Clone, Debug)]
pub struct Column {
    /// Travel time from each area, milliseconds.
    pub time: Arc<[Cost]>,
    /// Network distance from each area (shortest path by length).
    pub dist: Arc<[Decimetres]>,
}

/// Travel from one city's demand areas on one network, with a cache of unit columns.
pub struct Travel {
    net: Arc<Network>,
    index: SnapIndex,
    max_snap_m: f64,
    cutoff: Cost,
    length_cutoff: Cost,
    cells: Vec<(f64, f64)>,
    cell_snaps: Vec<Option<Snap>>,
    cell_access: Vec<Vec<Access>>,
    cell_access_len: Vec<Vec<Access>>,
    columns: HashMap<(u64, u64), Column>,
    /// Unit searches run so far (the rest came from the cache).
    pub searches: usize,
}

impl Travel {
    /// Snaps the demand areas' points (EPSG:3067); times beyond `cutoff` (ms) are unreachable.
    pub fn new(net: Arc<Network>, cells: Vec<(f64, f64)>, max_snap_m: f64, cutoff: Cost) -> Self {
        let index = SnapIndex::new();
        let cell_snaps: Vec<Option<Snap>> = cells
            .iter()
            .map(|&(x, y)| index.snap(&net, x, y, SnapMode::Edge).filter(|s| s.distance_m <= max_snap_m))
            .collect();
        let (times, lengths) = (net.times(), net.lengths());
        let access = |w: &Weights<'_>| -> Vec<Vec<Access>> {
            cell_snaps.iter().map(|s| s.as_ref().map_or_else(Vec::new, |s| origin_access_in(&net, w, s))).collect()
        };
        let (cell_access, cell_access_len) = (access(&times), access(&lengths));
        // Nothing within the time cutoff lies farther than the fastest edge goes in that time.
        let fastest = (0..net.edge_count())
            .filter(|&e| net.forward.weight[e] > 0)
            .map(|e| f64::from(net.length_m[e]) / (f64::from(net.forward.weight[e]) / 1000.0))
            .fold(net.meta.access_speed_mps, f64::max);
        let length_cutoff = (f64::from(cutoff) / 1000.0 * fastest * 10.0).min(f64::from(u32::MAX - 1)) as Cost;
        Travel {
            net,
            index,
            max_snap_m,
            cutoff,
            length_cutoff,
            cells,
            cell_snaps,
            cell_access,
            cell_access_len,
            columns: HashMap::new(),
            searches: 0,
        }
    }

    /// The network.
    pub fn network(&self) -> &Arc<Network> {
        &self.net
    }

    /// Number of demand areas.
    pub fn cells(&self) -> usize {
        self.cells.len()
    }

    /// Demand areas farther than the snap limit from the network (their times are unreachable).
    pub fn cells_off_network(&self) -> Vec<usize> {
        (0..self.cells.len()).filter(|&i| self.cell_snaps[i].is_none()).collect()
    }

    /// Distance from a point to the network when it exceeds the snap limit.
    pub fn off_network(&self, x: f64, y: f64) -> Option<f64> {
        match self.index.snap(&self.net, x, y, SnapMode::Edge) {
            Some(s) if s.distance_m <= self.max_snap_m => None,
            Some(s) => Some(s.distance_m),
            None => Some(f64::INFINITY),
        }
    }

    /// The columns of `units` (EPSG:3067 points), searching only from points not seen before.
    pub fn columns(&mut self, units: &[(f64, f64)], progress: &(dyn Fn(usize) + Sync)) -> Vec<Column> {
        let key = |p: &(f64, f64)| (p.0.to_bits(), p.1.to_bits());
        let mut missing: Vec<(f64, f64)> =
            units.iter().filter(|p| !self.columns.contains_key(&key(p))).copied().collect();
        missing.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        missing.dedup();
        if !missing.is_empty() {
            let net = &self.net;
            let snaps: Vec<Option<Snap>> = missing
                .iter()
                .map(|&(x, y)| self.index.snap(net, x, y, SnapMode::Edge).filter(|s| s.distance_m <= self.max_snap_m))
                .collect();
            let times = self.search(&net.times(), &self.cell_access, &snaps, &missing, self.cutoff, progress);
            let dists =
                self.search(&net.lengths(), &self.cell_access_len, &snaps, &missing, self.length_cutoff, &|_| {});
            let cells = self.cells.len();
            for (j, p) in missing.iter().enumerate() {
                let time: Arc<[Cost]> = (0..cells).map(|i| times[i * missing.len() + j]).collect();
                let dist: Arc<[Decimetres]> = (0..cells).map(|i| Decimetres(dists[i * missing.len() + j])).collect();
                self.columns.insert(key(p), Column { time, dist });
            }
            self.searches += missing.len();
        }
        units.iter().map(|p| self.columns[&key(p)].clone()).collect()
    }

    /// Cells × `points` in the weights `w`: one backward search per point, then the direct
    /// costs of points on the same edge as a cell.
    fn search(
        &self,
        w: &Weights<'_>,
        cell_access: &[Vec<Access>],
        snaps: &[Option<Snap>],
        points: &[(f64, f64)],
        cutoff: Cost,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Vec<Cost> {
        let access: Vec<Vec<Access>> = snaps
            .iter()
            .map(|s| s.as_ref().map_or_else(Vec::new, |s| destination_access_in(&self.net, w, s)))
            .collect();
        let mut m = matrix::dense(w.forward, w.backward, cell_access, &access, cutoff, progress);
        if m.is_empty() {
            m = vec![UNREACHABLE; self.cells.len() * points.len()];
        }
        let direct = direct_pairs(&self.net, w, &self.cells, &self.cell_snaps, points, snaps);
        apply_direct(&mut m, 0, points.len(), &direct, cutoff);
        m
    }
}
