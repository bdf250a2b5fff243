//! A minimal OpenStreetMap PBF writer for hand-made test fixtures: uncompressed blobs,
//! plain (non-dense) nodes and ways, hand-rolled protobuf; and [`write_dense`], files as
//! real extracts are written (DenseNodes, zlib blobs) for benchmarks.

#![allow(dead_code)]

fn varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn key(out: &mut Vec<u8>, field: u32, wire: u8) {
    varint(out, u64::from(field << 3 | u32::from(wire)));
}

fn bytes(out: &mut Vec<u8>, field: u32, b: &[u8]) {
    key(out, field, 2);
    varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

fn int(out: &mut Vec<u8>, field: u32, v: u64) {
    key(out, field, 0);
    varint(out, v);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn packed(out: &mut Vec<u8>, field: u32, values: impl IntoIterator<Item = u64>) {
    let mut body = Vec::new();
    for v in values {
        varint(&mut body, v);
    }
    bytes(out, field, &body);
}

fn blob(out: &mut Vec<u8>, kind: &str, data: &[u8]) {
    let mut blob = Vec::new();
    bytes(&mut blob, 1, data); // raw
    int(&mut blob, 2, data.len() as u64); // raw_size
    framed(out, kind, &blob);
}

/// Appends a BlobHeader (type, size) and the encoded Blob.
fn framed(out: &mut Vec<u8>, kind: &str, blob: &[u8]) {
    let mut header = Vec::new();
    bytes(&mut header, 1, kind.as_bytes());
    int(&mut header, 3, blob.len() as u64);
    out.extend_from_slice(&(header.len() as u32).to_be_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(blob);
}

/// A node: id, longitude, latitude.
pub type Node = (i64, f64, f64);
/// A way: id, node refs, tags.
pub type Way<'a> = (i64, Vec<i64>, Vec<(&'a str, &'a str)>);

/// Encodes nodes and ways as an OSM PBF file, in blocks of at most 8,000 elements.
pub fn write(nodes: &[Node], ways: &[Way<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut hb = Vec::new();
    bytes(&mut hb, 4, b"OsmSchema-V0.6");
    blob(&mut out, "OSMHeader", &hb);
    for chunk in nodes.chunks(8000) {
        block(&mut out, chunk, &[]);
    }
    for chunk in ways.chunks(8000) {
        block(&mut out, &[], chunk);
    }
    out
}

/// One OSMData block with its own string table, as a raw blob.
fn block(out: &mut Vec<u8>, nodes: &[Node], ways: &[Way<'_>]) {
    blob(out, "OSMData", &block_bytes(nodes, ways));
}

/// The encoded PrimitiveBlock of `nodes` and `ways`.
fn block_bytes(nodes: &[Node], ways: &[Way<'_>]) -> Vec<u8> {
    // String table: index 0 is the empty string.
    let mut strings: Vec<String> = vec![String::new()];
    let mut sid = |s: &str| -> u64 {
        if let Some(i) = strings.iter().position(|x| x == s) {
            return i as u64;
        }
        strings.push(s.to_owned());
        (strings.len() - 1) as u64
    };
    let mut group = Vec::new();
    for &(id, lon, lat) in nodes {
        let mut n = Vec::new();
        key(&mut n, 1, 0);
        varint(&mut n, zigzag(id));
        key(&mut n, 8, 0);
        varint(&mut n, zigzag((lat * 1e7).round() as i64));
        key(&mut n, 9, 0);
        varint(&mut n, zigzag((lon * 1e7).round() as i64));
        bytes(&mut group, 1, &n);
    }
    let mut way_group = Vec::new();
    for (id, refs, tags) in ways {
        let mut w = Vec::new();
        int(&mut w, 1, *id as u64);
        let keys: Vec<u64> = tags.iter().map(|(k, _)| sid(k)).collect();
        let vals: Vec<u64> = tags.iter().map(|(_, v)| sid(v)).collect();
        if !keys.is_empty() {
            packed(&mut w, 2, keys);
            packed(&mut w, 3, vals);
        }
        let mut prev = 0i64;
        let deltas: Vec<u64> = refs
            .iter()
            .map(|&r| {
                let d = r - prev;
                prev = r;
                zigzag(d)
            })
            .collect();
        packed(&mut w, 8, deltas);
        bytes(&mut way_group, 3, &w);
    }
    let mut table = Vec::new();
    for s in &strings {
        bytes(&mut table, 1, s.as_bytes());
    }
    let mut block = Vec::new();
    bytes(&mut block, 1, &table);
    if !nodes.is_empty() {
        bytes(&mut block, 2, &group);
    }
    if !ways.is_empty() {
        bytes(&mut block, 2, &way_group);
    }
    block
}

fn zlib_blob(out: &mut Vec<u8>, kind: &str, data: &[u8]) {
    use std::io::Write as _;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(data).expect("in memory");
    let packed_data = z.finish().expect("in memory");
    let mut blob = Vec::new();
    int(&mut blob, 2, data.len() as u64); // raw_size
    bytes(&mut blob, 3, &packed_data); // zlib_data
    framed(out, kind, &blob);
}

/// Encodes nodes (as DenseNodes, untagged) and ways like a real extract: blocks of 8,000
/// elements, zlib-compressed.
pub fn write_dense(nodes: &[Node], ways: &[Way<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut hb = Vec::new();
    bytes(&mut hb, 4, b"OsmSchema-V0.6");
    bytes(&mut hb, 4, b"DenseNodes");
    zlib_blob(&mut out, "OSMHeader", &hb);
    for chunk in nodes.chunks(8000) {
        let (mut pid, mut plat, mut plon) = (0i64, 0i64, 0i64);
        let (mut ids, mut lats, mut lons) = (Vec::new(), Vec::new(), Vec::new());
        for &(id, lon, lat) in chunk {
            let (la, lo) = ((lat * 1e7).round() as i64, (lon * 1e7).round() as i64);
            ids.push(zigzag(id - pid));
            lats.push(zigzag(la - plat));
            lons.push(zigzag(lo - plon));
            (pid, plat, plon) = (id, la, lo);
        }
        let mut dense = Vec::new();
        packed(&mut dense, 1, ids);
        packed(&mut dense, 8, lats);
        packed(&mut dense, 9, lons);
        let mut group = Vec::new();
        bytes(&mut group, 2, &dense);
        let mut table = Vec::new();
        bytes(&mut table, 1, b"");
        let mut block = Vec::new();
        bytes(&mut block, 1, &table);
        bytes(&mut block, 2, &group);
        zlib_blob(&mut out, "OSMData", &block);
    }
    for chunk in ways.chunks(8000) {
        zlib_blob(&mut out, "OSMData", &block_bytes(&[], chunk));
    }
    out
}
