//! `pave run` and `pave compare` on the bundled sample scenarios: outputs, reuse of travel
//! searches, identical bytes with 1 and 2 threads, and the bad-scenario corpus (each error
//! names the file, the line and the key; nothing is written).

mod support;

use std::path::{Path, PathBuf};
use support::{pave, root};

fn scenario(city: &str, name: &str) -> String {
    root().join("sample-data").join(city).join("scenarios").join(name).display().to_string()
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> =
        std::fs::read_dir(dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    v.sort();
    v
}

#[test]
fn helsinki_comparison_runs_end_to_end_and_reuses_searches() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    let base = scenario("helsinki", "base-2030.toml");
    let change = scenario("helsinki", "close-two-open-one.toml");
    let r = pave(dir.path(), &["-q", "compare", &base, &change, "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for f in ["comparison.csv", "comparison_districts.csv", "comparison_cells.csv", "comparison.html"] {
        assert!(out.join(f).is_file(), "missing {f}");
    }
    for name in ["helsinki-2030", "helsinki-close-two-open-one"] {
        for f in ["cells.gpkg", "cells.parquet", "units.gpkg", "units.parquet", "allocation.csv", "allocation.parquet"]
        {
            assert!(out.join(name).join(f).is_file(), "missing {name}/{f}");
        }
        for f in ["districts.csv", "districts.parquet", "kpis.json", "report.html"] {
            assert!(out.join(name).join(f).is_file(), "missing {name}/{f}");
        }
    }
    // The GeoPackages open cleanly in GDAL (required in CI, used when present elsewhere).
    for layer in ["cells", "units"] {
        let gpkg = out.join("helsinki-close-two-open-one").join(format!("{layer}.gpkg"));
        match std::process::Command::new("ogrinfo").args(["-ro", "-so", "-al"]).arg(&gpkg).output() {
            Ok(o) => {
                let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
                assert!(o.status.success() && !text.contains("Warning") && !text.contains("ERROR"), "{text}");
                assert!(
                    text.contains(&format!("Layer name: {layer}")) && text.contains("ID[\"EPSG\",3067]]"),
                    "{text}"
                );
            }
            Err(_) => assert!(std::env::var_os("CI").is_none(), "ogrinfo is required in CI"),
        }
    }
    // The second scenario searched only from its one new unit.
    assert!(
        r.stderr.contains("helsinki-close-two-open-one: ") && r.stderr.contains("— 1 unit searches"),
        "{}",
        r.stderr
    );
    let kpis: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("helsinki-close-two-open-one/kpis.json")).unwrap()).unwrap();
    assert_eq!(kpis["units_closed"], 2);
    assert_eq!(kpis["units_opened"], 1);
    assert_eq!(kpis["year"], 2030);
    let rule = &kpis["nearest_with_vacancy"];
    let (children, served, unserved) =
        (rule["children"].as_f64().unwrap(), rule["served"].as_f64().unwrap(), rule["unserved"].as_f64().unwrap());
    assert!((children - served - unserved).abs() < 1e-6, "children are served or unserved");
    // The optimum serves at least as many and travels no more per child served than the rule
    // allows in total.
    assert!(kpis["system_optimum"]["served"].as_f64().unwrap() >= served - 1e-9);
    // Provenance names every input with a hash.
    let inputs = kpis["provenance"]["inputs"].as_array().unwrap();
    assert!(inputs.iter().any(|i| i["path"].as_str().unwrap().ends_with("helsinki-center.osm.pbf")));
    assert!(inputs.iter().all(|i| i["hash"].as_str().unwrap().starts_with("fnv1a64:")));
    // District table in the Finnish Excel dialect: BOM, semicolons.
    let csv = std::fs::read(out.join("helsinki-2030/districts.csv")).unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBFlevel;code;name;children"), "{:?}", String::from_utf8_lossy(&csv[..40]));
    // The report is self-contained.
    let html = std::fs::read_to_string(out.join("helsinki-close-two-open-one/report.html")).unwrap();
    assert!(html.contains("<svg"));
    assert!(!html.contains("<script") && !html.contains("src=\"http"));
    assert!(html.contains("Päiväkoti Kruununhaka (new)"));
    let cmp = std::fs::read_to_string(out.join("comparison.csv")).unwrap();
    assert!(cmp.contains("helsinki-close-two-open-one - helsinki-2030"), "{cmp}");
    let districts = std::fs::read_to_string(out.join("comparison_districts.csv")).unwrap();
    assert!(districts.contains("within_share_change_helsinki-close-two-open-one"), "{districts}");
    // Result folders compare the same way as the scenario files that made them.
    let again = dir.path().join("again");
    let (a, b) = (out.join("helsinki-2030"), out.join("helsinki-close-two-open-one"));
    let r = pave(
        dir.path(),
        &["-q", "compare", a.to_str().unwrap(), b.to_str().unwrap(), "--out", again.to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(again.join("comparison.csv")).unwrap(), cmp);
    // A folder that is not a result is an error naming it.
    let r = pave(
        dir.path(),
        &["-q", "compare", a.to_str().unwrap(), dir.path().to_str().unwrap(), "--out", again.to_str().unwrap()],
    );
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("kpis.json") && r.stderr.contains("not a `pave run` result folder"), "{}", r.stderr);
}

