//! Reading scenario files (TOML): inheritance through `extends`, defaults, and errors that
//! name the file, the line and the key.

use super::error::ReadError;
use super::profile::line_column;
use crate::model::network::{LineMapping, Mode, NetworkSource};
use crate::model::scenario::{
    Decay, KeyOrigin, NetworkSpecFile, Parameters, ParametersFile, Rule, Scenario, ScenarioFile,
};
use crate::model::{Location, ProblemKind};
use std::path::{Path, PathBuf};

/// One parsed file of an inheritance chain with its text (for line numbers).
struct Parsed {
    path: PathBuf,
    text: String,
    file: ScenarioFile,
}

impl Parsed {
    fn origin(&self, span: std::ops::Range<usize>) -> KeyOrigin {
        let line = match line_column(&self.text, span.start) {
            Location::LineColumn(l, _) => l,
            _ => 1,
        };
        KeyOrigin { file: self.path.clone(), line }
    }

    fn resolve(&self, relative: &str) -> PathBuf {
        self.path.parent().unwrap_or(Path::new("")).join(relative)
    }

    fn error(&self, key: &str, message: impl std::fmt::Display) -> ReadError {
        let at = key_line(&self.text, key);
        ReadError::new(&self.path, ProblemKind::Profile, format!("key '{key}': {message}"))
            .at(at.map_or(Location::File, |l| Location::LineColumn(l, 1)))
    }
}

/// Line of the first `key =` in `text` (for keys whose value carries no span).
fn key_line(text: &str, key: &str) -> Option<u64> {
    let last = key.rsplit('.').next().unwrap_or(key);
    text.lines()
        .position(|l| {
            let t = l.trim_start();
            t.starts_with(last) && t[last.len()..].trim_start().starts_with('=')
        })
        .map(|i| i as u64 + 1)
}

fn parse_file(path: &Path) -> Result<Parsed, ReadError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ReadError::new(path, ProblemKind::Unreadable, format!("cannot read the scenario: {e}")))?;
    if text.trim().is_empty() {
        return Err(ReadError::new(
            path,
            ProblemKind::Empty,
            "the scenario file is empty; see sample-data/*/scenarios/",
        ));
    }
    let file: ScenarioFile = toml::from_str(&text).map_err(|e| {
        let location = e.span().map_or(Location::File, |span| line_column(&text, span.start));
        ReadError::new(path, ProblemKind::Profile, e.message().trim_end_matches('.').replace('\n', " ")).at(location)
    })?;
    Ok(Parsed { path: path.to_owned(), text, file })
}

/// Reads a scenario and everything it extends.
pub fn read(path: &Path) -> Result<Scenario, ReadError> {
    let mut chain: Vec<Parsed> = vec![parse_file(path)?];
    while let Some(parent) = chain.last().and_then(|p| p.file.extends.clone().map(|e| (p.resolve(&e), p))) {
        let (parent_path, child) = parent;
        if chain.iter().any(|p| same_file(&p.path, &parent_path)) {
            return Err(child.error("extends", format!("'{}' extends itself through a cycle", parent_path.display())));
        }
        if !parent_path.is_file() {
            return Err(child.error("extends", format!("no scenario file at {}", parent_path.display())));
        }
        let next = parse_file(&parent_path)?;
        chain.push(next);
    }
    merge(&chain)
}

/// Reads a line-layer field mapping (TOML) named in a scenario.
fn read_mapping(by: &Parsed, path: &Path) -> Result<LineMapping, ReadError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| by.error("network.mapping", format!("cannot read the line mapping {}: {e}", path.display())))?;
    toml::from_str(&text).map_err(|e| {
        let location = e.span().map_or(Location::File, |span| line_column(&text, span.start));
        ReadError::new(path, ProblemKind::Profile, e.message().trim_end_matches('.').replace('\n', " ")).at(location)
    })
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The nearest file of the chain (child first) that sets a key.
fn first<'a, T>(chain: &'a [Parsed], get: impl Fn(&'a ScenarioFile) -> Option<T>) -> Option<(T, &'a Parsed)> {
    chain.iter().find_map(|p| get(&p.file).map(|v| (v, p)))
}

