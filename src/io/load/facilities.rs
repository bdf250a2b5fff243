//! Service locations from a city's files into [`Facility`] records.

use super::cells::{self, Cx, crs, to_internal};
use crate::model::profile::{CodeMaps, FacilitySource};
use crate::model::{
    Capacity, DistrictCode, Facility, FacilityId, Language, Operator, Origin, PremisesId, ProblemKind, Status, service,
};
use geo::Geometry;
use std::collections::BTreeMap;

/// Converts every row of a facility table; returns the facilities and the rows skipped on purpose.
pub fn convert(
    cx: &mut Cx<'_>,
    src: &FacilitySource,
    codes: &CodeMaps,
    city: &str,
    default_crs: u32,
    source: u16,
) -> (Vec<Facility>, usize) {
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
        let Ok(l) = lang.parse::<Language>() else {
            cx.problems.push(
                cx.file_problem(
                    ProblemKind::Profile,
                    format!("capacity_by_language keys must be harmonised languages ({})", Language::expected()),
                )
                .field(lang.clone()),
            );
            return (vec![], 0);
        };
        let Some(i) = cx.column(column, "places by language") else { return (vec![], 0) };
        lang_cols.push((l, i));
    }
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
        let id = cx.required_text(id_col, row, "the unit id");
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
        // Location.
        let point = match (&cx.table.geometry, x_col, y_col) {
            (Some(geoms), _, _) => match &geoms[row] {
                Some(Geometry::Point(p)) => Some((p.x(), p.y())),
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
                    (Some(x), Some(y)) => Some((x, y)),
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
            Some((sx, sy)) => match to_internal(from, sx, sy) {
                Ok(p) => Some(p),
                Err((kind, msg)) => {
                    cx.report(kind, row, "coordinates", &format!("{sx}, {sy}"), msg);
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
        let mut capacity = Vec::new();
        if let Some(col) = cap_col
            && cx.text(Some(col), row).is_some()
        {
            match cx.whole(Some(col), row, i64::MIN, i64::MAX, "places") {
                Some(p) if p > 0 && p <= i64::from(u32::MAX) => {
                    capacity.push(Capacity { language: (languages.len() == 1).then(|| languages[0]), places: p as u32 })
                }
                Some(p) => {
                    let name = cx.table.names[col].clone();
                    cx.report(
                        ProblemKind::OutOfRange,
                        row,
                        &name,
                        &p.to_string(),
                        "capacity: a positive number of places (> 0)",
                    );
                    ok = false;
                }
                None => ok = false,
            }
        }
        let mut language_places_given = false;
        let mut language_places_bad = false;
        for &(lang, col) in &lang_cols {
            if cx.text(Some(col), row).is_none() {
                continue;
            }
            language_places_given = true;
            match cx.whole(Some(col), row, i64::MIN, i64::MAX, "places") {
                Some(0) => {}
                Some(p) if p > 0 && p <= i64::from(u32::MAX) => {
                    capacity.push(Capacity { language: Some(lang), places: p as u32 })
                }
                Some(p) => {
                    let name = cx.table.names[col].clone();
                    cx.report(
                        ProblemKind::OutOfRange,
                        row,
                        &name,
                        &p.to_string(),
                        format!("places in {lang}: a number ≥ 0"),
                    );
                    language_places_bad = true;
                }
                None => language_places_bad = true,
            }
        }
        ok &= !language_places_bad;
        if language_places_given && capacity.is_empty() && !language_places_bad && cap_col.is_none() {
            let cols: Vec<String> = lang_cols.iter().map(|(_, c)| cx.table.names[*c].clone()).collect();
            cx.report(
                ProblemKind::OutOfRange,
                row,
                &cols.join("/"),
                "0",
                "capacity: at least one language with places > 0",
            );
            ok = false;
        }
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
            .filter_map(|(level, col)| cx.text(Some(*col), row).map(|v| (level.clone(), DistrictCode(v))))
            .collect();
        out.push(Facility {
            city: city.to_owned(),
            id: FacilityId(id),
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
            premises_id: cx.text(prem_col, row).map(PremisesId),
            districts,
            origin,
        });
    }
    (out, skipped)
}
