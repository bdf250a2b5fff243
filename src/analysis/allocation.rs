//! Allocation of children to units under capacities, with language as a hard rule
//! (lähipäiväkotiperiaate, the nearest-daycare principle).
//!
//! Two rules on the same input:
//! - [`nearest_with_vacancy`]: the rule as a city applies it. Groups of children (a demand
//!   area and a language) are served in a stated order — nearest first: by the travel time
//!   to their nearest compatible unit, then by area index, then by language — and each child
//!   goes to the nearest compatible unit that still has room (ties: lower unit index).
//! - [`system_optimum`]: the most children served, and among those the least total travel
//!   time, solved exactly as a min-cost flow (the network simplex here; the engine keeps
//!   the flow and repairs it after edits, see [`super::transport`]).
//!
//! Both report unserved children explicitly. Language is a hard rule, the city's
//! [`LanguageRules`]: a child takes shared places or places of a language its group may
//! take (by default Finnish speakers Finnish places, Swedish speakers Swedish places, and
//! everyone else Finnish places). Within a unit a child takes places of its own language
//! before shared places.
//!
//! # Complexity
//! Nearest-with-vacancy: O(G · U log U) for G groups and U units. System optimum: network
//! simplex pivots over O(G · U) arcs (priced: each group's nearest pools first).
//!
//! # Example
//! Two areas, one Finnish-speaking child each, two units with one Finnish place each. Both
//! areas are 1 minute from unit 0; area 0 is 2 minutes from unit 1, area 1 is 10. The rule
//! serves area 0 first (tie on the nearest time, lower area) and sends area 1 far; the
//! optimum swaps them:
//! ```
//! use pave::analysis::allocation::{nearest_with_vacancy, system_optimum, Group, UnitPlaces};
//! use pave::model::{Language, LanguageGroup, LanguageRules};
//! const MIN: u32 = 60_000; // costs are milliseconds
//! let times = [[1, 2], [1, 10]];
//! let cost = |area: u32, unit: u32| times[area as usize][unit as usize] * MIN;
//! let child = |area| Group { area, language: LanguageGroup::Finnish, children: 1 };
//! let groups = [child(0), child(1)];
//! let units = vec![UnitPlaces { places: vec![(Some(Language::Finnish), 1)] }; 2];
//! let rules = LanguageRules::default();
//! let rule = nearest_with_vacancy(&groups, &units, &rules, &cost);
//! let optimum = system_optimum(&groups, &units, &rules, &cost);
//! assert_eq!((rule.served(), rule.total_cost()), (2, u64::from(11 * MIN)));
//! assert_eq!((optimum.served(), optimum.total_cost()), (2, u64::from(3 * MIN)));
//! ```

use crate::model::{Language, LanguageGroup, LanguageRules};
use crate::network::{Cost, UNREACHABLE};

/// Children of one language group living in one demand area.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Group {
    /// Demand area index (row of the travel-time matrix).
    pub area: u32,
    /// Language group of the children.
    pub language: LanguageGroup,
    /// Number of children.
    pub children: u32,
}

/// Places of one unit by service language (`None` = places open to every language).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitPlaces {
    /// Places per language.
    pub places: Vec<(Option<Language>, u32)>,
}

/// Children of one group placed in one unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Assignment {
    /// Group index.
    pub group: u32,
    /// Unit index.
    pub unit: u32,
    /// Children (in the allocation's unit, e.g. hundredths of a child).
    pub children: u32,
    /// Travel time of each, milliseconds.
    pub time: Cost,
}

impl Assignment {
    /// An assignment of `children` of `group` to `unit` at `time` ms each.
    pub fn new(group: u32, unit: u32, children: u32, time: Cost) -> Self {
        Assignment { group, unit, children, time }
    }
}

/// The outcome of an allocation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Allocation {
    /// Placements in group then unit order, one per (group, unit).
    pub assigned: Vec<Assignment>,
    /// Unserved children per group.
    pub unserved: Vec<u32>,
}

impl Allocation {
    /// Total travel time of the assigned children, milliseconds.
    pub fn total_cost(&self) -> u64 {
        self.assigned.iter().map(|a| u64::from(a.children) * u64::from(a.time)).sum()
    }

    /// Children assigned.
    pub fn served(&self) -> u64 {
        self.assigned.iter().map(|a| u64::from(a.children)).sum()
    }

