//! Strongly connected components (iterative Tarjan) and the largest one.
//!
//! Routing on a graph with one-way dead ends gives "unreachable" answers that are artefacts
//! of the data; like OSRM we keep the largest strongly connected component and report what
//! was dropped.
//!
//! # Complexity
//! O(V + E), no recursion (safe for million-node graphs).

use super::csr::Csr;

/// Component index of every node; components are numbered in completion order.
pub fn strongly_connected(graph: &Csr) -> Vec<u32> {
    let n = graph.node_count();
    const NONE: u32 = u32::MAX;
    let mut index = vec![NONE; n];
    let mut low = vec![0u32; n];
    let mut comp = vec![NONE; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<u32> = Vec::new();
    let mut call: Vec<(u32, usize)> = Vec::new(); // (node, next edge position)
    let mut next_index = 0u32;
    let mut next_comp = 0u32;
    for root in 0..n as u32 {
        if index[root as usize] != NONE {
            continue;
        }
        call.push((root, graph.edges(root).start));
        index[root as usize] = next_index;
        low[root as usize] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root as usize] = true;
        while let Some(&mut (v, ref mut pos)) = call.last_mut() {
            let end = graph.edges(v).end;
            if *pos < end {
                let w = graph.head[*pos];
                *pos += 1;
                if index[w as usize] == NONE {
                    index[w as usize] = next_index;
                    low[w as usize] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w as usize] = true;
                    call.push((w, graph.edges(w).start));
                } else if on_stack[w as usize] {
                    low[v as usize] = low[v as usize].min(index[w as usize]);
                }
            } else {
                call.pop();
                if let Some(&(parent, _)) = call.last() {
                    low[parent as usize] = low[parent as usize].min(low[v as usize]);
                }
                if low[v as usize] == index[v as usize] {
                    while let Some(w) = stack.pop() {
                        on_stack[w as usize] = false;
                        comp[w as usize] = next_comp;
                        if w == v {
                            break;
                        }
                    }
                    next_comp += 1;
                }
            }
        }
    }
    comp
}

/// Which nodes belong to the largest strongly connected component (ties: lowest node).
pub fn largest(graph: &Csr) -> (Vec<bool>, usize) {
    let comp = strongly_connected(graph);
    let count = comp.iter().max().map_or(0, |&m| m as usize + 1);
    let mut size = vec![0usize; count];
    for &c in &comp {
        size[c as usize] += 1;
    }
    // The component of the first node among those of maximal size.
    let best = size.iter().copied().max().unwrap_or(0);
    let pick = comp.iter().find(|&&c| size[c as usize] == best).copied();
    (comp.iter().map(|&c| Some(c) == pick).collect(), count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_components() {
        // 0⇄1→2⇄3, 4 alone
        let mut e = vec![(0, 1, 1), (1, 0, 1), (1, 2, 1), (2, 3, 1), (3, 2, 1)];
        let g = Csr::from_edges(5, &mut e);
        let c = strongly_connected(&g);
        assert_eq!(c[0], c[1]);
        assert_eq!(c[2], c[3]);
        assert_ne!(c[0], c[2]);
        let (keep, count) = largest(&g);
        assert_eq!(count, 3);
        assert_eq!(keep, vec![true, true, false, false, false]);
    }
}
