//! Nearest-daycare principle indicators (lähipäiväkotiperiaatteen mittarit) from an
//! allocation: share of children placed in their nearest unit, share within a travel
//! time, mean / median / 90th percentile travel, unserved children — for any subset of
//! children (the city, a district, a language group).
//!
//! Shares are of all children in the subset: unserved children count against both the
//! nearest-unit and the within-threshold share. Travel statistics are of served children.

use super::equity::quantile;
use super::times::minutes;
use crate::network::Cost;
use serde::{Deserialize, Serialize};

/// Children of one demand area and language group placed in one unit (or unserved).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placement {
    /// Demand area index.
    pub area: u32,
    /// Language group index (see [`super::demand::GROUPS`]).
    pub group: u8,
    /// Children (expected value).
    pub children: f64,
    /// Unit and travel time, `None` when unserved.
    pub unit: Option<(u32, Cost)>,
    /// Whether the unit is (one of) the group's nearest units offering its language.
    pub nearest: bool,
    /// Network distance to the unit, metres (shortest path by length), when known.
    pub distance_m: Option<f64>,
}

/// Indicators of a set of placements.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Children in the demand.
    pub children: f64,
    /// Children given a place.
    pub served: f64,
    /// Children without a place within the search cutoff.
    pub unserved: f64,
    /// Share of children placed in their nearest unit.
    pub nearest_share: Option<f64>,
    /// Share of children placed within the threshold.
    pub within_share: Option<f64>,
    /// Mean travel of served children, minutes.
    pub mean_min: Option<f64>,
    /// Median travel of served children, minutes.
    pub median_min: Option<f64>,
    /// 90th percentile travel of served children, minutes.
    pub p90_min: Option<f64>,
    /// Share of children placed within the distance threshold (when one is set).
    pub within_distance_share: Option<f64>,
    /// Mean network distance of served children, metres.
    pub mean_distance_m: Option<f64>,
}

/// Indicators of the placements `keep` selects, with `threshold` (time) and `threshold_m`
/// (network distance, optional) for the within shares.
pub fn summarise(
    placements: &[Placement],
    keep: &dyn Fn(&Placement) -> bool,
    threshold: Cost,
    threshold_m: Option<f64>,
) -> Summary {
    let mut s = Summary::default();
    let (mut nearest, mut within, mut time_sum) = (0.0, 0.0, 0.0);
    let (mut within_m, mut dist_sum, mut dist_w) = (0.0, 0.0, 0.0);
    let mut times: Vec<(f64, f64)> = Vec::new();
    for p in placements.iter().filter(|p| keep(p)) {
        s.children += p.children;
        match p.unit {
            Some((_, t)) => {
                s.served += p.children;
                if p.nearest {
                    nearest += p.children;
                }
                if t <= threshold {
                    within += p.children;
                }
                time_sum += p.children * minutes(t);
                times.push((minutes(t), p.children));
                if let Some(d) = p.distance_m {
                    dist_sum += p.children * d;
                    dist_w += p.children;
                    if threshold_m.is_some_and(|limit| d <= limit) {
                        within_m += p.children;
                    }
                }
            }
            None => s.unserved += p.children,
        }
    }
    if s.children > 0.0 {
        s.nearest_share = Some(nearest / s.children);
        s.within_share = Some(within / s.children);
        s.within_distance_share = threshold_m.map(|_| within_m / s.children);
    }
    s.mean_distance_m = (dist_w > 0.0).then(|| dist_sum / dist_w);
    if s.served > 0.0 {
        s.mean_min = Some(time_sum / s.served);
        s.median_min = quantile(&times, 0.5);
        s.p90_min = quantile(&times, 0.9);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/definitions.md §6.1–6.4: shares of all children, travel of the served,
    /// weighted quantiles as the inverted CDF.
    #[test]
    fn every_indicator_by_hand() {
        let min = 60_000;
        let p = |area, children, unit: Option<(u32, Cost)>, nearest| Placement {
            area,
            group: 0,
            children,
            unit,
            nearest,
            distance_m: unit.map(|(_, t)| f64::from(t / min) * 80.0),
        };
        let placements = [
            p(0, 4.0, Some((0, 10 * min)), true),
            p(0, 2.0, Some((1, 20 * min)), false),
            p(1, 3.0, Some((1, 15 * min)), true),
            p(1, 1.0, None, false),
        ];
        let s = summarise(&placements, &|_| true, 16 * min, Some(1000.0));
        assert_eq!(s.children, 10.0);
        assert_eq!(s.served, 9.0);
        assert_eq!(s.unserved, 1.0);
        assert_eq!(s.nearest_share, Some(0.7)); // (4 + 3) / 10
        assert_eq!(s.within_share, Some(0.7)); // 10 and 15 min: 7 of 10
        assert_eq!(s.mean_min, Some((40.0 + 40.0 + 45.0) / 9.0));
        assert_eq!(s.median_min, Some(15.0)); // cumulative 4, 7 ≥ 4.5
        assert_eq!(s.p90_min, Some(20.0)); // 8.1 of 9 reached only at 20 min
        // Distances 800, 1600 and 1200 m: only the 4 children at 800 m are within 1 km.
        assert_eq!(s.within_distance_share, Some(0.4));
        assert_eq!(s.mean_distance_m, Some((4.0 * 800.0 + 2.0 * 1600.0 + 3.0 * 1200.0) / 9.0));
        let area1 = summarise(&placements, &|p| p.area == 1, 16 * min, None);
        assert_eq!((area1.children, area1.within_share), (4.0, Some(0.75)));
        let none = summarise(&placements, &|_| false, 16 * min, None);
        assert_eq!(area1.within_distance_share, None);
        assert_eq!(none.within_share, None);
    }
}