    /// Children assigned to each unit.
    pub fn load(&self, units: usize) -> Vec<u32> {
        let mut load = vec![0; units];
        for a in &self.assigned {
            load[a.unit as usize] += a.children;
        }
        load
    }
}

/// `cost(area, unit)`: travel time, `UNREACHABLE` when not reachable within the cutoff.
pub type CostFn<'a> = dyn Fn(u32, u32) -> Cost + 'a;

fn sort_assigned(a: &mut Vec<Assignment>) {
    a.sort_unstable_by_key(|x| (x.group, x.unit));
    // Merge repeated (group, unit) pairs.
    let mut out: Vec<Assignment> = Vec::with_capacity(a.len());
    for x in a.drain(..) {
        match out.last_mut() {
            Some(l) if l.group == x.group && l.unit == x.unit => l.children += x.children,
            _ => out.push(x),
        }
    }
    *a = out;
}

/// The nearest-daycare rule as cities apply it (see the module doc for the order).
pub fn nearest_with_vacancy(
    groups: &[Group],
    units: &[UnitPlaces],
    rules: &LanguageRules,
    cost: &CostFn<'_>,
) -> Allocation {
    let areas = groups.iter().map(|g| g.area as usize + 1).max().unwrap_or(0);
    let mut reach: Vec<Vec<(Cost, u32)>> = vec![Vec::new(); areas];
    let mut seen = vec![false; areas];
    for g in groups {
        let a = g.area as usize;
        if !std::mem::replace(&mut seen[a], true) {
            reach[a] = (0..units.len() as u32).map(|u| (cost(g.area, u), u)).filter(|o| o.0 != UNREACHABLE).collect();
            reach[a].sort_unstable();
        }
    }
    nearest_with_vacancy_in(groups, units, rules, &reach)
}

/// [`nearest_with_vacancy`] with each area's reachable units given, nearest first (ties:
/// lower unit index): `reach[area]` = (travel time, unit).
///
/// # Complexity
/// O(G log G + Σ options scanned); a group scans its area's list only until it is placed.
pub fn nearest_with_vacancy_in(
    groups: &[Group],
    units: &[UnitPlaces],
    rules: &LanguageRules,
    reach: &[Vec<(Cost, u32)>],
) -> Allocation {
    let mut left: Vec<Vec<u32>> = units.iter().map(|u| u.places.iter().map(|p| p.1).collect()).collect();
    let offers = |g: &Group, u: u32| units[u as usize].places.iter().any(|p| p.1 > 0 && rules.allows(g.language, p.0));
    let first: Vec<Cost> = groups
        .iter()
        .map(|g| reach[g.area as usize].iter().find(|o| offers(g, o.1)).map_or(UNREACHABLE, |o| o.0))
        .collect();
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by_key(|&i| (first[i], groups[i].area, groups[i].language));
    let mut out = Allocation { assigned: Vec::new(), unserved: vec![0; groups.len()] };
    let mut slots: Vec<usize> = Vec::new();
    for i in order {
        let g = groups[i];
        let mut need = g.children;
        for &(c, u) in &reach[g.area as usize] {
            if need == 0 {
                break;
            }
            let unit = &units[u as usize];
            // Language-specific places first, shared places after.
            slots.clear();
            slots.extend(
                (0..unit.places.len()).filter(|&k| unit.places[k].1 > 0 && rules.allows(g.language, unit.places[k].0)),
            );
            slots.sort_by_key(|&k| unit.places[k].0.is_none());
            for &k in &slots {
                let take = need.min(left[u as usize][k]);
                if take > 0 {
                    left[u as usize][k] -= take;
                    need -= take;
                    out.assigned.push(Assignment::new(i as u32, u, take, c));
                }
            }
        }
        out.unserved[i] = need;
    }
    sort_assigned(&mut out.assigned);
    out
}

/// The system optimum: most children served, then least total travel time, exactly.
///
/// Solved by the network simplex ([`super::simplex`]) with pricing over arcs: first on each
/// group's [`FIRST_ARCS`] nearest compatible pools, then adding every left-out arc whose
/// reduced cost under the optimal potentials is negative, until none is — at which point
/// the potentials prove the flow optimal for all arcs. Should the simplex fail, successive
/// shortest paths solve the full network (the tests check the two agree).
pub fn system_optimum(groups: &[Group], units: &[UnitPlaces], rules: &LanguageRules, cost: &CostFn<'_>) -> Allocation {
    priced_optimum(groups, units, rules, cost, FIRST_ARCS)
}

