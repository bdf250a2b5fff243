//! A columnar table as every reader returns it: named typed columns, optional geometry.
//!
//! CSV, GeoPackage, GeoJSON and Parquet all become a [`Table`], so the mapping from a city's
//! columns to the harmonised model is written once. Text is stored Arrow-style (one buffer
//! and end offsets), which keeps reading a million-row CSV to a few allocations.

use crate::model::Location;
use crate::model::population::LocationKind;
use geo::Geometry;
use std::path::PathBuf;

/// A text column stored as one buffer with end offsets; empty cells are null.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TextColumn {
    buf: String,
    ends: Vec<usize>,
}

impl TextColumn {
    /// Appends a cell.
    pub fn push(&mut self, s: &str) {
        self.buf.push_str(s);
        self.ends.push(self.buf.len());
    }

    /// The cell at `row`, `None` when empty.
    pub fn get(&self, row: usize) -> Option<&str> {
        let end = *self.ends.get(row)?;
        let start = if row == 0 { 0 } else { self.ends[row - 1] };
        let s = &self.buf[start..end];
        (!s.is_empty()).then_some(s)
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are no cells.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

/// One typed column.
#[derive(Clone, Debug, PartialEq)]
pub enum Column {
    /// Text cells (all CSV columns; text columns of other formats).
    Text(TextColumn),
    /// Integer cells.
    Int(Vec<Option<i64>>),
    /// Floating-point cells.
    Float(Vec<Option<f64>>),
}

/// A borrowed cell value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell<'a> {
    /// Empty / null.
    Null,
    /// Text as found.
    Text(&'a str),
    /// Integer.
    Int(i64),
    /// Floating point.
    Float(f64),
}

impl Cell<'_> {
    /// The value as text for messages.
    pub fn display(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Text(s) => (*s).to_owned(),
            Cell::Int(i) => i.to_string(),
            Cell::Float(f) => f.to_string(),
        }
    }
}

impl Column {
    /// The cell at `row`.
    pub fn cell(&self, row: usize) -> Cell<'_> {
        match self {
            Column::Text(t) => t.get(row).map_or(Cell::Null, Cell::Text),
            Column::Int(v) => v.get(row).copied().flatten().map_or(Cell::Null, Cell::Int),
            Column::Float(v) => v.get(row).copied().flatten().map_or(Cell::Null, Cell::Float),
        }
    }
}

/// How row indices map to locations in the source file.
#[derive(Clone, Debug, PartialEq)]
pub enum RecordNumbers {
    /// Row i is at the given CSV line.
    Lines(Vec<u64>),
    /// Row i has the given feature id (GeoPackage fid, GeoJSON 1-based index).
    Features(Vec<i64>),
    /// Row i is data row i + 1 (Parquet).
    Rows,
}

/// A table read from one file (or one layer of it).
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Source file.
    pub path: PathBuf,
    /// Column names, in file order.
    pub names: Vec<String>,
    /// Columns, parallel to `names`.
    pub columns: Vec<Column>,
    /// Number of rows.
    pub len: usize,
    /// Geometry per row in the file's CRS, for spatial formats.
    pub geometry: Option<Vec<Option<Geometry<f64>>>>,
    /// EPSG code the file declares for its geometry, if any.
    pub crs: Option<u32>,
    /// Locations of the rows.
    pub records: RecordNumbers,
    /// Whether text numbers use a decimal comma.
    pub decimal_comma: bool,
}

impl Table {
    /// Index of the column called `name` (exact match first, then case-insensitive).
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.names
            .iter()
            .position(|n| n == name)
            .or_else(|| self.names.iter().position(|n| n.eq_ignore_ascii_case(name)))
    }

    /// The location of row `row` for messages.
    pub fn location(&self, row: usize) -> Location {
        match &self.records {
            RecordNumbers::Lines(lines) => Location::Line(lines.get(row).copied().unwrap_or(0)),
            RecordNumbers::Features(ids) => Location::Feature(ids.get(row).copied().unwrap_or(0)),
            RecordNumbers::Rows => Location::Row(row as u64 + 1),
        }
    }

    /// The number stored for row `row` (line, feature id or row number).
    pub fn record_number(&self, row: usize) -> u64 {
        match &self.records {
            RecordNumbers::Lines(lines) => lines.get(row).copied().unwrap_or(0),
            RecordNumbers::Features(ids) => ids.get(row).copied().unwrap_or(0) as u64,
            RecordNumbers::Rows => row as u64 + 1,
        }
    }

    /// How this table numbers its records.
    pub fn location_kind(&self) -> LocationKind {
        match &self.records {
            RecordNumbers::Lines(_) => LocationKind::Line,
            RecordNumbers::Features(_) => LocationKind::Feature,
            RecordNumbers::Rows => LocationKind::Row,
        }
    }
}
