//! Location-allocation problem files (sijaintitehtävä): where to open units, or which to
//! close, on a scenario's city, year, network and parameters — or on a travel-time matrix
//! brought from another tool. Read by `io::locate`, solved by `engine::locate`, written by
//! `pave locate`. The JSON Schema is `schemas/locate.schema.json`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A problem file as written.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationProblemFile {
    /// Short name used for the output folder and the solution scenario (default: file name).
    pub name: Option<String>,
    /// Title of the solution scenario.
    pub title: Option<String>,
    /// The scenario the problem starts from (relative path): city, year, service, network,
    /// parameters and the units operating. Either this or `[matrix]`.
    pub extends: Option<String>,
    /// What to solve.
    pub problem: ProblemSpecFile,
    /// Where new units may go (scenario problems that open units).
    pub candidates: Option<CandidatesFile>,
    /// A travel-time matrix from another tool instead of a scenario.
    pub matrix: Option<MatrixFile>,
}

/// The `[problem]` table.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProblemSpecFile {
    /// The kind of problem.
    pub kind: Option<LocateKind>,
    /// New units to open (p-median, coverage and p-center kinds): the solution operates the
    /// kept existing units plus this many.
    pub new_units: Option<usize>,
    /// Units operating in the solution in all (instead of `new_units`, e.g. with
    /// `existing = "optional"`).
    pub units: Option<usize>,
    /// Units to close (`closure`).
    pub close: Option<usize>,
    /// Coverage time, minutes (coverage kinds and `set-cover`; default: the scenario's
    /// `threshold_min`).
    pub cutoff_min: Option<f64>,
    /// What happens to the units operating in the scenario: `keep` (fixed open, the
    /// default), `optional` (the solver may drop them) or `none` (plan from scratch).
    pub existing: Option<Existing>,
    /// Existing units that must stay whatever `existing` says (ids).
    #[serde(default)]
    pub keep: Vec<String>,
    /// Existing units that may not be chosen (ids).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Places of each new unit per language code (fi, sv, shared …): which children it may
    /// take, and its capacity in the capacitated kinds. Default `{ shared = 60 }`.
    pub places: Option<BTreeMap<String, i64>>,
    /// Cost of opening a new unit, in child-minutes of travel per day (`facility-location`).
    pub opening_cost: Option<f64>,
    /// Cost of a child left without a place, minutes (capacitated kinds; default: the
    /// scenario's search cutoff).
    pub unserved_min: Option<f64>,
    /// Stop the search after this many seconds and report the bounds reached (default 60).
    pub time_limit_s: Option<f64>,
    /// Stop once the relative gap is at most this (default 0: prove optimality).
    pub gap: Option<f64>,
}

/// Kinds of location-allocation problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LocateKind {
    /// Least demand-weighted travel time with p units (p-mediaani).
    PMedian,
    /// p-median with places as capacities and language places.
    CapacitatedPMedian,
    /// Capacitated facility location: opening costs plus travel, any number of units.
    FacilityLocation,
    /// Most children within the coverage time with p units (MCLP).
    MaxCoverage,
    /// Most children placed within the coverage time with p units and their places.
    CapacitatedCoverage,
    /// Fewest units so that every child is within the coverage time (LSCP).
    SetCover,
    /// Least worst travel time with p units.
    PCenter,
    /// k existing units to close with the least loss in the headline KPI.
    Closure,
}

impl LocateKind {
    /// The code written in problem files.
    pub fn code(self) -> &'static str {
        match self {
            LocateKind::PMedian => "p-median",
            LocateKind::CapacitatedPMedian => "capacitated-p-median",
            LocateKind::FacilityLocation => "facility-location",
            LocateKind::MaxCoverage => "max-coverage",
            LocateKind::CapacitatedCoverage => "capacitated-coverage",
            LocateKind::SetCover => "set-cover",
            LocateKind::PCenter => "p-center",
            LocateKind::Closure => "closure",
        }
    }

    /// Whether the objective is maximised (coverage) rather than minimised.
    pub fn maximises(self) -> bool {
        matches!(self, LocateKind::MaxCoverage | LocateKind::CapacitatedCoverage)
    }

    /// Whether the number of units is given (p) rather than found.
    pub fn takes_p(self) -> bool {
        !matches!(self, LocateKind::SetCover | LocateKind::FacilityLocation | LocateKind::Closure)
    }
}

/// What happens to the units operating in the scenario.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Existing {
    /// They stay open (fixed).
    #[default]
    Keep,
    /// The solver may keep or drop each.
    Optional,
    /// They are left out: plan from scratch.
    None,
}

/// The `[candidates]` table: where new units may go.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CandidatesFile {
    /// `cells` (demand-area centres on the network), `premises` (premises of the city with
    /// a known location that house no operating unit) or `points` (a CSV file).
    pub from: Option<CandidateSource>,
    /// `cells`: at most one candidate per square of this side, metres (default 500).
    pub spacing_m: Option<f64>,
    /// `points`: CSV with `id,x,y` and optionally `name` (EPSG:3067 unless `crs`).
    pub file: Option<String>,
    /// EPSG code of the points' coordinates (3067 or 4326).
    pub crs: Option<u32>,
}

/// Where candidate sites come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CandidateSource {
    /// Demand-area centres, thinned to one per square.
    #[default]
    Cells,
    /// Premises with a known location housing no operating unit.
    Premises,
    /// Points of a CSV file.
    Points,
}

/// The `[matrix]` table: a problem on a travel-time matrix from another tool.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MatrixFile {
    /// OD table in pave's format: `origin_id,destination_id,time_s` (CSV or Parquet); a pair
    /// not listed (or with an empty time) is unreachable.
    pub od: String,
    /// Demand: CSV `id,weight` and optionally `class` (a language group code: fi, sv, other).
    pub demand: String,
    /// Sites: CSV `id` and optionally `capacity`, `opening_cost`, `accepts` (class codes
    /// separated by spaces) and `existing` (`keep`, `optional`, `exclude`).
    pub sites: String,
}

/// A problem file resolved: kind, sizes and options with defaults, paths absolute.
#[derive(Clone, Debug, PartialEq)]
pub struct LocationProblem {
    /// Short name.
    pub name: String,
    /// Title.
    pub title: String,
    /// The problem file.
    pub file: PathBuf,
    /// The scenario file it extends, if any.
    pub scenario: Option<PathBuf>,
    /// The matrix input, if any: OD table, demand and sites files.
    pub matrix: Option<(PathBuf, PathBuf, PathBuf)>,
    /// The kind.
    pub kind: LocateKind,
    /// `new_units`.
    pub new_units: Option<usize>,
    /// `units`.
    pub units: Option<usize>,
    /// `close`.
    pub close: Option<usize>,
    /// Coverage time, minutes, if set.
    pub cutoff_min: Option<f64>,
    /// Existing units' role.
    pub existing: Existing,
    /// Ids kept open.
    pub keep: Vec<String>,
    /// Ids excluded.
    pub exclude: Vec<String>,
    /// New units' places per language code.
    pub places: BTreeMap<String, i64>,
    /// Opening cost of a new unit, child-minutes.
    pub opening_cost: f64,
    /// Cost of an unplaced child, minutes (`None`: the search cutoff).
    pub unserved_min: Option<f64>,
    /// Time limit, seconds.
    pub time_limit_s: f64,
    /// Relative gap at which to stop.
    pub gap: f64,
    /// Candidate source.
    pub candidates: CandidateSource,
    /// Cell thinning, metres.
    pub spacing_m: f64,
    /// Candidate points file and its EPSG code.
    pub points: Option<(PathBuf, u32)>,
}