/// [`system_optimum`] starting from `first` arcs per group.
fn priced_optimum(
    groups: &[Group],
    units: &[UnitPlaces],
    rules: &LanguageRules,
    cost: &CostFn<'_>,
    first: usize,
) -> Allocation {
    let pools = pool_list(units);
    let candidates = candidate_arcs(groups, units, &pools, rules, cost);
    let mut on: Vec<Vec<bool>> = candidates.iter().map(|c| (0..c.len()).map(|i| i < first).collect()).collect();
    loop {
        let (problem, roles) = flow_problem(groups, units, &pools, &candidates, &on, None);
        let Some((flows, pi)) = super::simplex::solve(&problem) else {
            let all: Vec<Vec<bool>> = candidates.iter().map(|c| vec![true; c.len()]).collect();
            let (problem, roles) = flow_problem(groups, units, &pools, &candidates, &all, None);
            return allocation(groups.len(), &roles, &super::ssp::solve(&problem));
        };
        let mut added = false;
        for (g, list) in candidates.iter().enumerate() {
            for (i, &(c, k)) in list.iter().enumerate() {
                if !on[g][i] && i64::from(c) + pi[g] - pi[groups.len() + k as usize] < 0 {
                    on[g][i] = true;
                    added = true;
                }
            }
        }
        if !added {
            return allocation(groups.len(), &roles, &flows);
        }
    }
}

/// Arcs per group in the first simplex round.
pub const FIRST_ARCS: usize = 24;

/// The cost of leaving a child unserved: an augmenting path alternates groups and pools and
/// visits each pool once, so it changes travel by at most (2·pools + 3)·`max_cost`; a larger
/// penalty makes "most served" win over "least travel" and keeps the numbers small.
pub fn unserved_cost(max_cost: Cost, pools: usize) -> i64 {
    i64::from(max_cost) * (2 * pools as i64 + 4) + 1
}

/// Pools of places: (unit index, index into the unit's `places`) for every place slot, in
/// unit order — the pool order of [`optimum_state`].
pub fn pools(units: &[UnitPlaces]) -> Vec<(u32, usize)> {
    pool_list(units)
}

/// The system optimum with its proof of optimality kept, so edits can be re-optimised
/// ([`super::transport`]); pools in [`pools`] order. `unserved_cost` must suit every edit to
/// come (see [`unserved_cost`]). Solved from every group on its nearest pool by successive
/// shortest paths on the pools ([`super::transport::Transport::nearest_start`],
/// [`super::transport::Transport::repair`]); the tests check it against the network
/// simplex of [`system_optimum`].
pub fn optimum_state(
    groups: &[Group],
    units: &[UnitPlaces],
    rules: &LanguageRules,
    cost: &CostFn<'_>,
    unserved_cost: i64,
) -> super::transport::Transport {
    let pools = pool_list(units);
    let supply: Vec<i64> = groups.iter().map(|g| i64::from(g.children)).collect();
    let capacity: Vec<i64> = pools.iter().map(|&(u, k)| i64::from(units[u as usize].places[k].1)).collect();
    let candidates = candidate_arcs(groups, units, &pools, rules, cost);
    let arcs = CandidateArcs { candidates: &candidates, pools: &pools, groups, units, rules, cost };
    let mut t = super::transport::Transport::nearest_start(supply, capacity, unserved_cost, &arcs);
    t.repair(&arcs);
    t
}

/// The arcs of [`candidate_arcs`] for [`super::transport`].
struct CandidateArcs<'a> {
    candidates: &'a [Vec<(Cost, u32)>],
    pools: &'a [(u32, usize)],
    groups: &'a [Group],
    units: &'a [UnitPlaces],
    rules: &'a LanguageRules,
    cost: &'a CostFn<'a>,
}

impl super::transport::Arcs for CandidateArcs<'_> {
    fn arcs(&self, g: u32, out: &mut Vec<(u32, i64)>) {
        out.clear();
        out.extend(self.candidates[g as usize].iter().map(|&(c, k)| (k, i64::from(c))));
    }

    fn groups_of(&self, p: u32, out: &mut Vec<(u32, i64)>) {
        out.clear();
        for g in 0..self.groups.len() {
            if let Some(&(c, _)) = self.candidates[g].iter().find(|a| a.1 == p) {
                out.push((g as u32, i64::from(c)));
            }
        }
    }

    fn cost(&self, g: u32, p: u32) -> i64 {
        i64::from((self.cost)(self.groups[g as usize].area, self.pools[p as usize].0))
    }

    fn arc(&self, g: u32, p: u32) -> Option<i64> {
        let (u, slot) = self.pools[p as usize];
        let gr = self.groups[g as usize];
        if !self.rules.allows(gr.language, self.units[u as usize].places[slot].0) {
            return None;
        }
        let c = (self.cost)(gr.area, u);
        (c != UNREACHABLE).then_some(i64::from(c))
    }
}

