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

mod scoring;

use crate::analysis::allocation::{Allocation, Group, UnitPlaces, nearest_with_vacancy_in, pools, unserved_cost};
use crate::analysis::demand::{Demand, GROUPS, in_hundredths};
use crate::analysis::times::Reach;
use crate::analysis::transport::{Arcs, Transport};
use crate::engine::inputs::{check_units, demand_of, merged};
use crate::engine::travel::{Column, Travel};
use crate::engine::{EngineError, Note, Phases};
use crate::model::scenario::Scenario;
use crate::model::{Dataset, Language, LanguageRules};
use crate::network::{Cost, Decimetres, Network, UNREACHABLE};
use crate::progress::Progress;
use crate::scenario::apply::{UnitPlan, units};
use crate::scenario::kpis::{Kpis, Provenance};
use crate::scenario::outcome::Outcome;
use std::collections::HashMap;
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
    /// Time of each phase of the last evaluation or update.
    pub phases: Phases,
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

    fn arc(&self, g: u32, p: u32) -> Option<i64> {
        let ev = self.ev;
        let pool = ev.pools[p as usize];
        let slot = &ev.slots[pool.slot as usize];
        let gr = ev.groups[g as usize];
        if !slot.open || pool.column != slot.column || !self.rules.allows(gr.language, pool.language) {
            return None;
        }
        let t = ev.columns[pool.column].time[gr.area as usize];
        (t != UNREACHABLE).then_some(i64::from(t))
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
    let mut phases = Phases::new();
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
    phases.done("units and demand");
    progress.start(&format!("{}: travel times", s.name), 0);
    let open_points: Vec<(f64, f64)> = plans.iter().filter(|u| u.open()).map(|u| (u.x, u.y)).collect();
    let found = travel.columns(&open_points, &|n| progress.inc(n as u64));
    progress.finish();
    phases.done("unit searches");
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
    phases.done("reach lists");
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
        phases,
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
    ev.rule = nearest_with_vacancy_in(&ev.groups, &unit_places, rules, &ev.reach.lists);
    ev.phases.done("rule");
    // The optimum, and the least-travel placement of the children the rule serves: two
    // independent solves on the same arcs, side by side.
    let capacity: Vec<i64> = pool_list.iter().map(|&(u, k)| i64::from(unit_places[u as usize].places[k].1)).collect();
    let supply: Vec<i64> = ev.groups.iter().map(|g| i64::from(g.children)).collect();
    let served: Vec<i64> = ev.groups.iter().zip(&ev.rule.unserved).map(|(g, &u)| i64::from(g.children - u)).collect();
    let net = Net { ev: &ev, rules };
    let solve = |supply: Vec<i64>| {
        let mut t = Transport::nearest_start(supply, capacity.clone(), m, &net);
        t.repair(&net);
        t
    };
    let (optimum, same) = rayon::join(|| solve(supply), || solve(served));
    (ev.optimum, ev.same) = (optimum, same);
    ev.phases.done("optimum and same-children optimum");
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
    let mut phases = Phases::new();
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
        phases.done("unit searches");
        let mut new_column: HashMap<usize, usize> = HashMap::new();
        for (i, c) in moved.iter().zip(found) {
            ev.columns.push(c);
            new_column.insert(*i, ev.columns.len() - 1);
        }
        if !ev.apply_slots(wanted, &new_column) {
            return Ok(None);
        }
        phases.done("reach lists and pools");
        UpdateKind::Incremental
    } else {
        UpdateKind::Rescored
    };
    ev.searches = travel.searches - before;
    ev.phases = phases;
    ev.plans = plans;
    ev.slot_of_plan = slot_of_plan;
    ev.scenario = s;
    if kind == UpdateKind::Incremental {
        let data = ev.data.clone();
        let unit_places = slot_units(&ev.slots, HUNDREDTHS);
        ev.rule = nearest_with_vacancy_in(&ev.groups, &unit_places, &data.language_rules, &ev.reach.lists);
        ev.phases.done("rule");
        for (g, &u) in ev.rule.unserved.iter().enumerate() {
            ev.same.set_supply(g as u32, i64::from(ev.groups[g].children - u));
        }
        let (mut optimum, mut same) = (std::mem::take(&mut ev.optimum), std::mem::take(&mut ev.same));
        let net = Net { ev, rules: &data.language_rules };
        rayon::join(|| optimum.repair(&net), || same.repair(&net));
        ev.optimum = optimum;
        ev.same = same;
        ev.phases.done("flows repaired");
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
}
