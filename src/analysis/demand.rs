//! Children of the served ages per demand area and language group for a scenario year
//! (lapset palvelun ikäryhmissä, ruuduittain ja kieliryhmittäin).
//!
//! # Method
//! 1. Totals per area. Where the population table has demand-area figures for the year, the
//!    served ages are taken from their bands, pro rata by the years a band shares with the
//!    served ages (a 0–6 band gives 6/7 of itself to ages 1–6). Otherwise the district
//!    forecast of the year is disaggregated to areas ([`super::disaggregation::dasymetric`],
//!    weighted by the latest observed area figures) and the served single ages summed.
//! 2. Language. Where district figures by language group exist (forecast or observed, the
//!    year's or else the nearest year's), each area's total is split by its district's
//!    shares of Finnish, Swedish and other speakers of the served ages (the year nearest
//!    the scenario year with language figures, the earlier on a tie; the finest district
//!    level with figures of that year); elsewhere the children stay in group `all` (whose
//!    places the city's [`crate::model::LanguageRules`] decide).
//!
//! Figures are expected values (fractions of a child), conserved exactly.

use super::disaggregation::dasymetric;
use crate::model::population::AreaLevel;
use crate::model::{Dataset, LanguageGroup, PopulationKind};
use std::collections::{BTreeMap, HashMap};

/// Language groups in the order of [`Demand::children`].
pub const GROUPS: [LanguageGroup; 4] =
    [LanguageGroup::Finnish, LanguageGroup::Swedish, LanguageGroup::Other, LanguageGroup::All];

/// Children per demand area and language group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Demand {
    /// `children[area][g]`: children of group `GROUPS[g]` in demand area `area`.
    pub children: Vec<[f64; 4]>,
    /// How the figures were made, for reports.
    pub method: String,
    /// Forecast children of districts without demand areas (not placed anywhere).
    pub unplaced: f64,
}

impl Demand {
    /// Children of all groups in one area.
    pub fn area_total(&self, area: usize) -> f64 {
        self.children[area].iter().sum()
    }

    /// Children in all areas.
    pub fn total(&self) -> f64 {
        self.children.iter().flatten().sum()
    }
}

/// Children taking part, per area and language group, in hundredths of a child: the
/// expected values `children × participation × 100` rounded by the largest-remainder
/// method, so the city total is conserved to the hundredth (plain rounding of many small
/// values would shift it) and every value is within one hundredth of its expected value.
/// Ties go to the lower area, then the lower group index.
///
/// # Complexity
/// O(n log n) for n area-groups.
pub fn in_hundredths(demand: &Demand, participation: f64) -> Vec<[u32; 4]> {
    let raw: Vec<f64> = demand.children.iter().flatten().map(|&n| (n * participation * 100.0).max(0.0)).collect();
    let mut out: Vec<u32> = raw.iter().map(|&r| r.floor() as u32).collect();
    let total = raw.iter().sum::<f64>().round() as u64;
    let floors: u64 = out.iter().map(|&v| u64::from(v)).sum();
    let need = total.saturating_sub(floors) as usize;
    if need > 0 {
        let mut order: Vec<usize> = (0..raw.len()).collect();
        order.sort_by(|&a, &b| (raw[b] - raw[b].floor()).total_cmp(&(raw[a] - raw[a].floor())).then(a.cmp(&b)));
        for &i in order.iter().take(need) {
            out[i] += 1;
        }
    }
    out.chunks(4).map(|c| [c[0], c[1], c[2], c[3]]).collect()
}

/// Share of band `lo..=hi` that lies in `ages`.
pub fn band_share(lo: u8, hi: u8, ages: (u8, u8)) -> f64 {
    let from = lo.max(ages.0);
    let to = hi.min(ages.1);
    if from > to { 0.0 } else { f64::from(to - from + 1) / f64::from(hi - lo + 1) }
}

fn group_index(g: LanguageGroup) -> usize {
    GROUPS.iter().position(|x| *x == g).unwrap_or(3)
}

/// Children of `ages` in `year` per demand area of `data` (see the module doc).
pub fn children(data: &Dataset, year: u16, ages: (u8, u8)) -> Result<Demand, String> {
    let pop = &data.population;
    let index: HashMap<&str, usize> = data.demand_areas.iter().enumerate().map(|(i, a)| (a.id.as_str(), i)).collect();
    let mut out = Demand { children: vec![[0.0; 4]; data.demand_areas.len()], ..Demand::default() };
    let direct: Vec<usize> = (0..pop.len())
        .filter(|&r| pop.year[r] == year && pop.areas[pop.area[r] as usize].level == AreaLevel::DemandArea)
        .collect();
    if !direct.is_empty() {
        // Per area: language-group rows where present, else rows for all languages.
        let mut by_area: BTreeMap<usize, ([f64; 4], bool)> = BTreeMap::new();
        for &r in &direct {
            let Some(&a) = index.get(pop.areas[pop.area[r] as usize].id.as_str()) else { continue };
            let share = band_share(pop.age_min[r], pop.age_max[r], ages);
            let e = by_area.entry(a).or_insert(([0.0; 4], false));
            e.0[group_index(pop.language[r])] += pop.count[r] * share;
            e.1 |= pop.language[r] != LanguageGroup::All;
        }
        for (a, (groups, has_language)) in by_area {
            out.children[a] =
                if has_language { [groups[0], groups[1], groups[2], 0.0] } else { [0.0, 0.0, 0.0, groups[3]] };
        }
        let kind = pop.kind[direct[0]];
        let suppressed = direct
            .iter()
            .filter(|&&r| pop.suppressed[r] && band_share(pop.age_min[r], pop.age_max[r], ages) > 0.0)
            .count();
        out.method = format!(
            "{} demand-area figures for {year}, ages {}–{} taken pro rata from their bands; {suppressed} suppressed figures (small cells) count as 0",
            if kind == PopulationKind::Forecast { "forecast" } else { "observed" },
            ages.0,
            ages.1
        );
    } else {
        let level = district_level_with(data, year).ok_or_else(|| {
            format!("no population figures for {year}: neither demand-area rows nor a district forecast of that year")
        })?;
        let base = (0..pop.len())
            .filter(|&r| {
                pop.kind[r] == PopulationKind::Observed
                    && pop.areas[pop.area[r] as usize].level == AreaLevel::DemandArea
                    && pop.year[r] <= year
            })
            .map(|r| pop.year[r])
            .max()
            .ok_or_else(|| format!("no observed demand-area figures at or before {year} to spread the forecast"))?;
        let d = dasymetric(pop, &data.demand_areas, &level, base, year);
        let t = &d.table;
        for r in 0..t.len() {
            if let Some(&a) = index.get(t.areas[t.area[r] as usize].id.as_str()) {
                out.children[a][3] += t.count[r] * band_share(t.age_min[r], t.age_max[r], ages);
            }
        }
        out.unplaced = d.unplaced.values().sum::<f64>();
        out.method = format!(
            "{level} forecast for {year} spread to demand areas by their observed {base} figures (dasymetric), ages {}–{}",
            ages.0, ages.1
        );
    }
    if out.children.iter().any(|c| c[3] > 0.0) {
        split_languages(data, year, ages, &mut out);
    }
    Ok(out)
}

