//! The engine: one API behind every front end (command line, web workspace, batch runs).
//!
//! An [`Engine`] owns what is expensive to make and worth keeping — loaded cities,
//! networks, and the travel columns of every unit location searched so far — and offers
//! typed operations:
//! - [`Engine::evaluate`] a scenario into an [`Evaluation`] (allocations, KPIs, tables);
//! - [`Engine::update`] an evaluation to another version of the scenario — an edit: close,
//!   open, move, change places, year or parameters — re-scored incrementally (only the
//!   changed units' searches, the system optimum re-optimised from the previous one);
//! - [`Engine::write`] an evaluation's outputs, [`compare`] result folders;
//! - [`Engine::od_matrix`], [`Engine::nearest`] and [`Engine::isochrones`] on a network.
//!
//! Every operation returns data and a typed report of what was off the network or left
//! out ([`Notes`]); nothing here prints.

pub mod batch;
pub mod evaluation;
mod inputs;
pub mod locate;
pub mod routing;
pub mod travel;
pub mod workspace;

pub use evaluation::{Evaluation, UpdateKind};

use crate::io::error::{ReadError, WriteError};
use crate::model::network::{Mode, NetworkSource};
use crate::model::scenario::Scenario;
use crate::model::{Dataset, Location, ProblemKind, Problems, Severity};
use crate::network::Network;
use crate::network::profile::Speeds;
use crate::network::source::{BuildError, Options};
use crate::progress::Progress;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use travel::Travel;

pub use crate::scenario::compare;

/// Wall-clock seconds of each phase of an operation, in order (for benchmarks and timing
/// lines; never part of a result).
#[derive(Clone, Debug)]
pub struct Phases {
    /// (phase, seconds), in the order run.
    pub list: Vec<(&'static str, f64)>,
    since: std::time::Instant,
}

impl Default for Phases {
    fn default() -> Self {
        Phases { list: Vec::new(), since: std::time::Instant::now() }
    }
}

impl Phases {
    /// A clock started now.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the time since the last record (or the start) as phase `name`.
    pub fn done(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        self.list.push((name, (now - self.since).as_secs_f64()));
        self.since = now;
    }

    /// Seconds spent in phase `name` (0 when it did not run).
    pub fn get(&self, name: &str) -> f64 {
        self.list.iter().filter(|p| p.0 == name).map(|p| p.1).sum()
    }
}

/// Why an operation failed.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// A scenario, profile, data or network file is wrong.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// An output could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// A network could not be built.
    #[error(transparent)]
    Network(#[from] BuildError),
    /// A location-allocation problem has no solution; the message names why.
    #[error("{0}")]
    Infeasible(String),
    /// Input files have errors (matrix problems, candidate points).
    #[error("{count} problems in the inputs:\n{list}")]
    Inputs {
        /// Number of errors.
        count: usize,
        /// The first problems, one per line.
        list: String,
    },
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

/// Something an operation left out or could not route; never an error by itself.
#[derive(Clone, Debug, PartialEq)]
pub enum Note {
    /// Units farther than the snap limit from the network: unreachable.
    UnitsOffNetwork {
        /// Unit id and distance to the network, metres.
        units: Vec<(String, f64)>,
        /// The snap limit, metres.
        limit_m: f64,
    },
    /// Demand areas farther than the snap limit: their children count as unserved.
    AreasOffNetwork {
        /// Areas with children.
        areas: usize,
        /// Their children (after participation).
        children: f64,
        /// The snap limit, metres.
        limit_m: f64,
    },
    /// Forecast children of districts without demand areas (not placed anywhere).
    UnplacedForecast {
        /// Children.
        children: f64,
    },
    /// Places no language group may take.
    UnusablePlaces {
        /// Unit id.
        unit: String,
        /// Place language.
        language: String,
        /// Places.
        places: u32,
        /// City name.
        city: String,
    },
    /// Points (of a matrix, nearest or isochrone request) not routed.
    PointsOffNetwork {
        /// Their role (origins, destinations, units, points).
        role: String,
        /// Point id and distance, metres (`∞` for an empty network).
        points: Vec<(String, f64)>,
        /// The snap limit, metres.
        limit_m: f64,
    },
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Note::UnitsOffNetwork { units, limit_m } => {
                let list: Vec<String> = units.iter().map(|(id, d)| format!("{id} ({d:.0} m)")).collect();
                write!(
                    f,
                    "{} units lie farther than {limit_m} m from the network and are unreachable: {}",
                    units.len(),
                    list.join(", ")
                )
            }
            Note::AreasOffNetwork { areas, children, limit_m } => write!(
                f,
                "{areas} demand areas with {children:.0} children lie farther than {limit_m} m from the network; their children count as unserved"
            ),
            Note::UnplacedForecast { children } => {
                write!(f, "{children:.0} forecast children belong to districts without demand areas and are not placed")
            }
            Note::UnusablePlaces { unit, language, places, city } => write!(
                f,
                "unit {unit} has {places} {language} places that no language group may take under {city}'s language rules ([language_rules] of the profile); they stay empty"
            ),
            Note::PointsOffNetwork { role, points, limit_m } => {
                let shown: Vec<String> = points.iter().take(20).map(|(id, d)| format!("{id} ({d:.0} m)")).collect();
                write!(
                    f,
                    "{} {role} farther than {limit_m} m from the network are left unrouted (their times are empty): {}{}",
                    points.len(),
                    shown.join(", "),
                    if points.len() > 20 { ", …" } else { "" }
                )
            }
        }
    }
}

