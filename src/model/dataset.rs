//! One city's harmonised data, and the multi-city model built from several.

use super::demand::DemandArea;
use super::district::District;
use super::population::{LocationKind, PopulationTable};
use super::premises::Premises;
use super::profile::Years;
use super::unit::Unit;
use geo::MultiPolygon;
use std::path::PathBuf;

/// A source file the dataset was read from.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceFile {
    /// Path as given in the profile, resolved against the profile's folder.
    pub path: PathBuf,
    /// How the file numbers its records.
    pub locations: LocationKind,
}

/// One city's data in the harmonised model; every coordinate in EPSG:3067.
#[derive(Clone, Debug, Default)]
pub struct Dataset {
    /// City name.
    pub city: String,
    /// Official municipality code (kuntanumero).
    pub municipality_code: String,
    /// EPSG code of the city's own coordinate system.
    pub source_crs: u32,
    /// Files read, indexed by [`super::origin::Origin::source`].
    pub sources: Vec<SourceFile>,
    /// District level names, coarse to fine.
    pub district_levels: Vec<String>,
    /// Districts of all levels.
    pub districts: Vec<District>,
    /// Units (toimipaikat, the service locations planners move on a map).
    pub units: Vec<Unit>,
    /// Premises (tilat).
    pub premises: Vec<Premises>,
    /// Demand areas (grid cells, statistical areas).
    pub demand_areas: Vec<DemandArea>,
    /// Population, observed and forecast.
    pub population: PopulationTable,
    /// Years the profile allows.
    pub years: Option<Years>,
    /// Municipality boundary in EPSG:3067, if the profile names one.
    pub boundary: Option<MultiPolygon<f64>>,
    /// How far outside the boundary a point may lie, metres.
    pub boundary_tolerance_m: f64,
    /// Unit rows left out on purpose (service type mapped to `skip`).
    pub skipped_units: usize,
    /// Whether ids compare case-insensitively (stored in upper case).
    pub case_insensitive_ids: bool,
    /// Which places each language group may take.
    pub language_rules: super::codes::LanguageRules,
}

impl Dataset {
    /// An id as this city stores and compares it: trimmed, upper case where ids compare
    /// case-insensitively (for ids written in scenarios and requests).
    pub fn id_key(&self, id: &str) -> String {
        let t = id.trim();
        if self.case_insensitive_ids { t.to_uppercase() } else { t.to_owned() }
    }

    /// Path of source `index`, if known.
    pub fn source_path(&self, index: u16) -> Option<PathBuf> {
        self.sources.get(index as usize).map(|s| s.path.clone())
    }
}

/// Several cities in one harmonised model.
#[derive(Clone, Debug, Default)]
pub struct Model {
    /// One dataset per city, in the order given.
    pub cities: Vec<Dataset>,
}