#[test]
fn outputs_are_byte_identical_with_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario("kuopio", "swedish-places.toml");
    let run = |threads: &str, out: &Path| {
        let r = std::process::Command::new(env!("CARGO_BIN_EXE_pave"))
            .args(["-q", "--threads", threads, "run", &s, "--out", out.to_str().unwrap()])
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .output()
            .unwrap();
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    };
    let (a, b) = (dir.path().join("one"), dir.path().join("two"));
    run("1", &a);
    run("2", &b);
    // One scenario gets the layout of several: DIR/<name>/.
    let (a, b) = (a.join("kuopio-2030-swedish"), b.join("kuopio-2030-swedish"));
    let (fa, fb) = (files(&a), files(&b));
    assert_eq!(fa.len(), 10);
    for (x, y) in fa.iter().zip(&fb) {
        assert_eq!(x.file_name(), y.file_name());
        assert!(
            std::fs::read(x).unwrap() == std::fs::read(y).unwrap(),
            "{} differs between 1 and 2 threads",
            x.display()
        );
    }
    // Kuopio's Swedish-speaking children all get a Swedish place once unit 5000 grows.
    let kpis: serde_json::Value = serde_json::from_slice(&std::fs::read(a.join("kpis.json")).unwrap()).unwrap();
    assert!(kpis["by_language"]["sv"]["unserved"].as_f64().unwrap() < 1e-9, "{}", kpis["by_language"]);
}

/// Writes a scenario extending the Helsinki base and expects exit 1 with `needles`.
fn bad(name: &str, body: &str, needles: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let base = scenario("helsinki", "base-2030.toml").replace('\\', "/");
    let text = body.replace("BASE", &base);
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, text).unwrap();
    let out = dir.path().join("out");
    let r = pave(dir.path(), &["-q", "run", path.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, 1, "[{name}] expected exit 1, got {}:\n{}", r.code, r.stderr);
    assert!(!r.stderr.contains("panicked"), "[{name}] panicked:\n{}", r.stderr);
    assert!(r.stderr.contains("bad.toml"), "[{name}] the message should name the file:\n{}", r.stderr);
    for n in needles {
        assert!(r.stderr.contains(n), "[{name}] expected '{n}' in:\n{}", r.stderr);
    }
    assert!(files(&out).is_empty(), "[{name}] wrote {:?}", files(&out));
}

