//! Scoring a scenario from its allocations: nearest-daycare KPIs for the city, its districts
//! and language groups, accessibility and equity per demand area, catchment, utilisation and
//! premises figures per unit. Pure: takes the data, the units, the demand, the units
//! reachable from each area and the allocations; does no I/O. Every definition is stated in
//! `docs/definitions.md`.

use super::apply::{UnitPlan, UnitStatus};
use super::kpis::UnusablePlaces;
use super::outcome::{CellResult, DistrictRow, Equity, Outcome, PremisesSummary, SCALE, UnitResult};
use crate::analysis::accessibility::{cumulative, e2sfca, gravity, two_step};
use crate::analysis::allocation::{Allocation, Assignment, Group, UnitPlaces};
use crate::analysis::demand::{Demand, GROUPS};
use crate::analysis::equity::{gini, quantile, share_below};
use crate::analysis::kpi::{Placement, summarise};
use crate::analysis::times::{Reach, minutes};
use crate::model::Dataset;
use crate::model::scenario::{Parameters, Rule};
use crate::network::{Cost, Decimetres, UNREACHABLE};

/// What scoring needs besides the allocations. Units are *slots*: `units[s]` holds slot s's
/// places (none when it does not operate); plan `i` is slot `slot_of_plan[i]`.
pub struct Inputs<'a> {
    /// The city.
    pub data: &'a Dataset,
    /// Scoring parameters.
    pub params: &'a Parameters,
    /// Every unit of the scenario in plan order, closed ones included.
    pub plans: &'a [UnitPlan],
    /// Slot of each plan.
    pub slot_of_plan: &'a [u32],
    /// Places per slot.
    pub units: &'a [UnitPlaces],
    /// Children per area and group (expected values, before participation).
    pub demand: &'a Demand,
    /// The same for each served age alone.
    pub by_age: &'a [Demand],
    /// Children taking part, per area and group, in hundredths.
    pub hundredths: &'a [[u32; 4]],
    /// Allocation groups (area, language group, hundredths).
    pub groups: &'a [Group],
    /// Operating slots reachable from each area, nearest first.
    pub reach: &'a Reach,
    /// Network distance from an area to a slot.
    pub dist: &'a dyn Fn(usize, u32) -> Decimetres,
    /// The district of each plan at the summary level (see [`unit_district`]).
    pub districts: &'a [Option<String>],
}

/// The three allocations, on slots.
pub struct Allocations<'a> {
    /// Nearest with vacancy.
    pub rule: &'a Allocation,
    /// System optimum.
    pub optimum: &'a Allocation,
    /// The least-travel placement of exactly the children the rule serves.
    pub same_children: &'a Allocation,
}

