//! The bad-input corpus: every case must give its specific message and a non-zero exit,
//! never a panic, and `pave model export` must leave no output behind.

mod support;

use support::{Fixture, pave};

/// Runs validate and export on a mutated fixture and checks the outcome.
fn check(name: &str, fixture: Fixture, kind: &str, needles: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let profile = fixture.write(dir.path());
    let profile = profile.to_str().unwrap();
    let v = pave(dir.path(), &["validate", profile]);
    let all = format!("{}{}", v.stdout, v.stderr);
    assert_eq!(v.code, 1, "[{name}] validate should exit 1, got {}:\n{all}", v.code);
    assert!(!all.contains("panicked"), "[{name}] panicked:\n{all}");
    assert!(all.contains(&format!("error[{kind}]")), "[{name}] expected error[{kind}]:\n{all}");
    for needle in needles {
        assert!(all.contains(needle), "[{name}] expected '{needle}' in:\n{all}");
    }
    let out = dir.path().join("export");
    let e = pave(dir.path(), &["-q", "model", "export", profile, "--out", out.to_str().unwrap()]);
    assert_ne!(e.code, 0, "[{name}] export should fail:\n{}", e.stderr);
    assert!(!e.stderr.contains("panicked"), "[{name}] export panicked:\n{}", e.stderr);
    let left: Vec<_> = std::fs::read_dir(&out).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    assert!(left.is_empty(), "[{name}] export left files behind: {left:?}");
}

