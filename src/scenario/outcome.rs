//! What scoring a scenario produces: results per demand area, per unit and per district,
//! distribution and premises figures, and the indicators of both allocation rules. Unit
//! references are indices into [`Outcome::active`] (operating units, in plan order).

use super::apply::UnitPlan;
use crate::analysis::kpi::{Placement, Summary};
use crate::network::Cost;
use serde::{Deserialize, Serialize};

/// Allocation runs on hundredths of a child so expected values are kept exactly.
pub const SCALE: f64 = 100.0;

/// Results for one demand area.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CellResult {
    /// Children by language group (after participation).
    pub children: [f64; 4],
    /// Nearest operating unit of any language: (time, active unit index).
    pub nearest: Option<(Cost, u32)>,
    /// Network distance to that unit, metres.
    pub nearest_m: Option<f64>,
    /// The k nearest operating units.
    pub k_nearest: Vec<(Cost, u32)>,
    /// Unit taking most of the area's children (summed over language groups) under the
    /// headline rule; ties go to the lower unit index.
    pub allocated: Option<u32>,
    /// Mean travel of the area's served children, minutes.
    pub mean_min: Option<f64>,
    /// Mean network distance of the area's served children, metres.
    pub mean_m: Option<f64>,
    /// Unserved children.
    pub unserved: f64,
    /// Unit taking most of the area's children (summed over language groups) by the
    /// nearest-with-vacancy rule; ties go to the lower unit index.
    pub rule_unit: Option<u32>,
    /// The same in the system optimum.
    pub optimum_unit: Option<u32>,
    /// Places within the catchment time.
    pub cumulative: f64,
    /// Gravity index.
    pub gravity: f64,
    /// 2SFCA places per child.
    pub sfca: f64,
    /// E2SFCA places per child.
    pub e2sfca: f64,
}

/// Results for one operating unit.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct UnitResult {
    /// Children placed by the nearest-with-vacancy rule.
    pub placed_rule: f64,
    /// Children placed in the system optimum.
    pub placed_optimum: f64,
    /// Placed (headline rule) / places.
    pub utilisation: Option<f64>,
    /// Children whose nearest unit with places their language group may take this is
    /// (catchment; ties go to the lower unit index).
    pub catchment_children: f64,
    /// Catchment children by age, first served age first.
    pub catchment_by_age: Vec<f64>,
    /// Catchment children / places: demand pressure.
    pub pressure: Option<f64>,
    /// District (summary level) the unit lies in, by the nearest demand area.
    pub district: Option<String>,
    /// Annual premises cost per place, euros.
    pub cost_per_place_eur: Option<f64>,
    /// Floor area per placed child, m².
    pub floor_m2_per_child: Option<f64>,
    /// Repair debt of the premises, euros.
    pub repair_debt_eur: Option<f64>,
}

/// One row of the district summary.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DistrictRow {
    /// District code.
    pub code: String,
    /// District name (Finnish).
    pub name: String,
    /// Indicators of the district's children (headline rule).
    pub kpi: Summary,
    /// Places of the operating units in the district.
    pub places: f64,
    /// Children-weighted mean 2SFCA.
    pub mean_sfca: Option<f64>,
}

/// Distribution figures (tasa-arvo).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Equity {
    /// Travel of served children, minutes: p10, p25, p50, p75, p90.
    pub travel_percentiles_min: Vec<Option<f64>>,
    /// 2SFCA over children: p10, p25, p50, p75, p90.
    pub sfca_percentiles: Vec<Option<f64>>,
    /// Gini of 2SFCA over children.
    pub sfca_gini: Option<f64>,
    /// Gini of travel over served children.
    pub travel_gini: Option<f64>,
    /// Share of children in areas with fewer places per child (2SFCA) than the participation.
    pub undersupplied_share: Option<f64>,
}

/// Premises figures of the scenario's units by what the scenario does to them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PremisesSummary {
    /// Repair debt of units kept as they are, euros.
    pub repair_debt_kept_eur: f64,
    /// Repair debt of units resized, re-languaged or moved, euros.
    pub repair_debt_changed_eur: f64,
    /// Repair debt of units closed, euros.
    pub repair_debt_closed_eur: f64,
    /// Annual premises cost of operating units, euros.
    pub annual_cost_eur: f64,
    /// Annual premises cost per place of operating units, euros.
    pub cost_per_place_eur: Option<f64>,
}

/// Everything computed for one scenario.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// Every unit with its scenario status, incl. closed ones.
    pub plans: Vec<UnitPlan>,
    /// Indices into `plans` of operating units (the columns of the matrix).
    pub active: Vec<usize>,
    /// Per demand area.
    pub cells: Vec<CellResult>,
    /// Per operating unit.
    pub units: Vec<UnitResult>,
    /// Placements of the headline rule.
    pub placements: Vec<Placement>,
    /// Placements of the other rule.
    pub other_placements: Vec<Placement>,
    /// City indicators by the nearest-with-vacancy rule.
    pub rule: Summary,
    /// City indicators of the system optimum.
    pub optimum: Summary,
    /// Headline indicators by language group (name, summary).
    pub by_language: Vec<(String, Summary)>,
    /// District summary.
    pub districts: Vec<DistrictRow>,
    /// District level of the summary.
    pub district_level: String,
    /// Distribution figures.
    pub equity: Equity,
    /// Premises figures.
    pub premises: PremisesSummary,
    /// Units above the over-use limit by catchment pressure.
    pub over_used: Vec<String>,
    /// Units below the under-use limit.
    pub under_used: Vec<String>,
    /// Children (after participation).
    pub children: f64,
    /// Total travel of the children the nearest-with-vacancy rule serves, minutes.
    pub rule_child_minutes: f64,
    /// The least total travel that places exactly those children (per demand area and
    /// language group) under the same capacities and language rules, minutes.
    pub same_children_optimum_child_minutes: f64,
    /// Places of operating units that no language group may take.
    pub unusable: Vec<super::kpis::UnusablePlaces>,
}
