//! Building a location-allocation instance: demand points, sites with their places, and
//! the travel-time matrix between them, from a scenario or from matrix files.

use super::super::inputs::{demand_of, merged, study_area};
use super::super::{Engine, EngineError};
use crate::analysis::demand::{GROUPS, in_hundredths};
use crate::io::error::ReadError;
use crate::io::locate::SiteRole as FileRole;
use crate::model::locate::{CandidateSource, Existing, LocateKind, LocationProblem};
use crate::model::scenario::Scenario;
use crate::model::{Language, LanguageGroup, Location, ProblemKind, Problems};
use crate::network::UNREACHABLE;
use crate::progress::Progress;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// A demand point: the children of one language group in one demand area (or a row of a
/// matrix problem's demand file).
#[derive(Clone, Debug, PartialEq)]
pub struct DemandPoint {
    /// The demand area's or the file's id.
    pub id: String,
    /// Language group index into `analysis::demand::GROUPS`.
    pub class: u8,
    /// Children (after participation) or the file's weight.
    pub weight: f64,
}

impl DemandPoint {
    /// "5012345 (sv)", for messages.
    pub fn label(&self) -> String {
        format!("{} ({})", self.id, GROUPS[self.class as usize].code())
    }
}

/// What a site is in the problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SiteRole {
    /// An existing unit kept open (fixed).
    Kept,
    /// An existing unit the solver may keep or close.
    Optional,
    /// An existing unit closed (fixed).
    Closed,
    /// A candidate for a new unit.
    Candidate,
    /// A candidate that may not be chosen.
    Excluded,
}

/// A site: an existing unit or a candidate for a new one.
#[derive(Clone, Debug, PartialEq)]
pub struct Site {
    /// Unit id, or the candidate's id (`cell 5012345`, `premises P-17`, a point's id).
    pub id: String,
    /// Name for people.
    pub name: String,
    /// Location, EPSG:3067 (none in matrix problems).
    pub at: Option<(f64, f64)>,
    /// Role.
    pub role: SiteRole,
    /// Places as (capacity, bitmask of the language groups that may take them).
    pub pools: Vec<(f64, u32)>,
    /// Cost of opening it, in the objective's unit.
    pub opening_cost: f64,
    /// Premises id a new unit would take.
    pub premises: Option<String>,
}

/// An instance: demand points, sites and travel minutes between them.
#[derive(Clone, Debug)]
pub struct Built {
    /// Demand points.
    pub demand: Vec<DemandPoint>,
    /// Sites: existing units first, then candidates.
    pub sites: Vec<Site>,
    /// `cost[i][j]`: minutes from demand point i to site j; infinite where j cannot serve i
    /// (unreachable within the search cutoff, or no place its language group may take).
    pub cost: Vec<Vec<f64>>,
    /// Coverage time, minutes.
    pub cutoff_min: f64,
    /// Cost of a child left without a place, minutes.
    pub unserved_min: f64,
    /// The base scenario (scenario problems).
    pub scenario: Option<Scenario>,
    /// What was left out.
    pub notes: Vec<String>,
}

impl Built {
    /// Sites fixed open.
    pub fn fixed_open(&self) -> Vec<usize> {
        (0..self.sites.len()).filter(|&j| self.sites[j].role == SiteRole::Kept).collect()
    }

    /// Sites that may not be chosen.
    pub fn fixed_closed(&self) -> Vec<usize> {
        let closed = |r| matches!(r, SiteRole::Closed | SiteRole::Excluded);
        (0..self.sites.len()).filter(|&j| closed(self.sites[j].role)).collect()
    }
}

/// The bitmask of the language groups that may take places of `language` (`None`: shared).
fn accepts(rules: &crate::model::LanguageRules, language: Option<Language>) -> u32 {
    (0..GROUPS.len()).filter(|&g| rules.allows(GROUPS[g], language)).fold(0, |m, g| m | 1 << g)
}

