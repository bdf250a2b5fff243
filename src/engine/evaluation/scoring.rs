//! Scoring an evaluation's allocations: the canonical optima, the outcome, the KPI
//! document and the notes; and writing the outputs.

use super::{Evaluation, Net, slot_units};
use crate::analysis::allocation::allocation_of_flows;
use crate::engine::Note;
use crate::engine::travel::Travel;
use crate::io::error::WriteError;
use crate::scenario::kpis::{Kpis, Provenance};
use crate::scenario::score::{Allocations, Inputs, score};
use std::path::{Path, PathBuf};

impl Evaluation {
    /// Scores the current allocations and writes the KPI document and notes.
    pub(super) fn rescore(&mut self, far: Vec<(String, f64)>, travel: &Travel) {
        let data = self.data.clone();
        let unit_places = slot_units(&self.slots, 1);
        let pool_slots: Vec<(u32, usize)> = self.pools.iter().map(|p| (p.slot, 0)).collect();
        let columns = &self.columns;
        // Flow stays only on pools of a slot's current column (the others have no places).
        let time = |a: u32, s: u32| columns[self.slots[s as usize].column].time[a as usize];
        // The canonical optima: the same placements whatever path found the flows.
        let net = Net { ev: self, rules: &data.language_rules };
        let weight = |g: u32, p: Option<u32>| self.tie_weight(g, p);
        let (optimum, same) =
            rayon::join(|| self.optimum.canonical(&net, &weight), || self.same.canonical(&net, &weight));
        self.phases.done("canonical flows");
        let optimum = allocation_of_flows(&optimum, &self.groups, &pool_slots, &time);
        let same = allocation_of_flows(&same, &self.groups, &pool_slots, &time);
        let dist = |a: usize, s: u32| columns[self.slots[s as usize].column].dist[a];
        let level = self.scenario.parameters.district_level_in(&data.district_levels);
        let districts: Vec<Option<String>> = self
            .plans
            .iter()
            .map(|p| {
                let key = (level.clone(), p.id.clone(), p.x.to_bits(), p.y.to_bits());
                if let Some(d) = self.districts.get(&key) {
                    return d.clone();
                }
                crate::scenario::score::unit_district(&data, p, &level)
            })
            .collect();
        let inputs = Inputs {
            data: &data,
            params: &self.scenario.parameters,
            plans: &self.plans,
            slot_of_plan: &self.slot_of_plan,
            units: &unit_places,
            demand: &self.demand,
            by_age: &self.by_age,
            hundredths: &self.hundredths,
            groups: &self.groups,
            reach: &self.reach,
            dist: &dist,
            districts: &districts,
        };
        let outcome = score(&inputs, &Allocations { rule: &self.rule, optimum: &optimum, same_children: &same });
        for (p, d) in self.plans.iter().zip(districts) {
            self.districts.insert((level.clone(), p.id.clone(), p.x.to_bits(), p.y.to_bits()), d);
        }
        let mut notes = Vec::new();
        if !far.is_empty() {
            notes.push(Note::UnitsOffNetwork { units: far, limit_m: self.scenario.max_snap_m });
        }
        let off = travel.cells_off_network();
        let off_children: f64 = off.iter().map(|&a| self.demand.area_total(a)).sum();
        if off_children > 0.0 {
            notes.push(Note::AreasOffNetwork {
                areas: off.iter().filter(|&&a| self.demand.area_total(a) > 0.0).count(),
                children: off_children * self.scenario.parameters.participation,
                limit_m: self.scenario.max_snap_m,
            });
        }
        if self.demand.unplaced > 0.0 {
            notes.push(Note::UnplacedForecast { children: self.demand.unplaced });
        }
        for u in &outcome.unusable {
            notes.push(Note::UnusablePlaces {
                unit: u.unit.clone(),
                language: u.language.clone(),
                places: u.places,
                city: data.city.clone(),
            });
        }
        let warnings: Vec<String> = notes.iter().map(|n| n.to_string()).collect();
        let provenance = Provenance::new(&self.scenario, &data, &self.network, &self.demand.method);
        self.kpis = Kpis::new(&self.scenario, &outcome, provenance, &warnings, self.searches);
        self.notes = notes;
        self.outcome = outcome;
        self.phases.done("scoring");
    }

    /// Writes the outputs into `dir` (see [`super::Engine::write`]).
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>, WriteError> {
        use crate::scenario::output;
        let o = &self.outcome;
        let (head, other) = match self.scenario.parameters.allocation {
            crate::model::scenario::Rule::NearestWithVacancy => ("nearest_with_vacancy", "system_optimum"),
            crate::model::scenario::Rule::SystemOptimum => ("system_optimum", "nearest_with_vacancy"),
        };
        let prov = &self.kpis.provenance;
        let first_age = self.by_age_first();
        let tables = [
            output::cells_table(&self.data, o, prov),
            output::units_table(o, prov, first_age),
            output::allocation_table(&self.data, o, head, other, prov),
            output::districts_table(o, prov),
        ];
        let html = crate::scenario::report::html(&self.scenario, &self.data, o, &self.kpis);
        output::write(dir, &tables, &self.kpis, &html)
    }

    /// A generic secondary cost for placing group `g` in pool `p` (or leaving it unserved),
    /// from ids that do not depend on how the state was reached: the area, the language
    /// group, the unit's id and the places' language.
    fn tie_weight(&self, g: u32, p: Option<u32>) -> i64 {
        use std::hash::{Hash, Hasher};
        let gr = self.groups[g as usize];
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (gr.area, gr.language.code()).hash(&mut h);
        if let Some(p) = p {
            let pool = self.pools[p as usize];
            (self.slots[pool.slot as usize].id.as_str(), pool.language.map(|l| l.code())).hash(&mut h);
        }
        (h.finish() >> 34) as i64
    }

    /// The first served age.
    fn by_age_first(&self) -> u8 {
        match &self.scenario.ages {
            Some((a, _)) => a[0],
            None => crate::model::service::lookup(&self.scenario.service.0).map_or(0, |s| s.min_age),
        }
    }
}
