//! Distribution of a per-area value over children (tasa-arvo): weighted percentiles, the
//! share of children below a threshold, and the Gini coefficient.
//!
//! Values come as (value, weight) pairs, e.g. (minutes to the unit, children of the area);
//! each function sorts once, O(n log n).
//!
//! ```
//! use pave::analysis::equity::{gini, quantile, share_below};
//! let minutes = [(5.0, 30.0), (10.0, 50.0), (20.0, 20.0)];
//! assert_eq!(quantile(&minutes, 0.5), Some(10.0)); // median child
//! assert_eq!(quantile(&minutes, 0.9), Some(20.0)); // p90
//! assert_eq!(share_below(&minutes, 16.0), Some(0.8)); // 80 % within 16 min
//! assert_eq!(gini(&[(7.0, 1.0), (7.0, 3.0)]), Some(0.0)); // everyone equal
//! ```

/// Weighted quantile `q` (0–1): the smallest value whose cumulative weight reaches `q` of
/// the total ("inverted CDF"). `None` without positive weight.
pub fn quantile(values: &[(f64, f64)], q: f64) -> Option<f64> {
    let mut v: Vec<(f64, f64)> = values.iter().copied().filter(|(x, w)| *w > 0.0 && x.is_finite()).collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = v.iter().map(|p| p.1).sum();
    if total <= 0.0 {
        return None;
    }
    let target = q.clamp(0.0, 1.0) * total;
    let mut seen = 0.0;
    for (x, w) in &v {
        seen += w;
        if seen >= target - 1e-9 * total {
            return Some(*x);
        }
    }
    v.last().map(|p| p.0)
}

/// Share of the weight whose value is below `threshold`.
pub fn share_below(values: &[(f64, f64)], threshold: f64) -> Option<f64> {
    let total: f64 = values.iter().filter(|p| p.1 > 0.0).map(|p| p.1).sum();
    (total > 0.0).then(|| values.iter().filter(|p| p.1 > 0.0 && p.0 < threshold).map(|p| p.1).sum::<f64>() / total)
}

/// Weighted Gini coefficient of non-negative values: 0 equal, → 1 concentrated. Computed
/// from the Lorenz curve: `G = 1 − Σ (p_k − p_{k−1}) (L_k + L_{k−1})`.
pub fn gini(values: &[(f64, f64)]) -> Option<f64> {
    let mut v: Vec<(f64, f64)> = values.iter().copied().filter(|(x, w)| *w > 0.0 && x.is_finite()).collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let w_total: f64 = v.iter().map(|p| p.1).sum();
    let x_total: f64 = v.iter().map(|p| p.0 * p.1).sum();
    if w_total <= 0.0 || x_total <= 0.0 {
        return None;
    }
    let (mut l_prev, mut area) = (0.0, 0.0);
    for (x, w) in &v {
        let l = l_prev + x * w / x_total;
        area += (w / w_total) * (l + l_prev);
        l_prev = l;
    }
    Some(1.0 - area)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn by_hand() {
        let v = [(1.0, 1.0), (2.0, 1.0), (3.0, 2.0)];
        assert_eq!(quantile(&v, 0.5), Some(2.0));
        assert_eq!(quantile(&v, 0.25), Some(1.0));
        assert_eq!(quantile(&v, 0.9), Some(3.0));
        assert_eq!(share_below(&v, 3.0), Some(0.5));
        assert_eq!(gini(&[(5.0, 1.0), (5.0, 3.0)]), Some(0.0));
        // Two people, one has everything: G = 1/2 for n = 2.
        assert!((gini(&[(0.0, 1.0), (10.0, 1.0)]).unwrap() - 0.5).abs() < 1e-12);
        assert_eq!(gini(&[]), None);
    }

    proptest! {
        #[test]
        fn gini_equals_mean_absolute_difference(v in prop::collection::vec((0u32..50, 1u32..5), 1..12)) {
            let v: Vec<(f64, f64)> = v.iter().map(|&(x, w)| (f64::from(x), f64::from(w))).collect();
            let w: f64 = v.iter().map(|p| p.1).sum();
            let mean = v.iter().map(|p| p.0 * p.1).sum::<f64>() / w;
            let mad: f64 = v.iter().flat_map(|a| v.iter().map(move |b| a.1 * b.1 * (a.0 - b.0).abs())).sum();
            match gini(&v) {
                Some(g) => prop_assert!((g - mad / (2.0 * w * w * mean)).abs() < 1e-9),
                None => prop_assert!(mean == 0.0),
            }
        }
    }
}
