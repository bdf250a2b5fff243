//! The bundled sample data: every city validates, exports, and the SYNTHETIC files are
//! exactly what the seeded generator writes.

mod support;

use pave::io::load::load_city;
use pave::model::{Problems, Severity};
use pave::progress::NoProgress;
use std::path::Path;

fn load(city: &str) -> (pave::model::Dataset, Problems) {
    let mut problems = Problems::with_limit(0);
    let path = support::root().join("sample-data").join(city).join("profile.toml");
    let data = load_city(&path, &mut problems, &NoProgress).unwrap();
    (data, problems)
}

#[test]
fn helsinki_validates_with_real_data() {
    let (d, p) = load("helsinki");
    assert_eq!(p.errors, 0, "{:#?}", p.list);
    assert_eq!(d.demand_areas.len(), 92, "HSY grid cells");
    // Total residents of the real HSY 2020 grid extract (shared/data/README.md).
    let observed: f64 =
        (0..d.population.len()).filter(|&r| d.population.year[r] == 2020).map(|r| d.population.count[r]).sum();
    assert_eq!(observed, 71_724.0);
    // OSM: 7 libraries and 3 schools kept, 6 university/college rows skipped by the profile.
    assert_eq!(d.units.iter().filter(|f| f.service_type == "library").count(), 7);
    assert_eq!(d.units.iter().filter(|f| f.service_type == "basic_education").count(), 3);
    assert_eq!(d.skipped_units, 6);
    // Schools from OSM have no capacity: warnings, not errors.
    assert!(p.list.iter().all(|x| x.severity == Severity::Warning));
    // Swedish-language places exist and every forecast year 2025–2035 is present.
    assert!(
        d.units
            .iter()
            .any(|f| f.places_for(pave::model::Language::Swedish) > 0
                && f.places_for(pave::model::Language::Finnish) == 0)
    );
    let years: std::collections::BTreeSet<u16> = (0..d.population.len())
        .filter(|&r| d.population.kind[r] == pave::model::PopulationKind::Forecast)
        .map(|r| d.population.year[r])
        .collect();
    assert_eq!(years, (2025..=2035).collect());
    // Every cell got a peruspiiri from the key table.
    assert!(d.demand_areas.iter().all(|a| a.districts.contains_key("peruspiiri")));
}

#[test]
fn turku_and_kuopio_validate_clean() {
    for city in ["turku", "kuopio"] {
        let (d, p) = load(city);
        assert_eq!((p.errors, p.warnings), (0, 0), "{city}: {:#?}", p.list);
        assert!(d.demand_areas.len() > 1000, "{city}");
        assert!(d.units.len() > 40, "{city}");
        assert!(d.population.suppressed.iter().any(|s| *s), "{city} has suppressed small cells");
        // Points went through the city's GK zone (or WGS 84) into EPSG:3067 inside the city.
        let boundary = d.boundary.as_ref().unwrap();
        use geo::Contains;
        let inside = d.units.iter().filter(|f| boundary.contains(&geo::Point::new(f.x, f.y))).count();
        assert!(inside * 10 >= d.units.len() * 9, "{city}: {inside}/{} inside", d.units.len());
    }
}

#[test]
fn turku_reads_windows_1252_names() {
    let (d, _) = load("turku");
    assert!(d.units.iter().any(|f| f.name_fi.contains('ä')), "Windows-1252 decoded");
    assert!(
        d.units
            .iter()
            .any(|f| f.name_sv.as_deref().is_some_and(|n| n.contains('å') || n.contains('ä') || n.contains('ö')))
    );
}

#[test]
fn disaggregated_forecast_conserves_district_totals() {
    let (d, _) = load("turku");
    let out = pave::analysis::disaggregation::dasymetric(&d.population, &d.demand_areas, "suuralue", 2024, 2030);
    let forecast: f64 = (0..d.population.len())
        .filter(|&r| d.population.kind[r] == pave::model::PopulationKind::Forecast && d.population.year[r] == 2030)
        .map(|r| d.population.count[r])
        .sum();
    let placed = out.table.total() + out.unplaced.values().sum::<f64>();
    assert!((placed - forecast).abs() < 1e-6 * forecast, "{placed} vs {forecast}");
    assert!(out.unplaced.is_empty());
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.contains("SYNTHETIC") && e.path().is_file() {
            std::fs::copy(e.path(), to.join(&name)).unwrap();
        }
    }
}

#[test]
fn synthetic_files_are_reproducible() {
    let tmp = tempfile::tempdir().unwrap();
    let root = support::root().join("sample-data");
    for city in ["helsinki", "turku", "kuopio"] {
        copy_dir(&root.join(city), &tmp.path().join(city));
    }
    let written = pave::sample::generate_all(tmp.path()).unwrap();
    assert!(written.len() >= 15);
    for path in written {
        let rel = path.strip_prefix(tmp.path()).unwrap();
        let committed = std::fs::read(root.join(rel)).unwrap_or_default();
        assert!(
            committed == std::fs::read(&path).unwrap(),
            "{} differs from the generator's output; run `pave sample --out sample-data`",
            rel.display()
        );
    }
}

