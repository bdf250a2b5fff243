//! The scenario report (`report.html`): key indicators, maps of travel time and allocated
//! unit with units sized by places and coloured by use, the district table, units and
//! provenance — one self-contained file.

use super::outcome::Outcome;
use super::svg::{Frame, category, esc, map, page, ramp, ramp_legend};
use crate::model::Dataset;
use crate::model::scenario::{Rule, Scenario};
use std::fmt::Write as _;

use super::human::{maybe, number};
pub use super::human::{minutes as mins, percent as pct};

/// Units as circles sized by places and coloured by pressure; closed units as crosses.
fn unit_marks(frame: &Frame, o: &Outcome, over: f64) -> String {
    let mut s = String::new();
    for (i, u) in o.plans.iter().enumerate() {
        let (x, y) = frame.px(u.x, u.y);
        match o.active.iter().position(|&a| a == i) {
            Some(j) => {
                // Area by utilisation (placed ÷ places): a full unit is 10 px across.
                let use_ = o.units[j].utilisation.unwrap_or(0.0).min(1.5);
                let r = 2.0 + 5.0 * use_.sqrt();
                let p = o.units[j].pressure.unwrap_or(0.0);
                let fill = if p > over {
                    "#b42318"
                } else if o.units[j].utilisation.unwrap_or(0.0) < 0.85 {
                    "#f5c542"
                } else {
                    "#1a7f37"
                };
                let stroke = if u.status == super::apply::UnitStatus::Kept { "#fff" } else { "#000" };
                let _ = write!(
                    s,
                    "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r:.1}\" fill=\"{fill}\" fill-opacity=\"0.85\" stroke=\"{stroke}\" stroke-width=\"1.5\"><title>{} — {} places, {:.0} % used, catchment pressure {:.2}, {}</title></circle>",
                    esc(&u.name),
                    u.total(),
                    use_ * 100.0,
                    p,
                    u.status.name()
                );
            }
            None => {
                let _ = write!(
                    s,
                    "<path d=\"M{a:.1} {b:.1}L{c:.1} {d:.1}M{a:.1} {d:.1}L{c:.1} {b:.1}\" stroke=\"#000\" stroke-width=\"2\"><title>{} (closed)</title></path>",
                    esc(&u.name),
                    a = x - 4.0,
                    b = y - 4.0,
                    c = x + 4.0,
                    d = y + 4.0
                );
            }
        }
    }
    s
}

