//! Scoring one scenario: allocation by both rules, nearest-daycare KPIs for the city, its
//! districts and language groups, accessibility and equity per demand area, utilisation and
//! premises figures per unit. Pure: takes the data, the units, the demand and the travel
//! times; does no I/O.

use super::apply::{UnitPlan, UnitStatus};
use crate::analysis::accessibility::{cumulative, e2sfca, gravity, two_step};
use crate::analysis::allocation::{Allocation, Group, Unit, nearest_with_vacancy, system_optimum};
use crate::analysis::demand::{Demand, GROUPS, in_hundredths};
use crate::analysis::equity::{gini, quantile, share_below};
use crate::analysis::kpi::{Placement, Summary, summarise};
use crate::analysis::times::{TravelTimes, minutes};
use crate::model::Dataset;
use crate::model::scenario::{Parameters, Rule};
use crate::network::{Cost, UNREACHABLE};
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

fn allocation_units(plans: &[UnitPlan], active: &[usize]) -> Vec<Unit> {
    active
        .iter()
        .map(|&i| Unit { places: plans[i].places.iter().map(|p| (p.0, (f64::from(p.1) * SCALE) as u32)).collect() })
        .collect()
}

/// Decimetres as metres; `None` when unreachable.
fn metres(dm: Cost) -> Option<f64> {
    (dm != UNREACHABLE).then(|| f64::from(dm) / 10.0)
}

fn placements(groups: &[Group], a: &Allocation, nearest: &[Cost], dist: &TravelTimes) -> Vec<Placement> {
    let mut out: Vec<Placement> = a
        .assigned
        .iter()
        .map(|&(g, u, n, t)| Placement {
            area: groups[g as usize].area,
            group: GROUPS.iter().position(|x| *x == groups[g as usize].language).unwrap_or(3) as u8,
            children: f64::from(n) / SCALE,
            unit: Some((u, t)),
            nearest: t <= nearest[g as usize],
            distance_m: metres(dist.get(groups[g as usize].area as usize, u as usize)),
        })
        .collect();
    for (g, &n) in a.unserved.iter().enumerate() {
        if n > 0 {
            let gr = groups[g];
            out.push(Placement {
                area: gr.area,
                group: GROUPS.iter().position(|x| *x == gr.language).unwrap_or(3) as u8,
                children: f64::from(n) / SCALE,
                unit: None,
                nearest: false,
                distance_m: None,
            });
        }
    }
    out
}

