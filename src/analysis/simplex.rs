//! Primal network simplex for min-cost flow (the method of LEMON's `NetworkSimplex`):
//! a spanning tree of basic arcs with node potentials, block-search pricing, Cunningham's
//! leaving-arc rule on strongly feasible trees against cycling.
//!
//! The tree is kept as parent pointers, subtree sizes and child lists; a pivot re-hangs the
//! stem between the entering and leaving arcs and shifts the potentials of the moved
//! subtree. Used by [`super::allocation::system_optimum`], where successive shortest paths
//! explore whole saturated regions per augmentation; tested against that method and
//! against exhaustive search.

/// A min-cost flow problem: arcs with capacity and cost, node supplies summing to zero.
///
/// ```
/// use pave::analysis::simplex::{solve, Problem};
/// // Node 0 sends 3 to node 2: directly (cost 5, room for 1) or through node 1 (1 + 1).
/// let p = Problem {
///     nodes: 3,
///     arcs: vec![(0, 2, 1, 5), (0, 1, 2, 1), (1, 2, 2, 1)],
///     supply: vec![3, 0, -3],
/// };
/// let (flow, _potentials) = solve(&p).expect("feasible");
/// assert_eq!(flow, vec![1, 2, 2]); // total cost 5 + 2 · 2 = 9
/// ```
#[derive(Clone, Debug, Default)]
pub struct Problem {
    /// Number of nodes.
    pub nodes: usize,
    /// Arcs (from, to, capacity, cost).
    pub arcs: Vec<(u32, u32, i64, i64)>,
    /// Supply (> 0) or demand (< 0) of each node.
    pub supply: Vec<i64>,
}

const NONE: usize = usize::MAX;

