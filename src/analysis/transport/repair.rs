//! Re-optimisation by successive shortest paths on the pools.
//!
//! A group with flow sits on tight arcs only, so in the residual graph every path through a
//! group enters it from a pool where it has flow (reduced cost 0) — or from the sink, when
//! some of its children are unserved — and leaves to a pool or to the sink. Contracting the
//! groups leaves a graph on the pools and the sink: a few hundred nodes instead of tens of
//! thousands of groups. The weight of pool k → pool q is the cheapest move of one child,
//! `min over groups h on k of c(h, q) − c(h, k)`; pool k → sink is its room (0) or leaving a
//! child of one of its groups unserved (`M − c(h, k)`); sink → pool k takes back one of its
//! places (0) or serves an unserved child there (`c(h, k) − M`). These weights do not
//! depend on the potentials: the pools' rows are kept and change only with a pool's
//! members (a group that joins competes for the row's minima; where one that leaves was
//! the cheapest move, the entry is found again among the remaining members).
//!
//! Each augmentation is one Dijkstra on reduced costs (≥ 0) over the pool graph, with a
//! binary heap and each pool's finite row entries listed apart (costs and groups in
//! separate arrays, so the scan reads costs alone). Carrying flow along tight paths only
//! between Dijkstras (primal–dual phases) was tried: it saved half the Dijkstras but its
//! depth-first searches cost as much again, so it was left out.
//!
//! Group potentials are implicit (`π(h) = π(k) − c(h, k)` on a pool k with flow, or
//! `π(sink) − M` for a group only unserved) and written out at the end.

use super::{Arcs, Membership, Node, Transport};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

const INF: i64 = i64::MAX / 4;

/// One step of a path between two nodes of the pool graph (pools, then the sink).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Step {
    /// The path starts at a node with excess.
    Start,
    /// A group with excess enters here (a pool, or the sink: unserved).
    Enter(u32),
    /// From pool `from`, a child of group `via` moves to this pool.
    Move { from: u32, via: u32 },
    /// From pool `from` into the sink through its room.
    Room { from: u32 },
    /// From pool `from` into the sink: a child of group `via` there goes unserved.
    Drop { from: u32, via: u32 },
    /// From the sink back into this pool: one of its places is freed.
    Free,
    /// From the sink into this pool: an unserved child of group `via` is served here.
    Serve { via: u32 },
}

/// Per pool: the cheapest move to every pool and into the sink by an unserved child.
struct Weights {
    pools: usize,
    /// Dense rows: the cheapest move's cost `cost[k · pools + q]` and its group `via[…]`
    /// (apart, so that a Dijkstra reads costs alone).
    cost: Vec<i64>,
    via: Vec<u32>,
    drop: Vec<(i64, u32)>,
    /// Per row, the pools with a finite entry (the arcs a Dijkstra relaxes).
    finite: Vec<Vec<u32>>,
}

impl Weights {
    fn new(t: &Transport, arcs: &dyn Arcs) -> Self {
        let p = t.pools();
        let mut w = Weights {
            pools: p,
            cost: vec![INF; p * p],
            via: vec![u32::MAX; p * p],
            drop: vec![(INF, u32::MAX); p],
            finite: vec![Vec::new(); p],
        };
        let mut buf = Vec::new();
        for k in 0..p {
            w.row(t, arcs, k, &mut buf);
        }
        w
    }

    /// Row `k` after group `h` joined pool `k`: its moves compete for the minima.
    fn joined(&mut self, t: &Transport, arcs: &dyn Arcs, k: usize, h: u32, buf: &mut Vec<(u32, i64)>) {
        let p = self.pools;
        let here = arcs.cost(h, k as u32);
        self.drop[k] = self.drop[k].min((t.unserved_cost - here, h));
        arcs.arcs(h, buf);
        for &(q, c) in buf.iter() {
            let q = q as usize;
            if q != k && t.capacity[q] > 0 {
                let i = k * p + q;
                if self.cost[i] == INF {
                    self.finite[k].push(q as u32);
                }
                if (c - here, h) < (self.cost[i], self.via[i]) {
                    (self.cost[i], self.via[i]) = (c - here, h);
                }
            }
        }
    }

