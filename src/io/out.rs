//! The table shape every writer takes: named typed columns and optional geometry.

use geo::Geometry;

/// One output column.
#[derive(Clone, Debug, PartialEq)]
pub enum OutColumn {
    /// Text values.
    Text(Vec<Option<String>>),
    /// Integer values.
    Int(Vec<Option<i64>>),
    /// Floating-point values.
    Float(Vec<Option<f64>>),
}

impl OutColumn {
    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            OutColumn::Text(v) => v.len(),
            OutColumn::Int(v) => v.len(),
            OutColumn::Float(v) => v.len(),
        }
    }

    /// Whether the column has no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Geometry type of an output layer, as GeoPackage names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GeometryKind {
    /// Points.
    Point,
    /// Line strings.
    LineString,
    /// Multi-line strings.
    MultiLineString,
    /// Multi-polygons.
    MultiPolygon,
}

impl GeometryKind {
    /// The GeoPackage / OGC type name.
    pub fn name(self) -> &'static str {
        match self {
            GeometryKind::Point => "POINT",
            GeometryKind::LineString => "LINESTRING",
            GeometryKind::MultiLineString => "MULTILINESTRING",
            GeometryKind::MultiPolygon => "MULTIPOLYGON",
        }
    }
}

/// Geometry of an output table.
#[derive(Clone, Debug, PartialEq)]
pub struct OutGeometry {
    /// Geometry type of every row.
    pub kind: GeometryKind,
    /// EPSG code of the coordinates.
    pub epsg: u32,
    /// One geometry per row.
    pub values: Vec<Option<Geometry<f64>>>,
}

/// A table to write: a layer of a GeoPackage, a Parquet file or a CSV file.
#[derive(Clone, Debug, PartialEq)]
pub struct OutTable {
    /// Layer or table name.
    pub name: String,
    /// Columns in order.
    pub columns: Vec<(String, OutColumn)>,
    /// Geometry, for spatial layers.
    pub geometry: Option<OutGeometry>,
    /// Provenance text: Parquet key-value metadata `pave:provenance`, GeoPackage
    /// `gpkg_contents.description`.
    pub provenance: Option<String>,
    /// Decimals to round a float column to in CSV (for people and spreadsheets); Parquet
    /// and GeoPackage keep full precision. Columns not listed get at most 6 decimals.
    pub csv_decimals: Vec<(String, u8)>,
}

impl OutTable {
    /// An empty table called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        OutTable { name: name.into(), columns: Vec::new(), geometry: None, provenance: None, csv_decimals: Vec::new() }
    }

    /// Adds a column.
    pub fn with(mut self, name: impl Into<String>, column: OutColumn) -> Self {
        self.columns.push((name.into(), column));
        self
    }

    /// Adds a float column that CSV output rounds to `decimals`.
    pub fn with_rounded(mut self, name: impl Into<String>, decimals: u8, column: OutColumn) -> Self {
        let name = name.into();
        self.csv_decimals.push((name.clone(), decimals));
        self.columns.push((name, column));
        self
    }

    /// Decimals for column `name` in CSV output, if set.
    pub fn decimals_of(&self, name: &str) -> Option<u8> {
        self.csv_decimals.iter().find(|d| d.0 == name).map(|d| d.1)
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.columns
            .first()
            .map(|(_, c)| c.len())
            .or_else(|| self.geometry.as_ref().map(|g| g.values.len()))
            .unwrap_or(0)
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
