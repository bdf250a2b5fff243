//! Dasymetric disaggregation of district single-year forecasts to demand areas.
//!
//! Grid sources such as the HSY 250 m grid give residents in age bands (often one band,
//! or 10-year bands) and suppress small cells; forecasts (väestöennuste) are made for
//! districts in single years. To get single-year forecasts per cell we use the cell's
//! share of its district's band as weight:
//!
//! `pop(cell, age, year) = count(cell, band(age), base) / Σ_{c ∈ district} count(c, band(age), base)
//!                         × forecast(district, age, year)`
//!
//! # Notes
//! - Observed bands are read from rows for all languages; forecasts from rows for all
//!   languages where a district has them, else from the sum of its language groups.
//! - Suppressed cell figures count as 0 in the shares. Where every cell of a district is 0
//!   or suppressed in a band, shares fall back to the cells' total population, then to
//!   equal shares, so the district forecast is always fully placed when it has cells.
//! - Forecasts of districts without any demand area cannot be placed; they are returned in
//!   [`Disaggregated::unplaced`] so totals stay honest.
//! - Conservation: the sum over a district's cells equals its forecast for every age.
//! - Complexity: O(rows + districts × ages × cells per district).

use crate::model::population::{AreaLevel, PopulationRow};
use crate::model::{DemandArea, LanguageGroup, PopulationKind, PopulationTable};
use std::collections::BTreeMap;

/// Result of a disaggregation.
#[derive(Clone, Debug, Default)]
pub struct Disaggregated {
    /// Single-year forecast rows per demand area (level `demand_area`, kind forecast).
    pub table: PopulationTable,
    /// District code → forecast residents that had no demand area to go to.
    pub unplaced: BTreeMap<String, f64>,
}