#[test]
fn the_clean_fixture_validates_and_exports() {
    let dir = tempfile::tempdir().unwrap();
    let profile = Fixture::new().write(dir.path());
    let v = pave(dir.path(), &["validate", profile.to_str().unwrap()]);
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
    assert!(v.stdout.contains("0 errors, 0 warnings"), "{}", v.stdout);
    let out = dir.path().join("export");
    let e = pave(dir.path(), &["-q", "model", "export", profile.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(e.code, 0, "{}", e.stderr);
    assert!(out.join("model.gpkg").exists() && out.join("population.parquet").exists());
}

#[test]
fn empty_file() {
    check("empty", Fixture::new().set("facilities.csv", ""), "empty", &["facilities.csv", "the file is empty"]);
}

#[test]
fn header_only() {
    check(
        "header only",
        Fixture::new().edit("premises.csv", |t| t.lines().next().unwrap().to_owned() + "\n"),
        "empty",
        &["premises.csv", "no data rows"],
    );
}

#[test]
fn missing_column() {
    check(
        "missing column",
        Fixture::new().edit("facilities.csv", |t| t.replacen("capacity", "places", 1)),
        "missing-column",
        &["facilities.csv", "'capacity'", "the file has: id, name_fi"],
    );
}

#[test]
fn wrong_delimiter() {
    check(
        "wrong delimiter",
        Fixture::new().edit("premises.csv", |t| t.replace(',', ";")),
        "missing-column",
        &["premises.csv", "delimiter"],
    );
}

#[test]
fn decimal_comma_in_comma_file() {
    check(
        "decimal comma",
        Fixture::new().edit("premises.csv", |t| t.replace("540.5", "540,5")),
        "parse",
        &["premises.csv", "line 2", "decimal comma"],
    );
}

#[test]
fn quoted_decimal_comma_in_comma_file() {
    check(
        "quoted decimal comma",
        Fixture::new().edit("premises.csv", |t| t.replace("540.5", "\"540,5\"")),
        "parse",
        &["line 2", "field 'floor_area_m2' = '540,5'", "csv.decimal"],
    );
}

#[test]
fn unknown_code() {
    check(
        "unknown code",
        Fixture::new().edit("facilities.csv", |t| t.replacen("early_childhood_education", "daycare", 1)),
        "unknown-code",
        &["line 2", "field 'service_type' = 'daycare'", "early_childhood_education"],
    );
}

#[test]
fn unknown_language_code() {
    check(
        "unknown language",
        Fixture::new().edit("facilities.csv", |t| t.replace("fi/sv", "fi/de")),
        "unknown-code",
        &["line 3", "'de'", "fi, sv, en, se"],
    );
}

#[test]
fn duplicate_id() {
    check(
        "duplicate id",
        Fixture::new().edit("facilities.csv", |t| t.replace("P2,", "P1,")),
        "duplicate-id",
        &["line 3", "'P1'", "first seen at line 2"],
    );
}

#[test]
fn nan_coordinate() {
    check(
        "NaN",
        Fixture::new().edit("facilities.csv", |t| t.replace("385100", "NaN")),
        "not-finite",
        &["line 2", "field 'x'", "finite"],
    );
}

#[test]
fn infinite_count() {
    check(
        "inf",
        Fixture::new().edit("population.csv", |t| t.replace(",12", ",inf")),
        "not-finite",
        &["population.csv", "line 2", "'count'"],
    );
}

#[test]
fn negative_capacity() {
    check(
        "negative capacity",
        Fixture::new().edit("facilities.csv", |t| t.replace(",60,", ",-60,")),
        "out-of-range",
        &["line 2", "field 'capacity' = '-60'", "> 0"],
    );
}

#[test]
fn zero_capacity() {
    check(
        "zero capacity",
        Fixture::new().edit("facilities.csv", |t| t.replace(",60,", ",0,")),
        "out-of-range",
        &["field 'capacity' = '0'"],
    );
}

#[test]
fn swapped_axes() {
    check(
        "swapped axes",
        Fixture::new().edit("facilities.csv", |t| t.replace("385100,6672100", "6672100,385100")),
        "wrong-crs",
        &["line 2", "swapped"],
    );
}

#[test]
fn degrees_given_as_metres() {
    check(
        "degrees as metres",
        Fixture::new().edit("facilities.csv", |t| t.replace("385100,6672100", "24.95,60.17")),
        "wrong-crs",
        &["line 2", "degrees", "crs = 4326"],
    );
}

#[test]
fn gk_coordinates_under_tm35fin() {
    check(
        "GK25 given as 3067",
        Fixture::new().edit("facilities.csv", |t| t.replace("385100,6672100", "25497347.63,6672952.17")),
        "wrong-crs",
        &["zone prefix", "3879"],
    );
}

#[test]
fn point_outside_finland() {
    // Stockholm in EPSG:3067.
    check(
        "outside Finland",
        Fixture::new().edit("facilities.csv", |t| t.replace("385100,6672100", "-9500,6583000")),
        "outside-finland",
        &["line 2", "outside Finland"],
    );
}

#[test]
fn invalid_polygon() {
    let bowtie = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"id":"Q1","district":"A1"},"geometry":{"type":"Polygon","coordinates":[[[24.95,60.17],[24.96,60.18],[24.96,60.17],[24.95,60.18],[24.95,60.17]]]}}]}"#;
    let f = Fixture::new()
        .set("areas.geojson", bowtie)
        .edit("profile.toml", |t| {
            t.replace(
                "path = \"areas.csv\"\nkind = \"grid_250m\"\ngeometry = \"inspire_id\"",
                "path = \"areas.geojson\"\nkind = \"statistical_area\"",
            )
        })
        .edit("population.csv", |t| t.lines().next().unwrap().to_owned() + "\nQ1,2024,3,5\n");
    check("invalid polygon", f, "invalid-geometry", &["areas.geojson", "feature 1", "Q1"]);
}

#[test]
fn corrupt_geopackage() {
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.extend(std::iter::repeat_n(0xAB, 4096));
    let f = Fixture::new()
        .set("units.gpkg", bytes)
        .edit("profile.toml", |t| t.replace("path = \"facilities.csv\"", "path = \"units.gpkg\""));
    check("corrupt gpkg", f, "unreadable", &["units.gpkg", "GeoPackage"]);
}

