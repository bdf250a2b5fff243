//! Writing a scenario's results: cells, units, allocation and district tables (GeoPackage,
//! Parquet, CSV in the Finnish Excel dialect), `kpis.json` and `report.html`, each with
//! provenance. Files are staged in a hidden folder and moved into place at the end, so a
//! failed run leaves nothing half-written.

use super::outcome::Outcome;
use crate::analysis::demand::GROUPS;
use crate::analysis::times::minutes;
use crate::io::error::WriteError;
use crate::io::{GeometryKind, OutColumn, OutGeometry, OutTable};
use crate::model::Dataset;
use crate::model::profile::CsvDialect;
use std::path::{Path, PathBuf};

pub use super::kpis::{Provenance, file_hash};

fn text(v: impl IntoIterator<Item = Option<String>>) -> OutColumn {
    OutColumn::Text(v.into_iter().collect())
}

/// A share as a percentage.
fn pct(share: Option<f64>) -> Option<f64> {
    share.map(|s| s * 100.0)
}

fn float(v: impl IntoIterator<Item = Option<f64>>) -> OutColumn {
    OutColumn::Float(v.into_iter().collect())
}

/// Cells table keyed by the source grid id.
pub fn cells_table(data: &Dataset, o: &Outcome, prov: &Provenance) -> OutTable {
    let unit_id = |u: Option<u32>| u.map(|u| o.plans[o.active[u as usize]].id.clone());
    let c = &o.cells;
    let mut t = OutTable::new("cells")
        .with("city", text(data.demand_areas.iter().map(|_| Some(data.city.clone()))))
        .with("cell_id", text(data.demand_areas.iter().map(|a| Some(a.id.0.clone()))));
    for level in &data.district_levels {
        t = t.with(
            format!("district_{level}"),
            text(data.demand_areas.iter().map(|a| a.districts.get(level).map(|d| d.0.clone()))),
        );
    }
    t = t.with("children", float(c.iter().map(|c| Some(c.children.iter().sum()))));
    for (g, lg) in GROUPS.iter().enumerate() {
        t = t.with(format!("children_{}", lg.code()), float(c.iter().map(|c| Some(c.children[g]))));
    }
    t = t
        .with("nearest_unit", text(c.iter().map(|c| unit_id(c.nearest.map(|n| n.1)))))
        .with("nearest_min", float(c.iter().map(|c| c.nearest.map(|n| minutes(n.0)))))
        .with("nearest_m", float(c.iter().map(|c| c.nearest_m)))
        .with(
            "k_nearest_units",
            text(c.iter().map(|c| {
                Some(
                    c.k_nearest
                        .iter()
                        .map(|&(_, u)| unit_id(Some(u)).unwrap_or_default())
                        .collect::<Vec<_>>()
                        .join(";"),
                )
            })),
        )
        .with(
            "k_nearest_min",
            text(c.iter().map(|c| {
                Some(c.k_nearest.iter().map(|&(t, _)| format!("{:.2}", minutes(t))).collect::<Vec<_>>().join(";"))
            })),
        )
        .with("allocated_unit", text(c.iter().map(|c| unit_id(c.allocated))))
        .with("allocated_min", float(c.iter().map(|c| c.mean_min)))
        .with("allocated_m", float(c.iter().map(|c| c.mean_m)))
        .with("unserved", float(c.iter().map(|c| Some(c.unserved))))
        .with("rule_unit", text(c.iter().map(|c| unit_id(c.rule_unit))))
        .with("optimum_unit", text(c.iter().map(|c| unit_id(c.optimum_unit))))
        .with("places_within", float(c.iter().map(|c| Some(c.cumulative))))
        .with("gravity", float(c.iter().map(|c| Some(c.gravity))))
        .with("sfca2", float(c.iter().map(|c| Some(c.sfca))))
        .with("e2sfca", float(c.iter().map(|c| Some(c.e2sfca))));
    t.geometry = Some(OutGeometry {
        kind: GeometryKind::MultiPolygon,
        epsg: 3067,
        values: data.demand_areas.iter().map(|a| Some(geo::Geometry::MultiPolygon(a.geometry.clone()))).collect(),
    });
    t.provenance = Some(prov.text());
    t
}

/// Units table: every unit of the scenario incl. closed ones; catchment children by age
/// from `first_age` on.
pub fn units_table(o: &Outcome, prov: &Provenance, first_age: u8) -> OutTable {
    let result = |i: usize| o.active.iter().position(|&a| a == i).map(|j| &o.units[j]);
    let p = &o.plans;
    let f = |g: &dyn Fn(usize) -> Option<f64>| float((0..p.len()).map(g));
    let mut t = OutTable::new("units")
        .with("unit_id", text(p.iter().map(|u| Some(u.id.clone()))))
        .with("name", text(p.iter().map(|u| Some(u.name.clone()))))
        .with("status", text(p.iter().map(|u| Some(u.status.name().to_owned()))))
        .with("places_before", f(&|i| Some(f64::from(p[i].places_before))))
        .with("places", f(&|i| Some(if p[i].open() { f64::from(p[i].total()) } else { 0.0 })));
    for (code, lang) in
        [("fi", Some(crate::model::Language::Finnish)), ("sv", Some(crate::model::Language::Swedish)), ("shared", None)]
    {
        t = t.with(
            format!("places_{code}"),
            f(&|i| Some(p[i].places.iter().filter(|x| x.0 == lang && p[i].open()).map(|x| f64::from(x.1)).sum())),
        );
    }
    t = t
        .with("placed", f(&|i| result(i).map(|r| r.placed_rule)))
        .with("placed_optimum", f(&|i| result(i).map(|r| r.placed_optimum)))
        .with("utilisation", f(&|i| result(i).and_then(|r| r.utilisation)))
        .with("catchment_children", f(&|i| result(i).map(|r| r.catchment_children)))
        .with("pressure", f(&|i| result(i).and_then(|r| r.pressure)))
        .with("district", text((0..p.len()).map(|i| result(i).and_then(|r| r.district.clone()))))
        .with("premises_id", text(p.iter().map(|u| u.premises.clone())))
        .with("cost_per_place_eur", f(&|i| result(i).and_then(|r| r.cost_per_place_eur)))
        .with("floor_m2_per_child", f(&|i| result(i).and_then(|r| r.floor_m2_per_child)))
        .with("repair_debt_eur", f(&|i| result(i).and_then(|r| r.repair_debt_eur)));
    let ages = o.units.first().map_or(0, |r| r.catchment_by_age.len());
    for k in 0..ages {
        let age = usize::from(first_age) + k;
        t = t.with(format!("catchment_age_{age}"), f(&|i| result(i).map(|r| r.catchment_by_age[k])));
    }
    t.geometry = Some(OutGeometry {
        kind: GeometryKind::Point,
        epsg: 3067,
        values: p.iter().map(|u| Some(geo::Geometry::Point(geo::Point::new(u.x, u.y)))).collect(),
    });
    t.provenance = Some(prov.text());
    t
}