    /// Row `k` after group `h` left pool `k`: the entries whose cheapest move it was are
    /// found again among the remaining members (O(members) each).
    fn left(&mut self, t: &Transport, arcs: &dyn Arcs, k: usize, h: u32) {
        let p = self.pools;
        if self.drop[k].1 == h {
            self.drop[k] = t.members[k]
                .iter()
                .map(|&m| (t.unserved_cost - arcs.cost(m, k as u32), m))
                .min()
                .unwrap_or((INF, u32::MAX));
        }
        let mut emptied = false;
        for q in 0..p {
            let i = k * p + q;
            if self.via[i] != h {
                continue;
            }
            let best = t.members[k]
                .iter()
                .filter_map(|&m| arcs.arc(m, q as u32).map(|c| (c - arcs.cost(m, k as u32), m)))
                .min()
                .unwrap_or((INF, u32::MAX));
            (self.cost[i], self.via[i]) = best;
            emptied |= best.0 == INF;
        }
        if emptied {
            let cost = &self.cost[k * p..(k + 1) * p];
            self.finite[k].retain(|&q| cost[q as usize] < INF);
        }
    }

    fn row(&mut self, t: &Transport, arcs: &dyn Arcs, k: usize, buf: &mut Vec<(u32, i64)>) {
        let p = self.pools;
        self.cost[k * p..(k + 1) * p].fill(INF);
        self.via[k * p..(k + 1) * p].fill(u32::MAX);
        self.drop[k] = (INF, u32::MAX);
        self.finite[k].clear();
        for i in 0..t.members[k].len() {
            self.joined(t, arcs, k, t.members[k][i], buf);
        }
    }
}

impl Transport {
    /// The potential of group `g`: tight on a pool where it has flow, or on its unserved arc.
    fn group_potential(&self, g: u32, arcs: &dyn Arcs) -> Option<i64> {
        let sink = self.pi[self.index(Node::Sink)];
        match self.flows[g as usize].first() {
            Some(&(p, _)) => Some(self.pi[self.index(Node::Pool(p))] - arcs.cost(g, p)),
            None if self.unserved[g as usize] > 0 => Some(sink - self.unserved_cost),
            None => None,
        }
    }

    /// The least potential of a group without flow that keeps its arcs' reduced costs ≥ 0.
    fn free_potential(&self, g: u32, arcs: &dyn Arcs) -> i64 {
        let sink = self.pi[self.index(Node::Sink)];
        let mut buf = Vec::new();
        arcs.arcs(g, &mut buf);
        buf.iter()
            .filter(|a| self.capacity[a.0 as usize] > 0)
            .map(|&(p, c)| self.pi[self.index(Node::Pool(p))] - c)
            .fold(sink - self.unserved_cost, i64::max)
    }

    /// Writes every group's potential: tight where it has flow; a group without flow gets
    /// the least potential that keeps its arcs' reduced costs ≥ 0.
    fn settle_group_potentials(&mut self, arcs: &dyn Arcs) {
        for g in 0..self.groups() as u32 {
            self.pi[g as usize] = match self.group_potential(g, arcs) {
                Some(p) => p,
                None => self.free_potential(g, arcs),
            };
        }
    }

    /// Restores an optimal balanced flow after edits (see the module docs).
    pub fn repair(&mut self, arcs: &dyn Arcs) {
        self.augmentations = 0;
        let excess = self.excesses();
        let (g_n, p_n) = (self.groups(), self.pools());
        // Groups with excess and no flow yet need a potential that keeps their arcs valid
        // (the others' follow their pools).
        for g in 0..g_n as u32 {
            if excess[g as usize] > 0 && self.flows[g as usize].is_empty() && self.unserved[g as usize] == 0 {
                self.pi[g as usize] = self.free_potential(g, arcs);
            }
        }
        let mut run = Run {
            w: Weights::new(self, arcs),
            arcs,
            serve: Vec::new(),
            sources: (0..excess.len()).filter(|&v| excess[v] > 0).collect(),
            deficit_groups: (0..g_n).filter(|&g| excess[g] < 0).count(),
            excess,
            buf: Vec::new(),
            step: vec![None; p_n + 1],
        };
        loop {
            run.sources.retain(|&v| run.excess[v] > 0);
            if run.sources.is_empty() {
                break;
            }
            let Some(end) = run.dijkstra(self) else {
                debug_assert!(false, "excess without a reachable deficit");
                break;
            };
            run.augment(self, end);
        }
        self.settle_group_potentials(arcs);
    }
}

