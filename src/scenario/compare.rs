//! `pave compare`: several scenario results side by side — KPIs with deltas against the
//! first, districts that gain or lose, and a per-cell change map — as CSV and HTML.
//! Results of different cities compare on their KPIs (one model, three cities); districts
//! and cells compare between results of the same city.

use super::kpis::Kpis;
use super::report::pct;
use super::svg::{Frame, diverging, esc, map, page};
use crate::io::error::{ReadError, WriteError};
use crate::io::table::{Cell, Table};
use crate::io::{OutColumn, OutTable};
use crate::model::ProblemKind;
use crate::model::profile::CsvDialect;
use geo::{Geometry, MultiPolygon};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One result folder read back.
pub struct Folder {
    /// Folder.
    pub dir: PathBuf,
    /// `kpis.json`.
    pub kpis: Kpis,
    /// Cells: id → (allocated travel minutes, geometry).
    pub cells: BTreeMap<String, (Option<f64>, Option<MultiPolygon<f64>>)>,
    /// Districts: code → (name, children, within share, mean minutes).
    pub districts: BTreeMap<String, (String, f64, Option<f64>, Option<f64>)>,
}

fn number(t: &Table, col: Option<usize>, row: usize) -> Option<f64> {
    match t.columns.get(col?)?.cell(row) {
        Cell::Float(f) => Some(f),
        Cell::Int(i) => Some(i as f64),
        Cell::Text(s) => s.replace(',', ".").parse().ok(),
        Cell::Null => None,
    }
}

fn text(t: &Table, col: Option<usize>, row: usize) -> String {
    col.and_then(|c| t.columns.get(c)).map_or_else(String::new, |c| c.cell(row).display())
}

/// Reads a folder written by `pave run`.
pub fn read(dir: &Path) -> Result<Folder, ReadError> {
    let kpi_path = dir.join("kpis.json");
    let bytes = std::fs::read(&kpi_path).map_err(|e| {
        ReadError::new(&kpi_path, ProblemKind::Unreadable, format!("not a `pave run` result folder: {e}"))
    })?;
    let kpis: Kpis = serde_json::from_slice(&bytes).map_err(|e| {
        ReadError::new(
            &kpi_path,
            ProblemKind::Parse,
            format!("not a KPI document of this pave version ({e}); run the scenario again with `pave run`"),
        )
        .at(crate::model::Location::LineColumn(e.line() as u64, e.column() as u64))
    })?;
    let (cells_t, _) = crate::io::gpkg::read(&dir.join("cells.gpkg"), Some("cells"))?;
    let (id, min) = (cells_t.column_index("cell_id"), cells_t.column_index("allocated_min"));
    let mut cells = BTreeMap::new();
    for r in 0..cells_t.len {
        let geom = cells_t.geometry.as_ref().and_then(|g| g[r].clone()).and_then(|g| match g {
            Geometry::MultiPolygon(m) => Some(m),
            Geometry::Polygon(p) => Some(MultiPolygon(vec![p])),
            _ => None,
        });
        cells.insert(text(&cells_t, id, r), (number(&cells_t, min, r), geom));
    }
    let (d, _) = crate::io::parquet::read(&dir.join("districts.parquet"))?;
    let c = |n: &str| d.column_index(n);
    let districts = (0..d.len)
        .map(|r| {
            (
                text(&d, c("code"), r),
                (
                    text(&d, c("name"), r),
                    number(&d, c("children"), r).unwrap_or(0.0),
                    number(&d, c("within_pct"), r).map(|p| p / 100.0),
                    number(&d, c("mean_min"), r),
                ),
            )
        })
        .collect();
    Ok(Folder { dir: dir.to_owned(), kpis, cells, districts })
}

