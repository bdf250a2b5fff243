//! Seeded road-like test networks (the recipe of the peers' `gen_network.py`): a square
//! grid with 100 m spacing and ±20 m jitter at EPSG:3067 (380000, 6660000), ~10 % of
//! street segments removed, ~5 % one-way, length = straight line × U(1.00, 1.15), speed
//! 30/40/50 km/h with p = 0.3/0.4/0.3 per street. Used by benchmarks and tests.

use super::rng::Rng;
use crate::model::network::{Mode, RawEdge, RawNetwork, RoadClass};

/// A grid network with about `side × side` nodes.
pub fn grid(side: usize, seed: u64) -> RawNetwork {
    let mut rng = Rng::new(seed);
    let mut raw = RawNetwork { mode: Some(Mode::Custom), access_speed_mps: 1.2, ..RawNetwork::default() };
    for i in 0..side {
        for j in 0..side {
            raw.x.push(380_000.0 + i as f64 * 100.0 + rng.range(-20.0, 20.0));
            raw.y.push(6_660_000.0 + j as f64 * 100.0 + rng.range(-20.0, 20.0));
            raw.node_id.push((i * side + j) as i64);
        }
    }
    let id = |i: usize, j: usize| (i * side + j) as u32;
    let mut segments = Vec::new();
    for i in 0..side {
        for j in 0..side {
            if i + 1 < side {
                segments.push((id(i, j), id(i + 1, j)));
            }
            if j + 1 < side {
                segments.push((id(i, j), id(i, j + 1)));
            }
        }
    }
    for (a, b) in segments {
        if rng.chance(0.10) {
            continue;
        }
        let straight =
            ((raw.x[a as usize] - raw.x[b as usize]).powi(2) + (raw.y[a as usize] - raw.y[b as usize]).powi(2)).sqrt();
        let length = straight * rng.range(1.0, 1.15);
        let kmh = [30.0, 40.0, 40.0, 50.0, 30.0, 40.0, 50.0, 40.0, 30.0, 50.0][rng.int(0, 9) as usize];
        let time_ms = (length / (kmh / 3.6) * 1000.0).round() as u32;
        let edge = |from, to| RawEdge {
            from,
            to,
            length_m: length,
            time_ms,
            class: RoadClass::Residential,
            shape: None,
            shape_reversed: false,
        };
        if rng.chance(0.05) {
            if rng.chance(0.5) { raw.edges.push(edge(a, b)) } else { raw.edges.push(edge(b, a)) }
        } else {
            raw.edges.push(edge(a, b));
            raw.edges.push(edge(b, a));
        }
    }
    raw
}
