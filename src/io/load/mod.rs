//! Loading a city: profile → every source file → one harmonised [`Dataset`] + problems.
//!
//! Files are read independently; a file that cannot be read becomes one problem and the
//! others are still read, so `pave validate` can list everything wrong at once.

mod areas;
pub mod cells;
mod districts;
mod population;
mod premises;
mod units;

use super::crs::Transform;
use super::error::ReadError;
use super::table::Table;
use crate::model::profile::{CityProfile, CodeMaps, CsvDialect};
use crate::model::{
    Dataset, Language, LanguageGroup, Location, Operator, PopulationKind, Problem, ProblemKind, Problems, SourceFile,
    Status, Tenure, service, validate,
};
use crate::progress::Progress;
use geo::{Coord, Geometry, LineString, MultiPolygon, Polygon};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Reads a city profile and everything it names, then validates the result.
///
/// Returns `Err` only when the profile itself cannot be read; every other problem is added
/// to `problems` and the dataset holds whatever could be read.
pub fn load_city(profile_path: &Path, problems: &mut Problems, progress: &dyn Progress) -> Result<Dataset, ReadError> {
    let profile = super::profile::read(profile_path)?;
    let base = profile_path.parent().unwrap_or(Path::new(".")).to_path_buf();
    check_profile(profile_path, &profile, problems);
    let mut data = Dataset {
        city: profile.city.clone(),
        municipality_code: profile.municipality_code.clone(),
        source_crs: profile.crs,
        district_levels: profile.districts.as_ref().map(|d| d.levels.clone()).unwrap_or_default(),
        years: Some(profile.years.clone()),
        boundary_tolerance_m: profile.boundary_tolerance_m,
        case_insensitive_ids: profile.case_insensitive_ids,
        language_rules: profile.language_rules.clone(),
        ..Dataset::default()
    };
    let city = profile.municipality_code.clone();
    let fold_case = profile.case_insensitive_ids;
    let steps =
        profile.units.len() + profile.premises.len() + profile.demand_areas.len() + profile.population.len() + 2;
    progress.start(&format!("reading {}", profile.city), steps as u64);

    if let Some(b) = &profile.boundary {
        let path = base.join(b);
        match read_boundary(&path) {
            Ok(mp) => data.boundary = Some(mp),
            Err(e) => problems.push(e.into_problem()),
        }
    }
    progress.inc(1);
    let dialect = |own: &Option<CsvDialect>| own.unwrap_or(profile.csv);
    let open = |data: &mut Dataset,
                rel: &str,
                layer: Option<&str>,
                d: CsvDialect,
                problems: &mut Problems|
     -> Option<(Table, u16)> {
        let path = base.join(rel);
        match super::read_table(&path, layer, &d) {
            Ok((table, record_problems)) => {
                for p in record_problems {
                    problems.push(p);
                }
                data.sources.push(SourceFile { path, locations: table.location_kind() });
                Some((table, (data.sources.len() - 1) as u16))
            }
            Err(e) => {
                problems.push(e.into_problem());
                None
            }
        }
    };

    if let Some(ds) = &profile.districts
        && let Some((table, source)) = open(&mut data, &ds.path, ds.layer.as_deref(), dialect(&ds.csv), problems)
    {
        let mut cx = cells::Cx { table: &table, problems, fold_case };
        data.districts = districts::convert(&mut cx, ds, &city, source);
    }
    progress.inc(1);
    for src in &profile.premises {
        if let Some((table, source)) = open(&mut data, &src.path, src.layer.as_deref(), dialect(&src.csv), problems) {
            let mut cx = cells::Cx { table: &table, problems, fold_case };
            data.premises.extend(premises::convert(&mut cx, src, &profile.codes, &city, source));
        }
        progress.inc(1);
    }
    for src in &profile.units {
        if let Some((table, source)) = open(&mut data, &src.path, src.layer.as_deref(), dialect(&src.csv), problems) {
            let mut cx = cells::Cx { table: &table, problems, fold_case };
            let area = data.boundary.as_ref().map(|boundary| cells::CityArea {
                name: &profile.city,
                boundary,
                tolerance_m: profile.boundary_tolerance_m,
            });
            let (units, skipped) =
                units::convert(&mut cx, src, &profile.codes, &city, profile.crs, source, area.as_ref());
            data.units.extend(units);
            data.skipped_units += skipped;
        }
        progress.inc(1);
    }
    for src in &profile.demand_areas {
        if let Some((table, source)) = open(&mut data, &src.path, src.layer.as_deref(), dialect(&src.csv), problems) {
            let mut cx = cells::Cx { table: &table, problems, fold_case };
            let mut converted = areas::convert(&mut cx, src, &city, profile.crs, source);
            if let Some(lookup) = &src.district_lookup
                && let Some((key, key_source)) = open(&mut data, &lookup.path, None, dialect(&lookup.csv), problems)
            {
                let mut cx = cells::Cx { table: &key, problems, fold_case };
                areas::apply_lookup(&mut cx, lookup, &mut converted, key_source);
            }
            data.demand_areas.extend(converted);
        }
        progress.inc(1);
    }
    for src in &profile.population {
        if let Some((table, source)) = open(&mut data, &src.path, src.layer.as_deref(), dialect(&src.csv), problems) {
            let mut cx = cells::Cx { table: &table, problems, fold_case };
            let levels = data.district_levels.clone();
            population::convert(&mut cx, src, &profile.codes, &levels, source, &mut data.population);
        }
        progress.inc(1);
    }
    progress.finish();
    validate::validate(&data, problems);
    Ok(data)
}