/// Allocation table: one row per demand area, language group, rule and unit.
pub fn allocation_table(data: &Dataset, o: &Outcome, headline: &str, other: &str, prov: &Provenance) -> OutTable {
    let rows: Vec<(&str, &crate::analysis::kpi::Placement)> =
        o.placements.iter().map(|p| (headline, p)).chain(o.other_placements.iter().map(|p| (other, p))).collect();
    let mut t = OutTable::new("allocation")
        .with("rule", text(rows.iter().map(|r| Some(r.0.to_owned()))))
        .with("cell_id", text(rows.iter().map(|r| Some(data.demand_areas[r.1.area as usize].id.0.clone()))))
        .with("language_group", text(rows.iter().map(|r| Some(GROUPS[r.1.group as usize].code().to_owned()))))
        .with("unit_id", text(rows.iter().map(|r| r.1.unit.map(|(u, _)| o.plans[o.active[u as usize]].id.clone()))))
        .with_rounded("children", 2, float(rows.iter().map(|r| Some(r.1.children))))
        .with_rounded("travel_min", 1, float(rows.iter().map(|r| r.1.unit.map(|(_, t)| minutes(t)))))
        .with_rounded("distance_m", 0, float(rows.iter().map(|r| r.1.distance_m)))
        .with("nearest_unit", OutColumn::Int(rows.iter().map(|r| Some(i64::from(r.1.nearest))).collect()));
    t.provenance = Some(prov.text());
    t
}

/// District summary table.
pub fn districts_table(o: &Outcome, prov: &Provenance) -> OutTable {
    let d = &o.districts;
    let f = |g: &dyn Fn(&super::outcome::DistrictRow) -> Option<f64>| float(d.iter().map(g));
    let mut t = OutTable::new("districts")
        .with("level", text(d.iter().map(|_| Some(o.district_level.clone()))))
        .with("code", text(d.iter().map(|r| Some(r.code.clone()))))
        .with("name", text(d.iter().map(|r| Some(r.name.clone()))))
        .with_rounded("children", 2, f(&|r| Some(r.kpi.children)))
        .with_rounded("served", 2, f(&|r| Some(r.kpi.served)))
        .with_rounded("unserved", 2, f(&|r| Some(r.kpi.unserved)))
        .with_rounded("places", 0, f(&|r| Some(r.places)))
        .with_rounded("nearest_pct", 1, f(&|r| pct(r.kpi.nearest_share)))
        .with_rounded("within_pct", 1, f(&|r| pct(r.kpi.within_share)))
        .with_rounded("within_distance_pct", 1, f(&|r| pct(r.kpi.within_distance_share)))
        .with_rounded("mean_m", 0, f(&|r| r.kpi.mean_distance_m))
        .with_rounded("mean_min", 1, f(&|r| r.kpi.mean_min))
        .with_rounded("median_min", 1, f(&|r| r.kpi.median_min))
        .with_rounded("p90_min", 1, f(&|r| r.kpi.p90_min))
        .with_rounded("mean_sfca2", 3, f(&|r| r.mean_sfca));
    t.provenance = Some(prov.text());
    t
}

/// Writes every output into `dir` (created if needed) through a staging folder.
pub fn write(
    dir: &Path,
    tables: &[OutTable],
    kpis: &super::kpis::Kpis,
    report: &str,
) -> Result<Vec<PathBuf>, WriteError> {
    crate::io::atomic::staged(dir, |staging| {
        let mut names = Vec::new();
        for t in tables {
            if t.geometry.is_some() {
                crate::io::gpkg::write(&staging.join(format!("{}.gpkg", t.name)), std::slice::from_ref(t))?;
                names.push(format!("{}.gpkg", t.name));
            } else {
                crate::io::csv::write(&staging.join(format!("{}.csv", t.name)), t, &CsvDialect::finnish_excel())?;
                names.push(format!("{}.csv", t.name));
            }
            crate::io::parquet::write(&staging.join(format!("{}.parquet", t.name)), t)?;
            names.push(format!("{}.parquet", t.name));
        }
        let json = serde_json::to_string_pretty(kpis).map_err(|e| WriteError::new(dir.join("kpis.json"), e))? + "\n";
        crate::io::atomic::write_bytes(&staging.join("kpis.json"), json.as_bytes())?;
        crate::io::atomic::write_bytes(&staging.join("report.html"), report.as_bytes())?;
        names.extend(["kpis.json".to_owned(), "report.html".to_owned()]);
        Ok(names)
    })
}
