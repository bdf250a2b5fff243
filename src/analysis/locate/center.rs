//! The vertex p-center problem with certified bounds: choose exactly `p` sites (fixed ones
//! included) so that the largest travel cost from a demand with weight > 0 to its nearest
//! chosen site is least (Hakimi 1964).
//!
//! # Method
//! The optimum is one of the cost values (Minieka 1970; Daskin 1995):
//! - a farthest-first start (the free site nearest to the demand farthest from the chosen
//!   ones, repeated) gives a first radius `R`;
//! - a binary search over the distinct costs in `[max_i min_j c_ij, R)` asks at radius `r`
//!   whether at most `p` sites cover every demand within `r`, with the set-cover machinery of
//!   [`super::setcover`]: yes when a cover is found (then padded farthest-first to `p` sites),
//!   no when its Lagrangian bound or a finished branch and bound exceeds `p`, else undecided
//!   (searched as no, proving nothing); a second binary search below the first undecided
//!   radius looks for the largest provably infeasible one;
//! - lower bound: the next cost above the largest radius proven infeasible, at least
//!   `max_i min_j c_ij`; upper bound: the best radius found;
//! - exact when `C(free, p − fixed)` ≤ [`Options::enumerate_up_to`]: every choice is
//!   enumerated.
//!
//! # Parameters
//! Each decision runs the set-cover solver with these [`Options`]; [`Options::time_limit_s`]
//! also ends the search (the bounds stay valid; the enumeration is not cut); [`Options::gap`]
//! decides `proven_optimal`.
//!
//! # Returns
//! An [`Answer`] whose objective is the largest cost; [`Infeasible::P`];
//! [`Infeasible::Unreachable`] with the demands (ascending) no allowed site reaches at finite
//! cost. When no `p` sites reach every demand the objective is `f64::INFINITY`.
//!
//! # Complexity
//! O(log(n·m)) decisions, each O(n·m) for the coverage lists plus a set-cover solve; the
//! candidate costs are sorted once, O(n·m·log(n·m)) at worst. The enumeration takes O(n) per
//! choice on a column-wise copy of the costs (m·n values). Deterministic, ties to the lower
//! index.
//!
//! # Example
//! ```
//! use pave::analysis::locate::{p_center, Instance, Options};
//! // Demands at 0, 1, 5, 6 and 20 on a line; sites at the same places.
//! let at = [0.0f64, 1.0, 5.0, 6.0, 20.0];
//! let cost: Vec<Vec<f64>> = at.iter().map(|a| at.iter().map(|b| (a - b).abs()).collect()).collect();
//! let inst = Instance { weight: vec![1.0; 5], cost, fixed_open: vec![], fixed_closed: vec![] };
//! let a = p_center(&inst, 2, &Options::default()).expect("feasible");
//! assert_eq!((a.sites, a.objective), (vec![1, 4], 5.0));
//! assert!(a.proven_optimal);
//! ```

use super::cover::{Cover, Sites, active, answer, late, sites};
use super::setcover::solve_cover;
use super::{Answer, Infeasible, Instance, Options, choices};
use std::time::Instant;

/// The largest cost from a demand with weight > 0 to its nearest site in `sites` (0 if none).
pub fn radius_of(inst: &Instance, sites: &[usize]) -> f64 {
    let nearest = |row: &Vec<f64>| sites.iter().map(|&j| row[j]).fold(f64::INFINITY, f64::min);
    inst.cost.iter().zip(&inst.weight).filter(|(_, w)| active(**w)).map(|(row, _)| nearest(row)).fold(0.0, f64::max)
}

