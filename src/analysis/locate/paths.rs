//! Successive shortest paths on the graph of pools, for [`assignment`](super::assignment): the
//! searches, the arcs and the augmentations of its [`Solver`].
//!
//! The nodes are the open pools, "unserved" (index `np`, the pool count) and a sink (`np + 1`);
//! a pool's flow to the sink is the places taken there. A pool's excess is its load less that
//! flow. Forward searches start at a pool with an excess and end at the sink or at a pool with
//! a deficit; backward searches start at a pool with a deficit and end at the sink or at a pool
//! with an excess. The sink may end every search (the excess it gets in the first phase is what
//! the second one takes back), so "unserved" and the sink, whose arcs reach every pool, are not
//! expanded: "unserved" reaches the sink at zero reduced cost (their potentials stay equal),
//! and a search stops as soon as an arc of zero reduced cost reaches its end.
//!
//! Arcs: per pool a row out (built when a forward search first expands the pool) and a row in
//! (when a backward one does). A row holds per other node the moves of the demands at one end
//! to the other, `(c_to − c_from, demand)`, in a lazy heap (demands that have left are dropped
//! when on top), and caches the top until some demand leaves the node it is counted at.
//! Unserved demands by pool come from the pool's list of demands, nearest first, through a
//! pointer, and from a heap of the later arrivals.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::assignment::{Flow, NONE, Net};

/// Heap entry (key, index), ordered so that `BinaryHeap` pops the least key, then index.
#[derive(PartialEq)]
struct Item(f64, u32);

impl Eq for Item {}

impl PartialOrd for Item {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Item {
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.total_cmp(&self.0).then(other.1.cmp(&self.1))
    }
}

/// A pool's arcs out (in) in the graph of pools: per other node the cheapest move of one of
/// its (the other node's) demands there (here), checked at the version `ver` of the node the
/// demands are at, and all such moves, `(c_to − c_from, demand)`, in a lazy heap (demands gone
/// are dropped when on top); `pos`: per node, its arc's index.
#[derive(Default)]
struct Row {
    arcs: Vec<Arc>,
    heaps: Vec<BinaryHeap<Item>>,
    pos: Vec<u32>,
}

impl Row {
    /// Adds the move `(key, who)` on the arc with node `to`.
    fn offer(&mut self, to: u32, key: f64, who: u32, ver: u32) {
        let p = self.pos[to as usize] as usize;
        if p == NONE as usize {
            self.pos[to as usize] = self.arcs.len() as u32;
            self.arcs.push(Arc { to, who, key, ver });
            self.heaps.push(BinaryHeap::from(vec![Item(key, who)]));
        } else {
            self.heaps[p].push(Item(key, who));
            if key < self.arcs[p].key || self.arcs[p].who == NONE {
                (self.arcs[p].key, self.arcs[p].who) = (key, who);
            }
        }
    }
}

#[derive(Clone, Copy)]
struct Arc {
    to: u32,
    who: u32,
    key: f64,
    ver: u32,
}

/// Dijkstra's labels over the nodes (pools, unserved, sink); `pred` holds the successor when
/// searching backwards.
struct Dij {
    dist: Vec<f64>,
    pred: Vec<(u32, u32)>,
    done: Vec<bool>,
    seen: Vec<u32>,
    heap: BinaryHeap<Item>,
}

impl Dij {
    fn reset(&mut self) {
        for &v in &self.seen {
            (self.dist[v as usize], self.done[v as usize]) = (f64::INFINITY, false);
        }
        self.seen.clear();
        self.heap.clear();
    }

    fn relax(&mut self, v: usize, d: f64, from: (u32, u32)) -> bool {
        if self.done[v] || d >= self.dist[v] {
            return false;
        }
        if self.dist[v] == f64::INFINITY {
            self.seen.push(v as u32);
        }
        (self.dist[v], self.pred[v]) = (d, from);
        self.heap.push(Item(d, v as u32));
        true
    }
}

