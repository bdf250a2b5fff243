//! Shared pieces of the SYNTHETIC generators: grid cells inside a real boundary, districts by
//! compass sector, unit placement, names, premises.

use super::demography::age_structure;
use super::rng::Rng;
use crate::model::demand::grid::inspire_id;
use crate::model::premises::building_id_with_check;
use geo::{Contains, MultiPolygon, Point};

/// A synthetic inhabited 250 m cell.
#[derive(Clone, Debug)]
pub struct Cell {
    /// INSPIRE id.
    pub id: String,
    /// Centre, EPSG:3067.
    pub x: f64,
    /// Centre, EPSG:3067.
    pub y: f64,
    /// Residents.
    pub total: f64,
    /// Family factor for the age structure.
    pub family: f64,
    /// Distance from the city centre, metres.
    pub dist: f64,
    /// Compass angle from the centre, degrees counter-clockwise from east.
    pub angle: f64,
}

impl Cell {
    /// Residents by single age.
    pub fn ages(&self) -> [f64; 101] {
        age_structure(self.total, self.family)
    }
}

/// Inhabited 250 m cells inside `boundary` around `centre`, `total` residents in all,
/// density falling off with distance scale `scale` metres.
pub fn cells(rng: &mut Rng, boundary: &MultiPolygon<f64>, centre: (f64, f64), total: f64, scale: f64) -> Vec<Cell> {
    use geo::BoundingRect;
    let Some(bb) = boundary.bounding_rect() else { return vec![] };
    let size = 250.0;
    let mut out = Vec::new();
    let mut weights = Vec::new();
    let mut north = (bb.min().y / size).floor() * size;
    while north < bb.max().y {
        let mut east = (bb.min().x / size).floor() * size;
        while east < bb.max().x {
            let (cx, cy) = (east + size / 2.0, north + size / 2.0);
            if boundary.contains(&Point::new(cx, cy)) {
                let (dx, dy) = (cx - centre.0, cy - centre.1);
                let dist = (dx * dx + dy * dy).sqrt();
                let keep = (2.5 * (-dist / (2.0 * scale)).exp()).min(0.95);
                if rng.chance(keep) {
                    let w = (-dist / scale).exp() * (0.7 * rng.normal()).exp();
                    let family = ((dist / scale - 1.0) * 0.45 + 0.15 * rng.normal()).clamp(-0.6, 0.9);
                    out.push(Cell {
                        id: inspire_id(250, cx, cy),
                        x: cx,
                        y: cy,
                        total: 0.0,
                        family,
                        dist,
                        angle: dy.atan2(dx).to_degrees().rem_euclid(360.0),
                    });
                    weights.push(w);
                }
            }
            east += size;
        }
        north += size;
    }
    let sum: f64 = weights.iter().sum();
    for (c, w) in out.iter_mut().zip(&weights) {
        c.total = (total * w / sum).round();
    }
    out.retain(|c| c.total >= 1.0);
    out
}

/// Sector index 0–7 (E, NE, N, NW, W, SW, S, SE) of a compass angle.
pub fn sector(angle: f64) -> usize {
    (((angle + 22.5) / 45.0).floor() as usize) % 8
}

/// A unit name from a seeded pick of Finnish nature words.
pub fn name(rng: &mut Rng, used: &mut Vec<String>) -> (String, String) {
    const FI: [&str; 24] = [
        "Koivu",
        "Mänty",
        "Kuusi",
        "Pihlaja",
        "Lehmus",
        "Vaahtera",
        "Tammi",
        "Haapa",
        "Kataja",
        "Kielo",
        "Vuokko",
        "Orvokki",
        "Apila",
        "Kanerva",
        "Mustikka",
        "Puolukka",
        "Tähti",
        "Aurinko",
        "Kuu",
        "Sateenkaari",
        "Satakieli",
        "Peippo",
        "Tikka",
        "Kettu",
    ];
    const SV: [&str; 24] = [
        "Björk",
        "Tall",
        "Gran",
        "Rönn",
        "Lind",
        "Lönn",
        "Ek",
        "Asp",
        "En",
        "Liljekonvalj",
        "Sippa",
        "Viol",
        "Klöver",
        "Ljung",
        "Blåbär",
        "Lingon",
        "Stjärn",
        "Sol",
        "Mån",
        "Regnbåg",
        "Näktergal",
        "Bofink",
        "Hackspett",
        "Räv",
    ];
    const PLACE_FI: [&str; 8] = ["mäki", "rinne", "lehto", "niemi", "harju", "polku", "puisto", "kallio"];
    const PLACE_SV: [&str; 8] = ["backen", "branten", "lunden", "udden", "åsen", "stigen", "parken", "berget"];
    loop {
        let i = rng.int(0, 23) as usize;
        let j = rng.int(0, 7) as usize;
        let fi = format!("{}{}", FI[i], PLACE_FI[j]);
        if !used.contains(&fi) {
            used.push(fi.clone());
            return (fi, format!("{}{}", SV[i], PLACE_SV[j]));
        }
    }
}

/// Street names for synthetic addresses.
const STREETS: [&str; 12] = [
    "Koulukatu",
    "Puistotie",
    "Rantakatu",
    "Kirkkokatu",
    "Mäkitie",
    "Koivukuja",
    "Peltotie",
    "Niittykatu",
    "Satamakatu",
    "Ratatie",
    "Myllytie",
    "Torikatu",
];

/// A synthetic premises record, its fields as plain values.
#[derive(Clone, Debug)]
pub struct SynthPremises {
    /// Premises id.
    pub id: String,
    /// VTJ-PRT building id.
    pub building_id: String,
    /// Address.
    pub address: String,
    /// Floor area m².
    pub area: f64,
    /// Condition class 1–5.
    pub condition: u8,
    /// Annual cost €.
    pub cost: f64,
    /// Repair debt €.
    pub debt: f64,
    /// Leased?
    pub leased: bool,
    /// Lease end year for leased premises.
    pub lease_end: Option<u16>,
}

/// Premises sized for `places` (m² per place `per_place`).
pub fn premises(rng: &mut Rng, id: String, area: f64) -> SynthPremises {
    let condition = [1u8, 2, 3, 3, 4, 4, 4, 5][rng.int(0, 7) as usize];
    let leased = rng.chance(0.35);
    let area = (area * rng.range(0.85, 1.2)).round();
    SynthPremises {
        id,
        building_id: building_id_with_check(100_000_000 + rng.int(0, 899_999_999) as u32),
        address: format!("{} {}", STREETS[rng.int(0, 11) as usize], rng.int(1, 60)),
        area,
        condition,
        cost: (area * rng.range(150.0, 260.0)).round(),
        debt: (area * rng.range(0.0, 120.0) * f64::from(6 - condition)).round(),
        leased,
        lease_end: leased.then(|| rng.int(2026, 2040) as u16),
    }
}

/// Picks `n` cells with probability proportional to `weight`, returning jittered points.
pub fn place(rng: &mut Rng, cells: &[Cell], n: usize, weight: impl Fn(&Cell) -> f64) -> Vec<(f64, f64, usize)> {
    let w: Vec<f64> = cells.iter().map(weight).collect();
    (0..n)
        .map(|_| {
            let i = rng.weighted(&w);
            (cells[i].x + rng.range(-100.0, 100.0), cells[i].y + rng.range(-100.0, 100.0), i)
        })
        .collect()
}

/// Children aged 1–6 in a cell.
pub fn children(c: &Cell) -> f64 {
    c.ages()[1..=6].iter().sum()
}