/// Scores a scenario. `by_age[k]` is the demand of the k-th served age alone; `distances`
/// are network distances in decimetres in the shape of `times`.
pub fn evaluate(
    data: &Dataset,
    params: &Parameters,
    plans: Vec<UnitPlan>,
    demand: &Demand,
    by_age: &[Demand],
    (times, distances): (&TravelTimes, &TravelTimes),
) -> Outcome {
    let active: Vec<usize> = (0..plans.len()).filter(|&i| plans[i].open()).collect();
    let min = |m: f64| (m * 60_000.0).round() as Cost;
    let units = allocation_units(&plans, &active);
    let hundredths = in_hundredths(demand, params.participation);
    let mut groups = Vec::new();
    for (a, c) in hundredths.iter().enumerate() {
        for (g, &amount) in c.iter().enumerate() {
            if amount > 0 {
                groups.push(Group { area: a as u32, language: GROUPS[g], children: amount });
            }
        }
    }
    let cost = |area: u32, u: u32| times.get(area as usize, u as usize);
    let rules = &data.language_rules;
    // Each group's nearest unit with places it may take: (time, unit), lower index on ties.
    let nearest_compatible: Vec<(Cost, u32)> = groups
        .iter()
        .map(|g| {
            (0..units.len())
                .filter(|&u| units[u].places.iter().any(|p| p.1 > 0 && rules.allows(g.language, p.0)))
                .map(|u| (times.get(g.area as usize, u), u as u32))
                .filter(|c| c.0 != UNREACHABLE)
                .min()
                .unwrap_or((UNREACHABLE, u32::MAX))
        })
        .collect();
    let (rule_alloc, opt_alloc) = rayon::join(
        || nearest_with_vacancy(&groups, &units, rules, &cost),
        || system_optimum(&groups, &units, rules, &cost),
    );
    // The travel comparison of the two rules places the same children: those the rule
    // served, per group, placed at least total travel under the same capacities.
    let served_by_rule: Vec<Group> =
        groups.iter().zip(&rule_alloc.unserved).map(|(g, &u)| Group { children: g.children - u, ..*g }).collect();
    // Where the optimum serves exactly the rule's children of every group, it is itself the
    // least-travel placement of those children (any cheaper one would beat the optimum).
    let same_children = if rule_alloc.unserved == opt_alloc.unserved {
        opt_alloc.clone()
    } else {
        system_optimum(&served_by_rule, &units, rules, &cost)
    };
    let nearest_time: Vec<Cost> = nearest_compatible.iter().map(|n| n.0).collect();
    let rule_p = placements(&groups, &rule_alloc, &nearest_time, distances);
    let opt_p = placements(&groups, &opt_alloc, &nearest_time, distances);
    let tm = params.threshold_m;
    let threshold = min(params.threshold_min);
    let all = |_: &Placement| true;
    let (headline, other) = match params.allocation {
        Rule::NearestWithVacancy => (&rule_p, &opt_p),
        Rule::SystemOptimum => (&opt_p, &rule_p),
    };
    // Cells.
    let children_of = |a: usize| -> f64 { f64::from(hundredths[a].iter().sum::<u32>()) / SCALE };
    let supply: Vec<f64> = active.iter().map(|&i| f64::from(plans[i].total())).collect();
    let cell_demand: Vec<f64> = (0..times.cells).map(children_of).collect();
    let catchment = min(params.catchment_min);
    let bands: Vec<Cost> = params.e2sfca_bands_min.iter().map(|&b| min(b)).collect();
    let cum = cumulative(times, &supply, catchment);
    let grav = gravity(times, &supply, params.decay);
    let sfca = two_step(times, &supply, &cell_demand, catchment);
    let e2 = e2sfca(times, &supply, &cell_demand, &bands, &params.e2sfca_weights);
    let mut cells: Vec<CellResult> = (0..times.cells)
        .map(|a| {
            let k = times.nearest(a, params.k_nearest, &|u| supply[u] > 0.0);
            CellResult {
                children: hundredths[a].map(|c| f64::from(c) / SCALE),
                nearest: k.first().copied(),
                nearest_m: k.first().and_then(|&(_, u)| metres(distances.get(a, u as usize))),
                k_nearest: k,
                cumulative: cum[a],
                gravity: grav[a],
                sfca: sfca[a],
                e2sfca: e2[a],
                ..CellResult::default()
            }
        })
        .collect();
    let (rule_units, optimum_units) = (main_units(&rule_p, cells.len()), main_units(&opt_p, cells.len()));
    headline_travel(headline, &mut cells);
    for (a, c) in cells.iter_mut().enumerate() {
        c.rule_unit = rule_units[a];
        c.optimum_unit = optimum_units[a];
        c.allocated = if params.allocation == Rule::NearestWithVacancy { rule_units[a] } else { optimum_units[a] };
    }
    // Units.
    let ages = by_age.len();
    let mut unit_results: Vec<UnitResult> =
        active.iter().map(|_| UnitResult { catchment_by_age: vec![0.0; ages], ..UnitResult::default() }).collect();
    // Catchment: each group's children count at its nearest unit with places it may take.
    for (g, &(_, u)) in groups.iter().zip(&nearest_compatible) {
        if u == u32::MAX {
            continue;
        }
        let a = g.area as usize;
        let r = &mut unit_results[u as usize];
        let here = f64::from(g.children) / SCALE;
        r.catchment_children += here;
        // By age: the group's children split by the cell's shares of each age.
        let cell_total = demand.area_total(a);
        for (k, d) in by_age.iter().enumerate() {
            let age_total = d.children.get(a).map_or(0.0, |c| c.iter().sum::<f64>());
            r.catchment_by_age[k] += here * age_total / cell_total;
        }
    }
    for p in &rule_p {
        if let Some((u, _)) = p.unit {
            unit_results[u as usize].placed_rule += p.children;
        }
    }
    for p in &opt_p {
        if let Some((u, _)) = p.unit {
            unit_results[u as usize].placed_optimum += p.children;
        }
    }
    let level = params.district_level.clone().or_else(|| data.district_levels.last().cloned()).unwrap_or_default();
    let mut over_used = Vec::new();
    let mut under_used = Vec::new();
    for (j, r) in unit_results.iter_mut().enumerate() {
        let plan = &plans[active[j]];
        let places = f64::from(plan.total());
        let placed = if params.allocation == Rule::NearestWithVacancy { r.placed_rule } else { r.placed_optimum };
        r.utilisation = (places > 0.0).then(|| placed / places);
        r.pressure = (places > 0.0).then(|| r.catchment_children / places);
        if r.pressure.is_some_and(|p| p > params.over_used_above) {
            over_used.push(plan.id.clone());
        }
        if r.utilisation.is_some_and(|u| u < params.under_used_below) {
            under_used.push(plan.id.clone());
        }
        r.district = unit_district(data, plan, &level);
        if let Some(p) = plan.premises.as_ref().and_then(|id| data.premises.iter().find(|q| &q.id.0 == id)) {
            r.cost_per_place_eur = p.annual_cost_eur.filter(|_| places > 0.0).map(|c| c / places);
            r.floor_m2_per_child = p.floor_area_m2.filter(|_| placed > 0.0).map(|f| f / placed);
            r.repair_debt_eur = p.repair_debt_eur;
        }
    }
    let premises = premises_summary(data, &plans);
    // Districts.
    let mut codes: Vec<String> =
        data.demand_areas.iter().filter_map(|a| a.districts.get(&level).map(|d| d.0.clone())).collect();
    codes.sort();
    codes.dedup();
    let district_of: Vec<Option<&str>> =
        data.demand_areas.iter().map(|a| a.districts.get(&level).map(|d| d.as_str())).collect();
    let districts = codes
        .iter()
        .map(|code| {
            let kpi = summarise(headline, &|p| district_of[p.area as usize] == Some(code.as_str()), threshold, tm);
            let members: Vec<(f64, f64)> = (0..cells.len())
                .filter(|&a| district_of[a] == Some(code.as_str()))
                .map(|a| (cells[a].sfca, children_of(a)))
                .collect();
            let w: f64 = members.iter().map(|m| m.1).sum();
            DistrictRow {
                name: data
                    .districts
                    .iter()
                    .find(|d| d.level == level && d.code.0 == *code)
                    .map_or_else(String::new, |d| d.name_fi.clone()),
                code: code.clone(),
                kpi,
                places: unit_results
                    .iter()
                    .zip(&active)
                    .filter(|(r, _)| r.district.as_deref() == Some(code.as_str()))
                    .map(|(_, &i)| f64::from(plans[i].total()))
                    .sum(),
                mean_sfca: (w > 0.0).then(|| members.iter().map(|m| m.0 * m.1).sum::<f64>() / w),
            }
        })
        .collect();
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
    let mut unusable = Vec::new();
    for &i in &active {
        for &(lang, n) in &plans[i].places {
            if let Some(l) = lang
                && n > 0
                && rules.groups_taking(l).is_empty()
            {
                unusable.push(super::kpis::UnusablePlaces {
                    unit: plans[i].id.clone(),
                    language: l.code().to_owned(),
                    places: n,
                });
            }
        }
    }
    Outcome {
        unusable,
        rule_child_minutes: child_minutes(&rule_alloc),
        same_children_optimum_child_minutes: child_minutes(&same_children),
        rule: summarise(&rule_p, &all, threshold, tm),
        optimum: summarise(&opt_p, &all, threshold, tm),
        children: cell_demand.iter().sum(),
        by_language,
        districts,
        district_level: level,
        equity,
        premises,
        over_used,
        under_used,
        cells,
        units: unit_results,
        placements: headline.clone(),
        other_placements: other.clone(),
        active,
        plans,
    }
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
fn unit_district(data: &Dataset, plan: &UnitPlan, level: &str) -> Option<String> {
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
    let area = containing.or_else(|| nearest_area(data, plan.x, plan.y).map(|i| &data.demand_areas[i]))?;
    area.districts.get(level).map(|d| d.0.clone())
}

/// Index of the demand area whose representative point is nearest to (x, y).
fn nearest_area(data: &Dataset, x: f64, y: f64) -> Option<usize> {
    data.demand_areas
        .iter()
        .enumerate()
        .map(|(i, a)| ((a.point.x() - x).powi(2) + (a.point.y() - y).powi(2), i))
        .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
        .map(|m| m.1)
}

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
