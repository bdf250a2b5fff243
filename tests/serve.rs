//! `pave serve`: the JSON API against `pave run` (a saved scenario gives exactly the KPIs
//! shown), bad requests answered 400 with named fields, no request path opened, concurrent
//! evaluations equal to sequential ones; and the app itself in a real headless Chromium
//! (through ChromeDriver) when one is installed — required when `CI` is set.

mod support;

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use support::web::{Browser, http, post};

/// A running `pave serve`, stopped when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn helsinki() -> Vec<PathBuf> {
    let dir = support::root().join("sample-data/helsinki/scenarios");
    vec![dir.join("base-2030.toml"), dir.join("close-two-open-one.toml")]
}

fn serve(scenarios: &[PathBuf], out: &Path) -> Server {
    serve_with(scenarios, out, &[])
}

fn serve_with(scenarios: &[PathBuf], out: &Path, options: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pave"))
        .arg("serve")
        .args(scenarios)
        .args(["--port", "0", "--out"])
        .arg(out)
        .args(options)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start pave serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("read the address");
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap_or_else(|| panic!("pave serve printed no address: {line:?}"))
        .to_owned();
    Server { child, addr }
}

/// Edits a planner makes: close one unit, open one, resize one, move one, and a parameter.
fn planner_edits() -> Value {
    json!({
        "participation": 0.8,
        "changes": [
            { "action": "close", "unit": "23003" },
            { "action": "open", "unit": "NEW-1", "name": "Uusi päiväkoti", "at": [385600, 6671800], "crs": 3067, "places": { "fi": 40, "shared": 10 } },
            { "action": "capacity", "unit": "23004", "places": { "fi": 30 } },
            { "action": "move", "unit": "23001", "at": [385900, 6671500], "crs": 3067 }
        ]
    })
}

/// Where two JSON values first differ: the path and both values.
fn difference(a: &Value, b: &Value, at: &str) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                if y.get(k) != Some(v) {
                    return difference(v, y.get(k).unwrap_or(&Value::Null), &format!("{at}.{k}"));
                }
            }
            format!("{at}: keys {:?} / {:?}", x.keys().collect::<Vec<_>>(), y.keys().collect::<Vec<_>>())
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            let k = x.iter().zip(y).position(|(p, q)| p != q).unwrap_or(0);
            difference(&x[k], &y[k], &format!("{at}[{k}]"))
        }
        _ => format!("{at}: {a} / {b}"),
    }
}

/// A view as answered, without what depends on the worker and the moment: the engine's time
/// per phase and how many unit searches the worker's caches spared (also in the KPIs).
fn stable(mut view: Value) -> Value {
    if let Some(v) = view.as_object_mut() {
        for key in ["engine_ms", "phases", "searches"] {
            v.remove(key);
        }
        if let Some(k) = v.get_mut("kpis").and_then(Value::as_object_mut) {
            k.remove("unit_searches");
        }
    }
    view
}

/// The figures `pave compare` compares, from a KPI document.
fn figures(k: &Value) -> Value {
    let keep = [
        "year",
        "children",
        "places",
        "units_operating",
        "units_closed",
        "units_opened",
        "nearest_with_vacancy",
        "system_optimum",
        "rule_vs_optimum",
        "by_language",
        "over_used_units",
        "under_used_units",
        "equity",
        "premises",
    ];
    Value::Object(keep.iter().map(|&f| (f.to_owned(), k[f].clone())).collect())
}

