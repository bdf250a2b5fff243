//! Travel times from demand areas to units: a dense matrix, and per area the reachable
//! units nearest first ([`Reach`]), which the allocation, accessibility and catchment
//! computations walk instead of whole rows.

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

/// Units reachable from each demand area, nearest first: `lists[area]` holds (travel time,
/// unit) for every unit within the search cutoff, sorted by time, ties by the lower unit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reach {
    /// Per area, nearest first.
    pub lists: Vec<Vec<(Cost, u32)>>,
}

impl Reach {
    /// The lists of a dense matrix.
    pub fn from_matrix(t: &TravelTimes) -> Self {
        let mut r = Reach { lists: vec![Vec::new(); t.cells] };
        for u in 0..t.units {
            r.insert(u as u32, &mut (0..t.cells).map(|a| t.get(a, u)));
        }
        r
    }

    /// Adds unit `u` with its column of times (one per area, [`UNREACHABLE`] allowed).
    pub fn insert(&mut self, u: u32, column: &mut dyn Iterator<Item = Cost>) {
        for (list, t) in self.lists.iter_mut().zip(column) {
            if t != UNREACHABLE {
                let at = list.partition_point(|&x| x < (t, u));
                list.insert(at, (t, u));
            }
        }
    }

    /// Removes unit `u`, which was inserted with `column`.
    pub fn remove(&mut self, u: u32, column: &mut dyn Iterator<Item = Cost>) {
        for (list, t) in self.lists.iter_mut().zip(column) {
            if t != UNREACHABLE {
                let at = list.partition_point(|&x| x < (t, u));
                if list.get(at) == Some(&(t, u)) {
                    list.remove(at);
                }
            }
        }
    }

    /// The `k` nearest units of `area` among those `usable`, as (time, unit), nearest first.
    pub fn nearest(&self, area: usize, k: usize, usable: &dyn Fn(u32) -> bool) -> Vec<(Cost, u32)> {
        self.lists[area].iter().filter(|o| usable(o.1)).take(k).copied().collect()
    }
}

/// Milliseconds as minutes.
pub fn minutes(t: Cost) -> f64 {
    f64::from(t) / 60_000.0
}
