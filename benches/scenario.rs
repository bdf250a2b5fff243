//! Benchmark: a Helsinki-size scenario — 13,225 grid cells (250 m), 300 daycares, 60,000
//! children in three language groups — through the engine: a cold evaluation (snapping,
//! travel columns, both allocations, the same-children optimum, KPIs, accessibility), its
//! outputs, and a planner's session of edits — close one unit, open one, change one unit's
//! places, move one — each re-scored incrementally. Every tenth edit is checked against a
//! cold evaluation of the edited scenario (identical KPIs).
//!
//! Run: `cargo bench --bench scenario` (PAVE_BENCH_QUICK=1 for a smaller run,
//! PAVE_BENCH_CAR=1 for car speeds, PAVE_BENCH_EDITS=N edits of each kind, default 10).

#[path = "support/city.rs"]
mod city;

use pave::engine::{Engine, UpdateKind};
use pave::model::scenario::{Action, Change, KeyOrigin};
use pave::progress::NoProgress;
use std::collections::BTreeMap;
use std::time::Instant;

fn main() {
    let edits: usize = std::env::var("PAVE_BENCH_EDITS").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    let city::City { data, net, base, mut rng, extent, units_n } = city::city();
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
