//! The allocation's min-cost flow kept between evaluations, so an edit is re-optimised from
//! the previous optimum instead of solved again (warm start).
//!
//! The network is the one of [`super::allocation::system_optimum`]: groups of children
//! (supplies) → pools of places (a unit's places of one language, with a capacity) → the
//! sink, plus each group's "unserved" arc to the sink at a cost `M` higher than any saving
//! in travel. A state holds a flow and node potentials π with every residual arc's reduced
//! cost `c(u,v) + π(u) − π(v)` ≥ 0, which proves the flow optimal.
//!
//! An edit changes capacities, adds pools or changes supplies. It may unbalance nodes
//! (excess or deficit) and, where a new residual arc would have a negative reduced cost,
//! that arc is saturated first. [`Transport::repair`] then restores balance by successive
//! shortest paths (Dijkstra on reduced costs from all excess nodes to the nearest deficit,
//! potentials updated on the settled nodes only), which keeps the reduced costs ≥ 0: the
//! result is an exact optimum again.
//!
//! Source: Ahuja, Magnanti & Orlin, *Network Flows* (1993), §9.7 (successive shortest
//! paths) and §9.9 (re-optimisation).
//!
//! # Complexity
//! Per augmentation one Dijkstra over the part of the residual graph nearer than the
//! nearest deficit: O(A' log N') for the A' arcs it scans. An edit that moves a few
//! groups takes a few augmentations.
//!
//! # Examples
//! ```
//! use pave::analysis::transport::{Arcs, Transport};
//! // Two groups (3 and 2 children) and two pools (capacity 3 each); group 0 reaches pool 0
//! // in 1 and pool 1 in 5, group 1 only pool 0 in 2.
//! struct Two;
//! impl Arcs for Two {
//!     fn arcs(&self, g: u32, out: &mut Vec<(u32, i64)>) {
//!         out.clear();
//!         out.extend(if g == 0 { vec![(0, 1), (1, 5)] } else { vec![(0, 2)] });
//!     }
//!     fn groups_of(&self, p: u32, out: &mut Vec<(u32, i64)>) {
//!         out.clear();
//!         out.extend(if p == 0 { vec![(0, 1), (1, 2)] } else { vec![(0, 5)] });
//!     }
//! }
//! let mut t = Transport::new(vec![3, 2], vec![3, 3], 1_000);
//! t.repair(&Two);
//! // Group 1 can only use pool 0: it takes 2 there, group 0 takes 1 there and 2 at pool 1.
//! assert_eq!((t.served(), t.total_cost(&Two)), (5, 1 + 2 * 5 + 2 * 2));
//! ```

mod repair;

/// The arcs of the flow network, given by the caller (usually from cached travel times).
pub trait Arcs {
    /// Every arc of group `g`: (pool, cost), into `out` (cleared first).
    fn arcs(&self, g: u32, out: &mut Vec<(u32, i64)>);
    /// Every arc into pool `p`: (group, cost), into `out` (cleared first).
    fn groups_of(&self, p: u32, out: &mut Vec<(u32, i64)>);
    /// The cost of the arc group `g` → pool `p` (which exists).
    fn cost(&self, g: u32, p: u32) -> i64 {
        self.arc(g, p).unwrap_or(0)
    }
    /// The cost of the arc group `g` → pool `p`, if there is one.
    fn arc(&self, g: u32, p: u32) -> Option<i64> {
        let mut buf = Vec::new();
        self.arcs(g, &mut buf);
        buf.iter().find(|a| a.0 == p).map(|a| a.1)
    }
}

/// A min-cost flow of groups to pools with potentials proving it optimal (see the module).
#[derive(Clone, Debug, Default)]
pub struct Transport {
    supply: Vec<i64>,
    unserved: Vec<i64>,
    /// Per group: (pool, flow > 0).
    flows: Vec<Vec<(u32, i64)>>,
    capacity: Vec<i64>,
    load: Vec<i64>,
    /// Per pool: groups with flow on it.
    members: Vec<Vec<u32>>,
    /// Potentials: groups, then pools, then the sink.
    pi: Vec<i64>,
    unserved_cost: i64,
    /// Augmentations run by the last [`Transport::repair`].
    pub augmentations: usize,
}

