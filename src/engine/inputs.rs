//! What a scenario asks of the engine before any allocation: the children of the served
//! ages (all, and each age alone) in the study area, and checks of its units' places.

use super::off_network_error;
use super::travel::Travel;
use crate::analysis::demand::{self, Demand};
use crate::io::error::ReadError;
use crate::model::scenario::Scenario;
use crate::model::{Dataset, Language, Location, ProblemKind};
use crate::scenario::apply::{UnitPlan, UnitStatus, check_year};

fn at_key(origin: &crate::model::scenario::KeyOrigin, key: &str, message: String) -> ReadError {
    ReadError::new(&origin.file, ProblemKind::Profile, format!("key '{key}': {message}"))
        .at(Location::LineColumn(origin.line, 1))
}

/// Which demand areas lie in the study districts; unknown codes are errors.
pub(super) fn study_area(data: &Dataset, s: &Scenario, study: &[String]) -> Result<Vec<bool>, ReadError> {
    let level = s.parameters.district_level_in(&data.district_levels);
    for code in study {
        if !data.districts.iter().any(|d| d.level == level && d.code.0 == *code) {
            let file = &s.files[0];
            let text = std::fs::read_to_string(file).unwrap_or_default();
            let line = text.lines().position(|l| l.contains("study_districts")).map_or(1, |i| i as u64 + 1);
            return Err(ReadError::new(
                file,
                ProblemKind::Profile,
                format!("key 'parameters.study_districts': no {level} district '{code}' in {}", data.city),
            )
            .at(Location::LineColumn(line, 1)));
        }
    }
    Ok(data
        .demand_areas
        .iter()
        .map(|a| a.districts.get(&level).is_some_and(|d| study.iter().any(|c| c == d.as_str())))
        .collect())
}

/// Children of the served ages (all, and each age alone) for the scenario.
pub(super) fn demand_of(data: &Dataset, s: &Scenario) -> Result<(Demand, Vec<Demand>), ReadError> {
    check_year(data, s)?;
    let service = crate::model::service::lookup(&s.service.0).ok_or_else(|| {
        let codes: Vec<String> = crate::model::service::catalogue().into_iter().map(|t| t.code).collect();
        at_key(
            &s.service.1,
            "service",
            format!("unknown service type '{}'; expected one of {}", s.service.0, codes.join(", ")),
        )
    })?;
    let ages = match &s.ages {
        Some((a, _)) => (a[0], a[1]),
        None => (
            service.min_age,
            service.max_age.ok_or_else(|| {
                at_key(&s.service.1, "ages", format!("{} has no upper age; give ages = [first, last]", service.code))
            })?,
        ),
    };
    let mut demand = demand::children(data, s.year.0, ages).map_err(|m| at_key(&s.year.1, "year", m))?;
    let mut by_age: Vec<Demand> = (ages.0..=ages.1)
        .map(|a| demand::children(data, s.year.0, (a, a)).map_err(|m| at_key(&s.year.1, "year", m)))
        .collect::<Result<_, _>>()?;
    if let Some(study) = &s.parameters.study_districts {
        let inside = study_area(data, s, study)?;
        for d in std::iter::once(&mut demand).chain(by_age.iter_mut()) {
            for (a, c) in d.children.iter_mut().enumerate() {
                if !inside[a] {
                    *c = [0.0; 4];
                }
            }
        }
        demand.method.push_str(&format!("; study area: districts {}", study.join(", ")));
    }
    Ok((demand, by_age))
}

/// A unit's places with each language once.
pub(super) fn merged(places: &[(Option<Language>, u32)]) -> Vec<(Option<Language>, u32)> {
    let mut out: Vec<(Option<Language>, u32)> = Vec::new();
    for &(l, n) in places {
        match out.iter_mut().find(|p| p.0 == l) {
            Some(p) => p.1 += n,
            None => out.push((l, n)),
        }
    }
    out
}

/// Opened or moved units off the network are errors; others are noted.
pub(super) fn check_units(plans: &[UnitPlan], travel: &Travel, s: &Scenario) -> Result<Vec<(String, f64)>, ReadError> {
    let mut far = Vec::new();
    for u in plans.iter().filter(|u| u.open()) {
        if let Some(d) = travel.off_network(u.x, u.y) {
            if let (Some(at), UnitStatus::Opened | UnitStatus::Moved) = (&u.changed_at, u.status) {
                return Err(off_network_error(&at.file, at.line, &u.id, d, s.max_snap_m));
            }
            far.push((u.id.clone(), d));
        }
    }
    Ok(far)
}
