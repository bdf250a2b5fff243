//! City profile (kaupunkiprofiili): how one city's own files map into the harmonised model.
//!
//! A profile is a TOML file next to the city's data. It names the source CRS, the files per
//! entity, their column names, the city's code lists and the CSV dialect. Paths are relative
//! to the profile. `schemas/city-profile.schema.json` is generated from these types.

use super::codes::{DemandAreaKind, PopulationKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The whole city profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CityProfile {
    /// City name, e.g. `Helsinki`.
    pub city: String,
    /// Official municipality code (kuntanumero), three digits, e.g. `091`.
    pub municipality_code: String,
    /// EPSG code of the city's own coordinate system, used for files that declare none
    /// (Helsinki 3879, Turku 3877, Kuopio 3881; 3067 and 4326 are also accepted).
    pub crs: u32,
    /// Municipality boundary (GeoJSON or GeoPackage) used to check that points lie in the city.
    pub boundary: Option<String>,
    /// How far outside `boundary` a point may lie, in metres (boundaries are generalised).
    #[serde(default = "default_boundary_tolerance")]
    pub boundary_tolerance_m: f64,
    /// Default CSV dialect of the city's files.
    #[serde(default)]
    pub csv: CsvDialect,
    /// Years the population data may cover.
    pub years: Years,
    /// District hierarchy (piirijako), coarse to fine, and its code file.
    pub districts: Option<DistrictSource>,
    /// The city's own codes mapped to harmonised codes.
    #[serde(default)]
    pub codes: CodeMaps,
    /// Files of units (toimipaikat, service locations); `facilities` is accepted too.
    #[serde(default, alias = "facilities")]
    pub units: Vec<UnitSource>,
    /// Files of premises (tilat).
    #[serde(default)]
    pub premises: Vec<PremisesSource>,
    /// Files of demand areas (grid cells or statistical areas).
    #[serde(default)]
    pub demand_areas: Vec<DemandAreaSource>,
    /// Files of population, observed or forecast.
    #[serde(default)]
    pub population: Vec<PopulationSource>,
    /// Compare ids and codes case-insensitively (`HKI-1` = `hki-1`); they are then stored in
    /// upper case. Ids are always compared without surrounding whitespace.
    #[serde(default)]
    pub case_insensitive_ids: bool,
    /// Which places each language group may take (default: Finnish and Swedish speakers
    /// their own language, everyone else Finnish; shared places are open to all).
    #[serde(default)]
    pub language_rules: super::codes::LanguageRules,
}

fn default_boundary_tolerance() -> f64 {
    2000.0
}

/// CSV dialect: delimiter, decimal separator and text encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CsvDialect {
    /// Field delimiter: `,` or `;` (Finnish Excel writes `;`).
    #[serde(default = "default_delimiter")]
    pub delimiter: char,
    /// Decimal separator: `.` or `,` (Finnish Excel writes `,`).
    #[serde(default = "default_decimal")]
    pub decimal: char,
    /// Text encoding; a UTF-8 byte-order mark is always accepted.
    #[serde(default)]
    pub encoding: Encoding,
}

fn default_delimiter() -> char {
    ','
}

fn default_decimal() -> char {
    '.'
}

impl Default for CsvDialect {
    fn default() -> Self {
        CsvDialect { delimiter: ',', decimal: '.', encoding: Encoding::Utf8 }
    }
}

impl CsvDialect {
    /// Finnish Excel's dialect: semicolon, decimal comma, UTF-8.
    pub fn finnish_excel() -> Self {
        CsvDialect { delimiter: ';', decimal: ',', encoding: Encoding::Utf8 }
    }
}

/// Text encoding of a CSV file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark.
    #[default]
    #[serde(rename = "utf-8")]
    Utf8,
    /// Windows-1252 (what older Excel on Windows writes).
    #[serde(rename = "windows-1252")]
    Windows1252,
}