/// How a flow change altered a pool's members.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Membership {
    Joined,
    Left,
    Same,
}

/// A node of the residual graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Node {
    Group(u32),
    Pool(u32),
    Sink,
}

impl Transport {
    /// The empty flow on `supply` (children per group) and `capacity` (places per pool),
    /// with everything still to route (every group in excess); `unserved_cost` must exceed
    /// any change in travel an augmenting path can make (see `system_optimum`).
    pub fn new(supply: Vec<i64>, capacity: Vec<i64>, unserved_cost: i64) -> Self {
        let (g, p) = (supply.len(), capacity.len());
        Transport {
            unserved: vec![0; g],
            flows: vec![Vec::new(); g],
            load: vec![0; p],
            members: vec![Vec::new(); p],
            pi: vec![0; g + p + 1],
            supply,
            capacity,
            unserved_cost,
            augmentations: 0,
        }
    }

    /// Every group's whole supply on its cheapest arc with places (ties: the lower pool),
    /// potentials 0 on pools and the sink and each group tight on its arc: optimal were
    /// the pools unbounded. Pools over capacity keep the overflow as excess (the sink has
    /// the matching deficit); [`Transport::repair`] then makes it the optimum.
    pub fn nearest_start(supply: Vec<i64>, capacity: Vec<i64>, unserved_cost: i64, arcs: &dyn Arcs) -> Self {
        let mut t = Transport::new(supply, capacity, unserved_cost);
        let mut inflow = vec![0i64; t.pools()];
        let mut buf = Vec::new();
        for g in 0..t.groups() as u32 {
            let s = t.supply[g as usize];
            if s == 0 {
                continue;
            }
            arcs.arcs(g, &mut buf);
            let best = buf.iter().filter(|a| t.capacity[a.0 as usize] > 0).map(|&(p, c)| (c, p)).min();
            match best {
                Some((c, p)) if c < unserved_cost => {
                    let _ = t.add_flow(g, p, s);
                    inflow[p as usize] += s;
                    t.pi[g as usize] = -c;
                }
                _ => {
                    t.unserved[g as usize] = s;
                    t.pi[g as usize] = -unserved_cost;
                }
            }
        }
        for (p, f) in inflow.into_iter().enumerate() {
            t.load[p] = f.min(t.capacity[p]);
        }
        t
    }

    fn groups(&self) -> usize {
        self.supply.len()
    }

    fn index(&self, n: Node) -> usize {
        match n {
            Node::Group(g) => g as usize,
            Node::Pool(p) => self.groups() + p as usize,
            Node::Sink => self.pi.len() - 1,
        }
    }

    fn node(&self, i: usize) -> Node {
        let g = self.groups();
        if i < g {
            Node::Group(i as u32)
        } else if i + 1 < self.pi.len() {
            Node::Pool((i - g) as u32)
        } else {
            Node::Sink
        }
    }

    fn flow(&self, g: u32, p: u32) -> i64 {
        self.flows[g as usize].iter().find(|f| f.0 == p).map_or(0, |f| f.1)
    }

    /// Adds `f` (may be negative) to group `g`'s flow on pool `p`; returns how the pool's
    /// members changed.
    fn add_flow(&mut self, g: u32, p: u32, f: i64) -> Membership {
        let list = &mut self.flows[g as usize];
        match list.iter().position(|x| x.0 == p) {
            Some(i) => {
                list[i].1 += f;
                if list[i].1 == 0 {
                    list.swap_remove(i);
                    let m = &mut self.members[p as usize];
                    if let Some(j) = m.iter().position(|&x| x == g) {
                        m.swap_remove(j);
                    }
                    Membership::Left
                } else {
                    Membership::Same
                }
            }
            None if f != 0 => {
                list.push((p, f));
                self.members[p as usize].push(g);
                Membership::Joined
            }
            None => Membership::Same,
        }
    }

