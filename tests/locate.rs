//! `pave locate` end to end: the MIP fixtures (exact optima from HiGHS, made by
//! scripts/locate_fixtures.py) through matrix problems, every problem kind on the bundled
//! sample cities with the solution scenario run by `pave run` and `pave compare`, and bad
//! input that must fail with a message naming the record and leave nothing written.

use std::path::{Path, PathBuf};
use std::process::Command;

fn pave(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pave")).args(args).arg("--quiet").output().expect("run pave");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/locate")
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .expect("json")
}

/// Solves a fixture as a matrix problem; returns the bound report and the expected JSON.
fn solve_fixture(name: &str, tmp: &Path) -> (serde_json::Value, serde_json::Value) {
    let dir = fixtures().join(name);
    let expected = json(&dir.join("expected.json"));
    let kind = expected["kind"].as_str().expect("kind");
    let p = expected["p"].as_u64();
    let cutoff = expected["cutoff_s"].as_f64();
    // Opening costs are in weight × seconds in the fixtures; pave's objective is in minutes.
    let sites = if kind == "cflp" {
        let text = std::fs::read_to_string(dir.join("sites.csv")).expect("sites");
        let mut out = String::new();
        for (k, line) in text.lines().enumerate() {
            let f: Vec<&str> = line.split(',').collect();
            if k == 0 {
                out.push_str(line);
            } else {
                let cost: f64 = f[2].parse().expect("opening_cost");
                out.push_str(&format!("{},{},{},{}", f[0], f[1], cost / 60.0, f[3]));
            }
            out.push('\n');
        }
        let path = tmp.join(format!("{name}-sites.csv"));
        std::fs::write(&path, out).expect("write sites");
        path
    } else {
        dir.join("sites.csv")
    };
    let kind_code = match kind {
        "pmedian" => "p-median",
        "mclp" => "max-coverage",
        "lscp" => "set-cover",
        "pcenter" => "p-center",
        "cpmedian" => "capacitated-p-median",
        "cflp" => "facility-location",
        other => panic!("unknown fixture kind {other}"),
    };
    let mut problem = format!("name = \"{name}\"\n[problem]\nkind = \"{kind_code}\"\ntime_limit_s = 60\n");
    if let Some(p) = p {
        problem.push_str(&format!("units = {p}\n"));
    }
    if let Some(c) = cutoff {
        problem.push_str(&format!("cutoff_min = {}\n", c / 60.0));
    }
    if let Some(u) = expected["unserved_cost_s"].as_f64() {
        problem.push_str(&format!("unserved_min = {}\n", u / 60.0));
    }
    if kind == "cflp" {
        problem.push_str("opening_cost = 0\n");
    }
    problem.push_str(&format!(
        "[matrix]\nod = {:?}\ndemand = {:?}\nsites = {:?}\n",
        dir.join("od.csv"),
        dir.join("demand.csv"),
        sites
    ));
    let file = tmp.join(format!("{name}.toml"));
    std::fs::write(&file, problem).expect("write problem");
    let out = tmp.join("out");
    let (ok, stdout, stderr) = pave(&["locate", file.to_str().expect("utf-8"), "--out", out.to_str().expect("utf-8")]);
    assert!(ok, "{name}: pave locate failed:\n{stdout}\n{stderr}");
    (json(&out.join(name).join("bounds.json")), expected)
}

/// Each fixture: the bounds bracket the MIP optimum, and the solution is within the gap.
#[test]
fn matrix_problems_match_the_mip_optima_within_their_bounds() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut lines = Vec::new();
    for name in [
        "pmedian-300x40-p6",
        "mclp-300x40-p5-600s",
        "lscp-300x40-600s",
        "pcenter-200x30-p5",
        "cpmedian-200x30-p6",
        "cflp-200x30",
    ] {
        let (r, e) = solve_fixture(name, tmp.path());
        // Objectives in pave's units: weight × minutes, minutes, children, units.
        let scale = match e["kind"].as_str() {
            Some("pmedian" | "cpmedian" | "cflp" | "pcenter") => 1.0 / 60.0,
            _ => 1.0,
        };
        let optimum = e["objective"].as_f64().expect("objective") * scale;
        let (obj, lo, hi, gap) = (
            r["objective"].as_f64().expect("objective"),
            r["lower_bound"].as_f64().expect("lower"),
            r["upper_bound"].as_f64().expect("upper"),
            r["gap"].as_f64().expect("gap"),
        );
        let tol = 1e-6 * optimum.abs().max(1.0);
        assert!(lo <= optimum + tol, "{name}: lower bound {lo} above the optimum {optimum}");
        assert!(hi >= optimum - tol, "{name}: upper bound {hi} below the optimum {optimum}");
        assert!((obj - optimum).abs() <= gap * obj.abs() + tol, "{name}: {obj} vs optimum {optimum}, gap {gap}");
        if r["maximise"].as_bool() == Some(true) {
            assert!(obj <= optimum + tol, "{name}: {obj} better than the optimum {optimum}");
        } else {
            assert!(obj >= optimum - tol, "{name}: {obj} better than the optimum {optimum}");
        }
        lines.push(format!(
            "{name}: {obj:.2} vs {optimum:.2}, gap {:.3} %, proven {}",
            gap * 100.0,
            r["proven_optimal"]
        ));
    }
    eprintln!("{}", lines.join("\n"));
}

