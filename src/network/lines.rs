//! Line layers (GeoPackage) → raw network, with a field mapping: which field gives the
//! direction and its codes, which gives the speed, which classes a mode may use. Lines meet
//! where their end points coincide (to the centimetre); inner vertices are geometry.
//!
//! The built-in [`LineMapping::digiroad`] follows the public specification of Finland's
//! national road and street database Digiroad (K-format link layer `DR_LINKKI_K`, EPSG:3067):
//! - `AJOSUUNTA`: 2 both directions, 3 against the digitising direction, 4 along it;
//! - `TOIMINN_LK` (functional class): 1 main road … 6 other / private road, 7 ajopolku
//!   (track), 8 kevyen liikenteen väylä (pedestrian and cycle way), 99 unknown;
//! - `LINKKITYYP` (link type): 1 moottoritie (motorway), 4 moottoriliikennetie (motor
//!   road), 8 kevyen liikenteen väylä, 9 jalankulkualue (pedestrian area), 12 ajopolku,
//!   21 lautta / lossi (ferry);
//! - speed: a joined speed-limit field (`NOPEUSRAJ`, km/h, from `DR_NOPEUSRAJOITUS_K`)
//!   when present, else by functional class 90 / 80 / 50 / 50 / 40 / 40 km/h for 1–6, the
//!   defaults of the MetropAccess-Digiroad car model behind the Helsinki Region Travel Time
//!   Matrix.

use super::profile::Speeds;
use crate::io::table::{Cell, Table};
pub use crate::model::network::LineMapping;
use crate::model::network::{Mode, RawNetwork, RoadClass, Segment};
use crate::model::{Location, Problem, ProblemKind, Problems};
use geo::Geometry;
use std::collections::HashMap;

fn code(t: &Table, field: &Option<String>, row: usize) -> Option<String> {
    let c = t.column_index(field.as_deref()?)?;
    match t.columns[c].cell(row) {
        Cell::Null => None,
        Cell::Text(s) => Some(s.trim().to_owned()),
        Cell::Int(i) => Some(i.to_string()),
        Cell::Float(f) if f.fract() == 0.0 => Some(format!("{f:.0}")),
        Cell::Float(f) => Some(f.to_string()),
    }
}

/// Transforms a line table's geometry into EPSG:3067 (no-op when it already is).
pub fn to_internal(t: &mut Table) -> Result<(), String> {
    let epsg = t.crs.unwrap_or(3067);
    if epsg == 3067 {
        return Ok(());
    }
    let from =
        crate::io::crs::Crs::from_epsg(epsg).ok_or_else(|| format!("unsupported EPSG:{epsg} in the line layer"))?;
    let tr = crate::io::crs::Transform::to_internal(from);
    for g in t.geometry.iter_mut().flatten().flatten() {
        use geo::MapCoordsInPlace;
        g.map_coords_in_place(|c| {
            let (x, y) = tr.apply(c.x, c.y);
            geo::Coord { x, y }
        });
    }
    t.crs = Some(3067);
    Ok(())
}

