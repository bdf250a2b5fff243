//! A sweep's distribution report (`JOBDIR/report.html`): how each scenario's share within
//! the threshold spreads over the variants (years, participation rates, thresholds), which
//! scenario is best under which variant, and which meet the target everywhere. One
//! self-contained page (inline SVG, no scripts), like the scenario report.

use super::sweep::{RunKpis, SweepSummary};
use crate::scenario::human::{number, percent};
use crate::scenario::svg::{esc, page};
use std::fmt::Write as _;

/// The variant of a run, as the summary names it ("year 2030, participation 75 %, within
/// 16.0 min"; "year 2030, forecast high, …" for a forecast variant).
pub(super) fn variant(r: &RunKpis) -> String {
    let forecast = r.forecast.as_ref().map_or(String::new(), |f| format!(", forecast {f}"));
    // Whole percentages as such, others with their decimal (72.5 % stays apart from 73 %).
    let pct = r.participation * 100.0;
    let participation = if (pct - pct.round()).abs() < 1e-9 { format!("{pct:.0}") } else { format!("{pct:.1}") };
    format!(
        "year {}{forecast}, participation {participation} %, within {}",
        r.year,
        crate::scenario::human::minutes(Some(r.threshold_min))
    )
}

/// Dot colours per scenario (colour-blind safe, Okabe–Ito), repeated past eight.
const COLOURS: [&str; 8] = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#f0e442"];

/// The page: a verdict, the per-scenario ranges with a strip plot, and the variant table.
pub(super) fn html(rows: &[RunKpis], s: &SweepSummary) -> String {
    let mut body = String::new();
    let names: Vec<&str> = s.scenarios.iter().map(|r| r.scenario.as_str()).collect();
    let variants: Vec<&str> = s.best.iter().map(|(v, _)| v.as_str()).collect();
    // Targets are per scenario; one is named only when every run has the same.
    let targets: Vec<f64> = rows.iter().filter_map(|r| r.target_share).collect();
    let target = targets.first().copied().filter(|t| targets.iter().all(|u| u == t));
    let _ = write!(
        body,
        "<p>{} runs: {} scenarios × {} variants (years, forecasts, participation rates, thresholds), in {} shards; plan <code>{}</code>. Headline rule's share of children within the threshold{}.</p>",
        s.runs,
        names.len(),
        variants.len(),
        s.shards,
        esc(&s.manifest),
        match (target, targets.is_empty()) {
            (Some(t), _) => format!(", against the target {}", percent(Some(t))),
            (None, false) => ", against each scenario's own target".to_owned(),
            (None, true) => String::new(),
        }
    );

    // The best of each variant: every scenario level with the best (the same share and the
    // same unserved children), so a tie is never shown as a win by name.
    let top: Vec<Vec<&str>> = s
        .best
        .iter()
        .map(|(v, best)| {
            let of = |n: &str| rows.iter().find(|r| r.scenario == n && variant(r) == *v);
            let Some(b) = of(best) else { return vec![best.as_str()] };
            names
                .iter()
                .copied()
                .filter(|n| of(n).is_some_and(|r| r.within_share == b.within_share && r.unserved == b.unserved))
                .collect()
        })
        .collect();
    let total = variants.len();
    let mut verdict = Vec::new();
    for name in &names {
        let outright = top.iter().filter(|t| t.len() == 1 && t[0] == *name).count();
        let tied = top.iter().filter(|t| t.len() > 1 && t.contains(name)).count();
        if outright + tied > 0 {
            let ties = if tied > 0 { format!(", tied for best in {tied}") } else { String::new() };
            verdict.push(format!("<b>{}</b> is best in {outright} of {total} variants{ties}.", esc(name)));
        }
    }
    for r in &s.scenarios {
        let runs = rows.iter().filter(|k| k.scenario == r.scenario).count();
        let line = if r.meeting_target == runs {
            format!("{} meets the target in every variant.", esc(&r.scenario))
        } else if r.meeting_target == 0 {
            format!("{} meets the target in none.", esc(&r.scenario))
        } else {
            format!("{} meets the target in {} of {runs} variants.", esc(&r.scenario), r.meeting_target)
        };
        verdict.push(line);
    }
    let _ = write!(body, "<h2>Verdict</h2><p>{}</p>", verdict.join(" "));

    // Ranges and the strip plot.
    let _ = write!(
        body,
        "<h2>Share within the threshold over the variants</h2><table><tr><th>scenario</th><th>lowest</th><th>median</th><th>highest</th><th>meets the target</th><th>best in (ties too)</th></tr>"
    );
    for r in &s.scenarios {
        let runs = rows.iter().filter(|k| k.scenario == r.scenario).count();
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} of {runs}</td><td>{} of {total}</td></tr>",
            esc(&r.scenario),
            percent(r.within_min),
            percent(r.within_median),
            percent(r.within_max),
            r.meeting_target,
            top.iter().filter(|t| t.contains(&r.scenario.as_str())).count()
        );
    }
    body.push_str("</table>");
    body.push_str(&strips(rows, &names));

    // Variant × scenario.
    let _ = write!(
        body,
        "<h2>Which scenario is best under which variant</h2><p><small>Share within the threshold; ★ the best of the variant (the highest share, then the fewest unserved children; level scenarios share the star); ✓ meets the target.</small></p><table><tr><th>variant</th>"
    );
    for n in &names {
        let _ = write!(body, "<th>{}</th>", esc(n));
    }
    body.push_str("<th>best</th></tr>");
    for ((v, _), best) in s.best.iter().zip(&top) {
        let _ = write!(body, "<tr><td>{}</td>", esc(v));
        for n in &names {
            let cell = rows.iter().find(|r| r.scenario == *n && variant(r) == *v);
            let text = cell.map_or("–".to_owned(), |r| {
                format!(
                    "{}{}{}",
                    percent(r.within_share),
                    if r.meets_target { " ✓" } else { "" },
                    if best.contains(n) { " ★" } else { "" }
                )
            });
            let strong = if best.contains(n) { " style=\"font-weight:700\"" } else { "" };
            let _ = write!(body, "<td{strong}>{text}</td>");
        }
        let named = if best.len() > 1 { format!("tie: {}", best.join(", ")) } else { best.join("") };
        let _ = write!(body, "<td>{}</td></tr>", esc(&named));
    }
    body.push_str("</table>");
    let _ = write!(
        body,
        "<p><small>Every run's headline figures: <code>{}</code> (Finnish Excel). Written by <code>pave batch merge</code>.</small></p>",
        esc(&s.table.display().to_string())
    );
    page(&format!("Sweep: {} runs of {} scenarios", s.runs, names.len()), &body)
}

