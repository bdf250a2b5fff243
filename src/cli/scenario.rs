//! `pave run` and `pave compare`.

use crate::progress::Progress;
use crate::scenario::compare;
use crate::scenario::session::{RunReport, run_all};
use anyhow::bail;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `pave run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario files (TOML; see schemas/scenario.schema.json and sample-data/*/scenarios/).
    #[arg(required = true, value_name = "SCENARIO")]
    pub scenarios: Vec<PathBuf>,
    /// Output folder: each scenario's outputs go into DIR/<name>/ (the scenario's `name`).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Arguments of `pave compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Two or more scenario files (run first, into DIR/<name>/) or result folders of
    /// `pave run`; each is compared with the first one of its city.
    #[arg(required = true, num_args = 2.., value_name = "SCENARIO_OR_DIR")]
    pub inputs: Vec<PathBuf>,
    /// Output folder: comparison.csv, comparison_districts.csv, comparison_cells.csv,
    /// comparison.html (and the runs of scenario files).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

fn read_scenarios(paths: &[PathBuf]) -> anyhow::Result<Vec<crate::model::scenario::Scenario>> {
    let mut out: Vec<crate::model::scenario::Scenario> = Vec::new();
    for p in paths {
        let s = crate::io::scenario::read(p)?;
        if let Some(other) = out.iter().find(|o| o.name == s.name) {
            bail!(
                "{} and {} are both named '{}'; give one of them another `name =` (names become folder names)",
                other.files[0].display(),
                p.display(),
                s.name
            );
        }
        out.push(s);
    }
    Ok(out)
}

fn print(reports: &[RunReport]) {
    for r in reports {
        for w in &r.warnings {
            eprintln!("pave: warning: {}: {w}", r.name);
        }
        eprintln!(
            "{}: {:.0} children, {} within the threshold, mean {} — {} unit searches — wrote {}/ (open report.html)",
            r.name,
            r.headline.0,
            crate::scenario::report::pct(r.headline.1),
            crate::scenario::report::mins(r.headline.2),
            r.searches,
            r.dir.display()
        );
    }
}

/// Runs `pave run`.
pub fn run(args: &RunArgs, progress: &dyn Progress) -> anyhow::Result<ExitCode> {
    let scenarios = match read_scenarios(&args.scenarios) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("pave: {e:#}");
            return Ok(ExitCode::from(1));
        }
    };
    match run_all(&scenarios, &args.out, progress) {
        Ok(reports) => {
            print(&reports);
            Ok(ExitCode::SUCCESS)
        }
        Err(e @ crate::scenario::session::SessionError::Write(_)) => Err(e.into()),
        Err(e) => {
            eprintln!("pave: {e}");
            Ok(ExitCode::from(1))
        }
    }
}

/// Runs `pave compare`.
pub fn run_compare(args: &CompareArgs, progress: &dyn Progress) -> anyhow::Result<ExitCode> {
    let files: Vec<PathBuf> = args.inputs.iter().filter(|p| !p.is_dir()).cloned().collect();
    let scenarios = match read_scenarios(&files) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("pave: {e:#}");
            return Ok(ExitCode::from(1));
        }
    };
    let reports = match run_all(&scenarios, &args.out, progress) {
        Ok(r) => r,
        Err(e @ crate::scenario::session::SessionError::Write(_)) => return Err(e.into()),
        Err(e) => {
            eprintln!("pave: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    print(&reports);
    let mut folders = Vec::new();
    let mut next_run = reports.iter();
    for p in &args.inputs {
        let dir = if p.is_dir() { p.clone() } else { next_run.next().map(|r| r.dir.clone()).unwrap_or_default() };
        folders.push(compare::read(&dir)?);
    }
    let written = compare::write(&args.out, &folders)?;
    eprintln!(
        "compared {} scenarios: wrote {} — open {}",
        folders.len(),
        written
            .iter()
            .map(|p| p.file_name().map_or_else(String::new, |f| f.to_string_lossy().into_owned()))
            .collect::<Vec<_>>()
            .join(", "),
        args.out.join("comparison.html").display()
    );
    Ok(ExitCode::SUCCESS)
}