fn key_error(problem: &LocationProblem, key: &str, message: String) -> EngineError {
    let text = std::fs::read_to_string(&problem.file).unwrap_or_default();
    let line = text.lines().position(|l| l.trim_start().starts_with(key)).map_or(1, |l| l as u64 + 1);
    ReadError::new(&problem.file, ProblemKind::Profile, format!("key 'problem.{key}': {message}"))
        .at(Location::LineColumn(line, 1))
        .into()
}

/// The instance of a problem that extends a scenario.
pub(super) fn from_scenario(
    engine: &mut Engine,
    problem: &LocationProblem,
    progress: &dyn Progress,
) -> Result<Built, EngineError> {
    let path = problem.scenario.as_deref().unwrap_or(Path::new(""));
    let s = crate::io::scenario::read(path)?;
    let (ci, data) = engine.city(&s.profile, progress)?;
    let (ni, _) = engine.network(&s, progress)?;
    let cutoff = (s.parameters.search_cutoff_min * 60_000.0).round() as u32;
    let ti = engine.travel(ci, ni, s.max_snap_m, cutoff);
    let travel = &mut engine.travels[ti].1;
    let plans = crate::scenario::apply::units(&data, &s)?;
    let (demand, _) = demand_of(&data, &s)?;
    let hundredths = in_hundredths(&demand, s.parameters.participation);
    let rules = &data.language_rules;
    let mut notes = Vec::new();
    // Existing units.
    let operating: Vec<_> = plans.iter().filter(|u| u.open()).collect();
    for (key, ids) in [("keep", &problem.keep), ("exclude", &problem.exclude)] {
        if let Some(id) = ids.iter().find(|id| !operating.iter().any(|u| u.id == **id)) {
            return Err(key_error(problem, key, format!("'{id}' is no unit operating in {} {}", s.name, s.year.0)));
        }
    }
    let mut sites: Vec<Site> = operating
        .iter()
        .map(|u| {
            let role = if problem.keep.contains(&u.id) {
                SiteRole::Kept
            } else if problem.kind == LocateKind::Closure {
                SiteRole::Optional
            } else if problem.exclude.contains(&u.id) {
                SiteRole::Closed
            } else {
                match problem.existing {
                    Existing::Keep => SiteRole::Kept,
                    Existing::Optional => SiteRole::Optional,
                    Existing::None => SiteRole::Closed,
                }
            };
            let pools = merged(&u.places).iter().map(|&(l, n)| (f64::from(n), accepts(rules, l))).collect();
            Site {
                id: u.id.clone(),
                name: u.name.clone(),
                at: Some((u.x, u.y)),
                role,
                pools,
                opening_cost: 0.0,
                premises: u.premises.clone(),
            }
        })
        .collect();
    // Candidates.
    let new_pools: Vec<(f64, u32)> = problem
        .places
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(code, &n)| (n as f64, accepts(rules, code.parse::<Language>().ok())))
        .collect();
    let candidate = |id: String, name: String, at: (f64, f64), premises: Option<String>| Site {
        id,
        name,
        at: Some(at),
        role: SiteRole::Candidate,
        pools: new_pools.clone(),
        opening_cost: problem.opening_cost,
        premises,
    };
    if problem.kind != LocateKind::Closure {
        let mut found: Vec<Site> = Vec::new();
        match problem.candidates {
            CandidateSource::Cells => {
                let inside = match &s.parameters.study_districts {
                    Some(study) => study_area(&data, &s, study)?,
                    None => vec![true; data.demand_areas.len()],
                };
                let side = problem.spacing_m;
                let mut best: BTreeMap<(i64, i64), (f64, usize)> = BTreeMap::new();
                for (a, area) in data.demand_areas.iter().enumerate().filter(|(a, _)| inside[*a]) {
                    let (x, y) = (area.point.x(), area.point.y());
                    let key = ((x / side).floor() as i64, (y / side).floor() as i64);
                    let centre = ((key.0 as f64 + 0.5) * side, (key.1 as f64 + 0.5) * side);
                    let d = (x - centre.0).hypot(y - centre.1);
                    if travel.off_network(x, y).is_none() && best.get(&key).is_none_or(|b| d < b.0) {
                        best.insert(key, (d, a));
                    }
                }
                let mut chosen: Vec<usize> = best.values().map(|b| b.1).collect();
                chosen.sort_unstable();
                for a in chosen {
                    let area = &data.demand_areas[a];
                    let id = format!("cell {}", area.id.0);
                    found.push(candidate(id.clone(), id, (area.point.x(), area.point.y()), None));
                }
            }
            CandidateSource::Premises => {
                let housing: Vec<&str> = operating.iter().filter_map(|u| u.premises.as_deref()).collect();
                let mut at: HashMap<&str, (f64, f64)> = HashMap::new();
                for u in &data.units {
                    if let Some(p) = &u.premises_id {
                        at.entry(p.0.as_str()).or_insert((u.x, u.y));
                    }
                }
                for p in &data.premises {
                    let id = p.id.0.as_str();
                    if let (Some(&xy), false) = (at.get(id), housing.contains(&id))
                        && travel.off_network(xy.0, xy.1).is_none()
                    {
                        let name = p.address.clone().unwrap_or_else(|| format!("premises {id}"));
                        found.push(candidate(format!("premises {id}"), name, xy, Some(id.to_owned())));
                    }
                }
            }
            CandidateSource::Points => {
                let (file, _) = problem.points.clone().unwrap_or_default();
                let mut problems = Problems::default();
                let points = crate::io::points::read(&file, &mut problems).ok_or_else(|| inputs_error(&problems))?;
                for p in points {
                    match travel.off_network(p.x, p.y) {
                        None => found.push(candidate(p.id.clone(), p.id.clone(), (p.x, p.y), None)),
                        Some(d) => notes.push(format!(
                            "candidate {} lies {d:.0} m from the network (limit {} m) and is left out",
                            p.id, s.max_snap_m
                        )),
                    }
                }
            }
        }
        if found.is_empty() {
            let why = match problem.candidates {
                CandidateSource::Cells => "no demand area of the study area lies on the network",
                CandidateSource::Premises => {
                    "no premises with a known location (from any unit's record) are free of operating units"
                }
                CandidateSource::Points => "no point of the file lies on the network",
            };
            return Err(key_error(problem, "kind", format!("no candidate sites: {why}; see [candidates]")));
        }
        sites.extend(found);
    }
    // Demand points, leaving out areas off the network.
    let off: Vec<usize> = travel.cells_off_network();
    let mut left_out = 0.0;
    let mut demand_points = Vec::new();
    let mut areas = Vec::new();
    for (a, h) in hundredths.iter().enumerate() {
        for (g, &n) in h.iter().enumerate() {
            if n == 0 {
                continue;
            }
            if off.binary_search(&a).is_ok() {
                left_out += f64::from(n) / 100.0;
                continue;
            }
            let id = data.demand_areas[a].id.0.clone();
            demand_points.push(DemandPoint { id, class: g as u8, weight: f64::from(n) / 100.0 });
            areas.push(a);
        }
    }
    if left_out > 0.0 {
        notes.push(format!(
            "{left_out:.0} children in demand areas farther than {} m from the network are left out",
            s.max_snap_m
        ));
    }
    progress.start(&format!("{}: travel times to {} sites", problem.name, sites.len()), sites.len() as u64);
    let points: Vec<(f64, f64)> = sites.iter().map(|t| t.at.unwrap_or_default()).collect();
    let columns = travel.columns(&points, &|n| progress.inc(n as u64));
    progress.finish();
    let cost = demand_points
        .iter()
        .zip(&areas)
        .map(|(d, &a)| {
            sites
                .iter()
                .zip(&columns)
                .map(|(site, col)| {
                    let t = col.time[a];
                    let takes = site.pools.iter().any(|p| p.0 > 0.0 && p.1 & (1 << d.class) != 0);
                    if t == UNREACHABLE || !takes { f64::INFINITY } else { f64::from(t) / 60_000.0 }
                })
                .collect()
        })
        .collect();
    Ok(Built {
        demand: demand_points,
        sites,
        cost,
        cutoff_min: problem.cutoff_min.unwrap_or(s.parameters.threshold_min),
        unserved_min: problem.unserved_min.unwrap_or(s.parameters.search_cutoff_min),
        scenario: Some(s),
        notes,
    })
}

