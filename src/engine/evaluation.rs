//! One scenario evaluated, kept ready for edits.
//!
//! Units live in *slots* that keep their index across edits (a unit's slot is found by its
//! id), each with the travel column of its location. The state kept between evaluations:
//! the operating slots reachable from each demand area, nearest first ([`Reach`]); the
//! pools of places (slot, language, column) and two optimal flows with their proofs
//! ([`Transport`]): the system optimum and the least-travel placement of the children the
//! nearest-with-vacancy rule serves. An edit changes slots; the reach lists and pools follow
//! the change, the flows are re-optimised ([`Transport::repair`]), the rule (cheap) is
//! recomputed, and the outcome is scored again — equal to a cold evaluation.

use super::inputs::{check_units, demand_of, merged};
use super::travel::{Column, Travel};
use super::{EngineError, Note};
use crate::analysis::allocation::{
    Allocation, Group, UnitPlaces, allocation_of_flows, nearest_with_vacancy_in, optimum_state, pools, unserved_cost,
};
use crate::analysis::demand::{Demand, GROUPS, in_hundredths};
use crate::analysis::times::Reach;
use crate::analysis::transport::{Arcs, Transport};
use crate::io::error::WriteError;
use crate::model::scenario::Scenario;
use crate::model::{Dataset, Language, LanguageRules};
use crate::network::{Cost, Decimetres, Network, UNREACHABLE};
use crate::progress::Progress;
use crate::scenario::apply::{UnitPlan, units};
use crate::scenario::kpis::{Kpis, Provenance};
use crate::scenario::outcome::Outcome;
use crate::scenario::score::{Allocations, Inputs, score};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Places count in hundredths of a child in the allocations.
const HUNDREDTHS: u32 = 100;

/// How an update was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateKind {
    /// Only scoring parameters changed: the allocations were kept.
    Rescored,
    /// Units changed: searches for new locations, flows re-optimised.
    Incremental,
    /// The scenario changed at its base (year, demand, network…): evaluated anew.
    Cold,
}

/// A unit's slot: its id, whether it operates, its places and its travel column.
#[derive(Clone, Debug, PartialEq)]
struct Slot {
    id: String,
    open: bool,
    places: Vec<(Option<Language>, u32)>,
    at: (f64, f64),
    column: usize,
}

/// A pool of places for the flows: a slot's places of one language, on one column.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Pool {
    slot: u32,
    language: Option<Language>,
    column: usize,
}

/// A scenario evaluated: its outcome and KPIs, and the state that makes edits fast.
pub struct Evaluation {
    /// The scenario as evaluated.
    pub scenario: Scenario,
    /// The city.
    pub data: Arc<Dataset>,
    /// The network.
    pub network: Arc<Network>,
    /// Everything scored.
    pub outcome: Outcome,
    /// The KPI document.
    pub kpis: Kpis,
    /// What was off the network or left out.
    pub notes: Vec<Note>,
    /// Unit searches run for this evaluation (the rest were reused).
    pub searches: usize,
    travel: usize,
    demand: Demand,
    by_age: Vec<Demand>,
    hundredths: Vec<[u32; 4]>,
    groups: Vec<Group>,
    /// Group index per area and language-group index (`u32::MAX`: none).
    cell_groups: Vec<[u32; 4]>,
    slots: Vec<Slot>,
    slot_of_plan: Vec<u32>,
    plans: Vec<UnitPlan>,
    columns: Vec<Column>,
    pools: Vec<Pool>,
    slot_pools: Vec<Vec<u32>>,
    reach: Reach,
    pool_bound: usize,
    optimum: Transport,
    same: Transport,
    rule: Allocation,
    /// Units' districts by (level, unit id, location bits), found once.
    districts: HashMap<(String, String, u64, u64), Option<String>>,
}

/// The arcs of the flows, from the reach lists and columns.
struct Net<'a> {
    ev: &'a Evaluation,
    rules: &'a LanguageRules,
}

