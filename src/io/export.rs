//! Export of the harmonised model (one or several cities) as GeoPackage and Parquet.

use super::error::WriteError;
use super::out::{GeometryKind, OutColumn, OutGeometry, OutTable};
use super::{gpkg, parquet};
use crate::model::{Language, Model, service};
use geo::Geometry;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn text<T>(items: &[T], f: impl Fn(&T) -> Option<String>) -> OutColumn {
    OutColumn::Text(items.iter().map(f).collect())
}

fn int<T>(items: &[T], f: impl Fn(&T) -> Option<i64>) -> OutColumn {
    OutColumn::Int(items.iter().map(f).collect())
}

fn float<T>(items: &[T], f: impl Fn(&T) -> Option<f64>) -> OutColumn {
    OutColumn::Float(items.iter().map(f).collect())
}

/// The model as output tables: units, premises, demand_areas, population, districts,
/// service_types. All coordinates EPSG:3067.
pub fn model_tables(model: &Model) -> Vec<OutTable> {
    let units: Vec<_> = model.cities.iter().flat_map(|c| c.units.iter()).collect();
    let premises: Vec<_> = model.cities.iter().flat_map(|c| c.premises.iter()).collect();
    let areas: Vec<_> = model.cities.iter().flat_map(|c| c.demand_areas.iter()).collect();
    let districts: Vec<_> = model.cities.iter().flat_map(|c| c.districts.iter()).collect();
    let levels: BTreeSet<String> = units
        .iter()
        .flat_map(|f| f.districts.keys().cloned())
        .chain(areas.iter().flat_map(|a| a.districts.keys().cloned()))
        .collect();

    let mut f = OutTable::new("units")
        .with("city", text(&units, |f| Some(f.city.clone())))
        .with("id", text(&units, |f| Some(f.id.0.clone())))
        .with("name_fi", text(&units, |f| Some(f.name_fi.clone())))
        .with("name_sv", text(&units, |f| f.name_sv.clone()))
        .with("service_type", text(&units, |f| Some(f.service_type.clone())))
        .with("x", float(&units, |f| Some(f.x)))
        .with("y", float(&units, |f| Some(f.y)))
        .with("places_total", int(&units, |f| (!f.capacity.is_empty()).then(|| i64::from(f.total_places()))));
    for lang in Language::ALL {
        f = f.with(
            format!("places_{lang}"),
            int(&units, |f| {
                f.capacity
                    .iter()
                    .filter(|c| c.language == Some(*lang))
                    .map(|c| i64::from(c.places))
                    .reduce(|a, b| a + b)
            }),
        );
    }
    f = f
        .with(
            "places_shared",
            int(&units, |f| {
                f.capacity.iter().filter(|c| c.language.is_none()).map(|c| i64::from(c.places)).reduce(|a, b| a + b)
            }),
        )
        .with("status", text(&units, |f| Some(f.status.to_string())))
        .with("opening_year", int(&units, |f| f.opening_year.map(i64::from)))
        .with("closing_year", int(&units, |f| f.closing_year.map(i64::from)))
        .with("operator", text(&units, |f| Some(f.operator.to_string())))
        .with("languages", text(&units, |f| Some(f.languages.iter().map(|l| l.code()).collect::<Vec<_>>().join(","))))
        .with("premises_id", text(&units, |f| f.premises_id.as_ref().map(|p| p.0.clone())));
    for level in &levels {
        f = f.with(format!("district_{level}"), text(&units, |f| f.districts.get(level).map(|d| d.0.clone())));
    }
    f.geometry = Some(OutGeometry {
        kind: GeometryKind::Point,
        epsg: 3067,
        values: units.iter().map(|f| Some(Geometry::Point(geo::Point::new(f.x, f.y)))).collect(),
    });

    let p = OutTable::new("premises")
        .with("city", text(&premises, |p| Some(p.city.clone())))
        .with("id", text(&premises, |p| Some(p.id.0.clone())))
        .with("building_id", text(&premises, |p| p.building_id.clone()))
        .with("address", text(&premises, |p| p.address.clone()))
        .with("floor_area_m2", float(&premises, |p| p.floor_area_m2))
        .with("condition_class", int(&premises, |p| p.condition_class.map(i64::from)))
        .with("annual_cost_eur", float(&premises, |p| p.annual_cost_eur))
        .with("repair_debt_eur", float(&premises, |p| p.repair_debt_eur))
        .with("tenure", text(&premises, |p| p.tenure.map(|t| t.to_string())))
        .with("lease_end_year", int(&premises, |p| p.lease_end_year.map(i64::from)));

    let mut a = OutTable::new("demand_areas")
        .with("city", text(&areas, |a| Some(a.city.clone())))
        .with("id", text(&areas, |a| Some(a.id.0.clone())))
        .with("kind", text(&areas, |a| Some(a.kind.to_string())))
        .with("x", float(&areas, |a| Some(a.point.x())))
        .with("y", float(&areas, |a| Some(a.point.y())));
    for level in &levels {
        a = a.with(format!("district_{level}"), text(&areas, |a| a.districts.get(level).map(|d| d.0.clone())));
    }
    a.geometry = Some(OutGeometry {
        kind: GeometryKind::MultiPolygon,
        epsg: 3067,
        values: areas.iter().map(|a| Some(Geometry::MultiPolygon(a.geometry.clone()))).collect(),
    });

    let d = OutTable::new("districts")
        .with("city", text(&districts, |d| Some(d.city.clone())))
        .with("level", text(&districts, |d| Some(d.level.clone())))
        .with("code", text(&districts, |d| Some(d.code.0.clone())))
        .with("name_fi", text(&districts, |d| Some(d.name_fi.clone())))
        .with("name_sv", text(&districts, |d| d.name_sv.clone()))
        .with("parent", text(&districts, |d| d.parent.as_ref().map(|p| p.0.clone())));

    let mut pop_city = Vec::new();
    let mut pop_level = Vec::new();
    let mut pop_area = Vec::new();
    let mut year = Vec::new();
    let mut age_min = Vec::new();
    let mut age_max = Vec::new();
    let mut count = Vec::new();
    let mut kind = Vec::new();
    let mut lang = Vec::new();
    for c in &model.cities {
        let t = &c.population;
        for r in 0..t.len() {
            let area = &t.areas[t.area[r] as usize];
            pop_city.push(Some(c.municipality_code.clone()));
            pop_level.push(Some(area.level.name().to_owned()));
            pop_area.push(Some(area.id.clone()));
            year.push(Some(i64::from(t.year[r])));
            age_min.push(Some(i64::from(t.age_min[r])));
            age_max.push(Some(i64::from(t.age_max[r])));
            count.push((!t.suppressed[r]).then_some(t.count[r]));
            kind.push(Some(t.kind[r].to_string()));
            lang.push(Some(t.language[r].to_string()));
        }
    }
    let pop = OutTable::new("population")
        .with("city", OutColumn::Text(pop_city))
        .with("area_level", OutColumn::Text(pop_level))
        .with("area_id", OutColumn::Text(pop_area))
        .with("year", OutColumn::Int(year))
        .with("age_min", OutColumn::Int(age_min))
        .with("age_max", OutColumn::Int(age_max))
        .with("count", OutColumn::Float(count))
        .with("kind", OutColumn::Text(kind))
        .with("language_group", OutColumn::Text(lang));

    let cat = service::catalogue();
    let s = OutTable::new("service_types")
        .with("code", text(&cat, |s| Some(s.code.clone())))
        .with("name_fi", text(&cat, |s| Some(s.name_fi.clone())))
        .with("name_sv", text(&cat, |s| Some(s.name_sv.clone())))
        .with("name_en", text(&cat, |s| Some(s.name_en.clone())))
        .with("min_age", int(&cat, |s| Some(i64::from(s.min_age))))
        .with("max_age", int(&cat, |s| s.max_age.map(i64::from)))
        .with("has_places", int(&cat, |s| Some(i64::from(s.has_places))));
    vec![f, p, a, pop, d, s]
}

/// Writes `model.gpkg` and one Parquet file per table into `dir`.
///
/// Everything is first written into a hidden staging folder inside `dir` and only moved into
/// place when all files succeeded, so a failure leaves no partial export behind.
pub fn write_model(model: &Model, dir: &Path) -> Result<Vec<PathBuf>, WriteError> {
    std::fs::create_dir_all(dir).map_err(|e| WriteError::new(dir, e))?;
    let staging = dir.join(format!(".pave-export-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir(&staging).map_err(|e| WriteError::new(&staging, e))?;
    let result = (|| {
        let tables = model_tables(model);
        let mut names = vec!["model.gpkg".to_owned()];
        gpkg::write(&staging.join("model.gpkg"), &tables)?;
        for t in &tables {
            let name = format!("{}.parquet", t.name);
            parquet::write(&staging.join(&name), t)?;
            names.push(name);
        }
        let mut written = Vec::new();
        for name in names {
            let target = dir.join(&name);
            std::fs::rename(staging.join(&name), &target).map_err(|e| WriteError::new(&target, e))?;
            written.push(target);
        }
        Ok(written)
    })();
    let _ = std::fs::remove_dir_all(&staging);
    result
}
