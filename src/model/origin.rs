//! Where a record came from: the file and the row or feature, for messages that name them.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A position inside a source file.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Location {
    /// The file as a whole.
    File,
    /// A CSV line, 1-based as a text editor shows it (the header is line 1).
    Line(u64),
    /// A data row, 1-based, of a table without line numbers (Parquet).
    Row(u64),
    /// A feature of a GeoPackage or GeoJSON layer, by its feature id or index.
    Feature(i64),
    /// A line and column in a text file such as a TOML profile.
    LineColumn(u64, u64),
    /// A key path in a structured file, e.g. `codes.status`.
    Key(String),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File => Ok(()),
            Location::Line(n) => write!(f, "line {n}"),
            Location::Row(n) => write!(f, "row {n}"),
            Location::Feature(n) => write!(f, "feature {n}"),
            Location::LineColumn(l, c) => write!(f, "line {l}, column {c}"),
            Location::Key(k) => write!(f, "key '{k}'"),
        }
    }
}

/// Index of a source file in [`crate::model::Dataset::sources`].
pub type SourceIndex = u16;

/// The origin of one harmonised record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// Which source file.
    pub source: SourceIndex,
    /// Where inside it.
    pub location: Location,
}
