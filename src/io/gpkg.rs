//! GeoPackage in and out through SQLite: feature and attribute layers, geometry blobs,
//! the layer's `srs_id` honoured on read; EPSG:3067 (or a GK zone) on write.
//!
//! Written files carry the `GPKG` application id, GeoPackage 1.3 user version (GDAL 3.6, as in Debian 12, warns on 1.4), the required
//! spatial reference rows and an extent per layer, so `ogrinfo` and QGIS open them without
//! warnings. No spatial index is written: without maintenance triggers it would go stale
//! when a layer is edited in QGIS, and the layers pave writes are small enough without one.

use super::atomic;
use super::crs::Crs;
use super::error::{ReadError, WriteError};
use super::out::{OutColumn, OutTable};
use super::table::{Column, RecordNumbers, Table, TextColumn};
use super::wkb;
use crate::model::{Location, Problem, ProblemKind};
use geo::BoundingRect;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, params};
use std::path::Path;

fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

fn open(path: &Path) -> Result<Connection, ReadError> {
    let head =
        std::fs::read(path).map_err(|e| ReadError::new(path, ProblemKind::Unreadable, format!("cannot open: {e}")))?;
    if head.is_empty() {
        return Err(ReadError::new(
            path,
            ProblemKind::Empty,
            "the file is empty; expected a GeoPackage (SQLite database)",
        ));
    }
    if !head.starts_with(b"SQLite format 3\0") {
        return Err(ReadError::new(
            path,
            ProblemKind::Unreadable,
            "not a GeoPackage: the file is not an SQLite database",
        ));
    }
    Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| ReadError::new(path, ProblemKind::Unreadable, format!("cannot open as GeoPackage: {e}")))
}

fn corrupt(path: &Path, e: rusqlite::Error) -> ReadError {
    ReadError::new(path, ProblemKind::Unreadable, format!("corrupt or not a GeoPackage: {e}"))
}

/// The feature and attribute layers of a GeoPackage, in table order.
pub fn layers(path: &Path) -> Result<Vec<String>, ReadError> {
    let conn = open(path)?;
    layer_names(path, &conn)
}

fn layer_names(path: &Path, conn: &Connection) -> Result<Vec<String>, ReadError> {
    let mut stmt = conn
        .prepare(
            "SELECT table_name FROM gpkg_contents WHERE data_type IN ('features', 'attributes') ORDER BY table_name",
        )
        .map_err(|e| corrupt(path, e))?;
    let names = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(|e| corrupt(path, e))?;
    names.collect::<Result<Vec<_>, _>>().map_err(|e| corrupt(path, e))
}

