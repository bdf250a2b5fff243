//! Location-allocation solvers at city size: time to a certified gap.
//!
//! Synthetic instances (SplitMix64, seeded): demand points and candidate sites at random in
//! a 10 km × 10 km square, uniform or in 40 clusters; travel minutes = straight-line metres
//! / 1.2 m/s × a per-pair detour factor U(1.0, 1.3), unreachable beyond 60 minutes; weights
//! 0–40 children. Every solver runs with a 30 s time limit and a 1 % gap target (p-median:
//! the target, 13,000 × 500, p = 20, gap ≤ 1 % in < 30 s on 2 cores).
//!
//! `cargo bench --bench locate`; `PAVE_BENCH_QUICK=1` runs the small sizes only. Figures in
//! `benches/README.md`. `PAVE_BENCH_LARGE=50000x2000:50` solves one p-median of that size
//! instead (600 s limit). The side-by-side run with spopt + CBC / HiGHS is
//! `benches/locate_peers.sh`.

use pave::analysis::locate::{
    Answer, CapInstance, CapPool, Instance, Options, capacitated, max_coverage, p_center, p_median, set_cover,
};
use pave::sample::rng::Rng;
use std::time::Instant;

/// Demand weights, dense minutes (INFINITY beyond 60), and the points.
fn instance(seed: u64, n: usize, m: usize, clustered: bool) -> Instance {
    let mut rng = Rng::new(seed);
    let centres: Vec<(f64, f64)> = (0..40).map(|_| (rng.range(0.0, 10_000.0), rng.range(0.0, 10_000.0))).collect();
    let point = |rng: &mut Rng| {
        if clustered {
            let c = centres[rng.int(0, 39) as usize];
            ((c.0 + 600.0 * rng.normal()).clamp(0.0, 10_000.0), (c.1 + 600.0 * rng.normal()).clamp(0.0, 10_000.0))
        } else {
            (rng.range(0.0, 10_000.0), rng.range(0.0, 10_000.0))
        }
    };
    let demand: Vec<(f64, f64)> = (0..n).map(|_| point(&mut rng)).collect();
    let sites: Vec<(f64, f64)> = (0..m).map(|_| point(&mut rng)).collect();
    let weight = (0..n).map(|_| rng.int(0, 40) as f64).collect();
    let cost = demand
        .iter()
        .map(|d| {
            sites
                .iter()
                .map(|s| {
                    let t = (d.0 - s.0).hypot(d.1 - s.1) / 1.2 / 60.0 * rng.range(1.0, 1.3);
                    if t <= 60.0 { (t * 10.0).round() / 10.0 } else { f64::INFINITY }
                })
                .collect()
        })
        .collect();
    Instance { weight, cost, fixed_open: vec![], fixed_closed: vec![] }
}

fn row(kind: &str, size: &str, p: &str, seconds: f64, a: &Answer) {
    println!(
        "| {kind} | {size} | {p} | {seconds:.2} | {:.1} | {:.1} | {:.1} | {:.3} % | {} |",
        a.objective,
        a.lower_bound,
        a.upper_bound,
        a.gap * 100.0,
        if a.proven_optimal { "yes" } else { "no" }
    );
}

fn main() {
    let quick = std::env::var("PAVE_BENCH_QUICK").is_ok();
    let opt = Options { gap: 0.01, time_limit_s: 30.0, ..Options::default() };
    println!(
        "| kind | demand × sites | p / cutoff | seconds | objective | lower bound | upper bound | gap | ≤ 1 % proven |"
    );
    println!("|---|---|---|---:|---:|---:|---:|---:|---|");
    // PAVE_BENCH_LARGE="50000x2000:50": one p-median of that size with a 600 s limit (the
    // largest instance solved in ten minutes).
    if let Some((n, m, p)) = std::env::var("PAVE_BENCH_LARGE").ok().and_then(|v| {
        let (size, p) = v.split_once(':')?;
        let (n, m) = size.split_once('x')?;
        Some((n.parse().ok()?, m.parse().ok()?, p.parse().ok()?))
    }) {
        let t = Instant::now();
        let inst = instance(11, n, m, true);
        let capped =
            Instance { cost: inst.cost.iter().map(|r| r.iter().map(|c| c.min(60.0)).collect()).collect(), ..inst };
        let built = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let a =
            p_median(&capped, p, &Options { gap: 0.01, time_limit_s: 600.0, ..Options::default() }).expect("feasible");
        row(
            "p-median",
            &format!("{n} × {m} clustered (instance {built:.0} s)"),
            &p.to_string(),
            t.elapsed().as_secs_f64(),
            &a,
        );
        return;
    }
    let sizes: &[(usize, usize)] =
        if quick { &[(500, 100), (2_000, 100)] } else { &[(500, 100), (2_000, 100), (13_000, 500)] };
    for &(n, m) in sizes {
        for clustered in [false, true] {
            let inst = instance(7 + n as u64, n, m, clustered);
            let size = format!("{n} × {m}{}", if clustered { " clustered" } else { "" });
            let p = if m >= 500 { 20 } else { 10 };
            // As `pave locate` does: a child no chosen site reaches counts 60 minutes.
            let capped = Instance {
                cost: inst.cost.iter().map(|r| r.iter().map(|c| c.min(60.0)).collect()).collect(),
                ..inst.clone()
            };
            let t = Instant::now();
            let a = p_median(&capped, p, &opt).expect("feasible");
            row("p-median", &size, &p.to_string(), t.elapsed().as_secs_f64(), &a);
            let t = Instant::now();
            let a = max_coverage(&inst, p, 10.0, &opt).expect("feasible");
            row("max-coverage", &size, &format!("{p} / 10 min"), t.elapsed().as_secs_f64(), &a);
            let t = Instant::now();
            match set_cover(&inst, 30.0, &opt) {
                Ok(a) => row("set-cover", &size, "30 min", t.elapsed().as_secs_f64(), &a),
                Err(e) => println!("| set-cover | {size} | 30 min | – | infeasible: {e:?} |"),
            }
            let t = Instant::now();
            let a = p_center(&capped, p, &opt).expect("feasible");
            row("p-center", &size, &p.to_string(), t.elapsed().as_secs_f64(), &a);
            if n <= 2_000 {
                // Capacitated: two language classes, places ~1.1 × demand over p average sites.
                let total: f64 = inst.weight.iter().sum();
                let mut rng = Rng::new(99);
                let cap = CapInstance {
                    weight: inst.weight.clone(),
                    class: (0..n).map(|_| u8::from(rng.unit() < 0.1)).collect(),
                    cost: inst.cost.clone(),
                    pools: (0..m)
                        .flat_map(|j| {
                            let c = 1.1 * total / p as f64 * rng.range(0.6, 1.4);
                            [
                                CapPool { site: j, capacity: (0.9 * c).round(), accepts: 0b01 },
                                CapPool { site: j, capacity: (0.1 * c).round(), accepts: 0b10 },
                            ]
                        })
                        .collect(),
                    opening_cost: vec![0.0; m],
                    unserved_cost: 60.0,
                    fixed_open: vec![],
                    fixed_closed: vec![],
                };
                let t = Instant::now();
                let a = capacitated(&cap, Some(p), &opt).expect("feasible");
                row("capacitated p-median", &size, &p.to_string(), t.elapsed().as_secs_f64(), &a);
            }
        }
    }
}
