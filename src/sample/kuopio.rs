//! Kuopio (297): SYNTHETIC grid population, districts, units, premises and forecasts inside
//! the real municipal boundary, in Kuopio's conventions: ETRS-GK27 (EPSG:3881) GeoPackage
//! cells, GeoJSON units (EPSG:4326), Parquet population and forecast, comma CSV in UTF-8.

use super::common::{cells, sector};
use super::rng::Rng;
use super::units::{Plan, district_base, forecast, units};
use super::{Written, text_col};
use crate::io::crs::{Crs, Transform};
use crate::io::{GeometryKind, OutColumn, OutGeometry, OutTable, WriteError, geojson, gpkg, parquet};
use crate::model::demand::grid::{cell_polygon, parse_inspire_id};
use crate::model::profile::CsvDialect;
use geo::{Coord, Geometry, LineString, MultiPolygon, Polygon};
use std::path::Path;

const SUURALUEET: [&str; 9] =
    ["Keskusta", "Itä", "Koillinen", "Pohjoinen", "Luode", "Länsi", "Lounas", "Etelä", "Kaakko"];

/// Generates Kuopio's synthetic files into `dir`.
pub fn generate(dir: &Path, boundary: &MultiPolygon<f64>, written: &mut Written) -> Result<(), WriteError> {
    let mut rng = Rng::new(0x0297_2025);
    // Kuopio market square in EPSG:3067 (see the CRS control points).
    let centre = (534_471.0, 6_973_794.0);
    let cells = cells(&mut rng, boundary, centre, 125_000.0, 4_000.0);
    let suuralue = |i: usize| -> usize { if cells[i].dist < 3_000.0 { 0 } else { 1 + sector(cells[i].angle) } };
    let tilastoalue = |i: usize| -> String {
        let s = suuralue(i);
        let inner = if s == 0 { cells[i].dist < 1_500.0 } else { cells[i].dist < 9_000.0 };
        format!("{}{:02}", s + 1, if inner { 1 } else { 2 })
    };
    let plan = Plan {
        daycares: 36,
        daycare_groups: (3, 9),
        swedish_share: 0.0,
        bilingual: 1,
        swedish_daycares: 0,
        schools: 12,
        libraries: 5,
        health_stations: 4,
    };
    let (units, premises) =
        units(&mut rng, &cells, &plan, &|i| format!("{}", 5000 + i), &|i| format!("K{:05}", 30_000 + i));
    let comma = CsvDialect::default();

    // Districts: suuralue (SA1…SA9) and their two tilastoalueet each.
    let mut codes = Vec::new();
    let mut levels = Vec::new();
    let mut names = Vec::new();
    let mut parents = Vec::new();
    for (s, name) in SUURALUEET.iter().enumerate() {
        codes.push(Some(format!("SA{}", s + 1)));
        levels.push(Some("suuralue".to_owned()));
        names.push(Some((*name).to_owned()));
        parents.push(None);
    }
    for (s, name) in SUURALUEET.iter().enumerate() {
        for (k, part) in ["sisempi", "ulompi"].iter().enumerate() {
            codes.push(Some(format!("{}{:02}", s + 1, k + 1)));
            levels.push(Some("tilastoalue".to_owned()));
            names.push(Some(format!("{name}, {part}")));
            parents.push(Some(format!("SA{}", s + 1)));
        }
    }
    let alueet = OutTable::new("alueet")
        .with("id", OutColumn::Text(codes))
        .with("taso", OutColumn::Text(levels))
        .with("nimi", OutColumn::Text(names))
        .with("ylempi", OutColumn::Text(parents));
    let path = dir.join("alueet-SYNTHETIC.csv");
    crate::io::csv::write(&path, &alueet, &comma)?;
    written.push(path);

    // Cells as GK27 polygons in a GeoPackage.
    let gk27 = Transform::new(Crs::from_epsg(3067).expect("3067"), Crs::from_epsg(3881).expect("3881"));
    let to_gk27 = |mp: MultiPolygon<f64>| -> MultiPolygon<f64> {
        let ring = |ls: &LineString<f64>| {
            LineString(
                ls.0.iter()
                    .map(|c| {
                        let (x, y) = gk27.apply(c.x, c.y);
                        Coord { x: (x * 1000.0).round() / 1000.0, y: (y * 1000.0).round() / 1000.0 }
                    })
                    .collect(),
            )
        };
        MultiPolygon(mp.0.iter().map(|p| Polygon::new(ring(p.exterior()), vec![])).collect())
    };
    let mut ruudut = OutTable::new("vaestoruudut")
        .with("ruutu", OutColumn::Text(cells.iter().map(|c| Some(c.id.clone())).collect()))
        .with("suuralue", OutColumn::Text((0..cells.len()).map(|i| Some(format!("SA{}", suuralue(i) + 1))).collect()))
        .with("tilastoalue", OutColumn::Text((0..cells.len()).map(|i| Some(tilastoalue(i))).collect()));
    ruudut.geometry = Some(OutGeometry {
        kind: GeometryKind::MultiPolygon,
        epsg: 3881,
        values: cells
            .iter()
            .map(|c| {
                let (size, e, n) = parse_inspire_id(&c.id).expect("generated ids parse");
                Some(Geometry::MultiPolygon(to_gk27(cell_polygon(size, e, n))))
            })
            .collect(),
    });
    let path = dir.join("ruudut-SYNTHETIC.gpkg");
    gpkg::write_at(&path, &[ruudut], super::SAMPLE_TIMESTAMP)?;
    written.push(path);

    // Observed 2024 population, long format, six bands; cells under 5 residents suppressed (null).
    let bands: [(&str, usize, usize); 6] =
        [("0-2", 0, 2), ("3-6", 3, 6), ("7-12", 7, 12), ("13-15", 13, 15), ("16-64", 16, 64), ("65+", 65, 100)];
    let (mut ruutu, mut ryhma, mut asukkaat) = (Vec::new(), Vec::new(), Vec::new());
    for c in &cells {
        let ages = c.ages();
        for (label, lo, hi) in bands {
            ruutu.push(Some(c.id.clone()));
            ryhma.push(Some(label.to_owned()));
            asukkaat.push((c.total >= 5.0).then(|| ages[lo..=hi].iter().sum::<f64>().round() as i64));
        }
    }
    let vaesto = OutTable::new("vaesto")
        .with("ruutu", OutColumn::Text(ruutu))
        .with("vuosi", OutColumn::Int(asukkaat.iter().map(|_| Some(2024)).collect()))
        .with("ikaryhma", OutColumn::Text(ryhma))
        .with("asukkaat", OutColumn::Int(asukkaat));
    let path = dir.join("vaesto-2024-SYNTHETIC.parquet");
    parquet::write(&path, &vaesto)?;
    written.push(path);

    // Forecast by tilastoalue, single years, language groups (kieli: suomi / ruotsi / muu).
    let (mut alue, mut vuosi, mut ika, mut kieli, mut ennuste) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for s in 0..SUURALUEET.len() {
        for k in 1..=2 {
            let code = format!("{}{:02}", s + 1, k);
            let base = district_base(&cells, |i| tilastoalue(i) == code);
            let migration = if k == 1 { 0.004 } else { -0.003 };
            let sv = if s == 0 { 0.012 } else { 0.005 };
            let other = if k == 1 { 0.07 } else { 0.04 };
            for (year, ages) in forecast(&base, 2024, 2025, 2035, 0.05, migration) {
                for (age, v) in ages.iter().enumerate() {
                    for (name, share) in [("suomi", 1.0 - sv - other), ("ruotsi", sv), ("muu", other)] {
                        alue.push(Some(code.clone()));
                        vuosi.push(Some(i64::from(year)));
                        ika.push(Some(age as i64));
                        kieli.push(Some(name.to_owned()));
                        ennuste.push(Some(super::demography::round2(v * share)));
                    }
                }
            }
        }
    }
    let table = OutTable::new("ennuste")
        .with("alue", OutColumn::Text(alue))
        .with("vuosi", OutColumn::Int(vuosi))
        .with("ika", OutColumn::Int(ika))
        .with("kieli", OutColumn::Text(kieli))
        .with("ennuste", OutColumn::Float(ennuste));
    let path = dir.join("ennuste-2025-2035-SYNTHETIC.parquet");
    parquet::write(&path, &table)?;
    written.push(path);

    // Units as RFC 7946 GeoJSON (EPSG:4326) with Kuopio's property names.
    let wgs = Crs::from_epsg(4326).expect("4326");
    let tm35 = Crs::from_epsg(3067).expect("3067");
    let kind = |s: &str| match s {
        "early_childhood_education" => "paivakoti",
        "basic_education" => "peruskoulu",
        "library" => "kirjasto",
        _ => "terveysasema",
    };
    let status = |s: &str| match s {
        "planned" => "suunnitteilla",
        "closing" => "poistumassa",
        _ => "kaytossa",
    };
    let operator = |s: &str| match s {
        "private" => "yksityinen",
        "purchased" => "ostopalvelu",
        _ => "kaupunki",
    };
    let places = |u: &super::units::Unit, v: u32| {
        (u.service == "early_childhood_education" || u.service == "basic_education").then_some(i64::from(v))
    };
    let mut palvelut = OutTable::new("palvelupisteet")
        .with("id", OutColumn::Int(units.iter().map(|u| u.id.parse().ok()).collect()))
        .with("nimi", OutColumn::Text(units.iter().map(|u| Some(u.name_fi.clone())).collect()))
        .with("nimi_ruotsiksi", OutColumn::Text(units.iter().map(|u| u.name_sv.clone()).collect()))
        .with("palvelutyyppi", text_col(units.iter().map(|u| kind(u.service))))
        .with("paikat_suomi", OutColumn::Int(units.iter().map(|u| places(u, u.places_fi)).collect()))
        .with("paikat_ruotsi", OutColumn::Int(units.iter().map(|u| places(u, u.places_sv)).collect()))
        .with("kielet", OutColumn::Text(units.iter().map(|u| Some(u.languages().join(","))).collect()))
        .with("tila", text_col(units.iter().map(|u| status(u.status))))
        .with("avataan", OutColumn::Int(units.iter().map(|u| u.opening.map(i64::from)).collect()))
        .with("suljetaan", OutColumn::Int(units.iter().map(|u| u.closing.map(i64::from)).collect()))
        .with("tuottaja", text_col(units.iter().map(|u| operator(u.operator))))
        .with("tila_id", OutColumn::Text(units.iter().map(|u| Some(u.premises.clone())).collect()))
        .with("tilastoalue", OutColumn::Text(units.iter().map(|u| Some(tilastoalue(u.cell))).collect()));
    palvelut.geometry = Some(OutGeometry {
        kind: GeometryKind::Point,
        epsg: 4326,
        values: units
            .iter()
            .map(|u| {
                let (lon, lat) = tm35.to_lon_lat(u.x, u.y);
                let (lon, lat) = wgs.from_lon_lat(lon, lat);
                Some(Geometry::Point(geo::Point::new((lon * 1e7).round() / 1e7, (lat * 1e7).round() / 1e7)))
            })
            .collect(),
    });
    let path = dir.join("palvelupisteet-SYNTHETIC.geojson");
    geojson::write(&path, &palvelut)?;
    written.push(path);

    let tilat = OutTable::new("tilat")
        .with("id", OutColumn::Text(premises.iter().map(|p| Some(p.id.clone())).collect()))
        .with("rakennustunnus", OutColumn::Text(premises.iter().map(|p| Some(p.building_id.clone())).collect()))
        .with("osoite", OutColumn::Text(premises.iter().map(|p| Some(format!("{}, Kuopio", p.address))).collect()))
        .with("kerrosala_m2", OutColumn::Float(premises.iter().map(|p| Some(p.area)).collect()))
        .with("kuntoluokka", OutColumn::Int(premises.iter().map(|p| Some(i64::from(p.condition))).collect()))
        .with("kustannus_eur_v", OutColumn::Float(premises.iter().map(|p| Some(p.cost)).collect()))
        .with("korjausvelka_eur", OutColumn::Float(premises.iter().map(|p| Some(p.debt)).collect()))
        .with("omistus", text_col(premises.iter().map(|p| if p.leased { "vuokrattu" } else { "oma" })))
        .with("vuokra_paattyy", OutColumn::Int(premises.iter().map(|p| p.lease_end.map(i64::from)).collect()));
    let path = dir.join("tilat-SYNTHETIC.csv");
    crate::io::csv::write(&path, &tilat, &comma)?;
    written.push(path);

    // Road network (Digiroad K schema, EPSG:3067) over the inhabited cells, no margin (≤ 3 MB).
    super::network::write(dir, boundary, &cells, 0, 0x0297_7E1E, written).map(|_| ())
}
