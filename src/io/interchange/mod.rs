//! The interchange network format shared with the Python peers: `nodes.csv` (`id,x,y`,
//! metres in EPSG:3067, or in a CRS the user declares) and `edges.csv`
//! (`from,to,length_m,time_s`, one row per directed edge). Any tool's network can be
//! brought in this way and compared.
//!
//! Node coordinates must fall in Finland once in EPSG:3067: degrees read as metres, swapped
//! axes or GK coordinates under another zone would snap every point wrongly, so they are
//! errors naming the node's line, its coordinates as written and the likely fix.

use super::crs::{Crs, Transform};
use super::csv;
use super::load::cells;
use super::table::{Cell, Table};
use crate::model::network::{Mode, RawEdge, RawNetwork, RoadClass};
use crate::model::profile::CsvDialect;
use crate::model::{Problem, ProblemKind, Problems};
use std::collections::HashMap;
use std::path::Path;

mod fast;

fn column(t: &Table, name: &str, problems: &mut Problems) -> Option<usize> {
    let c = t.column_index(name);
    if c.is_none() {
        problems.push(Problem::error(
            ProblemKind::MissingColumn,
            Some(t.path.clone()),
            crate::model::Location::File,
            format!("a column '{name}'; the file has: {}", t.names.join(", ")),
        ));
    }
    c
}

