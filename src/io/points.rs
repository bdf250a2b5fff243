//! Point files for routing: CSV `id,x,y[,weight]` in EPSG:3067 (origins, destinations,
//! facilities), checked like every other input.

use super::csv;
use super::load::cells::parse_number;
use super::table::Cell;
use crate::model::profile::CsvDialect;
use crate::model::validate::in_finland;
use crate::model::{Problem, ProblemKind, Problems};
use std::collections::HashSet;
use std::path::Path;

/// A point to route from or to.
#[derive(Clone, Debug, PartialEq)]
pub struct RoutePoint {
    /// Id as in the file.
    pub id: String,
    /// Easting, EPSG:3067.
    pub x: f64,
    /// Northing, EPSG:3067.
    pub y: f64,
    /// Weight (population, capacity), 1 when the file has none.
    pub weight: f64,
}

/// Reads points; every bad row is a problem and the result is `None` if any was found.
pub fn read(path: &Path, problems: &mut Problems) -> Option<Vec<RoutePoint>> {
    let (t, record_problems) = match csv::read(path, &CsvDialect::default()) {
        Ok(r) => r,
        Err(e) => {
            problems.push(e.into_problem());
            return None;
        }
    };
    for p in record_problems {
        problems.push(p);
    }
    let col = |name: &str, problems: &mut Problems| {
        let c = t.column_index(name);
        if c.is_none() {
            problems.push(Problem::error(
                ProblemKind::MissingColumn,
                Some(path.to_owned()),
                crate::model::Location::File,
                format!(
                    "a column '{name}'; the file has: {} (expected id,x,y[,weight] in EPSG:3067)",
                    t.names.join(", ")
                ),
            ));
        }
        c
    };
    let (Some(id), Some(xc), Some(yc)) = (col("id", problems), col("x", problems), col("y", problems)) else {
        return None;
    };
    let wc = t.column_index("weight").or_else(|| t.column_index("capacity"));
    let mut out = Vec::with_capacity(t.len);
    let mut seen = HashSet::new();
    for row in 0..t.len {
        let bad = |kind, field: &str, value: String, expected: &str| {
            Problem::error(kind, Some(path.to_owned()), t.location(row), expected).field(field).value(value)
        };
        let text = |c: usize| match t.columns[c].cell(row) {
            Cell::Text(s) => Some(s.to_owned()),
            _ => None,
        };
        let Some(pid) = text(id) else {
            problems.push(bad(ProblemKind::MissingValue, "id", String::new(), "an id"));
            continue;
        };
        if !seen.insert(pid.clone()) {
            problems.push(bad(ProblemKind::DuplicateId, "id", pid, "unique ids"));
            continue;
        }
        let mut num = |c: usize, name: &str| -> Option<f64> {
            let s = text(c).unwrap_or_default();
            match parse_number(&s, false) {
                Ok(v) if v.is_finite() => Some(v),
                Ok(v) => {
                    problems.push(bad(ProblemKind::NotFinite, name, v.to_string(), "a finite number"));
                    None
                }
                Err(e) => {
                    problems.push(bad(ProblemKind::Parse, name, s, &e));
                    None
                }
            }
        };
        let x = num(xc, "x");
        let y = num(yc, "y");
        let weight = match wc {
            Some(c) if text(c).is_some() => num(c, "weight"),
            _ => Some(1.0),
        };
        let (Some(x), Some(y), Some(weight)) = (x, y, weight) else { continue };
        if !in_finland(x, y) {
            problems.push(bad(
                ProblemKind::OutsideFinland,
                "x,y",
                format!("{x}, {y}"),
                "EPSG:3067 coordinates inside Finland",
            ));
            continue;
        }
        out.push(RoutePoint { id: pid, x, y, weight });
    }
    (!problems.has_errors()).then_some(out)
}