fn sample(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path).to_string_lossy().into_owned()
}

/// Every sample problem solves with a bound report, and its solution scenario runs through
/// `pave run` (the KPIs of the solution) and `pave compare` (against its base).
#[test]
fn sample_problems_solve_and_their_scenarios_run() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("locate");
    let mut kinds = Vec::new();
    for city in ["helsinki", "turku", "kuopio"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data").join(city).join("locate");
        let mut files: Vec<PathBuf> =
            std::fs::read_dir(&dir).map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
        files.sort();
        for f in files.iter().filter(|f| f.extension().is_some_and(|e| e == "toml")) {
            let (ok, stdout, stderr) =
                pave(&["locate", f.to_str().expect("utf-8"), "--out", out.to_str().expect("utf-8")]);
            assert!(ok, "{}: {stdout}\n{stderr}", f.display());
            let text = std::fs::read_to_string(f).expect("problem");
            let name = text
                .lines()
                .find_map(|l| l.strip_prefix("name = ").map(|v| v.trim_matches('"').to_owned()))
                .expect("name");
            let r = json(&out.join(&name).join("bounds.json"));
            kinds.push(r["kind"].as_str().expect("kind").to_owned());
            let (lo, hi, obj) = (
                r["lower_bound"].as_f64().unwrap(),
                r["upper_bound"].as_f64().unwrap(),
                r["objective"].as_f64().unwrap(),
            );
            assert!(lo <= obj + 1e-9 && obj <= hi + 1e-9, "{name}: {lo} ≤ {obj} ≤ {hi}");
            let scenario = out.join(&name).join(format!("{name}.toml"));
            let base = text
                .lines()
                .find_map(|l| l.strip_prefix("extends = ").map(|v| v.trim_matches('"').to_owned()))
                .expect("extends");
            let base = f.parent().expect("dir").join(base);
            let cmp = tmp.path().join("compare").join(&name);
            let (ok, stdout, stderr) = pave(&[
                "compare",
                base.to_str().expect("utf-8"),
                scenario.to_str().expect("utf-8"),
                "--out",
                cmp.to_str().expect("utf-8"),
            ]);
            assert!(ok, "{name}: compare failed: {stdout}\n{stderr}");
            let kpis = json(&cmp.join(&name).join("kpis.json"));
            assert_eq!(kpis["units_opened"].as_u64().unwrap_or(0) as usize, r["opened"].as_array().unwrap().len());
            assert_eq!(kpis["units_closed"].as_u64().unwrap_or(0) as usize, r["closed"].as_array().unwrap().len());
            if let Some(after) = r["headline_share"][1].as_f64() {
                // Closure scores the headline share exactly as `pave run` does.
                let within = kpis["nearest_with_vacancy"]["within_share"].as_f64().expect("within");
                assert!((within - after).abs() < 1e-12, "{name}: {within} vs {after}");
            }
        }
    }
    kinds.sort();
    kinds.dedup();
    assert_eq!(
        kinds,
        [
            "capacitated-coverage",
            "capacitated-p-median",
            "closure",
            "facility-location",
            "max-coverage",
            "p-center",
            "p-median",
            "set-cover"
        ],
        "every kind has a sample problem"
    );
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