/// Input problems as one error.
fn inputs_error(problems: &Problems) -> EngineError {
    let list: Vec<String> = problems.list.iter().take(20).map(|p| p.to_string()).collect();
    EngineError::Inputs { count: problems.errors, list: list.join("\n") }
}

/// The instance of a problem on matrix files.
pub(super) fn from_matrix(problem: &LocationProblem) -> Result<Built, EngineError> {
    let Some((od, demand, sites)) = &problem.matrix else {
        return Err(EngineError::Infeasible("no [matrix] in the problem file".into()));
    };
    let m = crate::io::locate::read_matrix(od, demand, sites).map_err(|p| inputs_error(&p))?;
    let capacitated = matches!(
        problem.kind,
        LocateKind::CapacitatedPMedian | LocateKind::FacilityLocation | LocateKind::CapacitatedCoverage
    );
    if capacitated && let Some(s) = m.sites.iter().find(|s| s.capacity.is_none()) {
        return Err(EngineError::Inputs {
            count: 1,
            list: format!(
                "{}: site '{}': field 'capacity' is empty; {} needs every site's places",
                sites.display(),
                s.id,
                problem.kind.code()
            ),
        });
    }
    let Some(cutoff_min) = problem
        .cutoff_min
        .or((!problem.kind.maximises() && problem.kind != LocateKind::SetCover).then_some(f64::INFINITY))
    else {
        return Err(key_error(
            problem,
            "kind",
            format!("{} on a matrix needs the coverage time: cutoff_min = 16", problem.kind.code()),
        ));
    };
    let group_index = |g: LanguageGroup| GROUPS.iter().position(|&x| x == g).unwrap_or(3) as u8;
    for (key, ids) in [("keep", &problem.keep), ("exclude", &problem.exclude)] {
        if let Some(id) = ids.iter().find(|id| !m.sites.iter().any(|s| s.id == **id)) {
            return Err(key_error(problem, key, format!("'{id}' is no site of {}", sites.display())));
        }
    }
    let built_sites: Vec<Site> = m
        .sites
        .iter()
        .map(|s| {
            let role = if problem.keep.contains(&s.id) {
                SiteRole::Kept
            } else if problem.exclude.contains(&s.id) {
                SiteRole::Excluded
            } else {
                match s.role {
                    FileRole::Candidate => SiteRole::Candidate,
                    FileRole::Keep => SiteRole::Kept,
                    FileRole::Optional => SiteRole::Optional,
                    FileRole::Exclude => SiteRole::Excluded,
                }
            };
            let mask = if s.accepts.is_empty() {
                (1 << GROUPS.len()) - 1
            } else {
                s.accepts.iter().fold(0, |m, &g| m | 1 << group_index(g))
            };
            Site {
                id: s.id.clone(),
                name: s.id.clone(),
                at: None,
                role,
                pools: vec![(s.capacity.unwrap_or(f64::INFINITY), mask)],
                opening_cost: s.opening_cost.unwrap_or(problem.opening_cost),
                premises: None,
            }
        })
        .collect();
    let demand_points: Vec<DemandPoint> = m
        .demand
        .iter()
        .map(|d| DemandPoint { id: d.id.clone(), class: group_index(d.class), weight: d.weight })
        .collect();
    let mut cost = vec![vec![f64::INFINITY; built_sites.len()]; demand_points.len()];
    for &(i, j, t) in &m.times {
        let (i, j) = (i as usize, j as usize);
        if built_sites[j].pools[0].1 & (1 << demand_points[i].class) != 0 {
            cost[i][j] = t / 60.0;
        }
    }
    Ok(Built {
        demand: demand_points,
        sites: built_sites,
        cost,
        cutoff_min,
        unserved_min: problem.unserved_min.unwrap_or(60.0),
        scenario: None,
        notes: Vec::new(),
    })
}