/// Builds the raw network of `mode` from a line table in EPSG:3067.
pub fn raw_network(
    t: &Table,
    mapping: &LineMapping,
    mode: Mode,
    speeds: &Speeds,
    problems: &mut Problems,
) -> RawNetwork {
    let mut raw = RawNetwork { mode: Some(mode), access_speed_mps: speeds.walk_mps, ..RawNetwork::default() };
    for f in [&mapping.direction_field, &mapping.class_field, &mapping.type_field].into_iter().flatten() {
        if t.column_index(f).is_none() {
            problems.push(Problem::error(
                ProblemKind::MissingColumn,
                Some(t.path.clone()),
                Location::File,
                format!("a field '{f}' named by the line mapping; the layer has: {}", t.names.join(", ")),
            ));
        }
    }
    if problems.has_errors() {
        return raw;
    }
    let Some(geoms) = &t.geometry else {
        problems.push(Problem::error(
            ProblemKind::Profile,
            Some(t.path.clone()),
            Location::File,
            "a line layer with geometry",
        ));
        return raw;
    };
    let mut nodes: HashMap<(i64, i64), u32> = HashMap::new();
    let mut node = |x: f64, y: f64, raw: &mut RawNetwork| -> u32 {
        let key = ((x * 100.0).round() as i64, (y * 100.0).round() as i64);
        *nodes.entry(key).or_insert_with(|| {
            raw.x.push(x);
            raw.y.push(y);
            raw.node_id.push(raw.node_id.len() as i64);
            (raw.x.len() - 1) as u32
        })
    };
    for (row, geometry) in geoms.iter().enumerate().take(t.len) {
        let lines: Vec<&geo::LineString<f64>> = match geometry {
            Some(Geometry::LineString(l)) => vec![l],
            Some(Geometry::MultiLineString(m)) => m.0.iter().collect(),
            _ => {
                problems.push(
                    Problem::error(
                        ProblemKind::InvalidGeometry,
                        Some(t.path.clone()),
                        t.location(row),
                        "a line geometry",
                    )
                    .field("geometry"),
                );
                continue;
            }
        };
        let link_type = code(t, &mapping.type_field, row);
        let class = code(t, &mapping.class_field, row);
        let is = |list: &[String], v: &Option<String>| v.as_ref().is_some_and(|v| list.contains(v));
        if is(&mapping.excluded_types, &link_type) {
            continue;
        }
        let non_motorised = is(&mapping.non_motorised_types, &link_type) || is(&mapping.non_motorised_classes, &class);
        let allowed = match mode {
            Mode::Car => !non_motorised,
            Mode::Walk => !is(&mapping.motor_only_types, &link_type),
            Mode::Bike => !is(&mapping.motor_only_types, &link_type) && !is(&mapping.walk_only_types, &link_type),
            Mode::Custom => false,
        };
        if !allowed {
            continue;
        }
        let (mut forward, mut backward) = (true, true);
        if mapping.direction_field.is_some() && mode != Mode::Walk {
            match code(t, &mapping.direction_field, row) {
                Some(d) if mapping.forward_only.contains(&d) => backward = false,
                Some(d) if mapping.backward_only.contains(&d) => forward = false,
                Some(d) if mapping.both_ways.contains(&d) => {}
                other => {
                    let value = other.unwrap_or_default();
                    let expected = format!(
                        "a direction code: {} (both), {} (along), {} (against)",
                        mapping.both_ways.join("/"),
                        mapping.forward_only.join("/"),
                        mapping.backward_only.join("/")
                    );
                    problems.push(
                        Problem::error(ProblemKind::UnknownCode, Some(t.path.clone()), t.location(row), expected)
                            .field(mapping.direction_field.clone().unwrap_or_default())
                            .value(value),
                    );
                    continue;
                }
            }
        }
        let speed_mps = match mode {
            Mode::Walk => speeds.walk_mps,
            Mode::Bike => speeds.bike_mps,
            _ => {
                let limit = code(t, &mapping.speed_field, row).and_then(|v| v.parse::<f64>().ok()).filter(|v| *v > 0.0);
                let kmh = limit
                    .or_else(|| class.as_ref().and_then(|c| mapping.class_speed_kmh.get(c).copied()))
                    .unwrap_or(40.0);
                kmh / 3.6
            }
        };
        let road_class = if non_motorised {
            RoadClass::Cycleway
        } else {
            match class.as_deref() {
                Some("1") => RoadClass::Trunk,
                Some("2") => RoadClass::Primary,
                Some("3") => RoadClass::Secondary,
                Some("4") => RoadClass::Tertiary,
                Some("5") => RoadClass::Residential,
                Some("6") => RoadClass::Service,
                Some("7") => RoadClass::Path,
                _ => RoadClass::Other,
            }
        };
        for line in lines {
            let pts = &line.0;
            if pts.len() < 2 {
                continue;
            }
            let length: f64 =
                pts.windows(2).map(|w| ((w[1].x - w[0].x).powi(2) + (w[1].y - w[0].y).powi(2)).sqrt()).sum();
            let a = node(pts[0].x, pts[0].y, &mut raw);
            let b = node(pts[pts.len() - 1].x, pts[pts.len() - 1].y, &mut raw);
            let shape = pts[1..pts.len() - 1].iter().map(|c| (c.x, c.y)).collect();
            let time_ms = (length / speed_mps * 1000.0).round() as u32;
            raw.push_segment(Segment { a, b, length_m: length, time_ms, class: road_class, shape, forward, backward });
        }
    }
    raw
}
