//! Small test networks drawn as text, so a routing or allocation test shows its network:
//!
//! ```text
//! a-b---c
//! |     v
//! d-----e
//! ```
//!
//! Letters (but `v`) and digits are nodes, each drawn once; `-` joins nodes on a row, `|` on a
//! column, both ways. An arrow inside an edge makes it one-way: `>` or `<` on a row, `v`
//! or `^` on a column. An edge costs `step` per character it spans (`a-b` two steps,
//! `b---c` four), so the drawing is to scale. Nodes are numbered in reading order.
//!
//! # Example
//! ```
//! use pave::network::ascii::Drawing;
//! use pave::routing::{dijkstra::one_to_all, Access, Workspace, UNREACHABLE};
//! let d = Drawing::parse("a-b---c\n|     v\nd-----e", 1000).expect("a valid drawing");
//! let mut ws = Workspace::new(d.graph.node_count());
//! one_to_all(&d.graph, &[Access { node: d.node('a'), cost: 0 }], UNREACHABLE, &mut ws);
//! assert_eq!(ws.dist(d.node('c')), 6_000);
//! assert_eq!(ws.dist(d.node('e')), 8_000); // a → d → e; c → e is one-way down
//! ```

use super::csr::Csr;

/// A network parsed from a drawing: its graph and where each named node is.
#[derive(Clone, Debug)]
pub struct Drawing {
    /// The graph (costs in the unit of `step`, usually milliseconds).
    pub graph: Csr,
    /// Node names in node order.
    pub names: Vec<char>,
    /// (column, row) of each node in the drawing.
    pub cells: Vec<(usize, usize)>,
}

impl Drawing {
    /// Parses `text`; `step` is the cost of one character of edge. Errors name the line and
    /// column of what cannot be read.
    pub fn parse(text: &str, step: u32) -> Result<Drawing, String> {
        let rows: Vec<Vec<char>> = text.lines().map(|l| l.chars().collect()).collect();
        let at = |r: usize, c: usize| rows.get(r).and_then(|row| row.get(c)).copied().unwrap_or(' ');
        let mut names = Vec::new();
        let mut cells = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            for (c, &ch) in row.iter().enumerate() {
                if ch.is_ascii_alphanumeric() && ch != 'v' {
                    if names.contains(&ch) {
                        return Err(format!("line {}, column {}: node '{ch}' drawn twice", r + 1, c + 1));
                    }
                    names.push(ch);
                    cells.push((c, r));
                } else if !" -|<>^v".contains(ch) {
                    return Err(format!(
                        "line {}, column {}: '{ch}' is not a node (letter or digit) or an edge (- | < > ^ v)",
                        r + 1,
                        c + 1
                    ));
                }
            }
        }
        let node_at = |r: usize, c: usize| cells.iter().position(|&p| p == (c, r));
        let mut edges = Vec::new();
        for (i, &(c, r)) in cells.iter().enumerate() {
            // Along the row, then down the column.
            for (horizontal, along, forward_mark, backward_mark) in [(true, '-', '>', '<'), (false, '|', 'v', '^')] {
                let step_to = |k: usize| if horizontal { (r, c + k) } else { (r + k, c) };
                let (mut forward, mut backward) = (true, true);
                let mut k = 1;
                loop {
                    let (rr, cc) = step_to(k);
                    let ch = at(rr, cc);
                    if ch == along {
                    } else if ch == forward_mark {
                        backward = false;
                    } else if ch == backward_mark {
                        forward = false;
                    } else {
                        break;
                    }
                    k += 1;
                }
                if k == 1 {
                    continue;
                }
                let (rr, cc) = step_to(k);
                let Some(j) = node_at(rr, cc) else {
                    return Err(format!(
                        "line {}, column {}: an edge from '{}' ends without a node",
                        rr + 1,
                        cc + 1,
                        names[i]
                    ));
                };
                let cost = step * k as u32;
                if forward {
                    edges.push((i as u32, j as u32, cost));
                }
                if backward {
                    edges.push((j as u32, i as u32, cost));
                }
            }
        }
        Ok(Drawing { graph: Csr::from_edges(names.len(), &mut edges), names, cells })
    }

    /// The node named `name`; panics if the drawing has none (a test's own mistake).
    pub fn node(&self, name: char) -> u32 {
        match self.names.iter().position(|&n| n == name) {
            Some(i) => i as u32,
            None => panic!("the drawing has no node '{name}'"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrows_make_edges_one_way_and_costs_follow_the_drawing() {
        let d = Drawing::parse("a->-b\n|\nc", 10).unwrap();
        let edge = |u: char, v: char| {
            let (u, v) = (d.node(u), d.node(v));
            d.graph.edges(u).find(|&e| d.graph.head[e] == v).map(|e| d.graph.weight[e])
        };
        assert_eq!(edge('a', 'b'), Some(40));
        assert_eq!(edge('b', 'a'), None);
        assert_eq!((edge('a', 'c'), edge('c', 'a')), (Some(20), Some(20)));
    }

    #[test]
    fn malformed_drawings_are_located() {
        assert_eq!(Drawing::parse("a-b\nb", 1).unwrap_err(), "line 2, column 1: node 'b' drawn twice");
        assert_eq!(Drawing::parse("a--", 1).unwrap_err(), "line 1, column 4: an edge from 'a' ends without a node");
        assert!(Drawing::parse("a*b", 1).unwrap_err().contains("'*' is not a node"));
    }
}
