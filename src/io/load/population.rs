//! Population rows (long or wide layout) into the struct-of-arrays [`PopulationTable`].
//!
//! This is the hot reader: a million rows should convert in well under a second, so cells
//! are read without per-row allocation and areas are interned by `&str`.

use super::cells::{Cx, parse_age_band, parse_number};
use crate::io::table::Cell;
use crate::model::population::{AreaLevel, PopulationRow};
use crate::model::profile::{CodeMaps, PopulationSource};
use crate::model::{LanguageGroup, Origin, PopulationKind, PopulationTable, ProblemKind};
use std::fmt::Write;

/// How the age of a row is given.
enum Ages {
    Single(usize),
    Band(usize),
    MinMax(usize, usize),
}

/// Converts every row of a population table into `out`.
pub fn convert(
    cx: &mut Cx<'_>,
    src: &PopulationSource,
    codes: &CodeMaps,
    levels: &[String],
    source: u16,
    out: &mut PopulationTable,
) {
    let c = &src.columns;
    let level = if src.level == "demand_area" {
        AreaLevel::DemandArea
    } else if levels.contains(&src.level) {
        AreaLevel::District(src.level.clone())
    } else {
        cx.problems.push(
            cx.file_problem(
                ProblemKind::Profile,
                format!("population level 'demand_area' or a district level ({})", levels.join(", ")),
            )
            .field("level")
            .value(src.level.clone()),
        );
        return;
    };
    let Some(area_col) = cx.column(&c.area, "area id") else { return };
    let year_col = match (&c.year, src.year) {
        (_, Some(_)) => None,
        (Some(name), None) => match cx.column(name, "year") {
            Some(i) => Some(i),
            None => return,
        },
        (None, None) => {
            cx.problems.push(
                cx.file_problem(
                    ProblemKind::Profile,
                    "a year column (columns.year) or a constant `year = …` in the population source",
                )
                .field("year"),
            );
            return;
        }
    };
    let Ok(kind_col) = cx.optional_column(c.kind.as_ref(), "observed/forecast") else { return };
    if kind_col.is_none() && src.kind.is_none() {
        cx.problems.push(
            cx.file_problem(
                ProblemKind::Profile,
                "a kind column (columns.kind) or `kind = \"observed\"` / `\"forecast\"` in the population source",
            )
            .field("kind"),
        );
        return;
    }
    let Ok(lang_col) = cx.optional_column(c.language_group.as_ref(), "language group") else { return };
    // Layout: wide (one count column per band) or long (one count column).
    let mut wide: Vec<(usize, u8, u8)> = Vec::new();
    for (column, band) in &c.bands {
        let Some((lo, hi)) = parse_age_band(band) else {
            cx.problems.push(
                cx.file_problem(ProblemKind::Profile, "an age band like 0-9, 65+ or 7")
                    .field(format!("bands.{column}"))
                    .value(band.clone()),
            );
            return;
        };
        let Some(i) = cx.column(column, "count of an age band") else { return };
        wide.push((i, lo, hi));
    }
    let (ages, count_col) = if wide.is_empty() {
        let ages = if let Some(a) = &c.age {
            cx.column(a, "single-year age").map(Ages::Single)
        } else if let Some(b) = &c.age_band {
            cx.column(b, "age band").map(Ages::Band)
        } else if let (Some(lo), Some(hi)) = (&c.age_min, &c.age_max) {
            match (cx.column(lo, "youngest age of band"), cx.column(hi, "oldest age of band")) {
                (Some(a), Some(b)) => Some(Ages::MinMax(a, b)),
                _ => None,
            }
        } else {
            cx.problems.push(
                cx.file_problem(
                    ProblemKind::Profile,
                    "age columns: columns.age, columns.age_band, columns.age_min + age_max, or wide `bands`",
                )
                .field("columns"),
            );
            None
        };
        let Some(ages) = ages else { return };
        let Some(count) = cx.column(c.count.as_deref().unwrap_or("count"), "resident count") else { return };
        (Some(ages), Some(count))
    } else {
        (None, None)
    };

    let mut id_buf = String::new();
    for row in 0..cx.table.len {
        // Area id without allocating: borrow text, format integers into a reused buffer.
        id_buf.clear();
        match cx.cell(area_col, row) {
            Cell::Text(s) if cx.fold_case => id_buf.push_str(&s.trim().to_uppercase()),
            Cell::Text(s) if !s.trim().is_empty() => id_buf.push_str(s.trim()),
            Cell::Int(i) => {
                let _ = write!(id_buf, "{i}");
            }
            Cell::Float(f) if f.fract() == 0.0 => {
                let _ = write!(id_buf, "{f:.0}");
            }
            _ => {
                let name = cx.table.names[area_col].clone();
                cx.report(ProblemKind::MissingValue, row, &name, "", "an area id");
                continue;
            }
        }
        let year = match src.year {
            Some(y) => y,
            None => match cx.whole(year_col, row, 1800, 2200, "a year") {
                Some(y) => y as u16,
                None => {
                    if cx.text(year_col, row).is_none() {
                        let name = cx.table.names[year_col.unwrap_or(0)].clone();
                        cx.report(ProblemKind::MissingValue, row, &name, "", "a year");
                    }
                    continue;
                }
            },
        };
        let kind = match kind_col {
            None => src.kind.unwrap_or(PopulationKind::Observed),
            Some(col) => match cx.text(Some(col), row) {
                Some(v) => match cx.code::<PopulationKind>(
                    &v,
                    &codes.population_kind,
                    row,
                    &c.kind.clone().unwrap_or_default(),
                    "population_kind",
                    &PopulationKind::expected(),
                ) {
                    Some(k) => k,
                    None => continue,
                },
                None => match src.kind {
                    Some(k) => k,
                    None => continue,
                },
            },
        };
        let language = match lang_col.and_then(|col| cx.text(Some(col), row)) {
            None => LanguageGroup::All,
            Some(v) => match cx.code::<LanguageGroup>(
                &v,
                &codes.language_group,
                row,
                &c.language_group.clone().unwrap_or_default(),
                "language_group",
                &LanguageGroup::expected(),
            ) {
                Some(l) => l,
                None => continue,
            },
        };
        let table = cx.table;
        let area = out.intern_area(&level, &id_buf, || Origin { source, location: table.location(row) });
        let record = table.record_number(row);
        if let (Some(ages), Some(count_col)) = (&ages, count_col) {
            let band = match *ages {
                Ages::Single(col) | Ages::Band(col) => match cx.cell(col, row) {
                    Cell::Int(i) if (0..=100).contains(&i) => Some((i as u8, i as u8)),
                    Cell::Text(s) => parse_age_band(s),
                    _ => None,
                },
                Ages::MinMax(a, b) => {
                    match (cx.whole(Some(a), row, 0, 100, "an age"), cx.whole(Some(b), row, 0, 100, "an age")) {
                        (Some(lo), Some(hi)) if lo <= hi => Some((lo as u8, hi as u8)),
                        _ => None,
                    }
                }
            };
            let Some((age_min, age_max)) = band else {
                let col = match *ages {
                    Ages::Single(c) | Ages::Band(c) | Ages::MinMax(c, _) => c,
                };
                let (name, value) = (cx.table.names[col].clone(), cx.cell(col, row).display());
                cx.report(ProblemKind::Parse, row, &name, &value, "an age 0–100 or band such as 0-9 or 65+");
                continue;
            };
            let Some(count) = count_value(cx, count_col, row, src) else { continue };
            out.push(area, PopulationRow { year, age_min, age_max, count, kind, language }, source, record);
        } else {
            for &(col, age_min, age_max) in &wide {
                let Some(count) = count_value(cx, col, row, src) else { continue };
                out.push(area, PopulationRow { year, age_min, age_max, count, kind, language }, source, record);
            }
        }
    }
}