#[test]
fn bad_scenarios_name_file_line_and_key() {
    bad(
        "unknown unit",
        "extends = \"BASE\"\n\n[[change]]\naction = \"close\"\nunit = \"99999\"\n",
        &["line 3", "key 'unit'", "no unit '99999' in Helsinki"],
    );
    bad("year outside the forecast", "extends = \"BASE\"\nyear = 2050\n", &["line 2", "key 'year'", "2050 is outside"]);
    bad(
        "new unit off the network",
        "extends = \"BASE\"\n[[change]]\naction = \"open\"\nunit = \"N1\"\nat = [25495067, 6672084]\nplaces = { fi = 40 }\n",
        &["line 2", "key 'at'", "m from the network"],
    );
    bad(
        "new unit outside the city",
        "extends = \"BASE\"\n[[change]]\naction = \"open\"\nunit = \"N1\"\nat = [25475735, 6680258]\nplaces = { fi = 40 }\n",
        &["line 2", "key 'at'", "outside Helsinki"],
    );
    bad(
        "capacity zero",
        "extends = \"BASE\"\n[[change]]\naction = \"open\"\nunit = \"N1\"\nat = [25496888, 6672394]\nplaces = { fi = 0 }\n",
        &["key 'places'", "> 0"],
    );
    bad(
        "expansion below zero",
        "extends = \"BASE\"\n[[change]]\naction = \"expand\"\nunit = \"23001\"\nadd = { fi = -100 }\n",
        &["key 'add'", "places must stay > 0"],
    );
    bad(
        "close and expand the same unit",
        "extends = \"BASE\"\n[[change]]\naction = \"close\"\nunit = \"23001\"\n\n[[change]]\naction = \"expand\"\nunit = \"23001\"\nadd = { fi = 10 }\n",
        &["line 6", "contradictory changes", "closed by the change at line 2"],
    );
    bad(
        "unknown parameter",
        "extends = \"BASE\"\n[parameters]\nthreshold = 16\n",
        &["line 3", "unknown field `threshold`"],
    );
    bad(
        "unknown action",
        "extends = \"BASE\"\n[[change]]\naction = \"demolish\"\nunit = \"23001\"\n",
        &["line 3", "demolish"],
    );
    bad(
        "unknown language",
        "extends = \"BASE\"\n[[change]]\naction = \"language\"\nunit = \"23001\"\nto = \"de\"\n",
        &["key 'to'", "unknown language 'de'"],
    );
    bad("extends a missing file", "extends = \"nowhere.toml\"\n", &["line 1", "key 'extends'", "no scenario file"]);
    bad("missing profile", "year = 2030\nservice = \"early_childhood_education\"\n", &["key 'profile' is missing"]);
    bad(
        "unknown service",
        "extends = \"BASE\"\nservice = \"daycare\"\n",
        &["line 2", "unknown service type 'daycare'"],
    );
    bad(
        "unknown study district",
        "extends = \"BASE\"\n[parameters]\nstudy_districts = [\"999\"]\n",
        &["line 3", "no peruspiiri district '999'"],
    );
    bad("bad share", "extends = \"BASE\"\n[parameters]\ntarget_share = 80\n", &["line 3", "parameters.target_share"]);
    bad("empty file", "", &["empty"]);
    bad("extends itself", "extends = \"bad.toml\"\n", &["line 1", "cycle"]);
}

