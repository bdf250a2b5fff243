//! Travel times from a city's demand areas to a scenario's units on a road network, with a
//! cache of unit columns: scenarios sharing a network and a city reuse every column of a
//! unit that did not move, and only search from new or moved units.

use crate::analysis::times::TravelTimes;
use crate::io::error::ReadError;
use crate::model::scenario::Scenario;
use crate::model::{Location, ProblemKind};
use crate::network::profile::Speeds;
use crate::network::snap::{Snap, SnapIndex, SnapMode, apply_direct, destination_access, direct_pairs, origin_access};
use crate::network::source::{BuildError, Options};
use crate::network::{Access, Cost, Network, UNREACHABLE};
use crate::routing::matrix;
use std::collections::HashMap;

/// Reads or builds the scenario's network (through [`crate::network::source`], the path
/// `pave network build` takes).
pub fn load_network(scenario: &Scenario) -> Result<Network, BuildError> {
    let options = Options {
        mode: Some(scenario.mode),
        speeds: Speeds { walk_mps: scenario.speeds.0, bike_mps: scenario.speeds.1 },
        access_speed_mps: None,
    };
    Ok(crate::network::source::build(&scenario.network, &options)?.network)
}

/// The network with edge lengths in decimetres as weights, and the walk to the network
/// counted as distance too: shortest paths by length.
fn length_network(net: &Network) -> Network {
    let mut forward = net.forward.clone();
    forward.weight = net.length_m.iter().map(|&l| (f64::from(l) * 10.0).round() as u32).collect();
    let backward = forward.transpose();
    let mut meta = net.meta.clone();
    // off-network milliseconds = metres / speed · 1000 = decimetres at 100 m/s.
    meta.access_speed_mps = 100.0;
    Network { meta, forward, backward, hierarchy: None, ..net.clone() }
}

/// Travel times (and network distances) to units on one network from one city's demand
/// areas.
pub struct Travel<'n> {
    net: &'n Network,
    lengths: Network,
    index: SnapIndex<'n>,
    max_snap_m: f64,
    cutoff: Cost,
    length_cutoff: u32,
    cells: Vec<(f64, f64)>,
    cell_snaps: Vec<Option<Snap>>,
    cell_access: Vec<Vec<Access>>,
    cell_access_len: Vec<Vec<Access>>,
    columns: HashMap<(u64, u64), (Vec<Cost>, Vec<u32>)>,
    /// Unit searches run so far (the rest came from the cache).
    pub searches: usize,
}

