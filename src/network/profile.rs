//! Mode profiles for OpenStreetMap: which ways a mode may use, in which directions, how fast.
//! The rules are data-like and small on purpose (OSRM's profiles, in Rust).
//!
//! # Walking (kävely)
//! All highway classes except motorways, motor roads (`motorroad=yes`, moottoriliikennetie),
//! construction and proposed ways. `foot=no` or `access=no/private` (without `foot=yes`)
//! excludes. One-way tags are ignored except `oneway:foot=yes`. Speed 1.2 m/s (4.3 km/h);
//! steps at half speed.
//!
//! # Cycling (pyöräily)
//! Cycleways, paths, tracks and roads (not motorways or motor roads); footways, pedestrian
//! streets and steps only with `bicycle=yes/designated/permissive` (Finnish default for
//! footways is no cycling). Direction follows `oneway` unless `oneway:bicycle=no` or an
//! opposite cycle lane. Speed 4.2 m/s (15 km/h).
//!
//! # Driving (auto)
//! Motorways to service roads; `motorcar` > `motor_vehicle` > `vehicle` > `access`
//! decide, with `destination` and `customers` allowed. `oneway=yes/1/true`, `-1`, roundabouts
//! and motorways are one-way. Speed from `maxspeed` (km/h, mph, `FI:urban` 50, `FI:rural`
//! 80, `FI:motorway` 120, `walk` 6); where missing, Finnish defaults by class:
//! motorway 100, trunk 80, primary 60, secondary 50, tertiary 40, unclassified 40,
//! residential 30, living street (pihakatu) 20, service 20, links 40–60 km/h.

use crate::model::network::{Mode, RoadClass};

/// Speeds of the non-motorised modes (overridable).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Speeds {
    /// Walking speed, m/s.
    pub walk_mps: f64,
    /// Cycling speed, m/s.
    pub bike_mps: f64,
}

impl Default for Speeds {
    fn default() -> Self {
        Speeds { walk_mps: 1.2, bike_mps: 4.2 }
    }
}

/// How a mode may use one way.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WayUse {
    /// May travel in the way's direction.
    pub forward: bool,
    /// May travel against it.
    pub backward: bool,
    /// Speed, m/s.
    pub speed_mps: f64,
    /// Road class.
    pub class: RoadClass,
}

/// Road class of a `highway` value.
pub fn class_of(highway: &str) -> RoadClass {
    match highway.trim_end_matches("_link") {
        "motorway" => RoadClass::Motorway,
        "trunk" => RoadClass::Trunk,
        "primary" => RoadClass::Primary,
        "secondary" => RoadClass::Secondary,
        "tertiary" => RoadClass::Tertiary,
        "unclassified" | "road" => RoadClass::Unclassified,
        "residential" => RoadClass::Residential,
        "living_street" => RoadClass::LivingStreet,
        "service" => RoadClass::Service,
        "footway" | "pedestrian" | "corridor" | "platform" => RoadClass::Footway,
        "cycleway" => RoadClass::Cycleway,
        "path" | "track" | "bridleway" => RoadClass::Path,
        "steps" => RoadClass::Steps,
        _ => RoadClass::Other,
    }
}

fn yes(v: Option<&str>) -> bool {
    matches!(v, Some("yes" | "designated" | "permissive" | "destination" | "customers" | "official"))
}

fn no(v: Option<&str>) -> bool {
    matches!(v, Some("no" | "private" | "agricultural" | "forestry" | "delivery" | "discouraged" | "use_sidepath"))
}

/// Parses `maxspeed` into km/h.
pub fn parse_maxspeed(v: &str) -> Option<f64> {
    let t = v.trim();
    match t {
        "FI:urban" => return Some(50.0),
        "FI:rural" => return Some(80.0),
        "FI:motorway" => return Some(120.0),
        "FI:living_street" | "walk" => return Some(6.0),
        _ => {}
    }
    let first = t.split(';').next()?.trim();
    if let Some(mph) = first.strip_suffix("mph") {
        return mph.trim().parse::<f64>().ok().map(|m| m * 1.609_344);
    }
    first.trim_end_matches("km/h").trim().parse::<f64>().ok().filter(|s| *s > 0.0)
}

