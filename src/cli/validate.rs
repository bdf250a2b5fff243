//! `pave validate` and `pave model export`.

use crate::model::{Dataset, Model, PopulationKind, Problems};
use crate::progress::Progress;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `pave validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// City profiles (TOML), e.g. sample-data/helsinki/profile.toml.
    #[arg(required = true, value_name = "PROFILE")]
    pub profiles: Vec<PathBuf>,
    /// Show at most this many problems per city (0 = all). Counts always include all.
    #[arg(long, default_value_t = 200, value_name = "N")]
    pub max_problems: usize,
}

/// Arguments of `pave model export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// City profiles (TOML); all cities go into one model.
    #[arg(required = true, value_name = "PROFILE")]
    pub profiles: Vec<PathBuf>,
    /// Output folder for model.gpkg and the Parquet files.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

fn thousands(v: f64) -> String {
    let s = format!("{:.0}", v.round());
    let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// The per-city summary printed by validate.
fn summary(profile: &std::path::Path, d: &Dataset) -> String {
    let mut s = String::new();
    let mut line = |t: String| {
        s.push_str(&t);
        s.push('\n');
    };
    line(format!("{} ({}) — {}", d.city, d.municipality_code, profile.display()));
    line(format!("  coordinates: EPSG:{} in the sources → EPSG:3067 inside pave", d.source_crs));
    let mut by_type: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &d.units {
        *by_type.entry(f.service_type.as_str()).or_default() += 1;
    }
    let types: Vec<String> = by_type.iter().map(|(k, v)| format!("{k} {v}")).collect();
    let places: u32 = d.units.iter().map(|f| f.total_places()).sum();
    let skipped =
        if d.skipped_units > 0 { format!("; {} rows skipped by the profile", d.skipped_units) } else { String::new() };
    line(format!(
        "  units:        {} ({}){skipped}; {} places",
        d.units.len(),
        types.join(", "),
        thousands(f64::from(places))
    ));
    line(format!("  premises:     {}", d.premises.len()));
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for a in &d.demand_areas {
        *kinds.entry(a.kind.to_string()).or_default() += 1;
    }
    let kinds: Vec<String> = kinds.iter().map(|(k, v)| format!("{k} {v}")).collect();
    line(format!("  demand areas: {} ({})", d.demand_areas.len(), kinds.join(", ")));
    let mut levels: BTreeMap<&str, usize> = BTreeMap::new();
    for x in &d.districts {
        *levels.entry(x.level.as_str()).or_default() += 1;
    }
    let levels: Vec<String> =
        d.district_levels.iter().map(|l| format!("{l} {}", levels.get(l.as_str()).unwrap_or(&0))).collect();
    line(format!("  districts:    {}", levels.join(", ")));
    let p = &d.population;
    let mut years: BTreeMap<(PopulationKind, u16), f64> = BTreeMap::new();
    let mut suppressed = 0;
    for r in 0..p.len() {
        // Totals only over language group `all` or, where a source splits by language, all rows.
        *years.entry((p.kind[r], p.year[r])).or_default() += p.count[r];
        suppressed += usize::from(p.suppressed[r]);
    }
    let describe = |kind: PopulationKind| -> Option<String> {
        let ys: Vec<(&u16, &f64)> = years.iter().filter(|((k, _), _)| *k == kind).map(|((_, y), v)| (y, v)).collect();
        let (first, last) = (ys.first()?, ys.last()?);
        Some(if first.0 == last.0 {
            format!("{kind} {}: {} residents", first.0, thousands(*first.1))
        } else {
            format!("{kind} {}–{}: {} → {} residents", first.0, last.0, thousands(*first.1), thousands(*last.1))
        })
    };
    let parts: Vec<String> =
        [describe(PopulationKind::Observed), describe(PopulationKind::Forecast)].into_iter().flatten().collect();
    line(format!(
        "  population:   {} rows, {} suppressed; {}",
        thousands(p.len() as f64),
        suppressed,
        parts.join("; ")
    ));
    let pts = d.units.iter().map(|f| (f.x, f.y)).chain(d.demand_areas.iter().map(|a| (a.point.x(), a.point.y())));
    let ext = pts.fold(None::<[f64; 4]>, |e, (x, y)| {
        Some(e.map_or([x, y, x, y], |e| [e[0].min(x), e[1].min(y), e[2].max(x), e[3].max(y)]))
    });
    if let Some(e) = ext {
        line(format!("  extent:       E {:.0}–{:.0}, N {:.0}–{:.0} (EPSG:3067)", e[0], e[2], e[1], e[3]));
    }
    s
}

fn print_problems(out: &mut impl Write, problems: &Problems) -> std::io::Result<()> {
    writeln!(out, "  problems:     {} errors, {} warnings", problems.errors, problems.warnings)?;
    for p in &problems.list {
        writeln!(out, "    {p}")?;
    }
    if problems.dropped() > 0 {
        writeln!(out, "    … and {} more (raise --max-problems to see them)", problems.dropped())?;
    }
    Ok(())
}

/// Runs `pave validate`.
pub fn run_validate(args: &ValidateArgs, progress: &dyn Progress) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let mut failed = false;
    for (i, path) in args.profiles.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let (data, problems) = crate::engine::validate(path, args.max_problems, progress);
        match data {
            Some(data) => write!(out, "{}", summary(path, &data))?,
            None => writeln!(out, "{}", super::display(path))?,
        }
        print_problems(&mut out, &problems)?;
        failed |= problems.has_errors();
    }
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Runs `pave model export`.
pub fn run_export(args: &ExportArgs, progress: &dyn Progress) -> anyhow::Result<ExitCode> {
    let mut model = Model::default();
    let mut failed = false;
    for path in &args.profiles {
        let (data, problems) = crate::engine::validate(path, 20, progress);
        match data {
            Some(data) => {
                eprint!("{}", summary(path, &data));
                eprintln!(
                    "  problems:     {} errors, {} warnings (see `pave validate`)",
                    problems.errors, problems.warnings
                );
                if problems.has_errors() {
                    eprintln!("pave: {} has {} data errors; nothing exported:", path.display(), problems.errors);
                    for p in problems.list.iter().filter(|p| p.severity == crate::model::Severity::Error) {
                        eprintln!("    {p}");
                    }
                    failed = true;
                }
                model.cities.push(data);
            }
            None => {
                for p in &problems.list {
                    eprintln!("pave: {p}");
                }
                failed = true;
            }
        }
    }
    if failed {
        return Ok(ExitCode::from(1));
    }
    let mut seen = std::collections::BTreeSet::new();
    for c in &model.cities {
        if !seen.insert(c.municipality_code.clone()) {
            anyhow::bail!("municipality code {} ({}) is given twice; each city once", c.municipality_code, c.city);
        }
    }
    let written = crate::io::export::write_model(&model, &args.out)?;
    for w in written {
        eprintln!("wrote {}", w.display());
    }
    Ok(ExitCode::SUCCESS)
}