impl<'n> Travel<'n> {
    /// Snaps the demand areas' points (EPSG:3067); times beyond `cutoff` are unreachable.
    pub fn new(net: &'n Network, cells: Vec<(f64, f64)>, max_snap_m: f64, cutoff: Cost) -> Self {
        let index = SnapIndex::new(net);
        let cell_snaps: Vec<Option<Snap>> = cells
            .iter()
            .map(|&(x, y)| index.snap(x, y, SnapMode::Edge).filter(|s| s.distance_m <= max_snap_m))
            .collect();
        let cell_access =
            cell_snaps.iter().map(|s| s.as_ref().map_or_else(Vec::new, |s| origin_access(net, s))).collect();
        let lengths = length_network(net);
        let cell_access_len =
            cell_snaps.iter().map(|s| s.as_ref().map_or_else(Vec::new, |s| origin_access(&lengths, s))).collect();
        // Nothing within the time cutoff lies farther than the fastest edge goes in that time.
        let fastest = (0..net.edge_count())
            .filter(|&e| net.forward.weight[e] > 0)
            .map(|e| f64::from(net.length_m[e]) / (f64::from(net.forward.weight[e]) / 1000.0))
            .fold(net.meta.access_speed_mps, f64::max);
        let length_cutoff = (f64::from(cutoff) / 1000.0 * fastest * 10.0).min(f64::from(u32::MAX - 1)) as u32;
        Travel {
            net,
            lengths,
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

    /// Demand areas farther than the snap limit from the network (their times are unreachable).
    pub fn cells_off_network(&self) -> Vec<usize> {
        (0..self.cells.len()).filter(|&i| self.cell_snaps[i].is_none()).collect()
    }

    /// Distance from a point to the network when it exceeds the snap limit.
    pub fn off_network(&self, x: f64, y: f64) -> Option<f64> {
        match self.index.snap(x, y, SnapMode::Edge) {
            Some(s) if s.distance_m <= self.max_snap_m => None,
            Some(s) => Some(s.distance_m),
            None => Some(f64::INFINITY),
        }
    }

    /// Travel times (ms) and network distances (decimetres, shortest path by length) from
    /// every demand area to `units` (EPSG:3067 points), searching only from units not seen
    /// before.
    pub fn times(&mut self, units: &[(f64, f64)], progress: &(dyn Fn(usize) + Sync)) -> (TravelTimes, TravelTimes) {
        let key = |p: &(f64, f64)| (p.0.to_bits(), p.1.to_bits());
        let mut missing: Vec<(f64, f64)> =
            units.iter().filter(|p| !self.columns.contains_key(&key(p))).copied().collect();
        missing.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        missing.dedup();
        if !missing.is_empty() {
            let snaps: Vec<Option<Snap>> = missing
                .iter()
                .map(|&(x, y)| self.index.snap(x, y, SnapMode::Edge).filter(|s| s.distance_m <= self.max_snap_m))
                .collect();
            let access: Vec<Vec<Access>> =
                snaps.iter().map(|s| s.as_ref().map_or_else(Vec::new, |s| destination_access(self.net, s))).collect();
            let mut m =
                matrix::dense(&self.net.forward, &self.net.backward, &self.cell_access, &access, self.cutoff, progress);
            if m.is_empty() {
                m = vec![UNREACHABLE; self.cells.len() * missing.len()];
            }
            let direct = direct_pairs(self.net, &self.cells, &self.cell_snaps, &missing, &snaps);
            apply_direct(&mut m, 0, missing.len(), &direct, self.cutoff);
            let len_access: Vec<Vec<Access>> = snaps
                .iter()
                .map(|s| s.as_ref().map_or_else(Vec::new, |s| destination_access(&self.lengths, s)))
                .collect();
            let l = &self.lengths;
            let mut d =
                matrix::dense(&l.forward, &l.backward, &self.cell_access_len, &len_access, self.length_cutoff, &|_| {});
            if d.is_empty() {
                d = vec![UNREACHABLE; self.cells.len() * missing.len()];
            }
            let direct = direct_pairs(l, &self.cells, &self.cell_snaps, &missing, &snaps);
            apply_direct(&mut d, 0, missing.len(), &direct, self.length_cutoff);
            for (j, p) in missing.iter().enumerate() {
                let column: Vec<Cost> = (0..self.cells.len()).map(|i| m[i * missing.len() + j]).collect();
                let dist: Vec<u32> = (0..self.cells.len()).map(|i| d[i * missing.len() + j]).collect();
                self.columns.insert(key(p), (column, dist));
            }
            self.searches += missing.len();
        }
        let mut t = TravelTimes::new(self.cells.len(), units.len());
        let mut d = TravelTimes::new(self.cells.len(), units.len());
        for (j, p) in units.iter().enumerate() {
            let (column, dist) = &self.columns[&key(p)];
            for (i, (&c, &l)) in column.iter().zip(dist).enumerate() {
                t.time[i * units.len() + j] = c;
                d.time[i * units.len() + j] = l;
            }
        }
        (t, d)
    }
}

/// An error for a unit point off the network.
pub fn off_network_error(file: &std::path::Path, line: u64, unit: &str, distance: f64, limit: f64) -> ReadError {
    let how_far = if distance.is_finite() { format!("{distance:.0} m") } else { "far".to_owned() };
    ReadError::new(
        file,
        ProblemKind::Profile,
        format!("key 'at': unit '{unit}' lies {how_far} from the network (limit {limit:.0} m, network.max_snap_m)"),
    )
    .at(Location::LineColumn(line, 1))
}