#[test]
fn not_a_geopackage() {
    let f = Fixture::new()
        .set("units.gpkg", b"id,name\n1,a\n")
        .edit("profile.toml", |t| t.replace("path = \"facilities.csv\"", "path = \"units.gpkg\""));
    check("not a gpkg", f, "unreadable", &["units.gpkg", "not an SQLite database"]);
}

#[test]
fn truncated_parquet() {
    // Write a real Parquet file through pave's writer, then cut it in half.
    use pave::io::{OutColumn, OutTable};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.parquet");
    let t = OutTable::new("p")
        .with("area", OutColumn::Text(vec![Some("CRS3067RES250mN6672000E385000".into()); 100]))
        .with("year", OutColumn::Int(vec![Some(2024); 100]))
        .with("age", OutColumn::Int(vec![Some(3); 100]))
        .with("count", OutColumn::Float(vec![Some(1.0); 100]));
    pave::io::parquet::write(&path, &t).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let f = Fixture::new()
        .set("population.parquet", &bytes[..bytes.len() / 2])
        .edit("profile.toml", |t| t.replace("path = \"population.csv\"", "path = \"population.parquet\""));
    check("truncated parquet", f, "unreadable", &["population.parquet", "Parquet"]);
}

#[test]
fn unknown_epsg() {
    check(
        "unknown EPSG",
        Fixture::new().edit("profile.toml", |t| t.replace("crs = 3067", "crs = 2393")),
        "wrong-crs",
        &["2393", "3879 Helsinki"],
    );
}

#[test]
fn invalid_utf8() {
    check("invalid UTF-8", Fixture::new().edit("facilities.csv", |t| t.to_owned()).set("facilities.csv", b"id,name_fi,service_type,x,y,capacity,premises_id,languages,district\nP1,P\xE4iv\xE4koti,early_childhood_education,385100,6672100,60,T1,fi,A1\n"), "encoding", &["facilities.csv", "line 2", "windows-1252"]);
}

#[test]
fn missing_referenced_premises() {
    check(
        "missing premises",
        Fixture::new().edit("facilities.csv", |t| t.replace(",T2,", ",T9,")),
        "missing-reference",
        &["line 3", "field 'premises_id' = 'T9'"],
    );
}

#[test]
fn population_of_unknown_area() {
    check(
        "unknown area",
        Fixture::new().edit("population.csv", |t| t.replace("N6673000E386000", "N6999000E386000")),
        "missing-reference",
        &["population.csv", "line 3", "demand area"],
    );
}

#[test]
fn year_outside_the_forecast() {
    check(
        "year outside forecast",
        Fixture::new().edit("forecast.csv", |t| t.replace("A2,2030", "A2,2040")),
        "year-out-of-range",
        &["forecast.csv", "line 3", "'2040'", "2025–2030"],
    );
}

#[test]
fn unknown_profile_key() {
    check(
        "unknown key",
        Fixture::new().edit("profile.toml", |t| t.replace("crs = 3067", "crs = 3067\ncolour = \"red\"")),
        "profile",
        &["profile.toml", "line 4", "colour"],
    );
}

#[test]
fn missing_file() {
    check(
        "missing file",
        Fixture::new().edit("profile.toml", |t| t.replace("premises.csv", "tilat.csv")),
        "unreadable",
        &["tilat.csv", "cannot open"],
    );
}

#[test]
fn spreadsheet_instead_of_csv() {
    let f = Fixture::new()
        .set("premises.xlsx", b"PK\x03\x04")
        .edit("profile.toml", |t| t.replace("premises.csv", "premises.xlsx"));
    check("xlsx", f, "unreadable", &["premises.xlsx", "save the sheet as CSV"]);
}

#[test]
fn wrong_field_count() {
    check(
        "field count",
        Fixture::new().edit("premises.csv", |t| t.replace("T2,380", "T2,380,extra")),
        "parse",
        &["premises.csv", "line 3", "2 fields as in the header, found 3"],
    );
}

