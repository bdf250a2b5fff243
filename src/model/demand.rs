//! Demand areas: 250 m grid cells or statistical areas (osa-alue) where residents live.

use super::codes::DemandAreaKind;
use super::id::{DemandAreaId, DistrictCode};
use super::origin::Origin;
use geo::{InteriorPoint, MultiPolygon, Point};
use std::collections::BTreeMap;

/// A demand area: the unit of residence that travel times start from.
#[derive(Clone, Debug, PartialEq)]
pub struct DemandArea {
    /// Official municipality code of the city.
    pub city: String,
    /// The source's own id: a YKR / INSPIRE grid cell id or a statistical area code.
    pub id: DemandAreaId,
    /// What kind of area this is.
    pub kind: DemandAreaKind,
    /// Area outline in EPSG:3067.
    pub geometry: MultiPolygon<f64>,
    /// Representative point in EPSG:3067, always inside the outline (routing starts here).
    pub point: Point<f64>,
    /// District codes by level name (peruspiiri, osa-alue, or the city's equivalent).
    pub districts: BTreeMap<String, DistrictCode>,
    /// Source file and feature, for messages.
    pub origin: Option<Origin>,
}

impl DemandArea {
    /// Builds an area whose representative point is an interior point of `geometry`.
    ///
    /// For a convex cell this is its centre; for an irregular statistical area it is a
    /// point guaranteed to lie inside (geo's `InteriorPoint`). `None` for an empty outline.
    pub fn representative_point(geometry: &MultiPolygon<f64>) -> Option<Point<f64>> {
        geometry.interior_point()
    }
}

/// The national 250 m / 1 km grid (YKR, INSPIRE) in EPSG:3067.
pub mod grid {
    use geo::{LineString, MultiPolygon, Polygon};

    /// Parses an INSPIRE grid cell id such as `CRS3067RES250mN6672000E385000`.
    ///
    /// Returns the cell size and the south-west corner (easting, northing) in metres.
    /// Letters may be in any case (`...RES250MN...` where ids are stored in upper case).
    pub fn parse_inspire_id(id: &str) -> Option<(f64, f64, f64)> {
        let id = id.to_ascii_uppercase();
        let rest = id.strip_prefix("CRS3067RES")?;
        let m = rest.find("MN")?;
        let size: f64 = rest[..m].parse().ok()?;
        let after = &rest[m + 2..];
        let e = after.find('E')?;
        let north: f64 = after[..e].parse().ok()?;
        let east: f64 = after[e + 1..].parse().ok()?;
        let aligned = |v: f64| (v / size).fract() == 0.0;
        (size > 0.0 && aligned(north) && aligned(east)).then_some((size, east, north))
    }

    /// The INSPIRE id of the cell of `size` metres containing (`x`, `y`).
    pub fn inspire_id(size: u32, x: f64, y: f64) -> String {
        let s = f64::from(size);
        let east = (x / s).floor() * s;
        let north = (y / s).floor() * s;
        format!("CRS3067RES{size}mN{north:.0}E{east:.0}")
    }

    /// The square outline of a cell from its size and south-west corner.
    pub fn cell_polygon(size: f64, east: f64, north: f64) -> MultiPolygon<f64> {
        let ring = LineString::from(vec![
            (east, north),
            (east + size, north),
            (east + size, north + size),
            (east, north + size),
            (east, north),
        ]);
        MultiPolygon(vec![Polygon::new(ring, vec![])])
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn inspire_ids_round_trip() {
            let id = inspire_id(250, 385_123.0, 6_672_001.0);
            assert_eq!(id, "CRS3067RES250mN6672000E385000");
            assert_eq!(parse_inspire_id(&id), Some((250.0, 385_000.0, 6_672_000.0)));
            assert_eq!(parse_inspire_id("CRS3067RES250mN6672010E385000"), None);
            assert_eq!(parse_inspire_id("250mN6672000E385000"), None);
        }
    }
}
