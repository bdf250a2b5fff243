//! Running several scenarios in one go: each city and network is loaded once, and the
//! travel-time columns of units are shared by every scenario on the same city and network,
//! so a scenario only searches from the units it opened or moved.

use super::apply::{UnitStatus, check_year, units};
use super::kpis::{Kpis, Provenance};
use super::output;
use super::report;
use super::run::evaluate;
use super::travel::{Travel, load_network, off_network_error};
use crate::analysis::demand;
use crate::io::error::{ReadError, WriteError};
use crate::model::network::{Mode, NetworkSource};
use crate::model::scenario::Scenario;
use crate::model::{Dataset, Location, ProblemKind, Problems, Severity};
use crate::network::Network;
use crate::progress::Progress;
use std::path::{Path, PathBuf};

/// Why a scenario could not be run.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// A scenario, profile, data or network file is wrong.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// An output could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// The scenario's network could not be built.
    #[error(transparent)]
    Network(#[from] crate::network::source::BuildError),
    /// The city's data has errors.
    #[error("{profile} has {count} data errors (run `pave validate {profile}`):\n{list}")]
    Data {
        /// The profile.
        profile: String,
        /// Number of errors.
        count: usize,
        /// The first errors, one per line.
        list: String,
    },
}

/// What one run produced, for the command line to report.
#[derive(Clone, Debug)]
pub struct RunReport {
    /// Scenario name.
    pub name: String,
    /// Output folder.
    pub dir: PathBuf,
    /// Headline: children, share within the threshold, mean minutes.
    pub headline: (f64, Option<f64>, Option<f64>),
    /// Unit searches run for this scenario (others were reused).
    pub searches: usize,
    /// Warnings (e.g. demand areas off the network).
    pub warnings: Vec<String>,
}

fn load_data(profile: &Path, progress: &dyn Progress) -> Result<Dataset, SessionError> {
    let mut problems = Problems::with_limit(20);
    let data = crate::io::load::load_city(profile, &mut problems, progress)?;
    if problems.has_errors() {
        let list: Vec<String> =
            problems.list.iter().filter(|p| p.severity == Severity::Error).map(|p| format!("    {p}")).collect();
        return Err(SessionError::Data {
            profile: profile.display().to_string(),
            count: problems.errors,
            list: list.join("\n"),
        });
    }
    Ok(data)
}

fn at_key(origin: &crate::model::scenario::KeyOrigin, key: &str, message: String) -> ReadError {
    ReadError::new(&origin.file, ProblemKind::Profile, format!("key '{key}': {message}"))
        .at(Location::LineColumn(origin.line, 1))
}

