//! Reading location-allocation problem files (TOML) and the matrix inputs they may name:
//! demand and site tables and an OD table in pave's format. Every error names the file,
//! the line or row, the key or field, the value as written and what was expected.

use super::error::ReadError;
use super::load::cells::parse_number;
use super::profile::line_column;
use super::table::{Cell, Table};
use crate::model::locate::{CandidateSource, Existing, LocateKind, LocationProblem, LocationProblemFile};
use crate::model::profile::CsvDialect;
use crate::model::{LanguageGroup, Location, Problem, ProblemKind, Problems};
use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::path::Path;

/// Place language codes a new unit's `places` may use (`shared`: open to every group).
pub const PLACE_CODES: &[&str] = &["fi", "sv", "en", "se", "shared"];

/// Reads and checks a problem file.
pub fn read(path: &Path) -> Result<LocationProblem, ReadError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ReadError::new(path, ProblemKind::Unreadable, format!("cannot read the problem file: {e}")))?;
    let file: LocationProblemFile = toml::from_str(&text).map_err(|e| {
        let location = e.span().map_or(Location::File, |span| line_column(&text, span.start));
        ReadError::new(path, ProblemKind::Profile, e.message().trim_end_matches('.').replace('\n', " ")).at(location)
    })?;
    let error = |key: &str, message: String| {
        let last = key.rsplit('.').next().unwrap_or(key);
        let line = text.lines().position(|l| {
            let t = l.trim_start();
            t.starts_with(last) && t[last.len()..].trim_start().starts_with('=')
        });
        let e = ReadError::new(path, ProblemKind::Profile, format!("key '{key}': {message}"));
        match line {
            Some(l) => e.at(Location::LineColumn(l as u64 + 1, 1)),
            None => e,
        }
    };
    let dir = path.parent().unwrap_or(Path::new(""));
    let p = &file.problem;
    let codes = || ["p-median", "capacitated-p-median", "facility-location", "max-coverage"].join(", ");
    let kind = p.kind.ok_or_else(|| {
        error(
            "problem.kind",
            format!("missing; one of {}, capacitated-coverage, set-cover, p-center, closure", codes()),
        )
    })?;
    let scenario = file.extends.as_ref().map(|e| dir.join(e));
    let matrix = file.matrix.as_ref().map(|m| (dir.join(&m.od), dir.join(&m.demand), dir.join(&m.sites)));
    match (&scenario, &matrix) {
        (None, None) => {
            return Err(error(
                "extends",
                "missing: a problem starts from a scenario (extends = \"scenarios/base.toml\") or a matrix ([matrix])"
                    .into(),
            ));
        }
        (Some(_), Some(_)) => return Err(error("matrix", "give either `extends` or `[matrix]`, not both".into())),
        (Some(s), None) if !s.is_file() => {
            return Err(error("extends", format!("no scenario file at {}", s.display())));
        }
        _ => {}
    }
    if matrix.is_some() && kind == LocateKind::Closure {
        return Err(error("problem.kind", "closure scores the scenario's KPIs, so it needs `extends`".into()));
    }
    if kind.takes_p() {
        match (p.new_units, p.units) {
            (Some(_), Some(_)) => return Err(error("problem.units", "give `new_units` or `units`, not both".into())),
            (None, None) => {
                return Err(error(
                    "problem.new_units",
                    format!("missing: {} needs the number of units (new_units = 3, or units = 20)", kind.code()),
                ));
            }
            (Some(0), None) => return Err(error("problem.new_units", "0; expected at least 1".into())),
            _ => {}
        }
    } else if p.new_units.is_some() || p.units.is_some() {
        let key = if p.new_units.is_some() { "problem.new_units" } else { "problem.units" };
        return Err(error(key, format!("{} finds the number of units itself; remove this key", kind.code())));
    }
    match (kind, p.close) {
        (LocateKind::Closure, None | Some(0)) => {
            return Err(error("problem.close", "missing or 0: closure needs the number of units to close".into()));
        }
        (k, Some(_)) if k != LocateKind::Closure => {
            return Err(error("problem.close", format!("only for kind = \"closure\", not {}", k.code())));
        }
        _ => {}
    }
    let positive = |key: &str, v: Option<f64>| -> Result<Option<f64>, ReadError> {
        match v {
            Some(x) if !(x.is_finite() && x > 0.0) => Err(error(key, format!("{x}; expected a number above 0"))),
            _ => Ok(v),
        }
    };
    let cutoff_min = positive("problem.cutoff_min", p.cutoff_min)?;
    let unserved_min = positive("problem.unserved_min", p.unserved_min)?;
    let time_limit_s = positive("problem.time_limit_s", p.time_limit_s)?.unwrap_or(60.0);
    let opening_cost = match p.opening_cost {
        Some(x) if !(x.is_finite() && x >= 0.0) => {
            return Err(error("problem.opening_cost", format!("{x}; expected child-minutes ≥ 0")));
        }
        Some(x) => x,
        None if kind == LocateKind::FacilityLocation => {
            return Err(error(
                "problem.opening_cost",
                "missing: facility-location weighs each new unit's cost against travel; give it in child-minutes per day"
                    .into(),
            ));
        }
        None => 0.0,
    };
    let gap = p.gap.unwrap_or(0.0);
    if !(0.0..1.0).contains(&gap) {
        return Err(error("problem.gap", format!("{gap}; expected a share from 0 to below 1, e.g. 0.01")));
    }
    let places = p.places.clone().unwrap_or_else(|| BTreeMap::from([("shared".to_owned(), 60)]));
    for (code, &n) in &places {
        if !PLACE_CODES.contains(&code.as_str()) {
            return Err(error(
                "problem.places",
                format!("'{code}'; expected language codes {}", PLACE_CODES.join(", ")),
            ));
        }
        if n < 0 {
            return Err(error("problem.places", format!("{code} = {n}; expected places ≥ 0")));
        }
    }
    if places.values().sum::<i64>() == 0 && kind != LocateKind::Closure {
        return Err(error("problem.places", "no places; a new unit needs some, e.g. { fi = 60 }".into()));
    }
    let c = file.candidates.clone().unwrap_or_default();
    let candidates = c.from.unwrap_or_default();
    let spacing_m = positive("candidates.spacing_m", c.spacing_m)?.unwrap_or(500.0);
    let points = match (candidates, &c.file) {
        (CandidateSource::Points, None) => {
            return Err(error("candidates.file", "missing: from = \"points\" needs a CSV file id,x,y".into()));
        }
        (CandidateSource::Points, Some(f)) => Some((dir.join(f), c.crs.unwrap_or(3067))),
        (_, Some(_)) => return Err(error("candidates.file", "only with from = \"points\"".into())),
        _ => None,
    };
    if let Some((_, crs)) = &points
        && *crs != 3067
    {
        return Err(error("candidates.crs", format!("{crs}; candidate points are read in EPSG:3067")));
    }
    let stem = path.file_stem().map_or("problem".into(), |s| s.to_string_lossy().into_owned());
    Ok(LocationProblem {
        name: file.name.clone().unwrap_or(stem.clone()),
        title: file.title.clone().unwrap_or(stem),
        file: path.to_owned(),
        scenario,
        matrix,
        kind,
        new_units: p.new_units,
        units: p.units,
        close: p.close,
        cutoff_min,
        existing: p.existing.unwrap_or(Existing::Keep),
        keep: p.keep.clone(),
        exclude: p.exclude.clone(),
        places,
        opening_cost,
        unserved_min,
        time_limit_s,
        gap,
        candidates,
        spacing_m,
        points,
    })
}

