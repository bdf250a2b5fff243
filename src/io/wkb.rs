//! Well-known binary (WKB) geometry and the GeoPackage binary header around it.
//!
//! Reads 2D, Z, M and ZM variants in ISO and EWKB flavours (extra ordinates are dropped);
//! writes little-endian 2D ISO WKB.

use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};

/// Why a geometry blob could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WkbError(pub String);

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], WkbError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| WkbError(format!("geometry blob ends early at byte {}", self.bytes.len())))?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, WkbError> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self, le: bool) -> Result<u32, WkbError> {
        let b: [u8; 4] = self.take(4)?.try_into().expect("4 bytes");
        Ok(if le { u32::from_le_bytes(b) } else { u32::from_be_bytes(b) })
    }

    fn f64(&mut self, le: bool) -> Result<f64, WkbError> {
        let b: [u8; 8] = self.take(8)?.try_into().expect("8 bytes");
        Ok(if le { f64::from_le_bytes(b) } else { f64::from_be_bytes(b) })
    }
}

/// Decodes a WKB geometry.
pub fn decode(bytes: &[u8]) -> Result<Geometry<f64>, WkbError> {
    let mut c = Cursor { bytes, pos: 0 };
    read_geometry(&mut c)
}

fn read_geometry(c: &mut Cursor<'_>) -> Result<Geometry<f64>, WkbError> {
    let le = match c.u8()? {
        0 => false,
        1 => true,
        b => return Err(WkbError(format!("bad byte-order marker {b}"))),
    };
    let raw = c.u32(le)?;
    let mut dims = 2;
    if raw & 0x8000_0000 != 0 {
        dims += 1;
    }
    if raw & 0x4000_0000 != 0 {
        dims += 1;
    }
    if raw & 0x2000_0000 != 0 {
        c.u32(le)?; // EWKB SRID
    }
    let iso = raw & 0x0FFF_FFFF;
    let (base, extra) = (iso % 1000, iso / 1000);
    dims += match extra {
        0 => 0,
        1 | 2 => 1,
        3 => 2,
        _ => return Err(WkbError(format!("unknown geometry type code {raw}"))),
    };
    let coord = |c: &mut Cursor<'_>| -> Result<Coord<f64>, WkbError> {
        let x = c.f64(le)?;
        let y = c.f64(le)?;
        for _ in 2..dims {
            c.f64(le)?;
        }
        Ok(Coord { x, y })
    };
    let ring = |c: &mut Cursor<'_>| -> Result<LineString<f64>, WkbError> {
        let n = c.u32(le)? as usize;
        if n > c.bytes.len() {
            return Err(WkbError(format!("ring claims {n} points, more than the blob holds")));
        }
        (0..n).map(|_| coord(c)).collect::<Result<Vec<_>, _>>().map(LineString)
    };
    let polygon = |c: &mut Cursor<'_>| -> Result<Polygon<f64>, WkbError> {
        let n = c.u32(le)? as usize;
        let mut rings = (0..n.min(c.bytes.len())).map(|_| ring(c)).collect::<Result<Vec<_>, _>>()?;
        if rings.is_empty() {
            return Ok(Polygon::new(LineString(vec![]), vec![]));
        }
        let exterior = rings.remove(0);
        Ok(Polygon::new(exterior, rings))
    };
    let count = |c: &mut Cursor<'_>| -> Result<usize, WkbError> {
        let n = c.u32(le)? as usize;
        if n > c.bytes.len() {
            return Err(WkbError(format!("collection claims {n} parts, more than the blob holds")));
        }
        Ok(n)
    };
    Ok(match base {
        1 => Geometry::Point(Point(coord(c)?)),
        2 => Geometry::LineString(ring(c)?),
        3 => Geometry::Polygon(polygon(c)?),
        4..=7 => {
            let n = count(c)?;
            let parts = (0..n).map(|_| read_geometry(c)).collect::<Result<Vec<_>, _>>()?;
            match base {
                4 => Geometry::MultiPoint(MultiPoint(
                    parts.into_iter().filter_map(|g| Point::try_from(g).ok()).collect(),
                )),
                5 => Geometry::MultiLineString(MultiLineString(
                    parts.into_iter().filter_map(|g| LineString::try_from(g).ok()).collect(),
                )),
                6 => Geometry::MultiPolygon(MultiPolygon(
                    parts.into_iter().filter_map(|g| Polygon::try_from(g).ok()).collect(),
                )),
                _ => Geometry::GeometryCollection(geo::GeometryCollection(parts)),
            }
        }
        _ => return Err(WkbError(format!("unsupported geometry type code {raw}"))),
    })
}

