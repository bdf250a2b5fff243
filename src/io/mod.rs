//! Readers and writers, coordinate systems and city profiles: the edge between the cities'
//! files and the harmonised model.
//!
//! **Invariant:** `io` converts and checks what it reads but computes no analysis results.
//! Everything it hands to the model is in EPSG:3067.

pub mod atomic;
pub mod crs;
pub mod csv;
pub mod encoding;
pub mod error;
pub mod export;
pub mod geojson;
pub mod gpkg;
pub mod interchange;
pub mod load;
pub mod locate;
pub mod od;
pub mod osm;
pub mod out;
pub mod parquet;
pub mod points;
pub mod profile;
pub mod scenario;
pub mod table;
pub mod wkb;

pub use error::{ReadError, WriteError};
pub use out::{GeometryKind, OutColumn, OutGeometry, OutTable};
pub use table::Table;

use crate::model::profile::CsvDialect;
use crate::model::{Problem, ProblemKind};
use std::path::Path;

/// File formats pave reads and writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Comma- or semicolon-separated text.
    Csv,
    /// OGC GeoPackage (SQLite).
    GeoPackage,
    /// GeoJSON FeatureCollection.
    GeoJson,
    /// Apache Parquet / GeoParquet.
    Parquet,
}

impl Format {
    /// The format implied by a file's extension.
    pub fn from_path(path: &Path) -> Result<Format, crate::io::ReadError> {
        let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        match ext.as_str() {
            "csv" | "txt" | "tsv" => Ok(Format::Csv),
            "gpkg" => Ok(Format::GeoPackage),
            "geojson" | "json" => Ok(Format::GeoJson),
            "parquet" | "pq" | "geoparquet" => Ok(Format::Parquet),
            "xlsx" | "xls" | "ods" => Err(ReadError::new(
                path,
                ProblemKind::Unreadable,
                "spreadsheets are not read directly; save the sheet as CSV (Finnish Excel's 'CSV (semicolon)' works)",
            )),
            other => Err(ReadError::new(
                path,
                ProblemKind::Unreadable,
                format!("unsupported file type '.{other}'; expected .csv, .gpkg, .geojson or .parquet"),
            )),
        }
    }
}

/// Reads any supported file (one layer of it) into a [`Table`], with record-level problems.
pub fn read_table(path: &Path, layer: Option<&str>, dialect: &CsvDialect) -> Result<(Table, Vec<Problem>), ReadError> {
    match Format::from_path(path)? {
        Format::Csv => csv::read(path, dialect),
        Format::GeoPackage => gpkg::read(path, layer),
        Format::GeoJson => geojson::read(path),
        Format::Parquet => parquet::read(path),
    }
}