    /// Children per group taken by the pools: (pool, amount).
    pub fn flows_of(&self, g: u32) -> &[(u32, i64)] {
        &self.flows[g as usize]
    }

    /// Unserved children of group `g`.
    pub fn unserved_of(&self, g: u32) -> i64 {
        self.unserved[g as usize]
    }

    /// Children served in all.
    pub fn served(&self) -> i64 {
        self.load.iter().sum()
    }

    /// Total travel of the served children (sum of flow × arc cost).
    pub fn total_cost(&self, arcs: &dyn Arcs) -> i64 {
        let mut buf = Vec::new();
        let mut total = 0;
        for g in 0..self.groups() as u32 {
            arcs.arcs(g, &mut buf);
            for &(p, f) in &self.flows[g as usize] {
                total += f * buf.iter().find(|a| a.0 == p).map_or(0, |a| a.1);
            }
        }
        total
    }

    /// Number of pools.
    pub fn pools(&self) -> usize {
        self.capacity.len()
    }

    /// Sets the capacity of pool `p`: the flow above it becomes excess at the pool, and new
    /// room the pool's potential says is worth using is saturated (see the module doc).
    pub fn set_capacity(&mut self, p: u32, capacity: i64, arcs: &dyn Arcs) {
        let i = p as usize;
        self.capacity[i] = capacity.max(0);
        if self.load[i] > self.capacity[i] {
            self.load[i] = self.capacity[i];
        }
        let (pool, sink) = (self.index(Node::Pool(p)), self.index(Node::Sink));
        if self.members[i].is_empty() && self.load[i] == 0 {
            // Nothing flows through the pool, so its potential is free: as high as the arcs
            // into it allow (they were not kept in view while it was closed), at most the
            // sink's.
            let mut into = Vec::new();
            arcs.groups_of(p, &mut into);
            let lowest = into.iter().map(|&(g, c)| c + self.pi[g as usize]).min();
            self.pi[pool] = lowest.map_or(self.pi[sink], |l| l.min(self.pi[sink]));
        }
        if self.load[i] < self.capacity[i] && self.pi[pool] < self.pi[sink] {
            // The arc pool → sink has a negative reduced cost: fill it; the pool then pulls
            // flow in (deficit) and the sink has the surplus (excess).
            self.load[i] = self.capacity[i];
        }
    }

    /// Adds a pool of `capacity` places; `arcs` must already list its arcs. Returns its index.
    pub fn add_pool(&mut self, capacity: i64, arcs: &dyn Arcs) -> u32 {
        let p = self.capacity.len() as u32;
        self.capacity.push(0);
        self.load.push(0);
        self.members.push(Vec::new());
        let sink = self.pi.pop().unwrap_or(0);
        self.pi.push(sink);
        self.pi.push(sink);
        self.set_capacity(p, capacity, arcs);
        p
    }

    /// Sets the supply of group `g`: less supply leaves a deficit at the group (the sink
    /// has the surplus), more leaves an excess. (Arcs out of a group are uncapacitated, so no
    /// reduced cost changes.)
    pub fn set_supply(&mut self, g: u32, supply: i64) {
        let gi = g as usize;
        let supply = supply.max(0);
        // Less supply comes first out of the group's unserved flow: that keeps the balance
        // and every reduced cost, so nothing needs repair.
        let cut = (self.supply[gi] - supply).clamp(0, self.unserved[gi]);
        self.unserved[gi] -= cut;
        self.supply[gi] = supply;
    }

    fn excesses(&self) -> Vec<i64> {
        let mut e = vec![0i64; self.pi.len()];
        let sink = e.len() - 1;
        for g in 0..self.groups() {
            let out: i64 = self.flows[g].iter().map(|f| f.1).sum::<i64>() + self.unserved[g];
            e[g] = self.supply[g] - out;
            for &(p, f) in &self.flows[g] {
                e[self.groups() + p as usize] += f;
            }
            e[sink] += self.unserved[g] - self.supply[g];
        }
        for p in 0..self.pools() {
            e[self.groups() + p] -= self.load[p];
            e[sink] += self.load[p];
        }
        e
    }