/// Scores a scenario (see the module doc).
pub fn score(inp: &Inputs<'_>, alloc: &Allocations<'_>) -> Outcome {
    let (data, params, plans) = (inp.data, inp.params, inp.plans);
    let active: Vec<usize> = (0..plans.len()).filter(|&i| plans[i].open()).collect();
    // Slot → index into `active`.
    let mut active_of = vec![u32::MAX; inp.units.len()];
    for (j, &i) in active.iter().enumerate() {
        active_of[inp.slot_of_plan[i] as usize] = j as u32;
    }
    let min = |m: f64| (m * 60_000.0).round() as Cost;
    let rules = &data.language_rules;
    let offers =
        |g: &Group, s: u32| inp.units[s as usize].places.iter().any(|p| p.1 > 0 && rules.allows(g.language, p.0));
    // Each group's nearest unit with places it may take (time, slot).
    let nearest_compatible: Vec<(Cost, u32)> = inp
        .groups
        .iter()
        .map(|g| {
            inp.reach.lists[g.area as usize].iter().find(|o| offers(g, o.1)).copied().unwrap_or((UNREACHABLE, u32::MAX))
        })
        .collect();
    let nearest_time: Vec<Cost> = nearest_compatible.iter().map(|n| n.0).collect();
    let placements = |a: &Allocation| placements(inp, a, &nearest_time, &active_of);
    let (rule_p, opt_p) = (placements(alloc.rule), placements(alloc.optimum));
    let tm = params.threshold_m;
    let threshold = min(params.threshold_min);
    let (headline, other) = match params.allocation {
        Rule::NearestWithVacancy => (&rule_p, &opt_p),
        Rule::SystemOptimum => (&opt_p, &rule_p),
    };
    let children_of = |a: usize| -> f64 { f64::from(inp.hundredths[a].iter().sum::<u32>()) / SCALE };
    let cells_n = inp.hundredths.len();
    let cell_demand: Vec<f64> = (0..cells_n).map(children_of).collect();
    let mut cells = cell_results(inp, &cell_demand, &active_of);
    let (rule_units, optimum_units) = (main_units(&rule_p, cells_n), main_units(&opt_p, cells_n));
    headline_travel(headline, &mut cells);
    for (a, c) in cells.iter_mut().enumerate() {
        c.rule_unit = rule_units[a];
        c.optimum_unit = optimum_units[a];
        c.allocated = if params.allocation == Rule::NearestWithVacancy { rule_units[a] } else { optimum_units[a] };
    }
    let level = params.district_level_in(&data.district_levels);
    let mut units = unit_results(inp, &active, &nearest_compatible, &active_of, (&rule_p, &opt_p));
    let (mut over_used, mut under_used) = (Vec::new(), Vec::new());
    for (j, r) in units.iter_mut().enumerate() {
        let plan = &plans[active[j]];
        if r.pressure.is_some_and(|p| p > params.over_used_above) {
            over_used.push(plan.id.clone());
        }
        if r.utilisation.is_some_and(|u| u < params.under_used_below) {
            under_used.push(plan.id.clone());
        }
    }
    let districts = district_rows(inp, headline, &cells, &units, &active, &level, (threshold, tm));
    let by_language = GROUPS
        .iter()
        .enumerate()
        .map(|(g, lg)| (lg.code().to_owned(), summarise(headline, &|p| p.group as usize == g, threshold, tm)))
        .filter(|(_, s)| s.children > 0.0)
        .collect();
    let travel: Vec<(f64, f64)> =
        headline.iter().filter_map(|p| p.unit.map(|(_, t)| (minutes(t), p.children))).collect();
    let access: Vec<(f64, f64)> = cells.iter().enumerate().map(|(a, c)| (c.sfca, children_of(a))).collect();
    let qs = [0.1, 0.25, 0.5, 0.75, 0.9];
    let equity = Equity {
        travel_percentiles_min: qs.iter().map(|&q| quantile(&travel, q)).collect(),
        sfca_percentiles: qs.iter().map(|&q| quantile(&access, q)).collect(),
        sfca_gini: gini(&access),
        travel_gini: gini(&travel),
        undersupplied_share: share_below(&access, params.participation),
    };
    let child_minutes = |a: &Allocation| a.total_cost() as f64 / SCALE / 60_000.0;
    let all = |_: &Placement| true;
    Outcome {
        unusable: unusable_places(data, plans, &active),
        rule_child_minutes: child_minutes(alloc.rule),
        same_children_optimum_child_minutes: child_minutes(alloc.same_children),
        rule: summarise(&rule_p, &all, threshold, tm),
        optimum: summarise(&opt_p, &all, threshold, tm),
        children: cell_demand.iter().sum(),
        by_language,
        districts,
        district_level: level,
        equity,
        premises: premises_summary(data, plans),
        over_used,
        under_used,
        cells,
        units,
        placements: headline.clone(),
        other_placements: other.clone(),
        active,
        plans: plans.to_vec(),
    }
}

