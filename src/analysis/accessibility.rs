//! Accessibility indices per demand area (saavutettavuus): cumulative opportunities,
//! gravity with distance decay, two-step floating catchment (2SFCA) and its enhanced
//! variant with travel-time bands (E2SFCA; Luo & Qi 2009).
//!
//! All take travel times from areas to units (the direction families travel), `supply`
//! per unit (places) and, for the FCA methods, `demand` per area (children). Units with
//! no demand in reach have a ratio of 0; areas reaching nothing score 0.

use super::times::{Reach, minutes};
use crate::model::scenario::Decay;
use crate::network::{Cost, UNREACHABLE};

/// Places reachable within `cutoff` from each area; `supply[u]` places of unit `u`.
pub fn cumulative(r: &Reach, supply: &[f64], cutoff: Cost) -> Vec<f64> {
    r.lists.iter().map(|l| l.iter().take_while(|o| o.0 <= cutoff).map(|o| supply[o.1 as usize]).sum()).collect()
}

/// The decay weight of a travel time.
pub fn decay_weight(decay: Decay, t: Cost) -> f64 {
    if t == UNREACHABLE {
        return 0.0;
    }
    let m = minutes(t);
    match decay {
        Decay::Linear { cutoff_min } => (1.0 - m / cutoff_min).max(0.0),
        Decay::Power { exponent } => m.max(1.0).powf(-exponent),
        Decay::Exponential { half_life_min } => (-std::f64::consts::LN_2 * m / half_life_min).exp(),
    }
}

/// Gravity index: Σ supply × decay(time) over the units reachable within the search cutoff.
pub fn gravity(r: &Reach, supply: &[f64], decay: Decay) -> Vec<f64> {
    r.lists.iter().map(|l| l.iter().map(|&(t, u)| supply[u as usize] * decay_weight(decay, t)).sum()).collect()
}

/// Band weight of E2SFCA: the weight of the first band whose limit the time does not exceed.
fn band_weight(bands: &[Cost], weights: &[f64], t: Cost) -> f64 {
    if t == UNREACHABLE {
        return 0.0;
    }
    bands.iter().zip(weights).find(|(b, _)| t <= **b).map_or(0.0, |(_, w)| *w)
}

/// E2SFCA with band limits (ms) and weights; 2SFCA is the case of one band of weight 1.
///
/// Step 1: `R_j = S_j / Σ_i P_i W(t_ij)`. Step 2: `A_i = Σ_j R_j W(t_ij)`: places per child.
/// `supply` per unit, `demand` per area.
pub fn e2sfca(r: &Reach, supply: &[f64], demand: &[f64], bands: &[Cost], weights: &[f64]) -> Vec<f64> {
    let last = bands.last().copied().unwrap_or(0);
    let mut reached = vec![0.0; supply.len()];
    for (l, p) in r.lists.iter().zip(demand) {
        for &(t, u) in l.iter().take_while(|o| o.0 <= last) {
            reached[u as usize] += p * band_weight(bands, weights, t);
        }
    }
    let ratio: Vec<f64> = supply.iter().zip(&reached).map(|(s, r)| if *r > 0.0 { s / r } else { 0.0 }).collect();
    r.lists
        .iter()
        .map(|l| {
            l.iter().take_while(|o| o.0 <= last).map(|&(t, u)| ratio[u as usize] * band_weight(bands, weights, t)).sum()
        })
        .collect()
}

