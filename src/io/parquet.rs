//! (Geo)Parquet in and out through polars.
//!
//! Written files hold geometry as a WKB `geometry` column with GeoParquet 1.1 `geo` file
//! metadata (PROJJSON-free: the CRS is given by its EPSG id), so GDAL, QGIS and GeoPandas
//! read them as spatial layers; plain readers see the attribute columns.

use super::atomic;
use super::error::{ReadError, WriteError};
use super::out::{OutColumn, OutTable};
use super::table::{Column as TableColumn, RecordNumbers, Table, TextColumn};
use super::wkb;
use crate::model::{Location, Problem, ProblemKind};
use polars::prelude::*;
use std::path::Path;

fn unreadable(path: &Path, e: impl std::fmt::Display) -> ReadError {
    ReadError::new(
        path,
        ProblemKind::Unreadable,
        format!("cannot read as Parquet (truncated or not a Parquet file?): {e}"),
    )
}

/// Reads a Parquet file into a [`Table`]; a WKB `geometry` column becomes the geometry.
pub fn read(path: &Path) -> Result<(Table, Vec<Problem>), ReadError> {
    let file = std::fs::File::open(path)
        .map_err(|e| ReadError::new(path, ProblemKind::Unreadable, format!("cannot open: {e}")))?;
    if file.metadata().map(|m| m.len()).unwrap_or(0) == 0 {
        return Err(ReadError::new(path, ProblemKind::Empty, "the file is empty; expected a Parquet file"));
    }
    // polars reports corrupt input as errors; the unwind guard is a last line of defence so
    // that a malformed file can never take the whole process down.
    let df = std::panic::catch_unwind(move || ParquetReader::new(file).finish())
        .map_err(|_| unreadable(path, "the Parquet decoder failed"))?
        .map_err(|e| unreadable(path, e))?;
    let len = df.height();
    if len == 0 {
        return Err(ReadError::new(path, ProblemKind::Empty, "the Parquet file has no rows"));
    }
    let mut names = Vec::new();
    let mut columns = Vec::new();
    let mut geometry = None;
    let mut problems = Vec::new();
    for col in df.columns() {
        let s = col.as_materialized_series();
        let name = s.name().to_string();
        let dtype = s.dtype().clone();
        if matches!(dtype, DataType::Binary) && name == "geometry" {
            let bin = s.binary().map_err(|e| unreadable(path, e))?;
            let geoms = bin
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    b.and_then(|b| match wkb::decode(b) {
                        Ok(g) => Some(g),
                        Err(e) => {
                            problems.push(
                                Problem::error(
                                    ProblemKind::InvalidGeometry,
                                    Some(path.to_owned()),
                                    Location::Row(i as u64 + 1),
                                    format!("readable WKB: {}", e.0),
                                )
                                .field("geometry"),
                            );
                            None
                        }
                    })
                })
                .collect();
            geometry = Some(geoms);
            continue;
        }
        let column = if dtype.is_integer() || matches!(dtype, DataType::Boolean) {
            let c = s.cast(&DataType::Int64).map_err(|e| unreadable(path, e))?;
            TableColumn::Int(c.i64().map_err(|e| unreadable(path, e))?.iter().collect())
        } else if dtype.is_float() {
            let c = s.cast(&DataType::Float64).map_err(|e| unreadable(path, e))?;
            TableColumn::Float(c.f64().map_err(|e| unreadable(path, e))?.iter().collect())
        } else {
            let c = s.cast(&DataType::String).map_err(|e| unreadable(path, e))?;
            let mut t = TextColumn::default();
            for v in c.str().map_err(|e| unreadable(path, e))?.iter() {
                t.push(v.unwrap_or(""));
            }
            TableColumn::Text(t)
        };
        names.push(name);
        columns.push(column);
    }
    Ok((
        Table {
            path: path.to_owned(),
            names,
            columns,
            len,
            geometry,
            crs: None,
            records: RecordNumbers::Rows,
            decimal_comma: false,
        },
        problems,
    ))
}

/// Converts an [`OutTable`] into a polars DataFrame (geometry as a WKB column).
pub fn to_dataframe(table: &OutTable) -> PolarsResult<DataFrame> {
    let mut cols: Vec<Column> = table
        .columns
        .iter()
        .map(|(name, c)| match c {
            OutColumn::Text(v) => Column::new(name.as_str().into(), v),
            OutColumn::Int(v) => Column::new(name.as_str().into(), v),
            OutColumn::Float(v) => Column::new(name.as_str().into(), v),
        })
        .collect();
    if let Some(g) = &table.geometry {
        let blobs: Vec<Option<Vec<u8>>> = g
            .values
            .iter()
            .map(|v| {
                v.as_ref().map(|geom| {
                    let mut out = Vec::new();
                    wkb::encode(geom, &mut out);
                    out
                })
            })
            .collect();
        let ca = BinaryChunked::from_iter_options("geometry".into(), blobs.into_iter());
        cols.push(ca.into_series().into_column());
    }
    DataFrame::new(table.len(), cols)
}

/// GeoParquet 1.1 file metadata for a table's geometry column.
fn geo_metadata(table: &OutTable) -> Option<String> {
    let g = table.geometry.as_ref()?;
    let type_name = match g.kind {
        super::out::GeometryKind::Point => "Point",
        super::out::GeometryKind::LineString => "LineString",
        super::out::GeometryKind::MultiLineString => "MultiLineString",
        super::out::GeometryKind::MultiPolygon => "MultiPolygon",
    };
    let meta = serde_json::json!({
        "version": "1.1.0",
        "primary_column": "geometry",
        "columns": {"geometry": {
            "encoding": "WKB",
            "geometry_types": [type_name],
            "crs": {"id": {"authority": "EPSG", "code": g.epsg}},
        }},
    });
    Some(meta.to_string())
}

/// Writes `table` as (Geo)Parquet atomically, zstd-compressed.
pub fn write(path: &Path, table: &OutTable) -> Result<(), WriteError> {
    let mut df = to_dataframe(table).map_err(|e| WriteError::new(path, e))?;
    atomic::write_with(path, |tmp| {
        let file = std::fs::File::create(tmp).map_err(|e| WriteError::new(path, e))?;
        let mut writer = ParquetWriter::new(file).with_compression(ParquetCompression::Zstd(None));
        let mut pairs = Vec::new();
        if let Some(meta) = geo_metadata(table) {
            pairs.push(("geo".to_owned(), meta));
        }
        if let Some(p) = &table.provenance {
            pairs.push(("pave:provenance".to_owned(), p.clone()));
        }
        if !pairs.is_empty() {
            writer = writer.with_key_value_metadata(Some(KeyValueMetadata::from_static(pairs)));
        }
        writer.finish(&mut df).map(|_| ()).map_err(|e| WriteError::new(path, e))
    })
}