#[test]
fn exported_model_reads_back_with_counts_and_opens_in_ogrinfo() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("model");
    let profiles: Vec<String> = ["helsinki", "turku", "kuopio"]
        .iter()
        .map(|c| support::root().join("sample-data").join(c).join("profile.toml").display().to_string())
        .collect();
    let mut args = vec!["-q", "model", "export"];
    args.extend(profiles.iter().map(String::as_str));
    args.extend(["--out", out.to_str().unwrap()]);
    let r = support::pave(tmp.path(), &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let cities: Vec<_> = ["helsinki", "turku", "kuopio"].iter().map(|c| load(c).0).collect();
    let units: usize = cities.iter().map(|c| c.units.len()).sum();
    let areas: usize = cities.iter().map(|c| c.demand_areas.len()).sum();
    let population: usize = cities.iter().map(|c| c.population.len()).sum();
    let gpkg = out.join("model.gpkg");
    for (layer, n) in [("units", units), ("demand_areas", areas), ("population", population)] {
        let (t, problems) = pave::io::gpkg::read(&gpkg, Some(layer)).unwrap();
        assert!(problems.is_empty());
        assert_eq!(t.len, n, "{layer}");
        let (p, _) = pave::io::parquet::read(&out.join(format!("{layer}.parquet"))).unwrap();
        assert_eq!(p.len, n, "{layer}.parquet");
    }
    let (f, _) = pave::io::gpkg::read(&gpkg, Some("units")).unwrap();
    assert_eq!(f.crs, Some(3067));
    // ogrinfo (Debian gdal-bin) is required in CI and used when present elsewhere.
    match std::process::Command::new("ogrinfo").args(["-ro", "-so", "-al"]).arg(&gpkg).output() {
        Ok(o) => {
            let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
            assert!(o.status.success(), "{text}");
            assert!(!text.contains("Warning") && !text.contains("ERROR"), "ogrinfo complained:\n{text}");
            assert!(text.contains(&format!("Layer name: units\nGeometry: Point\nFeature Count: {units}")), "{text}");
            assert!(
                text.contains(&format!("Layer name: demand_areas\nGeometry: Multi Polygon\nFeature Count: {areas}")),
                "{text}"
            );
            assert!(
                text.contains(&format!("Layer name: population\nGeometry: None\nFeature Count: {population}")),
                "{text}"
            );
            assert!(text.contains("ID[\"EPSG\",3067]]"), "{text}");
        }
        Err(_) => assert!(std::env::var_os("CI").is_none(), "ogrinfo is required in CI (.ci/run installs gdal-bin)"),
    }
}

#[test]
fn turku_synthetic_road_network_is_one_piece_under_every_populated_cell() {
    use pave::model::{AreaLevel, PopulationKind};
    use pave::network::snap::{SnapIndex, SnapMode};
    let path = support::root().join("sample-data/turku/tieverkko-SYNTHETIC.gpkg");
    let (mut table, record_problems) = pave::io::gpkg::read(&path, Some("tieverkko")).unwrap();
    assert!(record_problems.is_empty());
    assert_eq!(table.crs, Some(3067), "Digiroad's EPSG:3067");
    pave::network::lines::to_internal(&mut table).unwrap();
    let mut problems = Problems::with_limit(10);
    let mapping = pave::network::lines::LineMapping::digiroad();
    let speeds = pave::network::profile::Speeds::default();
    let raw =
        pave::network::lines::raw_network(&table, &mapping, pave::model::network::Mode::Walk, &speeds, &mut problems);
    assert_eq!(problems.errors, 0, "{:#?}", problems.list);
    let (net, dropped) = pave::network::build::build(&raw, "turku walk");
    assert!(net.node_count() > 4000, "{} nodes", net.node_count());
    assert!(dropped.nodes * 100 < net.node_count(), "one big component: dropped {dropped:?}");
    // Cells with residents in 2024 (counted or suppressed as too few to publish).
    let (d, _) = load("turku");
    let p = &d.population;
    let populated: std::collections::BTreeSet<&str> = (0..p.len())
        .filter(|&r| p.kind[r] == PopulationKind::Observed && (p.count[r] > 0.0 || p.suppressed[r]))
        .map(|r| &p.areas[p.area[r] as usize])
        .filter(|a| a.level == AreaLevel::DemandArea)
        .map(|a| a.id.as_str())
        .collect();
    let index = SnapIndex::new();
    let cells: Vec<_> = d.demand_areas.iter().filter(|a| populated.contains(a.id.as_str())).collect();
    let near = cells
        .iter()
        .filter(|a| index.snap(&net, a.point.x(), a.point.y(), SnapMode::Edge).is_some_and(|s| s.distance_m <= 500.0))
        .count();
    assert!(cells.len() > 1000, "{} populated cells", cells.len());
    assert!(near * 100 >= cells.len() * 98, "{near} of {} populated cells within 500 m of the network", cells.len());
}
