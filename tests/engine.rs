//! The engine's incremental re-scoring equals a cold evaluation: random edit sequences on
//! the sample cities (close, open, move, change places, change language, change scoring
//! parameters), each edit applied with `Engine::update` and compared with a fresh engine's
//! `Engine::evaluate` of the same edited scenario — every KPI, every district row and every
//! cell's allocated units.

mod support;

use pave::engine::{Engine, Evaluation, UpdateKind};
use pave::model::scenario::{Action, Change, KeyOrigin, Scenario};
use pave::progress::NoProgress;
use support::root;

/// SplitMix64 for reproducible edit sequences.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n.max(1) as u64) as usize
    }
}

/// Everything an analyst reads from an evaluation, as text: KPIs (without the count of
/// searches, which differs by design), districts, and each cell's units.
fn fingerprint(e: &Evaluation) -> String {
    let mut k = e.kpis.clone();
    k.unit_searches = 0;
    let cells: Vec<(Option<u32>, Option<u32>, Option<u32>)> =
        e.outcome.cells.iter().map(|c| (c.allocated, c.rule_unit, c.optimum_unit)).collect();
    let units: Vec<String> = e.outcome.active.iter().map(|&i| e.outcome.plans[i].id.clone()).collect();
    format!(
        "{}\n{}\n{cells:?}\n{units:?}",
        serde_json::to_string(&k).unwrap(),
        serde_json::to_string(&e.outcome.districts).unwrap()
    )
}

fn change(action: Action, unit: &str) -> Change {
    Change { action, ..Change::close(unit) }
}

/// Applies `n` random edits to the sample scenario `file`, checking each against a cold run.
fn random_edits(file: &str, seed: u64, n: usize) {
    let base = pave::io::scenario::read(&root().join("sample-data").join(file)).unwrap();
    let mut engine = Engine::new();
    let mut eval = engine.evaluate(&base, &NoProgress).unwrap();
    let mut scenario: Scenario = base.clone();
    let mut rng = Rng(seed);
    let data = eval.data.clone();
    let points: Vec<(f64, f64)> = data.demand_areas.iter().map(|a| (a.point.x(), a.point.y())).collect();
    let mut opened = 0;
    let mut done = 0;
    let mut tries = 0;
    while done < n && tries < 10 * n {
        tries += 1;
        let ids: Vec<String> = eval.outcome.active.iter().map(|&i| eval.outcome.plans[i].id.clone()).collect();
        let unit = ids[rng.below(ids.len())].clone();
        let at = points[rng.below(points.len())];
        let mut c = match rng.below(6) {
            0 => change(Action::Close, &unit),
            1 => {
                opened += 1;
                let langs = [("fi", 42), ("sv", 28), ("shared", 35)];
                let (l, p) = langs[rng.below(3)];
                Change {
                    name: Some(format!("Test {opened}")),
                    at: Some([at.0, at.1]),
                    crs: Some(3067),
                    places: Some([(l.to_owned(), p)].into()),
                    ..change(Action::Open, &format!("TEST-{opened}"))
                }
            }
            2 => Change {
                places: Some([("fi".to_owned(), 14 * (1 + rng.below(8) as i64))].into()),
                ..change(Action::Capacity, &unit)
            },
            3 => Change { at: Some([at.0, at.1]), crs: Some(3067), ..change(Action::Move, &unit) },
            4 => Change { to: Some(["fi", "sv", "shared"][rng.below(3)].into()), ..change(Action::Language, &unit) },
            _ => {
                // A scoring parameter: threshold or headline rule.
                scenario.parameters.threshold_min = [10.0, 16.0, 20.0][rng.below(3)];
                change(Action::Close, "")
            }
        };
        let mut next = scenario.clone();
        if !c.unit.is_empty() {
            c.crs = c.crs.or(None);
            next.changes.push((c, KeyOrigin { file: base.files[0].clone(), line: 1000 + done as u64 }));
        }
        let kind = match engine.update(&mut eval, next.clone(), &NoProgress) {
            Ok(k) => k,
            Err(_) => continue, // e.g. a point off the network: a clear error, state kept
        };
        scenario = next;
        done += 1;
        let cold = Engine::new().evaluate(&scenario, &NoProgress).unwrap();
        assert_eq!(fingerprint(&eval), fingerprint(&cold), "{file} seed {seed}: edit {done} ({kind:?}) differs");
        assert_ne!(kind, UpdateKind::Cold, "{file}: unit and parameter edits are incremental");
    }
    assert_eq!(done, n, "{file}: {n} edits applied");
}

#[test]
fn edits_on_helsinki_equal_cold_evaluations() {
    for seed in [1, 2, 3] {
        random_edits("helsinki/scenarios/base-2030.toml", seed, 8);
    }
}

#[test]
fn edits_on_turku_equal_cold_evaluations() {
    random_edits("turku/scenarios/base-2024.toml", 7, 8);
}

#[test]
fn a_rejected_edit_leaves_the_evaluation_as_it_was() {
    let base = pave::io::scenario::read(&root().join("sample-data/helsinki/scenarios/base-2030.toml")).unwrap();
    let mut engine = Engine::new();
    let mut eval = engine.evaluate(&base, &NoProgress).unwrap();
    let before = fingerprint(&eval);
    let mut bad = base.clone();
    bad.changes.push((change(Action::Close, "NO-SUCH-UNIT"), KeyOrigin { file: base.files[0].clone(), line: 99 }));
    let err = engine.update(&mut eval, bad, &NoProgress).unwrap_err();
    assert!(err.to_string().contains("no unit 'NO-SUCH-UNIT'"), "{err}");
    assert_eq!(fingerprint(&eval), before);
}

#[test]
fn edits_on_kuopio_by_car_equal_cold_evaluations() {
    // Every area reaches every unit by car: the dense case.
    random_edits("kuopio/scenarios/base-2030.toml", 11, 3);
}