/// The allocation of flows (group, pool or `None` for unserved, amount) such as
/// [`super::transport::Transport::canonical`] gives; `pools` maps pools to (unit, slot) and
/// `cost(area, unit)` gives each placement's travel time.
pub fn allocation_of_flows(
    flows: &[(u32, Option<u32>, i64)],
    groups: &[Group],
    pools: &[(u32, usize)],
    cost: &CostFn<'_>,
) -> Allocation {
    let mut out = Allocation { assigned: Vec::new(), unserved: vec![0; groups.len()] };
    for &(g, p, f) in flows {
        match p {
            Some(p) => {
                let u = pools[p as usize].0;
                out.assigned.push(Assignment::new(g, u, f as u32, cost(groups[g as usize].area, u)));
            }
            None => out.unserved[g as usize] += f as u32,
        }
    }
    sort_assigned(&mut out.assigned);
    out
}

/// The allocation a transport state holds; `pools` maps its pools to (unit, slot) and
/// `cost(area, unit)` gives each placement's travel time.
pub fn allocation_of(
    t: &super::transport::Transport,
    groups: &[Group],
    pools: &[(u32, usize)],
    cost: &CostFn<'_>,
) -> Allocation {
    let mut out = Allocation { assigned: Vec::new(), unserved: Vec::with_capacity(groups.len()) };
    for (g, gr) in groups.iter().enumerate() {
        for &(p, f) in t.flows_of(g as u32) {
            let u = pools[p as usize].0;
            out.assigned.push(Assignment::new(g as u32, u, f as u32, cost(gr.area, u)));
        }
        out.unserved.push(t.unserved_of(g as u32) as u32);
    }
    sort_assigned(&mut out.assigned);
    out
}

fn allocation(groups: usize, roles: &[ArcRole], flows: &[i64]) -> Allocation {
    let mut out = Allocation { assigned: Vec::new(), unserved: vec![0; groups] };
    for (a, &f) in roles.iter().zip(flows) {
        match *a {
            ArcRole::Place { group, unit, cost } if f > 0 => {
                out.assigned.push(Assignment::new(group, unit, f as u32, cost))
            }
            ArcRole::Unserved { group } => out.unserved[group as usize] = f as u32,
            _ => {}
        }
    }
    sort_assigned(&mut out.assigned);
    out
}

/// What an arc of the flow problem stands for.
#[derive(Clone, Copy, Debug)]
enum ArcRole {
    /// Children of a group taking places of a unit at a travel time.
    Place { group: u32, unit: u32, cost: Cost },
    /// Children of a group left without a place.
    Unserved { group: u32 },
    /// Places of a pool (unit, language slot) into the sink.
    Pool,
}

/// Each group's reachable compatible pools as (cost, pool), cheapest first.
fn candidate_arcs(
    groups: &[Group],
    units: &[UnitPlaces],
    pools: &[(u32, usize)],
    rules: &LanguageRules,
    cost: &CostFn<'_>,
) -> Vec<Vec<(Cost, u32)>> {
    groups
        .iter()
        .map(|gr| {
            let mut v: Vec<(Cost, u32)> = pools
                .iter()
                .enumerate()
                .filter(|&(_, &(u, slot))| rules.allows(gr.language, units[u as usize].places[slot].0))
                .map(|(k, &(u, _))| (cost(gr.area, u), k as u32))
                .filter(|c| c.0 != UNREACHABLE)
                .collect();
            v.sort_unstable();
            v
        })
        .collect()
}

/// Pools: (unit, language slot) with places.
/// Pools: (unit, language slot) for every slot, empty ones included (they take no flow), so
/// pool indices follow the units' slots whatever their places.
fn pool_list(units: &[UnitPlaces]) -> Vec<(u32, usize)> {
    units.iter().enumerate().flat_map(|(u, unit)| (0..unit.places.len()).map(move |k| (u as u32, k))).collect()
}