impl Arcs for Net<'_> {
    fn arcs(&self, g: u32, out: &mut Vec<(u32, i64)>) {
        out.clear();
        let ev = self.ev;
        let gr = ev.groups[g as usize];
        for &(t, s) in &ev.reach.lists[gr.area as usize] {
            for &p in &ev.slot_pools[s as usize] {
                let pool = ev.pools[p as usize];
                if pool.column == ev.slots[s as usize].column && self.rules.allows(gr.language, pool.language) {
                    out.push((p, i64::from(t)));
                }
            }
        }
    }

    fn groups_of(&self, p: u32, out: &mut Vec<(u32, i64)>) {
        out.clear();
        let ev = self.ev;
        let pool = ev.pools[p as usize];
        for (a, &t) in ev.columns[pool.column].time.iter().enumerate() {
            if t == UNREACHABLE {
                continue;
            }
            for &g in ev.cell_groups[a].iter().filter(|&&g| g != u32::MAX) {
                if self.rules.allows(ev.groups[g as usize].language, pool.language) {
                    out.push((g, i64::from(t)));
                }
            }
        }
    }

    fn cost(&self, g: u32, p: u32) -> i64 {
        let ev = self.ev;
        i64::from(ev.columns[ev.pools[p as usize].column].time[ev.groups[g as usize].area as usize])
    }
}

/// Evaluates `s` from nothing but the loaded city and the travel cache.
pub(super) fn cold(
    data: Arc<Dataset>,
    travel: &mut Travel,
    travel_index: usize,
    s: Scenario,
    progress: &dyn Progress,
) -> Result<Evaluation, EngineError> {
    let plans = units(&data, &s)?;
    let (demand, by_age) = demand_of(&data, &s)?;
    let far = check_units(&plans, travel, &s)?;
    let before = travel.searches;
    let hundredths = in_hundredths(&demand, s.parameters.participation);
    let mut groups = Vec::new();
    let mut cell_groups = vec![[u32::MAX; 4]; hundredths.len()];
    for (a, c) in hundredths.iter().enumerate() {
        for (g, &amount) in c.iter().enumerate() {
            if amount > 0 {
                cell_groups[a][g] = groups.len() as u32;
                groups.push(Group { area: a as u32, language: GROUPS[g], children: amount });
            }
        }
    }
    progress.start(&format!("{}: travel times", s.name), 0);
    let open_points: Vec<(f64, f64)> = plans.iter().filter(|u| u.open()).map(|u| (u.x, u.y)).collect();
    let found = travel.columns(&open_points, &|n| progress.inc(n as u64));
    progress.finish();
    let mut columns = Vec::new();
    let mut slots = Vec::new();
    let mut found = found.into_iter();
    for u in &plans {
        let column = if u.open() {
            columns.push(found.next().unwrap_or_else(|| unreachable_column(travel.cells())));
            columns.len() - 1
        } else {
            usize::MAX
        };
        slots.push(Slot { id: u.id.clone(), open: u.open(), places: merged(&u.places), at: (u.x, u.y), column });
    }
    let mut reach = Reach { lists: vec![Vec::new(); hundredths.len()] };
    for (s_i, slot) in slots.iter().enumerate() {
        if slot.open {
            reach.insert(s_i as u32, &mut columns[slot.column].time.iter().copied());
        }
    }
    progress.start(&format!("{}: allocation and indicators", s.name), 0);
    let unit_places: Vec<UnitPlaces> = slot_units(&slots, HUNDREDTHS);
    let pool_list = pools(&unit_places);
    let pool_bound = 4 * pool_list.len() + 64;
    let cutoff = (s.parameters.search_cutoff_min * 60_000.0).round() as Cost;
    let m = unserved_cost(cutoff, pool_bound);
    let mut ev = Evaluation {
        outcome: Outcome::default(),
        kpis: placeholder_kpis(&s),
        notes: Vec::new(),
        searches: travel.searches - before,
        travel: travel_index,
        network: travel.network().clone(),
        demand,
        by_age,
        hundredths,
        groups,
        cell_groups,
        slot_of_plan: (0..plans.len() as u32).collect(),
        plans,
        pools: pool_list
            .iter()
            .map(|&(u, k)| Pool { slot: u, language: slots[u as usize].places[k].0, column: slots[u as usize].column })
            .collect(),
        slot_pools: Vec::new(),
        slots,
        columns,
        reach,
        pool_bound,
        optimum: Transport::default(),
        same: Transport::default(),
        rule: Allocation::default(),
        districts: HashMap::new(),
        scenario: s,
        data,
    };
    ev.slot_pools = vec![Vec::new(); ev.slots.len()];
    for (p, pool) in ev.pools.iter().enumerate() {
        ev.slot_pools[pool.slot as usize].push(p as u32);
    }
    let data = ev.data.clone();
    let rules = &data.language_rules;
    let columns = &ev.columns;
    let slots = &ev.slots;
    let cost = |a: u32, u: u32| columns[slots[u as usize].column].time[a as usize];
    ev.rule = nearest_with_vacancy_in(&ev.groups, &unit_places, rules, &ev.reach.lists);
    ev.optimum = optimum_state(&ev.groups, &unit_places, rules, &cost, m);
    // The same children: where the optimum leaves exactly the rule's children unserved it
    // is their least-travel placement itself; else solve for the rule's served children.
    let optimum_unserved: Vec<u32> = (0..ev.groups.len()).map(|g| ev.optimum.unserved_of(g as u32) as u32).collect();
    ev.same = if optimum_unserved == ev.rule.unserved {
        ev.optimum.clone()
    } else {
        let served: Vec<Group> =
            ev.groups.iter().zip(&ev.rule.unserved).map(|(g, &u)| Group { children: g.children - u, ..*g }).collect();
        optimum_state(&served, &unit_places, rules, &cost, m)
    };
    ev.rescore(far, travel);
    progress.finish();
    Ok(ev)
}

