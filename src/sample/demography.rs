//! Plausible Finnish-like age structures and a cohort-component forecast for SYNTHETIC data.

/// Relative size of each single-year age 0–100 in a Finnish city (stylised: small birth
/// cohorts, large working ages, ageing tail). `family` > 0 shifts weight to children and
/// their parents (suburbs), < 0 to young adults and the old (centres).
pub fn age_weights(family: f64) -> [f64; 101] {
    let mut w = [0.0; 101];
    for (a, v) in w.iter_mut().enumerate() {
        let a = a as f64;
        let base = if a < 7.0 {
            0.90
        } else if a < 16.0 {
            1.0
        } else if a < 20.0 {
            1.05
        } else if a < 35.0 {
            1.45
        } else if a < 65.0 {
            1.25
        } else if a < 80.0 {
            1.05 - (a - 65.0) * 0.02
        } else {
            (0.75 * (-(a - 80.0) / 6.0).exp()).max(0.002)
        };
        let child = if a < 16.0 {
            1.0
        } else if (30.0..50.0).contains(&a) {
            0.5
        } else if (20.0..30.0).contains(&a) {
            -0.6
        } else {
            -0.2
        };
        *v = (base * (1.0 + family * child)).max(0.001);
    }
    w
}

/// Splits `total` residents over ages 0–100 by `age_weights(family)`.
pub fn age_structure(total: f64, family: f64) -> [f64; 101] {
    let w = age_weights(family);
    let sum: f64 = w.iter().sum();
    let mut out = [0.0; 101];
    for (o, v) in out.iter_mut().zip(w) {
        *o = total * v / sum;
    }
    out
}

/// Annual probability of death at age `a` (stylised Gompertz curve).
fn mortality(a: usize) -> f64 {
    if a == 0 { 0.002 } else { (0.000_05 * (0.093 * a as f64).exp()).min(0.5) }
}

/// Projects a population one year ahead: survival, ageing by one year, births from women
/// aged 20–44 (half of each cohort), and net migration `migration` (share per year, higher
/// for young adults where positive).
pub fn step(pop: &[f64; 101], fertility: f64, migration: f64) -> [f64; 101] {
    let mut next = [0.0; 101];
    for (a, &count) in pop.iter().enumerate() {
        let survivors = count * (1.0 - mortality(a));
        let target = (a + 1).min(100);
        next[target] += survivors;
    }
    let mothers: f64 = pop[20..45].iter().sum::<f64>() / 2.0;
    next[0] = mothers * fertility;
    for (a, v) in next.iter_mut().enumerate() {
        let m = if (18..35).contains(&a) {
            migration * 2.5
        } else if a < 7 {
            migration * 1.2
        } else {
            migration * 0.5
        };
        *v *= 1.0 + m;
    }
    next
}

/// Rounds a forecast figure to two decimals (forecasts are published with decimals).
pub fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}