/// Disaggregates the `level` district forecast for `target_year` to demand areas, weighting
/// by the areas' observed band counts of `base_year`.
pub fn dasymetric(
    population: &PopulationTable,
    areas: &[DemandArea],
    level: &str,
    base_year: u16,
    target_year: u16,
) -> Disaggregated {
    // Observed bands per demand area (language group `all` only).
    let mut bands: BTreeMap<&str, Vec<(u8, u8, f64)>> = BTreeMap::new();
    // Forecasts given for all languages win; otherwise the language groups are summed.
    let mut forecast_all: BTreeMap<&str, [f64; 101]> = BTreeMap::new();
    let mut forecast_groups: BTreeMap<&str, [f64; 101]> = BTreeMap::new();
    for r in 0..population.len() {
        let area = &population.areas[population.area[r] as usize];
        let all = population.language[r] == LanguageGroup::All;
        match (&area.level, population.kind[r]) {
            (AreaLevel::DemandArea, PopulationKind::Observed) if all && population.year[r] == base_year => {
                bands.entry(area.id.as_str()).or_default().push((
                    population.age_min[r],
                    population.age_max[r],
                    population.count[r],
                ));
            }
            (AreaLevel::District(l), PopulationKind::Forecast)
                if l == level
                    && population.year[r] == target_year
                    && population.age_min[r] == population.age_max[r] =>
            {
                let target = if all { &mut forecast_all } else { &mut forecast_groups };
                target.entry(area.id.as_str()).or_insert([0.0; 101])[population.age_min[r] as usize] +=
                    population.count[r];
            }
            _ => {}
        }
    }
    let mut forecast = forecast_groups;
    forecast.extend(forecast_all);
    // Cells per district, in area order.
    let mut cells: BTreeMap<&str, Vec<&DemandArea>> = BTreeMap::new();
    for a in areas {
        if let Some(d) = a.districts.get(level) {
            cells.entry(d.as_str()).or_default().push(a);
        }
    }
    let mut out = Disaggregated::default();
    let empty = Vec::new();
    for (district, by_age) in &forecast {
        let members = cells.get(district).unwrap_or(&empty);
        if members.is_empty() {
            let total: f64 = by_age.iter().sum();
            out.unplaced.insert((*district).to_owned(), total);
            continue;
        }
        let band_count = |cell: &DemandArea, age: u8| -> f64 {
            bands
                .get(cell.id.as_str())
                .map_or(0.0, |bs| bs.iter().filter(|(lo, hi, _)| *lo <= age && age <= *hi).map(|b| b.2).sum())
        };
        let total_count =
            |cell: &DemandArea| -> f64 { bands.get(cell.id.as_str()).map_or(0.0, |bs| bs.iter().map(|b| b.2).sum()) };
        let ids: Vec<u32> = members
            .iter()
            .map(|c| {
                out.table.intern_area(&AreaLevel::DemandArea, c.id.as_str(), || {
                    c.origin
                        .clone()
                        .unwrap_or(crate::model::Origin { source: 0, location: crate::model::Location::File })
                })
            })
            .collect();
        for (age, &f) in by_age.iter().enumerate() {
            if f == 0.0 {
                continue;
            }
            let age = age as u8;
            let mut weights: Vec<f64> = members.iter().map(|c| band_count(c, age)).collect();
            if weights.iter().sum::<f64>() <= 0.0 {
                weights = members.iter().map(|c| total_count(c)).collect();
            }
            if weights.iter().sum::<f64>() <= 0.0 {
                weights = vec![1.0; members.len()];
            }
            let sum: f64 = weights.iter().sum();
            for (i, w) in weights.iter().enumerate() {
                let row = PopulationRow {
                    year: target_year,
                    age_min: age,
                    age_max: age,
                    count: Some(f * w / sum),
                    kind: PopulationKind::Forecast,
                    language: LanguageGroup::All,
                };
                out.table.push(ids[i], row, 0, 0);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DemandAreaId, DemandAreaKind, DistrictCode, Location, Origin};
    use geo::{MultiPolygon, Point};

    fn area(id: &str, district: &str) -> DemandArea {
        DemandArea {
            city: "091".into(),
            id: DemandAreaId(id.into()),
            kind: DemandAreaKind::Grid250m,
            geometry: MultiPolygon(vec![]),
            point: Point::new(0.0, 0.0),
            districts: [("peruspiiri".to_owned(), DistrictCode(district.into()))].into(),
            origin: None,
        }
    }

    fn push(
        t: &mut PopulationTable,
        level: AreaLevel,
        id: &str,
        year: u16,
        band: (u8, u8),
        count: Option<f64>,
        kind: PopulationKind,
    ) {
        let a = t.intern_area(&level, id, || Origin { source: 0, location: Location::File });
        t.push(
            a,
            PopulationRow { year, age_min: band.0, age_max: band.1, count, kind, language: LanguageGroup::All },
            0,
            0,
        );
    }

    #[test]
    fn hand_worked_example_conserves_district_totals() {
        // District 101 has cells a (30 children 0–9) and b (10), district 102 has c with a
        // suppressed band; 103 has no cells. Forecast age 3: 101 → 8, 102 → 5, 103 → 2.
        let mut t = PopulationTable::default();
        let obs = PopulationKind::Observed;
        push(&mut t, AreaLevel::DemandArea, "a", 2020, (0, 9), Some(30.0), obs);
        push(&mut t, AreaLevel::DemandArea, "b", 2020, (0, 9), Some(10.0), obs);
        push(&mut t, AreaLevel::DemandArea, "c", 2020, (0, 9), None, obs);
        push(&mut t, AreaLevel::DemandArea, "c", 2020, (10, 100), Some(7.0), obs);
        let pp = AreaLevel::District("peruspiiri".into());
        for (d, n) in [("101", 8.0), ("102", 5.0), ("103", 2.0)] {
            push(&mut t, pp.clone(), d, 2030, (3, 3), Some(n), PopulationKind::Forecast);
        }
        let areas = [area("a", "101"), area("b", "101"), area("c", "102")];
        let r = dasymetric(&t, &areas, "peruspiiri", 2020, 2030);
        let get = |id: &str| -> f64 {
            (0..r.table.len())
                .filter(|&i| r.table.areas[r.table.area[i] as usize].id == id)
                .map(|i| r.table.count[i])
                .sum()
        };
        assert_eq!(get("a"), 6.0); // 30 / 40 × 8
        assert_eq!(get("b"), 2.0); // 10 / 40 × 8
        assert_eq!(get("c"), 5.0); // only cell; suppressed band falls back to its total
        assert_eq!(r.unplaced.get("103"), Some(&2.0));
        assert_eq!(r.table.total() + 2.0, 15.0);
    }
}