/// Which demand areas lie in the study districts; unknown codes are errors.
fn study_area(data: &Dataset, s: &Scenario, study: &[String]) -> Result<Vec<bool>, ReadError> {
    let level =
        s.parameters.district_level.clone().or_else(|| data.district_levels.last().cloned()).unwrap_or_default();
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

/// Runs `scenarios` (already read) and writes each into `out/<name>/` (one layout for one
/// scenario or many, so scripts find the files in the same place).
pub fn run_all(scenarios: &[Scenario], out: &Path, progress: &dyn Progress) -> Result<Vec<RunReport>, SessionError> {
    let mut cities: Vec<(PathBuf, Dataset)> = Vec::new();
    type NetworkKey = (NetworkSource, Mode, (f64, f64));
    let mut networks: Vec<(NetworkKey, Network)> = Vec::new();
    for s in scenarios {
        let key = s.profile.canonicalize().unwrap_or_else(|_| s.profile.clone());
        if !cities.iter().any(|c| c.0 == key) {
            if !s.profile.is_file() {
                return Err(ReadError::new(
                    &s.files[0],
                    ProblemKind::Profile,
                    format!("key 'profile': no city profile at {}", s.profile.display()),
                )
                .into());
            }
            cities.push((key, load_data(&s.profile, progress)?));
        }
        let nk = (s.network.clone(), s.mode, s.speeds);
        if !networks.iter().any(|n| n.0 == nk) {
            progress.start(&format!("network {}", s.mode.name()), 0);
            let net = load_network(s)?;
            progress.finish();
            networks.push((nk, net));
        }
    }
    // One travel cache per (city, network, snap limit, cutoff).
    let mut caches: Vec<((usize, usize, u64, u64), Travel<'_>)> = Vec::new();
    let mut reports = Vec::new();
    for s in scenarios {
        let key = s.profile.canonicalize().unwrap_or_else(|_| s.profile.clone());
        let ci = cities.iter().position(|c| c.0 == key).unwrap_or(0);
        let ni = networks.iter().position(|n| n.0 == (s.network.clone(), s.mode, s.speeds)).unwrap_or(0);
        let data = &cities[ci].1;
        let net = &networks[ni].1;
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
                    at_key(
                        &s.service.1,
                        "ages",
                        format!("{} has no upper age; give ages = [first, last]", service.code),
                    )
                })?,
            ),
        };
        let plans = units(data, s)?;
        let mut demand = demand::children(data, s.year.0, ages).map_err(|m| at_key(&s.year.1, "year", m))?;
        let mut by_age: Vec<demand::Demand> = (ages.0..=ages.1)
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
        let cutoff = (s.parameters.search_cutoff_min * 60_000.0).round() as u32;
        let ck = (ci, ni, s.max_snap_m.to_bits(), u64::from(cutoff));
        let slot = match caches.iter().position(|c| c.0 == ck) {
            Some(i) => i,
            None => {
                let cells = data.demand_areas.iter().map(|a| (a.point.x(), a.point.y())).collect();
                caches.push((ck, Travel::new(net, cells, s.max_snap_m, cutoff)));
                caches.len() - 1
            }
        };
        let travel = &mut caches[slot].1;
        let mut warnings = Vec::new();
        let mut far_units = Vec::new();
        for u in plans.iter().filter(|u| u.open()) {
            if let Some(d) = travel.off_network(u.x, u.y) {
                if let (Some(at), UnitStatus::Opened | UnitStatus::Moved) = (&u.changed_at, u.status) {
                    return Err(off_network_error(&at.file, at.line, &u.id, d, s.max_snap_m).into());
                }
                far_units.push(format!("{} ({d:.0} m)", u.id));
            }
        }
        if !far_units.is_empty() {
            warnings.push(format!(
                "{} units lie farther than {} m from the network and are unreachable: {}",
                far_units.len(),
                s.max_snap_m,
                far_units.join(", ")
            ));
        }
        let off = travel.cells_off_network();
        let off_children: f64 = off.iter().map(|&a| demand.area_total(a)).sum();
        if off_children > 0.0 {
            warnings.push(format!(
                "{} demand areas with {:.0} children lie farther than {} m from the network; their children count as unserved",
                off.iter().filter(|&&a| demand.area_total(a) > 0.0).count(),
                off_children * s.parameters.participation,
                s.max_snap_m
            ));
        }
        if demand.unplaced > 0.0 {
            warnings.push(format!(
                "{:.0} forecast children belong to districts without demand areas and are not placed",
                demand.unplaced
            ));
        }
        let before = travel.searches;
        let points: Vec<(f64, f64)> = plans.iter().filter(|u| u.open()).map(|u| (u.x, u.y)).collect();
        progress.start(&format!("{}: travel times", s.name), 0);
        let (times, distances) = travel.times(&points, &|n| progress.inc(n as u64));
        progress.finish();
        let searches = travel.searches - before;
        progress.start(&format!("{}: allocation and indicators", s.name), 0);
        let outcome = evaluate(data, &s.parameters, plans, &demand, &by_age, (&times, &distances));
        progress.finish();
        for u in &outcome.unusable {
            warnings.push(format!(
                "unit {} has {} {} places that no language group may take under {}'s language rules ([language_rules] of the profile); they stay empty",
                u.unit, u.places, u.language, data.city
            ));
        }
        let prov = Provenance::new(s, data, net, &demand.method);
        let (head, other) = match s.parameters.allocation {
            crate::model::scenario::Rule::NearestWithVacancy => ("nearest_with_vacancy", "system_optimum"),
            crate::model::scenario::Rule::SystemOptimum => ("system_optimum", "nearest_with_vacancy"),
        };
        let tables = [
            output::cells_table(data, &outcome, &prov),
            output::units_table(&outcome, &prov, ages.0),
            output::allocation_table(data, &outcome, head, other, &prov),
            output::districts_table(&outcome, &prov),
        ];
        let kpis = Kpis::new(s, &outcome, prov.clone(), &warnings, searches);
        let html = report::html(s, data, &outcome, &kpis);
        let dir = out.join(&s.name);
        progress.start(&format!("{}: writing {}", s.name, dir.display()), 0);
        output::write(&dir, &tables, &kpis, &html)?;
        progress.finish();
        let headline = match s.parameters.allocation {
            crate::model::scenario::Rule::NearestWithVacancy => &outcome.rule,
            crate::model::scenario::Rule::SystemOptimum => &outcome.optimum,
        };
        reports.push(RunReport {
            name: s.name.clone(),
            dir,
            headline: (headline.children, headline.within_share, headline.mean_min),
            searches,
            warnings,
        });
    }
    Ok(reports)
}
