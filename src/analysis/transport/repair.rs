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
//! depend on the potentials: the pools' rows are kept and recomputed only for the pools
//! whose groups changed. Each augmentation is one dense Dijkstra (reduced costs ≥ 0).
//!
//! Group potentials are implicit (`π(h) = π(k) − c(h, k)` on a pool k with flow, or
//! `π(sink) − M` for a group only unserved) and written out at the end.

use super::{Arcs, Node, Transport};

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
    to: Vec<(i64, u32)>,
    drop: Vec<(i64, u32)>,
}

impl Weights {
    fn new(t: &Transport, arcs: &dyn Arcs) -> Self {
        let p = t.pools();
        let mut w = Weights { pools: p, to: vec![(INF, u32::MAX); p * p], drop: vec![(INF, u32::MAX); p] };
        let mut buf = Vec::new();
        for k in 0..p {
            w.row(t, arcs, k, &mut buf);
        }
        w
    }

    fn row(&mut self, t: &Transport, arcs: &dyn Arcs, k: usize, buf: &mut Vec<(u32, i64)>) {
        let p = self.pools;
        self.to[k * p..(k + 1) * p].fill((INF, u32::MAX));
        self.drop[k] = (INF, u32::MAX);
        for &h in &t.members[k] {
            let here = arcs.cost(h, k as u32);
            self.drop[k] = self.drop[k].min((t.unserved_cost - here, h));
            arcs.arcs(h, buf);
            for &(q, c) in buf.iter() {
                let q = q as usize;
                if q != k && t.capacity[q] > 0 {
                    let e = &mut self.to[k * p + q];
                    *e = (*e).min((c - here, h));
                }
            }
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
    #[allow(clippy::needless_range_loop)] // a dense Dijkstra over parallel per-node arrays
    pub fn repair(&mut self, arcs: &dyn Arcs) {
        self.augmentations = 0;
        let mut excess = self.excesses();
        let (g_n, p_n) = (self.groups(), self.pools());
        let sink = self.index(Node::Sink);
        let t = p_n; // the sink in the pool graph
        // Groups with excess and no flow yet need a potential that keeps their arcs valid
        // (the others' follow their pools).
        for g in 0..g_n as u32 {
            if excess[g as usize] > 0 && self.flows[g as usize].is_empty() && self.unserved[g as usize] == 0 {
                self.pi[g as usize] = self.free_potential(g, arcs);
            }
        }
        let mut w = Weights::new(self, arcs);
        let mut buf = Vec::new();
        // Per pool: the cheapest unserved child to serve there (c(h, q), h); rebuilt when a
        // group that was cheapest somewhere stops being unserved.
        let mut serve: Vec<(i64, u32)> = vec![(INF, u32::MAX); p_n];
        let mut serve_dirty = true;
        let mut dist = vec![INF; p_n + 1];
        let mut step: Vec<Option<Step>> = vec![None; p_n + 1];
        let mut settled = vec![false; p_n + 1];
        // Potential of a pool-graph node.
        let pot = |s: &Transport, v: usize| if v == t { s.pi[sink] } else { s.pi[g_n + v] };
        loop {
            let sources: Vec<usize> = (0..excess.len()).filter(|&v| excess[v] > 0).collect();
            if sources.is_empty() {
                break;
            }
            dist.fill(INF);
            step.fill(None);
            settled.fill(false);
            let label = |v: usize, d: i64, how: Step, dist: &mut [i64], step: &mut [Option<Step>]| {
                if d < dist[v] {
                    dist[v] = d;
                    step[v] = Some(how);
                }
            };
            for &s in &sources {
                match self.node(s) {
                    Node::Pool(p) => label(p as usize, 0, Step::Start, &mut dist, &mut step),
                    Node::Sink => label(t, 0, Step::Start, &mut dist, &mut step),
                    Node::Group(g) => {
                        let pg = self.group_potential(g, arcs).unwrap_or(self.pi[g as usize]);
                        arcs.arcs(g, &mut buf);
                        for &(p, c) in buf.iter() {
                            if self.capacity[p as usize] > 0 {
                                let d = (c + pg - self.pi[g_n + p as usize]).max(0);
                                label(p as usize, d, Step::Enter(g), &mut dist, &mut step);
                            }
                        }
                        let d = (self.unserved_cost + pg - self.pi[sink]).max(0);
                        label(t, d, Step::Enter(g), &mut dist, &mut step);
                    }
                }
            }
            // Dense Dijkstra; the best exit (a deficit group on a settled pool) bounds it.
            let mut exit: Option<(i64, usize, u32)> = None;
            let mut target: Option<usize> = None;
            let mut order: Vec<usize> = Vec::new();
            loop {
                let mut k = usize::MAX;
                for v in 0..=p_n {
                    if !settled[v] && dist[v] < INF && (k == usize::MAX || dist[v] < dist[k]) {
                        k = v;
                    }
                }
                if k == usize::MAX || exit.is_some_and(|e| e.0 <= dist[k]) {
                    break;
                }
                settled[k] = true;
                order.push(k);
                let (dk, pk) = (dist[k], pot(self, k));
                let deficit = if k == t { excess[sink] < 0 } else { excess[g_n + k] < 0 };
                if deficit {
                    target = Some(k);
                    break;
                }
                if k == t {
                    // Free a place of a pool, or serve an unserved child.
                    for q in 0..p_n {
                        if self.load[q] > 0 && !settled[q] {
                            label(q, dk + (pk - self.pi[g_n + q]).max(0), Step::Free, &mut dist, &mut step);
                        }
                    }
                    if serve_dirty {
                        serve.fill((INF, u32::MAX));
                        for h in 0..g_n as u32 {
                            if self.unserved[h as usize] > 0 {
                                arcs.arcs(h, &mut buf);
                                for &(q, c) in buf.iter() {
                                    serve[q as usize] = serve[q as usize].min((c, h));
                                }
                            }
                        }
                        serve_dirty = false;
                    }
                    for q in 0..p_n {
                        let (c, h) = serve[q];
                        if c < INF && self.capacity[q] > 0 && !settled[q] {
                            let nd = dk + (c - self.unserved_cost + pk - self.pi[g_n + q]).max(0);
                            label(q, nd, Step::Serve { via: h }, &mut dist, &mut step);
                        }
                    }
                    continue;
                }
                for &h in &self.members[k] {
                    if excess[h as usize] < 0 && exit.is_none_or(|e| dk < e.0) {
                        exit = Some((dk, k, h));
                    }
                }
                if !settled[t] {
                    let ps = self.pi[sink];
                    if self.load[k] < self.capacity[k] {
                        label(t, dk + (pk - ps).max(0), Step::Room { from: k as u32 }, &mut dist, &mut step);
                    }
                    let (c, h) = w.drop[k];
                    if c < INF {
                        label(
                            t,
                            dk + (c + pk - ps).max(0),
                            Step::Drop { from: k as u32, via: h },
                            &mut dist,
                            &mut step,
                        );
                    }
                }
                for q in 0..p_n {
                    let (c, h) = w.to[k * p_n + q];
                    if c < INF && !settled[q] {
                        let nd = dk + (c + pk - self.pi[g_n + q]).max(0);
                        label(q, nd, Step::Move { from: k as u32, via: h }, &mut dist, &mut step);
                    }
                }
            }
            // The path's end: a deficit node, or a deficit group given up on a pool.
            let (big, end, give_up) = match (target, exit) {
                (Some(v), Some(e)) if e.0 < dist[v] => (e.0, e.1, Some(e.2)),
                (Some(v), _) => (dist[v], v, None),
                (None, Some(e)) => (e.0, e.1, Some(e.2)),
                (None, None) => {
                    debug_assert!(false, "excess without a reachable deficit");
                    break;
                }
            };
            // Walk back to the start.
            let mut path = vec![end];
            loop {
                let v = *path.last().unwrap_or(&end);
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
                _ if path[0] == t => sink,
                _ => g_n + path[0],
            };
            let target_node = match give_up {
                Some(h) => h as usize,
                None if end == t => sink,
                None => g_n + end,
            };
            // How much it carries.
            let mut theta = excess[source].min(-excess[target_node]);
            for &v in &path {
                theta = theta.min(match step[v] {
                    Some(Step::Move { from, via } | Step::Drop { from, via }) => self.flow(via, from),
                    Some(Step::Room { from }) => self.capacity[from as usize] - self.load[from as usize],
                    Some(Step::Free) => self.load[v],
                    Some(Step::Serve { via }) => self.unserved[via as usize],
                    _ => INF,
                });
            }
            if let Some(h) = give_up {
                theta = theta.min(self.flow(h, end as u32));
            }
            // Apply it; pools whose groups changed get their rows again.
            let mut changed: Vec<usize> = Vec::new();
            let was_unserved: Vec<bool> = path
                .iter()
                .filter_map(|&v| match step[v] {
                    Some(Step::Enter(g) | Step::Drop { via: g, .. } | Step::Serve { via: g }) => Some(g),
                    _ => None,
                })
                .map(|g| self.unserved[g as usize] > 0)
                .collect();
            for &v in &path {
                match step[v] {
                    Some(Step::Enter(g)) if v == t => self.unserved[g as usize] += theta,
                    Some(Step::Enter(g)) => {
                        self.add_flow(g, v as u32, theta);
                        changed.push(v);
                    }
                    Some(Step::Move { from, via }) => {
                        self.add_flow(via, from, -theta);
                        self.add_flow(via, v as u32, theta);
                        changed.extend([from as usize, v]);
                    }
                    Some(Step::Room { from }) => self.load[from as usize] += theta,
                    Some(Step::Drop { from, via }) => {
                        self.add_flow(via, from, -theta);
                        self.unserved[via as usize] += theta;
                        changed.push(from as usize);
                    }
                    Some(Step::Free) => self.load[v] -= theta,
                    Some(Step::Serve { via }) => {
                        self.unserved[via as usize] -= theta;
                        self.add_flow(via, v as u32, theta);
                        changed.push(v);
                    }
                    _ => {}
                }
            }
            if let Some(h) = give_up {
                self.add_flow(h, end as u32, -theta);
                changed.push(end);
            }
            // The cheapest-serve table: new unserved groups join it; one that stopped being
            // unserved forces a rebuild.
            let touched_groups = path.iter().filter_map(|&v| match step[v] {
                Some(Step::Enter(g) | Step::Drop { via: g, .. } | Step::Serve { via: g }) => Some(g),
                _ => None,
            });
            for (g, was) in touched_groups.zip(was_unserved) {
                let now = self.unserved[g as usize] > 0;
                if was && !now {
                    serve_dirty = true;
                } else if !was && now && !serve_dirty {
                    arcs.arcs(g, &mut buf);
                    for &(q, c) in buf.iter() {
                        serve[q as usize] = serve[q as usize].min((c, g));
                    }
                }
            }
            excess[source] -= theta;
            excess[target_node] += theta;
            // Potentials: settled nodes nearer than the path's end move by dist − end; the
            // source, if a group, by −end (it sat at distance 0).
            for &v in &order {
                if dist[v] < big {
                    let i = if v == t { sink } else { g_n + v };
                    self.pi[i] += dist[v] - big;
                }
            }
            if source < g_n && self.flows[source].is_empty() && self.unserved[source] == 0 {
                self.pi[source] -= big;
            }
            changed.sort_unstable();
            changed.dedup();
            for k in changed {
                w.row(self, arcs, k, &mut buf);
            }
            self.augmentations += 1;
        }
        self.settle_group_potentials(arcs);
    }
}
