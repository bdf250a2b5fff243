//! The fast path for well-formed interchange files: comma-separated numbers without quotes,
//! split at line ends into pieces parsed in parallel.
//!
//! It gives up (`None`) on anything it does not expect (an empty file, quotes, a field
//! count that differs
//! from the header, an unparsable or non-finite number, a negative cost, a duplicate node
//! id, an edge to an unknown node, an edge time of 12 days or more, text that is not
//! UTF-8), and the caller then reads the files with the general reader, which reports each
//! problem with its row and field. What it returns is identical to the general reader's
//! result (tested).

use crate::model::network::{Mode, RawEdge, RawNetwork, RoadClass};
use rayon::prelude::*;
use std::collections::HashMap;

/// Both files parsed, or `None` to fall back to the general reader.
pub(super) fn read(nodes: &[u8], edges: &[u8], access_speed_mps: f64) -> Option<RawNetwork> {
    let (node_rows, edge_rows) = rayon::join(
        || rows(nodes, &["id", "x", "y"], |f| Some((int(f[0])?, float(f[1])?, float(f[2])?))),
        || {
            rows(edges, &["from", "to", "length_m", "time_s"], |f| {
                let (length, time) = (float(f[2])?, float(f[3])?);
                (length >= 0.0 && time >= 0.0 && time * 1000.0 <= f64::from(u32::MAX / 2)).then_some((
                    int(f[0])?,
                    int(f[1])?,
                    length,
                    time,
                ))
            })
        },
    );
    let (node_rows, edge_rows) = (node_rows?, edge_rows?);
    if node_rows.is_empty() || edge_rows.is_empty() {
        return None; // the general reader says which file is empty
    }
    let index = NodeIndex::new(node_rows.iter().map(|r| r.0))?;
    let raw_edges: Option<Vec<RawEdge>> = edge_rows
        .par_iter()
        .map(|&(from, to, length_m, time_s)| {
            Some(RawEdge {
                from: index.get(from)?,
                to: index.get(to)?,
                length_m,
                time_ms: (time_s * 1000.0).round() as u32,
                class: RoadClass::Other,
                shape: None,
                shape_reversed: false,
            })
        })
        .collect();
    Some(RawNetwork {
        mode: Some(Mode::Custom),
        access_speed_mps,
        x: node_rows.iter().map(|r| r.1).collect(),
        y: node_rows.iter().map(|r| r.2).collect(),
        node_id: node_rows.iter().map(|r| r.0).collect(),
        edges: raw_edges?,
        ..RawNetwork::default()
    })
}

/// Node id → position in the file: a dense table when the ids are compact (the usual
/// 0..n or 1..n), a hash map otherwise. `None` on a duplicate id.
enum NodeIndex {
    Dense { min: i64, slot: Vec<u32> },
    Sparse(HashMap<i64, u32>),
}

impl NodeIndex {
    fn new(ids: impl ExactSizeIterator<Item = i64> + Clone) -> Option<Self> {
        let n = ids.len();
        let (min, max) = ids.clone().fold((i64::MAX, i64::MIN), |(a, b), v| (a.min(v), b.max(v)));
        if n > 0 && u64::try_from(max.checked_sub(min)?).ok()? < 4 * n as u64 + 1024 {
            let mut slot = vec![u32::MAX; (max - min) as usize + 1];
            for (i, id) in ids.enumerate() {
                let s = &mut slot[(id - min) as usize];
                if *s != u32::MAX {
                    return None;
                }
                *s = i as u32;
            }
            return Some(NodeIndex::Dense { min, slot });
        }
        let mut map = HashMap::with_capacity(n);
        for (i, id) in ids.enumerate() {
            if map.insert(id, i as u32).is_some() {
                return None;
            }
        }
        Some(NodeIndex::Sparse(map))
    }

    fn get(&self, id: i64) -> Option<u32> {
        match self {
            NodeIndex::Dense { min, slot } => {
                let i = usize::try_from(id.checked_sub(*min)?).ok()?;
                slot.get(i).copied().filter(|&s| s != u32::MAX)
            }
            NodeIndex::Sparse(map) => map.get(&id).copied(),
        }
    }
}

