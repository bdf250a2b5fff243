//! Benchmark: a Helsinki-size scenario — 13,225 grid cells (250 m), 300 daycares, 60,000
//! children in three language groups — through the engine: a cold evaluation (snapping,
//! travel columns, both allocations, the same-children optimum, KPIs, accessibility), its
//! outputs, and a planner's session of edits — close one unit, open one, change one unit's
//! places, move one — each re-scored incrementally. Every tenth edit is checked against a
//! cold evaluation of the edited scenario (identical KPIs).
//!
//! Run: `cargo bench --bench scenario` (PAVE_BENCH_QUICK=1 for a smaller run,
//! PAVE_BENCH_CAR=1 for car speeds, PAVE_BENCH_EDITS=N edits of each kind, default 10).

use pave::engine::{Engine, UpdateKind};
use pave::model::Capacity;
use pave::model::network::{Mode, NetworkSource};
use pave::model::population::{AreaLevel, PopulationRow};
use pave::model::profile::Years;
use pave::model::scenario::{Action, Change, Decay, KeyOrigin, Parameters, Rule, Scenario};
use pave::model::{
    Dataset, DemandArea, DemandAreaId, DemandAreaKind, DistrictCode, Language, LanguageGroup, Location, Operator,
    Origin, PopulationKind, Status, Unit, UnitId,
};
use pave::network::build::build;
use pave::progress::NoProgress;
use pave::sample::rng::Rng;
use std::collections::BTreeMap;
use std::time::Instant;

fn main() {
    let quick = std::env::var_os("PAVE_BENCH_QUICK").is_some();
    let edits: usize = std::env::var("PAVE_BENCH_EDITS").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
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
    let mut engine = Engine::new();
    engine.add_city(&base.profile, data.clone());
    engine.add_network(&base, net.clone());
    let t = Instant::now();
    let mut eval = engine.evaluate(&base, &NoProgress).expect("the bench scenario evaluates");
    let cold = t.elapsed().as_secs_f64();
    let out = tempfile::tempdir().unwrap();
    let t = Instant::now();
    engine.write(&eval, &out.path().join("cold")).unwrap();
    let outputs = t.elapsed().as_secs_f64();
    let head = eval.kpis.headline();
    println!(
        "cold evaluation ({} cells, {units_n} units, {:.0} children): {cold:.2} s (incl. the first {} unit searches) + outputs {outputs:.2} s; within 16 min {:.1} %",
        data.demand_areas.len(),
        head.children,
        eval.searches,
        head.within_share.unwrap_or(0.0) * 100.0
    );
    // A second cold evaluation reuses every travel column: allocations and scoring alone.
    let t = Instant::now();
    let again = engine.evaluate(&base, &NoProgress).unwrap();
    println!(
        "cold evaluation with travel columns cached: {:.2} s — {}",
        t.elapsed().as_secs_f64(),
        phases(&again.phases)
    );
    drop(again);

    // A planner's session: edits of four kinds, each re-scored at once.
    let mut scenario = base.clone();
    let mut times: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let change = |action: Action, unit: String| Change {
        action,
        unit,
        name: None,
        at: None,
        crs: Some(3067),
        premises: None,
        places: None,
        add: None,
        to: None,
    };
    let mut checked = 0;
    let mut edit_phases: BTreeMap<&str, Vec<pave::engine::Phases>> = BTreeMap::new();
    for k in 0..edits * 4 {
        let unit = format!("U{:03}", (k * 37 + 11) % units_n);
        let c = match k % 4 {
            0 => ("close", change(Action::Close, unit)),
            1 => (
                "open",
                Change {
                    name: Some(format!("New {k}")),
                    at: Some([380_000.0 + rng.range(0.0, extent), 6_660_000.0 + rng.range(0.0, extent)]),
                    places: Some([("fi".to_owned(), 60)].into()),
                    ..change(Action::Open, format!("NEW{k}"))
                },
            ),
            2 => ("places", Change { places: Some([("fi".to_owned(), 120)].into()), ..change(Action::Capacity, unit) }),
            _ => (
                "move",
                Change {
                    at: Some([380_000.0 + rng.range(0.0, extent), 6_660_000.0 + rng.range(0.0, extent)]),
                    ..change(Action::Move, unit)
                },
            ),
        };
        // Skip edits of a unit already closed by an earlier edit.
        let closed = scenario.changes.iter().any(|(p, _)| p.action == Action::Close && p.unit == c.1.unit);
        if closed && c.0 != "open" {
            continue;
        }
        scenario.changes.push((c.1, KeyOrigin { file: "bench.toml".into(), line: k as u64 + 2 }));
        let t = Instant::now();
        let kind = engine.update(&mut eval, scenario.clone(), &NoProgress).expect("the edit applies");
        times.entry(c.0).or_default().push(t.elapsed().as_secs_f64());
        edit_phases.entry(c.0).or_default().push(eval.phases.clone());
        assert_eq!(kind, UpdateKind::Incremental, "{} is an incremental edit", c.0);
        if k % 10 == 9 {
            let mut fresh = Engine::new();
            fresh.add_city(&base.profile, data.clone());
            fresh.add_network(&base, net.clone());
            let cold = fresh.evaluate(&scenario, &NoProgress).unwrap();
            let strip = |k: &pave::scenario::kpis::Kpis| {
                let mut k = k.clone();
                k.unit_searches = 0;
                serde_json::to_string(&k).unwrap()
            };
            assert_eq!(strip(&eval.kpis), strip(&cold.kpis), "edit {k} differs from a cold evaluation");
            checked += 1;
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let mut all: Vec<f64> = times.values().flatten().copied().collect();
    let parts: Vec<String> =
        times.iter_mut().map(|(k, v)| format!("{k} {:.0} ms (n = {})", median(v) * 1000.0, v.len())).collect();
    println!(
        "edits re-scored: median {:.0} ms, max {:.0} ms over {} edits — {}; {checked} checked equal to cold evaluations",
        median(&mut all) * 1000.0,
        all.last().copied().unwrap_or(0.0) * 1000.0,
        all.len(),
        parts.join(", ")
    );
    for (kind, list) in &edit_phases {
        let mut names: Vec<&str> = Vec::new();
        for p in list.iter().flat_map(|p| &p.list) {
            if !names.contains(&p.0) {
                names.push(p.0);
            }
        }
        let medians: Vec<String> = names
            .iter()
            .map(|n| {
                let mut v: Vec<f64> = list.iter().map(|p| p.get(n)).collect();
                format!("{n} {:.0} ms", median(&mut v) * 1000.0)
            })
            .collect();
        println!("  {kind}, median of each phase: {}", medians.join(" · "));
    }
}

/// `phase 0.12 s · …`.
fn phases(p: &pave::engine::Phases) -> String {
    p.list.iter().map(|(n, t)| format!("{n} {t:.2} s")).collect::<Vec<_>>().join(" · ")
}
