//! Scenario files (skenaario): which city, year and service to study, how to travel, how to
//! score, and what to change — close, open, expand, change language, move units.
//!
//! A file may `extends` another: scalars and the `[network]` / `[parameters]` keys of the
//! child win, `[[change]]` lists are the parent's followed by the child's. Paths are
//! relative to the file that names them. The JSON Schema is `schemas/scenario.schema.json`.

use super::network::{Mode, NetworkSource};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use toml::Spanned;

/// One scenario file as written; every key optional so files can inherit from each other.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Short name used for output folders and comparison columns (default: file name).
    pub name: Option<String>,
    /// Title for reports, e.g. "Close two daycares in Kallio, open one in Sörnäinen".
    pub title: Option<String>,
    /// Another scenario file this one starts from (relative path).
    pub extends: Option<String>,
    /// The city profile (relative path), e.g. `../profile.toml`.
    pub profile: Option<String>,
    /// Year to study: an observed year or a forecast year of the profile (ennustevuosi).
    #[schemars(with = "Option<u16>")]
    pub year: Option<Spanned<u16>>,
    /// Service type code of the catalogue, e.g. `early_childhood_education` (varhaiskasvatus).
    #[schemars(with = "Option<String>")]
    pub service: Option<Spanned<String>>,
    /// Ages served [first, last]; default: the service type's ages in the catalogue.
    #[schemars(with = "Option<[u8; 2]>")]
    pub ages: Option<Spanned<[u8; 2]>>,
    /// Travel network.
    #[serde(default)]
    pub network: NetworkSpecFile,
    /// Scoring parameters.
    #[serde(default)]
    pub parameters: ParametersFile,
    /// Modifications, applied in order.
    #[serde(default)]
    #[schemars(with = "Vec<Change>")]
    pub change: Vec<Spanned<Change>>,
}

/// The `[network]` table: where the graph comes from and how points attach to it.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkSpecFile {
    /// OpenStreetMap PBF extract, built for `mode` on the fly.
    pub osm: Option<String>,
    /// Road line layer (GeoPackage), built for `mode` with `mapping`.
    pub lines: Option<String>,
    /// Layer of `lines` when the GeoPackage has several.
    pub layer: Option<String>,
    /// Field mapping of `lines`: `digiroad` (built in, the default) or a TOML file
    /// (`schemas/line-mapping.schema.json`).
    pub mapping: Option<String>,
    /// Interchange network `["nodes.csv", "edges.csv"]` with its own travel times, as
    /// `pave network build --csv` takes it.
    pub csv: Option<[String; 2]>,
    /// EPSG code of the `csv` node coordinates (default 3067).
    pub crs: Option<u32>,
    /// A network file from `pave network build` (its own mode).
    pub file: Option<String>,
    /// Travel mode of `osm` and `lines` networks: walk, bike or car.
    pub mode: Option<Mode>,
    /// Walking speed, m/s (1.2), for walk networks and the walk to the network.
    pub walk_speed_mps: Option<f64>,
    /// Cycling speed, m/s (4.2).
    pub bike_speed_mps: Option<f64>,
    /// Points farther from the network than this (metres) are reported, not routed (500).
    pub max_snap_m: Option<f64>,
}

/// Distance decay of the gravity index.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "function", rename_all = "snake_case", deny_unknown_fields)]
pub enum Decay {
    /// `max(0, 1 - t / cutoff_min)`.
    Linear {
        /// Minutes at which the weight reaches 0.
        cutoff_min: f64,
    },
    /// `(max(t, 1 min) / 1 min)^-exponent`.
    Power {
        /// Exponent (> 0).
        exponent: f64,
    },
    /// `exp(-ln 2 · t / half_life_min)`.
    Exponential {
        /// Minutes at which the weight halves.
        half_life_min: f64,
    },
}

/// Allocation rule used for the headline figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Each child to the nearest unit with room, nearest first (lähipäiväkotiperiaate).
    NearestWithVacancy,
    /// Least total travel time under capacities (the exact optimum).
    SystemOptimum,
}

impl Rule {
    /// The code written in files (`nearest_with_vacancy`, `system_optimum`).
    pub fn code(self) -> &'static str {
        match self {
            Rule::NearestWithVacancy => "nearest_with_vacancy",
            Rule::SystemOptimum => "system_optimum",
        }
    }

    /// A name for people.
    pub fn label(self) -> &'static str {
        match self {
            Rule::NearestWithVacancy => "nearest unit with room (the city's rule)",
            Rule::SystemOptimum => "system optimum (most children served, then least total travel)",
        }
    }
}