/// One row per scenario: a dot per run at its share (0–100 %), the range as a bar, the
/// scenario's target as a dashed mark; each dot's title names its variant.
fn strips(rows: &[RunKpis], names: &[&str]) -> String {
    let (left, width, row_h) = (190.0, 640.0, 34.0);
    let height = names.len() as f64 * row_h + 40.0;
    let x = |share: f64| left + share.clamp(0.0, 1.0) * width;
    let mut svg = format!(
        "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{height}\" role=\"img\" aria-label=\"Share within the threshold per scenario, one dot per variant\" font-size=\"12\" font-family=\"system-ui,sans-serif\">",
        w = left + width + 30.0
    );
    for pct in (0..=100).step_by(20) {
        let px = x(f64::from(pct) / 100.0);
        let _ = write!(
            svg,
            "<line x1=\"{px:.1}\" y1=\"10\" x2=\"{px:.1}\" y2=\"{b:.1}\" stroke=\"#eee\"/><text x=\"{px:.1}\" y=\"{t:.1}\" text-anchor=\"middle\" fill=\"#555\">{pct} %</text>",
            b = height - 25.0,
            t = height - 10.0
        );
    }
    for (i, name) in names.iter().enumerate() {
        let y = 24.0 + i as f64 * row_h;
        let colour = COLOURS[i % COLOURS.len()];
        let shares: Vec<(f64, &RunKpis)> =
            rows.iter().filter(|r| r.scenario == *name).filter_map(|r| r.within_share.map(|s| (s, r))).collect();
        let _ =
            write!(svg, "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>", left - 10.0, y + 4.0, esc(name));
        if let Some(t) = rows.iter().find(|r| r.scenario == *name).and_then(|r| r.target_share) {
            let _ = write!(
                svg,
                "<line x1=\"{px:.1}\" y1=\"{:.1}\" x2=\"{px:.1}\" y2=\"{:.1}\" stroke=\"#b42318\" stroke-dasharray=\"4 2\" stroke-width=\"2\"><title>target of {}: {}</title></line>",
                y - 13.0,
                y + 13.0,
                esc(name),
                percent(Some(t)),
                px = x(t)
            );
        }
        let lo = shares.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
        let hi = shares.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
        if lo.is_finite() {
            let _ = write!(
                svg,
                "<line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{colour}\" stroke-width=\"3\" stroke-opacity=\"0.35\"/>",
                x(lo),
                x(hi)
            );
        }
        for (share, r) in shares {
            let _ = write!(
                svg,
                "<circle cx=\"{:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"{colour}\" fill-opacity=\"0.8\" stroke=\"#fff\"><title>{}: {} %</title></circle>",
                x(share),
                esc(&variant(r)),
                number(share * 100.0, 1)
            );
        }
    }
    svg.push_str("</svg><figcaption>One dot per variant; the bar spans the lowest to the highest share; the dashed red mark is the scenario's target.</figcaption></figure>");
    svg
}
