//! The Helsinki-size bench city shared by `benches/scenario.rs` and `benches/serve.rs`:
//! 13,225 grid cells (250 m), 300 daycares (every tenth Swedish-language), 60,000 children
//! (79 % Finnish, 6 % Swedish, 15 % other), a road-like street grid every 100 m walked at
//! 1.2 m/s (`PAVE_BENCH_CAR=1`: 30–50 km/h), all SYNTHETIC and seeded.
#![allow(dead_code)]

use pave::model::Capacity;
use pave::model::network::{Mode, NetworkSource};
use pave::model::population::{AreaLevel, PopulationRow};
use pave::model::profile::Years;
use pave::model::scenario::{Decay, KeyOrigin, Parameters, Rule, Scenario};
use pave::model::{
    Dataset, DemandArea, DemandAreaId, DemandAreaKind, DistrictCode, Language, LanguageGroup, Location, Operator,
    Origin, PopulationKind, Status, Unit, UnitId,
};
use pave::network::Network;
use pave::network::build::build;
use pave::sample::rng::Rng;
use std::collections::BTreeMap;
use std::time::Instant;

/// The bench city: its data, network, base scenario, the generator (for edits), the
/// extent of the cells (m) and the number of units.
pub struct City {
    pub data: Dataset,
    pub net: Network,
    pub base: Scenario,
    pub rng: Rng,
    pub extent: f64,
    pub units_n: usize,
}

/// Builds the city (`PAVE_BENCH_QUICK`: 1,600 cells and 60 units).
pub fn city() -> City {
    let quick = std::env::var_os("PAVE_BENCH_QUICK").is_some();
    let (cells_side, units_n, children) = if quick { (40, 60, 6_000.0) } else { (115, 300, 60_000.0) };
    let t = Instant::now();
    // Streets every 100 m over the cells' square, walked at 1.2 m/s.
    // PAVE_BENCH_CAR=1 keeps the generator's 30–50 km/h: every cell then reaches every unit
    // within the cutoff (the dense case).
    let car = std::env::var_os("PAVE_BENCH_CAR").is_some();
    let mut raw = pave::sample::roads::grid(cells_side * 5 / 2 + 2, 7);
    if !car {
        for e in &mut raw.edges {
            e.time_ms = (e.length_m / 1.2 * 1000.0).round() as u32;
        }
    }
    let (net, _) = build(&raw, "bench grid");
    println!(
        "network: {} nodes, {} edges, built in {:.2} s",
        net.node_count(),
        net.edge_count(),
        t.elapsed().as_secs_f64()
    );

    let mut rng = Rng::new(11);
    let mut data = Dataset {
        city: "Bench".into(),
        district_levels: vec!["district".into()],
        years: Some(Years { observed: Some([2024, 2024]), forecast: None }),
        ..Dataset::default()
    };
    let origin = || Origin { source: 0, location: Location::File };
    let weights: Vec<f64> = (0..cells_side * cells_side).map(|_| rng.range(0.0, 2.0)).collect();
    let total: f64 = weights.iter().sum();
    for i in 0..cells_side {
        for j in 0..cells_side {
            let (x, y) = (380_000.0 + 125.0 + i as f64 * 250.0, 6_660_000.0 + 125.0 + j as f64 * 250.0);
            let district = format!("{}{}", i * 4 / cells_side, j * 4 / cells_side);
            let id = pave::model::demand::grid::inspire_id(250, x - 125.0, y - 125.0);
            data.demand_areas.push(DemandArea {
                city: "Bench".into(),
                id: DemandAreaId(id.clone()),
                kind: DemandAreaKind::Grid250m,
                geometry: pave::model::demand::grid::cell_polygon(250.0, x - 125.0, y - 125.0),
                point: geo::Point::new(x, y),
                districts: [("district".to_owned(), DistrictCode(district))].into(),
                origin: None,
            });
            let n = children * weights[i * cells_side + j] / total;
            let area = data.population.intern_area(&AreaLevel::DemandArea, &id, origin);
            for (language, share) in
                [(LanguageGroup::Finnish, 0.79), (LanguageGroup::Swedish, 0.06), (LanguageGroup::Other, 0.15)]
            {
                let row = PopulationRow {
                    year: 2024,
                    age_min: 1,
                    age_max: 6,
                    count: Some(n * share),
                    kind: PopulationKind::Observed,
                    language,
                };
                data.population.push(area, row, 0, 0);
            }
        }
    }
    let extent = cells_side as f64 * 250.0;
    for u in 0..units_n {
        let places = (children * 0.95 / units_n as f64 * rng.range(0.5, 1.5)).round() as u32;
        let lang = if u % 10 == 0 { Language::Swedish } else { Language::Finnish };
        data.units.push(Unit {
            city: "999".into(),
            id: UnitId(format!("U{u:03}")),
            name_fi: format!("Unit {u}"),
            name_sv: None,
            service_type: "early_childhood_education".into(),
            x: 380_000.0 + rng.range(0.0, extent),
            y: 6_660_000.0 + rng.range(0.0, extent),
            capacity: vec![Capacity { language: Some(lang), places }],
            status: Status::Active,
            opening_year: None,
            closing_year: None,
            operator: Operator::Municipal,
            languages: vec![lang],
            premises_id: None,
            districts: BTreeMap::new(),
            origin: None,
        });
    }
    let here = KeyOrigin { file: "bench.toml".into(), line: 1 };
    let base = Scenario {
        name: "bench".into(),
        title: "bench".into(),
        files: vec!["bench.toml".into()],
        profile: "bench/profile.toml".into(),
        year: (2024, here.clone()),
        service: ("early_childhood_education".into(), here.clone()),
        ages: Some(([1, 6], here.clone())),
        network: NetworkSource::File("bench.pavenet".into()),
        mode: Mode::Custom,
        speeds: (1.2, 4.2),
        max_snap_m: 500.0,
        parameters: Parameters {
            threshold_min: 16.0,
            target_share: 0.8,
            threshold_m: Some(1000.0),
            search_cutoff_min: 60.0,
            participation: 1.0,
            k_nearest: 3,
            catchment_min: 16.0,
            e2sfca_bands_min: vec![5.0, 10.0, 16.0],
            e2sfca_weights: vec![1.0, 0.68, 0.22],
            decay: Decay::Exponential { half_life_min: 10.0 },
            allocation: Rule::NearestWithVacancy,
            under_used_below: 0.85,
            over_used_above: 1.0,
            district_level: None,
            study_districts: None,
        },
        changes: vec![],
    };
    City { data, net, base, rng, extent, units_n }
}