/// Bad input: a located message, exit 1, nothing written.
#[test]
fn bad_problems_and_matrices_fail_with_named_records() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let d = tmp.path();
    write(d, "demand.csv", "id,weight\na,3\nb,-2\nc,\n");
    write(d, "sites.csv", "id\ns1\ns2\n");
    write(d, "od.csv", "origin_id,destination_id,time_s\na,s1,60\na,s9,30\nb,s2,x\n");
    write(d, "good-demand.csv", "id,weight\na,3\nb,2\n");
    write(d, "good-od.csv", "origin_id,destination_id,time_s\na,s1,60\nb,s1,900\n");
    let base = sample("sample-data/helsinki/scenarios/base-2030.toml");
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        (
            "bad rows",
            "[problem]\nkind = \"p-median\"\nunits = 1\n[matrix]\nod = \"od.csv\"\ndemand = \"demand.csv\"\nsites = \"sites.csv\"\n".into(),
            vec!["demand.csv", "line 3", "weight", "-2", "line 4", "od.csv", "s9", "destination_id"],
        ),
        (
            "p above the sites",
            "[problem]\nkind = \"p-median\"\nunits = 5\n[matrix]\nod = \"good-od.csv\"\ndemand = \"good-demand.csv\"\nsites = \"sites.csv\"\n".into(),
            vec!["5 units asked for", "2 sites may be chosen"],
        ),
        (
            "nothing covers b",
            "[problem]\nkind = \"set-cover\"\ncutoff_min = 5\n[matrix]\nod = \"good-od.csv\"\ndemand = \"good-demand.csv\"\nsites = \"sites.csv\"\n".into(),
            vec!["no solution", "b (all)", "within 5 minutes"],
        ),
        (
            "both p keys",
            format!("extends = {base:?}\n[problem]\nkind = \"p-median\"\nunits = 3\nnew_units = 1\n"),
            vec!["line", "problem.units", "not both"],
        ),
        ("unknown kind", format!("extends = {base:?}\n[problem]\nkind = \"p-medians\"\n"), vec!["line 3", "p-medians", "p-median"]),
        (
            "unknown unit kept",
            format!("extends = {base:?}\n[problem]\nkind = \"p-median\"\nnew_units = 1\nkeep = [\"NO-SUCH\"]\n"),
            vec!["problem.keep", "NO-SUCH"],
        ),
        (
            "negative places",
            format!("extends = {base:?}\n[problem]\nkind = \"p-median\"\nnew_units = 1\nplaces = {{ fi = -3 }}\n"),
            vec!["problem.places", "fi = -3"],
        ),
    ];
    for (what, text, needles) in cases {
        let file = write(d, "problem.toml", &text);
        let out = d.join(format!("out-{}", what.replace(' ', "-")));
        let (ok, stdout, stderr) =
            pave(&["locate", file.to_str().expect("utf-8"), "--out", out.to_str().expect("utf-8")]);
        assert!(!ok, "{what}: should fail:\n{stdout}");
        for n in needles {
            assert!(stderr.contains(n), "{what}: message lacks {n:?}:\n{stderr}");
        }
        assert!(!out.exists(), "{what}: something was written");
    }
}

/// Candidates from a points file (one off the network, left out with a note) and existing
/// units the solver may drop: the solution keeps the number of units and runs.
#[test]
fn point_candidates_and_optional_units() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let d = tmp.path();
    write(d, "points.csv", "id,x,y\nP1,385394.6,6671745.3\nP2,385387.0,6671495.4\nFAR,400000,6680000\n");
    let base = sample("sample-data/helsinki/scenarios/base-2030.toml");
    let file = write(
        d,
        "problem.toml",
        &format!(
            "name = \"swap\"\nextends = {base:?}\n[problem]\nkind = \"p-median\"\nunits = 8\nexisting = \"optional\"\n\
             keep = [\"23001\"]\nplaces = {{ fi = 42, sv = 21 }}\n[candidates]\nfrom = \"points\"\nfile = \"points.csv\"\n"
        ),
    );
    let out = d.join("out");
    let (ok, stdout, stderr) = pave(&["locate", file.to_str().expect("utf-8"), "--out", out.to_str().expect("utf-8")]);
    assert!(ok, "{stdout}\n{stderr}");
    assert!(stderr.contains("candidate FAR lies"), "{stderr}");
    let r = json(&out.join("swap/bounds.json"));
    assert_eq!(r["units"], 8);
    assert_eq!(r["size"][1], 10, "8 units and 2 candidates on the network");
    let opened = r["opened"].as_array().expect("opened").len();
    assert_eq!(r["closed"].as_array().expect("closed").len(), opened, "as many closed as opened");
    assert!(!r["closed"].as_array().expect("closed").iter().any(|c| c == "23001"), "23001 is kept");
    let (ok, stdout, stderr) = pave(&[
        "run",
        out.join("swap/swap.toml").to_str().expect("utf-8"),
        "--out",
        d.join("run").to_str().expect("utf-8"),
    ]);
    assert!(ok, "{stdout}\n{stderr}");
    let sites = std::fs::read_to_string(out.join("swap/sites.csv")).expect("sites.csv");
    assert!(sites.starts_with("\u{feff}unit_id;site;name;role;x;y;places;children;mean_min"), "{sites}");
}