/// How a comparison row is shown: decimals and unit (shares as percentages).
#[derive(Clone, Copy, PartialEq)]
enum Shown {
    /// A count or amount with decimals and a unit.
    Number(usize, &'static str),
    /// A share, shown as a percentage with one decimal; differences in percentage points.
    Share,
}

/// One row of the KPI comparison: label, how it is shown, and its value in a result.
struct Row {
    label: &'static str,
    shown: Shown,
    value: fn(&Kpis) -> Option<f64>,
}

/// Rows of the KPI comparison (headline figures by the scenario's headline rule).
const ROWS: &[Row] = &[
    Row { label: "children", shown: Shown::Number(0, ""), value: |k| Some(k.children) },
    Row { label: "places", shown: Shown::Number(0, ""), value: |k| Some(k.places) },
    Row { label: "units operating", shown: Shown::Number(0, ""), value: |k| Some(k.units_operating as f64) },
    Row { label: "units opened", shown: Shown::Number(0, ""), value: |k| Some(k.units_opened as f64) },
    Row { label: "units closed", shown: Shown::Number(0, ""), value: |k| Some(k.units_closed as f64) },
    Row { label: "served", shown: Shown::Number(0, ""), value: |k| Some(k.headline().served) },
    Row { label: "unserved", shown: Shown::Number(0, ""), value: |k| Some(k.headline().unserved) },
    Row { label: "share in nearest unit", shown: Shown::Share, value: |k| k.headline().nearest_share },
    Row { label: "share within threshold", shown: Shown::Share, value: |k| k.headline().within_share },
    Row {
        label: "share within distance threshold",
        shown: Shown::Share,
        value: |k| k.headline().within_distance_share,
    },
    Row { label: "mean travel", shown: Shown::Number(1, "min"), value: |k| k.headline().mean_min },
    Row { label: "mean network distance", shown: Shown::Number(0, "m"), value: |k| k.headline().mean_distance_m },
    Row { label: "median travel", shown: Shown::Number(1, "min"), value: |k| k.headline().median_min },
    Row { label: "p90 travel", shown: Shown::Number(1, "min"), value: |k| k.headline().p90_min },
    Row { label: "system optimum: served", shown: Shown::Number(0, ""), value: |k| Some(k.system_optimum.served) },
    Row { label: "system optimum: mean travel", shown: Shown::Number(1, "min"), value: |k| k.system_optimum.mean_min },
    Row {
        label: "child-minutes the optimum saves the rule's children",
        shown: Shown::Number(0, ""),
        value: |k| Some(k.rule_vs_optimum.child_minutes_saved_by_optimum),
    },
    Row { label: "2SFCA Gini", shown: Shown::Number(3, ""), value: |k| k.equity.sfca_gini },
    Row { label: "share in under-supplied areas", shown: Shown::Share, value: |k| k.equity.undersupplied_share },
    Row { label: "repair debt kept", shown: Shown::Number(0, "€"), value: |k| Some(k.premises.repair_debt_kept_eur) },
    Row {
        label: "repair debt changed",
        shown: Shown::Number(0, "€"),
        value: |k| Some(k.premises.repair_debt_changed_eur),
    },
    Row {
        label: "repair debt closed",
        shown: Shown::Number(0, "€"),
        value: |k| Some(k.premises.repair_debt_closed_eur),
    },
    Row { label: "premises cost per place", shown: Shown::Number(0, "€"), value: |k| k.premises.cost_per_place_eur },
];

fn name(r: &Folder) -> String {
    r.kpis.scenario.clone()
}

fn city(r: &Folder) -> String {
    r.kpis.city.clone()
}

/// A value for the Finnish Excel CSV: rounded as the row is shown (shares as percentages),
/// with a decimal comma.
fn csv_value(shown: Shown, v: f64) -> String {
    let dialect = CsvDialect::finnish_excel();
    match shown {
        Shown::Share => crate::io::csv::format_float(v * 100.0, Some(1), &dialect),
        Shown::Number(d, _) => crate::io::csv::format_float(v, Some(d as u8), &dialect),
    }
}

/// A value for people: thousands separators, units, percentages.
fn shown_value(shown: Shown, v: Option<f64>) -> String {
    match (shown, v) {
        (_, None) => "–".to_owned(),
        (Shown::Share, v) => pct(v),
        (Shown::Number(d, unit), Some(x)) => {
            let n = super::human::number(x, d);
            if unit.is_empty() { n } else { format!("{n} {unit}") }
        }
    }
}

/// A difference for people: signed, with units; percentage points for shares.
fn shown_delta(shown: Shown, d: f64) -> String {
    match shown {
        Shown::Share => super::human::delta_points(d),
        Shown::Number(dec, unit) => super::human::delta(d, dec, unit),
    }
}

fn row_label(row: &Row) -> String {
    match row.shown {
        Shown::Share => format!("{}, %", row.label),
        Shown::Number(_, unit) if !unit.is_empty() => format!("{}, {unit}", row.label),
        _ => row.label.to_owned(),
    }
}

/// The baseline of each result: the first result of the same city.
fn baselines(results: &[Folder]) -> Vec<usize> {
    results.iter().map(|r| results.iter().position(|b| city(b) == city(r)).unwrap_or(0)).collect()
}

/// The comparison tables: KPIs (with deltas against each city's first scenario), districts
/// and cells (rows of every city, columns per scenario).
pub fn tables(results: &[Folder]) -> Vec<OutTable> {
    let base = baselines(results);
    let labels =
        std::iter::once("city".to_owned()).chain(std::iter::once("year".to_owned())).chain(ROWS.iter().map(row_label));
    let mut k = OutTable::new("comparison").with("kpi", OutColumn::Text(labels.map(Some).collect()));
    for (i, r) in results.iter().enumerate() {
        let head = [Some(city(r)), Some(r.kpis.year.to_string())];
        let values = ROWS.iter().map(|row| (row.value)(&r.kpis).map(|v| csv_value(row.shown, v)));
        k = k.with(name(r), OutColumn::Text(head.into_iter().chain(values).collect()));
        if base[i] != i {
            let b = &results[base[i]];
            let delta = ROWS.iter().map(|row| match ((row.value)(&r.kpis), (row.value)(&b.kpis)) {
                (Some(x), Some(y)) => Some(csv_value(row.shown, x - y)),
                _ => None,
            });
            k = k.with(
                format!("{} - {}", name(r), name(b)),
                OutColumn::Text([None, None].into_iter().chain(delta).collect()),
            );
        }
    }
    let mut keys: Vec<(String, String, String, f64)> = Vec::new();
    let mut cell_keys: Vec<(String, String)> = Vec::new();
    for (i, r) in results.iter().enumerate() {
        if base[i] == i {
            keys.extend(r.districts.iter().map(|(c, d)| (city(r), c.clone(), d.0.clone(), d.1)));
            cell_keys.extend(r.cells.keys().map(|c| (city(r), c.clone())));
        }
    }
    let col = |f: &dyn Fn(&Folder, &str) -> Option<f64>, r: &Folder, keys: &[(String, String)]| {
        OutColumn::Float(keys.iter().map(|(c, id)| if *c == city(r) { f(r, id) } else { None }).collect())
    };
    let dk: Vec<(String, String)> = keys.iter().map(|k| (k.0.clone(), k.1.clone())).collect();
    let mut d = OutTable::new("comparison_districts")
        .with("city", OutColumn::Text(keys.iter().map(|k| Some(k.0.clone())).collect()))
        .with("code", OutColumn::Text(keys.iter().map(|k| Some(k.1.clone())).collect()))
        .with("name", OutColumn::Text(keys.iter().map(|k| Some(k.2.clone())).collect()))
        .with("children", OutColumn::Float(keys.iter().map(|k| Some(k.3)).collect()));
    for r in results {
        d = d
            .with(format!("within_share_{}", name(r)), col(&|r, c| r.districts.get(c).and_then(|x| x.2), r, &dk))
            .with(format!("mean_min_{}", name(r)), col(&|r, c| r.districts.get(c).and_then(|x| x.3), r, &dk));
    }
    for (i, r) in results.iter().enumerate() {
        if base[i] != i {
            let b = &results[base[i]];
            let change = |r: &Folder, c: &str| Some(r.districts.get(c)?.2? - b.districts.get(c)?.2?);
            d = d.with(format!("within_share_change_{}", name(r)), col(&change, r, &dk));
        }
    }
    let mut c = OutTable::new("comparison_cells")
        .with("city", OutColumn::Text(cell_keys.iter().map(|k| Some(k.0.clone())).collect()))
        .with("cell_id", OutColumn::Text(cell_keys.iter().map(|k| Some(k.1.clone())).collect()));
    for r in results {
        c = c
            .with(format!("allocated_min_{}", name(r)), col(&|r, id| r.cells.get(id).and_then(|x| x.0), r, &cell_keys));
    }
    for (i, r) in results.iter().enumerate() {
        if base[i] != i {
            let b = &results[base[i]];
            let change = |r: &Folder, id: &str| Some(r.cells.get(id)?.0? - b.cells.get(id)?.0?);
            c = c.with(format!("change_min_{}", name(r)), col(&change, r, &cell_keys));
        }
    }
    vec![k, d, c]
}

/// The comparison page.
pub fn html(results: &[Folder]) -> String {
    let base = baselines(results);
    let mut b = String::new();
    b.push_str("<p>Each scenario is compared with the first scenario of its city (Δ). Reports: ");
    for r in results {
        let folder = r.dir.file_name().map_or_else(String::new, |f| f.to_string_lossy().into_owned());
        let _ = write!(b, "<a href=\"{0}/report.html\">{0}</a> ", esc(&folder));
    }
    b.push_str("</p><h2>Indicators</h2><table><tr><th>indicator</th>");
    for (i, r) in results.iter().enumerate() {
        let _ = write!(b, "<th>{}</th>{}", esc(&name(r)), if base[i] != i { "<th>Δ</th>" } else { "" });
    }
    b.push_str("</tr>");
    for (k, label) in ["city", "year"].into_iter().enumerate() {
        let _ = write!(b, "<tr><td>{label}</td>");
        for (i, r) in results.iter().enumerate() {
            let value = if k == 0 { city(r) } else { r.kpis.year.to_string() };
            let _ = write!(b, "<td>{}</td>{}", esc(&value), if base[i] != i { "<td></td>" } else { "" });
        }
        b.push_str("</tr>");
    }
    for row in ROWS {
        let _ = write!(b, "<tr><td>{}</td>", row.label);
        for (i, r) in results.iter().enumerate() {
            let v = (row.value)(&r.kpis);
            let _ = write!(b, "<td>{}</td>", esc(&shown_value(row.shown, v)));
            if base[i] != i {
                let d = match (v, (row.value)(&results[base[i]].kpis)) {
                    (Some(x), Some(y)) => shown_delta(row.shown, x - y),
                    _ => String::new(),
                };
                let _ = write!(b, "<td>{}</td>", esc(&d));
            }
        }
        b.push_str("</tr>");
    }
    b.push_str("</table>");
    for (i, r) in results.iter().enumerate() {
        if base[i] == i {
            continue;
        }
        let bf = &results[base[i]];
        let mut changes: Vec<(f64, &String)> =
            bf.districts.iter().filter_map(|(code, d)| Some((r.districts.get(code)?.2? - d.2?, code))).collect();
        changes.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
        let list = |v: &[(f64, &String)]| {
            if v.is_empty() {
                return "none".to_owned();
            }
            v.iter()
                .map(|(d, c)| format!("{} {} ({:+.1} pp)", esc(c), esc(&bf.districts[*c].0), d * 100.0))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let lose: Vec<(f64, &String)> = changes.iter().filter(|c| c.0 < -1e-9).take(5).copied().collect();
        let gain: Vec<(f64, &String)> = changes.iter().rev().filter(|c| c.0 > 1e-9).take(5).copied().collect();
        let _ = write!(
            b,
            "<h2>{} vs {}</h2><p>Districts by change in the share within the threshold — gain: {}; lose: {}.</p>",
            esc(&name(r)),
            esc(&name(bf)),
            list(&gain),
            list(&lose)
        );
        let polys: Vec<&MultiPolygon<f64>> = bf.cells.values().filter_map(|c| c.1.as_ref()).collect();
        let frame = Frame::around(&polys, &[], 640.0);
        let mut changed = 0usize;
        let cells: Vec<(&MultiPolygon<f64>, Option<String>)> = bf
            .cells
            .iter()
            .filter_map(|(id, (before, g))| {
                let fill = match (before, r.cells.get(id).and_then(|x| x.0)) {
                    (Some(x), Some(y)) => {
                        if (y - x).abs() > 0.05 {
                            changed += 1;
                        }
                        Some(diverging(y - x, 10.0))
                    }
                    (Some(_), None) => Some("#000000".to_owned()),
                    (None, Some(_)) => Some("#1b7837".to_owned()),
                    (None, None) => None,
                };
                Some((g.as_ref()?, fill))
            })
            .collect();
        b.push_str(&map(
            &frame,
            &cells,
            "",
            &format!("Change in travel to the allocated unit, {} − {}", name(r), name(bf)),
            &format!("green faster, purple slower (full colour ±10 min); black: served before, not after; {changed} cells changed"),
        ));
    }
    page("Scenario comparison", &b)
}

/// Writes the comparison into `dir`: CSV (Finnish Excel dialect), Parquet and HTML.
pub fn write(dir: &Path, results: &[Folder]) -> Result<Vec<PathBuf>, WriteError> {
    std::fs::create_dir_all(dir).map_err(|e| WriteError::new(dir, e))?;
    let mut written = Vec::new();
    for t in tables(results) {
        let path = dir.join(format!("{}.csv", t.name));
        crate::io::csv::write(&path, &t, &CsvDialect::finnish_excel())?;
        written.push(path);
    }
    let path = dir.join("comparison.html");
    crate::io::atomic::write_bytes(&path, html(results).as_bytes())?;
    written.push(path);
    Ok(written)
}
