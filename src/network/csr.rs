//! Compact sparse-row graph: `u32` node ids, struct-of-arrays edge data.
//!
//! **Invariants** (checked by [`Csr::validate`]): `first_out` is `node_count + 1` long, starts
//! at 0, never decreases and ends at `head.len()`; `head` and `weight` have the same length;
//! every head is `< node_count`; edges of a node are sorted by head with no duplicates and
//! no self loops (parallel input edges keep their minimum weight).

/// A directed graph in compressed sparse row form with one `u32` weight per edge.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Csr {
    /// Offset of each node's first out-edge; `node_count + 1` entries.
    pub first_out: Vec<u32>,
    /// Target node of each edge.
    pub head: Vec<u32>,
    /// Weight of each edge (travel time in milliseconds in pave's networks).
    pub weight: Vec<u32>,
}

impl Csr {
    /// Builds a CSR graph on `node_count` nodes from `(from, to, weight)` edges.
    ///
    /// Self loops are dropped (they never shorten a path); of parallel edges the lightest
    /// is kept. The edge slice is sorted in place.
    pub fn from_edges(node_count: usize, edges: &mut [(u32, u32, u32)]) -> Csr {
        use rayon::slice::ParallelSliceMut;
        edges.par_sort_unstable();
        let mut first_out = vec![0u32; node_count + 1];
        let mut head = Vec::with_capacity(edges.len());
        let mut weight = Vec::with_capacity(edges.len());
        let mut last: Option<(u32, u32)> = None;
        for &(from, to, w) in edges.iter() {
            if from == to || last == Some((from, to)) {
                continue; // self loop, or a heavier parallel edge (sorted by weight last)
            }
            last = Some((from, to));
            first_out[from as usize + 1] += 1;
            head.push(to);
            weight.push(w);
        }
        for i in 0..node_count {
            first_out[i + 1] += first_out[i];
        }
        Csr { first_out, head, weight }
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.first_out.len().saturating_sub(1)
    }

    /// Number of edges.
    pub fn edge_count(&self) -> usize {
        self.head.len()
    }

    /// Range of edge indices leaving `node`.
    #[inline]
    pub fn edges(&self, node: u32) -> std::ops::Range<usize> {
        self.first_out[node as usize] as usize..self.first_out[node as usize + 1] as usize
    }

    /// The reverse graph: every edge u→v becomes v→u with the same weight.
    ///
    /// A counting sort by head, O(V + E): tails come in increasing order, so each reversed
    /// list is sorted, and the invariants carry over.
    pub fn transpose(&self) -> Csr {
        let n = self.node_count();
        let mut first_out = vec![0u32; n + 1];
        for &v in &self.head {
            first_out[v as usize + 1] += 1;
        }
        for i in 0..n {
            first_out[i + 1] += first_out[i];
        }
        let mut next = first_out.clone();
        let (mut head, mut weight) = (vec![0u32; self.edge_count()], vec![0u32; self.edge_count()]);
        for u in 0..n as u32 {
            for e in self.edges(u) {
                let slot = &mut next[self.head[e] as usize];
                head[*slot as usize] = u;
                weight[*slot as usize] = self.weight[e];
                *slot += 1;
            }
        }
        Csr { first_out, head, weight }
    }

    /// Checks the invariants listed in the module doc.
    pub fn validate(&self) -> Result<(), String> {
        let n = self.node_count();
        if self.first_out.first() != Some(&0) || *self.first_out.last().unwrap_or(&1) as usize != self.head.len() {
            return Err("first_out must start at 0 and end at the edge count".into());
        }
        if self.head.len() != self.weight.len() {
            return Err("head and weight differ in length".into());
        }
        for u in 0..n as u32 {
            let r = self.edges(u);
            if r.start > r.end {
                return Err(format!("first_out decreases at node {u}"));
            }
            let mut prev = None;
            for e in r {
                let v = self.head[e];
                if v as usize >= n || v == u || prev.is_some_and(|p| p >= v) {
                    return Err(format!("bad edge {u}→{v}"));
                }
                prev = Some(v);
            }
        }
        Ok(())
    }

    /// Heap memory used, in bytes.
    pub fn memory_bytes(&self) -> usize {
        4 * (self.first_out.len() + self.head.len() + self.weight.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_dedupes_and_transposes() {
        let mut e = vec![(0, 1, 5), (0, 1, 3), (1, 1, 1), (1, 2, 4), (2, 0, 0)];
        let g = Csr::from_edges(3, &mut e);
        g.validate().unwrap();
        assert_eq!(g.edge_count(), 3);
        assert_eq!(g.weight[g.edges(0).start], 3);
        let t = g.transpose();
        t.validate().unwrap();
        assert_eq!(t.head[t.edges(1).start], 0);
        assert_eq!(t.transpose(), g);
    }

    proptest::proptest! {
        #[test]
        fn transpose_equals_building_from_reversed_edges(n in 1usize..40, raw in proptest::collection::vec((0u32..40, 0u32..40, 0u32..9), 0..200)) {
            let mut edges: Vec<(u32, u32, u32)> = raw.into_iter().map(|(a, b, w)| (a % n as u32, b % n as u32, w)).collect();
            let g = &Csr::from_edges(n, &mut edges);
            let mut reversed: Vec<(u32, u32, u32)> =
                (0..n as u32).flat_map(|u| g.edges(u).map(move |e| (g.head[e], u, g.weight[e]))).collect();
            let t = g.transpose();
            proptest::prop_assert!(t.validate().is_ok());
            proptest::prop_assert_eq!(t, Csr::from_edges(n, &mut reversed));
        }
    }
}