    /// Calls `f(v, cost)` for every residual arc u → v.
    fn neighbours(&self, u: usize, arcs: &dyn Arcs, buf: &mut Vec<(u32, i64)>, f: &mut dyn FnMut(usize, i64)) {
        let sink = self.index(Node::Sink);
        match self.node(u) {
            Node::Group(g) => {
                // Arcs out of a group are uncapacitated: its supply bounds them.
                arcs.arcs(g, buf);
                for &(p, c) in buf.iter() {
                    if self.capacity[p as usize] > 0 {
                        f(self.index(Node::Pool(p)), c);
                    }
                }
                f(sink, self.unserved_cost);
            }
            Node::Pool(p) => {
                let pi = p as usize;
                if self.load[pi] < self.capacity[pi] {
                    f(sink, 0);
                }
                for &g in &self.members[pi] {
                    f(g as usize, -arcs.cost(g, p));
                }
            }
            Node::Sink => {
                for p in 0..self.pools() {
                    if self.load[p] > 0 {
                        f(self.index(Node::Pool(p as u32)), 0);
                    }
                }
                for g in 0..self.groups() {
                    if self.unserved[g] > 0 {
                        f(g, -self.unserved_cost);
                    }
                }
            }
        }
    }

    /// The canonical optimum: of all optimal flows (they share every arc's reduced cost
    /// under the state's potentials, so they form one face, whatever solver path found the
    /// state), the one with the least secondary cost `weight(group, pool)` (`None`: the
    /// unserved arc). With generic weights (e.g. hashes of stable ids) it is unique, so an
    /// edited evaluation and a cold one report the same placements even where travel times
    /// tie. Returns (group, pool or `None` for unserved, amount).
    ///
    /// Groups with a single optimal option keep it; the rest form a small transportation
    /// problem over the optimal arcs, solved by the network simplex.
    pub fn canonical(&self, arcs: &dyn Arcs, weight: &dyn Fn(u32, Option<u32>) -> i64) -> Vec<(u32, Option<u32>, i64)> {
        let sink = self.index(Node::Sink);
        let pool_reduced = |p: usize| self.pi[self.groups() + p] - self.pi[sink];
        let mut out = Vec::new();
        let mut residual: Vec<i64> = self.capacity.clone();
        // Per free group: its optimal options.
        let mut free: Vec<(u32, Vec<Option<u32>>)> = Vec::new();
        let mut buf = Vec::new();
        for g in 0..self.groups() as u32 {
            if self.supply[g as usize] == 0 {
                continue;
            }
            arcs.arcs(g, &mut buf);
            let pg = self.pi[g as usize];
            let mut options: Vec<Option<u32>> = buf
                .iter()
                .filter(|&&(p, c)| {
                    self.capacity[p as usize] > 0
                        && pool_reduced(p as usize) <= 0
                        && c + pg - self.pi[self.groups() + p as usize] == 0
                })
                .map(|&(p, _)| Some(p))
                .collect();
            if self.unserved_cost + pg - self.pi[sink] == 0 {
                options.push(None);
            }
            if options.len() == 1 {
                if let Some(p) = options[0] {
                    residual[p as usize] -= self.supply[g as usize];
                }
                out.push((g, options[0], self.supply[g as usize]));
            } else {
                free.push((g, options));
            }
        }
        if free.is_empty() {
            return out;
        }
        // The small problem: free groups → pools (must fill if their reduced cost to the sink
        // is negative, may fill if zero) → sink.
        let mut pool_node: Vec<Option<u32>> = vec![None; self.pools()];
        let mut problem = super::simplex::Problem { nodes: free.len(), ..Default::default() };
        for (_, options) in &free {
            for p in options.iter().flatten() {
                if pool_node[*p as usize].is_none() {
                    pool_node[*p as usize] = Some(problem.nodes as u32);
                    problem.nodes += 1;
                }
            }
        }
        let sink_node = problem.nodes as u32;
        problem.nodes += 1;
        problem.supply = vec![0; problem.nodes];
        let mut roles: Vec<(usize, Option<u32>)> = Vec::new();
        for (i, (g, options)) in free.iter().enumerate() {
            let s = self.supply[*g as usize];
            problem.supply[i] = s;
            problem.supply[sink_node as usize] -= s;
            for &o in options {
                let head = o.map_or(sink_node, |p| pool_node[p as usize].unwrap_or(sink_node));
                problem.arcs.push((i as u32, head, s, weight(*g, o)));
                roles.push((i, o));
            }
        }
        for (p, node) in pool_node.iter().enumerate() {
            if let Some(n) = node {
                let room = residual[p].max(0);
                if pool_reduced(p) < 0 {
                    problem.supply[*n as usize] -= room;
                    problem.supply[sink_node as usize] += room;
                } else {
                    problem.arcs.push((*n, sink_node, room, 0));
                }
            }
        }
        match super::simplex::solve(&problem) {
            Some((flows, _)) => {
                for (a, &(i, o)) in roles.iter().enumerate() {
                    if flows[a] > 0 {
                        out.push((free[i].0, o, flows[a]));
                    }
                }
            }
            None => {
                // Never for a state that holds a flow; fall back to that flow.
                for &(g, _) in &free {
                    for &(p, f) in &self.flows[g as usize] {
                        out.push((g, Some(p), f));
                    }
                    if self.unserved[g as usize] > 0 {
                        out.push((g, None, self.unserved[g as usize]));
                    }
                }
            }
        }
        out.sort_unstable_by_key(|x| (x.0, x.1));
        out
    }