/// Parses every data row of `text` with `parse`, given the fields named `wanted` (in that
/// order); rows come back in file order.
fn rows<T: Send, const K: usize>(
    text: &[u8],
    wanted: &[&str; K],
    parse: impl Fn([&[u8]; K]) -> Option<T> + Sync,
) -> Option<Vec<T>> {
    let text = text.strip_prefix("\u{feff}".as_bytes()).unwrap_or(text);
    let header_end = text.iter().position(|&b| b == b'\n').unwrap_or(text.len());
    let header: Vec<&str> = std::str::from_utf8(&text[..header_end]).ok()?.trim_end_matches('\r').split(',').collect();
    if header.iter().any(|h| h.contains('"')) {
        return None;
    }
    let mut at = [0usize; K];
    for (k, name) in wanted.iter().enumerate() {
        at[k] = header.iter().position(|h| h.trim() == *name)?;
    }
    let width = header.len();
    let body = text.get(header_end + 1..).unwrap_or_default();
    let pieces: Vec<&[u8]> = split_at_lines(body, 4 * rayon::current_num_threads());
    let parsed: Option<Vec<Vec<T>>> = pieces
        .par_iter()
        .map(|piece| {
            let mut out = Vec::with_capacity(piece.len() / 24);
            let mut fields: Vec<&[u8]> = Vec::with_capacity(width);
            for line in piece.split(|&b| b == b'\n') {
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                if line.is_empty() {
                    continue; // blank lines are skipped, as the general reader does
                }
                if line.contains(&b'"') {
                    return None;
                }
                fields.clear();
                fields.extend(line.split(|&b| b == b','));
                if fields.len() != width {
                    return None;
                }
                out.push(parse(at.map(|i| fields[i]))?);
            }
            Some(out)
        })
        .collect();
    Some(parsed?.into_iter().flatten().collect())
}

/// About `parts` consecutive pieces of `body`, each ending at a line end (or the end).
fn split_at_lines(body: &[u8], parts: usize) -> Vec<&[u8]> {
    let step = body.len() / parts.max(1) + 1;
    let mut pieces = Vec::with_capacity(parts);
    let mut rest = body;
    while !rest.is_empty() {
        let cut = if rest.len() <= step {
            rest.len()
        } else {
            rest[step..].iter().position(|&b| b == b'\n').map_or(rest.len(), |p| step + p + 1)
        };
        let (piece, tail) = rest.split_at(cut);
        pieces.push(piece);
        rest = tail;
    }
    pieces
}

fn int(field: &[u8]) -> Option<i64> {
    std::str::from_utf8(field).ok()?.trim().parse().ok()
}

fn float(field: &[u8]) -> Option<f64> {
    std::str::from_utf8(field).ok()?.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_end_at_line_ends_and_cover_everything() {
        let body = b"1,2\n3,4\r\n\n55,66\n7,8";
        for parts in 1..12 {
            let pieces = split_at_lines(body, parts);
            assert_eq!(pieces.concat(), body.to_vec());
            for p in &pieces[..pieces.len() - 1] {
                assert_eq!(p.last(), Some(&b'\n'));
            }
        }
    }

    #[test]
    fn gives_up_on_what_the_general_reader_must_report() {
        let nodes = b"id,x,y\n1,0,0\n2,10,0\n";
        let good = b"from,to,length_m,time_s\n1,2,10,8.5\n";
        assert!(read(nodes, good, 1.2).is_some());
        for bad in [
            &b"from,to,length_m,time_s\n1,3,10,8.5\n"[..],   // unknown node
            b"from,to,length_m,time_s\n1,2,10,-1\n",         // negative time
            b"from,to,length_m,time_s\n1,2,10,NaN\n",        // not finite
            b"from,to,length_m,time_s\n1,2,10\n",            // a field short
            b"from,to,length_m,time_s\n\"1\",2,10,8.5\n",    // quotes
            b"from,to,length_m,time_s\n1,2,10,2000000000\n", // 12 days or more
            b"from,to,length,time_s\n1,2,10,8.5\n",          // a column missing
        ] {
            assert!(read(nodes, bad, 1.2).is_none(), "{}", String::from_utf8_lossy(bad));
        }
        assert!(read(b"id,x,y\n1,0,0\n1,10,0\n", good, 1.2).is_none(), "duplicate id");
        assert!(read(b"id,x,y\n1,0,0\n2,x,0\n", good, 1.2).is_none(), "bad number");
        assert!(read(nodes, b"from,to,length_m,time_s\n", 1.2).is_none(), "no edges");
    }

    #[test]
    fn sparse_and_dense_ids_index_alike() {
        for ids in [vec![5i64, 6, 7, 9], vec![-3, 1_000_000_000_000, 42, 7]] {
            let index = NodeIndex::new(ids.iter().copied()).unwrap();
            for (i, &id) in ids.iter().enumerate() {
                assert_eq!(index.get(id), Some(i as u32));
            }
            assert_eq!(index.get(8), None);
            assert_eq!(index.get(i64::MIN), None);
        }
    }
}