#[test]
fn saved_edits_run_to_the_kpis_shown_and_bad_requests_are_named() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let server = serve(&helsinki(), &tmp.path().join("out"));
    let a = &server.addr;

    let (status, list) = http(a, "GET", "/api/scenarios", b"");
    assert_eq!(status, 200);
    let list: Value = serde_json::from_slice(&list).expect("json");
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    assert_eq!(list[0]["city"], "Helsinki");

    let (status, page) = http(a, "GET", "/", b"");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&page).contains("/assets/app.js"));
    let (status, map) = http(a, "GET", "/api/scenarios/0/map", b"");
    assert_eq!(status, 200);
    let map: Value = serde_json::from_slice(&map).expect("json");
    assert!(map["streets"].as_array().is_some_and(|s| s.len() > 1000), "the street network is drawn");

    // The edits, evaluated; then saved and run by `pave run`: the same figures.
    let (status, view) = post(a, "/api/scenarios/0/evaluate", &planner_edits());
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["units"].as_array().map(|u| u.iter().filter(|u| u["status"] == "closed").count()), Some(1));
    assert_eq!(view["cells"].as_array().map(Vec::len), map["cells"].as_array().map(Vec::len));
    let (status, toml) = http(a, "POST", "/api/scenarios/0/toml", planner_edits().to_string().as_bytes());
    assert_eq!(status, 200);
    let file = tmp.path().join("saved.toml");
    std::fs::write(&file, &toml).expect("save");
    let run = support::pave(tmp.path(), &["run", file.to_str().expect("utf-8"), "--out", "run"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let kpis: Value = serde_json::from_slice(
        &std::fs::read(tmp.path().join("run/helsinki-2030-edited/kpis.json")).expect("kpis.json"),
    )
    .expect("json");
    assert_eq!(figures(&kpis), figures(&view["kpis"]), "pave run of the saved file gives the KPIs shown");

    // Export: the outputs, served by their listed names only.
    let (status, out) = post(a, "/api/scenarios/0/export", &planner_edits());
    assert_eq!(status, 200, "{out}");
    let files: Vec<String> =
        out["files"].as_array().expect("files").iter().map(|f| f.as_str().unwrap_or("").to_owned()).collect();
    assert!(files.iter().any(|f| f.ends_with("/cells.gpkg")) && files.iter().any(|f| f.ends_with("/report.html")));
    assert_eq!(http(a, "GET", &files[0], b"").0, 200);
    for bad in [
        "/files/helsinki-2030-edited/..%2F..%2FCargo.toml",
        "/files/helsinki-2030-edited/.hidden",
        "/files/x/cells.gpkg",
    ] {
        assert_eq!(http(a, "GET", bad, b"").0, 404, "{bad}");
    }

    // Bad requests: 400 naming what was wrong; nothing kept from them.
    let (status, e) =
        post(a, "/api/scenarios/0/evaluate", &json!({ "changes": [{ "action": "close", "unit": "99999" }] }));
    assert_eq!(status, 400);
    assert!(e["error"].as_str().is_some_and(|m| m.starts_with("edit 1: key 'unit'") && m.contains("99999")), "{e}");
    let (status, e) = post(a, "/api/scenarios/0/evaluate", &json!({ "chnages": [] }));
    assert_eq!(status, 400);
    assert!(e["error"].as_str().is_some_and(|m| m.contains("unknown field `chnages`")), "{e}");
    let (status, e) = post(a, "/api/scenarios/0/evaluate", &json!({ "year": 2099 }));
    assert_eq!(status, 400);
    assert!(e["error"].as_str().is_some_and(|m| m.contains("2099")), "{e}");
    let (status, _) = http(a, "POST", "/api/scenarios/0/evaluate", b"{\"changes\": [");
    assert_eq!(status, 400);
    let (status, _) = http(a, "POST", "/api/scenarios/0/evaluate", &vec![b' '; 300 * 1024]);
    assert_eq!(status, 413, "bodies over the limit are refused");
    assert_eq!(post(a, "/api/scenarios/7/evaluate", &json!({})).0, 404);
    // After the failures the same edits give the same figures.
    let (_, again) = post(a, "/api/scenarios/0/evaluate", &planner_edits());
    assert_eq!(figures(&again["kpis"]), figures(&view["kpis"]));
}

#[test]
fn concurrent_evaluations_equal_sequential_ones() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let server = serve_with(&helsinki(), &tmp.path().join("out"), &["--workers", "3"]);
    // Every worker ready, so the requests below run on three lanes side by side.
    let started = std::time::Instant::now();
    loop {
        let (_, config) = http(&server.addr, "GET", "/api/config", b"");
        let config: Value = serde_json::from_slice(&config).expect("json");
        assert_eq!(config["workers"], json!(3));
        if config["workers_ready"] == json!(3) {
            break;
        }
        assert!(started.elapsed().as_secs() < 60, "workers not ready: {config}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // Units operating in both scenarios (the second closes 23002 and 23003).
    let units = ["23001", "23004", "23005"];
    let requests: Vec<(usize, Value)> = (0..50)
        .map(|i| {
            let change = match i % 3 {
                0 => json!({ "action": "close", "unit": units[i % units.len()] }),
                1 => json!({ "action": "capacity", "unit": units[i % units.len()], "places": { "fi": 10 + i } }),
                _ => json!({ "action": "move", "unit": units[i % units.len()], "at": [385500 + 20 * i, 6671600], "crs": 3067 }),
            };
            (i % 2, json!({ "changes": [change] }))
        })
        .collect();
    let sequential: Vec<Value> = requests
        .iter()
        .map(|(id, body)| {
            let (status, view) = post(&server.addr, &format!("/api/scenarios/{id}/evaluate"), body);
            assert_eq!(status, 200, "{body}: {view}");
            stable(view)
        })
        .collect();
    let concurrent: Vec<Value> = std::thread::scope(|s| {
        let handles: Vec<_> = requests
            .iter()
            .map(|(id, body)| {
                let addr = server.addr.clone();
                s.spawn(move || stable(post(&addr, &format!("/api/scenarios/{id}/evaluate"), body).1))
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("request thread")).collect()
    });
    for (i, (a, b)) in sequential.iter().zip(&concurrent).enumerate() {
        assert!(a["kpis"]["children"].is_number(), "request {i} failed: {a}");
        assert!(a == b, "request {i}: {}", difference(a, b, ""));
    }
}

#[test]
fn a_planner_closes_a_unit_in_the_browser_and_sees_the_kpis_change() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let server = serve(&helsinki(), &tmp.path().join("out"));
    let Some(browser) = Browser::start() else { return };
    browser.call("/url", json!({ "url": format!("http://{}/", server.addr) }));
    browser.until("the first scenario", "return document.body.dataset.ready === '0'");
    // Finnish first: the heading and the headline indicator.
    let text = browser.script("return document.body.innerText");
    assert!(
        text.as_str().is_some_and(|t| t.contains("Tunnusluvut") && t.contains("Lapsista enintään 16 min")),
        "{text}"
    );
    let before = browser.script("return document.querySelector('.headline .big').textContent");
    // The first page's headline share is the one `pave run` prints for the scenario.
    assert_eq!(shown_share(&before), run_share(tmp.path(), &helsinki()[0], "as-loaded"), "{before}");
    // No background map was configured: its switch is not shown.
    assert_eq!(
        browser.script("return getComputedStyle(document.getElementById('background-control')).display"),
        json!("none")
    );
    let first = browser.screenshot("workspace-fi.png");
    assert_accessible(&browser, "the first page, Finnish");

    // Close the unit of the first row of the unit table (keyboard-reachable buttons).
    browser.until("the unit table", "return !!document.querySelector(\"#units button[data-unit='2']\")");
    browser.click("#units button[data-unit='2']");
    browser.until("the unit panel", "return !document.getElementById('unit-panel').hidden");
    let title = browser.script("return document.getElementById('unit-title').textContent");
    assert_accessible(&browser, "the unit panel open");
    browser.click("#unit-close");
    browser.until("the edit", "return document.body.dataset.ready === '1'");
    let changes = browser.script("return document.getElementById('changes').innerText");
    assert!(changes.as_str().is_some_and(|c| c.contains("Lakkautus")), "{changes}");
    browser.until(
        &format!("the closed unit {title} marked in the unit table"),
        "return document.querySelectorAll('#units tr.closed').length === 1",
    );
    let compare = browser.script("return document.getElementById('compare').innerText");
    assert!(compare.as_str().is_some_and(|c| c.contains("Lähtö") && c.contains("Muutettu")), "{compare}");
    let after_edit = browser.screenshot("workspace-fi-closed.png");
    // The headline after the closure is the one `pave run` prints for the scenario with
    // that unit closed.
    let unit =
        title.as_str().and_then(|t| t.rsplit_once('(')).map(|(_, id)| id.trim_end_matches(')')).expect("unit id");
    let closed = tmp.path().join("closed.toml");
    std::fs::write(
        &closed,
        format!(
            "name = \"closed\"\nextends = \"{}\"\n\n[[change]]\naction = \"close\"\nunit = \"{unit}\"\n",
            helsinki()[0].display()
        ),
    )
    .expect("write the scenario");
    let now = browser.script("return document.querySelector('.headline .big').textContent");
    assert_eq!(shown_share(&now), run_share(tmp.path(), &closed, "closed"), "{now}");
    let places = browser.script("return document.getElementById('kpi-body').innerText");
    assert!(places.as_str().is_some_and(|t| t.contains("−42")), "closing {unit} takes its 42 places: {places}");

    // Open a new unit by clicking the middle of the map.
    browser.click("#open-mode");
    browser.script("const r = document.getElementById('map').getBoundingClientRect(); map.click(r.width / 2, r.height / 2); return true");
    browser.until("the new-unit form", "return !document.getElementById('open-panel').hidden");
    browser.click("#open-form button[type=submit]");
    browser.until("the opening", "return document.body.dataset.ready === '2'");
    browser.until(
        "the new unit in the unit table",
        "return Array.from(document.querySelectorAll('#units td')).some(td => td.textContent === 'NEW-1')",
    );
    browser.click("#undo");
    browser.until("the undo of the opening", "return document.body.dataset.ready === '1'");

    // Compared with the other Helsinki scenario, the table shows both.
    browser.script("const s = document.getElementById('reference'); s.value = '1'; s.dispatchEvent(new Event('change')); return true");
    browser.until(
        "the comparison with the other scenario",
        "return document.getElementById('compare').innerText.includes('helsinki-close-two-open-one')",
    );
    browser.script("const s = document.getElementById('reference'); s.value = '0'; s.dispatchEvent(new Event('change')); return true");
    browser.until(
        "the comparison with the scenario as loaded",
        "return !document.getElementById('compare').innerText.includes('helsinki-close-two-open-one')",
    );

    // Undo brings the base back; Swedish relabels the page.
    browser.click("#undo");
    browser.until("the undo", "return document.body.dataset.ready === '0'");
    assert_eq!(browser.script("return document.querySelector('.headline .big').textContent"), before);
    browser.script(
        "const s = document.getElementById('lang'); s.value = 'sv'; s.dispatchEvent(new Event('change')); return true",
    );
    let text = browser.script("return document.body.innerText");
    assert!(text.as_str().is_some_and(|t| t.contains("Nyckeltal") && t.contains("Barn inom 16 min")), "{text}");
    let swedish = browser.screenshot("workspace-sv.png");
    assert_accessible(&browser, "the first page, Swedish");

    // Keyboard only: Enter on a unit's button in the table opens its panel and moves the
    // focus there; Enter on "Stäng" closes it.
    browser.keys("#units button[data-unit='3']", "\u{E007}");
    browser.until("the unit panel by keyboard", "return !document.getElementById('unit-panel').hidden");
    assert_eq!(browser.script("return document.activeElement.id"), json!("unit-panel"), "focus moves to the panel");
    browser.keys("#unit-dismiss", "\u{E007}");
    browser.until("the panel closed by keyboard", "return document.getElementById('unit-panel').hidden");
    // The map takes the keyboard focus and pans with the arrow keys.
    let before_pan = browser.script("return map.cx");
    browser.keys("#map", "\u{E014}");
    browser.until("the map panned by keyboard", &format!("return map.cx !== {before_pan}"));

    // English last: the interface text changes again and the page stays accessible.
    browser.script(
        "const s = document.getElementById('lang'); s.value = 'en'; s.dispatchEvent(new Event('change')); return true",
    );
    let text = browser.script("return document.body.innerText");
    assert!(text.as_str().is_some_and(|t| t.contains("Indicators") && t.contains("Children within 16 min")), "{text}");
    let english = browser.screenshot("workspace-en.png");
    assert_accessible(&browser, "the first page, English");
    // The audit does find faults: an input without a label is one.
    browser.script("const i = document.createElement('input'); i.id = 'planted'; document.body.append(i); return true");
    if let Some(found) = browser.audit() {
        assert!(found.iter().any(|v| v.starts_with("label:") && v.contains("#planted")), "{found:?}");
    }
    eprintln!("screenshots: {} {} {} {}", first.display(), after_edit.display(), swedish.display(), english.display());
}

/// The headline share as the page shows it ("97,5 %", Finnish) as `pave run` prints it ("97.5 %").
fn shown_share(text: &Value) -> String {
    let t = text.as_str().expect("text").replace(',', ".");
    format!(
        "{} %",
        t.trim_end_matches('%').trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{202f}')
    )
}

/// The share within the threshold `pave run` prints for a scenario file.
fn run_share(dir: &Path, scenario: &Path, out: &str) -> String {
    let run = support::pave(dir, &["run", scenario.to_str().expect("utf-8"), "--out", out]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let printed = format!("{}{}", run.stdout, run.stderr);
    let share = printed.split(" within the threshold").next().and_then(|h| h.rsplit(", ").next());
    share.unwrap_or_else(|| panic!("no share in {printed}")).to_owned()
}

/// No WCAG 2.1 A or AA violation that axe-core finds on the page as it is now.
fn assert_accessible(browser: &Browser, what: &str) {
    if let Some(violations) = browser.audit() {
        assert!(violations.is_empty(), "accessibility of {what}:\n{}", violations.join("\n"));
    }
}

/// A tile service on 127.0.0.1 for the background-map test: answers every request with a
/// one-pixel PNG (two colours in a checkerboard by column and row) and records the paths.
fn tile_service() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{Read, Write};
    const PNG: [u8; 69] = [
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53, 0xde, 0x00, 0x00, 0x00,
        0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xb8, 0xf0, 0xec, 0x3b, 0x00, 0x05, 0x37, 0x02, 0xae, 0x32,
        0xef, 0x6f, 0x6d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];
    const OTHER_IDAT: [u8; 16] =
        [0x78, 0x9c, 0x63, 0x78, 0xf1, 0xe2, 0x06, 0x00, 0x05, 0x64, 0x02, 0xa9, 0x5e, 0xc7, 0x06, 0xdf];
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the tile service");
    let addr = listener.local_addr().expect("address").to_string();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut buf = [0u8; 4096];
            let n = stream.read(&mut buf).unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]).to_string();
            let path = head.split_whitespace().nth(1).unwrap_or("").to_owned();
            let numbers: Vec<u64> = path.split(['/', '.']).filter_map(|p| p.parse().ok()).collect();
            let mut png = PNG;
            if numbers.iter().skip(1).sum::<u64>() % 2 == 1 {
                png[41..57].copy_from_slice(&OTHER_IDAT);
            }
            log.lock().expect("log").push(path);
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {}\r\nAccess-Control-Allow-Origin: *\r\nConnection: close\r\n\r\n",
                png.len()
            );
            let _ = stream.write_all(answer.as_bytes());
            let _ = stream.write_all(&png);
        }
    });
    (addr, seen)
}