#[test]
fn bad_grid_id() {
    check(
        "bad grid id",
        Fixture::new().edit("areas.csv", |t| t.replace("CRS3067RES250mN6673000E386000", "N6673000E386000")),
        "parse",
        &["areas.csv", "line 3", "INSPIRE"],
    );
}

#[test]
fn capacity_language_not_served() {
    let f = Fixture::new()
        .edit("profile.toml", |t| {
            t.replace("capacity = \"capacity\"", "capacity_by_language = { fi = \"capacity\", sv = \"places_sv\" }")
        })
        .edit("facilities.csv", |t| {
            t.replace("district\n", "district,places_sv\n").replace(",A1\n", ",A1,20\n").replace(",A2\n", ",A2,0\n")
        });
    check("places in a language not served", f, "out-of-range", &["line 2", "capacity_sv", "service languages (fi)"]);
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let r = pave(dir.path(), &["validate"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = pave(dir.path(), &["frobnicate"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

/// The fixture in the Finnish Excel dialect: `;` between fields, decimal commas.
fn finnish() -> Fixture {
    let mut f = Fixture::new().edit("profile.toml", |t| {
        t.replace("crs = 3067\n", "crs = 3067\n\n[csv]\ndelimiter = \";\"\ndecimal = \",\"\n")
    });
    for name in ["districts.csv", "facilities.csv", "premises.csv", "areas.csv", "population.csv", "forecast.csv"] {
        f = f.edit(name, |t| t.replace(',', ";").replace("fi/sv", "fi+sv").replace('.', ","));
    }
    f
}

#[test]
fn the_finnish_fixture_validates() {
    let dir = tempfile::tempdir().unwrap();
    let profile = finnish().write(dir.path());
    let v = pave(dir.path(), &["validate", profile.to_str().unwrap()]);
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
}

#[test]
fn dot_in_a_decimal_comma_file_is_ambiguous() {
    // SAP and German-locale exports write 1.189 for 1189: never read as 1.189.
    check(
        "dot thousands separator",
        finnish().edit("premises.csv", |t| t.replace("T2;380", "T2;1.189")),
        "parse",
        &["premises.csv", "line 3", "field 'floor_area_m2' = '1.189'", "ambiguous", "(1189)", "(1,189)"],
    );
}

#[test]
fn comma_in_a_decimal_point_file_is_ambiguous() {
    let f = Fixture::new()
        .edit("profile.toml", |t| t.replace("crs = 3067\n", "crs = 3067\n\n[csv]\ndelimiter = \";\"\n"))
        .edit("districts.csv", |t| t.replace(',', ";"))
        .edit("facilities.csv", |t| t.replace(',', ";").replace(";60;", ";1,050;"))
        .edit("premises.csv", |t| t.replace(',', ";"))
        .edit("areas.csv", |t| t.replace(',', ";"))
        .edit("population.csv", |t| t.replace(',', ";"))
        .edit("forecast.csv", |t| t.replace(',', ";"));
    check(
        "comma in a decimal-point file",
        f,
        "parse",
        &["facilities.csv", "line 2", "field 'capacity' = '1,050'", "(1050)", "(1.050)"],
    );
}

#[test]
fn fractional_places_are_shown_as_written() {
    check(
        "12.5 places",
        Fixture::new().edit("facilities.csv", |t| t.replace(",60,", ",12.5,")),
        "parse",
        &["line 2", "field 'capacity' = '12.5'", "a whole number"],
    );
    check(
        "1,050 places in a decimal-comma file",
        finnish().edit("facilities.csv", |t| t.replace(";60;", ";1,050;")),
        "parse",
        &["line 2", "field 'capacity' = '1,050'", "a whole number", "write 1050"],
    );
}

#[test]
fn a_point_outside_the_city_is_shown_as_written() {
    // Facilities in WGS 84: one in Helsinki, one in Tallinn (inside Finland's EPSG:3067
    // extent, so only the city boundary catches it).
    let boundary = r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3067"}},"features":[
      {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[375000,6660000],[395000,6660000],[395000,6685000],[375000,6685000],[375000,6660000]]]}}]}"#;
    let f = Fixture::new()
        .set("boundary.geojson", boundary)
        .edit("profile.toml", |t| {
            t.replace("crs = 3067\n", "crs = 3067\nboundary = \"boundary.geojson\"\n")
                .replace("path = \"facilities.csv\"", "path = \"facilities.csv\"\ncrs = 4326")
        })
        .edit("facilities.csv", |t| {
            t.replace("385100,6672100", "24.9384,60.1699").replace("386100,6673100", "24.7536,59.4370")
        });
    check(
        "Tallinn",
        f,
        "outside-city",
        &["line 3", "field 'coordinates' = '24.7536, 59.4370'", "(24.7536, 59.4370) lies", "km outside"],
    );
}

