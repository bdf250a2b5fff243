//! Coordinate systems at the edges: the cities' own systems ⇄ EPSG:3067 (ETRS-TM35FIN).
//!
//! All supported systems are ETRS89 (treated as identical to WGS 84, as PROJ's default
//! EPSG:4326 → 3067 pipeline does) on the GRS80 ellipsoid, so every conversion is a
//! transverse Mercator projection or its inverse. We compute it with Krüger's series to
//! sixth order in the third flattening n (Karney 2011, "Transverse Mercator with an accuracy
//! of a few nanometers", eqs. 7–11 and 35–36), the method behind PROJ's `tmerc` default
//! algorithm; its error is far below a millimetre across Finland. Control points computed
//! with pyproj are in the tests.
//!
//! Supported: EPSG:3067 (TM35FIN), 3873–3885 (ETRS-GK19…GK31, Helsinki GK25 = 3879, Turku
//! GK23 = 3877, Kuopio GK27 = 3881), 4326 (WGS 84) and 4258 (ETRS89) as longitude/latitude.

/// A supported coordinate reference system.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Crs {
    /// Geographic longitude/latitude in degrees (EPSG:4326, 4258); x = longitude.
    Geographic {
        /// EPSG code.
        epsg: u32,
    },
    /// A transverse Mercator projection on GRS80.
    TransverseMercator {
        /// EPSG code.
        epsg: u32,
        /// Central meridian, degrees.
        lon0: f64,
        /// Scale factor on the central meridian.
        k0: f64,
        /// False easting, metres.
        x0: f64,
    },
}

/// EPSG code of the internal system, ETRS-TM35FIN.
pub const INTERNAL_EPSG: u32 = 3067;

impl Crs {
    /// Looks up a supported EPSG code.
    pub fn from_epsg(epsg: u32) -> Option<Crs> {
        match epsg {
            3067 => Some(Crs::TransverseMercator { epsg, lon0: 27.0, k0: 0.9996, x0: 500_000.0 }),
            3873..=3885 => {
                let zone = f64::from(epsg - 3873 + 19);
                Some(Crs::TransverseMercator { epsg, lon0: zone, k0: 1.0, x0: zone * 1_000_000.0 + 500_000.0 })
            }
            4326 | 4258 => Some(Crs::Geographic { epsg }),
            _ => None,
        }
    }

    /// The EPSG code.
    pub fn epsg(self) -> u32 {
        match self {
            Crs::Geographic { epsg } | Crs::TransverseMercator { epsg, .. } => epsg,
        }
    }

    /// Whether coordinates are degrees.
    pub fn is_geographic(self) -> bool {
        matches!(self, Crs::Geographic { .. })
    }

    /// Converts (x, y) in this system to longitude/latitude degrees.
    pub fn to_lon_lat(self, x: f64, y: f64) -> (f64, f64) {
        match self {
            Crs::Geographic { .. } => (x, y),
            Crs::TransverseMercator { lon0, k0, x0, .. } => TM.inverse(lon0, k0, x0, x, y),
        }
    }

    /// Converts longitude/latitude degrees to (x, y) in this system.
    pub fn from_lon_lat(self, lon: f64, lat: f64) -> (f64, f64) {
        match self {
            Crs::Geographic { .. } => (lon, lat),
            Crs::TransverseMercator { lon0, k0, x0, .. } => TM.forward(lon0, k0, x0, lon, lat),
        }
    }
}

/// A prepared transformation between two supported systems.
#[derive(Clone, Copy, Debug)]
pub struct Transform {
    from: Crs,
    to: Crs,
}

impl Transform {
    /// Transformation from `from` to `to`.
    pub fn new(from: Crs, to: Crs) -> Self {
        Transform { from, to }
    }

    /// Transformation from `from` into EPSG:3067.
    pub fn to_internal(from: Crs) -> Self {
        Transform::new(from, Crs::from_epsg(INTERNAL_EPSG).expect("3067 is supported"))
    }

    /// Transforms one coordinate pair.
    pub fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        if self.from == self.to {
            return (x, y);
        }
        let (lon, lat) = self.from.to_lon_lat(x, y);
        self.to.from_lon_lat(lon, lat)
    }
}

/// GRS80 transverse Mercator series coefficients.
struct Krueger {
    e: f64,
    a_rect: f64,
    alpha: [f64; 6],
    beta: [f64; 6],
}

const TM: Krueger = Krueger::grs80();

impl Krueger {
    const fn grs80() -> Self {
        // GRS80: a = 6378137 m, 1/f = 298.257222101. Constants precomputed from n below
        // (const fn cannot call sqrt); `tests::coefficients_match_series` recomputes them.
        Krueger {
            e: 0.081_819_191_042_815_79,
            a_rect: 6_367_449.145_771_048,
            alpha: [
                8.377_318_247_285_513e-4,
                7.608_527_848_149_476e-7,
                1.197_645_520_942_267_5e-9,
                2.429_170_654_841_013_4e-12,
                5.711_757_817_902_035e-15,
                1.491_117_775_187_080_3e-17,
            ],
            beta: [
                8.377_321_681_620_353e-4,
                5.905_870_210_368_96e-8,
                1.673_482_689_917_342_2e-10,
                2.164_798_082_565_130_2e-13,
                3.787_978_139_134_215e-16,
                7.248_749_104_244_059e-19,
            ],
        }
    }

