//! Service locations (toimipaikka / toimipiste): the units planners move on a map.

use super::codes::{Language, Operator, Status};
use super::id::{DistrictCode, PremisesId, UnitId};
use super::origin::Origin;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Places of one service language at a unit, or places shared by all its languages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Capacity {
    /// Language of the places; `None` when the source gives one total for the whole unit.
    pub language: Option<Language>,
    /// Number of places (paikkaluku), always > 0.
    pub places: u32,
}

/// A service location (toimipaikka): one point on the map offering one service type.
///
/// A service (palvelu) is provided by an operating unit (toimintayksikkö) at one or more
/// service locations, each housed in premises (tila) in a building (rakennus).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Unit {
    /// Official municipality code of the city (kuntanumero), e.g. `091` for Helsinki.
    pub city: String,
    /// The city's own id of the unit.
    pub id: UnitId,
    /// Name in Finnish.
    pub name_fi: String,
    /// Name in Swedish, where the unit has one.
    pub name_sv: Option<String>,
    /// Harmonised service type code (see `schemas/service-types.json`).
    pub service_type: String,
    /// Easting in EPSG:3067 (ETRS-TM35FIN), metres.
    pub x: f64,
    /// Northing in EPSG:3067 (ETRS-TM35FIN), metres.
    pub y: f64,
    /// Places by service language; empty when the source has no capacity (e.g. OSM data).
    pub capacity: Vec<Capacity>,
    /// Life-cycle status.
    pub status: Status,
    /// Year the unit opened or opens.
    pub opening_year: Option<u16>,
    /// Year the unit closes or closed.
    pub closing_year: Option<u16>,
    /// Who runs the unit.
    pub operator: Operator,
    /// Service languages (palvelukielet), at least one.
    pub languages: Vec<Language>,
    /// Premises (tila) that house the unit.
    pub premises_id: Option<PremisesId>,
    /// District codes by level name, e.g. `peruspiiri → 101`.
    pub districts: BTreeMap<String, DistrictCode>,
    /// Source file and row, for messages.
    #[serde(skip)]
    #[schemars(skip)]
    pub origin: Option<Origin>,
}

impl Unit {
    /// Total places over all languages.
    pub fn total_places(&self) -> u32 {
        self.capacity.iter().map(|c| c.places).sum()
    }

    /// Places available to `language`: its own places plus places shared by all languages.
    pub fn places_for(&self, language: Language) -> u32 {
        self.capacity.iter().filter(|c| c.language.is_none_or(|l| l == language)).map(|c| c.places).sum()
    }

    /// Whether the unit is in operation in `year` according to its status and years.
    pub fn operates_in(&self, year: u16) -> bool {
        let opened = self.opening_year.is_none_or(|y| y <= year);
        let not_closed = self.closing_year.is_none_or(|y| year < y);
        match self.status {
            Status::Active | Status::Closing => opened && not_closed,
            Status::Planned => self.opening_year.is_some_and(|y| y <= year) && not_closed,
            Status::Closed => false,
        }
    }
}
