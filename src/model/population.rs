//! Population by area × year × age (väestö, väestöennuste), stored as struct-of-arrays.
//!
//! Sources differ: the HSY 250 m grid gives 10-year bands and suppresses small cells,
//! district forecasts give single years. The table keeps each row's age band as the source
//! declared it (`age_min..=age_max`, single years have `age_min == age_max`) and marks
//! suppressed figures instead of inventing them. `analysis::disaggregation` turns bands into
//! single years where a forecast allows it.

use super::codes::{LanguageGroup, PopulationKind};
use super::origin::{Location, Origin, SourceIndex};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Highest single age; an age band ending here means "and older" (100+).
pub const OPEN_AGE: u8 = 100;

/// The level of the area a population row refers to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AreaLevel {
    /// A demand area (grid cell or statistical area) of the dataset.
    DemandArea,
    /// A district at the named level of the city's hierarchy, e.g. `peruspiiri`.
    District(String),
}

impl AreaLevel {
    /// The name used in files: `demand_area` or the district level name.
    pub fn name(&self) -> &str {
        match self {
            AreaLevel::DemandArea => "demand_area",
            AreaLevel::District(level) => level,
        }
    }
}

/// An area referenced by population rows: its level and id.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AreaRef {
    /// Level of the area.
    pub level: AreaLevel,
    /// Id at that level (demand area id or district code).
    pub id: String,
}

/// One population row in its harmonised long form (the shape of exported tables).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PopulationRecord {
    /// Official municipality code of the city.
    pub city: String,
    /// `demand_area` or a district level name such as `peruspiiri`.
    pub area_level: String,
    /// Demand area id or district code.
    pub area_id: String,
    /// Statistical year (observed) or target year (forecast).
    pub year: u16,
    /// Youngest age of the band, whole years.
    pub age_min: u8,
    /// Oldest age of the band, whole years; 100 means 100 and older.
    pub age_max: u8,
    /// Number of residents; may be fractional in forecasts; `null` when suppressed.
    pub count: Option<f64>,
    /// Observed or forecast.
    pub kind: PopulationKind,
    /// Language group (kieliryhmä), `all` when not broken down.
    pub language_group: LanguageGroup,
}

/// Population rows as struct-of-arrays with interned area references.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PopulationTable {
    /// Distinct areas referenced; rows point here by index.
    pub areas: Vec<AreaRef>,
    /// Where each area was first referenced, for messages (parallel to `areas`).
    pub area_origins: Vec<Origin>,
    area_index: Vec<(AreaLevel, HashMap<Box<str>, u32>)>,
    /// Row → index into `areas`.
    pub area: Vec<u32>,
    /// Row → year.
    pub year: Vec<u16>,
    /// Row → youngest age of the band.
    pub age_min: Vec<u8>,
    /// Row → oldest age of the band (100 = 100+).
    pub age_max: Vec<u8>,
    /// Row → count; 0.0 where suppressed.
    pub count: Vec<f64>,
    /// Row → whether the source suppressed the figure (too few residents to publish).
    pub suppressed: Vec<bool>,
    /// Row → observed or forecast.
    pub kind: Vec<PopulationKind>,
    /// Row → language group.
    pub language: Vec<LanguageGroup>,
    /// Row → source file.
    pub source: Vec<SourceIndex>,
    /// Row → line or row number in that file (see the source's location kind).
    pub source_row: Vec<u64>,
}

/// One row to append to a [`PopulationTable`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PopulationRow {
    /// Year of the figure.
    pub year: u16,
    /// Youngest age of the band.
    pub age_min: u8,
    /// Oldest age of the band.
    pub age_max: u8,
    /// Residents, `None` if suppressed.
    pub count: Option<f64>,
    /// Observed or forecast.
    pub kind: PopulationKind,
    /// Language group.
    pub language: LanguageGroup,
}

impl PopulationTable {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.year.len()
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.year.is_empty()
    }

    /// Index of `area`, interning it on first use.
    pub fn intern_area(&mut self, level: &AreaLevel, id: &str, origin: impl FnOnce() -> Origin) -> u32 {
        // Look up by `&str` so the common, already-interned case allocates nothing.
        let slot = match self.area_index.iter().position(|(l, _)| l == level) {
            Some(slot) => slot,
            None => {
                self.area_index.push((level.clone(), HashMap::new()));
                self.area_index.len() - 1
            }
        };
        if let Some(&i) = self.area_index[slot].1.get(id) {
            return i;
        }
        let i = self.areas.len() as u32;
        self.areas.push(AreaRef { level: level.clone(), id: id.to_owned() });
        self.area_origins.push(origin());
        self.area_index[slot].1.insert(id.into(), i);
        i
    }

    /// Appends one row for an already interned area.
    pub fn push(&mut self, area: u32, row: PopulationRow, source: SourceIndex, source_row: u64) {
        self.area.push(area);
        self.year.push(row.year);
        self.age_min.push(row.age_min);
        self.age_max.push(row.age_max);
        self.count.push(row.count.unwrap_or(0.0));
        self.suppressed.push(row.count.is_none());
        self.kind.push(row.kind);
        self.language.push(row.language);
        self.source.push(source);
        self.source_row.push(source_row);
    }

    /// Appends all rows of `other`, re-interning its areas.
    pub fn append(&mut self, other: &PopulationTable) {
        let map: Vec<u32> = other
            .areas
            .iter()
            .zip(&other.area_origins)
            .map(|(a, o)| self.intern_area(&a.level, &a.id, || o.clone()))
            .collect();
        for r in 0..other.len() {
            let row = other.row(r);
            self.push(map[other.area[r] as usize], row, other.source[r], other.source_row[r]);
        }
    }

    /// Row `r` as a value.
    pub fn row(&self, r: usize) -> PopulationRow {
        PopulationRow {
            year: self.year[r],
            age_min: self.age_min[r],
            age_max: self.age_max[r],
            count: (!self.suppressed[r]).then_some(self.count[r]),
            kind: self.kind[r],
            language: self.language[r],
        }
    }

    /// The location of row `r` given how its source numbers rows.
    pub fn location(&self, r: usize, kind: LocationKind) -> Location {
        kind.at(self.source_row[r])
    }

    /// Sum of non-suppressed counts.
    pub fn total(&self) -> f64 {
        self.count.iter().sum()
    }
}

/// How a source file numbers its records, to turn a stored number into a [`Location`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LocationKind {
    /// CSV lines (header = line 1).
    Line,
    /// Data rows, 1-based.
    Row,
    /// Feature ids.
    Feature,
}

impl LocationKind {
    /// The location of record number `n`.
    pub fn at(self, n: u64) -> Location {
        match self {
            LocationKind::Line => Location::Line(n),
            LocationKind::Row => Location::Row(n),
            LocationKind::Feature => Location::Feature(n as i64),
        }
    }
}