/// Reads one layer (the only one when `layer` is `None`) into a [`Table`].
pub fn read(path: &Path, layer: Option<&str>) -> Result<(Table, Vec<Problem>), ReadError> {
    let conn = open(path)?;
    let names = layer_names(path, &conn)?;
    let layer = match layer {
        Some(l) if names.iter().any(|n| n == l) => l.to_owned(),
        Some(l) => {
            return Err(ReadError::new(
                path,
                ProblemKind::MissingColumn,
                format!("no layer '{l}'; the GeoPackage has: {}", names.join(", ")),
            ));
        }
        None if names.len() == 1 => names[0].clone(),
        None if names.is_empty() => {
            return Err(ReadError::new(path, ProblemKind::Empty, "the GeoPackage has no feature or attribute layers"));
        }
        None => {
            return Err(ReadError::new(
                path,
                ProblemKind::Profile,
                format!(
                    "the GeoPackage has several layers ({}); name one with `layer = ...` in the profile",
                    names.join(", ")
                ),
            ));
        }
    };
    let geom: Option<(String, i64)> = conn
        .query_row("SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?1", [&layer], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .ok();
    let crs = match &geom {
        Some((_, srs_id)) => srs_to_epsg(path, &conn, *srs_id)?,
        None => None,
    };
    let mut info = conn.prepare(&format!("PRAGMA table_info({})", quote(&layer))).map_err(|e| corrupt(path, e))?;
    let cols: Vec<(String, String, bool)> = info
        .query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(5)? > 0)))
        .map_err(|e| corrupt(path, e))?
        .collect::<Result<_, _>>()
        .map_err(|e| corrupt(path, e))?;
    let fid = cols.iter().find(|c| c.2).map(|c| c.0.clone());
    let geom_name = geom.as_ref().map(|g| g.0.clone());
    let attrs: Vec<&(String, String, bool)> =
        cols.iter().filter(|c| Some(&c.0) != geom_name.as_ref() && Some(&c.0) != fid.as_ref()).collect();
    let mut select = vec![fid.as_deref().map_or("rowid".to_owned(), quote)];
    select.push(geom_name.as_deref().map_or("NULL".to_owned(), quote));
    select.extend(attrs.iter().map(|c| quote(&c.0)));
    let sql = format!("SELECT {} FROM {} ORDER BY 1", select.join(", "), quote(&layer));
    let mut stmt = conn.prepare(&sql).map_err(|e| corrupt(path, e))?;
    let mut columns: Vec<Column> = attrs
        .iter()
        .map(|c| {
            let t = c.1.to_ascii_uppercase();
            if t.contains("INT") || t == "BOOLEAN" {
                Column::Int(Vec::new())
            } else if t.contains("REAL") || t.contains("FLOAT") || t.contains("DOUBLE") {
                Column::Float(Vec::new())
            } else {
                Column::Text(TextColumn::default())
            }
        })
        .collect();
    let mut fids = Vec::new();
    let mut geometries = Vec::new();
    let mut problems = Vec::new();
    let mut rows = stmt.query([]).map_err(|e| corrupt(path, e))?;
    while let Some(row) = rows.next().map_err(|e| corrupt(path, e))? {
        let fid: i64 = row.get(0).map_err(|e| corrupt(path, e))?;
        let location = Location::Feature(fid);
        let g = match row.get_ref(1).map_err(|e| corrupt(path, e))? {
            ValueRef::Blob(b) => match wkb::split_gpkg_blob(b)
                .and_then(|(_, empty, w)| if empty { Ok(None) } else { wkb::decode(w).map(Some) })
            {
                Ok(g) => g,
                Err(e) => {
                    problems.push(
                        Problem::error(
                            ProblemKind::InvalidGeometry,
                            Some(path.to_owned()),
                            location.clone(),
                            format!("a readable geometry: {}", e.0),
                        )
                        .field(geom_name.clone().unwrap_or_default()),
                    );
                    None
                }
            },
            _ => None,
        };
        for (i, column) in columns.iter_mut().enumerate() {
            let v = row.get_ref(i + 2).map_err(|e| corrupt(path, e))?;
            push_value(column, v);
        }
        fids.push(fid);
        geometries.push(g);
    }
    let len = fids.len();
    let table = Table {
        path: path.to_owned(),
        names: attrs.iter().map(|c| c.0.clone()).collect(),
        columns,
        len,
        geometry: geom.is_some().then_some(geometries),
        crs,
        records: RecordNumbers::Features(fids),
        decimal_comma: false,
    };
    if len == 0 {
        return Err(ReadError::new(path, ProblemKind::Empty, format!("layer '{layer}' has no features")));
    }
    Ok((table, problems))
}

fn push_value(column: &mut Column, v: ValueRef<'_>) {
    match column {
        Column::Int(c) => c.push(match v {
            ValueRef::Integer(i) => Some(i),
            ValueRef::Real(f) if f.fract() == 0.0 => Some(f as i64),
            _ => None,
        }),
        Column::Float(c) => c.push(match v {
            ValueRef::Integer(i) => Some(i as f64),
            ValueRef::Real(f) => Some(f),
            ValueRef::Text(t) => std::str::from_utf8(t).ok().and_then(|s| s.trim().parse().ok()),
            _ => None,
        }),
        Column::Text(c) => match v {
            ValueRef::Text(t) => c.push(&String::from_utf8_lossy(t)),
            ValueRef::Integer(i) => c.push(&i.to_string()),
            ValueRef::Real(f) => c.push(&f.to_string()),
            _ => c.push(""),
        },
    }
}