/// The transportation problem as min-cost flow: groups (supplies) → pools (unit, language
/// slot) → sink, plus group → sink "unserved" arcs whose cost exceeds any saving in travel.
/// `candidates[g]` are the group's (cost, pool) arcs; those with `on[g][i]` are included.
fn flow_problem(
    groups: &[Group],
    units: &[UnitPlaces],
    pools: &[(u32, usize)],
    candidates: &[Vec<(Cost, u32)>],
    on: &[Vec<bool>],
    unserved_cost: Option<i64>,
) -> (super::simplex::Problem, Vec<ArcRole>) {
    let pool_node = |p: usize| (groups.len() + p) as u32;
    let sink = (groups.len() + pools.len()) as u32;
    let max_cost = candidates.iter().flatten().map(|c| c.0).max().unwrap_or(0);
    let unserved_cost = unserved_cost.unwrap_or_else(|| self::unserved_cost(max_cost, pools.len()));
    let mut p =
        super::simplex::Problem { nodes: sink as usize + 1, arcs: Vec::new(), supply: vec![0; sink as usize + 1] };
    let mut roles = Vec::new();
    for (i, gr) in groups.iter().enumerate() {
        p.supply[i] = i64::from(gr.children);
        p.supply[sink as usize] -= i64::from(gr.children);
        for (&(c, k), _) in candidates[i].iter().zip(&on[i]).filter(|x| *x.1) {
            p.arcs.push((i as u32, pool_node(k as usize), i64::from(gr.children), i64::from(c)));
            roles.push(ArcRole::Place { group: i as u32, unit: pools[k as usize].0, cost: c });
        }
        p.arcs.push((i as u32, sink, i64::from(gr.children), unserved_cost));
        roles.push(ArcRole::Unserved { group: i as u32 });
    }
    for (k, &(u, slot)) in pools.iter().enumerate() {
        p.arcs.push((pool_node(k), sink, i64::from(units[u as usize].places[slot].1), 0));
        roles.push(ArcRole::Pool);
    }
    (p, roles)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tuples(a: &Allocation) -> Vec<(u32, u32, u32, Cost)> {
        a.assigned.iter().map(|x| (x.group, x.unit, x.children, x.time)).collect()
    }

    #[test]
    fn the_rule_serves_in_order_and_the_optimum_swaps_on_a_drawn_street() {
        use crate::network::ascii::Drawing;
        use crate::routing::{Access, UNREACHABLE, Workspace, dijkstra::one_to_all};
        // One minute per character; daycares at b and d, one Finnish place each; one child
        // at c (area 0) and one at a (area 1).
        let street = Drawing::parse("a-b-c-------d", 60_000).unwrap();
        let (homes, daycares) = ([street.node('c'), street.node('a')], [street.node('b'), street.node('d')]);
        let mut ws = Workspace::new(street.graph.node_count());
        let mut minutes = [[0; 2]; 2];
        for (area, &home) in homes.iter().enumerate() {
            one_to_all(&street.graph, &[Access { node: home, cost: 0 }], UNREACHABLE, &mut ws);
            for (u, &d) in daycares.iter().enumerate() {
                minutes[area][u] = ws.dist(d);
            }
        }
        let cost = |area: u32, unit: u32| minutes[area as usize][unit as usize];
        let groups: Vec<Group> =
            (0..2).map(|area| Group { area, language: LanguageGroup::Finnish, children: 1 }).collect();
        let units = vec![UnitPlaces { places: vec![(Some(Language::Finnish), 1)] }; 2];
        // Both children are 2 minutes from b: area 0 (c) goes first and takes it, a goes to d.
        let rule = nearest_with_vacancy(&groups, &units, &cost);
        assert_eq!(tuples(&rule), vec![(0, 0, 1, 2 * 60_000), (1, 1, 1, 12 * 60_000)]);
        // The optimum sends c on to d (8 min) and keeps a at b: 10 minutes instead of 14.
        let optimum = system_optimum(&groups, &units, &cost);
        assert_eq!(tuples(&optimum), vec![(0, 1, 1, 8 * 60_000), (1, 0, 1, 2 * 60_000)]);
    }

    fn compatible(g: LanguageGroup, p: Option<Language>) -> bool {
        LanguageRules::default().allows(g, p)
    }

    fn nearest_with_vacancy(g: &[Group], u: &[UnitPlaces], cost: &CostFn<'_>) -> Allocation {
        super::nearest_with_vacancy(g, u, &LanguageRules::default(), cost)
    }

    fn system_optimum(g: &[Group], u: &[UnitPlaces], cost: &CostFn<'_>) -> Allocation {
        super::system_optimum(g, u, &LanguageRules::default(), cost)
    }

    fn fixture() -> (Vec<Group>, Vec<UnitPlaces>, [[Cost; 2]; 2]) {
        // Areas A (0) and B (1); unit 0 has 10 shared places, unit 1 has 10 Finnish and 5
        // Swedish places. Minutes: A→0 5, A→1 10, B→0 6, B→1 20.
        let groups = vec![
            Group { area: 0, language: LanguageGroup::Finnish, children: 8 },
            Group { area: 1, language: LanguageGroup::Finnish, children: 6 },
            Group { area: 0, language: LanguageGroup::Swedish, children: 3 },
        ];
        let units = vec![
            UnitPlaces { places: vec![(None, 10)] },
            UnitPlaces { places: vec![(Some(Language::Finnish), 10), (Some(Language::Swedish), 5)] },
        ];
        (groups, units, [[5, 10], [6, 20]])
    }

    #[test]
    fn nearest_with_vacancy_by_hand() {
        let (groups, units, m) = fixture();
        let a = nearest_with_vacancy(&groups, &units, &|area, u| m[area as usize][u as usize]);
        // Order: A-fi (nearest 5), A-sv (5), B-fi (6). A-fi takes 8 shared places at unit 0;
        // A-sv takes the last 2 there and 1 Swedish place at unit 1; B-fi finds unit 0 full
        // and goes to unit 1 (20 min).
        assert_eq!(tuples(&a), vec![(0, 0, 8, 5), (1, 1, 6, 20), (2, 0, 2, 5), (2, 1, 1, 10)]);
        assert_eq!(a.unserved, vec![0, 0, 0]);
        assert_eq!(a.total_cost(), 180);
    }

    #[test]
    fn system_optimum_by_hand() {
        let (groups, units, m) = fixture();
        let a = system_optimum(&groups, &units, &|area, u| m[area as usize][u as usize]);
        // B-fi gains most from unit 0 (14 per child): 6 there; 4 more shared places go to
        // A (saving 5 each); the rest travel 10: 6·6 + 4·5 + 7·10 = 126.
        assert_eq!(a.total_cost(), 126);
        assert_eq!(a.served(), 17);
        assert!(tuples(&a).contains(&(1, 0, 6, 6)));
    }

    #[test]
    fn swedish_children_take_swedish_places_before_shared_ones() {
        // Found by the property test (its replay filled shared places first): unit 2 has 2
        // shared and 1 Swedish place; two Finnish/other children and 2 Swedish children
        // want it. The Swedish children get the Swedish place and the second goes on to
        // unit 1 — no place at unit 2 is left unused.
        let groups = vec![
            Group { area: 1, language: LanguageGroup::Swedish, children: 2 },
            Group { area: 0, language: LanguageGroup::Finnish, children: 1 },
            Group { area: 0, language: LanguageGroup::Other, children: 1 },
        ];
        let units = vec![
            UnitPlaces { places: vec![(None, 0)] },
            UnitPlaces { places: vec![(None, 1)] },
            UnitPlaces { places: vec![(None, 2), (Some(Language::Swedish), 1)] },
        ];
        let m = [[UNREACHABLE, UNREACHABLE, 1], [UNREACHABLE, 9, 1]];
        let a = nearest_with_vacancy(&groups, &units, &|area, u| m[area as usize][u as usize]);
        assert_eq!(tuples(&a), vec![(0, 1, 1, 9), (0, 2, 1, 1), (1, 2, 1, 1), (2, 2, 1, 1)]);
        assert_eq!(a.unserved, vec![0, 0, 0]);
    }

    #[test]
    fn unserved_children_are_explicit() {
        // 5 Swedish-speaking children, one unit with only Finnish places: none served.
        let groups = vec![Group { area: 0, language: LanguageGroup::Swedish, children: 5 }];
        let units = vec![UnitPlaces { places: vec![(Some(Language::Finnish), 50)] }];
        for a in [nearest_with_vacancy(&groups, &units, &|_, _| 1), system_optimum(&groups, &units, &|_, _| 1)] {
            assert_eq!((a.served(), a.unserved.clone()), (0, vec![5]));
        }
    }

    /// Exhaustive search: every child to a compatible pool with room or unserved; the best
    /// (most served, then least cost).
    fn brute(groups: &[Group], units: &[UnitPlaces], m: &[Vec<Cost>]) -> (u64, u64) {
        let children: Vec<usize> =
            groups.iter().enumerate().flat_map(|(i, g)| std::iter::repeat_n(i, g.children as usize)).collect();
        let mut left: Vec<Vec<u32>> = units.iter().map(|u| u.places.iter().map(|p| p.1).collect()).collect();
        #[allow(clippy::too_many_arguments)] // a plain recursive oracle reads best flat
        fn go(
            k: usize,
            children: &[usize],
            groups: &[Group],
            units: &[UnitPlaces],
            m: &[Vec<Cost>],
            left: &mut Vec<Vec<u32>>,
            served: u64,
            cost: u64,
            best: &mut (u64, u64),
        ) {
            if k == children.len() {
                if served > best.0 || (served == best.0 && cost < best.1) {
                    *best = (served, cost);
                }
                return;
            }
            let g = groups[children[k]];
            go(k + 1, children, groups, units, m, left, served, cost, best);
            for u in 0..units.len() {
                let c = m[g.area as usize][u];
                if c == UNREACHABLE {
                    continue;
                }
                for p in 0..units[u].places.len() {
                    if left[u][p] > 0 && compatible(g.language, units[u].places[p].0) {
                        left[u][p] -= 1;
                        go(k + 1, children, groups, units, m, left, served + 1, cost + u64::from(c), best);
                        left[u][p] += 1;
                    }
                }
            }
        }
        let mut best = (0, u64::MAX);
        go(0, &children, groups, units, m, &mut left, 0, 0, &mut best);
        if best.1 == u64::MAX { (0, 0) } else { best }
    }

    fn instance() -> impl Strategy<Value = (Vec<Group>, Vec<UnitPlaces>, Vec<Vec<Cost>>)> {
        let lang = prop_oneof![Just(LanguageGroup::Finnish), Just(LanguageGroup::Swedish), Just(LanguageGroup::Other)];
        let place = prop_oneof![Just(None), Just(Some(Language::Finnish)), Just(Some(Language::Swedish))];
        let groups = proptest::collection::vec((0u32..3, lang, 1u32..3), 1..4);
        let units = proptest::collection::vec(proptest::collection::vec((place, 0u32..3), 1..3), 1..4);
        let costs =
            proptest::collection::vec(proptest::collection::vec(prop_oneof![Just(UNREACHABLE), 1u32..50], 3), 3);
        (groups, units, costs).prop_map(|(g, u, c)| {
            let groups: Vec<Group> =
                g.into_iter().map(|(area, language, children)| Group { area, language, children }).collect();
            let units: Vec<UnitPlaces> = u.into_iter().map(|places| UnitPlaces { places }).collect();
            (groups, units, c)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn optimum_matches_exhaustive_search((groups, units, m) in instance()) {
            let total: u64 = groups.iter().map(|g| u64::from(g.children)).sum();
            prop_assume!(total <= 6);
            let cost = |a: u32, u: u32| m[a as usize][u as usize];
            let opt = system_optimum(&groups, &units, &cost);
            prop_assert_eq!((opt.served(), opt.total_cost()), brute(&groups, &units, &m));
        }

        #[test]
        fn simplex_equals_successive_shortest_paths(
            seed in 0u64..u64::MAX,
            n_groups in 1usize..60,
            n_units in 1usize..8,
            scarce in prop::bool::ANY,
        ) {
            // Medium random instances, often with too few places: two independent exact
            // methods on the same network must reach the same served count and cost.
            let mut x = seed | 1;
            let mut next = |k: u64| { x ^= x << 13; x ^= x >> 7; x ^= x << 17; x % k };
            let langs = [LanguageGroup::Finnish, LanguageGroup::Swedish, LanguageGroup::Other, LanguageGroup::All];
            let groups: Vec<Group> = (0..n_groups)
                .map(|i| Group { area: i as u32, language: langs[next(4) as usize], children: 1 + next(40) as u32 })
                .collect();
            let kinds = [Some(Language::Finnish), Some(Language::Swedish), None];
            let units: Vec<UnitPlaces> = (0..n_units)
                .map(|_| UnitPlaces { places: (0..1 + next(2)).map(|_| (kinds[next(3) as usize], next(if scarce { 60 } else { 400 }) as u32)).collect() })
                .collect();
            let m: Vec<Vec<Cost>> = (0..n_groups)
                .map(|_| (0..n_units).map(|_| if next(6) == 0 { UNREACHABLE } else { next(1_000_000) as Cost }).collect())
                .collect();
            let cost = |a: u32, u: u32| m[a as usize][u as usize];
            let pools = pool_list(&units);
            let candidates = candidate_arcs(&groups, &units, &pools, &LanguageRules::default(), &cost);
            let all: Vec<Vec<bool>> = candidates.iter().map(|c| vec![true; c.len()]).collect();
            let (problem, _) = flow_problem(&groups, &units, &pools, &candidates, &all, None);
            let simplex = crate::analysis::simplex::solve(&problem).expect("feasible: unserved arcs").0;
            let ssp = crate::analysis::ssp::solve(&problem);
            let total = |f: &[i64]| -> i64 { f.iter().zip(&problem.arcs).map(|(f, a)| f * a.3).sum() };
            prop_assert_eq!(total(&simplex), total(&ssp));
            // The priced system optimum (few arcs first) reaches the same cost.
            let unserved_cost = problem.arcs.iter().map(|a| a.3).max().unwrap_or(0);
            for first in [1, 2, FIRST_ARCS] {
                let priced = priced_optimum(&groups, &units, &LanguageRules::default(), &cost, first);
                let unserved: u64 = priced.unserved.iter().map(|&u| u64::from(u)).sum();
                prop_assert_eq!(priced.total_cost() as i64 + unserved as i64 * unserved_cost, total(&ssp));
            }
            // Both are feasible flows: conservation at every node, capacities respected.
            for f in [&simplex, &ssp] {
                let mut balance = problem.supply.clone();
                for (flow, a) in f.iter().zip(&problem.arcs) {
                    prop_assert!(*flow >= 0 && *flow <= a.2);
                    balance[a.0 as usize] -= flow;
                    balance[a.1 as usize] += flow;
                }
                prop_assert!(balance.iter().all(|&b| b == 0));
            }
        }

        #[test]
        fn both_rules_conserve_children_and_respect_capacity((groups, units, m) in instance()) {
            let cost = |a: u32, u: u32| m[a as usize][u as usize];
            let total: u64 = groups.iter().map(|g| u64::from(g.children)).sum();
            let near = nearest_with_vacancy(&groups, &units, &cost);
            let opt = system_optimum(&groups, &units, &cost);
            for a in [&near, &opt] {
                prop_assert_eq!(a.served() + a.unserved.iter().map(|&u| u64::from(u)).sum::<u64>(), total);
                for (u, load) in a.load(units.len()).into_iter().enumerate() {
                    prop_assert!(load <= units[u].places.iter().map(|p| p.1).sum::<u32>());
                }
                for &Assignment { group: g, unit: u, time: c, .. } in &a.assigned {
                    prop_assert!(units[u as usize].places.iter().any(|p| compatible(groups[g as usize].language, p.0)));
                    prop_assert_eq!(c, m[groups[g as usize].area as usize][u as usize]);
                }
            }
            // The optimum serves at least as many, and no more expensively per served count.
            prop_assert!(opt.served() >= near.served());
            if opt.served() == near.served() {
                prop_assert!(opt.total_cost() <= near.total_cost());
            }
            // Nearest-with-vacancy: nobody went past a nearer compatible unit that still had
            // room at the end.
            let mut left: Vec<Vec<u32>> = units.iter().map(|u| u.places.iter().map(|p| p.1).collect()).collect();
            // Replay the slots as the rule fills them: language places first, then shared
            // (per unit, a language's own places used = min(its children there, its places),
            // whatever the order the groups came in).
            for &Assignment { group: g, unit: u, children: k, .. } in &near.assigned {
                let gr = groups[g as usize];
                let mut k = k;
                let mut slots: Vec<usize> = (0..units[u as usize].places.len())
                    .filter(|&p| compatible(gr.language, units[u as usize].places[p].0))
                    .collect();
                slots.sort_by_key(|&p| units[u as usize].places[p].0.is_none());
                for p in slots {
                    let t = k.min(left[u as usize][p]);
                    left[u as usize][p] -= t;
                    k -= t;
                }
            }
            for &Assignment { group: g, unit: u, time: c, .. } in &near.assigned {
                let gr = groups[g as usize];
                for (v, unit) in units.iter().enumerate() {
                    let cv = m[gr.area as usize][v];
                    let room = unit.places.iter().enumerate().any(|(p, place)| compatible(gr.language, place.0) && left[v][p] > 0);
                    prop_assert!(!(room && cv != UNREACHABLE && (cv, v as u32) < (c, u)), "group {} sent to unit {} past unit {} with room", g, u, v);
                }
            }
        }
    }
}
