//! Turku / Åbo (853): SYNTHETIC grid population, districts, units, premises and forecasts
//! inside the real municipal boundary, in Turku's conventions: ETRS-GK23 (EPSG:3877),
//! Excel CSV in Windows-1252 (`;`, decimal comma), grid cells by INSPIRE id, own codes.

use super::common::{cells, sector};
use super::rng::Rng;
use super::units::{Plan, district_base, forecast, units};
use super::{Written, text_col};
use crate::io::crs::{Crs, Transform};
use crate::io::{OutColumn, OutTable, WriteError};
use crate::model::profile::{CsvDialect, Encoding};
use geo::MultiPolygon;
use std::path::Path;

const SUURALUEET: [(&str, &str, &str); 9] = [
    ("1", "Keskusta", "Centrum"),
    ("2", "Varissuo-Lauste", "Vårdberg-Lauste"),
    ("3", "Nummi-Halinen", "Nummis-Hallis"),
    ("4", "Maaria-Paattinen", "S:t Marie-Pemar"),
    ("5", "Runosmäki-Raunistula", "Runosbacken-Raunistula"),
    ("6", "Länsikeskus", "Västra centrum"),
    ("7", "Pansio-Jyrkkälä", "Pansar-Jyrkkälä"),
    ("8", "Hirvensalo-Kakskerta", "Hirvensalo-Kakskerta"),
    ("9", "Skanssi-Uittamo", "Skansen-Uittamo"),
];