/// Reads one population file on its own (used by benchmarks and tools): returns the rows
/// and the problems found. `levels` are the district levels rows may refer to.
pub fn read_population(
    path: &Path,
    src: &crate::model::profile::PopulationSource,
    codes: &CodeMaps,
    levels: &[String],
    dialect: &CsvDialect,
) -> (crate::model::PopulationTable, Problems) {
    let mut problems = Problems::with_limit(100);
    let mut out = crate::model::PopulationTable::default();
    match super::read_table(path, src.layer.as_deref(), dialect) {
        Ok((table, record_problems)) => {
            for p in record_problems {
                problems.push(p);
            }
            let mut cx = cells::Cx { table: &table, problems: &mut problems, fold_case: false };
            population::convert(&mut cx, src, codes, levels, 0, &mut out);
        }
        Err(e) => problems.push(e.into_problem()),
    }
    (out, problems)
}

/// Checks a profile's own values: CRS, years, code-map targets.
fn check_profile(path: &Path, p: &CityProfile, problems: &mut Problems) {
    let profile_problem = |key: &str, value: String, expected: String| {
        Problem::error(ProblemKind::Profile, Some(path.to_owned()), Location::Key(key.to_owned()), expected)
            .value(value)
    };
    if let Err(msg) = cells::crs(p.crs) {
        problems.push(profile_problem("crs", p.crs.to_string(), msg).tap_kind(ProblemKind::WrongCrs));
    }
    if p.municipality_code.len() != 3 || !p.municipality_code.bytes().all(|b| b.is_ascii_digit()) {
        problems.push(profile_problem(
            "municipality_code",
            p.municipality_code.clone(),
            "a three-digit municipality code (kuntanumero), e.g. 091".into(),
        ));
    }
    for (key, range) in [("years.observed", p.years.observed), ("years.forecast", p.years.forecast)] {
        if let Some([lo, hi]) = range
            && (lo > hi || lo < 1800 || hi > 2200)
        {
            problems.push(profile_problem(
                key,
                format!("[{lo}, {hi}]"),
                "[first, last] with first ≤ last, years 1800–2200".into(),
            ));
        }
    }
    check_targets::<Status>(path, "status", &p.codes.status, problems);
    check_targets::<Operator>(path, "operator", &p.codes.operator, problems);
    check_targets::<Language>(path, "language", &p.codes.language, problems);
    check_targets::<Tenure>(path, "tenure", &p.codes.tenure, problems);
    check_targets::<LanguageGroup>(path, "language_group", &p.codes.language_group, problems);
    check_targets::<PopulationKind>(path, "population_kind", &p.codes.population_kind, problems);
    let CodeMaps { service_type, condition_class, .. } = &p.codes;
    for (k, v) in service_type {
        if v != "skip" && service::lookup(v).is_none() {
            let known: Vec<String> = service::catalogue().into_iter().map(|s| s.code).collect();
            problems.push(profile_problem(
                &format!("codes.service_type.{k}"),
                v.clone(),
                format!("a harmonised service type ({}) or skip", known.join(", ")),
            ));
        }
    }
    for (k, v) in condition_class {
        if !matches!(v.as_str(), "1" | "2" | "3" | "4" | "5") {
            problems.push(profile_problem(
                &format!("codes.condition_class.{k}"),
                v.clone(),
                "a condition class 1 … 5".into(),
            ));
        }
    }
}

fn check_targets<T: FromStr>(
    path: &Path,
    list: &str,
    map: &std::collections::BTreeMap<String, String>,
    problems: &mut Problems,
) {
    for (k, v) in map {
        if v.parse::<T>().is_err() {
            problems.push(
                Problem::error(
                    ProblemKind::Profile,
                    Some(path.to_owned()),
                    Location::Key(format!("codes.{list}.{k}")),
                    format!("a harmonised {list} code"),
                )
                .value(v.clone()),
            );
        }
    }
}

trait TapKind {
    fn tap_kind(self, kind: ProblemKind) -> Self;
}

impl TapKind for Problem {
    fn tap_kind(mut self, kind: ProblemKind) -> Self {
        self.kind = kind;
        self
    }
}

/// Reads a municipality boundary (polygons of a GeoJSON or GeoPackage) into EPSG:3067.
pub fn read_boundary(path: &PathBuf) -> Result<MultiPolygon<f64>, ReadError> {
    let (table, _) = super::read_table(path, None, &CsvDialect::default())?;
    let epsg = table.crs.unwrap_or(4326);
    let from = cells::crs(epsg).map_err(|m| ReadError::new(path, ProblemKind::WrongCrs, m))?;
    let t = Transform::to_internal(from);
    let ring = |ls: &LineString<f64>| {
        LineString(
            ls.0.iter()
                .map(|c| {
                    let (x, y) = t.apply(c.x, c.y);
                    Coord { x, y }
                })
                .collect(),
        )
    };
    let poly = |p: &Polygon<f64>| Polygon::new(ring(p.exterior()), p.interiors().iter().map(ring).collect());
    let mut polys = Vec::new();
    for g in table.geometry.iter().flatten().flatten() {
        match g {
            Geometry::Polygon(p) => polys.push(poly(p)),
            Geometry::MultiPolygon(mp) => polys.extend(mp.0.iter().map(poly)),
            _ => {}
        }
    }
    if polys.is_empty() {
        return Err(ReadError::new(path, ProblemKind::Empty, "the boundary file has no polygons"));
    }
    Ok(MultiPolygon(polys))
}