/// The transportation solver with its work space, reused between solves.
pub(crate) struct Solver {
    pub(crate) net: Net,
    pub(super) f: Flow,
    pub(super) opens: Vec<usize>,
    /// The sink's excess.
    pub(super) et: f64,
    row_of: Vec<u32>,
    in_of: Vec<u32>,
    rows: Vec<Row>,
    nrows: usize,
    buf: Vec<(u32, Item)>,
    /// Per pool, a count of the demands that have left it (its arcs' tops are then rechecked).
    ver: Vec<u32>,
    /// Unserved demands by pool: a pointer into `near`, and a heap of later arrivals.
    ptr: Vec<usize>,
    uheap: Vec<BinaryHeap<Item>>,
    pending: Vec<u32>,
    dij: Dij,
    hops: Vec<(u32, u32, u32)>,
}

impl Solver {
    /// A solver for `net`.
    pub(crate) fn new(net: Net) -> Solver {
        let (np, nodes) = (net.np, net.np + 2);
        let dij = Dij {
            dist: vec![f64::INFINITY; nodes],
            pred: vec![(NONE, NONE); nodes],
            done: vec![false; nodes],
            seen: Vec::new(),
            heap: BinaryHeap::new(),
        };
        Solver {
            f: Flow::default(),
            opens: Vec::new(),
            et: 0.0,
            row_of: vec![NONE; np],
            in_of: vec![NONE; np],
            rows: Vec::new(),
            nrows: 0,
            buf: Vec::new(),
            ver: vec![0; np + 1],
            ptr: vec![0; np],
            uheap: (0..np).map(|_| BinaryHeap::new()).collect(),
            pending: Vec::new(),
            dij,
            hops: Vec::new(),
            net,
        }
    }

    fn excess(&self, v: usize) -> f64 {
        match v.cmp(&self.net.np) {
            Ordering::Less => self.f.load[v] - self.f.fill[v],
            Ordering::Equal => 0.0,
            Ordering::Greater => self.et,
        }
    }

    /// Whether a search (backwards: `back`) may end at `v`: the sink, or a node with a deficit
    /// (backwards: an excess).
    fn goal(&self, v: usize, back: bool) -> bool {
        v == self.net.np + 1 || if back { self.excess(v) > self.net.eps } else { self.excess(v) < -self.net.eps }
    }

    /// Forgets the arcs and unserved demands of the last solve.
    pub(super) fn reset(&mut self) {
        for k in 0..self.net.np {
            (self.row_of[k], self.in_of[k], self.ptr[k]) = (NONE, NONE, 0);
            self.uheap[k].clear();
        }
        self.nrows = 0;
        self.pending.clear();
    }

    /// Successive shortest paths: from every pool with an excess to the sink (or a pool with a
    /// deficit), then into every pool with a deficit from the sink (or a pool with an excess),
    /// searching backwards.
    pub(super) fn run(&mut self) {
        let eps = self.net.eps;
        loop {
            let mut progress = false;
            for back in [false, true] {
                for a in 0..self.opens.len() {
                    let v = self.opens[a];
                    while (if back { -self.excess(v) } else { self.excess(v) }) > eps && self.augment(v, back) {
                        progress = true;
                    }
                }
            }
            if !progress {
                break;
            }
        }
    }