/// Classic 2SFCA (Luo & Wang 2003) with catchment `cutoff`: per area, the sum over the units
/// it reaches within `cutoff` of each unit's places per resident of its catchment.
///
/// `r` lists per area the reachable units, nearest first; `supply` is places per unit and
/// `demand` residents per area. O(Σ list lengths).
///
/// ```
/// use pave::analysis::{accessibility::two_step, times::Reach};
/// // Area 0 reaches units 0 and 1; area 1 only unit 1 (costs in ms).
/// let r = Reach { lists: vec![vec![(60_000, 0), (120_000, 1)], vec![(60_000, 1)]] };
/// let a = two_step(&r, &[10.0, 30.0], &[20.0, 40.0], 600_000);
/// // Unit 0: 10 places / 20 residents; unit 1: 30 / 60.
/// assert_eq!(a, vec![0.5 + 0.5, 0.5]);
/// ```
pub fn two_step(r: &Reach, supply: &[f64], demand: &[f64], cutoff: Cost) -> Vec<f64> {
    e2sfca(r, supply, demand, &[cutoff], &[1.0])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::times::TravelTimes;

    const MIN: Cost = 60_000;

    fn matrix(rows: &[[Cost; 2]]) -> Reach {
        let t = TravelTimes { cells: rows.len(), units: 2, time: rows.iter().flatten().map(|m| m * MIN).collect() };
        Reach::from_matrix(&t)
    }

    fn close(a: &[f64], b: &[f64]) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() < 1e-12, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn two_step_by_hand_and_direction_matters() {
        // Children P = [10, 20], places S = [6, 10], catchment 10 min.
        // Areas → units: a0 → u0 5, a0 → u1 9, a1 → u0 12, a1 → u1 8.
        // R0 = 6 / 10 = 0.6; R1 = 10 / 30; A0 = 0.6 + 1/3; A1 = 1/3.
        let to_units = matrix(&[[5, 9], [12, 8]]);
        close(&two_step(&to_units, &[6.0, 10.0], &[10.0, 20.0], 10 * MIN), &[0.6 + 1.0 / 3.0, 1.0 / 3.0]);
        // The way back differs (one-way streets): u0 → a1 9, u1 → a0 12. Using those
        // times gives R0 = 6 / 30 = 0.2, R1 = 10 / 20 = 0.5 and other scores, so the
        // direction of the matrix is part of the answer.
        let from_units = matrix(&[[5, 12], [9, 8]]);
        close(&two_step(&from_units, &[6.0, 10.0], &[10.0, 20.0], 10 * MIN), &[0.2, 0.7]);
    }

    #[test]
    fn enhanced_two_step_by_hand() {
        // Bands ≤ 5 min weight 1, ≤ 10 min weight 0.5. t = [[4, 9], [12, 6]].
        // R0 = 6 / (10·1) = 0.6; R1 = 10 / (10·0.5 + 20·0.5) = 2/3.
        // A0 = 0.6·1 + 2/3·0.5 = 14/15; A1 = 2/3·0.5 = 1/3.
        let t = matrix(&[[4, 9], [12, 6]]);
        let a = e2sfca(&t, &[6.0, 10.0], &[10.0, 20.0], &[5 * MIN, 10 * MIN], &[1.0, 0.5]);
        close(&a, &[14.0 / 15.0, 1.0 / 3.0]);
        // Places are conserved when every area reaches every unit with weight 1.
        let all = matrix(&[[1, 2], [3, 4]]);
        let a = two_step(&all, &[6.0, 10.0], &[10.0, 20.0], 10 * MIN);
        let placed: f64 = a.iter().zip([10.0, 20.0]).map(|(x, p)| x * p).sum();
        assert!((placed - 16.0).abs() < 1e-12);
    }

    #[test]
    fn cumulative_and_gravity_by_hand() {
        let mut d = TravelTimes { cells: 2, units: 2, time: [5, 20, 12, 8].iter().map(|m| m * MIN).collect() };
        d.time[1] = UNREACHABLE;
        let t = Reach::from_matrix(&d);
        close(&cumulative(&t, &[6.0, 10.0], 10 * MIN), &[6.0, 10.0]);
        // Exponential, half-life 10 min: a0 = 6 · 2^-0.5; a1 = 6 · 2^-1.2 + 10 · 2^-0.8.
        let g = gravity(&t, &[6.0, 10.0], Decay::Exponential { half_life_min: 10.0 });
        close(&g, &[6.0 * 2f64.powf(-0.5), 6.0 * 2f64.powf(-1.2) + 10.0 * 2f64.powf(-0.8)]);
        let l = gravity(&t, &[6.0, 10.0], Decay::Linear { cutoff_min: 10.0 });
        close(&l, &[3.0, 2.0]);
        let p = gravity(&t, &[6.0, 10.0], Decay::Power { exponent: 1.0 });
        close(&p, &[6.0 / 5.0, 6.0 / 12.0 + 10.0 / 8.0]);
    }
}