/// Solves the vertex p-center problem (see the module).
pub fn p_center(inst: &Instance, p: usize, opt: &Options) -> Result<Answer, Infeasible> {
    let start = Instant::now();
    let st = sites(inst, Some(p))?;
    let allowed: Vec<usize> = (0..st.allowed.len()).filter(|&j| st.allowed[j]).collect();
    let rows: Vec<&[f64]> =
        inst.cost.iter().zip(&inst.weight).filter(|(_, w)| active(**w)).map(|(r, _)| &r[..]).collect();
    let nearest: Vec<f64> = rows
        .iter()
        .map(|r| allowed.iter().map(|&j| r[j]).filter(|c| c.is_finite()).fold(f64::INFINITY, f64::min))
        .collect();
    let lost: Vec<usize> = (0..inst.cost.len())
        .filter(|&i| active(inst.weight[i]) && !allowed.iter().any(|&j| inst.cost[i][j].is_finite()))
        .collect();
    if !lost.is_empty() {
        return Err(Infeasible::Unreachable(lost));
    }
    let k = p - st.fixed.len();
    if choices(st.free.len(), k) <= opt.enumerate_up_to {
        let sites = enumerate_center(&rows, &st, k);
        let objective = radius_of(inst, &sites);
        return Ok(answer(sites, objective, objective, objective, opt));
    }
    let floor = nearest.iter().copied().fold(0.0, f64::max);
    let mut best = pad(&rows, &st, st.fixed.clone(), p);
    let first = radius_of(inst, &best);
    let mut best_r = first;
    let mut vals: Vec<f64> =
        rows.iter().flat_map(|r| allowed.iter().map(|&j| r[j])).filter(|&c| c >= floor && c < first).collect();
    vals.sort_unstable_by(f64::total_cmp);
    vals.dedup();
    // Decide radius vals[t]: Some(true) = a cover with ≤ p sites (kept), Some(false) = proven
    // none, None = undecided.
    let decide = |t: usize, best: &mut Vec<usize>, best_r: &mut f64| -> Option<bool> {
        let cv = Cover::new(inst, &st, vals[t]);
        if !cv.lost.is_empty() {
            return Some(false);
        }
        let (sol, lower) = solve_cover(&cv, Some(k), start, opt);
        if sol.len() <= k {
            let sites = pad(&rows, &st, st.full(&sol), p);
            let r = radius_of(inst, &sites);
            if r < *best_r {
                (*best, *best_r) = (sites, r);
            }
            return Some(true);
        }
        (lower > k).then_some(false)
    };
    // `proven`: every value below vals[proven] is infeasible; vals[hi..] are at least best_r.
    let (mut lo, mut proven) = (0, 0);
    let mut hi = vals.partition_point(|&v| v < best_r);
    let mut undecided = hi;
    while lo < hi && !late(start, opt) {
        let mid = (lo + hi) / 2;
        match decide(mid, &mut best, &mut best_r) {
            Some(true) => hi = vals.partition_point(|&v| v < best_r).min(mid),
            Some(false) => (lo, proven) = (mid + 1, mid + 1),
            None => (lo, undecided) = (mid + 1, undecided.min(mid)),
        }
    }
    // Then the largest provably infeasible value below the first undecided one.
    let mut top = undecided.min(hi);
    while proven < top && !late(start, opt) {
        let mid = (proven + top) / 2;
        match decide(mid, &mut best, &mut best_r) {
            Some(false) => proven = mid + 1,
            _ => top = mid.min(vals.partition_point(|&v| v < best_r)),
        }
    }
    let lower = vals.get(proven).copied().unwrap_or(first).max(floor).min(best_r);
    Ok(answer(best, best_r, lower, best_r, opt))
}

/// Farthest-first completion of `sites` to `p` sites: repeatedly the free site nearest to the
/// demand farthest from the chosen ones (ties to the lower index).
fn pad(rows: &[&[f64]], st: &Sites, mut sites: Vec<usize>, p: usize) -> Vec<usize> {
    let mut taken = vec![false; st.allowed.len()];
    sites.iter().for_each(|&j| taken[j] = true);
    let mut d: Vec<f64> = rows.iter().map(|r| sites.iter().map(|&j| r[j]).fold(f64::INFINITY, f64::min)).collect();
    while sites.len() < p {
        let far = (0..rows.len()).reduce(|a, b| if d[b] > d[a] { b } else { a });
        let pick = st.free.iter().copied().filter(|&j| !taken[j]);
        let Some(j) = pick.reduce(|a, b| if far.is_some_and(|i| rows[i][b] < rows[i][a]) { b } else { a }) else {
            break;
        };
        taken[j] = true;
        sites.push(j);
        d.iter_mut().zip(rows).for_each(|(v, r)| *v = v.min(r[j]));
    }
    sites.sort_unstable();
    sites
}