    /// Checks the optimality proof: balance, capacities, and every residual arc's reduced
    /// cost ≥ 0. For tests; O(arcs).
    pub fn check(&self, arcs: &dyn Arcs) -> Result<(), String> {
        if let Some(v) = self.excesses().iter().position(|&e| e != 0) {
            return Err(format!("node {v} is unbalanced"));
        }
        for p in 0..self.pools() {
            if self.load[p] > self.capacity[p] || self.load[p] < 0 {
                return Err(format!("pool {p} holds {} of {}", self.load[p], self.capacity[p]));
            }
        }
        let mut buf = Vec::new();
        for u in 0..self.pi.len() {
            let mut bad = None;
            self.neighbours(u, arcs, &mut buf, &mut |v, c| {
                let r = c + self.pi[u] - self.pi[v];
                if r < 0 && bad.is_none() {
                    bad = Some((v, r));
                }
            });
            if let Some((v, r)) = bad {
                return Err(format!("arc {u} → {v} has reduced cost {r}"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::allocation::{Group, UnitPlaces, optimum_state, system_optimum, unserved_cost};
    use crate::model::{Language, LanguageGroup, LanguageRules};
    use crate::network::{Cost, UNREACHABLE};
    use proptest::prelude::*;

    /// An instance whose every pool is a unit of its own: places by language, a column of
    /// times per area.
    struct Net {
        groups: Vec<Group>,
        pools: Vec<(Option<Language>, i64)>,
        times: Vec<Vec<Cost>>,
    }

    impl Net {
        fn time(&self, g: u32, p: u32) -> Option<i64> {
            let gr = self.groups[g as usize];
            let t = self.times[p as usize][gr.area as usize];
            (t != UNREACHABLE && LanguageRules::default().allows(gr.language, self.pools[p as usize].0))
                .then_some(i64::from(t))
        }

        fn units(&self) -> Vec<UnitPlaces> {
            self.pools.iter().map(|&(l, c)| UnitPlaces { places: vec![(l, c as u32)] }).collect()
        }

        /// The optimum solved from scratch: (served, total travel).
        fn cold(&self) -> (i64, i64) {
            let cost = |a: u32, u: u32| self.times[u as usize][a as usize];
            let opt = system_optimum(&self.groups, &self.units(), &LanguageRules::default(), &cost);
            (opt.served() as i64, opt.total_cost() as i64)
        }
    }

    impl Arcs for Net {
        fn arcs(&self, g: u32, out: &mut Vec<(u32, i64)>) {
            out.clear();
            out.extend((0..self.pools.len() as u32).filter_map(|p| self.time(g, p).map(|c| (p, c))));
        }

        fn groups_of(&self, p: u32, out: &mut Vec<(u32, i64)>) {
            out.clear();
            out.extend((0..self.groups.len() as u32).filter_map(|g| self.time(g, p).map(|c| (g, c))));
        }
    }

    fn next(x: &mut u64, k: u64) -> u64 {
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        *x % k
    }

    fn instance(seed: u64, n_groups: usize, n_pools: usize) -> Net {
        let mut x = seed | 1;
        let langs = [LanguageGroup::Finnish, LanguageGroup::Swedish, LanguageGroup::Other, LanguageGroup::All];
        let kinds = [Some(Language::Finnish), Some(Language::Swedish), None];
        let groups = (0..n_groups)
            .map(|i| Group {
                area: i as u32,
                language: langs[next(&mut x, 4) as usize],
                children: 1 + next(&mut x, 40) as u32,
            })
            .collect();
        let pools = (0..n_pools).map(|_| (kinds[next(&mut x, 3) as usize], next(&mut x, 120) as i64)).collect();
        let times = (0..n_pools + 8)
            .map(|_| {
                (0..n_groups)
                    .map(|_| if next(&mut x, 5) == 0 { UNREACHABLE } else { 1 + next(&mut x, 100_000) as Cost })
                    .collect()
            })
            .collect();
        Net { groups, pools, times }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

        /// Edits re-optimised from the previous optimum give exactly the optimum solved
        /// from scratch: capacity changes (incl. closing a pool), new pools, new supplies.
        #[test]
        fn repaired_edits_equal_cold_solves(seed in 0u64..u64::MAX, n_groups in 1usize..50, n_pools in 1usize..7, edits in 1usize..6) {
            let mut net = instance(seed, n_groups, n_pools);
            let mut x = seed.rotate_left(17) | 1;
            let m = unserved_cost(100_000, 4 * (n_pools + edits) + 8);
            let cost = |a: u32, u: u32| net.times[u as usize][a as usize];
            let mut t = optimum_state(&net.groups, &net.units(), &LanguageRules::default(), &cost, m);
            prop_assert_eq!(t.check(&net), Ok(()));
            prop_assert_eq!((t.served(), t.total_cost(&net)), net.cold());
            for _ in 0..edits {
                match next(&mut x, 4) {
                    0 => {
                        let p = next(&mut x, net.pools.len() as u64) as usize;
                        net.pools[p].1 = next(&mut x, 150) as i64;
                        t.set_capacity(p as u32, net.pools[p].1, &net);
                    }
                    1 => {
                        let p = next(&mut x, net.pools.len() as u64) as usize;
                        net.pools[p].1 = 0;
                        t.set_capacity(p as u32, 0, &net);
                    }
                    2 if net.pools.len() < net.times.len() => {
                        net.pools.push((Some(Language::Finnish), 1 + next(&mut x, 100) as i64));
                        let cap = net.pools.last().map_or(0, |p| p.1);
                        t.add_pool(cap, &net);
                    }
                    _ => {
                        let g = next(&mut x, net.groups.len() as u64) as usize;
                        net.groups[g].children = next(&mut x, 60) as u32;
                        t.set_supply(g as u32, i64::from(net.groups[g].children));
                    }
                }
                t.repair(&net);
                prop_assert_eq!(t.check(&net), Ok(()));
                prop_assert_eq!((t.served(), t.total_cost(&net)), net.cold());
            }
        }
    }
}