/// A demand point of a matrix problem.
#[derive(Clone, Debug, PartialEq)]
pub struct MatrixDemand {
    /// Id as in the file.
    pub id: String,
    /// Weight (children, residents), ≥ 0.
    pub weight: f64,
    /// Language group (`all` when the file has no class).
    pub class: LanguageGroup,
}

/// What a matrix problem's site is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SiteRole {
    /// A candidate the solver may choose.
    Candidate,
    /// An existing unit that stays open.
    Keep,
    /// An existing unit the solver may keep or drop.
    Optional,
    /// A site that may not be chosen.
    Exclude,
}

/// A site of a matrix problem.
#[derive(Clone, Debug, PartialEq)]
pub struct MatrixSite {
    /// Id as in the file.
    pub id: String,
    /// Capacity (places), if given.
    pub capacity: Option<f64>,
    /// Opening cost in the objective's unit (weight × minutes), if given.
    pub opening_cost: Option<f64>,
    /// Language groups it takes (empty: every group).
    pub accepts: Vec<LanguageGroup>,
    /// Its role.
    pub role: SiteRole,
}

/// A matrix problem's inputs: demand, sites and the reachable pairs' times.
#[derive(Clone, Debug, PartialEq)]
pub struct MatrixInput {
    /// Demand points in file order.
    pub demand: Vec<MatrixDemand>,
    /// Sites in file order.
    pub sites: Vec<MatrixSite>,
    /// (demand index, site index, seconds) for every pair listed with a time.
    pub times: Vec<(u32, u32, f64)>,
}