/// Every choice of `k` free sites, depth first over per-site cost columns; the least radius,
/// ties to the first choice in lexicographic order.
fn enumerate_center(rows: &[&[f64]], st: &Sites, k: usize) -> Vec<usize> {
    type Best = (f64, Option<Vec<usize>>);
    fn go(cols: &[Vec<f64>], from: usize, left: usize, d: &[f64], pick: &mut Vec<usize>, best: &mut Best) {
        if left == 0 {
            return keep(radius(d, d, f64::INFINITY), pick, best);
        }
        for t in from..=cols.len() - left {
            pick.push(t);
            if left == 1 {
                let stop = if best.1.is_some() { best.0 } else { f64::INFINITY };
                keep(radius(d, &cols[t], stop), pick, best);
            } else {
                let e: Vec<f64> = d.iter().zip(&cols[t]).map(|(a, b)| a.min(*b)).collect();
                go(cols, t + 1, left - 1, &e, pick, best);
            }
            pick.pop();
        }
    }
    fn keep(r: f64, pick: &[usize], best: &mut Best) {
        if best.1.is_none() || r < best.0 {
            *best = (r, Some(pick.to_vec()));
        }
    }
    let cols: Vec<Vec<f64>> = st.free.iter().map(|&j| rows.iter().map(|r| r[j]).collect()).collect();
    let d: Vec<f64> = rows.iter().map(|r| st.fixed.iter().map(|&j| r[j]).fold(f64::INFINITY, f64::min)).collect();
    let mut best = (f64::INFINITY, None);
    go(&cols, 0, k, &d, &mut Vec::new(), &mut best);
    let pick: Vec<u32> = best.1.unwrap_or_default().into_iter().map(|t| t as u32).collect();
    st.full(&pick)
}

/// `max_i min(d_i, col_i)` (0 when empty), or some value at least `stop` once it reaches `stop`.
fn radius(d: &[f64], col: &[f64], stop: f64) -> f64 {
    let mut r = 0.0f64;
    for (a, b) in d.chunks(256).zip(col.chunks(256)) {
        for (x, y) in a.iter().zip(b) {
            let v = if y < x { *y } else { *x };
            r = if v > r { v } else { r };
        }
        if r >= stop {
            break;
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(at: &[f64]) -> Instance {
        let cost = at.iter().map(|a| at.iter().map(|b| (a - b).abs()).collect()).collect();
        Instance { weight: vec![1.0; at.len()], cost, fixed_open: vec![], fixed_closed: vec![] }
    }

    #[test]
    fn the_binary_search_proves_the_optimum_on_a_line() {
        let inst = line(&[0.0, 1.0, 2.0, 10.0, 11.0, 30.0, 31.0, 32.0, 33.0]);
        for p in 1..=4 {
            let e = p_center(&inst, p, &Options::default()).expect("feasible");
            let h = p_center(&inst, p, &Options { enumerate_up_to: 0, ..Options::default() }).expect("feasible");
            assert!(e.proven_optimal && h.proven_optimal, "p {p}: {e:?} {h:?}");
            assert_eq!((h.objective, h.sites.len()), (e.objective, p));
        }
    }

    #[test]
    fn fixed_sites_are_kept() {
        let mut inst = line(&[0.0, 1.0, 2.0, 10.0, 11.0, 12.0]);
        inst.fixed_open = vec![0];
        inst.fixed_closed = vec![4];
        for o in [Options::default(), Options { enumerate_up_to: 0, ..Options::default() }] {
            let a = p_center(&inst, 2, &o).expect("feasible");
            assert_eq!((a.sites[0], a.sites.len(), a.objective, a.proven_optimal), (0, 2, 2.0, true));
            assert!(!a.sites.contains(&4));
        }
    }

    #[test]
    fn no_p_sites_reaching_everyone_is_an_infinite_radius() {
        let inf = f64::INFINITY;
        let inst = Instance {
            weight: vec![1.0, 1.0, 0.0],
            cost: vec![vec![1.0, inf], vec![inf, 2.0], vec![inf, inf]],
            fixed_open: vec![],
            fixed_closed: vec![],
        };
        for o in [Options::default(), Options { enumerate_up_to: 0, ..Options::default() }] {
            let a = p_center(&inst, 1, &o).expect("every demand is reachable");
            assert_eq!((a.objective, a.lower_bound, a.proven_optimal), (inf, inf, true));
            assert_eq!(p_center(&inst, 2, &o).expect("feasible").objective, 2.0);
        }
        let closed = Instance { fixed_closed: vec![1], ..inst };
        assert_eq!(p_center(&closed, 1, &Options::default()), Err(Infeasible::Unreachable(vec![1])));
    }
}
