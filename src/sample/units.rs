//! SYNTHETIC service units and district forecasts shared by the three city generators.

use super::common::{Cell, SynthPremises, children, name, place, premises};
use super::demography::{round2, step};
use super::rng::Rng;

/// A synthetic unit in harmonised terms; each city writes it in its own conventions.
#[derive(Clone, Debug)]
pub struct Unit {
    /// City's unit id.
    pub id: String,
    /// Finnish name.
    pub name_fi: String,
    /// Swedish name, for Swedish or bilingual units and all libraries.
    pub name_sv: Option<String>,
    /// Harmonised service type.
    pub service: &'static str,
    /// EPSG:3067 easting.
    pub x: f64,
    /// EPSG:3067 northing.
    pub y: f64,
    /// Finnish-language places.
    pub places_fi: u32,
    /// Swedish-language places.
    pub places_sv: u32,
    /// Harmonised status.
    pub status: &'static str,
    /// Opening year.
    pub opening: Option<u16>,
    /// Closing year.
    pub closing: Option<u16>,
    /// Harmonised operator.
    pub operator: &'static str,
    /// Premises id.
    pub premises: String,
    /// Index of the cell the unit sits in.
    pub cell: usize,
}

impl Unit {
    /// Harmonised service languages.
    pub fn languages(&self) -> Vec<&'static str> {
        match (self.places_fi > 0 || self.places_sv == 0, self.places_sv > 0) {
            (true, true) => vec!["fi", "sv"],
            (false, true) => vec!["sv"],
            _ => vec!["fi"],
        }
    }
}

/// How many units of each kind a city gets.
pub struct Plan {
    /// Daycares (päiväkodit).
    pub daycares: usize,
    /// Groups of 14 places per daycare, fewest and most.
    pub daycare_groups: (i64, i64),
    /// Share of daycares that are Swedish-language.
    pub swedish_share: f64,
    /// Bilingual daycares (Finnish and Swedish groups).
    pub bilingual: usize,
    /// Daycares that are Swedish-language for certain (after the bilingual ones); the rest
    /// are Swedish by `swedish_share`.
    pub swedish_daycares: usize,
    /// Comprehensive schools.
    pub schools: usize,
    /// Libraries.
    pub libraries: usize,
    /// Health stations.
    pub health_stations: usize,
}

/// Generates units and their premises; ids are `prefix` + running number.
pub fn units(
    rng: &mut Rng,
    cells: &[Cell],
    plan: &Plan,
    unit_id: &dyn Fn(usize) -> String,
    premises_id: &dyn Fn(usize) -> String,
) -> (Vec<Unit>, Vec<SynthPremises>) {
    let mut used = Vec::new();
    let mut out = Vec::new();
    let mut prem = Vec::new();
    let kinds = [
        ("early_childhood_education", plan.daycares),
        ("basic_education", plan.schools),
        ("library", plan.libraries),
        ("health_station", plan.health_stations),
    ];
    for (service, n) in kinds {
        let spots = match service {
            "early_childhood_education" | "basic_education" => place(rng, cells, n, children),
            _ => place(rng, cells, n, |c| c.total),
        };
        for (k, (x, y, cell)) in spots.into_iter().enumerate() {
            let (fi, sv) = name(rng, &mut used);
            let (mut places_fi, mut places_sv, name_fi, name_sv, area) = match service {
                "early_childhood_education" => {
                    let places = 14 * rng.int(plan.daycare_groups.0, plan.daycare_groups.1) as u32;
                    let area = f64::from(places) * 9.0;
                    if k < plan.bilingual {
                        (places - 21, 21, format!("Päiväkoti {fi}"), Some(format!("Daghemmet {sv}")), area)
                    } else if k < plan.bilingual + plan.swedish_daycares || rng.chance(plan.swedish_share) {
                        (0, places, format!("Päiväkoti {fi}"), Some(format!("Daghemmet {sv}")), area)
                    } else {
                        (places, 0, format!("Päiväkoti {fi}"), None, area)
                    }
                }
                "basic_education" => {
                    let places = 25 * rng.int(8, 28) as u32;
                    if rng.chance(plan.swedish_share) {
                        (0, places, format!("{fi}n koulu"), Some(format!("{sv}s skola")), f64::from(places) * 8.0)
                    } else {
                        (places, 0, format!("{fi}n koulu"), None, f64::from(places) * 8.0)
                    }
                }
                "library" => {
                    (0, 0, format!("{fi}n kirjasto"), Some(format!("{sv}s bibliotek")), rng.range(400.0, 2500.0))
                }
                _ => (
                    0,
                    0,
                    format!("{fi}n terveysasema"),
                    Some(format!("{sv}s hälsostation")),
                    rng.range(1200.0, 3500.0),
                ),
            };
            if service == "library" || service == "health_station" {
                places_fi = 0;
                places_sv = 0;
            }
            let i = out.len();
            let (status, opening, closing) = match rng.int(0, 19) {
                0 => ("planned", Some(rng.int(2026, 2029) as u16), None),
                1 => ("closing", Some(rng.int(1965, 1995) as u16), Some(rng.int(2026, 2028) as u16)),
                _ => ("active", Some(rng.int(1960, 2023) as u16), None),
            };
            let operator = match (service, rng.int(0, 19)) {
                ("early_childhood_education", 0..=2) => "private",
                ("early_childhood_education", 3) => "purchased",
                _ => "municipal",
            };
            let pid = premises_id(i);
            prem.push(premises(rng, pid.clone(), area));
            out.push(Unit {
                id: unit_id(i),
                name_fi,
                name_sv,
                service,
                x,
                y,
                places_fi,
                places_sv,
                status,
                opening,
                closing,
                operator,
                premises: pid,
                cell,
            });
        }
    }
    // Two vacant premises that scenarios can open new units in.
    for j in 0..2 {
        prem.push(premises(rng, premises_id(out.len() + j), 900.0));
    }
    (out, prem)
}

/// A district's forecast: single-year ages for each year `from..=to`, projected from `base`
/// (residents by age in `base_year`).
pub fn forecast(
    base: &[f64; 101],
    base_year: u16,
    from: u16,
    to: u16,
    fertility: f64,
    migration: f64,
) -> Vec<(u16, [f64; 101])> {
    let mut pop = *base;
    let mut out = Vec::new();
    for year in base_year + 1..=to {
        pop = step(&pop, fertility, migration);
        if year >= from {
            let mut rounded = pop;
            for v in &mut rounded {
                *v = round2(*v);
            }
            out.push((year, rounded));
        }
    }
    out
}

/// Sums residents by age over `cells` selected by `member`.
pub fn district_base(cells: &[Cell], member: impl Fn(usize) -> bool) -> [f64; 101] {
    let mut base = [0.0; 101];
    for (i, c) in cells.iter().enumerate().filter(|(i, _)| member(*i)) {
        for (b, v) in base.iter_mut().zip(c.ages()) {
            *b += v;
        }
        let _ = i;
    }
    base
}
