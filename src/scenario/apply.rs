//! The units of a scenario: the city's units of the service that operate in the scenario
//! year, with the scenario's changes applied and checked.

use crate::io::crs::{Crs, Transform};
use crate::io::error::ReadError;
use crate::model::scenario::{Action, Change, KeyOrigin, Scenario};
use crate::model::{Dataset, Language, Location, ProblemKind};
use geo::{Distance, Euclidean, Point};
use serde::Serialize;

/// What the scenario did to a unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitStatus {
    /// As in the data.
    Kept,
    /// Closed by the scenario.
    Closed,
    /// Opened by the scenario.
    Opened,
    /// Places changed.
    Resized,
    /// Service language changed.
    Relanguaged,
    /// Moved.
    Moved,
}

impl UnitStatus {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            UnitStatus::Kept => "kept",
            UnitStatus::Closed => "closed",
            UnitStatus::Opened => "opened",
            UnitStatus::Resized => "resized",
            UnitStatus::Relanguaged => "language changed",
            UnitStatus::Moved => "moved",
        }
    }
}

/// One unit (toimipaikka) of a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitPlan {
    /// Unit id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Location, EPSG:3067.
    pub x: f64,
    /// Location, EPSG:3067.
    pub y: f64,
    /// Places per language (`None`: open to every language).
    pub places: Vec<(Option<Language>, u32)>,
    /// Places before the scenario.
    pub places_before: u32,
    /// What the scenario did.
    pub status: UnitStatus,
    /// Premises id.
    pub premises: Option<String>,
    /// Where the change that last touched the unit was written.
    pub changed_at: Option<KeyOrigin>,
    /// District codes by level as the city's unit file gives them (none for opened units;
    /// cleared when a unit moves).
    pub districts: std::collections::BTreeMap<String, String>,
}

impl UnitPlan {
    /// Total places.
    pub fn total(&self) -> u32 {
        self.places.iter().map(|p| p.1).sum()
    }

    /// Whether the unit operates in the scenario.
    pub fn open(&self) -> bool {
        self.status != UnitStatus::Closed
    }
}

fn err(at: &KeyOrigin, key: &str, message: impl std::fmt::Display) -> ReadError {
    ReadError::new(&at.file, ProblemKind::Profile, format!("key '{key}': {message}"))
        .at(Location::LineColumn(at.line, 1))
}

fn language(code: &str, at: &KeyOrigin, key: &str) -> Result<Option<Language>, ReadError> {
    if code == "shared" {
        return Ok(None);
    }
    code.parse::<Language>()
        .map(Some)
        .map_err(|()| err(at, key, format!("unknown language '{code}'; expected {} or shared", Language::expected())))
}

/// Checks the scenario year against the profile's years.
pub fn check_year(data: &Dataset, scenario: &Scenario) -> Result<(), ReadError> {
    let (year, at) = &scenario.year;
    let Some(years) = &data.years else { return Ok(()) };
    let inside = |r: Option<[u16; 2]>| r.is_some_and(|[a, b]| (a..=b).contains(year));
    if inside(years.observed) || inside(years.forecast) {
        return Ok(());
    }
    let show = |r: Option<[u16; 2]>| r.map_or("none".to_owned(), |[a, b]| format!("{a}–{b}"));
    Err(err(
        at,
        "year",
        format!(
            "{year} is outside {}'s data: observed {}, forecast {}",
            data.city,
            show(years.observed),
            show(years.forecast)
        ),
    ))
}

/// The scenario's units: operating units of the service in the year, then the changes.
pub fn units(data: &Dataset, scenario: &Scenario) -> Result<Vec<UnitPlan>, ReadError> {
    let (year, service) = (scenario.year.0, &scenario.service.0);
    let mut units: Vec<UnitPlan> = data
        .units
        .iter()
        .filter(|f| &f.service_type == service && f.operates_in(year))
        .map(|f| UnitPlan {
            id: f.id.0.clone(),
            name: f.name_fi.clone(),
            x: f.x,
            y: f.y,
            places: f.capacity.iter().map(|c| (c.language, c.places)).collect(),
            places_before: f.total_places(),
            status: UnitStatus::Kept,
            premises: f.premises_id.as_ref().map(|p| p.0.clone()),
            changed_at: None,
            districts: f.districts.iter().map(|(l, c)| (l.clone(), c.0.clone())).collect(),
        })
        .collect();
    for (change, at) in &scenario.changes {
        apply(data, scenario, &mut units, change, at)?;
    }
    Ok(units)
}

fn location(data: &Dataset, units: &[UnitPlan], c: &Change, at: &KeyOrigin) -> Result<(f64, f64), ReadError> {
    let (x, y) = match (&c.at, &c.premises) {
        (Some(_), Some(_)) => return Err(err(at, "at", "give either `at` or `premises`, not both")),
        (Some([x, y]), None) => {
            let epsg = c.crs.unwrap_or(data.source_crs);
            let crs = Crs::from_epsg(epsg)
                .ok_or_else(|| err(at, "crs", format!("EPSG:{epsg} is not supported; use 3067, 3873–3885 or 4326")))?;
            if !(x.is_finite() && y.is_finite()) {
                return Err(err(at, "at", "expected two finite coordinates"));
            }
            Transform::to_internal(crs).apply(*x, *y)
        }
        (None, Some(p)) => {
            if !data.premises.iter().any(|q| q.id.0 == *p) {
                return Err(err(at, "premises", format!("no premises '{p}' in {}", data.city)));
            }
            let host = data
                .units
                .iter()
                .find(|f| f.premises_id.as_ref().is_some_and(|q| q.0 == *p))
                .map(|f| (f.x, f.y))
                .or_else(|| units.iter().find(|u| u.premises.as_deref() == Some(p)).map(|u| (u.x, u.y)));
            host.ok_or_else(|| {
                err(at, "premises", format!("premises '{p}' house no unit, so their location is unknown; give `at`"))
            })?
        }
        (None, None) => return Err(err(at, "at", "a location: `at = [x, y]` or `premises = \"id\"`")),
    };
    if let Some(boundary) = &data.boundary {
        let d = Euclidean.distance(&Point::new(x, y), boundary);
        if d > data.boundary_tolerance_m {
            return Err(err(
                at,
                if c.at.is_some() { "at" } else { "premises" },
                format!("({x:.0}, {y:.0}) in EPSG:3067 lies {:.1} km outside {}", d / 1000.0, data.city),
            ));
        }
    }
    Ok((x, y))
}