/// Generates Turku's synthetic files into `dir`.
pub fn generate(dir: &Path, boundary: &MultiPolygon<f64>, written: &mut Written) -> Result<(), WriteError> {
    let dialect = CsvDialect { delimiter: ';', decimal: ',', encoding: Encoding::Windows1252 };
    let mut rng = Rng::new(0x0853_2025);
    // Turku cathedral in EPSG:3067 (see the CRS control points).
    let centre = (240_390.0, 6_711_090.0);
    let cells = cells(&mut rng, boundary, centre, 200_000.0, 3_200.0);
    let district = |i: usize| -> usize { if cells[i].dist < 2_500.0 { 0 } else { 1 + sector(cells[i].angle) } };
    let plan = Plan {
        daycares: 44,
        daycare_groups: (3, 9),
        swedish_share: 0.07,
        bilingual: 2,
        swedish_daycares: 0,
        schools: 14,
        libraries: 6,
        health_stations: 5,
    };
    let (units, premises) =
        units(&mut rng, &cells, &plan, &|i| format!("TKU{:03}", 100 + i), &|i| format!("TILA-{:04}", 2000 + i));
    let out = |name: &str, table: &OutTable, written: &mut Written| -> Result<(), WriteError> {
        let path = dir.join(name);
        crate::io::csv::write(&path, table, &dialect)?;
        written.push(path);
        Ok(())
    };

    let alueet = OutTable::new("alueet")
        .with("koodi", text_col(SUURALUEET.iter().map(|s| s.0)))
        .with("taso", text_col(SUURALUEET.iter().map(|_| "suuralue")))
        .with("nimi", text_col(SUURALUEET.iter().map(|s| s.1)))
        .with("namn", text_col(SUURALUEET.iter().map(|s| s.2)));
    out("alueet-SYNTHETIC.csv", &alueet, written)?;

    let ruudut = OutTable::new("ruudut")
        .with("ruutu_id", OutColumn::Text(cells.iter().map(|c| Some(c.id.clone())).collect()))
        .with(
            "suuralue",
            OutColumn::Text((0..cells.len()).map(|i| Some(SUURALUEET[district(i)].0.to_owned())).collect()),
        );
    out("ruudut-SYNTHETIC.csv", &ruudut, written)?;

    // Observed 2024 population in four bands; cells under 10 residents suppressed ("..").
    let bands: [(usize, usize); 4] = [(0, 6), (7, 15), (16, 64), (65, 100)];
    let mut vaesto = OutTable::new("vaesto")
        .with("ruutu_id", OutColumn::Text(cells.iter().map(|c| Some(c.id.clone())).collect()))
        .with("vuosi", OutColumn::Int(cells.iter().map(|_| Some(2024)).collect()));
    for (name, (lo, hi)) in ["ikä_0_6", "ikä_7_15", "ikä_16_64", "ikä_65_"].iter().zip(bands) {
        let values = cells
            .iter()
            .map(|c| {
                Some(if c.total < 10.0 {
                    "..".to_owned()
                } else {
                    format!("{:.0}", c.ages()[lo..=hi].iter().sum::<f64>())
                })
            })
            .collect();
        vaesto = vaesto.with(*name, OutColumn::Text(values));
    }
    out("vaesto-2024-SYNTHETIC.csv", &vaesto, written)?;

    // Forecast by suuralue, single years, language groups.
    let mut cols: [Vec<Option<String>>; 4] = Default::default();
    let mut counts = Vec::new();
    for (d, s) in SUURALUEET.iter().enumerate() {
        let base = district_base(&cells, |i| district(i) == d);
        let sv = if d == 0 { 0.09 } else { 0.04 };
        let other = if matches!(d, 1 | 7) { 0.22 } else { 0.09 };
        let migration = if d == 0 { 0.006 } else { 0.002 };
        for (year, ages) in forecast(&base, 2024, 2025, 2035, 0.045, migration) {
            for (age, v) in ages.iter().enumerate() {
                for (name, share) in
                    [("suomenkieliset", 1.0 - sv - other), ("ruotsinkieliset", sv), ("vieraskieliset", other)]
                {
                    cols[0].push(Some(year.to_string()));
                    cols[1].push(Some(s.0.to_owned()));
                    cols[2].push(Some(age.to_string()));
                    cols[3].push(Some(name.to_owned()));
                    counts.push(Some(super::demography::round2(v * share)));
                }
            }
        }
    }
    let [vuosi, alue, ika, kieli] = cols;
    let ennuste = OutTable::new("ennuste")
        .with("vuosi", OutColumn::Text(vuosi))
        .with("suuralue", OutColumn::Text(alue))
        .with("ikä", OutColumn::Text(ika))
        .with("kieli", OutColumn::Text(kieli))
        .with("lkm", OutColumn::Float(counts));
    out("ennuste-2025-2035-SYNTHETIC.csv", &ennuste, written)?;

    // Units with GK23 coordinates, numeric service codes and one-letter status codes.
    let gk23 = Transform::new(Crs::from_epsg(3067).expect("3067"), Crs::from_epsg(3877).expect("3877"));
    let pts: Vec<(f64, f64)> = units.iter().map(|u| gk23.apply(u.x, u.y)).collect();
    let code = |s: &str| match s {
        "early_childhood_education" => "11",
        "basic_education" => "20",
        "library" => "41",
        _ => "51",
    };
    let status = |s: &str| match s {
        "planned" => "S",
        "closing" => "L",
        _ => "A",
    };
    let operator = |s: &str| match s {
        "private" => "Y",
        "purchased" => "O",
        _ => "K",
    };
    let places = |u: &super::units::Unit, v: u32| {
        (u.service == "early_childhood_education" || u.service == "basic_education").then_some(i64::from(v))
    };
    let toimipisteet = OutTable::new("toimipisteet")
        .with("yksikkö", OutColumn::Text(units.iter().map(|u| Some(u.id.clone())).collect()))
        .with("nimi", OutColumn::Text(units.iter().map(|u| Some(u.name_fi.clone())).collect()))
        .with("namn", OutColumn::Text(units.iter().map(|u| u.name_sv.clone()).collect()))
        .with("palvelu", text_col(units.iter().map(|u| code(u.service))))
        .with("paikat_fi", OutColumn::Int(units.iter().map(|u| places(u, u.places_fi)).collect()))
        .with("paikat_sv", OutColumn::Int(units.iter().map(|u| places(u, u.places_sv)).collect()))
        .with("kieli", OutColumn::Text(units.iter().map(|u| Some(u.languages().join("+"))).collect()))
        .with("toiminnan_tila", text_col(units.iter().map(|u| status(u.status))))
        .with("avautuu", OutColumn::Int(units.iter().map(|u| u.opening.map(i64::from)).collect()))
        .with("sulkeutuu", OutColumn::Int(units.iter().map(|u| u.closing.map(i64::from)).collect()))
        .with("ylläpitäjä", text_col(units.iter().map(|u| operator(u.operator))))
        .with("tila_id", OutColumn::Text(units.iter().map(|u| Some(u.premises.clone())).collect()))
        .with("suuralue", text_col(units.iter().map(|u| SUURALUEET[district(u.cell)].0)))
        .with("itä", OutColumn::Float(pts.iter().map(|p| Some((p.0 * 100.0).round() / 100.0)).collect()))
        .with("pohjoinen", OutColumn::Float(pts.iter().map(|p| Some((p.1 * 100.0).round() / 100.0)).collect()));
    out("toimipisteet-SYNTHETIC.csv", &toimipisteet, written)?;

    let kunto = |c: u8| ["E", "D", "C", "B", "A"][usize::from(c - 1)];
    let tilat = OutTable::new("tilat")
        .with("tila_id", OutColumn::Text(premises.iter().map(|p| Some(p.id.clone())).collect()))
        .with("rakennustunnus", OutColumn::Text(premises.iter().map(|p| Some(p.building_id.clone())).collect()))
        .with("osoite", OutColumn::Text(premises.iter().map(|p| Some(format!("{}, Turku", p.address))).collect()))
        .with("pinta_ala", OutColumn::Float(premises.iter().map(|p| Some(p.area)).collect()))
        .with("kunto", text_col(premises.iter().map(|p| kunto(p.condition))))
        .with("vuosikulu", OutColumn::Float(premises.iter().map(|p| Some(p.cost)).collect()))
        .with("korjausvelka", OutColumn::Float(premises.iter().map(|p| Some(p.debt)).collect()))
        .with("hallinta", text_col(premises.iter().map(|p| if p.leased { "vuokra" } else { "omistus" })))
        .with("vuokra_päättyy", OutColumn::Int(premises.iter().map(|p| p.lease_end.map(i64::from)).collect()));
    out("tilat-SYNTHETIC.csv", &tilat, written)?;

    // Road network (Digiroad K schema, EPSG:3067) over the inhabited cells, one-cell margin.
    super::network::write(dir, boundary, &cells, 1, 0x0853_7E1E, written).map(|_| ())
}