/// Inclusive year ranges the population data may cover.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Years {
    /// First and last year of observed population, e.g. `[2020, 2024]`.
    pub observed: Option<[u16; 2]>,
    /// First and last year of the population forecast (ennuste), e.g. `[2025, 2035]`.
    pub forecast: Option<[u16; 2]>,
}

/// The city's own codes mapped to harmonised codes, one table per code list.
///
/// A value that is already a harmonised code needs no entry. For `service_type`, the
/// value `skip` leaves rows with that code out of the model (e.g. universities in OSM data).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeMaps {
    /// City service-type code → harmonised service type code, or `skip`.
    #[serde(default)]
    pub service_type: BTreeMap<String, String>,
    /// City status code → `active`, `planned`, `closing`, `closed`.
    #[serde(default)]
    pub status: BTreeMap<String, String>,
    /// City operator code → `municipal`, `private`, `purchased`.
    #[serde(default)]
    pub operator: BTreeMap<String, String>,
    /// City language code → `fi`, `sv`, `en`, `se`.
    #[serde(default)]
    pub language: BTreeMap<String, String>,
    /// City tenure code → `owned`, `leased`.
    #[serde(default)]
    pub tenure: BTreeMap<String, String>,
    /// City condition code → class `1` (poor) … `5` (excellent).
    #[serde(default)]
    pub condition_class: BTreeMap<String, String>,
    /// City language-group code of population rows → `all`, `fi`, `sv`, `other`.
    #[serde(default)]
    pub language_group: BTreeMap<String, String>,
    /// City code for observed / forecast population rows → `observed`, `forecast`.
    #[serde(default)]
    pub population_kind: BTreeMap<String, String>,
}

/// The district hierarchy and the file listing its districts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DistrictSource {
    /// Level names from coarse to fine, e.g. `["suurpiiri", "peruspiiri", "osa-alue"]`.
    pub levels: Vec<String>,
    /// File of districts (CSV, GeoPackage, GeoJSON or Parquet), relative to the profile.
    pub path: String,
    /// Layer name for GeoPackage files with several layers.
    pub layer: Option<String>,
    /// CSV dialect of this file, if it differs from the profile's.
    pub csv: Option<CsvDialect>,
    /// Column names.
    #[serde(default)]
    pub columns: DistrictColumns,
}

/// Column names of a district file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DistrictColumns {
    /// District code.
    pub code: String,
    /// Level name (one of `levels`).
    pub level: String,
    /// Finnish name.
    pub name_fi: String,
    /// Swedish name, optional.
    pub name_sv: Option<String>,
    /// Code of the parent district, optional.
    pub parent: Option<String>,
}

impl Default for DistrictColumns {
    fn default() -> Self {
        DistrictColumns {
            code: "code".into(),
            level: "level".into(),
            name_fi: "name_fi".into(),
            name_sv: None,
            parent: None,
        }
    }
}

/// A file of service locations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitSource {
    /// File (CSV, GeoPackage, GeoJSON or Parquet), relative to the profile.
    pub path: String,
    /// Layer name for GeoPackage files with several layers.
    pub layer: Option<String>,
    /// EPSG code of the coordinates if it differs from the profile's (GeoPackage and
    /// GeoJSON declare their own).
    pub crs: Option<u32>,
    /// CSV dialect of this file, if it differs from the profile's.
    pub csv: Option<CsvDialect>,
    /// Column names.
    #[serde(default)]
    pub columns: UnitColumns,
    /// What the total (`columns.capacity`) means when places by language are mapped too:
    /// required then, so places are never counted twice.
    pub capacity_total: Option<CapacityTotal>,
    /// Values used where the file has no column for a field.
    #[serde(default)]
    pub defaults: UnitDefaults,
}

/// What a unit file's total places mean beside its places by language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CapacityTotal {
    /// The total is the sum of the language columns (incl. a `shared` column); checked row
    /// by row, and the places are those of the language columns.
    Sum,
    /// The language columns are places reserved for a language; the rest of the total is
    /// shared by all the unit's languages (`shared = total − Σ languages`, never < 0).
    RestIsShared,
}