/// Solves `p`; returns the flow on each arc and the node potentials (every arc at its lower
/// bound has `cost + π(from) − π(to) ≥ 0` at the optimum), or `None` when the supplies
/// cannot be met (or the pivot budget runs out, which the strongly feasible rule should
/// prevent).
pub fn solve(p: &Problem) -> Option<(Vec<i64>, Vec<i64>)> {
    let n = p.nodes;
    let m = p.arcs.len();
    let root = n;
    let max_cost = p.arcs.iter().map(|a| a.3.abs()).max().unwrap_or(0);
    let art_cost = (max_cost + 1).checked_mul(n as i64 + 1)?;
    let inf: i64 = i64::MAX / 4;
    // Real arcs, then one artificial arc per node.
    let mut source: Vec<usize> = p.arcs.iter().map(|a| a.0 as usize).collect();
    let mut target: Vec<usize> = p.arcs.iter().map(|a| a.1 as usize).collect();
    let mut cap: Vec<i64> = p.arcs.iter().map(|a| a.2).collect();
    let mut cost: Vec<i64> = p.arcs.iter().map(|a| a.3).collect();
    let mut flow = vec![0i64; m + n];
    // state: 1 at lower bound, -1 at upper bound, 0 in the tree.
    let mut state = vec![1i8; m + n];
    let mut parent = vec![NONE; n + 1];
    let mut pred = vec![NONE; n + 1];
    let mut up = vec![false; n + 1]; // pred arc points from the node to its parent
    let mut pi = vec![0i64; n + 1];
    let mut size = vec![1usize; n + 1];
    let mut first_child = vec![NONE; n + 1];
    let mut next_sib = vec![NONE; n + 1];
    let mut prev_sib = vec![NONE; n + 1];
    size[root] = n + 1;
    for u in 0..n {
        let e = m + u;
        cap.push(inf);
        state[e] = 0;
        parent[u] = root;
        pred[u] = e;
        if p.supply[u] >= 0 {
            source.push(u);
            target.push(root);
            cost.push(0);
            flow[e] = p.supply[u];
            up[u] = true;
            pi[u] = 0;
        } else {
            source.push(root);
            target.push(u);
            cost.push(art_cost);
            flow[e] = -p.supply[u];
            up[u] = false;
            pi[u] = art_cost;
        }
        // child list of the root
        next_sib[u] = first_child[root];
        if first_child[root] != NONE {
            prev_sib[first_child[root]] = u;
        }
        first_child[root] = u;
    }
    let total = m + n;
    let block = ((total as f64).sqrt() as usize).max(10);
    let mut next_arc = 0usize;
    let mut pivots: u64 = 0;
    let budget = 50 * total as u64 + 10_000;
    let mut stack: Vec<usize> = Vec::new();
    let detach = |v: usize, first_child: &mut [usize], next_sib: &mut [usize], prev_sib: &mut [usize], par: usize| {
        if prev_sib[v] != NONE {
            next_sib[prev_sib[v]] = next_sib[v];
        } else {
            first_child[par] = next_sib[v];
        }
        if next_sib[v] != NONE {
            prev_sib[next_sib[v]] = prev_sib[v];
        }
        next_sib[v] = NONE;
        prev_sib[v] = NONE;
    };
    let attach = |v: usize, first_child: &mut [usize], next_sib: &mut [usize], prev_sib: &mut [usize], par: usize| {
        next_sib[v] = first_child[par];
        prev_sib[v] = NONE;
        if first_child[par] != NONE {
            prev_sib[first_child[par]] = v;
        }
        first_child[par] = v;
    };
    loop {
        // Block search pricing.
        let mut best = 0i64;
        let mut in_arc = NONE;
        let mut count = 0usize;
        for k in 0..total {
            let e = (next_arc + k) % total;
            let c = i64::from(state[e]) * (cost[e] + pi[source[e]] - pi[target[e]]);
            if c < best {
                best = c;
                in_arc = e;
            }
            count += 1;
            if count >= block && in_arc != NONE {
                next_arc = (e + 1) % total;
                break;
            }
        }
        if in_arc == NONE {
            break;
        }
        pivots += 1;
        if pivots > budget {
            return None;
        }
        // Join node.
        let (mut a, mut b) = (source[in_arc], target[in_arc]);
        while a != b {
            if size[a] < size[b] {
                a = parent[a];
            } else {
                b = parent[b];
            }
        }
        let join = a;
        // Leaving arc (Cunningham's rule).
        let (first, second) =
            if state[in_arc] == 1 { (source[in_arc], target[in_arc]) } else { (target[in_arc], source[in_arc]) };
        let mut delta = cap[in_arc];
        let mut result = 0u8;
        let mut u_out = NONE;
        let mut u = first;
        while u != join {
            let e = pred[u];
            let d = if up[u] {
                flow[e]
            } else if cap[e] >= inf {
                inf
            } else {
                cap[e] - flow[e]
            };
            if d < delta {
                delta = d;
                u_out = u;
                result = 1;
            }
            u = parent[u];
        }
        let mut u = second;
        while u != join {
            let e = pred[u];
            let d = if up[u] { if cap[e] >= inf { inf } else { cap[e] - flow[e] } } else { flow[e] };
            if d <= delta {
                delta = d;
                u_out = u;
                result = 2;
            }
            u = parent[u];
        }
        if delta >= inf {
            return None;
        }
        // Flow change along the cycle.
        if delta > 0 {
            let val = i64::from(state[in_arc]) * delta;
            flow[in_arc] += val;
            let mut u = source[in_arc];
            while u != join {
                flow[pred[u]] -= if up[u] { val } else { -val };
                u = parent[u];
            }
            let mut u = target[in_arc];
            while u != join {
                flow[pred[u]] += if up[u] { val } else { -val };
                u = parent[u];
            }
        }
        if result == 0 {
            state[in_arc] = -state[in_arc];
            continue;
        }
        let (u_in, v_in) = if result == 1 { (first, second) } else { (second, first) };
        let out_arc = pred[u_out];
        state[in_arc] = 0;
        state[out_arc] = if flow[out_arc] == 0 { 1 } else { -1 };
        let v_out = parent[u_out];
        let moved = size[u_out];
        // Stem u_in = s0, s1 = parent(s0), …, sk = u_out.
        let mut stem = vec![u_in];
        while *stem.last().unwrap_or(&u_out) != u_out {
            let last = *stem.last().unwrap_or(&u_out);
            stem.push(parent[last]);
        }
        let old_size: Vec<usize> = stem.iter().map(|&s| size[s]).collect();
        let old_pred: Vec<usize> = stem.iter().map(|&s| pred[s]).collect();
        let old_up: Vec<bool> = stem.iter().map(|&s| up[s]).collect();
        for &s in &stem {
            detach(s, &mut first_child, &mut next_sib, &mut prev_sib, parent[s]);
        }
        // New parents: s0 under v_in, s(i+1) under s(i).
        parent[u_in] = v_in;
        attach(u_in, &mut first_child, &mut next_sib, &mut prev_sib, v_in);
        pred[u_in] = in_arc;
        up[u_in] = source[in_arc] == u_in;
        for i in 1..stem.len() {
            let s = stem[i];
            parent[s] = stem[i - 1];
            attach(s, &mut first_child, &mut next_sib, &mut prev_sib, stem[i - 1]);
            pred[s] = old_pred[i - 1];
            up[s] = !old_up[i - 1];
        }
        // Subtree sizes along the stem, then on the two paths to the join node.
        let k = stem.len() - 1;
        let mut acc = 0usize;
        for i in (1..=k).rev() {
            acc += old_size[i] - old_size[i - 1];
            size[stem[i]] = acc;
        }
        size[u_in] = moved;
        let mut u = v_in;
        while u != join {
            size[u] += moved;
            u = parent[u];
        }
        let mut u = v_out;
        while u != join {
            size[u] -= moved;
            u = parent[u];
        }
        // Potentials of the moved subtree: the entering arc gets reduced cost 0.
        let sigma = pi[v_in] - pi[u_in] - if up[u_in] { cost[in_arc] } else { -cost[in_arc] };
        if sigma != 0 {
            stack.clear();
            stack.push(u_in);
            while let Some(v) = stack.pop() {
                pi[v] += sigma;
                let mut c = first_child[v];
                while c != NONE {
                    stack.push(c);
                    c = next_sib[c];
                }
            }
        }
    }
    // Artificial arcs must be empty at the optimum of a feasible problem.
    if (m..total).any(|e| flow[e] != 0) {
        return None;
    }
    flow.truncate(m);
    pi.truncate(n);
    Some((flow, pi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_transport_by_hand() {
        // Two sources (5, 3), two sinks (−4, −4); costs 0→2: 1, 0→3: 4, 1→2: 2, 1→3: 1.
        // Optimum: 4 on 0→2, 1 on 0→3, 3 on 1→3: 4 + 4 + 3 = 11.
        let p = Problem {
            nodes: 4,
            arcs: vec![(0, 2, 10, 1), (0, 3, 10, 4), (1, 2, 10, 2), (1, 3, 10, 1)],
            supply: vec![5, 3, -4, -4],
        };
        let (f, pi) = solve(&p).unwrap();
        for (a, f) in p.arcs.iter().zip(&f) {
            let reduced = a.3 + pi[a.0 as usize] - pi[a.1 as usize];
            assert!(*f > 0 || reduced >= 0, "arc {a:?} at zero flow has reduced cost {reduced}");
        }
        let cost: i64 = f.iter().zip(&p.arcs).map(|(f, a)| f * a.3).sum();
        assert_eq!(cost, 11);
        assert_eq!(f, vec![4, 1, 0, 3]);
    }

    #[test]
    fn infeasible_is_none() {
        let p = Problem { nodes: 2, arcs: vec![(0, 1, 1, 1)], supply: vec![2, -2] };
        assert_eq!(solve(&p), None);
    }
}