#[test]
fn a_background_map_is_drawn_from_the_tile_service_given() {
    // A bad template is refused before anything is served.
    let bad = Command::new(env!("CARGO_BIN_EXE_pave"))
        .args(["serve", "--port", "0", "--tiles", "https://example.org/tiles/{z}/{x}.png"])
        .args(helsinki())
        .output()
        .expect("run pave serve");
    let err = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--tiles") && err.contains("https://example.org/tiles/{z}/{x}.png") && err.contains("missing {y}"),
        "{err}"
    );

    let (tiles, seen) = tile_service();
    let template = format!("http://{tiles}/wmts/taustakartta/{{z}}/{{y}}/{{x}}.png");
    let tmp = tempfile::tempdir().expect("temp dir");
    let server =
        serve_with(&helsinki(), &tmp.path().join("out"), &["--tiles", &template, "--tiles-attribution", "Test tiles"]);
    let (status, config) = http(&server.addr, "GET", "/api/config", b"");
    assert_eq!(status, 200);
    let config: Value = serde_json::from_slice(&config).expect("json");
    assert_eq!(config["tiles"]["url"], json!(template));
    let Some(browser) = Browser::start() else { return };
    browser.call("/url", json!({ "url": format!("http://{}/", server.addr) }));
    browser.until("the first scenario", "return document.body.dataset.ready === '0'");
    browser.until("the background switch", "return !document.getElementById('background-control').hidden");
    assert_eq!(browser.script("return document.getElementById('attribution').textContent"), json!("Test tiles"));
    // The tile under the map's centre, by the JHS 180 ETRS-TM35FIN matrix computed here.
    let view = browser.script("return [map.cx, map.cy, map.scale, map.dpr]");
    let v: Vec<f64> = view.as_array().expect("view").iter().map(|x| x.as_f64().expect("number")).collect();
    let z = (8192.0 * v[2] * v[3]).log2().round().clamp(0.0, 15.0);
    let span = 256.0 * 8192.0 / 2f64.powf(z);
    let (col, row) = (((v[0] + 548_576.0) / span).floor(), ((8_388_608.0 - v[1]) / span).floor());
    let centre = format!("/wmts/taustakartta/{z}/{row}/{col}.png");
    let started = std::time::Instant::now();
    while !seen.lock().expect("log").contains(&centre) {
        assert!(started.elapsed().as_secs() < 30, "no request for {centre}: {:?}", seen.lock().expect("log"));
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    browser.until(
        "the tiles drawn",
        "return map.tiles.images.size > 0 && Array.from(map.tiles.images.values()).every((i) => i.complete)",
    );
    let shot = browser.screenshot("workspace-background.png");
    assert_accessible(&browser, "the page with a background map");
    // Switched off, no more tiles are asked for.
    browser.click("#background");
    let asked = seen.lock().expect("log").len();
    browser.click("#zoom-in");
    browser.until("the zoomed map", "return !map.pending");
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(seen.lock().expect("log").len(), asked, "tiles fetched with the background off");
    eprintln!("screenshot: {} ({} tiles asked for)", shot.display(), asked);
}