/// Placements of an allocation on slots, with units as indices into the active units.
fn placements(inp: &Inputs<'_>, a: &Allocation, nearest: &[Cost], active_of: &[u32]) -> Vec<Placement> {
    let group = |g: &Group| GROUPS.iter().position(|x| *x == g.language).unwrap_or(3) as u8;
    let mut out: Vec<Placement> = a
        .assigned
        .iter()
        .map(|&Assignment { group: g, unit: s, children: n, time: t }| {
            let gr = &inp.groups[g as usize];
            Placement {
                area: gr.area,
                group: group(gr),
                children: f64::from(n) / SCALE,
                unit: Some((active_of[s as usize], t)),
                nearest: t <= nearest[g as usize],
                distance_m: (inp.dist)(gr.area as usize, s).metres(),
            }
        })
        .collect();
    for (g, &n) in a.unserved.iter().enumerate() {
        if n > 0 {
            let gr = &inp.groups[g];
            out.push(Placement {
                area: gr.area,
                group: group(gr),
                children: f64::from(n) / SCALE,
                unit: None,
                nearest: false,
                distance_m: None,
            });
        }
    }
    out
}

/// Per area: children, the k nearest operating units of any language, accessibility.
fn cell_results(inp: &Inputs<'_>, cell_demand: &[f64], active_of: &[u32]) -> Vec<CellResult> {
    let p = inp.params;
    let min = |m: f64| (m * 60_000.0).round() as Cost;
    let supply: Vec<f64> = inp.units.iter().map(|u| u.places.iter().map(|p| f64::from(p.1)).sum()).collect();
    let catchment = min(p.catchment_min);
    let bands: Vec<Cost> = p.e2sfca_bands_min.iter().map(|&b| min(b)).collect();
    let cum = cumulative(inp.reach, &supply, catchment);
    let grav = gravity(inp.reach, &supply, p.decay);
    let sfca = two_step(inp.reach, &supply, cell_demand, catchment);
    let e2 = e2sfca(inp.reach, &supply, cell_demand, &bands, &p.e2sfca_weights);
    (0..cell_demand.len())
        .map(|a| {
            let k = inp.reach.nearest(a, p.k_nearest, &|s| supply[s as usize] > 0.0);
            CellResult {
                children: inp.hundredths[a].map(|c| f64::from(c) / SCALE),
                nearest: k.first().map(|&(t, s)| (t, active_of[s as usize])),
                nearest_m: k.first().and_then(|&(_, s)| (inp.dist)(a, s).metres()),
                k_nearest: k.iter().map(|&(t, s)| (t, active_of[s as usize])).collect(),
                cumulative: cum[a],
                gravity: grav[a],
                sfca: sfca[a],
                e2sfca: e2[a],
                ..CellResult::default()
            }
        })
        .collect()
}

/// Per operating unit: placed children by both rules, utilisation, catchment (by age) and
/// pressure, district, premises figures.
fn unit_results(
    inp: &Inputs<'_>,
    active: &[usize],
    nearest_compatible: &[(Cost, u32)],
    active_of: &[u32],
    (rule_p, opt_p): (&[Placement], &[Placement]),
) -> Vec<UnitResult> {
    let (data, params, plans) = (inp.data, inp.params, inp.plans);
    let ages = inp.by_age.len();
    let mut out: Vec<UnitResult> =
        active.iter().map(|_| UnitResult { catchment_by_age: vec![0.0; ages], ..UnitResult::default() }).collect();
    // Catchment: each group's children count at its nearest unit with places it may take.
    for (g, &(_, s)) in inp.groups.iter().zip(nearest_compatible) {
        if s == u32::MAX {
            continue;
        }
        let a = g.area as usize;
        let r = &mut out[active_of[s as usize] as usize];
        let here = f64::from(g.children) / SCALE;
        r.catchment_children += here;
        // By age: the group's children split by the cell's shares of each age.
        let cell_total = inp.demand.area_total(a);
        for (k, d) in inp.by_age.iter().enumerate() {
            let age_total = d.children.get(a).map_or(0.0, |c| c.iter().sum::<f64>());
            r.catchment_by_age[k] += here * age_total / cell_total;
        }
    }
    for (list, rule) in [(rule_p, true), (opt_p, false)] {
        for p in list {
            if let Some((u, _)) = p.unit {
                let r = &mut out[u as usize];
                *(if rule { &mut r.placed_rule } else { &mut r.placed_optimum }) += p.children;
            }
        }
    }
    for (j, r) in out.iter_mut().enumerate() {
        let plan = &plans[active[j]];
        let places = f64::from(plan.total());
        let placed = if params.allocation == Rule::NearestWithVacancy { r.placed_rule } else { r.placed_optimum };
        r.utilisation = (places > 0.0).then(|| placed / places);
        r.pressure = (places > 0.0).then(|| r.catchment_children / places);
        r.district = inp.districts[active[j]].clone();
        if let Some(p) = plan.premises.as_ref().and_then(|id| data.premises.iter().find(|q| &q.id.0 == id)) {
            r.cost_per_place_eur = p.annual_cost_eur.filter(|_| places > 0.0).map(|c| c / places);
            r.floor_m2_per_child = p.floor_area_m2.filter(|_| placed > 0.0).map(|f| f / placed);
            r.repair_debt_eur = p.repair_debt_eur;
        }
    }
    out
}