/// Default car speed by highway value when `maxspeed` is missing, km/h.
fn default_car_kmh(highway: &str) -> f64 {
    match highway {
        "motorway" => 100.0,
        "motorway_link" => 60.0,
        "trunk" => 80.0,
        "trunk_link" => 50.0,
        "primary" => 60.0,
        "primary_link" | "secondary_link" => 40.0,
        "secondary" => 50.0,
        "tertiary" | "unclassified" | "road" => 40.0,
        "tertiary_link" => 30.0,
        "residential" => 30.0,
        _ => 20.0, // living_street (pihakatu), service
    }
}

/// How `mode` may use a way with tags given by `tag`, or `None` when it may not.
pub fn way_use<'t>(mode: Mode, speeds: &Speeds, tag: &dyn Fn(&str) -> Option<&'t str>) -> Option<WayUse> {
    let hw = tag("highway")?;
    if matches!(
        hw,
        "construction"
            | "proposed"
            | "abandoned"
            | "razed"
            | "raceway"
            | "bus_guideway"
            | "escape"
            | "rest_area"
            | "services"
    ) {
        return None;
    }
    if tag("area") == Some("yes") && !matches!(hw, "pedestrian" | "footway") {
        return None;
    }
    let class = class_of(hw);
    let access = tag("access");
    let motorroad = tag("motorroad") == Some("yes");
    let oneway = tag("oneway");
    let roundabout = matches!(tag("junction"), Some("roundabout" | "circular"));
    let (fwd_only, bwd_only) = match oneway {
        Some("yes" | "true" | "1") => (true, false),
        Some("-1" | "reverse") => (false, true),
        Some("no" | "false" | "0") => (false, false),
        _ => (roundabout || hw == "motorway", false),
    };
    match mode {
        Mode::Walk => {
            let foot = tag("foot");
            if hw.starts_with("motorway") || motorroad || no(foot) {
                return None;
            }
            if no(access) && !yes(foot) {
                return None;
            }
            let one = tag("oneway:foot") == Some("yes");
            let speed = if hw == "steps" { speeds.walk_mps * 0.5 } else { speeds.walk_mps };
            Some(WayUse { forward: true, backward: !one, speed_mps: speed, class })
        }
        Mode::Bike => {
            let bicycle = tag("bicycle");
            if hw.starts_with("motorway") || motorroad || no(bicycle) {
                return None;
            }
            if matches!(hw, "footway" | "pedestrian" | "steps" | "corridor" | "platform") && !yes(bicycle) {
                return None;
            }
            if no(access) && !yes(bicycle) {
                return None;
            }
            let contraflow = tag("oneway:bicycle") == Some("no")
                || ["cycleway", "cycleway:left", "cycleway:right"]
                    .iter()
                    .any(|k| tag(k).is_some_and(|v| v.starts_with("opposite")));
            let (f, b) = if contraflow { (true, true) } else { (!bwd_only, !fwd_only) };
            Some(WayUse { forward: f, backward: b, speed_mps: speeds.bike_mps, class })
        }
        Mode::Car => {
            let allowed_class = matches!(
                hw,
                "motorway"
                    | "motorway_link"
                    | "trunk"
                    | "trunk_link"
                    | "primary"
                    | "primary_link"
                    | "secondary"
                    | "secondary_link"
                    | "tertiary"
                    | "tertiary_link"
                    | "unclassified"
                    | "residential"
                    | "living_street"
                    | "service"
                    | "road"
            );
            if !allowed_class || matches!(tag("service"), Some("emergency_access")) {
                return None;
            }
            // The most specific access tag that is present decides.
            let decisive = ["motorcar", "motor_vehicle", "vehicle", "access"].iter().find_map(|k| tag(k));
            if no(decisive) {
                return None;
            }
            let kmh = tag("maxspeed").and_then(parse_maxspeed).unwrap_or_else(|| default_car_kmh(hw));
            Some(WayUse { forward: !bwd_only, backward: !fwd_only, speed_mps: kmh / 3.6, class })
        }
        Mode::Custom => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn use_of(mode: Mode, tags: &[(&str, &str)]) -> Option<WayUse> {
        way_use(mode, &Speeds::default(), &|k| tags.iter().find(|(kk, _)| *kk == k).map(|(_, v)| *v))
    }

    #[test]
    fn oneway_variants() {
        let r = use_of(Mode::Car, &[("highway", "residential"), ("oneway", "yes")]).unwrap();
        assert!(r.forward && !r.backward);
        let r = use_of(Mode::Car, &[("highway", "residential"), ("oneway", "-1")]).unwrap();
        assert!(!r.forward && r.backward);
        let r = use_of(Mode::Car, &[("highway", "primary"), ("junction", "roundabout")]).unwrap();
        assert!(r.forward && !r.backward);
        let r = use_of(Mode::Car, &[("highway", "motorway")]).unwrap();
        assert!(r.forward && !r.backward);
        let r = use_of(Mode::Bike, &[("highway", "residential"), ("oneway", "yes"), ("oneway:bicycle", "no")]).unwrap();
        assert!(r.forward && r.backward);
        let r = use_of(Mode::Bike, &[("highway", "residential"), ("oneway", "yes")]).unwrap();
        assert!(r.forward && !r.backward);
        let r = use_of(Mode::Walk, &[("highway", "residential"), ("oneway", "yes")]).unwrap();
        assert!(r.forward && r.backward, "walkers ignore oneway");
    }

    #[test]
    fn access_rules() {
        assert!(use_of(Mode::Walk, &[("highway", "service"), ("access", "no")]).is_none());
        assert!(use_of(Mode::Walk, &[("highway", "service"), ("access", "no"), ("foot", "yes")]).is_some());
        assert!(use_of(Mode::Car, &[("highway", "service"), ("access", "no"), ("foot", "yes")]).is_none());
        assert!(use_of(Mode::Car, &[("highway", "residential"), ("motor_vehicle", "destination")]).is_some());
        assert!(use_of(Mode::Car, &[("highway", "residential"), ("access", "yes"), ("motor_vehicle", "no")]).is_none());
        assert!(use_of(Mode::Walk, &[("highway", "motorway")]).is_none());
        assert!(use_of(Mode::Walk, &[("highway", "trunk"), ("motorroad", "yes")]).is_none());
        assert!(use_of(Mode::Bike, &[("highway", "footway")]).is_none());
        assert!(use_of(Mode::Bike, &[("highway", "footway"), ("bicycle", "yes")]).is_some());
        assert!(use_of(Mode::Car, &[("highway", "footway")]).is_none());
        assert!(use_of(Mode::Walk, &[("highway", "construction")]).is_none());
    }

    #[test]
    fn car_speeds() {
        let kmh = |tags: &[(&str, &str)]| use_of(Mode::Car, tags).unwrap().speed_mps * 3.6;
        assert!((kmh(&[("highway", "primary"), ("maxspeed", "40")]) - 40.0).abs() < 1e-9);
        assert!((kmh(&[("highway", "primary"), ("maxspeed", "FI:urban")]) - 50.0).abs() < 1e-9);
        assert!((kmh(&[("highway", "primary"), ("maxspeed", "30 mph")]) - 48.28).abs() < 0.01);
        assert!((kmh(&[("highway", "residential")]) - 30.0).abs() < 1e-9);
        assert!((kmh(&[("highway", "motorway")]) - 100.0).abs() < 1e-9);
        assert_eq!(parse_maxspeed("none"), None);
    }
}