fn integer(t: &Table, col: usize, row: usize, problems: &mut Problems) -> Option<i64> {
    let v = match t.columns[col].cell(row) {
        Cell::Int(i) => Some(i),
        Cell::Text(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    if v.is_none() {
        problems.push(
            Problem::error(ProblemKind::Parse, Some(t.path.clone()), t.location(row), "an integer id")
                .field(t.names[col].clone())
                .value(t.columns[col].cell(row).display()),
        );
    }
    v
}

fn number(t: &Table, col: usize, row: usize, problems: &mut Problems, non_negative: bool) -> Option<f64> {
    let raw = t.columns[col].cell(row);
    let v = match raw {
        Cell::Int(i) => Some(i as f64),
        Cell::Float(f) => Some(f),
        Cell::Text(s) => s.trim().parse::<f64>().ok(),
        Cell::Null => None,
    };
    let kind = match v {
        None => Some((ProblemKind::Parse, "a number")),
        Some(f) if !f.is_finite() => Some((ProblemKind::NotFinite, "a finite number (not NaN or infinity)")),
        Some(f) if non_negative && f < 0.0 => Some((ProblemKind::OutOfRange, "a cost ≥ 0")),
        _ => None,
    };
    if let Some((k, expected)) = kind {
        problems.push(
            Problem::error(k, Some(t.path.clone()), t.location(row), expected)
                .field(t.names[col].clone())
                .value(raw.display()),
        );
        return None;
    }
    v
}

/// Reads an interchange network whose node coordinates are in EPSG:`crs`; `None` (with
/// problems) when anything is wrong. Coordinates are converted into EPSG:3067.
///
/// Well-formed files take a fast path (plain comma-separated numbers, parsed in parallel);
/// anything unusual in them (quotes, a bad number, a missing node, a duplicate id, a node
/// outside Finland) sends both files through the general CSV reader, which names every
/// problem's row and field.
pub fn read(
    nodes_path: &Path,
    edges_path: &Path,
    crs: u32,
    access_speed_mps: f64,
    problems: &mut Problems,
) -> Option<RawNetwork> {
    let from = match cells::crs(crs) {
        Ok(c) => c,
        Err(msg) => {
            problems.push(
                Problem::error(ProblemKind::WrongCrs, Some(nodes_path.to_owned()), crate::model::Location::File, msg)
                    .field("crs")
                    .value(crs.to_string()),
            );
            return None;
        }
    };
    if let (Ok(nodes), Ok(edges)) = (std::fs::read(nodes_path), std::fs::read(edges_path))
        && let Some(mut raw) = fast::read(&nodes, &edges, access_speed_mps)
    {
        let t = Transform::to_internal(from);
        let mut inside = true;
        for (x, y) in raw.x.iter_mut().zip(raw.y.iter_mut()) {
            (*x, *y) = t.apply(*x, *y);
            inside &= crate::model::validate::in_finland(*x, *y);
        }
        if inside {
            return Some(raw);
        }
    }
    read_general(nodes_path, edges_path, from, access_speed_mps, problems)
}

/// Reads an interchange network through the general CSV reader.
fn read_general(
    nodes_path: &Path,
    edges_path: &Path,
    from: Crs,
    access_speed_mps: f64,
    problems: &mut Problems,
) -> Option<RawNetwork> {
    let d = CsvDialect::default();
    let read = |p: &Path, problems: &mut Problems| match csv::read(p, &d) {
        Ok((t, ps)) => {
            for x in ps {
                problems.push(x);
            }
            Some(t)
        }
        Err(e) => {
            problems.push(e.into_problem());
            None
        }
    };
    let nodes = read(nodes_path, problems);
    let edges = read(edges_path, problems);
    let (nodes, edges) = (nodes?, edges?);
    let (Some(id), Some(xc), Some(yc)) =
        (column(&nodes, "id", problems), column(&nodes, "x", problems), column(&nodes, "y", problems))
    else {
        return None;
    };
    let (Some(fc), Some(tc), Some(lc), Some(sc)) = (
        column(&edges, "from", problems),
        column(&edges, "to", problems),
        column(&edges, "length_m", problems),
        column(&edges, "time_s", problems),
    ) else {
        return None;
    };
    let mut raw = RawNetwork { mode: Some(Mode::Custom), access_speed_mps, ..RawNetwork::default() };
    let mut index: HashMap<i64, u32> = HashMap::with_capacity(nodes.len);
    let mut first_row: HashMap<i64, usize> = HashMap::with_capacity(nodes.len);
    for row in 0..nodes.len {
        let (Some(i), Some(x), Some(y)) = (
            integer(&nodes, id, row, problems),
            number(&nodes, xc, row, problems, false),
            number(&nodes, yc, row, problems, false),
        ) else {
            continue;
        };
        let written = format!("{}, {}", nodes.columns[xc].cell(row).display(), nodes.columns[yc].cell(row).display());
        let (x, y) = match cells::to_internal(from, x, y, &written) {
            Ok(p) => p,
            Err((kind, msg)) => {
                problems.push(
                    Problem::error(
                        kind,
                        Some(nodes.path.clone()),
                        nodes.location(row),
                        format!(
                            "{msg} (node coordinates are read as EPSG:{}; declare their CRS with `pave network build --crs EPSG` or `crs = EPSG` in a scenario's [network])",
                            from.epsg()
                        ),
                    )
                    .field("x, y")
                    .value(written),
                );
                continue;
            }
        };
        if let Some(&first) = first_row.get(&i) {
            problems.push(
                Problem::error(
                    ProblemKind::DuplicateId,
                    Some(nodes.path.clone()),
                    nodes.location(row),
                    format!("unique node ids; first seen at {}", nodes.location(first)),
                )
                .field("id")
                .value(i.to_string()),
            );
            continue;
        }
        index.insert(i, raw.x.len() as u32);
        first_row.insert(i, row);
        raw.x.push(x);
        raw.y.push(y);
        raw.node_id.push(i);
    }
    raw.edges.reserve(edges.len);
    for row in 0..edges.len {
        let ends = (integer(&edges, fc, row, problems), integer(&edges, tc, row, problems));
        let length = number(&edges, lc, row, problems, true);
        let time = number(&edges, sc, row, problems, true);
        let (Some(f), Some(t), Some(length_m), Some(time_s)) = (ends.0, ends.1, length, time) else { continue };
        let mut node = |v: i64, field: &str| {
            let n = index.get(&v).copied();
            if n.is_none() {
                problems.push(
                    Problem::error(
                        ProblemKind::MissingReference,
                        Some(edges.path.clone()),
                        edges.location(row),
                        format!("a node id listed in {}", nodes.path.display()),
                    )
                    .field(field.to_owned())
                    .value(v.to_string()),
                );
            }
            n
        };
        let (Some(from), Some(to)) = (node(f, "from"), node(t, "to")) else { continue };
        if time_s * 1000.0 > f64::from(u32::MAX / 2) {
            problems.push(
                Problem::error(
                    ProblemKind::OutOfRange,
                    Some(edges.path.clone()),
                    edges.location(row),
                    "an edge time under 12 days",
                )
                .field("time_s")
                .value(time_s.to_string()),
            );
            continue;
        }
        raw.edges.push(RawEdge {
            from,
            to,
            length_m,
            time_ms: (time_s * 1000.0).round() as u32,
            class: RoadClass::Other,
            shape: None,
            shape_reversed: false,
        });
    }
    (!problems.has_errors()).then_some(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(nodes: &str, edges: &str) -> (Option<RawNetwork>, Option<RawNetwork>) {
        let dir = tempfile::tempdir().unwrap();
        let (n, e) = (dir.path().join("nodes.csv"), dir.path().join("edges.csv"));
        std::fs::write(&n, nodes).unwrap();
        std::fs::write(&e, edges).unwrap();
        let fast = fast::read(nodes.as_bytes(), edges.as_bytes(), 1.3);
        let general = read_general(&n, &e, Crs::from_epsg(3067).unwrap(), 1.3, &mut Problems::with_limit(10));
        (fast, general)
    }

    #[test]
    fn fast_path_gives_what_the_general_reader_gives() {
        let cases = [
            (
                "id,x,y\n0,385000.5,6672000\n1,385010,6672000.25\n",
                "from,to,length_m,time_s\n0,1,10.2,8.5\n1,0,10.2,8.5\n",
            ),
            // Columns in another order, an extra column, CRLF, a BOM, a blank line, no
            // final newline, sparse negative ids, spaces around numbers.
            (
                "\u{feff}y,name,id,x\r\n6672000,a,-7,385000\r\n\r\n6672001,b,90000000000,385001\r\n",
                "time_s,from,to,length_m,kind\n 3.0004 ,-7,90000000000,4,x\n2.5,90000000000,-7,4.5,y",
            ),
        ];
        for (nodes, edges) in cases {
            let (fast, general) = both(nodes, edges);
            assert!(fast.is_some(), "fast path gave up on {nodes:?} / {edges:?}");
            assert_eq!(fast, general);
        }
    }
}
