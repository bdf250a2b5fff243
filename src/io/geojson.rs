//! GeoJSON in and out. RFC 7946 files are EPSG:4326; a legacy `crs` member naming an EPSG
//! code (e.g. `urn:ogc:def:crs:EPSG::3879`) is honoured on read.

use super::atomic;
use super::error::{ReadError, WriteError};
use super::out::{OutColumn, OutTable};
use super::table::{Column, RecordNumbers, Table, TextColumn};
use crate::model::{Location, Problem, ProblemKind};
use geo::{Coord, Geometry, LineString, MultiPolygon, Point, Polygon};
use serde_json::{Map, Value, json};
use std::path::Path;

/// Reads a GeoJSON FeatureCollection into a [`Table`]; feature numbers are 1-based.
pub fn read(path: &Path) -> Result<(Table, Vec<Problem>), ReadError> {
    let bytes =
        std::fs::read(path).map_err(|e| ReadError::new(path, ProblemKind::Unreadable, format!("cannot open: {e}")))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ReadError::new(
            path,
            ProblemKind::Empty,
            "the file is empty; expected a GeoJSON FeatureCollection",
        ));
    }
    let doc: Value = serde_json::from_slice(&bytes).map_err(|e| {
        ReadError::new(path, ProblemKind::Unreadable, format!("not valid JSON: {e}"))
            .at(Location::LineColumn(e.line() as u64, e.column() as u64))
    })?;
    let features = doc.get("features").and_then(Value::as_array).ok_or_else(|| {
        ReadError::new(path, ProblemKind::Unreadable, "not a GeoJSON FeatureCollection (no \"features\" array)")
    })?;
    if features.is_empty() {
        return Err(ReadError::new(path, ProblemKind::Empty, "the FeatureCollection has no features"));
    }
    let crs = match doc.pointer("/crs/properties/name").and_then(Value::as_str) {
        None => Some(4326),
        Some(name) => Some(parse_crs_name(name).ok_or_else(|| {
            ReadError::new(
                path,
                ProblemKind::WrongCrs,
                format!("unrecognised crs name '{name}'; expected e.g. urn:ogc:def:crs:EPSG::3879"),
            )
        })?),
    };
    // Columns in first-seen order; typed as integer, float or text from their values.
    let mut names: Vec<String> = Vec::new();
    for f in features {
        if let Some(props) = f.get("properties").and_then(Value::as_object) {
            for k in props.keys() {
                if !names.contains(k) {
                    names.push(k.clone());
                }
            }
        }
    }
    let empty = Map::new();
    let props = |f: &Value| f.get("properties").and_then(Value::as_object).unwrap_or(&empty).clone();
    let all_props: Vec<Map<String, Value>> = features.iter().map(props).collect();
    let columns = names
        .iter()
        .map(|name| {
            let values: Vec<&Value> = all_props.iter().map(|p| p.get(name).unwrap_or(&Value::Null)).collect();
            if values.iter().all(|v| v.is_null() || v.is_i64()) {
                Column::Int(values.iter().map(|v| v.as_i64()).collect())
            } else if values.iter().all(|v| v.is_null() || v.is_number()) {
                Column::Float(values.iter().map(|v| v.as_f64()).collect())
            } else {
                let mut t = TextColumn::default();
                for v in values {
                    match v {
                        Value::Null => t.push(""),
                        Value::String(s) => t.push(s),
                        other => t.push(&other.to_string()),
                    }
                }
                Column::Text(t)
            }
        })
        .collect();
    let mut problems = Vec::new();
    let geometry = features
        .iter()
        .enumerate()
        .map(|(i, f)| match f.get("geometry") {
            None | Some(Value::Null) => None,
            Some(g) => match parse_geometry(g) {
                Ok(g) => Some(g),
                Err(msg) => {
                    problems.push(
                        Problem::error(
                            ProblemKind::InvalidGeometry,
                            Some(path.to_owned()),
                            Location::Feature(i as i64 + 1),
                            msg,
                        )
                        .field("geometry"),
                    );
                    None
                }
            },
        })
        .collect();
    let len = features.len();
    Ok((
        Table {
            path: path.to_owned(),
            names,
            columns,
            len,
            geometry: Some(geometry),
            crs,
            records: RecordNumbers::Features((1..=len as i64).collect()),
            decimal_comma: false,
        },
        problems,
    ))
}

