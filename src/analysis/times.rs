//! A travel-time matrix from demand areas to units, and nearest-unit lookups on it.

use crate::network::{Cost, UNREACHABLE};

/// Travel times, row-major: `time[cell * units + unit]`, milliseconds, [`UNREACHABLE`]
/// beyond the search cutoff.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TravelTimes {
    /// Number of rows (demand areas).
    pub cells: usize,
    /// Number of columns (units).
    pub units: usize,
    /// The times.
    pub time: Vec<Cost>,
}

impl TravelTimes {
    /// An all-unreachable matrix.
    pub fn new(cells: usize, units: usize) -> Self {
        TravelTimes { cells, units, time: vec![UNREACHABLE; cells * units] }
    }

    /// Time from `cell` to `unit`.
    pub fn get(&self, cell: usize, unit: usize) -> Cost {
        self.time[cell * self.units + unit]
    }

    /// One row.
    pub fn row(&self, cell: usize) -> &[Cost] {
        &self.time[cell * self.units..(cell + 1) * self.units]
    }

    /// The `k` nearest units of `cell` among those `usable`, as (time, unit), nearest first;
    /// ties go to the lower unit index.
    pub fn nearest(&self, cell: usize, k: usize, usable: &dyn Fn(usize) -> bool) -> Vec<(Cost, u32)> {
        let mut all: Vec<(Cost, u32)> = self
            .row(cell)
            .iter()
            .enumerate()
            .filter(|&(u, &t)| t != UNREACHABLE && usable(u))
            .map(|(u, &t)| (t, u as u32))
            .collect();
        all.sort_unstable();
        all.truncate(k);
        all
    }
}

/// Milliseconds as minutes.
pub fn minutes(t: Cost) -> f64 {
    f64::from(t) / 60_000.0
}
