//! Benchmark: a Helsinki-size scenario — 13,225 grid cells (250 m), 300 daycares, 60,000
//! children in three language groups — end to end once the network is built (snapping,
//! travel times, both allocations, KPIs, accessibility, tables, report, writing), and ten
//! scenarios in a row that each close three units and open two, reusing travel columns.
//!
//! Run: `cargo bench --bench scenario` (PAVE_BENCH_QUICK=1 for a smaller run,
//! PAVE_BENCH_CAR=1 for car speeds).

use pave::analysis::demand::Demand;
use pave::model::network::{Mode, NetworkSource};
use pave::model::scenario::{Decay, KeyOrigin, Parameters, Rule, Scenario};
use pave::model::{Dataset, DemandArea, DemandAreaId, DemandAreaKind, DistrictCode, Language};
use pave::network::build::build;
use pave::sample::rng::Rng;
use pave::scenario::apply::{UnitPlan, UnitStatus};
use pave::scenario::kpis::{Kpis, Provenance};
use pave::scenario::output;
use pave::scenario::run::evaluate;
use pave::scenario::travel::Travel;
use std::time::Instant;

fn main() {
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
    let mut data = Dataset { city: "Bench".into(), district_levels: vec!["district".into()], ..Dataset::default() };
    let mut demand = Demand { children: Vec::new(), method: "bench".into(), unplaced: 0.0 };
    let weights: Vec<f64> = (0..cells_side * cells_side).map(|_| rng.range(0.0, 2.0)).collect();
    let total: f64 = weights.iter().sum();
    for i in 0..cells_side {
        for j in 0..cells_side {
            let (x, y) = (380_000.0 + 125.0 + i as f64 * 250.0, 6_660_000.0 + 125.0 + j as f64 * 250.0);
            let district = format!("{}{}", i * 4 / cells_side, j * 4 / cells_side);
            data.demand_areas.push(DemandArea {
                city: "Bench".into(),
                id: DemandAreaId(pave::model::demand::grid::inspire_id(250, x - 125.0, y - 125.0)),
                kind: DemandAreaKind::Grid250m,
                geometry: pave::model::demand::grid::cell_polygon(250.0, x - 125.0, y - 125.0),
                point: geo::Point::new(x, y),
                districts: [("district".to_owned(), DistrictCode(district))].into(),
                origin: None,
            });
            let n = children * weights[i * cells_side + j] / total;
            demand.children.push([n * 0.79, n * 0.06, n * 0.15, 0.0]);
        }
    }
    let by_age: Vec<Demand> = (0..6)
        .map(|_| Demand { children: demand.children.iter().map(|c| c.map(|v| v / 6.0)).collect(), ..demand.clone() })
        .collect();
    let extent = cells_side as f64 * 250.0;
    let plans: Vec<UnitPlan> = (0..units_n)
        .map(|u| {
            let places = (children * 0.95 / units_n as f64 * rng.range(0.5, 1.5)).round() as u32;
            let lang = if u % 10 == 0 { Language::Swedish } else { Language::Finnish };
            UnitPlan {
                id: format!("U{u:03}"),
                name: format!("Unit {u}"),
                x: 380_000.0 + rng.range(0.0, extent),
                y: 6_660_000.0 + rng.range(0.0, extent),
                places: vec![(Some(lang), places)],
                places_before: places,
                status: UnitStatus::Kept,
                premises: None,
                changed_at: None,
                districts: Default::default(),
            }
        })
        .collect();
    let params = Parameters {
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
    };
    let here = KeyOrigin { file: "bench.toml".into(), line: 1 };
    let scenario = Scenario {
        name: "bench".into(),
        title: "bench".into(),
        files: vec![],
        profile: "bench".into(),
        year: (2030, here.clone()),
        service: ("early_childhood_education".into(), here),
        ages: None,
        network: NetworkSource::File("bench".into()),
        mode: Mode::Walk,
        speeds: (1.2, 4.2),
        max_snap_m: 500.0,
        parameters: params.clone(),
        changes: vec![],
    };
    let out = tempfile::tempdir().unwrap();
    let cells: Vec<(f64, f64)> = data.demand_areas.iter().map(|a| (a.point.x(), a.point.y())).collect();
    let t0 = Instant::now();
    let mut travel = Travel::new(&net, cells, 500.0, 3_600_000);
    let snap = t0.elapsed().as_secs_f64();
    let run = |plans: Vec<UnitPlan>, travel: &mut Travel<'_>, k: usize| -> [f64; 4] {
        let t = Instant::now();
        let points: Vec<(f64, f64)> = plans.iter().filter(|u| u.open()).map(|u| (u.x, u.y)).collect();
        let (times, distances) = travel.times(&points, &|_| {});
        let t_travel = t.elapsed().as_secs_f64();
        let o = evaluate(&data, &params, plans, &demand, &by_age, (&times, &distances));
        let t_eval = t.elapsed().as_secs_f64() - t_travel;
        let prov = Provenance::new(&scenario, &data, &net, "bench");
        let tables = [
            output::cells_table(&data, &o, &prov),
            output::units_table(&o, &prov, 1),
            output::allocation_table(&data, &o, "nearest_with_vacancy", "system_optimum", &prov),
            output::districts_table(&o, &prov),
        ];
        let kpis = Kpis::new(&scenario, &o, prov.clone(), &[], 0);
        let html = pave::scenario::report::html(&scenario, &data, &o, &kpis);
        output::write(&out.path().join(format!("s{k}")), &tables, &kpis, &html).unwrap();
        let t_all = t.elapsed().as_secs_f64();
        [t_travel, t_eval, t_all - t_travel - t_eval, t_all]
    };
    let first = run(plans.clone(), &mut travel, 0);
    println!(
        "one scenario ({} cells, {units_n} units, {children:.0} children): snap {snap:.2} s + travel {:.2} s + scoring {:.2} s + outputs {:.2} s = {:.2} s end to end",
        data.demand_areas.len(),
        first[0],
        first[1],
        first[2],
        snap + first[3]
    );
    let t = Instant::now();
    let before = travel.searches;
    for k in 1..=10 {
        let mut p = plans.clone();
        for c in 0..3 {
            p[(k * 7 + c * 31) % units_n].status = UnitStatus::Closed;
        }
        for n in 0..2 {
            let mut u = p[(k * 13 + n * 17) % units_n].clone();
            u.id = format!("NEW{k}-{n}");
            u.x = 380_000.0 + rng.range(0.0, extent);
            u.y = 6_660_000.0 + rng.range(0.0, extent);
            u.status = UnitStatus::Opened;
            p.push(u);
        }
        run(p, &mut travel, k);
    }
    println!(
        "ten more scenarios (3 closed + 2 opened each): {:.2} s, {} unit searches (the other columns reused)",
        t.elapsed().as_secs_f64(),
        travel.searches - before
    );
}