/// Encodes a geometry as little-endian 2D ISO WKB, appending to `out`.
pub fn encode(geometry: &Geometry<f64>, out: &mut Vec<u8>) {
    let header = |out: &mut Vec<u8>, code: u32| {
        out.push(1);
        out.extend_from_slice(&code.to_le_bytes());
    };
    let coords = |out: &mut Vec<u8>, ls: &LineString<f64>| {
        out.extend_from_slice(&(ls.0.len() as u32).to_le_bytes());
        for c in &ls.0 {
            out.extend_from_slice(&c.x.to_le_bytes());
            out.extend_from_slice(&c.y.to_le_bytes());
        }
    };
    let polygon = |out: &mut Vec<u8>, p: &Polygon<f64>| {
        header(out, 3);
        out.extend_from_slice(&(1 + p.interiors().len() as u32).to_le_bytes());
        coords(out, p.exterior());
        for r in p.interiors() {
            coords(out, r);
        }
    };
    match geometry {
        Geometry::Point(p) => {
            header(out, 1);
            out.extend_from_slice(&p.x().to_le_bytes());
            out.extend_from_slice(&p.y().to_le_bytes());
        }
        Geometry::LineString(ls) => {
            header(out, 2);
            coords(out, ls);
        }
        Geometry::Polygon(p) => polygon(out, p),
        Geometry::MultiPolygon(mp) => {
            header(out, 6);
            out.extend_from_slice(&(mp.0.len() as u32).to_le_bytes());
            for p in &mp.0 {
                polygon(out, p);
            }
        }
        Geometry::MultiLineString(ml) => {
            header(out, 5);
            out.extend_from_slice(&(ml.0.len() as u32).to_le_bytes());
            for ls in &ml.0 {
                header(out, 2);
                coords(out, ls);
            }
        }
        Geometry::MultiPoint(mp) => {
            header(out, 4);
            out.extend_from_slice(&(mp.0.len() as u32).to_le_bytes());
            for p in &mp.0 {
                encode(&Geometry::Point(*p), out);
            }
        }
        other => {
            // Rect, Triangle, Line and collections are not produced by pave's writers.
            let as_polygon: Option<Polygon<f64>> = match other {
                Geometry::Rect(r) => Some(r.to_polygon()),
                Geometry::Triangle(t) => Some(t.to_polygon()),
                _ => None,
            };
            match as_polygon {
                Some(p) => polygon(out, &p),
                None => {
                    header(out, 7);
                    out.extend_from_slice(&0u32.to_le_bytes());
                }
            }
        }
    }
}

/// Strips a GeoPackage binary header, returning (srs_id, is_empty, WKB payload).
pub fn split_gpkg_blob(blob: &[u8]) -> Result<(i32, bool, &[u8]), WkbError> {
    if blob.len() < 8 || &blob[..2] != b"GP" {
        return Err(WkbError("not a GeoPackage geometry blob (no 'GP' magic)".into()));
    }
    let flags = blob[3];
    let le = flags & 1 == 1;
    let srs: [u8; 4] = blob[4..8].try_into().expect("4 bytes");
    let srs_id = if le { i32::from_le_bytes(srs) } else { i32::from_be_bytes(srs) };
    let envelope = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        e => return Err(WkbError(format!("bad envelope indicator {e}"))),
    };
    let start = 8 + envelope;
    if blob.len() < start {
        return Err(WkbError("geometry blob ends inside its envelope".into()));
    }
    Ok((srs_id, flags & 0b1_0000 != 0, &blob[start..]))
}

/// Wraps a geometry in a GeoPackage blob with an XY envelope (points get none, per spec).
pub fn gpkg_blob(geometry: &Geometry<f64>, srs_id: i32) -> Vec<u8> {
    use geo::BoundingRect;
    let rect = match geometry {
        Geometry::Point(_) => None,
        g => g.bounding_rect(),
    };
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(b"GP");
    out.push(0);
    out.push(if rect.is_some() { 0b0000_0011 } else { 0b0000_0001 });
    out.extend_from_slice(&srs_id.to_le_bytes());
    if let Some(r) = rect {
        for v in [r.min().x, r.max().x, r.min().y, r.max().y] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    encode(geometry, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn round_trips_through_gpkg_blob() {
        let poly: Geometry<f64> =
            MultiPolygon(vec![polygon![(x: 0.0, y: 0.0), (x: 250.0, y: 0.0), (x: 250.0, y: 250.0), (x: 0.0, y: 0.0)]])
                .into();
        let blob = gpkg_blob(&poly, 3067);
        let (srs, empty, wkb) = split_gpkg_blob(&blob).unwrap();
        assert_eq!((srs, empty), (3067, false));
        assert_eq!(decode(wkb).unwrap(), poly);
        let point: Geometry<f64> = Point::new(1.5, 2.5).into();
        let blob = gpkg_blob(&point, 3067);
        let (_, _, wkb) = split_gpkg_blob(&blob).unwrap();
        assert_eq!(decode(wkb).unwrap(), point);
        assert!(decode(&wkb[..10]).is_err());
    }
}