/// The `[parameters]` table as written.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParametersFile {
    /// The "within" indicator, minutes (Helsinki: 80 % of children within 16 min).
    pub threshold_min: Option<f64>,
    /// Target share for the indicator, e.g. 0.8.
    pub target_share: Option<f64>,
    /// A distance indicator too: share within this network distance, metres (e.g. 1000).
    pub threshold_m: Option<f64>,
    /// Travel longer than this is not an offer, minutes (60).
    pub search_cutoff_min: Option<f64>,
    /// Share of the children of the served ages who take part (osallistumisaste), 0–1 (1).
    pub participation: Option<f64>,
    /// How many nearest units to list per cell (3).
    pub k_nearest: Option<usize>,
    /// Catchment of the cumulative index and 2SFCA, minutes (default: threshold_min).
    pub catchment_min: Option<f64>,
    /// E2SFCA travel-time bands, minutes, ascending (default 5, 10, catchment).
    pub e2sfca_bands_min: Option<Vec<f64>>,
    /// E2SFCA weight of each band (default 1.0, 0.68, 0.22).
    pub e2sfca_weights: Option<Vec<f64>>,
    /// Gravity decay (default exponential, half-life 10 min).
    pub decay: Option<Decay>,
    /// Rule behind the headline KPIs (both rules are always computed).
    pub allocation: Option<Rule>,
    /// A unit is under-used below this utilisation (0.85).
    pub under_used_below: Option<f64>,
    /// A unit is over-used above this utilisation (1.0) by its nearest-unit catchment.
    pub over_used_above: Option<f64>,
    /// District level of the district summary (default: the profile's finest level).
    pub district_level: Option<String>,
    /// Study only the children of these districts (codes at `district_level`); units
    /// anywhere still serve them.
    pub study_districts: Option<Vec<String>>,
}

/// What a modification does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Close a unit (lakkautus).
    Close,
    /// Open a new unit at a point or in existing premises.
    Open,
    /// Set the places of the listed languages (others unchanged).
    Capacity,
    /// Add (or with negative numbers remove) places per language (laajennus).
    Expand,
    /// Turn all of a unit's places into one service language.
    Language,
    /// Move a unit to a point or into other premises.
    Move,
}

impl Action {
    /// The code written in scenario files.
    pub fn code(self) -> &'static str {
        match self {
            Action::Close => "close",
            Action::Open => "open",
            Action::Capacity => "capacity",
            Action::Expand => "expand",
            Action::Language => "language",
            Action::Move => "move",
        }
    }
}

/// One `[[change]]` entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// What to do.
    pub action: Action,
    /// The unit's id (toimipaikan tunnus); for `open` a new, unused id.
    pub unit: String,
    /// Name of a new unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Location [x, y] in `crs` (default: the profile's coordinate system).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<[f64; 2]>,
    /// EPSG code of `at`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crs: Option<u32>,
    /// Premises id (tila) whose location a new or moved unit takes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub premises: Option<String>,
    /// Places per language code (fi, sv, en, se, shared): `open` and `capacity`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub places: Option<BTreeMap<String, i64>>,
    /// Places to add per language code: `expand`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add: Option<BTreeMap<String, i64>>,
    /// Target service language: `language`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

impl Change {
    /// A `close` change of `unit`.
    pub fn close(unit: &str) -> Self {
        Change {
            action: Action::Close,
            unit: unit.to_owned(),
            name: None,
            at: None,
            crs: None,
            premises: None,
            places: None,
            add: None,
            to: None,
        }
    }
}

/// Parameters with defaults applied.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Parameters {
    /// The "within" indicator, minutes.
    pub threshold_min: f64,
    /// Target share for the indicator.
    pub target_share: f64,
    /// Distance threshold, metres, if any.
    pub threshold_m: Option<f64>,
    /// Travel beyond this is not an offer, minutes.
    pub search_cutoff_min: f64,
    /// Share of children who take part.
    pub participation: f64,
    /// Nearest units listed per cell.
    pub k_nearest: usize,
    /// Catchment of cumulative and 2SFCA indices, minutes.
    pub catchment_min: f64,
    /// E2SFCA band limits, minutes.
    pub e2sfca_bands_min: Vec<f64>,
    /// E2SFCA band weights.
    pub e2sfca_weights: Vec<f64>,
    /// Gravity decay.
    pub decay: Decay,
    /// Headline rule.
    pub allocation: Rule,
    /// Under-use limit.
    pub under_used_below: f64,
    /// Over-use limit.
    pub over_used_above: f64,
    /// District level of the summary (`None`: the finest level of the profile).
    pub district_level: Option<String>,
    /// Districts studied (`None`: the whole city).
    pub study_districts: Option<Vec<String>>,
}

impl Parameters {
    /// The district level of the summary: the one declared, else the finest level of the
    /// city's profile (`levels` from coarsest to finest); empty if the profile has none.
    pub fn district_level_in(&self, levels: &[String]) -> String {
        self.district_level.clone().or_else(|| levels.last().cloned()).unwrap_or_default()
    }
}

/// Where a key of a scenario was written: the file and 1-based line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyOrigin {
    /// The scenario file.
    pub file: PathBuf,
    /// Line of the key.
    pub line: u64,
}

/// A scenario after inheritance, with defaults applied and paths resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Short name.
    pub name: String,
    /// Report title.
    pub title: String,
    /// Files read, the scenario's own first, then what it extends.
    pub files: Vec<PathBuf>,
    /// City profile.
    pub profile: PathBuf,
    /// Year studied and where it was set.
    pub year: (u16, KeyOrigin),
    /// Service type code and where it was set.
    pub service: (String, KeyOrigin),
    /// Ages served, if set (else the catalogue's).
    pub ages: Option<([u8; 2], KeyOrigin)>,
    /// Network source.
    pub network: NetworkSource,
    /// Travel mode (for OSM and line sources; `custom` for sources with their own times).
    pub mode: Mode,
    /// Walking and cycling speeds (m/s) for OSM and line sources.
    pub speeds: (f64, f64),
    /// Snap limit, metres.
    pub max_snap_m: f64,
    /// Scoring parameters.
    pub parameters: Parameters,
    /// Modifications in order, each with where it was written.
    pub changes: Vec<(Change, KeyOrigin)>,
}
