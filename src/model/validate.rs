//! Checks on a harmonised dataset: duplicate ids, references, geometry, ranges, years.
//!
//! Readers report what they cannot parse; these checks report what parses but is wrong.
//! Polygon validity uses geo's `Validation` predicate; nothing else here is geometry work.

use super::codes::{Status, Tenure};
use super::dataset::Dataset;
use super::origin::{Location, Origin};
use super::population::{AreaLevel, OPEN_AGE};
use super::premises::is_valid_building_id;
use super::problem::{Problem, ProblemKind, Problems};
use super::service;
use geo::Validation;
use std::collections::{HashMap, HashSet};

/// Bounds of EPSG:3067's area of use (Finland incl. its sea areas), metres.
pub const FINLAND_EXTENT: [f64; 4] = [43_547.79, 6_522_236.87, 764_796.72, 7_795_461.19];

/// Whether an EPSG:3067 point lies within Finland's extent.
pub fn in_finland(x: f64, y: f64) -> bool {
    (FINLAND_EXTENT[0]..=FINLAND_EXTENT[2]).contains(&x) && (FINLAND_EXTENT[1]..=FINLAND_EXTENT[3]).contains(&y)
}

/// Runs every check on `data`, adding what it finds to `problems`.
pub fn validate(data: &Dataset, problems: &mut Problems) {
    let at = |origin: &Option<Origin>| -> (Option<std::path::PathBuf>, Location) {
        match origin {
            Some(o) => (data.source_path(o.source), o.location.clone()),
            None => (None, Location::File),
        }
    };
    let err = |kind, origin: &Option<Origin>, expected: String| {
        let (file, location) = at(origin);
        Problem::error(kind, file, location, expected)
    };

    // Districts: unique per level, parents exist one level up.
    let mut district_seen: HashMap<(&str, &str), &Option<Origin>> = HashMap::new();
    for d in &data.districts {
        if let Some(first) = district_seen.insert((&d.level, d.code.as_str()), &d.origin) {
            problems.push(
                err(
                    ProblemKind::DuplicateId,
                    &d.origin,
                    format!("duplicate district code at level '{}'; first seen at {}", d.level, at(first).1),
                )
                .field("code")
                .value(d.code.as_str()),
            );
        }
    }
    let known_district = |level: &str, code: &str| district_seen.contains_key(&(level, code));
    for d in &data.districts {
        if let Some(parent) = &d.parent {
            let up = data.district_levels.iter().position(|l| *l == d.level).and_then(|i| i.checked_sub(1));
            let found = up.is_some_and(|i| known_district(&data.district_levels[i], parent.as_str()));
            if !found {
                problems.push(
                    err(ProblemKind::MissingReference, &d.origin, "a district code of the level above".into())
                        .field("parent")
                        .value(parent.as_str()),
                );
            }
        }
    }
    let has_districts = !data.districts.is_empty();
    let check_district_refs = |problems: &mut Problems,
                               districts: &std::collections::BTreeMap<String, super::id::DistrictCode>,
                               origin: &Option<Origin>| {
        for (level, code) in districts {
            if !data.district_levels.contains(level) {
                problems.push(
                    err(
                        ProblemKind::MissingReference,
                        origin,
                        format!("a district level of the profile ({})", data.district_levels.join(", ")),
                    )
                    .field(level.clone())
                    .value(code.as_str()),
                );
            } else if has_districts && !known_district(level, code.as_str()) {
                problems.push(
                    err(ProblemKind::MissingReference, origin, format!("a known {level} code (see the district file)"))
                        .field(level.clone())
                        .value(code.as_str()),
                );
            }
        }
    };

    // Premises.
    let mut premises_seen: HashMap<&str, &Option<Origin>> = HashMap::new();
    for p in &data.premises {
        if let Some(first) = premises_seen.insert(p.id.as_str(), &p.origin) {
            problems.push(
                err(ProblemKind::DuplicateId, &p.origin, format!("unique premises ids; first seen at {}", at(first).1))
                    .field("id")
                    .value(p.id.as_str()),
            );
        }
        if let Some(b) = &p.building_id
            && !is_valid_building_id(b)
        {
            problems.push(
                err(
                    ProblemKind::Parse,
                    &p.origin,
                    "a permanent building id (VTJ-PRT): 9 digits and a valid check character".into(),
                )
                .field("building_id")
                .value(b.clone()),
            );
        }
        if p.tenure == Some(Tenure::Leased) && p.lease_end_year.is_none() {
            problems.push(
                err(ProblemKind::MissingValue, &p.origin, "leased premises should give the lease end year".into())
                    .field("lease_end_year")
                    .warning(),
            );
        }
    }

    // Units.
    let mut unit_seen: HashMap<&str, &Option<Origin>> = HashMap::new();
    for f in &data.units {
        if let Some(first) = unit_seen.insert(f.id.as_str(), &f.origin) {
            problems.push(
                err(ProblemKind::DuplicateId, &f.origin, format!("unique unit ids; first seen at {}", at(first).1))
                    .field("id")
                    .value(f.id.as_str()),
            );
        }
        if let Some(pid) = &f.premises_id
            && !premises_seen.contains_key(pid.as_str())
        {
            problems.push(
                err(
                    ProblemKind::MissingReference,
                    &f.origin,
                    "the id of a premises record in the premises file(s)".into(),
                )
                .field("premises_id")
                .value(pid.as_str()),
            );
        }
        if let Some(st) = service::lookup(&f.service_type)
            && st.has_places
            && f.capacity.is_empty()
            && f.status != Status::Closed
        {
            problems.push(
                err(
                    ProblemKind::MissingValue,
                    &f.origin,
                    format!("a capacity (places) for a {} unit; without one allocation leaves it out", st.name_en),
                )
                .field("capacity")
                .warning(),
            );
        }
        for c in &f.capacity {
            if let Some(l) = c.language
                && data.language_rules.groups_taking(l).is_empty()
            {
                problems.push(
                    err(
                        ProblemKind::UnusablePlaces,
                        &f.origin,
                        format!(
                            "places that some language group may take: no child ever takes {l} places under the city's language rules (profile [language_rules]); add {l} to a group, e.g. other = [\"fi\", \"{l}\"]"
                        ),
                    )
                    .field(format!("capacity_{l}"))
                    .value(c.places.to_string())
                    .warning(),
                );
            }
            if let Some(l) = c.language
                && !f.languages.contains(&l)
            {
                let langs: Vec<_> = f.languages.iter().map(|l| l.code()).collect();
                problems.push(
                    err(
                        ProblemKind::OutOfRange,
                        &f.origin,
                        format!("places only in the unit's service languages ({})", langs.join(", ")),
                    )
                    .field(format!("capacity_{l}"))
                    .value(c.places.to_string()),
                );
            }
        }
        match (f.status, f.opening_year, f.closing_year) {
            (Status::Planned, None, _) => problems.push(
                err(ProblemKind::MissingValue, &f.origin, "a planned unit needs its opening year".into())
                    .field("opening_year"),
            ),
            (Status::Closing | Status::Closed, _, None) => problems.push(
                err(ProblemKind::MissingValue, &f.origin, format!("a {} unit needs its closing year", f.status))
                    .field("closing_year"),
            ),
            (_, Some(o), Some(c)) if o > c => problems.push(
                err(ProblemKind::OutOfRange, &f.origin, format!("an opening year not after the closing year {c}"))
                    .field("opening_year")
                    .value(o.to_string()),
            ),
            _ => {}
        }
        check_point(data, problems, &f.origin, f.x, f.y);
        check_district_refs(problems, &f.districts, &f.origin);
    }

    // Demand areas.
    let mut area_seen: HashMap<&str, &Option<Origin>> = HashMap::new();
    for a in &data.demand_areas {
        if let Some(first) = area_seen.insert(a.id.as_str(), &a.origin) {
            problems.push(
                err(ProblemKind::DuplicateId, &a.origin, format!("unique area ids; first seen at {}", at(first).1))
                    .field("id")
                    .value(a.id.as_str()),
            );
        }
        if let Some(reason) = first_invalidity(&a.geometry) {
            problems.push(
                err(ProblemKind::InvalidGeometry, &a.origin, format!("a valid polygon: {reason}"))
                    .field("geometry")
                    .value(a.id.as_str()),
            );
        }
        if !in_finland(a.point.x(), a.point.y()) {
            problems.push(
                err(
                    ProblemKind::OutsideFinland,
                    &a.origin,
                    format!(
                        "an area inside Finland; its representative point is ({:.0}, {:.0}) in EPSG:3067",
                        a.point.x(),
                        a.point.y()
                    ),
                )
                .field("geometry")
                .value(a.id.as_str()),
            );
        }
        check_district_refs(problems, &a.districts, &a.origin);
    }

    // Population: areas exist, years inside the profile's ranges, bands ordered.
    let pop = &data.population;
    let row_at = |r: usize| -> (Option<std::path::PathBuf>, Location) {
        let s = pop.source[r];
        let kind = data.sources.get(s as usize).map(|f| f.locations).unwrap_or(super::population::LocationKind::Row);
        (data.source_path(s), pop.location(r, kind))
    };
    let mut missing_areas = HashSet::new();
    for (i, area) in pop.areas.iter().enumerate() {
        let exists = match &area.level {
            AreaLevel::DemandArea => area_seen.contains_key(area.id.as_str()),
            AreaLevel::District(level) => known_district(level, &area.id),
        };
        if !exists {
            missing_areas.insert(i as u32);
            let origin = Some(pop.area_origins[i].clone());
            let what = match &area.level {
                AreaLevel::DemandArea => "the id of a demand area".to_string(),
                AreaLevel::District(level) => format!("a {level} code of the district file"),
            };
            problems.push(err(ProblemKind::MissingReference, &origin, what).field("area").value(area.id.clone()));
        }
    }
    let years = data.years.clone().unwrap_or(super::profile::Years { observed: None, forecast: None });
    for r in 0..pop.len() {
        let kind = pop.kind[r];
        let range = match kind {
            super::codes::PopulationKind::Observed => years.observed,
            super::codes::PopulationKind::Forecast => years.forecast,
        };
        let year = pop.year[r];
        let ok = range.is_some_and(|[lo, hi]| lo <= year && year <= hi);
        if !ok {
            let (file, location) = row_at(r);
            let expected = match range {
                Some([lo, hi]) => format!("a year within the {kind} period {lo}–{hi} declared in the profile"),
                None => format!("no {kind} rows: the profile declares no {kind} years"),
            };
            problems.push(
                Problem::error(ProblemKind::YearOutOfRange, file, location, expected)
                    .field("year")
                    .value(year.to_string()),
            );
        }
        if pop.age_min[r] > pop.age_max[r] || pop.age_max[r] > OPEN_AGE {
            let (file, location) = row_at(r);
            problems.push(
                Problem::error(
                    ProblemKind::OutOfRange,
                    file,
                    location,
                    format!("an age band with 0 ≤ min ≤ max ≤ {OPEN_AGE}"),
                )
                .field("age")
                .value(format!("{}-{}", pop.age_min[r], pop.age_max[r])),
            );
        }
    }
    duplicate_population(data, problems);
}