fn parse_crs_name(name: &str) -> Option<u32> {
    if name.contains("CRS84") {
        return Some(4326);
    }
    name.rsplit(':').next()?.parse().ok()
}

fn coord(v: &Value) -> Result<Coord<f64>, String> {
    let a = v.as_array().ok_or("a coordinate array [x, y]")?;
    match (a.first().and_then(Value::as_f64), a.get(1).and_then(Value::as_f64)) {
        (Some(x), Some(y)) => Ok(Coord { x, y }),
        _ => Err("a coordinate with two numbers [x, y]".into()),
    }
}

fn ring(v: &Value) -> Result<LineString<f64>, String> {
    v.as_array()
        .ok_or("a ring: an array of coordinates")?
        .iter()
        .map(coord)
        .collect::<Result<Vec<_>, _>>()
        .map(LineString)
}

fn polygon(v: &Value) -> Result<Polygon<f64>, String> {
    let mut rings =
        v.as_array().ok_or("a polygon: an array of rings")?.iter().map(ring).collect::<Result<Vec<_>, _>>()?;
    if rings.is_empty() {
        return Err("a polygon with at least one ring".into());
    }
    let exterior = rings.remove(0);
    Ok(Polygon::new(exterior, rings))
}

fn parse_geometry(g: &Value) -> Result<Geometry<f64>, String> {
    let coords = g.get("coordinates").ok_or("a geometry with coordinates")?;
    match g.get("type").and_then(Value::as_str) {
        Some("Point") => Ok(Point(coord(coords)?).into()),
        Some("LineString") => Ok(ring(coords)?.into()),
        Some("Polygon") => Ok(polygon(coords)?.into()),
        Some("MultiPolygon") => Ok(MultiPolygon(
            coords.as_array().ok_or("an array of polygons")?.iter().map(polygon).collect::<Result<_, _>>()?,
        )
        .into()),
        Some(other) => Err(format!("a Point, LineString, Polygon or MultiPolygon geometry, found {other}")),
        None => Err("a geometry with a type".into()),
    }
}

fn geometry_json(g: &Geometry<f64>) -> Value {
    let c = |c: &Coord<f64>| json!([c.x, c.y]);
    let ls = |l: &LineString<f64>| Value::Array(l.0.iter().map(c).collect());
    let poly = |p: &Polygon<f64>| Value::Array(std::iter::once(p.exterior()).chain(p.interiors()).map(ls).collect());
    match g {
        Geometry::Point(p) => json!({"type": "Point", "coordinates": [p.x(), p.y()]}),
        Geometry::LineString(l) => json!({"type": "LineString", "coordinates": ls(l)}),
        Geometry::Polygon(p) => json!({"type": "Polygon", "coordinates": poly(p)}),
        Geometry::MultiPolygon(mp) => {
            json!({"type": "MultiPolygon", "coordinates": mp.0.iter().map(poly).collect::<Vec<_>>()})
        }
        _ => Value::Null,
    }
}

/// Writes `table` as a GeoJSON FeatureCollection atomically. Coordinates are written as
/// given; RFC 7946 expects EPSG:4326, so callers transform first, or a legacy `crs`
/// member is added for any other EPSG code (QGIS and GDAL read it).
pub fn write(path: &Path, table: &OutTable) -> Result<(), WriteError> {
    let mut features = Vec::with_capacity(table.len());
    for row in 0..table.len() {
        let mut props = Map::new();
        for (name, column) in &table.columns {
            let v = match column {
                OutColumn::Text(v) => v[row].clone().map_or(Value::Null, Value::String),
                OutColumn::Int(v) => v[row].map_or(Value::Null, Value::from),
                OutColumn::Float(v) => v[row].map_or(Value::Null, Value::from),
            };
            props.insert(name.clone(), v);
        }
        let geometry = table.geometry.as_ref().and_then(|g| g.values[row].as_ref()).map_or(Value::Null, geometry_json);
        features.push(json!({"type": "Feature", "properties": props, "geometry": geometry}));
    }
    let mut doc = json!({"type": "FeatureCollection", "name": table.name, "features": features});
    if let Some(g) = &table.geometry
        && g.epsg != 4326
    {
        doc["crs"] = json!({"type": "name", "properties": {"name": format!("urn:ogc:def:crs:EPSG::{}", g.epsg)}});
    }
    let text = serde_json::to_string(&doc).map_err(|e| WriteError::new(path, e))?;
    atomic::write_bytes(path, text.as_bytes())
}