fn merge(chain: &[Parsed]) -> Result<Scenario, ReadError> {
    let own = &chain[0];
    let missing = |key: &str, example: &str| {
        ReadError::new(
            &own.path,
            ProblemKind::Profile,
            format!("key '{key}' is missing (in this file or any it extends); e.g. {example}"),
        )
    };
    let (profile, pf) =
        first(chain, |f| f.profile.as_ref()).ok_or_else(|| missing("profile", "profile = \"../profile.toml\""))?;
    let profile = pf.resolve(profile);
    let (year, yf) = first(chain, |f| f.year.as_ref()).ok_or_else(|| missing("year", "year = 2030"))?;
    let (service, sf) = first(chain, |f| f.service.as_ref())
        .ok_or_else(|| missing("service", "service = \"early_childhood_education\""))?;
    let ages = first(chain, |f| f.ages.as_ref()).map(|(a, p)| (*a.get_ref(), p.origin(a.span())));
    if let Some(([lo, hi], origin)) = &ages
        && lo > hi
    {
        return Err(ReadError::new(
            &origin.file,
            ProblemKind::Profile,
            format!("key 'ages': [{lo}, {hi}] is not [first, last]"),
        )
        .at(Location::LineColumn(origin.line, 1)));
    }
    let net = |get: &dyn Fn(&NetworkSpecFile) -> bool| chain.iter().find(|p| get(&p.file.network));
    let source_file = net(&|n| n.osm.is_some() || n.lines.is_some() || n.file.is_some() || n.csv.is_some())
        .ok_or_else(|| missing("network", "[network] osm = \"../city.osm.pbf\" (or lines =, csv = or file =)"))?;
    let n = &source_file.file.network;
    let network = match (&n.osm, &n.lines, &n.csv, &n.file) {
        (Some(p), None, None, None) => NetworkSource::Osm(source_file.resolve(p)),
        (None, Some(p), None, None) => NetworkSource::Lines {
            path: source_file.resolve(p),
            layer: n.layer.clone(),
            mapping: Box::new(match n.mapping.as_deref() {
                None | Some("digiroad") => LineMapping::digiroad(),
                Some(file) => read_mapping(source_file, &source_file.resolve(file))?,
            }),
        },
        (None, None, Some([nodes, edges]), None) => NetworkSource::Csv {
            nodes: source_file.resolve(nodes),
            edges: source_file.resolve(edges),
            crs: n.crs.unwrap_or(3067),
        },
        (None, None, None, Some(p)) => NetworkSource::File(source_file.resolve(p)),
        _ => return Err(source_file.error("network.osm", "give exactly one of osm, lines, csv or file")),
    };
    if n.crs.is_some() && n.csv.is_none() {
        return Err(
            source_file.error("network.crs", "crs applies to csv networks only (other sources declare their own)")
        );
    }
    let mode =
        match (net(&|n| n.mode.is_some()).and_then(|p| p.file.network.mode.map(|m| (m, p))), network.needs_mode()) {
            (Some((Mode::Custom, p)), true) => {
                return Err(p.error("network.mode", "expected walk, bike or car for an osm or lines network"));
            }
            (Some((m, _)), true) => m,
            (None, true) => Mode::Walk,
            (Some((_, p)), false) => {
                return Err(p.error(
                "network.mode",
                "a csv network or network file carries its own travel times; remove mode (it applies to osm and lines)",
            ));
            }
            (None, false) => Mode::Custom,
        };
    let speed = |key: &str, get: &dyn Fn(&NetworkSpecFile) -> Option<f64>, default: f64| -> Result<f64, ReadError> {
        match chain.iter().find_map(|p| get(&p.file.network).map(|v| (v, p))) {
            Some((v, _)) if v.is_finite() && v > 0.0 => Ok(v),
            Some((v, p)) => Err(p.error(&format!("network.{key}"), format!("expected m/s > 0, got {v}"))),
            None => Ok(default),
        }
    };
    let speeds =
        (speed("walk_speed_mps", &|n| n.walk_speed_mps, 1.2)?, speed("bike_speed_mps", &|n| n.bike_speed_mps, 4.2)?);
    let max_snap_m = net(&|n| n.max_snap_m.is_some()).and_then(|p| p.file.network.max_snap_m).unwrap_or(500.0);
    if !(max_snap_m.is_finite() && max_snap_m > 0.0) {
        return Err(net(&|n| n.max_snap_m.is_some()).unwrap_or(own).error("network.max_snap_m", "expected metres > 0"));
    }
    let parameters = parameters(chain)?;
    let mut changes = Vec::new();
    for p in chain.iter().rev() {
        for c in &p.file.change {
            changes.push((c.get_ref().clone(), p.origin(c.span())));
        }
    }
    let name = own.file.name.clone().unwrap_or_else(|| {
        own.path.file_stem().map_or_else(|| "scenario".to_owned(), |s| s.to_string_lossy().into_owned())
    });
    if name.is_empty() || name.contains(['/', '\\']) {
        return Err(own.error("name", "expected a short name without slashes (it names output folders)"));
    }
    Ok(Scenario {
        title: first(chain, |f| f.title.clone()).map_or_else(|| name.clone(), |t| t.0),
        name,
        files: chain.iter().map(|p| p.path.clone()).collect(),
        profile,
        year: (*year.get_ref(), yf.origin(year.span())),
        service: (service.get_ref().clone(), sf.origin(service.span())),
        ages,
        network,
        mode,
        speeds,
        max_snap_m,
        parameters,
        changes,
    })
}