    /// Builds pool `a`'s row of arcs out (`inward`: in) if it is not built; returns its index.
    fn row(&mut self, a: usize, inward: bool) -> usize {
        let of = if inward { &mut self.in_of } else { &mut self.row_of };
        if of[a] != NONE {
            return of[a] as usize;
        }
        let (net, f, buf) = (&self.net, &self.f, &mut self.buf);
        buf.clear();
        if inward {
            for &(i, c) in net.near(a) {
                buf.extend(f.ents(i as usize).filter(|e| e.node as usize != a).map(|e| (e.node, Item(c - e.cost, i))));
            }
        } else {
            for &(i, ca) in net.near(a).iter().filter(|e| f.x(e.0 as usize, a) > 0.0) {
                let opts = net.opts(i as usize).iter().filter(|e| f.open[e.0 as usize] && e.0 as usize != a);
                let all = opts.map(|e| (e.0, e.1)).chain([(net.np as u32, net.big)]);
                buf.extend(all.map(|(b, c)| (b, Item(c - ca, i))));
            }
        }
        buf.sort_unstable_by_key(|e| e.0);
        if self.nrows == self.rows.len() {
            self.rows.push(Row::default());
        }
        let (r, row) = (self.nrows, &mut self.rows[self.nrows]);
        row.pos.resize(net.np + 1, NONE);
        row.arcs.iter().for_each(|a| row.pos[a.to as usize] = NONE);
        row.arcs.clear();
        row.heaps.clear();
        for part in buf.chunk_by(|x, y| x.0 == y.0) {
            let to = part[0].0;
            row.pos[to as usize] = row.arcs.len() as u32;
            let h: BinaryHeap<Item> = part.iter().map(|e| Item(e.1.0, e.1.1)).collect();
            let top = h.peek().expect("a move");
            row.arcs.push(Arc { to, who: top.1, key: top.0, ver: self.ver[if inward { to as usize } else { a }] });
            row.heaps.push(h);
        }
        self.nrows += 1;
        of[a] = r as u32;
        r
    }

    /// The cheapest move on arc `x` of row `r`, of demands at node `v` (pool `v`'s row out,
    /// or the arc's node in a row in), rechecked if demands have left `v`.
    fn top(&mut self, r: usize, x: usize, v: Option<usize>) -> Option<(f64, u32)> {
        let v = v.unwrap_or(self.rows[r].arcs[x].to as usize);
        let (row, f, now) = (&mut self.rows[r], &self.f, self.ver[v]);
        if row.arcs[x].ver != now {
            let h = &mut row.heaps[x];
            while h.peek().is_some_and(|e| f.x(e.1 as usize, v) <= 0.0) {
                h.pop();
            }
            let (key, who) = h.peek().map_or((f64::INFINITY, NONE), |e| (e.0, e.1));
            row.arcs[x] = Arc { who, key, ver: now, ..row.arcs[x] };
        }
        let a = row.arcs[x];
        (a.who != NONE).then_some((a.key, a.who))
    }

    /// The unserved demands that came since the last call, offered to the pools' heaps.
    fn flush(&mut self) {
        let (net, f) = (&self.net, &self.f);
        for &i in self.pending.iter().filter(|&&i| f.x(i as usize, net.np) > 0.0) {
            for &(k, c) in net.opts(i as usize).iter().filter(|e| f.open[e.0 as usize]) {
                self.uheap[k as usize].push(Item(c, i));
            }
        }
        self.pending.clear();
    }

    /// The cheapest unserved demand that may use pool `k`: `(cost, demand)`.
    fn umin(&mut self, k: usize) -> Option<(f64, u32)> {
        let (net, f, p, h) = (&self.net, &self.f, &mut self.ptr[k], &mut self.uheap[k]);
        let near = net.near(k);
        while *p < near.len() && f.x(near[*p].0 as usize, net.np) <= 0.0 {
            *p += 1;
        }
        while h.peek().is_some_and(|e| f.x(e.1 as usize, net.np) <= 0.0) {
            h.pop();
        }
        let a = near.get(*p).map(|e| (e.1, e.0));
        let b = h.peek().map(|e| (e.0, e.1));
        if b.is_some_and(|b| a.is_none_or(|a| b.0 < a.0)) { b } else { a }
    }

    /// Relaxes `w` to `nd` via `from` in a search from a node popped at `d`; in a stopping
    /// search (`mode`: whether backwards) returns `w` if it ends the search.
    fn go(&mut self, w: usize, nd: f64, from: (usize, u32), d: f64, mode: Option<bool>) -> Option<usize> {
        let better = self.dij.relax(w, nd, (from.0 as u32, from.1));
        mode.filter(|&back| better && nd <= d + self.net.tol && self.goal(w, back)).map(|_| w)
    }