/// The count in a cell: `Some(None)` when suppressed, `None` (reported) when bad.
fn count_value(cx: &mut Cx<'_>, col: usize, row: usize, src: &PopulationSource) -> Option<Option<f64>> {
    let v = match cx.cell(col, row) {
        Cell::Null => return Some(None),
        Cell::Int(i) if src.suppressed_values.iter().any(|s| s.parse() == Ok(i)) => return Some(None),
        Cell::Int(i) => i as f64,
        Cell::Float(f) => f,
        Cell::Text(s) if src.suppressed_values.iter().any(|m| m == s) => return Some(None),
        Cell::Text(s) => match parse_number(s, cx.table.decimal_comma) {
            Ok(v) => v,
            Err(expected) => {
                let (name, s) = (cx.table.names[col].clone(), s.to_owned());
                cx.report(ProblemKind::Parse, row, &name, &s, expected);
                return None;
            }
        },
    };
    if !v.is_finite() {
        let (name, written) = (cx.table.names[col].clone(), cx.written(col, row));
        cx.report(ProblemKind::NotFinite, row, &name, &written, "a finite resident count");
        return None;
    }
    if v < 0.0 {
        let (name, written) = (cx.table.names[col].clone(), cx.written(col, row));
        cx.report(
            ProblemKind::OutOfRange,
            row,
            &name,
            &written,
            "a resident count ≥ 0 (list suppression markers in suppressed_values)",
        );
        return None;
    }
    Some(Some(v))
}