/// Reads the demand, site and OD files of a matrix problem; every bad row is a problem.
pub fn read_matrix(od: &Path, demand: &Path, sites: &Path) -> Result<MatrixInput, Problems> {
    let mut problems = Problems::default();
    let d = read_demand(demand, &mut problems);
    let s = read_sites(sites, &mut problems);
    let (Some(d), Some(s)) = (d, s) else { return Err(problems) };
    let times = read_od(od, &d, &s, &mut problems);
    match times {
        Some(times) if !problems.has_errors() => Ok(MatrixInput { demand: d, sites: s, times }),
        _ => Err(problems),
    }
}

fn table(path: &Path, expected: &str, problems: &mut Problems) -> Option<Table> {
    match super::csv::read(path, &CsvDialect::default()) {
        Ok((t, record_problems)) => {
            let bad = !record_problems.is_empty();
            record_problems.into_iter().for_each(|p| problems.push(p));
            if t.column_index("id").is_none() {
                problems.push(
                    Problem::error(ProblemKind::MissingColumn, Some(path.to_owned()), Location::File, expected)
                        .field("id")
                        .value(t.names.join(",")),
                );
                return None;
            }
            (!bad).then_some(t)
        }
        Err(e) => {
            problems.push(e.into_problem());
            None
        }
    }
}