/// A column of a point off the network.
fn unreachable_column(cells: usize) -> Column {
    Column { time: vec![UNREACHABLE; cells].into(), dist: vec![Decimetres::UNREACHABLE; cells].into() }
}

/// Places per slot (none where the slot does not operate), × `scale` (the allocations
/// count hundredths of a child, so their places are × 100).
fn slot_units(slots: &[Slot], scale: u32) -> Vec<UnitPlaces> {
    slots
        .iter()
        .map(|s| UnitPlaces {
            places: if s.open { s.places.iter().map(|&(l, n)| (l, n * scale)).collect() } else { Vec::new() },
        })
        .collect()
}

/// KPIs until the first scoring.
fn placeholder_kpis(s: &Scenario) -> Kpis {
    let provenance = Provenance {
        pave_version: String::new(),
        scenario: s.name.clone(),
        title: s.title.clone(),
        city: String::new(),
        year: s.year.0,
        service: s.service.0.clone(),
        ages: None,
        mode: String::new(),
        network: String::new(),
        max_snap_m: s.max_snap_m,
        parameters: s.parameters.clone(),
        changes: Vec::new(),
        demand: String::new(),
        inputs: Vec::new(),
    };
    Kpis::new(s, &Outcome::default(), provenance, &[], 0)
}

