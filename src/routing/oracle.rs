//! Test oracles: textbook Floyd–Warshall and Bellman–Ford, slow and obviously right.

use super::{Cost, UNREACHABLE};

/// All-pairs shortest costs by Floyd–Warshall on an edge list (u64 to avoid overflow).
pub fn floyd_warshall(n: usize, edges: &[(u32, u32, u32)]) -> Vec<Vec<u64>> {
    let inf = u64::MAX / 4;
    let mut d = vec![vec![inf; n]; n];
    for (i, row) in d.iter_mut().enumerate() {
        row[i] = 0;
    }
    for &(u, v, w) in edges {
        let (u, v) = (u as usize, v as usize);
        d[u][v] = d[u][v].min(u64::from(w));
    }
    for k in 0..n {
        for i in 0..n {
            for j in 0..n {
                let via = d[i][k] + d[k][j];
                if via < d[i][j] {
                    d[i][j] = via;
                }
            }
        }
    }
    d
}

/// Single-source costs by Bellman–Ford from several (node, start cost) sources.
pub fn bellman_ford(n: usize, edges: &[(u32, u32, u32)], sources: &[(u32, u32)]) -> Vec<u64> {
    let inf = u64::MAX / 4;
    let mut d = vec![inf; n];
    for &(s, c) in sources {
        d[s as usize] = d[s as usize].min(u64::from(c));
    }
    for _ in 0..n {
        let mut changed = false;
        for &(u, v, w) in edges {
            let via = d[u as usize] + u64::from(w);
            if via < d[v as usize] {
                d[v as usize] = via;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    d
}

/// An oracle cost as a kernel cost with a cutoff.
pub fn as_cost(d: u64, cutoff: Cost) -> Cost {
    if d > u64::from(cutoff) { UNREACHABLE } else { d as Cost }
}

#[cfg(test)]
mod tests {
    use super::super::dijkstra::{one_to_all, one_to_many};
    use super::super::nearest::{k_nearest, nearest_with};
    use super::super::{Access, UNREACHABLE, Workspace, matrix};
    use super::*;
    use crate::network::csr::Csr;
    use proptest::prelude::*;

    /// Random graphs with disconnected parts, zero-length edges, parallel edges, self loops.
    fn graphs() -> impl Strategy<Value = (usize, Vec<(u32, u32, u32)>)> {
        (1usize..24).prop_flat_map(|n| {
            let edge = (0..n as u32, 0..n as u32, prop_oneof![Just(0u32), 0u32..50, 0u32..100_000]);
            (Just(n), proptest::collection::vec(edge, 0..n * 4))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        #[test]
        fn dijkstra_matches_floyd_warshall((n, edges) in graphs(), cutoff in prop_oneof![Just(UNREACHABLE), 0u32..200_000]) {
            let g = Csr::from_edges(n, &mut edges.clone());
            g.validate().unwrap();
            let fw = floyd_warshall(n, &edges);
            let mut ws = Workspace::new(n);
            for (s, row) in fw.iter().enumerate() {
                one_to_all(&g, &[Access { node: s as u32, cost: 0 }], cutoff, &mut ws);
                for (t, &d) in row.iter().enumerate() {
                    prop_assert_eq!(ws.dist(t as u32), as_cost(d, cutoff), "{} -> {}", s, t);
                }
            }
        }

        #[test]
        fn multi_access_and_one_to_many_match_bellman_ford((n, edges) in graphs(), starts in proptest::collection::vec((0u32..24, 0u32..500), 1..3), cutoff in prop_oneof![Just(UNREACHABLE), 0u32..50_000]) {
            let starts: Vec<(u32, u32)> = starts.into_iter().map(|(s, c)| (s % n as u32, c)).collect();
            let g = Csr::from_edges(n, &mut edges.clone());
            let bf = bellman_ford(n, &edges, &starts);
            let sources: Vec<Access> = starts.iter().map(|&(node, cost)| Access { node, cost }).collect();
            let targets: Vec<Vec<Access>> = (0..n as u32).map(|t| vec![Access { node: t, cost: 7 }]).collect();
            let mut ws = Workspace::new(n);
            let mut out = vec![0; n];
            one_to_many(&g, &sources, &targets, cutoff, &mut ws, &mut out);
            for t in 0..n {
                prop_assert_eq!(out[t], as_cost(bf[t] + 7, cutoff));
            }
        }

        #[test]
        fn nearest_labels_match_brute_force((n, edges) in graphs(), picks in proptest::collection::vec(0u32..24, 1..5), threads in 1usize..4) {
            // Zero and light edges: buckets scanned again, also after mail between ranges.
            let g = Csr::from_edges(n, &mut edges.clone());
            let fw = floyd_warshall(n, &edges);
            let sources: Vec<Vec<Access>> = picks.iter().map(|&p| vec![Access { node: p % n as u32, cost: 0 }]).collect();
            let (cost, label) = nearest_with(&g, &sources, UNREACHABLE, threads);
            let knn = k_nearest(&g, &sources, 2, UNREACHABLE);
            for v in 0..n {
                // Brute force: (cost, lowest label) over all sources.
                let mut all: Vec<(u64, u32)> = sources.iter().enumerate().map(|(l, s)| (fw[s[0].node as usize][v], l as u32)).filter(|c| c.0 < u64::MAX / 4).collect();
                all.sort();
                match all.first() {
                    None => prop_assert_eq!((cost[v], label[v]), (UNREACHABLE, u32::MAX)),
                    Some(&(c, l)) => prop_assert_eq!((cost[v], label[v]), (c as u32, l)),
                }
                let expected: Vec<(u32, u32)> = all.iter().map(|&(c, l)| (c as u32, l)).take(2).collect();
                prop_assert_eq!(&knn[v], &expected);
            }
        }

        #[test]
        fn nearest_with_long_edges_uses_buckets_and_matches_brute_force(n in 1usize..30, raw in proptest::collection::vec((0u32..30, 0u32..30, 64u32..5_000), 0..120), picks in proptest::collection::vec((0u32..30, 0u32..300), 1..6), threads in 1usize..5, cutoff in prop_oneof![Just(UNREACHABLE), 0u32..8_000]) {
            // 2–4 threads: the partitioned search, node ranges exchanging mail.
            let edges: Vec<(u32, u32, u32)> = raw.into_iter().map(|(a, b, w)| (a % n as u32, b % n as u32, w)).collect();
            let g = Csr::from_edges(n, &mut edges.clone());
            let fw = floyd_warshall(n, &edges);
            let sources: Vec<Vec<Access>> = picks.iter().map(|&(p, c)| vec![Access { node: p % n as u32, cost: c }]).collect();
            let (cost, label) = nearest_with(&g, &sources, cutoff, threads);
            for v in 0..n {
                let mut all: Vec<(u64, u32)> = sources.iter().enumerate().map(|(l, s)| (fw[s[0].node as usize][v] + u64::from(s[0].cost), l as u32)).filter(|c| c.0 <= u64::from(cutoff) && c.0 < u64::MAX / 8).collect();
                all.sort();
                match all.first() {
                    None => prop_assert_eq!((cost[v], label[v]), (UNREACHABLE, u32::MAX)),
                    Some(&(c, l)) => prop_assert_eq!((cost[v], label[v]), (c as u32, l)),
                }
            }
        }

        #[test]
        fn matrices_agree_both_directions_and_with_oracle((n, edges) in graphs(), o in 1usize..6, d in 1usize..6, cutoff in prop_oneof![Just(UNREACHABLE), 0u32..100_000]) {
            let g = Csr::from_edges(n, &mut edges.clone());
            let r = g.transpose();
            let fw = floyd_warshall(n, &edges);
            let pts = |k: usize, salt: usize| -> Vec<Vec<Access>> { (0..k).map(|i| vec![Access { node: ((i * 7 + salt) % n) as u32, cost: (i as u32) * 3 }]).collect() };
            let (origins, destinations) = (pts(o, 1), pts(d, 5));
            let m = matrix::dense(&g, &r, &origins, &destinations, cutoff, &|_| {});
            let mut streamed = Vec::new();
            matrix::streamed::<()>(&g, &origins, &destinations, cutoff, 2, &mut |_, b| { streamed.extend_from_slice(b); Ok(()) }).unwrap();
            prop_assert_eq!(&m, &streamed);
            let h = super::super::ch::build(&g);
            let mut with_phast = Vec::new();
            matrix::streamed_phast::<()>(&h, &origins, &destinations, cutoff, 3, &mut |_, b| { with_phast.extend_from_slice(b); Ok(()) }).unwrap();
            prop_assert_eq!(&m, &with_phast);
            for i in 0..o {
                for j in 0..d {
                    let (a, b) = (&origins[i][0], &destinations[j][0]);
                    let expected = as_cost(fw[a.node as usize][b.node as usize] + u64::from(a.cost) + u64::from(b.cost), cutoff);
                    prop_assert_eq!(m[i * d + j], expected);
                }
            }
        }
    }
}