/// Key of a built network: its source, mode and speeds (bit patterns).
type NetworkKey = (NetworkSource, Mode, (u64, u64));

/// Key of a travel cache: city, network, snap limit (bits) and cutoff (ms).
type TravelKey = (usize, usize, u64, u32);

/// Loaded cities and networks and the travel columns searched on them.
#[derive(Default)]
pub struct Engine {
    cities: Vec<(PathBuf, Arc<Dataset>)>,
    networks: Vec<(NetworkKey, Arc<Network>)>,
    travels: Vec<(TravelKey, Travel)>,
}

impl Engine {
    /// An engine with nothing loaded.
    pub fn new() -> Self {
        Engine::default()
    }

    /// An engine sharing this one's loaded cities and networks (not its travel caches, which
    /// fill again on use): one per worker for evaluations side by side on the same data.
    pub fn sharing(&self) -> Engine {
        Engine { cities: self.cities.clone(), networks: self.networks.clone(), travels: Vec::new() }
    }

    /// Registers a city already in memory as the one of `profile` (tools, benchmarks).
    pub fn add_city(&mut self, profile: &Path, data: Dataset) {
        self.cities.push((profile.to_owned(), Arc::new(data)));
    }

    /// Registers a built network as the one of scenarios with `s`'s network, mode and
    /// speeds (tools, benchmarks).
    pub fn add_network(&mut self, s: &Scenario, net: Network) {
        let key = (s.network.clone(), s.mode, (s.speeds.0.to_bits(), s.speeds.1.to_bits()));
        self.networks.push((key, Arc::new(net)));
    }

    /// The city of `profile`, loaded once; a city whose data has errors is an error.
    pub fn city(&mut self, profile: &Path, progress: &dyn Progress) -> Result<(usize, Arc<Dataset>), EngineError> {
        let key = profile.canonicalize().unwrap_or_else(|_| profile.to_owned());
        if let Some(i) = self.cities.iter().position(|c| c.0 == key) {
            return Ok((i, self.cities[i].1.clone()));
        }
        let data = load_checked(profile, progress)?;
        self.cities.push((key, Arc::new(data)));
        Ok((self.cities.len() - 1, self.cities[self.cities.len() - 1].1.clone()))
    }

    /// The network of a scenario, built (or read) once per source, mode and speeds.
    pub fn network(&mut self, s: &Scenario, progress: &dyn Progress) -> Result<(usize, Arc<Network>), EngineError> {
        let key = (s.network.clone(), s.mode, (s.speeds.0.to_bits(), s.speeds.1.to_bits()));
        if let Some(i) = self.networks.iter().position(|n| n.0 == key) {
            return Ok((i, self.networks[i].1.clone()));
        }
        progress.start(&format!("network {}", s.mode.name()), 0);
        let options = Options {
            mode: Some(s.mode),
            speeds: Speeds { walk_mps: s.speeds.0, bike_mps: s.speeds.1 },
            access_speed_mps: None,
        };
        let built = crate::network::source::build(&s.network, &options)?;
        progress.finish();
        self.networks.push((key, Arc::new(built.network)));
        Ok((self.networks.len() - 1, self.networks[self.networks.len() - 1].1.clone()))
    }

    /// The travel cache of a city on a network with a snap limit and cutoff.
    fn travel(&mut self, city: usize, network: usize, max_snap_m: f64, cutoff: u32) -> usize {
        let key = (city, network, max_snap_m.to_bits(), cutoff);
        if let Some(i) = self.travels.iter().position(|t| t.0 == key) {
            return i;
        }
        let cells = self.cities[city].1.demand_areas.iter().map(|a| (a.point.x(), a.point.y())).collect();
        let net = self.networks[network].1.clone();
        self.travels.push((key, Travel::new(net, cells, max_snap_m, cutoff)));
        self.travels.len() - 1
    }