    /// Relaxes the arcs out of node `v`, popped at `d`.
    fn expand(&mut self, v: usize, d: f64, mode: Option<bool>) -> Option<usize> {
        let (np, eps, big, t) = (self.net.np, self.net.eps, self.net.big, self.net.np + 1);
        let pv = self.f.pot[v];
        if v == t {
            for a in 0..self.opens.len() {
                let k = self.opens[a];
                if self.f.fill[k] > eps {
                    self.go(k, d + (self.f.pot[k] - pv).max(0.0), (t, NONE), d, mode);
                }
            }
            if self.f.load[np] > eps {
                self.go(np, d + (self.f.pot[np] - pv).max(0.0), (t, NONE), d, mode);
            }
            return None;
        }
        if (v == np || self.f.fill[v] < self.net.cap[v] - eps)
            && let Some(w) = self.go(t, d + (self.f.pot[t] - pv).max(0.0), (v, NONE), d, mode)
        {
            return Some(w);
        }
        if v == np {
            self.flush();
            for a in 0..self.opens.len() {
                let k = self.opens[a];
                if let Some((c, i)) = self.umin(k)
                    && let Some(w) = self.go(k, d + (c - big + self.f.pot[k] - pv).max(0.0), (np, i), d, mode)
                {
                    return Some(w);
                }
            }
            return None;
        }
        let r = self.row(v, false);
        for x in 0..self.rows[r].arcs.len() {
            let b = self.rows[r].arcs[x].to as usize;
            if !self.dij.done[b]
                && let Some((key, who)) = self.top(r, x, Some(v))
                && let Some(w) = self.go(b, d + (key + self.f.pot[b] - pv).max(0.0), (v, who), d, mode)
            {
                return Some(w);
            }
        }
        None
    }

    /// Relaxes the arcs into node `v`, popped at `d` in a search backwards from a deficit. The
    /// sink is always a source, and next to "unserved" whenever that is reached.
    fn expand_in(&mut self, v: usize, d: f64) -> Option<usize> {
        let (np, eps, t) = (self.net.np, self.net.eps, self.net.np + 1);
        let (pv, mode) = (self.f.pot[v], Some(true));
        if (v == np || self.f.fill[v] > eps)
            && let Some(w) = self.go(t, d + (pv - self.f.pot[t]).max(0.0), (v, NONE), d, mode)
        {
            return Some(w);
        }
        if v == np {
            return None;
        }
        let r = self.row(v, true);
        for x in 0..self.rows[r].arcs.len() {
            let a = self.rows[r].arcs[x].to as usize;
            if !self.dij.done[a]
                && let Some((key, who)) = self.top(r, x, None)
                && let Some(w) = self.go(a, d + (key + pv - self.f.pot[a]).max(0.0), (v, who), d, mode)
            {
                return Some(w);
            }
        }
        None
    }