    fn forward(&self, lon0: f64, k0: f64, x0: f64, lon: f64, lat: f64) -> (f64, f64) {
        let phi = lat.to_radians();
        let lam = (lon - lon0).to_radians();
        let e = self.e;
        let t = (phi.sin().atanh() - e * (e * phi.sin()).atanh()).sinh();
        let xi_p = t.atan2(lam.cos());
        let eta_p = (lam.sin() / (1.0 + t * t).sqrt()).atanh();
        let mut xi = xi_p;
        let mut eta = eta_p;
        for (j, a) in self.alpha.iter().enumerate() {
            let k = 2.0 * (j as f64 + 1.0);
            xi += a * (k * xi_p).sin() * (k * eta_p).cosh();
            eta += a * (k * xi_p).cos() * (k * eta_p).sinh();
        }
        (x0 + k0 * self.a_rect * eta, k0 * self.a_rect * xi)
    }

    fn inverse(&self, lon0: f64, k0: f64, x0: f64, x: f64, y: f64) -> (f64, f64) {
        let xi = y / (k0 * self.a_rect);
        let eta = (x - x0) / (k0 * self.a_rect);
        let mut xi_p = xi;
        let mut eta_p = eta;
        for (j, b) in self.beta.iter().enumerate() {
            let k = 2.0 * (j as f64 + 1.0);
            xi_p -= b * (k * xi).sin() * (k * eta).cosh();
            eta_p -= b * (k * xi).cos() * (k * eta).sinh();
        }
        let tau_p = xi_p.sin() / (eta_p.sinh().powi(2) + xi_p.cos().powi(2)).sqrt();
        let lam = eta_p.sinh().atan2(xi_p.cos());
        // Newton iteration for tau = tan(phi) from the conformal tau' (Karney 2011, eq. 19–21).
        let e = self.e;
        let e2m = 1.0 - e * e;
        let mut tau = tau_p;
        for _ in 0..5 {
            let sig = (e * (e * tau / (1.0 + tau * tau).sqrt()).atanh()).sinh();
            let tau_i = tau * (1.0 + sig * sig).sqrt() - sig * (1.0 + tau * tau).sqrt();
            let d = (tau_p - tau_i) * (1.0 + e2m * tau * tau)
                / (e2m * (1.0 + tau * tau).sqrt() * (1.0 + tau_i * tau_i).sqrt());
            tau += d;
            if d.abs() < 1e-14 {
                break;
            }
        }
        (lon0 + lam.to_degrees(), tau.atan().to_degrees())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Krüger coefficients to sixth order in n (Karney 2011, eqs. 35 and 36).
    fn series() -> (f64, f64, [f64; 6], [f64; 6]) {
        let f: f64 = 1.0 / 298.257_222_101;
        let a: f64 = 6_378_137.0;
        let n = f / (2.0 - f);
        let (n2, n3, n4, n5, n6) = (n * n, n.powi(3), n.powi(4), n.powi(5), n.powi(6));
        let a_rect = a / (1.0 + n) * (1.0 + n2 / 4.0 + n4 / 64.0 + n6 / 256.0);
        let alpha = [
            n / 2.0 - 2.0 / 3.0 * n2 + 5.0 / 16.0 * n3 + 41.0 / 180.0 * n4 - 127.0 / 288.0 * n5 + 7891.0 / 37800.0 * n6,
            13.0 / 48.0 * n2 - 3.0 / 5.0 * n3 + 557.0 / 1440.0 * n4 + 281.0 / 630.0 * n5
                - 1_983_433.0 / 1_935_360.0 * n6,
            61.0 / 240.0 * n3 - 103.0 / 140.0 * n4 + 15061.0 / 26880.0 * n5 + 167_603.0 / 181_440.0 * n6,
            49561.0 / 161_280.0 * n4 - 179.0 / 168.0 * n5 + 6_601_661.0 / 7_257_600.0 * n6,
            34729.0 / 80640.0 * n5 - 3_418_889.0 / 1_995_840.0 * n6,
            212_378_941.0 / 319_334_400.0 * n6,
        ];
        let beta = [
            n / 2.0 - 2.0 / 3.0 * n2 + 37.0 / 96.0 * n3 - 1.0 / 360.0 * n4 - 81.0 / 512.0 * n5
                + 96199.0 / 604_800.0 * n6,
            1.0 / 48.0 * n2 + 1.0 / 15.0 * n3 - 437.0 / 1440.0 * n4 + 46.0 / 105.0 * n5
                - 1_118_711.0 / 3_870_720.0 * n6,
            17.0 / 480.0 * n3 - 37.0 / 840.0 * n4 - 209.0 / 4480.0 * n5 + 5569.0 / 90720.0 * n6,
            4397.0 / 161_280.0 * n4 - 11.0 / 504.0 * n5 - 830_251.0 / 7_257_600.0 * n6,
            4583.0 / 161_280.0 * n5 - 108_847.0 / 3_991_680.0 * n6,
            20_648_693.0 / 638_668_800.0 * n6,
        ];
        ((f * (2.0 - f)).sqrt(), a_rect, alpha, beta)
    }

    #[test]
    fn coefficients_match_series() {
        let (e, a_rect, alpha, beta) = series();
        assert!((TM.e - e).abs() < 1e-16, "e {e:.20e}");
        assert!((TM.a_rect - a_rect).abs() < 1e-7, "A {a_rect:.10}");
        for j in 0..6 {
            assert!((TM.alpha[j] - alpha[j]).abs() <= alpha[j].abs() * 1e-9, "alpha{} {:.16e}", j + 1, alpha[j]);
            assert!((TM.beta[j] - beta[j]).abs() <= beta[j].abs() * 1e-9, "beta{} {:.16e}", j + 1, beta[j]);
        }
    }
}