/// The end of an augmenting path: its last node of the pool graph and, where the path ends
/// by taking flow back from a group with a deficit, that group.
#[derive(Clone, Copy, Debug)]
struct End {
    node: usize,
    give_up: Option<u32>,
}

/// The working state of one [`Transport::repair`].
struct Run<'a> {
    arcs: &'a dyn Arcs,
    w: Weights,
    /// Per pool: unserved groups by the cost of serving one of their children there,
    /// cheapest first; groups served since are dropped when they reach the top. Built when
    /// the sink is first reached.
    serve: Vec<BinaryHeap<Reverse<(i64, u32)>>>,
    /// Excess per node of the full graph (groups, pools, sink).
    excess: Vec<i64>,
    /// Nodes with excess; augmentations only use it up (a deficit is never overfilled).
    sources: Vec<usize>,
    /// Groups with a deficit (then paths may end on a pool where one has flow).
    deficit_groups: usize,
    buf: Vec<(u32, i64)>,
    /// How each node of the pool graph was reached (the path back to a source).
    step: Vec<Option<Step>>,
}

impl Run<'_> {
    /// Potential of a pool-graph node (pools, then the sink).
    fn pot(tr: &Transport, v: usize) -> i64 {
        tr.pi[tr.groups() + v]
    }

    /// Whether pool-graph node `v` has a deficit.
    fn deficit(&self, tr: &Transport, v: usize) -> bool {
        self.excess[tr.groups() + v] < 0
    }

    /// A group with a deficit and flow on pool `k`, if any.
    fn exit_at(&self, tr: &Transport, k: usize) -> Option<u32> {
        if self.deficit_groups == 0 || k == tr.pools() {
            return None;
        }
        tr.members[k].iter().copied().find(|&h| self.excess[h as usize] < 0)
    }

    /// The cheapest unserved group to serve at pool `q`: (c(h, q), h).
    fn serve_top(&mut self, tr: &Transport, q: usize) -> Option<(i64, u32)> {
        if self.serve.is_empty() {
            self.serve = vec![BinaryHeap::new(); tr.pools()];
            for h in 0..tr.groups() as u32 {
                if tr.unserved[h as usize] > 0 {
                    self.arcs.arcs(h, &mut self.buf);
                    for &(q, c) in self.buf.iter() {
                        self.serve[q as usize].push(Reverse((c, h)));
                    }
                }
            }
        }
        while self.serve[q].peek().is_some_and(|e| tr.unserved[e.0.1 as usize] == 0) {
            self.serve[q].pop();
        }
        self.serve[q].peek().map(|e| e.0)
    }

    /// The arcs out of the sink with their reduced costs, into `out`: free a place of a
    /// pool, or serve an unserved child there.
    fn sink_arcs(&mut self, tr: &Transport, out: &mut Vec<(usize, i64, Step)>) {
        out.clear();
        let p_n = tr.pools();
        let pt = Self::pot(tr, p_n);
        for q in 0..p_n {
            if tr.load[q] > 0 {
                out.push((q, pt - Self::pot(tr, q), Step::Free));
            }
        }
        for q in 0..p_n {
            if tr.capacity[q] > 0
                && let Some((c, h)) = self.serve_top(tr, q)
            {
                out.push((q, c - tr.unserved_cost + pt - Self::pot(tr, q), Step::Serve { via: h }));
            }
        }
    }

    /// One Dijkstra on reduced costs from every source to the nearest deficit (nearest
    /// first, ties to the lower node); the best exit (a deficit group on a settled pool)
    /// bounds it. Moves the potentials of the nodes settled nearer than the end so that the
    /// shortest paths are tight, and returns the end (its path is in `step`).
    fn dijkstra(&mut self, tr: &mut Transport) -> Option<End> {
        let (g_n, p_n) = (tr.groups(), tr.pools());
        let t = p_n;
        let mut dist = vec![INF; p_n + 1];
        let mut settled = vec![false; p_n + 1];
        self.step.fill(None);
        let mut label = |v: usize, d: i64, how: Step, step: &mut [Option<Step>]| {
            if d < dist[v] {
                dist[v] = d;
                step[v] = Some(how);
            }
        };
        for i in 0..self.sources.len() {
            let s = self.sources[i];
            match tr.node(s) {
                Node::Pool(p) => label(p as usize, 0, Step::Start, &mut self.step),
                Node::Sink => label(t, 0, Step::Start, &mut self.step),
                Node::Group(g) => {
                    let pg = tr.group_potential(g, self.arcs).unwrap_or(tr.pi[g as usize]);
                    self.arcs.arcs(g, &mut self.buf);
                    for &(p, c) in self.buf.iter() {
                        if tr.capacity[p as usize] > 0 {
                            let d = (c + pg - Self::pot(tr, p as usize)).max(0);
                            label(p as usize, d, Step::Enter(g), &mut self.step);
                        }
                    }
                    let d = (tr.unserved_cost + pg - Self::pot(tr, t)).max(0);
                    label(t, d, Step::Enter(g), &mut self.step);
                }
            }
        }
        let mut heap: BinaryHeap<Reverse<(i64, usize)>> =
            (0..=p_n).filter(|&v| dist[v] < INF).map(|v| Reverse((dist[v], v))).collect();
        let mut exit: Option<(i64, usize, u32)> = None;
        let mut target: Option<usize> = None;
        let mut order: Vec<usize> = Vec::new();
        let mut out = Vec::new();
        loop {
            let mut k = usize::MAX;
            while let Some(Reverse((d, v))) = heap.pop() {
                if !settled[v] && d == dist[v] {
                    k = v;
                    break;
                }
            }
            if k == usize::MAX || exit.is_some_and(|e| e.0 <= dist[k]) {
                break;
            }
            settled[k] = true;
            order.push(k);
            let dk = dist[k];
            if self.deficit(tr, k) {
                target = Some(k);
                break;
            }
            if let Some(h) = self.exit_at(tr, k)
                && exit.is_none_or(|e| dk < e.0)
            {
                exit = Some((dk, k, h));
            }
            if k == t {
                self.sink_arcs(tr, &mut out);
                for &(q, r, how) in &out {
                    let d = dk + r.max(0);
                    if !settled[q] && d < dist[q] {
                        dist[q] = d;
                        self.step[q] = Some(how);
                        heap.push(Reverse((d, q)));
                    }
                }
                continue;
            }
            let pk = Self::pot(tr, k);
            if !settled[t] {
                let pt = Self::pot(tr, t);
                let mut relax = |d: i64, how: Step| {
                    if d < dist[t] {
                        dist[t] = d;
                        self.step[t] = Some(how);
                        heap.push(Reverse((d, t)));
                    }
                };
                if tr.load[k] < tr.capacity[k] {
                    relax(dk + (pk - pt).max(0), Step::Room { from: k as u32 });
                }
                let (c, h) = self.w.drop[k];
                if c < INF {
                    relax(dk + (c + pk - pt).max(0), Step::Drop { from: k as u32, via: h });
                }
            }
            let row = &self.w.cost[k * p_n..(k + 1) * p_n];
            for &q in &self.w.finite[k] {
                let q = q as usize;
                let d = dk + (row[q] + pk - tr.pi[g_n + q]).max(0);
                if d < dist[q] && !settled[q] {
                    dist[q] = d;
                    self.step[q] = Some(Step::Move { from: k as u32, via: self.w.via[k * p_n + q] });
                    heap.push(Reverse((d, q)));
                }
            }
        }
        // The path's end: a deficit node, or a deficit group given up on a pool.
        let (big, end) = match (target, exit) {
            (Some(v), Some(e)) if e.0 < dist[v] => (e.0, End { node: e.1, give_up: Some(e.2) }),
            (Some(v), _) => (dist[v], End { node: v, give_up: None }),
            (None, Some(e)) => (e.0, End { node: e.1, give_up: Some(e.2) }),
            (None, None) => return None,
        };
        // Potentials: settled nodes nearer than the end move by dist − end; a source group
        // without flow, by −end (it sat at distance 0).
        for &v in &order {
            if dist[v] < big {
                tr.pi[g_n + v] += dist[v] - big;
            }
        }
        if let Some(Step::Enter(g)) = self.path_start(end.node)
            && tr.flows[g as usize].is_empty()
            && tr.unserved[g as usize] == 0
        {
            tr.pi[g as usize] -= big;
        }
        Some(end)
    }

    /// The first step of the path ending at `v`.
    fn path_start(&self, end: usize) -> Option<Step> {
        let t = self.step.len() - 1;
        let mut v = end;
        loop {
            match self.step[v] {
                Some(Step::Move { from, .. } | Step::Room { from } | Step::Drop { from, .. }) => v = from as usize,
                Some(Step::Free | Step::Serve { .. }) => v = t,
                other => return other,
            }
        }
    }

    /// Carries as much as the path ending at `end` allows and updates the excesses, the
    /// rows of pools whose members changed and the serve heaps.
    fn augment(&mut self, tr: &mut Transport, end: End) {
        let (g_n, p_n) = (tr.groups(), tr.pools());
        let t = p_n;
        let sink = g_n + p_n;
        let step = &self.step;
        // Walk back to the start.
        let mut path = vec![end.node];
        loop {
            let v = *path.last().unwrap_or(&end.node);
            let prev = match step[v] {
                Some(Step::Move { from, .. } | Step::Room { from } | Step::Drop { from, .. }) => from as usize,
                Some(Step::Free | Step::Serve { .. }) => t,
                _ => break,
            };
            path.push(prev);
        }
        path.reverse();
        let source = match step[path[0]] {
            Some(Step::Enter(g)) => g as usize,
            _ => g_n + path[0],
        };
        let target_node = match end.give_up {
            Some(h) => h as usize,
            None => g_n + end.node,
        };
        let _ = sink;
        // How much it carries.
        let mut theta = self.excess[source].min(-self.excess[target_node]);
        for &v in &path {
            theta = theta.min(match step[v] {
                Some(Step::Move { from, via } | Step::Drop { from, via }) => tr.flow(via, from),
                Some(Step::Room { from }) => tr.capacity[from as usize] - tr.load[from as usize],
                Some(Step::Free) => tr.load[v],
                Some(Step::Serve { via }) => tr.unserved[via as usize],
                _ => INF,
            });
        }
        if let Some(h) = end.give_up {
            theta = theta.min(tr.flow(h, end.node as u32));
        }
        // Apply it; pools whose members changed get their rows updated.
        let mut events: Vec<(u32, u32, Membership)> = Vec::new();
        let touched: Vec<(u32, bool)> = path
            .iter()
            .filter_map(|&v| match step[v] {
                Some(Step::Enter(g) | Step::Drop { via: g, .. } | Step::Serve { via: g }) => Some(g),
                _ => None,
            })
            .map(|g| (g, tr.unserved[g as usize] > 0))
            .collect();
        for &v in &path {
            match step[v] {
                Some(Step::Enter(g)) if v == t => tr.unserved[g as usize] += theta,
                Some(Step::Enter(g)) => events.push((g, v as u32, tr.add_flow(g, v as u32, theta))),
                Some(Step::Move { from, via }) => {
                    events.push((via, from, tr.add_flow(via, from, -theta)));
                    events.push((via, v as u32, tr.add_flow(via, v as u32, theta)));
                }
                Some(Step::Room { from }) => tr.load[from as usize] += theta,
                Some(Step::Drop { from, via }) => {
                    events.push((via, from, tr.add_flow(via, from, -theta)));
                    tr.unserved[via as usize] += theta;
                }
                Some(Step::Free) => tr.load[v] -= theta,
                Some(Step::Serve { via }) => {
                    tr.unserved[via as usize] -= theta;
                    events.push((via, v as u32, tr.add_flow(via, v as u32, theta)));
                }
                _ => {}
            }
        }
        if let Some(h) = end.give_up {
            events.push((h, end.node as u32, tr.add_flow(h, end.node as u32, -theta)));
        }
        // Groups newly unserved join the serve heaps (those served since leave lazily).
        for (g, was) in touched {
            if !was && tr.unserved[g as usize] > 0 && !self.serve.is_empty() {
                self.arcs.arcs(g, &mut self.buf);
                for &(q, c) in self.buf.iter() {
                    self.serve[q as usize].push(Reverse((c, g)));
                }
            }
        }
        if target_node < g_n && self.excess[target_node] < 0 && self.excess[target_node] + theta == 0 {
            self.deficit_groups -= 1;
        }
        self.excess[source] -= theta;
        self.excess[target_node] += theta;
        // A pool's row depends only on its members: a group that left gives up the entries
        // it was the cheapest move of; a group that joined competes for the row's minima.
        for &(g, k, m) in &events {
            if m == Membership::Left {
                self.w.left(tr, self.arcs, k as usize, g);
            }
        }
        for &(g, k, m) in &events {
            if m == Membership::Joined && tr.flow(g, k) > 0 {
                self.w.joined(tr, self.arcs, k as usize, g, &mut self.buf);
            }
        }
        tr.augmentations += 1;
    }
}