/// Applies a new version of the scenario to `ev` incrementally; `None` when it cannot be
/// done incrementally (then the caller evaluates anew).
pub(super) fn incremental(
    ev: &mut Evaluation,
    travel: &mut Travel,
    s: Scenario,
    progress: &dyn Progress,
) -> Result<Option<UpdateKind>, EngineError> {
    let plans = units(&ev.data, &s)?;
    let far = check_units(&plans, travel, &s)?;
    // Slots by id; new ids get new slots. Plans must keep the slots' order (ties are broken
    // by it) — else evaluate anew.
    let index: HashMap<&str, u32> = ev.slots.iter().enumerate().map(|(i, s)| (s.id.as_str(), i as u32)).collect();
    let mut next = ev.slots.len() as u32;
    let slot_of_plan: Vec<u32> = plans
        .iter()
        .map(|p| {
            index.get(p.id.as_str()).copied().unwrap_or_else(|| {
                next += 1;
                next - 1
            })
        })
        .collect();
    if slot_of_plan.windows(2).any(|w| w[0] >= w[1]) {
        return Ok(None);
    }
    let wanted: Vec<Slot> = {
        let mut w: Vec<Slot> = ev.slots.iter().map(|s| Slot { open: false, ..s.clone() }).collect();
        w.resize(
            next as usize,
            Slot { id: String::new(), open: false, places: vec![], at: (0.0, 0.0), column: usize::MAX },
        );
        for (p, &s) in plans.iter().zip(&slot_of_plan) {
            let slot = &mut w[s as usize];
            slot.id = p.id.clone();
            slot.open = p.open();
            slot.places = merged(&p.places);
            slot.at = (p.x, p.y);
        }
        w
    };
    let units_changed = wanted.len() != ev.slots.len()
        || wanted.iter().zip(&ev.slots).any(|(w, o)| (w.open, &w.places, w.at) != (o.open, &o.places, o.at));
    let before = travel.searches;
    let kind = if units_changed {
        // Columns for new locations.
        let moved: Vec<usize> = (0..wanted.len())
            .filter(|&i| {
                wanted[i].open && ev.slots.get(i).is_none_or(|o| o.column == usize::MAX || o.at != wanted[i].at)
            })
            .collect();
        progress.start(&format!("{}: travel times", s.name), 0);
        let found =
            travel.columns(&moved.iter().map(|&i| wanted[i].at).collect::<Vec<_>>(), &|n| progress.inc(n as u64));
        progress.finish();
        let mut new_column: HashMap<usize, usize> = HashMap::new();
        for (i, c) in moved.iter().zip(found) {
            ev.columns.push(c);
            new_column.insert(*i, ev.columns.len() - 1);
        }
        if !ev.apply_slots(wanted, &new_column) {
            return Ok(None);
        }
        UpdateKind::Incremental
    } else {
        UpdateKind::Rescored
    };
    ev.searches = travel.searches - before;
    ev.plans = plans;
    ev.slot_of_plan = slot_of_plan;
    ev.scenario = s;
    if kind == UpdateKind::Incremental {
        let data = ev.data.clone();
        let unit_places = slot_units(&ev.slots, HUNDREDTHS);
        ev.rule = nearest_with_vacancy_in(&ev.groups, &unit_places, &data.language_rules, &ev.reach.lists);
        for (g, &u) in ev.rule.unserved.iter().enumerate() {
            ev.same.set_supply(g as u32, i64::from(ev.groups[g].children - u));
        }
        let (mut optimum, mut same) = (std::mem::take(&mut ev.optimum), std::mem::take(&mut ev.same));
        let net = Net { ev, rules: &data.language_rules };
        rayon::join(|| optimum.repair(&net), || same.repair(&net));
        ev.optimum = optimum;
        ev.same = same;
    }
    ev.rescore(far, travel);
    Ok(Some(kind))
}

impl Evaluation {
    /// Index of the engine's travel cache this evaluation uses.
    pub(super) fn travel_index(&self) -> usize {
        self.travel
    }

    /// Whether `s` has this evaluation's city, demand and network, so units and scoring
    /// parameters can change incrementally.
    pub fn same_base(&self, s: &Scenario) -> bool {
        let (a, b) = (&self.scenario, s);
        let (p, q) = (&a.parameters, &b.parameters);
        a.profile == b.profile
            && a.year.0 == b.year.0
            && a.service.0 == b.service.0
            && a.ages.as_ref().map(|x| x.0) == b.ages.as_ref().map(|x| x.0)
            && a.network == b.network
            && a.mode == b.mode
            && a.speeds == b.speeds
            && a.max_snap_m == b.max_snap_m
            && p.participation == q.participation
            && p.search_cutoff_min == q.search_cutoff_min
            && p.study_districts == q.study_districts
            && p.district_level == q.district_level
    }