fn parameters(chain: &[Parsed]) -> Result<Parameters, ReadError> {
    fn pick<T: Clone>(chain: &[Parsed], get: impl Fn(&ParametersFile) -> Option<T>) -> Option<(T, &Parsed)> {
        chain.iter().find_map(|p| get(&p.file.parameters).map(|v| (v, p)))
    }
    let positive = |key: &str, v: Option<(f64, &Parsed)>, default: f64| -> Result<f64, ReadError> {
        match v {
            Some((x, _)) if x.is_finite() && x > 0.0 => Ok(x),
            Some((x, p)) => Err(p.error(&format!("parameters.{key}"), format!("expected a number > 0, got {x}"))),
            None => Ok(default),
        }
    };
    let threshold_min = positive("threshold_min", pick(chain, |p| p.threshold_min), 16.0)?;
    let target_share = match pick(chain, |p| p.target_share) {
        Some((x, p)) if !(0.0..=1.0).contains(&x) => {
            return Err(p.error("parameters.target_share", format!("expected a share 0–1, got {x}")));
        }
        Some((x, _)) => x,
        None => 0.8,
    };
    let participation = match pick(chain, |p| p.participation) {
        Some((x, p)) if !(x > 0.0 && x <= 1.0) => {
            return Err(p.error("parameters.participation", format!("expected a share above 0 and at most 1, got {x}")));
        }
        Some((x, _)) => x,
        None => 1.0,
    };
    let threshold_m = match pick(chain, |p| p.threshold_m) {
        Some((x, _)) if x.is_finite() && x > 0.0 => Some(x),
        Some((x, p)) => return Err(p.error("parameters.threshold_m", format!("expected metres > 0, got {x}"))),
        None => None,
    };
    let search_cutoff_min = positive("search_cutoff_min", pick(chain, |p| p.search_cutoff_min), 60.0)?;
    let catchment_min = positive("catchment_min", pick(chain, |p| p.catchment_min), threshold_min)?;
    let k_nearest = match pick(chain, |p| p.k_nearest) {
        Some((k, p)) if !(1..=20).contains(&k) => {
            return Err(p.error("parameters.k_nearest", format!("expected 1–20, got {k}")));
        }
        Some((k, _)) => k,
        None => 3,
    };
    let bands = pick(chain, |p| p.e2sfca_bands_min.clone());
    let weights = pick(chain, |p| p.e2sfca_weights.clone());
    let e2sfca_bands_min = bands.as_ref().map_or_else(
        || {
            let mut b: Vec<f64> = [5.0, 10.0].into_iter().filter(|&x| x < catchment_min).collect();
            b.push(catchment_min);
            b
        },
        |b| b.0.clone(),
    );
    let default_weights = [1.0, 0.68, 0.22];
    let e2sfca_weights = weights.as_ref().map_or_else(
        || default_weights[default_weights.len() - e2sfca_bands_min.len().min(3)..].to_vec(),
        |w| w.0.clone(),
    );
    let where_bands = bands.as_ref().map(|b| b.1).or(weights.as_ref().map(|w| w.1)).unwrap_or(&chain[0]);
    if e2sfca_bands_min.is_empty()
        || e2sfca_bands_min.windows(2).any(|w| w[0] >= w[1])
        || e2sfca_bands_min.iter().any(|b| !(b.is_finite() && *b > 0.0))
    {
        return Err(
            where_bands.error("parameters.e2sfca_bands_min", "expected ascending minutes > 0, e.g. [5, 10, 16]")
        );
    }
    if e2sfca_weights.len() != e2sfca_bands_min.len() || e2sfca_weights.iter().any(|w| !(0.0..=1.0).contains(w)) {
        return Err(where_bands.error(
            "parameters.e2sfca_weights",
            format!("expected one weight 0–1 per band ({} bands)", e2sfca_bands_min.len()),
        ));
    }
    let decay = pick(chain, |p| p.decay).map_or(Ok(Decay::Exponential { half_life_min: 10.0 }), |(d, p)| {
        let v = match d {
            Decay::Linear { cutoff_min } => cutoff_min,
            Decay::Power { exponent } => exponent,
            Decay::Exponential { half_life_min } => half_life_min,
        };
        if v.is_finite() && v > 0.0 { Ok(d) } else { Err(p.error("parameters.decay", "expected a parameter > 0")) }
    })?;
    let under_used_below = positive("under_used_below", pick(chain, |p| p.under_used_below), 0.85)?;
    let over_used_above = positive("over_used_above", pick(chain, |p| p.over_used_above), 1.0)?;
    Ok(Parameters {
        threshold_min,
        target_share,
        threshold_m,
        search_cutoff_min,
        participation,
        k_nearest,
        catchment_min,
        e2sfca_bands_min,
        e2sfca_weights,
        decay,
        allocation: pick(chain, |p| p.allocation).map_or(Rule::NearestWithVacancy, |r| r.0),
        under_used_below,
        over_used_above,
        district_level: pick(chain, |p| p.district_level.clone()).map(|d| d.0),
        study_districts: pick(chain, |p| p.study_districts.clone()).map(|d| d.0),
    })
}