    /// Evaluates a scenario: demand, travel, both allocations, KPIs, tables.
    pub fn evaluate(&mut self, s: &Scenario, progress: &dyn Progress) -> Result<Evaluation, EngineError> {
        let known = self.cities.iter().any(|c| c.0 == s.profile);
        if !known && !s.profile.is_file() {
            return Err(ReadError::new(
                &s.files[0],
                ProblemKind::Profile,
                format!("key 'profile': no city profile at {}", s.profile.display()),
            )
            .into());
        }
        let (ci, data) = self.city(&s.profile, progress)?;
        let (ni, _) = self.network(s, progress)?;
        let cutoff = (s.parameters.search_cutoff_min * 60_000.0).round() as u32;
        let ti = self.travel(ci, ni, s.max_snap_m, cutoff);
        evaluation::cold(data, &mut self.travels[ti].1, ti, s.clone(), progress)
    }

    /// Re-scores `eval` for `scenario`, another version of its scenario (an edit). Changes
    /// to units are applied incrementally; a change of city, year, service, ages,
    /// participation, study area or network evaluates anew. The result equals
    /// [`Engine::evaluate`] of `scenario`. On error `eval` is unchanged.
    pub fn update(
        &mut self,
        eval: &mut Evaluation,
        scenario: Scenario,
        progress: &dyn Progress,
    ) -> Result<UpdateKind, EngineError> {
        if !eval.same_base(&scenario) {
            *eval = self.evaluate(&scenario, progress)?;
            return Ok(UpdateKind::Cold);
        }
        let travel = &mut self.travels[eval.travel_index()].1;
        match evaluation::incremental(eval, travel, scenario.clone(), progress)? {
            Some(kind) => Ok(kind),
            None => {
                *eval = self.evaluate(&scenario, progress)?;
                Ok(UpdateKind::Cold)
            }
        }
    }

    /// Unit searches run so far by every travel cache.
    pub fn searches(&self) -> usize {
        self.travels.iter().map(|t| t.1.searches).sum()
    }

    /// Writes an evaluation's outputs into `dir` (created if needed): cells, units,
    /// allocation and district tables, `kpis.json`, `report.html`; staged, nothing
    /// half-written on failure.
    pub fn write(&self, eval: &Evaluation, dir: &Path) -> Result<Vec<PathBuf>, EngineError> {
        Ok(eval.write(dir)?)
    }
}

/// Reads a city through its profile and checks it: the harmonised data (unless the profile
/// itself cannot be read) and every problem found, at most `limit` kept.
pub fn validate(profile: &Path, limit: usize, progress: &dyn Progress) -> (Option<Dataset>, Problems) {
    let mut problems = Problems::with_limit(limit);
    match crate::io::load::load_city(profile, &mut problems, progress) {
        Ok(data) => (Some(data), problems),
        Err(e) => {
            problems.push(e.into_problem());
            (None, problems)
        }
    }
}

/// An error for a unit point off the network.
pub fn off_network_error(file: &Path, line: u64, unit: &str, distance: f64, limit: f64) -> ReadError {
    let how_far = if distance.is_finite() { format!("{distance:.0} m") } else { "far".to_owned() };
    ReadError::new(
        file,
        ProblemKind::Profile,
        format!("key 'at': unit '{unit}' lies {how_far} from the network (limit {limit:.0} m, network.max_snap_m)"),
    )
    .at(Location::LineColumn(line, 1))
}

/// The city of `profile` read and converted; data with errors is an error listing them.
pub(crate) fn load_checked(profile: &Path, progress: &dyn Progress) -> Result<Dataset, EngineError> {
    let mut problems = Problems::with_limit(20);
    let data = crate::io::load::load_city(profile, &mut problems, progress)?;
    if problems.has_errors() {
        return Err(data_error(profile, &problems));
    }
    Ok(data)
}

/// The errors among `problems`, read from `path`, as one engine error.
pub(crate) fn data_error(path: &Path, problems: &Problems) -> EngineError {
    let list: Vec<String> =
        problems.list.iter().filter(|p| p.severity == Severity::Error).map(|p| format!("    {p}")).collect();
    EngineError::Data { profile: path.display().to_string(), count: problems.errors, list: list.join("\n") }
}