/// The finest district level with figures for `year`.
fn district_level_with(data: &Dataset, year: u16) -> Option<String> {
    let pop = &data.population;
    let levels: Vec<&str> = (0..pop.len())
        .filter(|&r| pop.year[r] == year)
        .filter_map(|r| match &pop.areas[pop.area[r] as usize].level {
            AreaLevel::District(l) => Some(l.as_str()),
            AreaLevel::DemandArea => None,
        })
        .collect();
    data.district_levels.iter().rev().find(|l| levels.contains(&l.as_str())).cloned()
}

/// Splits group `all` by district language shares of the served ages.
fn split_languages(data: &Dataset, year: u16, ages: (u8, u8), out: &mut Demand) {
    let pop = &data.population;
    // The year nearest the scenario year with district language figures (the earlier on a
    // tie), then the finest district level with figures of that year.
    let mut found: Vec<(u16, &str)> = Vec::new();
    for r in 0..pop.len() {
        if pop.language[r] == LanguageGroup::All {
            continue;
        }
        if let AreaLevel::District(l) = &pop.areas[pop.area[r] as usize].level
            && !found.contains(&(pop.year[r], l.as_str()))
        {
            found.push((pop.year[r], l.as_str()));
        }
    }
    let best = found.iter().map(|f| f.0).min_by_key(|&y| (y.abs_diff(year), y)).and_then(|y| {
        let rank = |l: &str| data.district_levels.iter().position(|x| x == l);
        found.iter().filter(|f| f.0 == y).max_by_key(|f| rank(f.1)).map(|f| (y, f.1.to_owned()))
    });
    let Some((lang_year, level)) = best else {
        out.method.push_str("; no language figures, all children counted in group 'all'");
        return;
    };
    let mut shares: HashMap<&str, [f64; 3]> = HashMap::new();
    for r in 0..pop.len() {
        let area = &pop.areas[pop.area[r] as usize];
        if pop.year[r] != lang_year || area.level != AreaLevel::District(level.clone()) {
            continue;
        }
        let g = group_index(pop.language[r]);
        if g < 3 {
            shares.entry(area.id.as_str()).or_insert([0.0; 3])[g] +=
                pop.count[r] * band_share(pop.age_min[r], pop.age_max[r], ages);
        }
    }
    let mut split = 0usize;
    for (a, area) in data.demand_areas.iter().enumerate() {
        let all = out.children[a][3];
        let Some(s) = area.districts.get(&level).and_then(|d| shares.get(d.as_str())) else { continue };
        let sum: f64 = s.iter().sum();
        if all > 0.0 && sum > 0.0 {
            for (g, share) in s.iter().enumerate() {
                out.children[a][g] = all * share / sum;
            }
            out.children[a][3] = 0.0;
            split += 1;
        }
    }
    out.method.push_str(&format!(
        "; split into Finnish / Swedish / other speakers by {level} language shares of {lang_year} ({split} areas)"
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hundredths_conserve_the_total() {
        // 300 areas of 0.006 children: plain rounding would make each 0.01 (+67 %).
        let demand = Demand { children: vec![[0.006, 0.0, 0.0, 0.0]; 300], ..Demand::default() };
        let h = in_hundredths(&demand, 1.0);
        let total: u32 = h.iter().map(|c| c.iter().sum::<u32>()).sum();
        assert_eq!(total, 180);
        assert!(h.iter().all(|c| c[0] <= 1));
        // Whole values stay exact.
        let demand = Demand { children: vec![[3.0, 2.0, 0.0, 0.0], [1.25, 0.0, 0.0, 0.0]], ..Demand::default() };
        assert_eq!(in_hundredths(&demand, 0.8), vec![[240, 160, 0, 0], [100, 0, 0, 0]]);
    }

    #[test]
    fn band_shares() {
        assert_eq!(band_share(0, 6, (1, 6)), 6.0 / 7.0);
        assert_eq!(band_share(7, 15, (1, 6)), 0.0);
        assert_eq!(band_share(3, 3, (1, 6)), 1.0);
        assert_eq!(band_share(0, 100, (1, 6)), 6.0 / 101.0);
    }
}
