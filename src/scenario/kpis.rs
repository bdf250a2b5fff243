//! The KPI document of one scenario (`kpis.json`): one typed struct that `pave run`
//! serialises and `pave compare` (and the workspace) deserialise, so a renamed field is a
//! compile error, never a silently blank comparison row.

use super::outcome::{Equity, Outcome, PremisesSummary};
use crate::analysis::kpi::Summary;
use crate::model::scenario::{Parameters, Rule, Scenario};
use serde::{Deserialize, Serialize};

/// What a scenario was computed from: pave version, every input file with its hash, all
/// parameters and changes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// pave version that computed the results.
    pub pave_version: String,
    /// Scenario name.
    pub scenario: String,
    /// Scenario title.
    pub title: String,
    /// City name.
    pub city: String,
    /// Year studied.
    pub year: u16,
    /// Service type code.
    pub service: String,
    /// Ages served, when the scenario sets them (else the catalogue's).
    pub ages: Option<[u8; 2]>,
    /// Travel mode of the network (`custom` for networks with their own times).
    pub mode: String,
    /// The network's own description (source files and mode).
    pub network: String,
    /// Snap limit, metres.
    pub max_snap_m: f64,
    /// Parameters with defaults applied.
    pub parameters: Parameters,
    /// Changes in order, with where each was written.
    pub changes: Vec<ChangeRecord>,
    /// How the demand was made.
    pub demand: String,
    /// Every input file with its hash.
    pub inputs: Vec<InputFile>,
}

/// One change of a scenario, as provenance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangeRecord {
    /// What it does (close, open, capacity, expand, language, move).
    pub action: String,
    /// The unit.
    pub unit: String,
    /// The scenario file.
    pub file: String,
    /// Line of the change.
    pub line: u64,
}

/// One input file and its hash.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InputFile {
    /// Path as given.
    pub path: String,
    /// `fnv1a64:<hex>` of its bytes (identity, not security), or `unreadable`.
    pub hash: String,
}

/// FNV-1a 64-bit hash of bytes as `fnv1a64:<hex>` (identity of inputs, not security).
pub fn fnv1a64(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("fnv1a64:{h:016x}")
}

/// [`fnv1a64`] of a file's bytes, or `unreadable`.
pub fn file_hash(path: &std::path::Path) -> String {
    std::fs::read(path).map_or_else(|_| "unreadable".to_owned(), |bytes| fnv1a64(&bytes))
}

impl Provenance {
    /// Provenance of a scenario run on `network` with the demand made by `demand_method`.
    pub fn new(
        scenario: &Scenario,
        data: &crate::model::Dataset,
        network: &crate::network::Network,
        demand_method: &str,
    ) -> Self {
        let mut inputs: Vec<std::path::PathBuf> = scenario.files.clone();
        inputs.push(scenario.profile.clone());
        inputs.extend(data.sources.iter().map(|s| s.path.clone()));
        inputs.extend(scenario.network.files());
        inputs.dedup();
        Provenance {
            pave_version: env!("CARGO_PKG_VERSION").to_owned(),
            scenario: scenario.name.clone(),
            title: scenario.title.clone(),
            city: data.city.clone(),
            year: scenario.year.0,
            service: scenario.service.0.clone(),
            ages: scenario.ages.as_ref().map(|a| a.0),
            mode: network.meta.mode.name().to_owned(),
            network: network.meta.source.clone(),
            max_snap_m: scenario.max_snap_m,
            parameters: scenario.parameters.clone(),
            changes: scenario
                .changes
                .iter()
                .map(|(c, at)| ChangeRecord {
                    action: c.action.code().to_owned(),
                    unit: c.unit.clone(),
                    file: at.file.display().to_string(),
                    line: at.line,
                })
                .collect(),
            demand: demand_method.to_owned(),
            inputs: inputs.iter().map(|p| InputFile { path: p.display().to_string(), hash: file_hash(p) }).collect(),
        }
    }

    /// One-line JSON for table metadata (Parquet key-value, GeoPackage description).
    pub fn text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Indicators by language group (kieliryhmä); groups without children are absent.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ByLanguage {
    /// Finnish speakers.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fi: Option<Summary>,
    /// Swedish speakers.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sv: Option<Summary>,
    /// Speakers of other languages.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub other: Option<Summary>,
    /// Children without a language breakdown.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub all: Option<Summary>,
}

/// The two allocation rules side by side.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RuleVsOptimum {
    /// Children the system optimum serves beyond the rule (≥ 0).
    pub served_difference: f64,
    /// Total travel of the children the rule serves, minutes.
    pub child_minutes_rule: f64,
    /// The least total travel placing exactly those children (per area and language group)
    /// under the same places and language rules, minutes.
    pub child_minutes_same_children_optimum: f64,
    /// `child_minutes_rule − child_minutes_same_children_optimum` (≥ 0): what the rule's
    /// order costs the same children.
    pub child_minutes_saved_by_optimum: f64,
    /// Total travel of the children the system optimum serves (it may serve more), minutes.
    pub child_minutes_optimum: f64,
}