fn text(t: &Table, c: Option<usize>, row: usize) -> Option<String> {
    match c.map(|c| t.columns[c].cell(row)) {
        Some(Cell::Text(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        _ => None,
    }
}

fn bad(t: &Table, row: usize, kind: ProblemKind, field: &str, value: &str, expected: &str) -> Problem {
    Problem::error(kind, Some(t.path.clone()), t.location(row), expected).field(field).value(value)
}

/// A number ≥ 0 in `field` of `row`, or a problem.
fn non_negative(t: &Table, c: usize, row: usize, field: &str, problems: &mut Problems) -> Option<f64> {
    let Some(s) = text(t, Some(c), row) else {
        problems.push(bad(t, row, ProblemKind::MissingValue, field, "", "a number ≥ 0"));
        return None;
    };
    match parse_number(&s, t.decimal_comma) {
        Ok(v) if v.is_finite() && v >= 0.0 => Some(v),
        Ok(_) => {
            problems.push(bad(t, row, ProblemKind::OutOfRange, field, &s, "a number ≥ 0"));
            None
        }
        Err(e) => {
            problems.push(bad(t, row, ProblemKind::Parse, field, &s, &e));
            None
        }
    }
}

fn group(t: &Table, row: usize, field: &str, code: &str, problems: &mut Problems) -> Option<LanguageGroup> {
    let g = code.parse::<LanguageGroup>().ok();
    if g.is_none() {
        let expected = format!("a language group code: {}", LanguageGroup::expected());
        problems.push(bad(t, row, ProblemKind::UnknownCode, field, code, &expected));
    }
    g
}

/// Row `row`'s id, or a problem when it is missing or seen before.
fn unique_id(
    t: &Table,
    id: Option<usize>,
    row: usize,
    seen: &mut HashMap<String, usize>,
    problems: &mut Problems,
) -> Option<String> {
    let Some(i) = text(t, id, row) else {
        problems.push(bad(t, row, ProblemKind::MissingValue, "id", "", "an id"));
        return None;
    };
    if seen.insert(i.clone(), row).is_some() {
        problems.push(bad(t, row, ProblemKind::DuplicateId, "id", &i, "unique ids"));
        return None;
    }
    Some(i)
}

fn read_demand(path: &Path, problems: &mut Problems) -> Option<Vec<MatrixDemand>> {
    let t = table(path, "columns id,weight[,class]", problems)?;
    let (id, wc, cc) = (t.column_index("id"), t.column_index("weight"), t.column_index("class"));
    let Some(wc) = wc else {
        problems.push(
            Problem::error(
                ProblemKind::MissingColumn,
                Some(path.to_owned()),
                Location::File,
                "columns id,weight[,class]",
            )
            .field("weight")
            .value(t.names.join(",")),
        );
        return None;
    };
    let mut seen = HashMap::new();
    let mut out = Vec::with_capacity(t.len);
    for row in 0..t.len {
        let Some(i) = unique_id(&t, id, row, &mut seen, problems) else { continue };
        let weight = non_negative(&t, wc, row, "weight", problems);
        let class = match text(&t, cc, row) {
            Some(c) => group(&t, row, "class", &c, problems),
            None => Some(LanguageGroup::All),
        };
        if let (Some(weight), Some(class)) = (weight, class) {
            out.push(MatrixDemand { id: i, weight, class });
        }
    }
    Some(out)
}

fn read_sites(path: &Path, problems: &mut Problems) -> Option<Vec<MatrixSite>> {
    let t = table(path, "columns id[,capacity,opening_cost,accepts,existing]", problems)?;
    let c = |n: &str| t.column_index(n);
    let (id, cap, open, acc, ex) = (c("id"), c("capacity"), c("opening_cost"), c("accepts"), c("existing"));
    let mut seen = HashMap::new();
    let mut out = Vec::with_capacity(t.len);
    for row in 0..t.len {
        let Some(i) = unique_id(&t, id, row, &mut seen, problems) else { continue };
        let num = |c: Option<usize>, f: &str, p: &mut Problems| match c {
            Some(c) if text(&t, Some(c), row).is_some() => non_negative(&t, c, row, f, p).map(Some),
            _ => Some(None),
        };
        let capacity = num(cap, "capacity", problems);
        let opening_cost = num(open, "opening_cost", problems);
        let accepts: Option<Vec<LanguageGroup>> = text(&t, acc, row)
            .map(|a| a.split_whitespace().map(|code| group(&t, row, "accepts", code, problems)).collect())
            .unwrap_or(Some(Vec::new()));
        let role = match text(&t, ex, row).as_deref() {
            None | Some("candidate") => Some(SiteRole::Candidate),
            Some("keep") => Some(SiteRole::Keep),
            Some("optional") => Some(SiteRole::Optional),
            Some("exclude") => Some(SiteRole::Exclude),
            Some(other) => {
                let expected = "candidate (or empty), keep, optional or exclude";
                problems.push(bad(&t, row, ProblemKind::UnknownCode, "existing", other, expected));
                None
            }
        };
        if let (Some(capacity), Some(opening_cost), Some(accepts), Some(role)) = (capacity, opening_cost, accepts, role)
        {
            out.push(MatrixSite { id: i, capacity, opening_cost, accepts, role });
        }
    }
    Some(out)
}

/// Reads an OD table (CSV streamed line by line, or Parquet) into index triples; ids not
/// among the demand or sites, bad times and repeated pairs are problems.
fn read_od(
    path: &Path,
    demand: &[MatrixDemand],
    sites: &[MatrixSite],
    problems: &mut Problems,
) -> Option<Vec<(u32, u32, f64)>> {
    let origins: HashMap<&str, u32> = demand.iter().enumerate().map(|(i, d)| (d.id.as_str(), i as u32)).collect();
    let dests: HashMap<&str, u32> = sites.iter().enumerate().map(|(i, s)| (s.id.as_str(), i as u32)).collect();
    let file = Some(path.to_owned());
    let mut out = Vec::new();
    let mut push = |o: &str, d: &str, t: Option<f64>, at: Location, problems: &mut Problems| {
        let err = |kind, field: &str, value: &str, expected: &str| {
            Problem::error(kind, file.clone(), at.clone(), expected).field(field).value(value)
        };
        let Some(&oi) = origins.get(o.trim()) else {
            let e = format!("an id of the demand file; {} has none such", demand.len());
            return problems.push(err(ProblemKind::MissingReference, "origin_id", o, &e));
        };
        let Some(&di) = dests.get(d.trim()) else {
            return problems.push(err(ProblemKind::MissingReference, "destination_id", d, "an id of the sites file"));
        };
        match t {
            None => {}
            Some(v) if v.is_finite() && v >= 0.0 => out.push((oi, di, v)),
            Some(v) => problems.push(err(ProblemKind::OutOfRange, "time_s", &v.to_string(), "seconds ≥ 0")),
        }
    };
    let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    if ext == "parquet" {
        match super::od::read_parquet(path) {
            Ok(rows) => {
                for (r, (o, d, t)) in rows.iter().enumerate() {
                    push(o, d, t.map(|ms| f64::from(ms) / 1000.0), Location::Row(r as u64 + 1), problems);
                }
            }
            Err(e) => {
                problems.push(e.into_problem());
                return None;
            }
        }
    } else {
        let unreadable = |e: std::io::Error| {
            Problem::error(ProblemKind::Unreadable, Some(path.to_owned()), Location::File, format!("cannot read: {e}"))
        };
        let f = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) => {
                problems.push(unreadable(e));
                return None;
            }
        };
        let mut lines = std::io::BufReader::with_capacity(1 << 20, f).lines();
        let header = match lines.next() {
            Some(Ok(h)) => h.trim_start_matches('\u{feff}').to_owned(),
            Some(Err(e)) => {
                problems.push(unreadable(e));
                return None;
            }
            None => {
                let expected = "a header origin_id,destination_id,time_s";
                problems.push(Problem::error(ProblemKind::Empty, Some(path.to_owned()), Location::File, expected));
                return None;
            }
        };
        let names: Vec<&str> = header.split(',').map(str::trim).collect();
        let col = |n: &str| names.iter().position(|c| c.eq_ignore_ascii_case(n));
        let (Some(oc), Some(dc), Some(tc)) = (col("origin_id"), col("destination_id"), col("time_s")) else {
            let expected = "columns origin_id,destination_id,time_s (comma-separated, as pave matrix writes)";
            let p = Problem::error(ProblemKind::MissingColumn, Some(path.to_owned()), Location::Line(1), expected);
            problems.push(p.value(header.clone()));
            return None;
        };
        for (k, line) in lines.enumerate() {
            let at = Location::Line(k as u64 + 2);
            let line = match line {
                Ok(l) => l,
                Err(e) => {
                    problems.push(unreadable(e));
                    return None;
                }
            };
            if line.trim().is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split(',').collect();
            if f.len() != names.len() {
                let e = format!("{} fields like the header", names.len());
                problems.push(Problem::error(ProblemKind::Parse, Some(path.to_owned()), at, e).value(line.clone()));
                continue;
            }
            let t = f[tc].trim();
            let time = if t.is_empty() {
                None
            } else {
                match t.parse::<f64>() {
                    Ok(v) => Some(v),
                    Err(_) => {
                        let p = Problem::error(ProblemKind::Parse, Some(path.to_owned()), at, "seconds, e.g. 312.5");
                        problems.push(p.field("time_s").value(t));
                        continue;
                    }
                }
            };
            push(f[oc], f[dc], time, at, problems);
            if problems.errors > 200 {
                break;
            }
        }
    }
    // One time per pair: a repeated pair is ambiguous.
    out.sort_by_key(|a| (a.0, a.1));
    if let Some(w) = out.windows(2).find(|w| (w[0].0, w[0].1) == (w[1].0, w[1].1)) {
        let pair = format!("{} → {}", demand[w[0].0 as usize].id, sites[w[0].1 as usize].id);
        let expected = "each origin–destination pair once";
        problems.push(
            Problem::error(ProblemKind::DuplicateRecord, Some(path.to_owned()), Location::File, expected).value(pair),
        );
    }
    Some(out)
}