/// The report page.
pub fn html(scenario: &Scenario, data: &Dataset, o: &Outcome, kpis: &super::kpis::Kpis) -> String {
    let p = &scenario.parameters;
    let mut b = String::new();
    let head = match p.allocation {
        crate::model::scenario::Rule::NearestWithVacancy => &o.rule,
        crate::model::scenario::Rule::SystemOptimum => &o.optimum,
    };
    let target_met = head.within_share.is_some_and(|s| s >= p.target_share);
    let _ = write!(
        b,
        "<p>{} · {} · year {} · travel: {} ({}) · threshold {} min · headline rule: {}</p><div class=\"cards\">",
        esc(&data.city),
        esc(&scenario.service.0),
        scenario.year.0,
        esc(&kpis.provenance.mode),
        esc(&kpis.provenance.network),
        number(p.threshold_min, 0),
        p.allocation.label()
    );
    let mut cards: Vec<(String, String)> = vec![
        ("children".into(), number(head.children, 0)),
        ("served".into(), number(head.served, 0)),
        ("unserved".into(), number(head.unserved, 0)),
        ("in nearest unit".into(), pct(head.nearest_share)),
        (
            format!("within {} min (target {} %)", number(p.threshold_min, 0), number(p.target_share * 100.0, 0)),
            pct(head.within_share),
        ),
        ("mean travel".into(), mins(head.mean_min)),
        ("median travel".into(), mins(head.median_min)),
        ("90th percentile".into(), mins(head.p90_min)),
        (
            "mean network distance".into(),
            head.mean_distance_m.map_or("–".to_owned(), |m| format!("{} m", number(m, 0))),
        ),
    ];
    if let Some(m) = p.threshold_m {
        cards.push((format!("within {} m", number(m, 0)), pct(head.within_distance_share)));
    }
    for (i, (k, v)) in cards.iter().enumerate() {
        let class = if i == 4 { if target_met { " class=\"good\"" } else { " class=\"bad\"" } } else { "" };
        let _ = write!(b, "<div class=\"card\">{}<b{class}>{}</b></div>", esc(k), esc(v));
    }
    b.push_str("</div>");
    // Maps.
    let polys: Vec<&geo::MultiPolygon<f64>> = data.demand_areas.iter().map(|a| &a.geometry).collect();
    let pts: Vec<(f64, f64)> = o.plans.iter().map(|u| (u.x, u.y)).collect();
    let frame = Frame::around(&polys, &pts, 520.0);
    let max = p.threshold_min * 2.0;
    let by_time: Vec<_> = data
        .demand_areas
        .iter()
        .zip(&o.cells)
        .map(|(a, c)| {
            (&a.geometry, c.mean_min.or(c.nearest.map(|n| crate::analysis::times::minutes(n.0))).map(|m| ramp(m, max)))
        })
        .collect();
    let by_unit: Vec<_> = data
        .demand_areas
        .iter()
        .zip(&o.cells)
        .map(|(a, c)| (&a.geometry, c.allocated.map(|u| category(u).to_owned())))
        .collect();
    let marks = unit_marks(&frame, o, p.over_used_above);
    b.push_str("<h2>Maps</h2><div class=\"maps\">");
    b.push_str(&map(&frame, &by_time, &marks, "Travel time to the allocated unit", &ramp_legend(max, "min")));
    b.push_str(&map(
        &frame,
        &by_unit,
        &marks,
        "Allocated unit",
        "cells coloured by the unit taking most of their children; circles: units sized by utilisation (placed ÷ places) — green in use, yellow under-used, red over-subscribed catchment; black ring: changed by the scenario; ✕ closed",
    ));
    b.push_str("</div>");
    // Rules.
    let _ = write!(
        b,
        "<h2>Nearest unit with room vs system optimum</h2><table><tr><th></th><th>served</th><th>in nearest unit</th><th>within {t} min</th><th>mean</th><th>p90</th></tr>",
        t = number(p.threshold_min, 0)
    );
    for (rule, s) in [(Rule::NearestWithVacancy, &o.rule), (Rule::SystemOptimum, &o.optimum)] {
        let _ = write!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            rule.label(),
            number(s.served, 0),
            pct(s.nearest_share),
            pct(s.within_share),
            mins(s.mean_min),
            mins(s.p90_min)
        );
    }
    b.push_str("</table>");
    let saved = o.rule_child_minutes - o.same_children_optimum_child_minutes;
    let _ = write!(
        b,
        "<p>The same children compared: the {} children the city's rule places travel {} child-minutes in all; placed for the least total travel under the same places and language rules they would travel {} child-minutes ({} less, {} per child).</p>",
        number(o.rule.served, 0),
        number(o.rule_child_minutes, 0),
        number(o.same_children_optimum_child_minutes, 0),
        number(saved, 0),
        mins((o.rule.served > 0.0).then(|| saved / o.rule.served))
    );
    let _ = write!(
        b,
        "<h2>By language group</h2><table><tr><th>group</th><th>children</th><th>unserved</th><th>in nearest unit</th><th>within</th><th>mean</th></tr>"
    );
    for (g, s) in &o.by_language {
        let _ = write!(
            b,
            "<tr><td>{g}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            number(s.children, 0),
            number(s.unserved, 0),
            pct(s.nearest_share),
            pct(s.within_share),
            mins(s.mean_min)
        );
    }
    b.push_str("</table>");
    let _ = write!(
        b,
        "<h2>Districts ({})</h2><table><tr><th>district</th><th>children</th><th>places</th><th>unserved</th><th>in nearest</th><th>within</th><th>mean</th><th>2SFCA</th></tr>",
        esc(&o.district_level)
    );
    for d in &o.districts {
        let _ = write!(
            b,
            "<tr><td>{} {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&d.code),
            esc(&d.name),
            number(d.kpi.children, 0),
            number(d.places, 0),
            number(d.kpi.unserved, 0),
            pct(d.kpi.nearest_share),
            pct(d.kpi.within_share),
            mins(d.kpi.mean_min),
            maybe(d.mean_sfca, 2)
        );
    }
    b.push_str("</table>");
    let e = &o.equity;
    let _ = write!(
        b,
        "<h2>Equity</h2><p>Travel of served children p10–p90: {}. Places per child (2SFCA, {} min) p10–p90: {}; Gini {}; children in under-supplied areas (fewer places per child than the participation {:.0} %): {}.</p>",
        e.travel_percentiles_min.iter().map(|v| mins(*v)).collect::<Vec<_>>().join(" · "),
        p.catchment_min,
        e.sfca_percentiles.iter().map(|v| maybe(*v, 2)).collect::<Vec<_>>().join(" · "),
        maybe(e.sfca_gini, 3),
        p.participation * 100.0,
        pct(e.undersupplied_share)
    );
    b.push_str("<h2>Units</h2><table><tr><th>unit</th><th>status</th><th>places</th><th>placed</th><th>use</th><th>catchment</th><th>€/place/yr</th><th>repair debt €</th></tr>");
    for (i, u) in o.plans.iter().enumerate() {
        let r = o.active.iter().position(|&a| a == i).map(|j| &o.units[j]);
        let _ = write!(
            b,
            "<tr><td>{} <small>{}</small></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&u.name),
            esc(&u.id),
            u.status.name(),
            number(if u.open() { f64::from(u.total()) } else { 0.0 }, 0),
            maybe(r.map(|r| r.placed_rule), 0),
            pct(r.and_then(|r| r.utilisation)),
            maybe(r.map(|r| r.catchment_children), 0),
            maybe(r.and_then(|r| r.cost_per_place_eur), 0),
            maybe(r.and_then(|r| r.repair_debt_eur), 0)
        );
    }
    b.push_str("</table>");
    let _ = write!(
        b,
        "<h2>Provenance</h2><pre style=\"white-space:pre-wrap;font-size:.75em\">{}</pre>",
        esc(&serde_json::to_string_pretty(&kpis.provenance).unwrap_or_default())
    );
    page(&scenario.title, &b)
}