fn places_of(
    map: &std::collections::BTreeMap<String, i64>,
    at: &KeyOrigin,
    key: &str,
) -> Result<Vec<(Option<Language>, i64)>, ReadError> {
    map.iter().map(|(k, v)| Ok((language(k, at, &format!("{key}.{k}"))?, *v))).collect()
}

fn apply(
    data: &Dataset,
    scenario: &Scenario,
    units: &mut Vec<UnitPlan>,
    c: &Change,
    at: &KeyOrigin,
) -> Result<(), ReadError> {
    let unused = |key: &str, present: bool| {
        if present { Err(err(at, key, format!("not used by action {:?}", c.action))) } else { Ok(()) }
    };
    let found = units.iter().position(|u| u.id == c.unit);
    if c.action == Action::Open {
        if found.is_some() || data.units.iter().any(|f| f.id.0 == c.unit) {
            return Err(err(
                at,
                "unit",
                format!("'{}' already exists in {}; a new unit needs a new id", c.unit, data.city),
            ));
        }
        unused("add", c.add.is_some())?;
        unused("to", c.to.is_some())?;
        let (x, y) = location(data, units, c, at)?;
        let places = places_of(
            c.places.as_ref().ok_or_else(|| err(at, "places", "places per language, e.g. { fi = 80 }"))?,
            at,
            "places",
        )?;
        if places.is_empty() || places.iter().any(|p| p.1 <= 0) {
            return Err(err(at, "places", "every language's places must be > 0"));
        }
        units.push(UnitPlan {
            id: c.unit.clone(),
            name: c.name.clone().unwrap_or_else(|| c.unit.clone()),
            x,
            y,
            places: places.iter().map(|p| (p.0, p.1 as u32)).collect(),
            places_before: 0,
            status: UnitStatus::Opened,
            premises: c.premises.clone(),
            changed_at: Some(at.clone()),
            districts: Default::default(),
        });
        return Ok(());
    }
    let Some(i) = found else {
        let why = match data.units.iter().find(|f| f.id.0 == c.unit) {
            Some(f) if f.service_type != scenario.service.0 => {
                format!("unit '{}' provides {}, not {}", c.unit, f.service_type, scenario.service.0)
            }
            Some(_) => format!("unit '{}' does not operate in {} (status or years)", c.unit, scenario.year.0),
            None => {
                let some: Vec<&str> = units.iter().take(5).map(|u| u.id.as_str()).collect();
                format!("no unit '{}' in {}; units are e.g. {}", c.unit, data.city, some.join(", "))
            }
        };
        return Err(err(at, "unit", why));
    };
    let u = &mut units[i];
    if u.status == UnitStatus::Closed {
        let first = u.changed_at.as_ref().map_or(0, |o| o.line);
        return Err(err(
            at,
            "action",
            format!("contradictory changes: unit '{}' is closed by the change at line {first}", c.unit),
        ));
    }
    match c.action {
        Action::Open => unreachable!("handled above"),
        Action::Close => {
            for (k, p) in [
                ("places", c.places.is_some()),
                ("add", c.add.is_some()),
                ("at", c.at.is_some()),
                ("to", c.to.is_some()),
            ] {
                unused(k, p)?;
            }
            u.status = UnitStatus::Closed;
        }
        Action::Capacity | Action::Expand => {
            let key = if c.action == Action::Capacity { "places" } else { "add" };
            let map = if c.action == Action::Capacity { &c.places } else { &c.add };
            let list =
                places_of(map.as_ref().ok_or_else(|| err(at, key, "places per language, e.g. { sv = 20 }"))?, at, key)?;
            for (lang, n) in list {
                let slot = match u.places.iter().position(|p| p.0 == lang) {
                    Some(s) => s,
                    None => {
                        u.places.push((lang, 0));
                        u.places.len() - 1
                    }
                };
                let new = if c.action == Action::Capacity { n } else { i64::from(u.places[slot].1) + n };
                if new < 0 || (c.action == Action::Capacity && n <= 0) {
                    return Err(err(at, key, format!("places must stay > 0 (got {new}); close the unit instead")));
                }
                u.places[slot].1 = new as u32;
            }
            u.places.retain(|p| p.1 > 0);
            if u.total() == 0 {
                return Err(err(at, key, "the unit would have no places left; use action = \"close\""));
            }
            u.status = UnitStatus::Resized;
        }
        Action::Language => {
            let to = c.to.as_deref().ok_or_else(|| err(at, "to", "the new service language, e.g. to = \"sv\""))?;
            let lang = language(to, at, "to")?;
            let total = u.total();
            u.places = vec![(lang, total)];
            u.status = UnitStatus::Relanguaged;
        }
        Action::Move => {
            let (x, y) = location(data, units, c, at)?;
            let u = &mut units[i];
            u.x = x;
            u.y = y;
            u.districts.clear();
            if c.premises.is_some() {
                u.premises = c.premises.clone();
            }
            u.status = UnitStatus::Moved;
        }
    }
    units[i].changed_at = Some(at.clone());
    Ok(())
}
