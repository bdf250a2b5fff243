//! Service locations from a city's files into [`Unit`] records.

use super::cells::{self, Cx, crs, to_internal};
use crate::model::profile::{CapacityTotal, CodeMaps, UnitSource};
use crate::model::{
    Capacity, DistrictCode, Language, Operator, Origin, PremisesId, ProblemKind, Status, Unit, UnitId, service,
};
use geo::Geometry;
use std::collections::BTreeMap;

/// Converts every row of a unit table; returns the units and the rows skipped on purpose.
pub fn convert(
    cx: &mut Cx<'_>,
    src: &UnitSource,
    codes: &CodeMaps,
    city: &str,
    default_crs: u32,
    source: u16,
    city_area: Option<&cells::CityArea>,
) -> (Vec<Unit>, usize) {
    let c = &src.columns;
    let Some(id_col) = cx.column(&c.id, "unit id") else { return (vec![], 0) };
    let Some(name_col) = cx.column(&c.name_fi, "Finnish name") else { return (vec![], 0) };
    let optional = |cx: &mut Cx<'_>, n: &Option<String>, p: &str| cx.optional_column(n.as_ref(), p);
    let cols = (|| {
        Ok::<_, cells::Reported>((
            optional(cx, &c.name_sv, "Swedish name")?,
            optional(cx, &c.service_type, "service type")?,
            optional(cx, &c.capacity, "places")?,
            optional(cx, &c.status, "status")?,
            optional(cx, &c.opening_year, "opening year")?,
            optional(cx, &c.closing_year, "closing year")?,
            optional(cx, &c.operator, "operator")?,
            optional(cx, &c.languages, "service languages")?,
            optional(cx, &c.premises_id, "premises id")?,
        ))
    })();
    let Ok((sv_col, type_col, cap_col, status_col, open_col, close_col, op_col, lang_col, prem_col)) = cols else {
        return (vec![], 0);
    };
    let mut lang_cols = Vec::new();
    for (lang, column) in &c.capacity_by_language {
        let language = match lang.as_str() {
            "shared" => None,
            code => match code.parse::<Language>() {
                Ok(l) => Some(l),
                Err(()) => {
                    cx.problems.push(
                        cx.file_problem(
                            ProblemKind::Profile,
                            format!(
                                "capacity_by_language keys must be harmonised languages ({}) or shared",
                                Language::expected()
                            ),
                        )
                        .field(lang.clone()),
                    );
                    return (vec![], 0);
                }
            },
        };
        let Some(i) = cx.column(column, "places by language") else { return (vec![], 0) };
        lang_cols.push((language, i));
    }
    let total_rule = match (cap_col, lang_cols.is_empty(), src.capacity_total) {
        (Some(_), false, None) => {
            cx.problems.push(
                cx.file_problem(
                    ProblemKind::Profile,
                    "the file maps both total places (capacity) and places by language; say what the total means, \
                     so no place is counted twice: capacity_total = \"sum\" (the total is the sum of the language \
                     columns, checked row by row) or \"rest_is_shared\" (places beyond the language columns are shared)",
                )
                .field("capacity_total"),
            );
            return (vec![], 0);
        }
        (Some(_), false, Some(CapacityTotal::RestIsShared)) if lang_cols.iter().any(|l| l.0.is_none()) => {
            cx.problems.push(
                cx.file_problem(
                    ProblemKind::Profile,
                    "capacity_total = \"rest_is_shared\" derives the shared places from the total; \
                     do not also map a `shared` column in capacity_by_language",
                )
                .field("capacity_total"),
            );
            return (vec![], 0);
        }
        (_, _, rule) => rule,
    };
    let mut district_cols = Vec::new();
    for (level, column) in &c.districts {
        let Some(i) = cx.column(column, "district code") else { return (vec![], 0) };
        district_cols.push((level.clone(), i));
    }
    let (x_col, y_col) = if cx.table.geometry.is_some() {
        (None, None)
    } else {
        let x = cx.column(c.x.as_deref().unwrap_or("x"), "easting");
        let y = cx.column(c.y.as_deref().unwrap_or("y"), "northing");
        match (x, y) {
            (Some(x), Some(y)) => (Some(x), Some(y)),
            _ => return (vec![], 0),
        }
    };
    let epsg = cx.table.crs.or(src.crs).unwrap_or(default_crs);
    let from = match crs(epsg) {
        Ok(c) => c,
        Err(msg) => {
            cx.problems.push(cx.file_problem(ProblemKind::WrongCrs, msg).field("crs").value(epsg.to_string()));
            return (vec![], 0);
        }
    };
    let default_languages: Vec<Language> = match &src.defaults.languages {
        None => vec![Language::Finnish],
        Some(list) => list.iter().filter_map(|l| l.parse().ok()).collect(),
    };
    let mut out = Vec::new();
    let mut skipped = 0;
    for row in 0..cx.table.len {
        let origin = Some(Origin { source, location: cx.table.location(row) });
        // Service type first: rows mapped to `skip` are left out without further checks.
        let raw_type = cx.text(type_col, row).or_else(|| src.defaults.service_type.clone());
        let mapped = raw_type.as_ref().map(|t| codes.service_type.get(t).cloned().unwrap_or_else(|| t.clone()));
        if mapped.as_deref() == Some("skip") {
            skipped += 1;
            continue;
        }
        // Every other field is checked so that one pass reports all of a row's problems.
        let mut ok = true;
        let id = cx.required_id(id_col, row, "the unit id");
        let name_fi = cx.required_text(name_col, row, "the Finnish name");
        ok &= id.is_some() && name_fi.is_some();
        let field = c.service_type.clone().unwrap_or_else(|| "service_type".into());
        match (&raw_type, &mapped) {
            (None, _) => {
                cx.report(
                    ProblemKind::MissingValue,
                    row,
                    &field,
                    "",
                    "a service type (or defaults.service_type in the profile)",
                );
                ok = false;
            }
            (Some(raw), Some(m)) if service::lookup(m).is_none() => {
                let known: Vec<String> = service::catalogue().into_iter().map(|s| s.code).collect();
                cx.report(
                    ProblemKind::UnknownCode,
                    row,
                    &field,
                    raw,
                    format!("a service type: {} or a city code in [codes.service_type] (or `skip`)", known.join(", ")),
                );
                ok = false;
            }
            _ => {}
        }
        // Location, with the coordinates as written for messages.
        let point = match (&cx.table.geometry, x_col, y_col) {
            (Some(geoms), _, _) => match &geoms[row] {
                Some(Geometry::Point(p)) => Some((p.x(), p.y(), format!("{}, {}", p.x(), p.y()))),
                Some(other) => {
                    let kind = format!("{other:?}").split('(').next().unwrap_or("").to_owned();
                    cx.report(
                        ProblemKind::InvalidGeometry,
                        row,
                        "geometry",
                        &kind,
                        "a point geometry for a service location",
                    );
                    None
                }
                None => {
                    cx.report(
                        ProblemKind::MissingValue,
                        row,
                        "geometry",
                        "",
                        "a point geometry for a service location",
                    );
                    None
                }
            },
            (None, Some(xc), Some(yc)) => {
                let x = cx.number(Some(xc), row);
                let y = cx.number(Some(yc), row);
                match (x, y) {
                    (Some(x), Some(y)) => {
                        let sep = if cx.table.decimal_comma { "; " } else { ", " };
                        Some((x, y, format!("{}{sep}{}", cx.written(xc, row), cx.written(yc, row))))
                    }
                    _ => {
                        if cx.text(Some(xc), row).is_none() || cx.text(Some(yc), row).is_none() {
                            let name = cx.table.names[xc].clone();
                            cx.report(ProblemKind::MissingValue, row, &name, "", "both coordinates");
                        }
                        None
                    }
                }
            }
            _ => None,
        };
        let location = match point {
            None => None,
            Some((sx, sy, written)) => match to_internal(from, sx, sy, &written) {
                Ok((x, y)) => match city_area.and_then(|area| area.outside(x, y, &written)) {
                    None => Some((x, y)),
                    Some(message) => {
                        cx.report(ProblemKind::OutsideCity, row, "coordinates", &written, message);
                        None
                    }
                },
                Err((kind, msg)) => {
                    cx.report(kind, row, "coordinates", &written, msg);
                    None
                }
            },
        };
        ok &= location.is_some();
        // Languages.
        let languages = match lang_col {
            Some(col) => match cx.text(Some(col), row) {
                None => {
                    let name = cx.table.names[col].clone();
                    cx.report(ProblemKind::MissingValue, row, &name, "", "at least one service language");
                    ok = false;
                    vec![]
                }
                Some(text) => {
                    let name = cx.table.names[col].clone();
                    let mut ls = Vec::new();
                    for part in text.split([',', '/', ';', '+']).map(str::trim).filter(|p| !p.is_empty()) {
                        match cx.code::<Language>(part, &codes.language, row, &name, "language", &Language::expected())
                        {
                            Some(l) if !ls.contains(&l) => ls.push(l),
                            Some(_) => {}
                            None => ok = false,
                        }
                    }
                    ls
                }
            },
            None => default_languages.clone(),
        };
        // Capacity.
        let columns = PlaceColumns { total: cap_col, languages: &lang_cols, total_rule };
        let capacity = match places(cx, row, &columns, &languages) {
            Ok(c) => c,
            Err(cells::Reported) => {
                ok = false;
                Vec::new()
            }
        };
        // Status, years, operator.
        let status = match cx.text(status_col, row).or_else(|| src.defaults.status.clone()) {
            None => Some(Status::Active),
            Some(s) => cx.code::<Status>(
                &s,
                &codes.status,
                row,
                c.status.as_deref().unwrap_or("status"),
                "status",
                &Status::expected(),
            ),
        };
        let operator = match cx.text(op_col, row).or_else(|| src.defaults.operator.clone()) {
            None => Some(Operator::Municipal),
            Some(s) => cx.code::<Operator>(
                &s,
                &codes.operator,
                row,
                c.operator.as_deref().unwrap_or("operator"),
                "operator",
                &Operator::expected(),
            ),
        };
        let opening_year = cx.whole(open_col, row, 1800, 2100, "a year").map(|y| y as u16);
        let closing_year = cx.whole(close_col, row, 1800, 2100, "a year").map(|y| y as u16);
        ok &= opening_year.is_some() || cx.text(open_col, row).is_none();
        ok &= closing_year.is_some() || cx.text(close_col, row).is_none();
        let (Some(id), Some(name_fi), Some(mapped), Some((x, y)), Some(status), Some(operator), true) =
            (id, name_fi, mapped, location, status, operator, ok)
        else {
            continue;
        };
        let districts: BTreeMap<String, DistrictCode> = district_cols
            .iter()
            .filter_map(|(level, col)| cx.id(Some(*col), row).map(|v| (level.clone(), DistrictCode(v))))
            .collect();
        out.push(Unit {
            city: city.to_owned(),
            id: UnitId(id),
            name_fi,
            name_sv: cx.text(sv_col, row),
            service_type: mapped,
            x,
            y,
            capacity,
            status,
            opening_year,
            closing_year,
            operator,
            languages,
            premises_id: cx.id(prem_col, row).map(PremisesId),
            districts,
            origin,
        });
    }
    (out, skipped)
}

