//! Helsinki (091): the real HSY grid and OSM data, plus SYNTHETIC daycares, premises,
//! districts and forecasts in Helsinki's conventions: ETRS-GK25 (EPSG:3879), Finnish
//! Excel CSV (`;`, decimal comma, UTF-8 with BOM), Finnish column names.

use super::common::Cell;
use super::rng::Rng;
use super::units::{Plan, district_base, forecast, units};
use super::{Written, csv_finnish, text_col};
use crate::io::crs::{Crs, Transform};
use crate::io::table::Cell as TableCell;
use crate::io::{GeometryKind, OutColumn, OutGeometry, OutTable, WriteError, gpkg};
use geo::{Centroid, Geometry};
use std::path::Path;

/// Bounding box of the bundled OSM extract (`helsinki-center.osm.pbf`), lon/lat.
const EXTRACT: [f64; 4] = [24.935_176_2, 60.164_155, 24.953_414_5, 60.179_113];

/// Whether a cell centroid lies where the OSM extract's streets reach: inside the
/// extract's bounding box grown by about 150 m (well within the 500 m snap limit).
fn covered(lon: f64, lat: f64) -> bool {
    (EXTRACT[0] - 0.0027..=EXTRACT[2] + 0.0027).contains(&lon)
        && (EXTRACT[1] - 0.0014..=EXTRACT[3] + 0.0014).contains(&lat)
}

/// Peruspiiri of a central cell by its centroid (SYNTHETIC membership, chosen so the
/// study districts 101 and 102 are the cells the OSM extract covers): Vironniemi (101,
/// Kluuvi and Kruununhaka) north of 60.1675, Ullanlinna (102, Kaartinkaupunki) south of
/// it, and Kampinmalmi (103) everywhere the extract does not reach.
fn peruspiiri(lon: f64, lat: f64) -> &'static str {
    if !covered(lon, lat) {
        "103"
    } else if lat >= 60.1675 {
        "101"
    } else {
        "102"
    }
}