    /// Moves the slots to `wanted`: reach lists and pools follow; `new_column` gives the
    /// column of each slot that needs a new one. `false` when the pools would outgrow the
    /// bound the flows' unserved cost was chosen for.
    fn apply_slots(&mut self, mut wanted: Vec<Slot>, new_column: &HashMap<usize, usize>) -> bool {
        let data = self.data.clone();
        let rules = &data.language_rules;
        // Each slot's column: a new one, else the one it had.
        for (i, w) in wanted.iter_mut().enumerate() {
            w.column =
                new_column.get(&i).copied().or_else(|| self.slots.get(i).map(|o| o.column)).unwrap_or(usize::MAX);
        }
        // Pools: every (slot, language, column) wanted gets its capacity; the rest none.
        let mut ops: Vec<(Option<u32>, Pool, i64)> = Vec::new();
        for (i, slot) in wanted.iter().enumerate() {
            let mut wanted_here: Vec<(Option<Language>, u32)> =
                if slot.open { slot.places.clone() } else { Vec::new() };
            for &p in self.slot_pools.get(i).map_or(&[][..], Vec::as_slice) {
                let pool = self.pools[p as usize];
                let cap = wanted_here
                    .iter()
                    .position(|w| w.0 == pool.language && pool.column == slot.column)
                    .map_or(0, |k| i64::from(wanted_here.remove(k).1 * HUNDREDTHS));
                ops.push((Some(p), pool, cap));
            }
            for (language, cap) in wanted_here {
                ops.push((None, Pool { slot: i as u32, language, column: slot.column }, i64::from(cap * HUNDREDTHS)));
            }
        }
        if self.pools.len() + ops.iter().filter(|o| o.0.is_none()).count() > self.pool_bound {
            return false;
        }
        // Reach lists: take out slots that closed or moved, put in the opened and moved.
        for (i, w) in wanted.iter().enumerate() {
            let was = self.slots.get(i).filter(|o| o.open).map(|o| o.column);
            let now = w.open.then_some(w.column);
            if was != now {
                if let Some(c) = was {
                    self.reach.remove(i as u32, &mut self.columns[c].time.iter().copied());
                }
                if let Some(c) = now {
                    self.reach.insert(i as u32, &mut self.columns[c].time.iter().copied());
                }
            }
        }
        self.slot_pools.resize(wanted.len(), Vec::new());
        self.slots = wanted;
        let (mut optimum, mut same) = (std::mem::take(&mut self.optimum), std::mem::take(&mut self.same));
        for (existing, pool, cap) in ops {
            match existing {
                Some(p) => {
                    let net = Net { ev: self, rules };
                    optimum.set_capacity(p, cap, &net);
                    same.set_capacity(p, cap, &net);
                }
                None => {
                    self.pools.push(pool);
                    self.slot_pools[pool.slot as usize].push(self.pools.len() as u32 - 1);
                    let net = Net { ev: self, rules };
                    optimum.add_pool(cap, &net);
                    same.add_pool(cap, &net);
                }
            }
        }
        self.optimum = optimum;
        self.same = same;
        true
    }

    /// Scores the current allocations and writes the KPI document and notes.
    fn rescore(&mut self, far: Vec<(String, f64)>, travel: &Travel) {
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
        let optimum = allocation_of_flows(&optimum, &self.groups, &pool_slots, &time);
        let same = allocation_of_flows(&same, &self.groups, &pool_slots, &time);
        let dist = |a: usize, s: u32| columns[self.slots[s as usize].column].dist[a];
        let level = self
            .scenario
            .parameters
            .district_level
            .clone()
            .or_else(|| data.district_levels.last().cloned())
            .unwrap_or_default();
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
