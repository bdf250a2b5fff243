//! JSON Schemas of the city profile and of every harmonised input table, generated from the
//! Rust types so they cannot drift (a test compares them with `schemas/`).

use super::codes::DemandAreaKind;
use super::{CityProfile, District, PopulationRecord, Premises, Unit, service};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A demand area as a harmonised table row (the shape of the exported `demand_areas` layer).
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DemandAreaRecord {
    /// Official municipality code of the city.
    pub city: String,
    /// Grid cell id (YKR / INSPIRE) or statistical area code, as in the source.
    pub id: String,
    /// What kind of area this is.
    pub kind: DemandAreaKind,
    /// Easting of the representative point, EPSG:3067.
    pub x: f64,
    /// Northing of the representative point, EPSG:3067.
    pub y: f64,
    /// District codes by level name.
    pub districts: BTreeMap<String, String>,
    /// Outline as a (Multi)Polygon in EPSG:3067: the layer geometry in GeoPackage,
    /// WKB in (Geo)Parquet.
    pub geometry: Option<String>,
}

fn pretty<T: schemars::JsonSchema>() -> String {
    let schema = schemars::schema_for!(T);
    serde_json::to_string_pretty(&schema).expect("schemas serialise") + "\n"
}

/// Every schema file of `schemas/` as (file name, content), plus the service-type catalogue.
pub fn all() -> Vec<(&'static str, String)> {
    vec![
        ("city-profile.schema.json", pretty::<CityProfile>()),
        ("unit.schema.json", pretty::<Unit>()),
        ("premises.schema.json", pretty::<Premises>()),
        ("demand-area.schema.json", pretty::<DemandAreaRecord>()),
        ("district.schema.json", pretty::<District>()),
        ("population.schema.json", pretty::<PopulationRecord>()),
        ("scenario.schema.json", pretty::<super::scenario::ScenarioFile>()),
        ("locate.schema.json", pretty::<super::locate::LocationProblemFile>()),
        (
            "service-types.json",
            serde_json::to_string_pretty(&service::catalogue()).expect("catalogue serialises") + "\n",
        ),
    ]
}