fn srs_to_epsg(path: &Path, conn: &Connection, srs_id: i64) -> Result<Option<u32>, ReadError> {
    if srs_id <= 0 {
        return Ok(None);
    }
    let row: Option<(String, i64)> = conn
        .query_row(
            "SELECT organization, organization_coordsys_id FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
            [srs_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .ok();
    match row {
        Some((org, code)) if org.eq_ignore_ascii_case("EPSG") => Ok(u32::try_from(code).ok()),
        Some((org, code)) => Err(ReadError::new(
            path,
            ProblemKind::WrongCrs,
            format!("layer srs_id {srs_id} is {org}:{code}; expected an EPSG coordinate system"),
        )),
        None => Err(ReadError::new(
            path,
            ProblemKind::WrongCrs,
            format!("layer srs_id {srs_id} is not defined in gpkg_spatial_ref_sys"),
        )),
    }
}

const ETRS89_GEOGCS: &str = r#"GEOGCS["ETRS89",DATUM["European_Terrestrial_Reference_System_1989",SPHEROID["GRS 1980",6378137,298.257222101,AUTHORITY["EPSG","7019"]],TOWGS84[0,0,0,0,0,0,0],AUTHORITY["EPSG","6258"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4258"]]"#;

/// The srs name and OGC WKT definition for a supported EPSG code.
fn srs_definition(epsg: u32) -> Option<(String, String)> {
    let crs = Crs::from_epsg(epsg)?;
    Some(match crs {
        Crs::Geographic { epsg: 4326 } => ("WGS 84".into(), r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]"#.into()),
        Crs::Geographic { .. } => ("ETRS89".into(), ETRS89_GEOGCS.into()),
        Crs::TransverseMercator { epsg, lon0, k0, x0 } => {
            let (name, axes) = if epsg == 3067 {
                ("ETRS89 / TM35FIN(E,N)".to_owned(), r#"AXIS["Easting",EAST],AXIS["Northing",NORTH]"#)
            } else {
                (format!("ETRS89 / GK{lon0}FIN"), r#"AXIS["Northing",NORTH],AXIS["Easting",EAST]"#)
            };
            let wkt = format!(
                r#"PROJCS["{name}",{ETRS89_GEOGCS},PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",{lon0}],PARAMETER["scale_factor",{k0}],PARAMETER["false_easting",{x0}],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],{axes},AUTHORITY["EPSG","{epsg}"]]"#
            );
            (name, wkt)
        }
    })
}

/// UTC time for `last_change`: `SOURCE_DATE_EPOCH` when set (reproducible output), else now.
fn timestamp() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.parse::<i64>().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
    });
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000Z", rem / 3600, rem / 60 % 60, rem % 60)
}

/// Writes `layers` into a new GeoPackage at `path`, atomically.
pub fn write(path: &Path, layers: &[OutTable]) -> Result<(), WriteError> {
    write_at(path, layers, &timestamp())
}

/// As [`write`], with a fixed `last_change` time (RFC 3339, UTC) for reproducible files.
pub fn write_at(path: &Path, layers: &[OutTable], last_change: &str) -> Result<(), WriteError> {
    atomic::write_with(path, |tmp| {
        let conn = Connection::open(tmp).map_err(|e| WriteError::new(path, e))?;
        write_into(&conn, layers, last_change).map_err(|e| WriteError::new(path, e))?;
        conn.close().map_err(|(_, e)| WriteError::new(path, e))
    })
}

fn write_into(conn: &Connection, layers: &[OutTable], now: &str) -> rusqlite::Result<()> {
    conn.execute_batch(
        "PRAGMA application_id = 1196444487; PRAGMA user_version = 10300; PRAGMA journal_mode = OFF;
         BEGIN;
         CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
           organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
         CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
           description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
           min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
           CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
         CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
           srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
           CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
           CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
           CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
         INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system');
         INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system');",
    )?;
    let mut srs_done = vec![];
    for epsg in std::iter::once(4326).chain(layers.iter().filter_map(|l| l.geometry.as_ref().map(|g| g.epsg))) {
        if srs_done.contains(&epsg) {
            continue;
        }
        srs_done.push(epsg);
        let (name, wkt) = srs_definition(epsg)
            .ok_or_else(|| rusqlite::Error::InvalidParameterName(format!("unsupported EPSG:{epsg}")))?;
        conn.execute(
            "INSERT INTO gpkg_spatial_ref_sys VALUES (?1, ?2, 'EPSG', ?2, ?3, NULL)",
            params![name, epsg, wkt],
        )?;
    }
    for layer in layers {
        let mut defs = vec!["fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL".to_owned()];
        if let Some(g) = &layer.geometry {
            defs.push(format!("geom {}", g.kind.name()));
        }
        for (name, column) in &layer.columns {
            let t = match column {
                OutColumn::Text(_) => "TEXT",
                OutColumn::Int(_) => "INTEGER",
                OutColumn::Float(_) => "REAL",
            };
            defs.push(format!("{} {t}", quote(name)));
        }
        conn.execute(&format!("CREATE TABLE {} ({})", quote(&layer.name), defs.join(", ")), [])?;
        let mut placeholders: Vec<String> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        if layer.geometry.is_some() {
            names.push("geom".into());
        }
        names.extend(layer.columns.iter().map(|(n, _)| quote(n)));
        for i in 0..names.len() {
            placeholders.push(format!("?{}", i + 1));
        }
        let sql =
            format!("INSERT INTO {} ({}) VALUES ({})", quote(&layer.name), names.join(", "), placeholders.join(", "));
        let mut stmt = conn.prepare(&sql)?;
        let mut bbox: Option<geo::Rect<f64>> = None;
        for row in 0..layer.len() {
            let mut values: Vec<rusqlite::types::Value> = Vec::with_capacity(names.len());
            if let Some(g) = &layer.geometry {
                match &g.values[row] {
                    Some(geom) => {
                        if let Some(r) = geom.bounding_rect() {
                            bbox = Some(match bbox {
                                None => r,
                                Some(b) => geo::Rect::new(
                                    (b.min().x.min(r.min().x), b.min().y.min(r.min().y)),
                                    (b.max().x.max(r.max().x), b.max().y.max(r.max().y)),
                                ),
                            });
                        }
                        values.push(rusqlite::types::Value::Blob(wkb::gpkg_blob(geom, g.epsg as i32)));
                    }
                    None => values.push(rusqlite::types::Value::Null),
                }
            }
            for (_, column) in &layer.columns {
                use rusqlite::types::Value;
                values.push(match column {
                    OutColumn::Text(v) => v[row].clone().map_or(Value::Null, Value::Text),
                    OutColumn::Int(v) => v[row].map_or(Value::Null, Value::Integer),
                    OutColumn::Float(v) => v[row].filter(|f| f.is_finite()).map_or(Value::Null, Value::Real),
                });
            }
            stmt.execute(rusqlite::params_from_iter(values))?;
        }
        match &layer.geometry {
            Some(g) => {
                let (minx, miny, maxx, maxy) = bbox.map_or((None, None, None, None), |b| {
                    (Some(b.min().x), Some(b.min().y), Some(b.max().x), Some(b.max().y))
                });
                conn.execute(
                    "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, min_x, min_y, max_x, max_y, srs_id) VALUES (?1, 'features', ?1, ?8, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![layer.name, now, minx, miny, maxx, maxy, g.epsg, layer.provenance.clone().unwrap_or_default()],
                )?;
                conn.execute(
                    "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', ?2, ?3, 0, 0)",
                    params![layer.name, g.kind.name(), g.epsg],
                )?;
            }
            None => {
                conn.execute(
                    "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change) VALUES (?1, 'attributes', ?1, ?3, ?2)",
                    params![layer.name, now, layer.provenance.clone().unwrap_or_default()],
                )?;
            }
        }
    }
    conn.execute_batch("COMMIT;")
}