/// Column names of a unit file; `None` means the file has no such column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct UnitColumns {
    /// Unit id.
    pub id: String,
    /// Finnish name.
    pub name_fi: String,
    /// Swedish name.
    pub name_sv: Option<String>,
    /// Service type code (mapped through `codes.service_type`).
    pub service_type: Option<String>,
    /// Easting column for CSV and Parquet files (GeoPackage / GeoJSON use the geometry).
    pub x: Option<String>,
    /// Northing column for CSV and Parquet files.
    pub y: Option<String>,
    /// Total places when the file does not split them by language.
    pub capacity: Option<String>,
    /// Places by language, e.g. `{ fi = "paikat_fi", sv = "paikat_sv" }`; the key `shared`
    /// maps places open to every language group.
    pub capacity_by_language: BTreeMap<String, String>,
    /// Status code (mapped through `codes.status`).
    pub status: Option<String>,
    /// Opening year.
    pub opening_year: Option<String>,
    /// Closing year.
    pub closing_year: Option<String>,
    /// Operator code (mapped through `codes.operator`).
    pub operator: Option<String>,
    /// Service language(s), several separated by `,`, `/`, `;` or `+`.
    pub languages: Option<String>,
    /// Premises id.
    pub premises_id: Option<String>,
    /// District code columns by level name, e.g. `{ peruspiiri = "pp_koodi" }`.
    pub districts: BTreeMap<String, String>,
}

impl Default for UnitColumns {
    fn default() -> Self {
        UnitColumns {
            id: "id".into(),
            name_fi: "name_fi".into(),
            name_sv: None,
            service_type: Some("service_type".into()),
            x: None,
            y: None,
            capacity: None,
            capacity_by_language: BTreeMap::new(),
            status: None,
            opening_year: None,
            closing_year: None,
            operator: None,
            languages: None,
            premises_id: None,
            districts: BTreeMap::new(),
        }
    }
}

/// Values for fields that a unit file has no column for.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitDefaults {
    /// Harmonised service type of every row.
    pub service_type: Option<String>,
    /// Harmonised status (default `active`).
    pub status: Option<String>,
    /// Harmonised operator (default `municipal`).
    pub operator: Option<String>,
    /// Harmonised service languages (default `["fi"]`).
    pub languages: Option<Vec<String>>,
}

/// A file of premises.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PremisesSource {
    /// File, relative to the profile.
    pub path: String,
    /// Layer name for GeoPackage files.
    pub layer: Option<String>,
    /// CSV dialect of this file, if it differs from the profile's.
    pub csv: Option<CsvDialect>,
    /// Column names.
    #[serde(default)]
    pub columns: PremisesColumns,
}

/// Column names of a premises file; `None` means the file has no such column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PremisesColumns {
    /// Premises id.
    pub id: String,
    /// Permanent building id (VTJ-PRT).
    pub building_id: Option<String>,
    /// Street address.
    pub address: Option<String>,
    /// Floor area, m².
    pub floor_area_m2: Option<String>,
    /// Condition code (mapped through `codes.condition_class`).
    pub condition_class: Option<String>,
    /// Annual cost, €.
    pub annual_cost_eur: Option<String>,
    /// Repair debt, €.
    pub repair_debt_eur: Option<String>,
    /// Tenure code (mapped through `codes.tenure`).
    pub tenure: Option<String>,
    /// Last year of the lease.
    pub lease_end_year: Option<String>,
}

impl Default for PremisesColumns {
    fn default() -> Self {
        PremisesColumns {
            id: "id".into(),
            building_id: None,
            address: None,
            floor_area_m2: None,
            condition_class: None,
            annual_cost_eur: None,
            repair_debt_eur: None,
            tenure: None,
            lease_end_year: None,
        }
    }
}

