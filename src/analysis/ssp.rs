//! Min-cost flow by successive shortest paths: each supply node in turn sends its supply
//! along shortest paths in the residual graph (Dijkstra stopping at the demand node, lazy
//! potentials). Simple and exact; it explores whole saturated regions per augmentation, so
//! [`super::simplex`] is the solver and this is its fallback and independent test reference.

use super::simplex::Problem;

/// Solves `p` (one demand node): each supply node in turn, cheapest first arc first, sends
/// its supply to the demand node; returns the flow on each arc.
pub fn solve(p: &Problem) -> Vec<i64> {
    let mut g = FlowGraph::new(p.nodes);
    let ids: Vec<usize> = p.arcs.iter().map(|a| g.add(a.0 as usize, a.1 as usize, a.2, a.3)).collect();
    let sink = p.supply.iter().position(|&s| s < 0).unwrap_or(0);
    let mut sources: Vec<(usize, i64)> = (0..p.nodes).filter(|&v| p.supply[v] > 0).map(|v| (v, p.supply[v])).collect();
    let cheapest = |v: usize| g.adj[v].iter().filter(|&&e| e % 2 == 0).map(|&e| g.cost[e]).min().unwrap_or(0);
    sources.sort_by_key(|&(v, _)| (cheapest(v), v));
    g.min_cost_flow(&sources, sink);
    ids.iter().map(|&e| g.flow(e)).collect()
}

/// A residual graph for min-cost flow.
struct FlowGraph {
    head: Vec<usize>,
    cap: Vec<i64>,
    cost: Vec<i64>,
    adj: Vec<Vec<usize>>,
}

impl FlowGraph {
    fn new(n: usize) -> Self {
        FlowGraph { head: Vec::new(), cap: Vec::new(), cost: Vec::new(), adj: vec![Vec::new(); n] }
    }

    /// Adds an arc and its residual twin; returns the arc index.
    fn add(&mut self, u: usize, v: usize, cap: i64, cost: i64) -> usize {
        let e = self.head.len();
        self.head.extend([v, u]);
        self.cap.extend([cap, 0]);
        self.cost.extend([cost, -cost]);
        self.adj[u].push(e);
        self.adj[v].push(e + 1);
        e
    }

    fn flow(&self, e: usize) -> i64 {
        self.cap[e + 1]
    }

    /// Successive shortest paths from node supplies (all costs start non-negative): each
    /// source in turn sends its supply to `t` along shortest paths in the residual graph.
    /// Dijkstra stops when `t` is settled; potentials become `π(v) + min(d(v), d(t))`
    /// (which keeps reduced costs non-negative), kept lazily as a global offset minus a
    /// per-node correction so only the nodes a search visited are touched.
    fn min_cost_flow(&mut self, sources: &[(usize, i64)], t: usize) {
        let n = self.adj.len();
        // π(v) = offset − lowered[v].
        let mut offset: i64 = 0;
        let mut lowered = vec![0i64; n];
        let mut dist = vec![i64::MAX; n];
        let mut prev = vec![usize::MAX; n];
        let mut done = vec![false; n];
        let mut touched: Vec<usize> = Vec::new();
        let mut heap = std::collections::BinaryHeap::new();
        for &(s, supply) in sources {
            let mut left = supply;
            while left > 0 {
                for &v in &touched {
                    dist[v] = i64::MAX;
                    prev[v] = usize::MAX;
                    done[v] = false;
                }
                touched.clear();
                heap.clear();
                dist[s] = 0;
                touched.push(s);
                heap.push(std::cmp::Reverse((0i64, s)));
                let mut reached = false;
                while let Some(std::cmp::Reverse((d, u))) = heap.pop() {
                    if done[u] || d > dist[u] {
                        continue;
                    }
                    done[u] = true;
                    if u == t {
                        reached = true;
                        break;
                    }
                    let pu = offset - lowered[u];
                    for &e in &self.adj[u] {
                        if self.cap[e] <= 0 {
                            continue;
                        }
                        let v = self.head[e];
                        let nd = d + self.cost[e] + pu - (offset - lowered[v]);
                        if nd < dist[v] {
                            if dist[v] == i64::MAX {
                                touched.push(v);
                            }
                            dist[v] = nd;
                            prev[v] = e;
                            heap.push(std::cmp::Reverse((nd, v)));
                        }
                    }
                }
                if !reached {
                    break;
                }
                let big_d = dist[t];
                offset += big_d;
                for &v in &touched {
                    if done[v] && dist[v] < big_d {
                        lowered[v] += big_d - dist[v];
                    }
                }
                let mut push = left;
                let mut v = t;
                while v != s {
                    let e = prev[v];
                    push = push.min(self.cap[e]);
                    v = self.head[e ^ 1];
                }
                let mut v = t;
                while v != s {
                    let e = prev[v];
                    self.cap[e] -= push;
                    self.cap[e ^ 1] += push;
                    v = self.head[e ^ 1];
                }
                left -= push;
            }
        }
    }
}