#[test]
fn every_kind_of_change_applies() {
    // Turku: move a unit into other premises, turn one Swedish, resize one, open one in the
    // premises of an existing unit, close one — against the 2024 baseline.
    let dir = tempfile::tempdir().unwrap();
    let base = scenario("turku", "base-2024.toml").replace('\\', "/");
    let text = format!(
        "extends = \"{base}\"\nname = \"all-changes\"\n\
         [[change]]\naction = \"move\"\nunit = \"TKU102\"\npremises = \"TILA-2010\"\n\
         [[change]]\naction = \"language\"\nunit = \"TKU103\"\nto = \"sv\"\n\
         [[change]]\naction = \"capacity\"\nunit = \"TKU104\"\nplaces = {{ fi = 60, sv = 20 }}\n\
         [[change]]\naction = \"open\"\nunit = \"TKU-NEW\"\npremises = \"TILA-2005\"\nplaces = {{ sv = 40 }}\n\
         [[change]]\naction = \"close\"\nunit = \"TKU106\"\n"
    );
    let path = dir.path().join("all.toml");
    std::fs::write(&path, text).unwrap();
    let out = dir.path().join("out");
    let r = pave(dir.path(), &["-q", "run", path.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = out.join("all-changes");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for status in ["moved", "language changed", "resized", "opened", "closed"] {
        assert!(html.contains(&format!("<td>{status}</td>")), "no unit {status} in the report");
    }
    let kpis: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("kpis.json")).unwrap()).unwrap();
    assert_eq!(kpis["units_opened"], 1);
    assert_eq!(kpis["units_closed"], 1);
    let changes = kpis["provenance"]["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 5);
    assert_eq!(changes[0]["line"], 3);
    // Units: TKU103's 98 places are now all Swedish; TKU104 has 60 + 20.
    let (units, _) = pave::io::parquet::read(&out.join("units.parquet")).unwrap();
    let col = |n: &str| units.column_index(n).unwrap();
    let row = |id: &str| (0..units.len).find(|&r| units.columns[col("unit_id")].cell(r).display() == id).unwrap();
    let num = |r: usize, n: &str| units.columns[col(n)].cell(r).display().parse::<f64>().unwrap();
    assert_eq!((num(row("TKU103"), "places_fi"), num(row("TKU103"), "places_sv")), (0.0, 98.0));
    assert_eq!((num(row("TKU104"), "places_fi"), num(row("TKU104"), "places_sv")), (60.0, 20.0));
    assert_eq!(num(row("TKU106"), "places"), 0.0);
    // Catchment children by age, named by the age (ages 1–6 in the template).
    assert!(units.column_index("catchment_age_1").is_some() && units.column_index("catchment_age_6").is_some());
    let by_age: f64 = (1..=6).map(|a| num(row("TKU104"), &format!("catchment_age_{a}"))).sum();
    assert!((by_age - num(row("TKU104"), "catchment_children")).abs() < 1e-6, "{by_age}");
}

/// A tiny city on an interchange network (a 600 m street along y = 6672125): cell C1 with
/// 3 Finnish-, 2 other- and 4 Swedish-speaking children, cell C2 east of it with 1 Finnish
/// speaker; unit SV (10 Swedish places) 5 m from C1's point, unit FI (10 Finnish places)
/// 175 m east of it.
fn tiny_city(dir: &Path, changes: &str) -> PathBuf {
    let put = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    put(
        "profile.toml",
        "city = \"Pikkula\"\nmunicipality_code = \"998\"\ncrs = 3067\n\n[years]\nobserved = [2024, 2024]\n\n\
         [districts]\nlevels = [\"alue\"]\npath = \"districts.csv\"\n\n\
         [[facilities]]\npath = \"units.csv\"\ncolumns = { id = \"id\", name_fi = \"name\", service_type = \"service\", x = \"x\", y = \"y\", \
         languages = \"languages\", capacity_by_language = { fi = \"fi\", sv = \"sv\" } }\n\n\
         [[demand_areas]]\npath = \"cells.csv\"\nkind = \"grid_250m\"\ngeometry = \"inspire_id\"\ncolumns = { id = \"id\", districts = { alue = \"alue\" } }\n\n\
         [[population]]\npath = \"population.csv\"\nlevel = \"demand_area\"\nkind = \"observed\"\n\
         columns = { area = \"cell\", year = \"year\", age = \"age\", count = \"count\", language_group = \"language\" }\n",
    );
    put("districts.csv", "code,level,name_fi\nA,alue,Keskusta\n");
    put(
        "units.csv",
        "id,name,service,x,y,languages,fi,sv\nSV,Svenska,early_childhood_education,385130,6672125,sv,,10\n\
         FI,Suomi,early_childhood_education,385300,6672125,fi,10,\n",
    );
    put("cells.csv", "id,alue\nCRS3067RES250mN6672000E385000,A\nCRS3067RES250mN6672000E385250,A\n");
    put(
        "population.csv",
        "cell,year,age,count,language\nCRS3067RES250mN6672000E385000,2024,3,3,fi\nCRS3067RES250mN6672000E385000,2024,3,2,other\n\
         CRS3067RES250mN6672000E385000,2024,3,4,sv\nCRS3067RES250mN6672000E385250,2024,3,1,fi\n",
    );
    let mut nodes = "id,x,y\n".to_owned();
    let mut edges = "from,to,length_m,time_s\n".to_owned();
    for i in 0..13 {
        nodes.push_str(&format!("{i},{},6672125\n", 385_000 + 50 * i));
        if i > 0 {
            edges.push_str(&format!("{},{i},50,41.667\n{i},{},50,41.667\n", i - 1, i - 1));
        }
    }
    put("nodes.csv", &nodes);
    put("edges.csv", &edges);
    put(
        "scenario.toml",
        &format!(
            "name = \"pikkula\"\nprofile = \"profile.toml\"\nyear = 2024\nservice = \"early_childhood_education\"\nages = [3, 3]\n\n\
             [network]\ncsv = [\"nodes.csv\", \"edges.csv\"]\n\n[parameters]\nthreshold_min = 16\n{changes}"
        ),
    );
    dir.join("scenario.toml")
}

fn value(t: &pave::io::table::Table, key_col: &str, key: &str, col: &str) -> String {
    let k = t.column_index(key_col).unwrap();
    let c = t.column_index(col).unwrap_or_else(|| panic!("no column {col}"));
    let row = (0..t.len).find(|&r| t.columns[k].cell(r).display() == key).unwrap_or_else(|| panic!("no {key}"));
    t.columns[c].cell(row).display()
}

#[test]
fn result_definitions_hold_on_a_city_worked_by_hand() {
    // docs/definitions.md §6.6: the cell's main unit sums children over language groups;
    // §6.7: a unit's catchment counts only children who may take its places; §5.3: the two
    // rules compared on the same children; §9: rounded Finnish Excel CSVs.
    let dir = tempfile::tempdir().unwrap();
    let s = tiny_city(dir.path(), "");
    let out = dir.path().join("out");
    let r = pave(dir.path(), &["-q", "run", s.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = out.join("pikkula");
    let (cells, _) = pave::io::parquet::read(&out.join("cells.parquet")).unwrap();
    // C1: 4 Swedish speakers to SV, 3 + 2 (Finnish and other) to FI: FI takes most (5 > 4),
    // though SV takes the largest single language group.
    let c1 = "CRS3067RES250mN6672000E385000";
    assert_eq!(value(&cells, "cell_id", c1, "allocated_unit"), "FI");
    assert_eq!(value(&cells, "cell_id", c1, "rule_unit"), "FI");
    // Catchments: SV is the nearest unit of every child of C1, but only the 4 Swedish
    // speakers may take its places; FI's catchment is C1's 5 others and C2's 1.
    let (units, _) = pave::io::parquet::read(&out.join("units.parquet")).unwrap();
    assert_eq!(value(&units, "unit_id", "SV", "catchment_children"), "4");
    assert_eq!(value(&units, "unit_id", "FI", "catchment_children"), "6");
    let kpis: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("kpis.json")).unwrap()).unwrap();
    assert_eq!(kpis["provenance"]["mode"], "custom", "a CSV network with its own times is not 'walk'");
    assert_eq!(kpis["nearest_with_vacancy"]["served"], 10.0);
    // The same children compared: the rule's placement here is already the least travel.
    let rv = &kpis["rule_vs_optimum"];
    assert!(
        (rv["child_minutes_rule"].as_f64().unwrap() - rv["child_minutes_same_children_optimum"].as_f64().unwrap())
            .abs()
            < 1e-9,
        "{rv}"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("travel: custom") && !html.contains("NearestWithVacancy"),
        "the report names the mode and rule for people"
    );
    // Finnish Excel CSV: rounded figures, no float noise.
    let csv = std::fs::read_to_string(out.join("allocation.csv")).unwrap();
    assert!(csv.contains(";4,00;"), "{csv}");
    let districts = std::fs::read_to_string(out.join("districts.csv")).unwrap();
    assert!(districts.contains("within_pct") && districts.contains(";100,0;"), "{districts}");
}

#[test]
fn places_no_child_may_take_stay_empty_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let s = tiny_city(
        dir.path(),
        "\n[[change]]\naction = \"open\"\nunit = \"EN\"\nat = [385125, 6672125]\nplaces = { en = 30 }\n",
    );
    let out = dir.path().join("out");
    let r = pave(dir.path(), &["-q", "run", s.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("unit EN has 30 en places that no language group may take"), "{}", r.stderr);
    let (units, _) = pave::io::parquet::read(&out.join("pikkula/units.parquet")).unwrap();
    assert_eq!(value(&units, "unit_id", "EN", "placed"), "0");
    let kpis: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("pikkula/kpis.json")).unwrap()).unwrap();
    assert_eq!(kpis["unusable_places"][0]["places"], 30);
    // With English places open to other-language speakers, EN takes C1's two of them.
    let profile = dir.path().join("profile.toml");
    let text = std::fs::read_to_string(&profile).unwrap();
    std::fs::write(&profile, text.replace("[years]", "[language_rules]\nother = [\"fi\", \"en\"]\n\n[years]")).unwrap();
    let r = pave(dir.path(), &["-q", "run", s.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("no language group may take"), "{}", r.stderr);
    let (units, _) = pave::io::parquet::read(&out.join("pikkula/units.parquet")).unwrap();
    assert_eq!(value(&units, "unit_id", "EN", "placed"), "2");
}