/// The KPI document of one scenario (`kpis.json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Kpis {
    /// Scenario name.
    pub scenario: String,
    /// Scenario title.
    pub title: String,
    /// City name.
    pub city: String,
    /// Year studied.
    pub year: u16,
    /// Service type code.
    pub service: String,
    /// Rule behind the headline figures.
    pub headline_rule: Rule,
    /// The "within" threshold, minutes.
    pub threshold_min: f64,
    /// The distance threshold, metres, when set.
    pub threshold_m: Option<f64>,
    /// Target share of the within indicator.
    pub target_share: f64,
    /// Children of the served ages (after participation).
    pub children: f64,
    /// Places of operating units.
    pub places: f64,
    /// Units operating in the scenario.
    pub units_operating: usize,
    /// Units the scenario closed.
    pub units_closed: usize,
    /// Units the scenario opened.
    pub units_opened: usize,
    /// Indicators by the nearest-with-vacancy rule.
    pub nearest_with_vacancy: Summary,
    /// Indicators of the system optimum.
    pub system_optimum: Summary,
    /// The two rules compared.
    pub rule_vs_optimum: RuleVsOptimum,
    /// Headline indicators by language group.
    pub by_language: ByLanguage,
    /// Units above the over-use limit (catchment ÷ places).
    pub over_used_units: Vec<String>,
    /// Units below the under-use limit (placed ÷ places).
    pub under_used_units: Vec<String>,
    /// Places no child may take (a language no group may take), by unit.
    #[serde(default)]
    pub unusable_places: Vec<UnusablePlaces>,
    /// Distribution figures.
    pub equity: Equity,
    /// Premises figures.
    pub premises: PremisesSummary,
    /// Unit searches run for this scenario (the rest were reused).
    pub unit_searches: usize,
    /// Warnings (areas or units off the network, unplaced forecasts, unusable places).
    pub warnings: Vec<String>,
    /// What the figures were computed from.
    pub provenance: Provenance,
}

/// Places of one unit that no child may take.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnusablePlaces {
    /// Unit id.
    pub unit: String,
    /// Language of the places.
    pub language: String,
    /// Number of places.
    pub places: u32,
}

impl Kpis {
    /// The headline indicators (by the headline rule).
    pub fn headline(&self) -> &Summary {
        match self.headline_rule {
            Rule::NearestWithVacancy => &self.nearest_with_vacancy,
            Rule::SystemOptimum => &self.system_optimum,
        }
    }

    /// The KPI document of an outcome.
    pub fn new(scenario: &Scenario, o: &Outcome, provenance: Provenance, warnings: &[String], searches: usize) -> Self {
        let mut by_language = ByLanguage::default();
        for (g, s) in &o.by_language {
            let slot = match g.as_str() {
                "fi" => &mut by_language.fi,
                "sv" => &mut by_language.sv,
                "other" => &mut by_language.other,
                _ => &mut by_language.all,
            };
            *slot = Some(s.clone());
        }
        Kpis {
            scenario: scenario.name.clone(),
            title: scenario.title.clone(),
            city: provenance.city.clone(),
            year: scenario.year.0,
            service: scenario.service.0.clone(),
            headline_rule: scenario.parameters.allocation,
            threshold_min: scenario.parameters.threshold_min,
            threshold_m: scenario.parameters.threshold_m,
            target_share: scenario.parameters.target_share,
            children: o.children,
            places: o.active.iter().map(|&i| f64::from(o.plans[i].total())).sum(),
            units_operating: o.active.len(),
            units_closed: o.plans.iter().filter(|u| !u.open()).count(),
            units_opened: o.plans.iter().filter(|u| u.status == super::apply::UnitStatus::Opened).count(),
            nearest_with_vacancy: o.rule.clone(),
            system_optimum: o.optimum.clone(),
            rule_vs_optimum: RuleVsOptimum {
                served_difference: o.optimum.served - o.rule.served,
                child_minutes_rule: o.rule_child_minutes,
                child_minutes_same_children_optimum: o.same_children_optimum_child_minutes,
                child_minutes_saved_by_optimum: o.rule_child_minutes - o.same_children_optimum_child_minutes,
                child_minutes_optimum: o.optimum.mean_min.unwrap_or(0.0) * o.optimum.served,
            },
            by_language,
            over_used_units: o.over_used.clone(),
            under_used_units: o.under_used.clone(),
            unusable_places: o.unusable.clone(),
            equity: o.equity.clone(),
            premises: o.premises.clone(),
            unit_searches: searches,
            warnings: warnings.to_vec(),
            provenance,
        }
    }
}