    /// One shortest path from `start` to a node that may end it (backwards: from a node that
    /// may start it to `start`): updates the potentials and augments. False if there is none.
    fn augment(&mut self, start: usize, back: bool) -> bool {
        let (np, eps) = (self.net.np, self.net.eps);
        self.dij.reset();
        self.dij.relax(start, 0.0, (NONE, NONE));
        let mut end = None;
        while let Some(Item(d, v)) = self.dij.heap.pop() {
            let v = v as usize;
            if self.dij.done[v] || d > self.dij.dist[v] {
                continue;
            }
            self.dij.done[v] = true;
            if v != start && self.goal(v, back) {
                end = Some(v);
                break;
            }
            if let Some(w) = if back { self.expand_in(v, d) } else { self.expand(v, d, Some(false)) } {
                self.dij.done[w] = true;
                end = Some(w);
                break;
            }
        }
        let Some(end) = end else { return false };
        let de = self.dij.dist[end];
        for &v in &self.dij.seen {
            let (v, dv) = (v as usize, self.dij.dist[v as usize]);
            if self.dij.done[v] && dv < de {
                self.f.pot[v] += if back { dv - de } else { de - dv };
            }
        }
        // The path from `s` to `t`, a demand's consecutive moves merged into one.
        let (s, t) = if back { (end, start) } else { (start, end) };
        self.hops.clear();
        let mut v = end;
        while v != start {
            let (u, i) = self.dij.pred[v];
            let hop = if back { (v as u32, u, i) } else { (u, v as u32, i) };
            match self.hops.last_mut() {
                Some(h) if i != NONE && h.2 == i && back => h.1 = hop.1,
                Some(h) if i != NONE && h.2 == i => h.0 = hop.0,
                _ => self.hops.push(hop),
            }
            v = u as usize;
        }
        let room = |v: usize, sign: f64| if v == np + 1 { f64::INFINITY } else { sign * self.excess(v) };
        let mut delta = room(s, 1.0).min(room(t, -1.0));
        for &(u, v, i) in &self.hops {
            let (u, v) = (u as usize, v as usize);
            delta = delta.min(match (i, u.cmp(&np), v.cmp(&np)) {
                (NONE, Ordering::Less, _) => self.net.cap[u] - self.f.fill[u],
                (NONE, Ordering::Greater, Ordering::Less) => self.f.fill[v],
                (NONE, _, _) => f64::INFINITY,
                _ => self.f.x(i as usize, u),
            });
        }
        for h in 0..self.hops.len() {
            let (u, v, i) = self.hops[h];
            let (u, v) = (u as usize, v as usize);
            if i != NONE {
                self.shift(i as usize, u, v, delta, eps);
            } else if u < np {
                self.f.fill[u] += delta;
            } else if v < np {
                self.f.fill[v] -= delta;
            }
        }
        self.et += if s == np + 1 {
            -delta
        } else if t == np + 1 {
            delta
        } else {
            0.0
        };
        true
    }

    /// Moves `a` of demand `i` (all of it if at most `eps` would be left) from `u` to `v`;
    /// returns the amount moved.
    pub(super) fn shift(&mut self, i: usize, u: usize, v: usize, a: f64, eps: f64) -> f64 {
        let np = self.net.np;
        let (moved, gone) = self.f.cut(i, u, a, eps);
        if gone {
            self.ver[u] = self.ver[u].wrapping_add(1);
        }
        if !self.f.put(i, v, moved, || self.net.cost(i, v).unwrap_or(f64::INFINITY)) {
            return moved;
        }
        // Offer the moves of the demand come to `v`.
        let (net, f, rows) = (&self.net, &self.f, &mut self.rows);
        let cv = net.cost(i, v).unwrap_or(net.big);
        let opts = net.opts(i).iter().filter(|e| f.open[e.0 as usize] && e.0 as usize != v);
        for (b, c) in opts.map(|e| (e.0, e.1)).chain([(np as u32, net.big)]) {
            if v < np && self.row_of[v] != NONE {
                rows[self.row_of[v] as usize].offer(b, c - cv, i as u32, self.ver[v]);
            }
            if (b as usize) < np && self.in_of[b as usize] != NONE {
                rows[self.in_of[b as usize] as usize].offer(v as u32, c - cv, i as u32, self.ver[v]);
            }
        }
        if v == np {
            self.pending.push(i as u32);
        }
        moved
    }

    /// The least optimal prices: the present ones less the reduced distance from the sink.
    pub(super) fn least_prices(&mut self) {
        let np = self.net.np;
        self.dij.reset();
        self.dij.relax(np + 1, 0.0, (NONE, NONE));
        while let Some(Item(d, v)) = self.dij.heap.pop() {
            if !self.dij.done[v as usize] && d <= self.dij.dist[v as usize] {
                self.dij.done[v as usize] = true;
                self.expand(v as usize, d, None);
            }
        }
        for &k in &self.opens {
            self.f.price[k] = (self.f.pot[k] - self.dij.dist[k]).max(0.0);
        }
    }
}