/// The district table: indicators of each district's children (headline rule), places of
/// its operating units, children-weighted mean 2SFCA.
fn district_rows(
    inp: &Inputs<'_>,
    headline: &[Placement],
    cells: &[CellResult],
    units: &[UnitResult],
    active: &[usize],
    level: &str,
    (threshold, tm): (Cost, Option<f64>),
) -> Vec<DistrictRow> {
    let data = inp.data;
    let mut codes: Vec<&str> =
        data.demand_areas.iter().filter_map(|a| a.districts.get(level).map(|d| d.as_str())).collect();
    codes.sort_unstable();
    codes.dedup();
    let index = |code: Option<&str>| code.and_then(|c| codes.binary_search(&c).ok());
    let district_of: Vec<Option<usize>> =
        data.demand_areas.iter().map(|a| index(a.districts.get(level).map(|d| d.as_str()))).collect();
    let mut by_district: Vec<Vec<Placement>> = vec![Vec::new(); codes.len()];
    for p in headline {
        if let Some(d) = district_of[p.area as usize] {
            by_district[d].push(*p);
        }
    }
    let mut sfca: Vec<(f64, f64)> = vec![(0.0, 0.0); codes.len()];
    for (a, c) in cells.iter().enumerate() {
        if let Some(d) = district_of[a] {
            let w: f64 = c.children.iter().sum();
            sfca[d].0 += c.sfca * w;
            sfca[d].1 += w;
        }
    }
    let mut places = vec![0.0; codes.len()];
    for (r, &i) in units.iter().zip(active) {
        if let Some(d) = index(r.district.as_deref()) {
            places[d] += f64::from(inp.plans[i].total());
        }
    }
    codes
        .iter()
        .enumerate()
        .map(|(d, code)| DistrictRow {
            name: data
                .districts
                .iter()
                .find(|x| x.level == level && x.code.0 == *code)
                .map_or_else(String::new, |x| x.name_fi.clone()),
            code: (*code).to_owned(),
            kpi: summarise(&by_district[d], &|_| true, threshold, tm),
            places: places[d],
            mean_sfca: (sfca[d].1 > 0.0).then(|| sfca[d].0 / sfca[d].1),
        })
        .collect()
}

/// Each cell's main unit under a rule: the unit taking most of the cell's children summed
/// over language groups (ties: lower unit index); `None` where no child is placed.
fn main_units(ps: &[Placement], cells: usize) -> Vec<Option<u32>> {
    let mut by_unit: Vec<(u32, u32, f64)> =
        ps.iter().filter_map(|p| p.unit.map(|(u, _)| (p.area, u, p.children))).collect();
    by_unit.sort_unstable_by_key(|x| (x.0, x.1));
    let mut best: Vec<(f64, Option<u32>)> = vec![(0.0, None); cells];
    let mut i = 0;
    while i < by_unit.len() {
        let (area, unit) = (by_unit[i].0, by_unit[i].1);
        let mut sum = 0.0;
        while i < by_unit.len() && (by_unit[i].0, by_unit[i].1) == (area, unit) {
            sum += by_unit[i].2;
            i += 1;
        }
        let b = &mut best[area as usize];
        if sum > b.0 {
            *b = (sum, Some(unit));
        }
    }
    best.into_iter().map(|b| b.1).collect()
}

