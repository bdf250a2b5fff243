//! Benchmark and bounded load test of `pave serve` on the Helsinki-size bench city
//! (`benches/support/city.rs`), served in-process on 127.0.0.1:
//! 1. the JSON API: `PAVE_BENCH_REQUESTS` (default 200) evaluations of random edits (close,
//!    open, move, change places) from `PAVE_BENCH_CLIENTS` (default 4) concurrent clients:
//!    requests/s, p50 / p95 latency, errors (must be 0);
//!    then 20 edits while another client changes the participation rate over and over (cold
//!    evaluations), with `PAVE_BENCH_WORKERS` (default 2) workers;
//! 2. the app in headless Chromium (when /usr/bin/chromium and chromedriver exist): time
//!    from navigation to the page with the map drawn, and edit → KPIs and map updated in the
//!    browser (from the click to the end of the map's repaint with the new figures; the
//!    unit table follows), over `PAVE_BENCH_EDITS` (default 10) closures.
//!
//! `cargo bench --bench serve`; figures in `benches/README.md`.

#[path = "support/city.rs"]
mod city;
#[path = "../tests/support/web.rs"]
mod web;

use pave::engine::Engine;
use serde_json::{Value, json};
use std::time::Instant;

fn median_p95(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.95))
}

fn main() {
    let requests: usize = std::env::var("PAVE_BENCH_REQUESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(200).max(1);
    let clients: usize = std::env::var("PAVE_BENCH_CLIENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(4);
    let edits: usize = std::env::var("PAVE_BENCH_EDITS").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    let city::City { data, net, base, mut rng, extent, units_n } = city::city();
    let mut engine = Engine::new();
    engine.add_city(&base.profile, data);
    engine.add_network(&base, net);
    let out = tempfile::tempdir().expect("temp dir");
    let config = pave::server::Config {
        bind: [127, 0, 0, 1].into(),
        port: 0,
        scenarios: Vec::new(),
        out: out.path().to_owned(),
        tiles: None,
        workers: std::env::var("PAVE_BENCH_WORKERS").ok().and_then(|v| v.parse().ok()).unwrap_or(2),
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let started = Instant::now();
    let file = base.files[0].clone();
    std::thread::spawn(move || {
        let result = pave::server::serve_with(engine, vec![(file, base)], config, |addr| {
            let _ = tx.send(addr.to_string());
        });
        if let Err(e) = result {
            eprintln!("serve: {e}");
            std::process::exit(1);
        }
    });
    let addr = rx.recv().expect("the server starts");
    println!("server up in {:.2} s (network, city and the first evaluation)", started.elapsed().as_secs_f64());
    let t = Instant::now();
    let (status, map) = web::http(&addr, "GET", "/api/scenarios/0/map", b"");
    assert_eq!(status, 200);
    println!("map layers: {:.1} MB in {:.2} s", map.len() as f64 / 1e6, t.elapsed().as_secs_f64());

    // Every worker ready (the others evaluate the scenario after the server is up).
    let workers_ready = Instant::now();
    loop {
        let (_, config) = web::http(&addr, "GET", "/api/config", b"");
        let config: Value = serde_json::from_slice(&config).expect("json");
        if config["workers_ready"] == config["workers"] {
            println!(
                "{} workers ready {:.2} s after the server was up",
                config["workers"],
                workers_ready.elapsed().as_secs_f64()
            );
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }

    // 1. The JSON API under load.
    let bodies: Vec<Value> = (0..requests)
        .map(|k| {
            let unit = format!("U{:03}", (k * 37 + 11) % units_n);
            let x = 380_000.0 + rng.range(0.0, extent);
            let y = 6_660_000.0 + rng.range(0.0, extent);
            let change = match k % 4 {
                0 => json!({ "action": "close", "unit": unit }),
                1 => json!({ "action": "open", "unit": format!("NEW{k}"), "at": [x, y], "crs": 3067, "places": { "fi": 60 } }),
                2 => json!({ "action": "move", "unit": unit, "at": [x, y], "crs": 3067 }),
                _ => json!({ "action": "capacity", "unit": unit, "places": { "fi": 10 + k % 50 } }),
            };
            json!({ "changes": [change] })
        })
        .collect();
    let t = Instant::now();
    let results: Vec<(u16, f64, f64)> = std::thread::scope(|s| {
        let chunks: Vec<&[Value]> = bodies.chunks(requests.div_ceil(clients)).collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                let addr = addr.clone();
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|b| {
                            let t = Instant::now();
                            let (status, view) = web::post(&addr, "/api/scenarios/0/evaluate", b);
                            (status, t.elapsed().as_secs_f64() * 1000.0, view["engine_ms"].as_f64().unwrap_or(0.0))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("client")).collect()
    });
    let wall = t.elapsed().as_secs_f64();
    let errors = results.iter().filter(|r| r.0 != 200).count();
    let (p50, p95) = median_p95(results.iter().map(|r| r.1).collect());
    let (e50, _) = median_p95(results.iter().map(|r| r.2).collect());
    println!(
        "API: {requests} evaluations from {clients} clients in {wall:.1} s: {:.1} requests/s, latency p50 {p50:.0} ms, p95 {p95:.0} ms (engine p50 {e50:.0} ms), errors {errors}",
        requests as f64 / wall
    );
    assert_eq!(errors, 0, "every request answered 200");

    // 1b. One planner edits while another changes the participation rate (each a cold
    // evaluation): the first one's latency.
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (edits_ms, colds) = std::thread::scope(|s| {
        let other = s.spawn(|| {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let p = if n % 2 == 0 { 0.7 } else { 0.8 };
                let (status, _) = web::post(&addr, "/api/scenarios/0/evaluate", &json!({ "participation": p }));
                assert_eq!(status, 200);
                n += 1;
            }
            n
        });
        let mut ms = Vec::new();
        for k in 0..20 {
            let unit = format!("U{:03}", (k * 53 + 7) % units_n);
            let t = Instant::now();
            let (status, _) = web::post(
                &addr,
                "/api/scenarios/0/evaluate",
                &json!({ "changes": [{ "action": "close", "unit": unit }] }),
            );
            assert_eq!(status, 200);
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        (ms, other.join().expect("the other planner"))
    });
    let (p50, p95) = median_p95(edits_ms);
    println!(
        "API: 20 edits beside another planner's {colds} cold evaluations: latency p50 {p50:.0} ms, p95 {p95:.0} ms"
    );

    // Peak memory of this process (server and clients; the clients' share is small).
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_owned())
        })
        .and_then(|kb| kb.parse::<f64>().ok())
        .unwrap_or(0.0);
    println!("peak memory (VmHWM) {:.0} MB", peak / 1024.0);

    // 2. The app in Chromium.
    let Some(browser) = web::Browser::start() else {
        println!("browser: skipped (no chromium / chromedriver)");
        return;
    };
    let mut loads = Vec::new();
    for _ in 0..3 {
        browser.call("/url", json!({ "url": format!("http://{addr}/") }));
        browser.until("the page", "return document.body.dataset.ready === '0'");
        loads.push(browser.script("return Number(document.body.dataset.readyAt)").as_f64().unwrap_or(f64::NAN));
    }
    let (load50, _) = median_p95(loads.clone());
    println!("browser: page with the map drawn {load50:.0} ms after navigation (median of {loads:.0?})");
    let mut times = Vec::new();
    for k in 0..edits {
        let script = format!(
            "const done = arguments[arguments.length - 1];
             showUnit({}, false);
             const want = String(state.steps.length + 1), t0 = performance.now();
             document.getElementById('unit-close').click();
             const painted = () => document.body.dataset.ready === want && map.paintStarted >= Number(document.body.dataset.readyAt) && map.paintMs !== undefined;
             const wait = () => painted() ? done(map.paintStarted + map.paintMs - t0) : setTimeout(wait, 2);
             wait();",
            (k * 53 + 7) % units_n
        );
        let ms = browser.call("/execute/async", json!({ "script": script, "args": [] }));
        times.push(ms.as_f64().unwrap_or(f64::NAN));
        if k < 3 {
            println!("  edit {k}: {ms} ms — {}", browser.script("return document.body.dataset.timing + ' paint ' + map.paintMs + ' ms, from ready to paint ' + (map.paintStarted - Number(document.body.dataset.readyAt)) + ' ms'"));
        }
    }
    let (m, p95) = median_p95(times.clone());
    println!("browser: edit → KPIs and map updated, median {m:.0} ms, p95 {p95:.0} ms over {edits} closures");
    browser.screenshot("bench-helsinki-size.png");
}