#[test]
fn ids_are_compared_without_surrounding_whitespace() {
    // "P1 " in a GeoJSON property is the same unit as "P1".
    check(
        "duplicate id with a trailing space",
        Fixture::new().edit("facilities.csv", |t| t.replace("P2,", "\"P1 \",")),
        "duplicate-id",
        &["line 3", "'P1'", "first seen at line 2"],
    );
}

#[test]
fn ids_can_be_compared_case_insensitively() {
    let f = Fixture::new()
        .edit("profile.toml", |t| t.replace("crs = 3067\n", "crs = 3067\ncase_insensitive_ids = true\n"))
        .edit("facilities.csv", |t| t.replace("P2,", "p1,"));
    check("duplicate id in another case", f, "duplicate-id", &["line 3", "'P1'", "first seen at line 2"]);
    // References match across cases too: premises id t1 is T1.
    let dir = tempfile::tempdir().unwrap();
    let profile = Fixture::new()
        .edit("profile.toml", |t| t.replace("crs = 3067\n", "crs = 3067\ncase_insensitive_ids = true\n"))
        .edit("facilities.csv", |t| t.replace(",T1,", ",t1,"))
        .write(dir.path());
    let v = pave(dir.path(), &["validate", profile.to_str().unwrap()]);
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
}

#[test]
fn duplicated_population_records_are_never_summed() {
    check(
        "duplicate population record",
        Fixture::new().edit("population.csv", |t| format!("{t}CRS3067RES250mN6672000E385000,2024,3,5\n")),
        "duplicate-record",
        &["population.csv", "line 4", "also at line 2", "counted twice", "CRS3067RES250mN6672000E385000"],
    );
    check(
        "overlapping age bands",
        Fixture::new()
            .edit("profile.toml", |t| t.replace("age = \"age\", count", "age_band = \"age\", count"))
            .edit("population.csv", |t| format!("{t}CRS3067RES250mN6672000E385000,2024,0-6,40\n")),
        "duplicate-record",
        &["population.csv", "line 4", "do not overlap", "age 3", "0–6"],
    );
}

/// The fixture with places by language beside the total.
fn total_and_languages(rule: Option<&str>, fi: &str, sv: &str) -> Fixture {
    let rule = rule.map_or(String::new(), |r| format!("capacity_total = \"{r}\"\n"));
    Fixture::new()
        .edit("profile.toml", |t| {
            t.replace(
                "capacity = \"capacity\"\n",
                "capacity = \"capacity\"\ncapacity_by_language = { fi = \"places_fi\", sv = \"places_sv\" }\n",
            )
            .replace("[facilities.columns]", &format!("{rule}[facilities.columns]"))
        })
        .edit("facilities.csv", |t| {
            t.replace("district\n", "district,places_fi,places_sv\n")
                .replace(",A1\n", &format!(",A1,{fi},0\n"))
                .replace(",A2\n", &format!(",A2,30,{sv}\n"))
        })
}