/// Generates Helsinki's synthetic files into `dir` (which holds the real HSY grid).
pub fn generate(dir: &Path, written: &mut Written) -> Result<(), WriteError> {
    let grid = dir.join("hsy-population-grid-2020-center.gpkg");
    let (table, _) = gpkg::read(&grid, None).map_err(|e| WriteError::new(&grid, e))?;
    let id_col = table.column_index("id").ok_or_else(|| WriteError::new(&grid, "no id column"))?;
    let pop_col = table.column_index("population").ok_or_else(|| WriteError::new(&grid, "no population column"))?;
    let to3067 = Transform::to_internal(Crs::from_epsg(4326).expect("4326"));
    let mut cells = Vec::new();
    let mut districts = Vec::new();
    let mut lonlat = Vec::new();
    for row in 0..table.len {
        let (TableCell::Int(id), TableCell::Int(pop)) =
            (table.columns[id_col].cell(row), table.columns[pop_col].cell(row))
        else {
            continue;
        };
        let Some(Some(Geometry::Polygon(p))) = table.geometry.as_ref().map(|g| g[row].clone()) else { continue };
        let Some(c) = p.centroid() else { continue };
        let (x, y) = to3067.apply(c.x(), c.y());
        districts.push(peruspiiri(c.x(), c.y()));
        lonlat.push((c.x(), c.y()));
        cells.push(Cell { id: id.to_string(), x, y, total: pop as f64, family: -0.45, dist: 0.0, angle: 0.0 });
    }

    // Daycares only where the extract's streets are, in cells whose centre lies inside its
    // bounding box, so every unit of the sample is on the network.
    let mut rng = Rng::new(0x0910_2025);
    let plan = Plan {
        daycares: 8,
        daycare_groups: (2, 5),
        swedish_share: 0.15,
        bilingual: 1,
        swedish_daycares: 1,
        schools: 0,
        libraries: 0,
        health_stations: 0,
    };
    let inside: Vec<usize> = (0..cells.len())
        .filter(|&i| {
            let (lon, lat) = lonlat[i];
            (EXTRACT[0]..=EXTRACT[2]).contains(&lon) && (EXTRACT[1]..=EXTRACT[3]).contains(&lat)
        })
        .collect();
    let inside_cells: Vec<Cell> = inside.iter().map(|&i| cells[i].clone()).collect();
    let (mut units, premises) =
        units(&mut rng, &inside_cells, &plan, &|i| format!("{}", 23_001 + i), &|i| format!("HKI-T{:04}", 101 + i));
    for u in &mut units {
        u.cell = inside[u.cell];
    }

    // Districts and the cell → peruspiiri key.
    let piirit = OutTable::new("piirit")
        .with("tunnus", text_col(["1", "101", "102", "103"]))
        .with("taso", text_col(["suurpiiri", "peruspiiri", "peruspiiri", "peruspiiri"]))
        .with("nimi", text_col(["Eteläinen", "Vironniemi", "Ullanlinna", "Kampinmalmi"]))
        .with("namn", text_col(["Södra", "Estnäs", "Ulrikasborg", "Kampmalmen"]))
        .with("ylempi", OutColumn::Text(vec![None, Some("1".into()), Some("1".into()), Some("1".into())]));
    csv_finnish(dir, "piirit-SYNTHETIC.csv", &piirit, written)?;
    let key = OutTable::new("ruutu_piiri")
        .with("ruutu_id", OutColumn::Text(cells.iter().map(|c| Some(c.id.clone())).collect()))
        .with("peruspiiri", OutColumn::Text(districts.iter().map(|d| Some((*d).to_owned())).collect()));
    csv_finnish(dir, "ruutu-piiri-SYNTHETIC.csv", &key, written)?;

    // Daycares as a GeoPackage in GK25 with Helsinki's own column names and codes.
    let to_gk25 = Transform::new(Crs::from_epsg(3067).expect("3067"), Crs::from_epsg(3879).expect("3879"));
    let status = |s: &str| match s {
        "planned" => "suunniteltu",
        "closing" => "lakkautetaan",
        _ => "toiminnassa",
    };
    let operator = |s: &str| match s {
        "private" => "yksityinen",
        "purchased" => "ostopalvelu",
        _ => "kunnallinen",
    };
    let language = |u: &super::units::Unit| {
        u.languages().iter().map(|l| if *l == "sv" { "ruotsi" } else { "suomi" }).collect::<Vec<_>>().join("/")
    };
    let mut pk = OutTable::new("paivakodit")
        .with("toimipaikka_id", OutColumn::Text(units.iter().map(|u| Some(u.id.clone())).collect()))
        .with("nimi_fi", OutColumn::Text(units.iter().map(|u| Some(u.name_fi.clone())).collect()))
        .with("nimi_sv", OutColumn::Text(units.iter().map(|u| u.name_sv.clone()).collect()))
        .with("palvelu", text_col(units.iter().map(|_| "VAKA")))
        .with("paikat_suomi", OutColumn::Int(units.iter().map(|u| Some(i64::from(u.places_fi))).collect()))
        .with("paikat_ruotsi", OutColumn::Int(units.iter().map(|u| Some(i64::from(u.places_sv))).collect()))
        .with("kieli", OutColumn::Text(units.iter().map(|u| Some(language(u))).collect()))
        .with("tila", text_col(units.iter().map(|u| status(u.status))))
        .with("avaamisvuosi", OutColumn::Int(units.iter().map(|u| u.opening.map(i64::from)).collect()))
        .with("sulkemisvuosi", OutColumn::Int(units.iter().map(|u| u.closing.map(i64::from)).collect()))
        .with("yllapitaja", text_col(units.iter().map(|u| operator(u.operator))))
        .with("tila_id", OutColumn::Text(units.iter().map(|u| Some(u.premises.clone())).collect()))
        .with("peruspiiri", text_col(units.iter().map(|u| districts[u.cell])));
    pk.geometry = Some(OutGeometry {
        kind: GeometryKind::Point,
        epsg: 3879,
        values: units
            .iter()
            .map(|u| {
                let (x, y) = to_gk25.apply(u.x, u.y);
                Some(Geometry::Point(geo::Point::new((x * 100.0).round() / 100.0, (y * 100.0).round() / 100.0)))
            })
            .collect(),
    });
    let path = dir.join("paivakodit-SYNTHETIC.gpkg");
    gpkg::write_at(&path, &[pk], super::SAMPLE_TIMESTAMP)?;
    written.push(path);

    // Premises (tilat) as Finnish Excel CSV.
    let tilat = OutTable::new("tilat")
        .with("tila_id", OutColumn::Text(premises.iter().map(|p| Some(p.id.clone())).collect()))
        .with("rakennustunnus", OutColumn::Text(premises.iter().map(|p| Some(p.building_id.clone())).collect()))
        .with("osoite", OutColumn::Text(premises.iter().map(|p| Some(format!("{}, Helsinki", p.address))).collect()))
        .with("huoneistoala_m2", OutColumn::Float(premises.iter().map(|p| Some(p.area)).collect()))
        .with("kuntoluokka", OutColumn::Int(premises.iter().map(|p| Some(i64::from(p.condition))).collect()))
        .with("vuosikustannus_eur", OutColumn::Float(premises.iter().map(|p| Some(p.cost)).collect()))
        .with("korjausvelka_eur", OutColumn::Float(premises.iter().map(|p| Some(p.debt)).collect()))
        .with("hallintamuoto", text_col(premises.iter().map(|p| if p.leased { "vuokra" } else { "oma" })))
        .with("vuokra_paattyy", OutColumn::Int(premises.iter().map(|p| p.lease_end.map(i64::from)).collect()));
    csv_finnish(dir, "tilat-SYNTHETIC.csv", &tilat, written)?;

    // Forecast by peruspiiri, single years, language groups, from the 2020 grid totals.
    let shares = [("101", [0.78, 0.12, 0.10]), ("102", [0.76, 0.13, 0.11]), ("103", [0.77, 0.09, 0.14])];
    let mut cols: [Vec<Option<String>>; 4] = Default::default();
    let mut counts = Vec::new();
    for (d, share) in shares {
        let base = district_base(&cells, |i| districts[i] == d);
        for (year, ages) in forecast(&base, 2020, 2025, 2035, 0.04, 0.008) {
            for (age, v) in ages.iter().enumerate() {
                for (g, name) in ["suomi", "ruotsi", "muu"].iter().enumerate() {
                    cols[0].push(Some(year.to_string()));
                    cols[1].push(Some(d.to_owned()));
                    cols[2].push(Some(if age == 100 { "100+".to_owned() } else { age.to_string() }));
                    cols[3].push(Some((*name).to_owned()));
                    counts.push(Some(super::demography::round2(v * share[g])));
                }
            }
        }
    }
    let [vuosi, piiri, ika, kieli] = cols;
    let ennuste = OutTable::new("ennuste")
        .with("vuosi", OutColumn::Text(vuosi))
        .with("peruspiiri", OutColumn::Text(piiri))
        .with("ika", OutColumn::Text(ika))
        .with("kieliryhma", OutColumn::Text(kieli))
        .with("henkilot", OutColumn::Float(counts));
    csv_finnish(dir, "vaestoennuste-2025-2035-SYNTHETIC.csv", &ennuste, written)
}