/// The place columns of a unit file.
struct PlaceColumns<'a> {
    /// Total places.
    total: Option<usize>,
    /// Places by language (`None`: shared).
    languages: &'a [(Option<Language>, usize)],
    /// What the total means beside the language columns.
    total_rule: Option<CapacityTotal>,
}

/// Places of one row (see [`CapacityTotal`]): language columns give places of a language
/// (or shared); a total alone gives the places of the unit's one language, or shared
/// places of a multilingual unit. Every value is a whole number, language places ≥ 0, a
/// total > 0; inconsistent rows are reported with every value as written.
fn places(
    cx: &mut Cx<'_>,
    row: usize,
    cols: &PlaceColumns<'_>,
    unit_languages: &[Language],
) -> Result<Vec<Capacity>, cells::Reported> {
    let mut bad = false;
    let mut by_language: Vec<(Option<Language>, u32, usize)> = Vec::new();
    for &(lang, col) in cols.languages {
        if cx.text(Some(col), row).is_none() {
            continue;
        }
        match cx.whole(Some(col), row, 0, i64::from(u32::MAX), "places ≥ 0") {
            Some(p) => by_language.push((lang, p as u32, col)),
            None => bad = true,
        }
    }
    let total = match cols.total {
        Some(col) if cx.text(Some(col), row).is_some() => {
            match cx.whole(Some(col), row, 1, i64::from(u32::MAX), "places > 0") {
                Some(p) => Some((p as u32, col)),
                None => {
                    bad = true;
                    None
                }
            }
        }
        _ => None,
    };
    if bad {
        return Err(cells::Reported);
    }
    let language_sum: u64 = by_language.iter().map(|l| u64::from(l.1)).sum();
    let listed = || -> String {
        by_language
            .iter()
            .map(|(l, p, _)| format!("{} {p}", l.map_or("shared", |l| l.code())))
            .collect::<Vec<_>>()
            .join(" + ")
    };
    let mut capacity: Vec<Capacity> =
        by_language.iter().filter(|l| l.1 > 0).map(|&(language, places, _)| Capacity { language, places }).collect();
    match (total, by_language.is_empty(), cols.total_rule) {
        (Some((t, _)), true, _) => {
            let language = (unit_languages.len() == 1).then(|| unit_languages[0]);
            capacity = vec![Capacity { language, places: t }];
        }
        (Some((t, col)), false, Some(CapacityTotal::Sum)) if u64::from(t) != language_sum => {
            let name = cx.table.names[col].clone();
            let written = cx.written(col, row);
            cx.report(
                ProblemKind::Inconsistent,
                row,
                &name,
                &written,
                format!(
                    "the sum of the places by language ({} = {language_sum}), as capacity_total = \"sum\" declares",
                    listed()
                ),
            );
            return Err(cells::Reported);
        }
        (Some((t, col)), false, Some(CapacityTotal::RestIsShared)) => {
            if u64::from(t) < language_sum {
                let name = cx.table.names[col].clone();
                let written = cx.written(col, row);
                cx.report(
                    ProblemKind::Inconsistent,
                    row,
                    &name,
                    &written,
                    format!(
                        "at least the places reserved by language ({} = {language_sum}); capacity_total = \"rest_is_shared\" makes the rest shared",
                        listed()
                    ),
                );
                return Err(cells::Reported);
            }
            let shared = t - language_sum as u32;
            if shared > 0 {
                capacity.push(Capacity { language: None, places: shared });
            }
        }
        _ => {}
    }
    if capacity.is_empty() && !by_language.is_empty() {
        let cols: Vec<String> = by_language.iter().map(|l| cx.table.names[l.2].clone()).collect();
        cx.report(
            ProblemKind::OutOfRange,
            row,
            &cols.join("/"),
            "0",
            "capacity: at least one language with places > 0",
        );
        return Err(cells::Reported);
    }
    Ok(capacity)
}
