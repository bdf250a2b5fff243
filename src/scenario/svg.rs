//! Self-contained HTML pages with inline SVG maps (no scripts, no network access).

use geo::{BoundingRect, MultiPolygon};
use std::fmt::Write as _;

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A whole HTML page with the shared style.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title><style>\n\
body{{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}}\n\
h1{{font-size:1.5em}} h2{{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}}\n\
table{{border-collapse:collapse;font-size:.85em}} td,th{{padding:.2em .6em;border-bottom:1px solid #eee;text-align:right}}\n\
td:first-child,th:first-child{{text-align:left}} .cards{{display:flex;flex-wrap:wrap;gap:.8em}}\n\
.card{{border:1px solid #ddd;border-radius:6px;padding:.6em 1em;min-width:10em}} .card b{{display:block;font-size:1.5em}}\n\
.good{{color:#1a7f37}} .bad{{color:#b42318}} .maps{{display:flex;flex-wrap:wrap;gap:1em}} figure{{margin:0}}\n\
figcaption{{font-size:.85em;color:#555}} small{{color:#666}}\n\
</style></head><body>\n<h1>{t}</h1>\n{body}\n</body></html>\n",
        t = esc(title)
    )
}

/// A map frame: EPSG:3067 extent to SVG pixels.
pub struct Frame {
    min_x: f64,
    max_y: f64,
    scale: f64,
    /// Width, px.
    pub width: f64,
    /// Height, px.
    pub height: f64,
}

impl Frame {
    /// A frame `width` px wide around the polygons and points.
    pub fn around(polygons: &[&MultiPolygon<f64>], points: &[(f64, f64)], width: f64) -> Frame {
        let (mut a, mut b, mut c, mut d) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for r in polygons.iter().filter_map(|p| p.bounding_rect()) {
            (a, b, c, d) = (a.min(r.min().x), b.min(r.min().y), c.max(r.max().x), d.max(r.max().y));
        }
        for &(x, y) in points {
            (a, b, c, d) = (a.min(x), b.min(y), c.max(x), d.max(y));
        }
        if a > c {
            (a, b, c, d) = (0.0, 0.0, 1.0, 1.0);
        }
        let scale = width / (c - a).max(1.0);
        Frame { min_x: a, max_y: d, scale, width, height: ((d - b) * scale).max(10.0) }
    }

    /// Pixel position of a point.
    pub fn px(&self, x: f64, y: f64) -> (f64, f64) {
        ((x - self.min_x) * self.scale, (self.max_y - y) * self.scale)
    }

    /// SVG path data of a polygon.
    pub fn path(&self, p: &MultiPolygon<f64>) -> String {
        let mut s = String::new();
        for poly in &p.0 {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                for (k, c) in ring.0.iter().enumerate() {
                    let (x, y) = self.px(c.x, c.y);
                    let _ = write!(s, "{}{x:.1} {y:.1}", if k == 0 { "M" } else { "L" });
                }
                s.push('Z');
            }
        }
        s
    }
}

/// Colour of `v` on a sequential ramp from 0 to `max` (yellow → blue, colour-blind safe).
pub fn ramp(v: f64, max: f64) -> String {
    const STOPS: [(u8, u8, u8); 5] = [(255, 255, 204), (161, 218, 180), (65, 182, 196), (44, 127, 184), (37, 52, 148)];
    let t = (v / max.max(1e-9)).clamp(0.0, 1.0) * (STOPS.len() - 1) as f64;
    let i = (t.floor() as usize).min(STOPS.len() - 2);
    let f = t - i as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    format!("#{:02x}{:02x}{:02x}", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Colour of a signed change: green faster (negative), purple slower (positive).
pub fn diverging(v: f64, max: f64) -> String {
    let t = (v / max.max(1e-9)).clamp(-1.0, 1.0);
    let (r, g, b) = if t < 0.0 { (27.0, 120.0, 55.0) } else { (118.0, 42.0, 131.0) };
    let a = t.abs();
    let mix = |c: f64| (247.0 + (c - 247.0) * a).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(r), mix(g), mix(b))
}

/// A categorical colour for index `i`.
pub fn category(i: u32) -> &'static str {
    const P: [&str; 12] = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
        "#393b79", "#ad494a",
    ];
    P[(i as usize).wrapping_mul(7) % P.len()]
}

/// An SVG map: cells filled by `fill` (None: light grey), then `marks` drawn on top.
pub fn map(
    frame: &Frame,
    cells: &[(&MultiPolygon<f64>, Option<String>)],
    marks: &str,
    title: &str,
    legend: &str,
) -> String {
    let mut s = format!(
        "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0}\" height=\"{:.0}\" viewBox=\"0 0 {:.0} {:.0}\" role=\"img\" aria-label=\"{}\"><rect width=\"100%\" height=\"100%\" fill=\"#fafafa\"/>",
        frame.width,
        frame.height,
        frame.width,
        frame.height,
        esc(title)
    );
    for (poly, fill) in cells {
        let _ = write!(s, "<path d=\"{}\" fill=\"{}\"/>", frame.path(poly), fill.as_deref().unwrap_or("#e5e5e5"));
    }
    s.push_str(marks);
    let _ = write!(s, "</svg><figcaption><b>{}</b> {legend}</figcaption></figure>", esc(title));
    s
}

/// A legend of ramp colours from 0 to `max` with a unit label.
pub fn ramp_legend(max: f64, unit: &str) -> String {
    let steps: Vec<String> = (0..=4)
        .map(|k| {
            let v = max * f64::from(k) / 4.0;
            format!("<span style=\"background:{};padding:0 .6em\">&nbsp;</span> {v:.0}", ramp(v, max))
        })
        .collect();
    format!("{} {unit} (darkest: {max:.0} or more; grey: no time)", steps.join(" "))
}