/// Children-weighted mean travel and network distance of each cell's served children, and
/// its unserved children, under the headline rule.
fn headline_travel(ps: &[Placement], cells: &mut [CellResult]) {
    let mut time: Vec<(f64, f64)> = vec![(0.0, 0.0); cells.len()];
    let mut dist: Vec<(f64, f64)> = vec![(0.0, 0.0); cells.len()];
    for p in ps {
        let a = p.area as usize;
        match p.unit {
            Some((_, t)) => {
                time[a].0 += p.children * minutes(t);
                time[a].1 += p.children;
                if let Some(d) = p.distance_m {
                    dist[a].0 += p.children * d;
                    dist[a].1 += p.children;
                }
            }
            None => cells[a].unserved += p.children,
        }
    }
    for (a, c) in cells.iter_mut().enumerate() {
        c.mean_min = (time[a].1 > 0.0).then(|| time[a].0 / time[a].1);
        c.mean_m = (dist[a].1 > 0.0).then(|| dist[a].0 / dist[a].1);
    }
}

/// The district of a unit at `level`: as the city's unit file gives it; else the district of
/// the demand area whose outline contains the unit's point; else that of the demand area
/// whose representative point is nearest (a unit on a boundary or outside every area).
pub fn unit_district(data: &Dataset, plan: &UnitPlan, level: &str) -> Option<String> {
    if let Some(d) = plan.districts.get(level) {
        return Some(d.clone());
    }
    use geo::{BoundingRect, Contains, Point};
    let p = Point::new(plan.x, plan.y);
    let containing = data.demand_areas.iter().find(|a| {
        a.geometry
            .bounding_rect()
            .is_some_and(|r| r.min().x <= plan.x && plan.x <= r.max().x && r.min().y <= plan.y && plan.y <= r.max().y)
            && a.geometry.contains(&p)
    });
    let nearest = || {
        data.demand_areas
            .iter()
            .map(|a| ((a.point.x() - plan.x).powi(2) + (a.point.y() - plan.y).powi(2), a))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|m| m.1)
    };
    containing.or_else(nearest)?.districts.get(level).map(|d| d.0.clone())
}

/// Premises figures of the scenario's units by what the scenario does to them.
fn premises_summary(data: &Dataset, plans: &[UnitPlan]) -> PremisesSummary {
    let mut s = PremisesSummary::default();
    let mut places = 0.0;
    for plan in plans {
        let Some(p) = plan.premises.as_ref().and_then(|id| data.premises.iter().find(|q| &q.id.0 == id)) else {
            continue;
        };
        let debt = p.repair_debt_eur.unwrap_or(0.0);
        match plan.status {
            UnitStatus::Closed => s.repair_debt_closed_eur += debt,
            UnitStatus::Kept => s.repair_debt_kept_eur += debt,
            _ => s.repair_debt_changed_eur += debt,
        }
        if plan.open()
            && let Some(c) = p.annual_cost_eur
        {
            s.annual_cost_eur += c;
            places += f64::from(plan.total());
        }
    }
    s.cost_per_place_eur = (places > 0.0).then(|| s.annual_cost_eur / places);
    s
}

/// Places of operating units that no language group may take.
fn unusable_places(data: &Dataset, plans: &[UnitPlan], active: &[usize]) -> Vec<UnusablePlaces> {
    let mut out = Vec::new();
    for &i in active {
        for &(lang, n) in &plans[i].places {
            if let Some(l) = lang
                && n > 0
                && data.language_rules.groups_taking(l).is_empty()
            {
                out.push(UnusablePlaces { unit: plans[i].id.clone(), language: l.code().to_owned(), places: n });
            }
        }
    }
    out
}