/// Where a demand area's outline comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum GeometryFrom {
    /// The layer's own polygons (GeoPackage, GeoJSON).
    #[default]
    #[serde(rename = "layer")]
    Layer,
    /// Derived from an INSPIRE grid id such as `CRS3067RES250mN6672000E385000`.
    #[serde(rename = "inspire_id")]
    InspireId,
}

/// A file of demand areas.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DemandAreaSource {
    /// File, relative to the profile.
    pub path: String,
    /// Layer name for GeoPackage files.
    pub layer: Option<String>,
    /// EPSG code if it differs from the profile's and the file declares none.
    pub crs: Option<u32>,
    /// CSV dialect of this file, if it differs from the profile's.
    pub csv: Option<CsvDialect>,
    /// What kind of areas the file holds.
    pub kind: DemandAreaKind,
    /// Where the outline comes from.
    #[serde(default)]
    pub geometry: GeometryFrom,
    /// Column names.
    #[serde(default)]
    pub columns: DemandAreaColumns,
    /// A key table giving each area its district codes, when the area file has none.
    pub district_lookup: Option<DistrictLookup>,
}

/// A key table from area id to district codes (e.g. a grid-cell → osa-alue key).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DistrictLookup {
    /// File, relative to the profile.
    pub path: String,
    /// CSV dialect of this file, if it differs from the profile's.
    pub csv: Option<CsvDialect>,
    /// Column holding the area id.
    pub id: String,
    /// District code columns by level name.
    pub districts: BTreeMap<String, String>,
}

/// Column names of a demand-area file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DemandAreaColumns {
    /// Area id (grid cell id or area code); kept as the harmonised id.
    pub id: String,
    /// District code columns by level name.
    pub districts: BTreeMap<String, String>,
}

impl Default for DemandAreaColumns {
    fn default() -> Self {
        DemandAreaColumns { id: "id".into(), districts: BTreeMap::new() }
    }
}

/// A file of population figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PopulationSource {
    /// File, relative to the profile.
    pub path: String,
    /// Layer name for GeoPackage files.
    pub layer: Option<String>,
    /// CSV dialect of this file, if it differs from the profile's.
    pub csv: Option<CsvDialect>,
    /// Area level the rows refer to: `demand_area` or one of the district levels.
    pub level: String,
    /// Observed or forecast, when the file has no kind column.
    pub kind: Option<PopulationKind>,
    /// Year of every row, when the file has no year column.
    pub year: Option<u16>,
    /// Values that mark a suppressed figure, e.g. `["-1", ".."]` (empty cells always do).
    #[serde(default)]
    pub suppressed_values: Vec<String>,
    /// Column names.
    #[serde(default)]
    pub columns: PopulationColumns,
}

/// Column names of a population file, long or wide.
///
/// Long: one row per area × year × age band with a count column. Wide: one row per area
/// with one count column per age band, listed in `bands` as `column = "band"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PopulationColumns {
    /// Area id or district code.
    pub area: String,
    /// Year column.
    pub year: Option<String>,
    /// Single-year age column.
    pub age: Option<String>,
    /// Age band column with values like `0-9`, `65+`.
    pub age_band: Option<String>,
    /// Youngest-age column of a band.
    pub age_min: Option<String>,
    /// Oldest-age column of a band.
    pub age_max: Option<String>,
    /// Count column (long layout).
    pub count: Option<String>,
    /// Observed/forecast code column (mapped through `codes.population_kind`).
    pub kind: Option<String>,
    /// Language-group column (mapped through `codes.language_group`).
    pub language_group: Option<String>,
    /// Wide layout: count column → age band, e.g. `{ ika_0_9 = "0-9", ika_65_ = "65+" }`.
    pub bands: BTreeMap<String, String>,
}

impl Default for PopulationColumns {
    fn default() -> Self {
        PopulationColumns {
            area: "area_id".into(),
            year: Some("year".into()),
            age: None,
            age_band: None,
            age_min: Some("age_min".into()),
            age_max: Some("age_max".into()),
            count: Some("count".into()),
            kind: None,
            language_group: None,
            bands: BTreeMap::new(),
        }
    }
}