/// Population figures: one per area × year × kind × language group × age, with age bands
/// that do not overlap (else the same children would be counted twice). Each duplicate
/// names both records.
fn duplicate_population(data: &Dataset, problems: &mut Problems) {
    let pop = &data.population;
    let at = |r: usize| -> (Option<std::path::PathBuf>, Location) {
        let s = pop.source[r];
        let kind = data.sources.get(s as usize).map(|f| f.locations).unwrap_or(super::population::LocationKind::Row);
        (data.source_path(s), pop.location(r, kind))
    };
    let mut order: Vec<u32> = (0..pop.len() as u32).collect();
    let key = |r: u32| {
        let r = r as usize;
        (pop.area[r], pop.year[r], pop.kind[r], pop.language[r], pop.age_min[r], pop.age_max[r])
    };
    order.sort_unstable_by_key(|&r| (key(r), r));
    let mut reported = 0usize;
    for w in order.windows(2) {
        let (a, b) = (key(w[0]), key(w[1]));
        if (a.0, a.1, a.2, a.3) != (b.0, b.1, b.2, b.3) || b.4 > a.5 {
            continue;
        }
        reported += 1;
        if reported > 1000 {
            break;
        }
        let (file, location) = at(w[1] as usize);
        let (first_file, first) = at(w[0] as usize);
        let first = if first_file == file {
            first.to_string()
        } else {
            format!("{} {first}", first_file.map_or_else(String::new, |f| f.display().to_string()))
        };
        let area = &pop.areas[a.0 as usize];
        let band = |lo: u8, hi: u8| if lo == hi { lo.to_string() } else { format!("{lo}–{hi}") };
        let expected = if (a.4, a.5) == (b.4, b.5) {
            format!(
                "one figure per {} × year × age × language group; the same record ({} {}, {}, age {}, language group {}) is also at {first}, and would be counted twice",
                area.level.name(),
                area.level.name(),
                area.id,
                a.1,
                band(a.4, a.5),
                a.3
            )
        } else {
            format!(
                "age bands that do not overlap; {} {} {} has age {} here and age {} at {first} (language group {}): the same children would be counted twice",
                area.level.name(),
                area.id,
                a.1,
                band(b.4, b.5),
                band(a.4, a.5),
                a.3
            )
        };
        problems.push(
            Problem::error(ProblemKind::DuplicateRecord, file, location, expected).field("area").value(area.id.clone()),
        );
    }
}

/// Checks a unit's point lies inside Finland. (Loaders check the city boundary, where the
/// coordinates as written in the source are at hand for the message.)
fn check_point(data: &Dataset, problems: &mut Problems, origin: &Option<Origin>, x: f64, y: f64) {
    let (file, location) = match origin {
        Some(o) => (data.source_path(o.source), o.location.clone()),
        None => (None, Location::File),
    };
    if !in_finland(x, y) {
        problems.push(
            Problem::error(
                ProblemKind::OutsideFinland,
                file,
                location,
                format!("a point inside Finland; after transformation it is at ({x:.0}, {y:.0}) in EPSG:3067"),
            )
            .field("geometry"),
        );
    }
}

/// The first reason `geometry` is invalid, in words, or `None` when valid.
fn first_invalidity(geometry: &geo::MultiPolygon<f64>) -> Option<String> {
    if geometry.0.is_empty() {
        return Some("the geometry is empty".into());
    }
    geometry.check_validation().err().map(|e| e.to_string())
}