#[test]
fn a_total_beside_language_places_is_never_counted_twice() {
    check(
        "total and languages without a rule",
        total_and_languages(None, "60", "10"),
        "profile",
        &["facilities.csv", "capacity_total", "counted twice", "sum", "rest_is_shared"],
    );
    check(
        "total is not the sum",
        total_and_languages(Some("sum"), "50", "10"),
        "inconsistent",
        &["line 2", "field 'capacity' = '60'", "fi 50 + sv 0 = 50"],
    );
    check(
        "reserved places exceed the total",
        total_and_languages(Some("rest_is_shared"), "70", "10"),
        "inconsistent",
        &["line 2", "field 'capacity' = '60'", "fi 70 + sv 0 = 70"],
    );
    // Consistent files validate: the sum, or the rest shared.
    for (rule, fi, sv) in [("sum", "60", "10"), ("rest_is_shared", "40", "5")] {
        let dir = tempfile::tempdir().unwrap();
        let profile = total_and_languages(Some(rule), fi, sv).write(dir.path());
        let v = pave(dir.path(), &["validate", profile.to_str().unwrap()]);
        assert_eq!(v.code, 0, "[{rule}] {}{}", v.stdout, v.stderr);
    }
}

#[test]
fn places_no_child_may_take_are_warned_about() {
    let f = |rules: &str| {
        Fixture::new()
            .edit("profile.toml", |t| {
                t.replace("capacity = \"capacity\"\n", "capacity_by_language = { en = \"capacity\" }\n")
                    .replace("[years]", &format!("{rules}[years]"))
            })
            .edit("facilities.csv", |t| t.replace(",fi,A1", ",en,A1").replace(",fi/sv,A2", ",en,A2"))
    };
    let dir = tempfile::tempdir().unwrap();
    let profile = f("").write(dir.path());
    let v = pave(dir.path(), &["validate", profile.to_str().unwrap()]);
    assert_eq!(v.code, 0, "warnings only: {}{}", v.stdout, v.stderr);
    let all = format!("{}{}", v.stdout, v.stderr);
    assert!(all.contains("warning[unusable-places]") && all.contains("no child ever takes en places"), "{all}");
    // The city says who may take English places: no warning.
    let dir = tempfile::tempdir().unwrap();
    let profile = f("[language_rules]\nother = [\"fi\", \"en\"]\n\n").write(dir.path());
    let v = pave(dir.path(), &["validate", profile.to_str().unwrap()]);
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
    assert!(!format!("{}{}", v.stdout, v.stderr).contains("unusable-places"), "{}", v.stdout);
}

#[test]
fn shared_places_can_be_mapped() {
    let dir = tempfile::tempdir().unwrap();
    let profile = Fixture::new()
        .edit("profile.toml", |t| {
            t.replace(
                "capacity = \"capacity\"\n",
                "capacity_by_language = { fi = \"capacity\", shared = \"shared\" }\n",
            )
        })
        .edit("facilities.csv", |t| {
            t.replace("district\n", "district,shared\n").replace(",A1\n", ",A1,15\n").replace(",A2\n", ",A2,\n")
        })
        .write(dir.path());
    let out = dir.path().join("model");
    let e = pave(dir.path(), &["-q", "model", "export", profile.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(e.code, 0, "{}", e.stderr);
    let (t, _) = pave::io::parquet::read(&out.join("units.parquet")).unwrap();
    let get = |name: &str, row: usize| t.columns[t.column_index(name).unwrap()].cell(row).display();
    assert_eq!(
        (get("places_fi", 0), get("places_shared", 0), get("places_total", 0)),
        ("60".into(), "15".into(), "75".into())
    );
    assert_eq!((get("places_fi", 1), get("places_shared", 1)), ("40".into(), "".into()));
}
