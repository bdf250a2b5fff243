//! Coordinate conversions against control points computed independently with pyproj 3.7.2
//! (PROJ 9.5.1), `Transformer.from_crs(a, b, always_xy=True)`. Tolerance: 1 mm.

use pave::io::crs::{Crs, Transform};

const MM: f64 = 0.001;

fn tr(from: u32, to: u32) -> Transform {
    Transform::new(Crs::from_epsg(from).unwrap(), Crs::from_epsg(to).unwrap())
}

/// (name, lon, lat, E 3067, N 3067), pyproj EPSG:4326 → EPSG:3067.
const WGS84_TO_TM35FIN: [(&str, f64, f64, f64, f64); 6] = [
    ("Helsinki Senate Square", 24.952222, 60.169444, 386376.4955, 6672043.7479),
    ("Turku Cathedral", 22.278333, 60.452222, 240390.0744, 6711089.5472),
    ("Kuopio market square", 27.678056, 62.8925, 534471.0314, 6973793.5393),
    ("Utsjoki", 27.026, 69.907, 500996.8740, 7755502.2843),
    ("Hanko", 22.95, 59.823, 272988.3797, 6638639.6430),
    ("Ilomantsi, east border", 31.5, 62.9, 728578.2028, 6982444.1796),
];

/// (name, EPSG, E 3067, N 3067, E GK, N GK), pyproj EPSG:3067 → the city's GK zone.
const TM35FIN_TO_GK: [(&str, u32, f64, f64, f64, f64); 6] = [
    ("Helsinki Senate Square, GK25", 3879, 386376.4955, 6672043.7479, 25497347.6326, 6672952.1661),
    ("Hanko, GK25", 3879, 272988.3797, 6638639.6430, 25385011.6430, 6636131.7109),
    ("Turku Cathedral, GK23", 3877, 240390.0744, 6711089.5472, 23460282.3630, 6704675.2439),
    ("Hanko, GK23", 3877, 272988.3797, 6638639.6430, 23497195.1102, 6634354.1690),
    ("Kuopio market square, GK27", 3881, 534471.0314, 6973793.5393, 27534484.8254, 6976584.1730),
    ("Ilomantsi, GK27", 3881, 728578.2028, 6982444.1796, 27728669.6707, 6985238.2749),
];

#[test]
fn wgs84_to_tm35fin_matches_pyproj() {
    let t = tr(4326, 3067);
    for (name, lon, lat, e, n) in WGS84_TO_TM35FIN {
        let (x, y) = t.apply(lon, lat);
        assert!((x - e).abs() < MM && (y - n).abs() < MM, "{name}: got ({x:.4}, {y:.4}), pyproj ({e}, {n})");
    }
}

#[test]
fn tm35fin_to_wgs84_inverts() {
    let t = tr(3067, 4326);
    for (name, lon, lat, e, n) in WGS84_TO_TM35FIN {
        let (x, y) = t.apply(e, n);
        // 1e-8° is about 1 mm on the ground.
        assert!((x - lon).abs() < 1e-8 && (y - lat).abs() < 1e-8, "{name}: got ({x}, {y})");
    }
}

#[test]
fn tm35fin_to_city_gk_zones_matches_pyproj() {
    for (name, epsg, e, n, ge, gn) in TM35FIN_TO_GK {
        let (x, y) = tr(3067, epsg).apply(e, n);
        assert!((x - ge).abs() < MM && (y - gn).abs() < MM, "{name}: got ({x:.4}, {y:.4}), pyproj ({ge}, {gn})");
        let (bx, by) = tr(epsg, 3067).apply(ge, gn);
        assert!((bx - e).abs() < MM && (by - n).abs() < MM, "{name} back: got ({bx:.4}, {by:.4})");
    }
}

#[test]
fn round_trips_across_finland_stay_below_a_millimetre() {
    for epsg in [3067, 3873, 3877, 3879, 3881, 3885] {
        let there = tr(4326, epsg);
        let back = tr(epsg, 4326);
        for lon10 in (195..=315).step_by(10) {
            for lat10 in (598..=700).step_by(17) {
                let (lon, lat) = (f64::from(lon10) / 10.0, f64::from(lat10) / 10.0);
                let (x, y) = there.apply(lon, lat);
                let (lon2, lat2) = back.apply(x, y);
                assert!((lon - lon2).abs() < 1e-9 && (lat - lat2).abs() < 1e-9, "EPSG:{epsg} at {lon},{lat}");
            }
        }
    }
}

#[test]
fn unknown_codes_are_refused() {
    assert!(Crs::from_epsg(2393).is_none()); // KKJ needs a datum shift, not supported
    assert!(Crs::from_epsg(3872).is_none());
    assert!(Crs::from_epsg(3886).is_none());
}
