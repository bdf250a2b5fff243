//! `pave run` and `pave compare`: read scenario files, evaluate them with the engine, write
//! and report.

use crate::engine::{Engine, EngineError, Evaluation, compare};
use crate::progress::Progress;
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

fn print(e: &Evaluation, dir: &std::path::Path) {
    for n in &e.notes {
        eprintln!("pave: warning: {}: {n}", e.scenario.name);
    }
    let head = e.kpis.headline();
    eprintln!(
        "{}: {:.0} children, {} within the threshold, mean {} — {} unit searches — wrote {}/ (open report.html)",
        e.scenario.name,
        head.children,
        crate::scenario::human::percent(head.within_share),
        crate::scenario::human::minutes(head.mean_min),
        e.searches,
        dir.display()
    );
}

/// Evaluates and writes every scenario into `out/<name>/`; the folders written.
fn run_all(paths: &[PathBuf], out: &std::path::Path, progress: &dyn Progress) -> Result<Vec<PathBuf>, ExitCode> {
    let fail = |e: &dyn std::fmt::Display| {
        eprintln!("pave: {e:#}");
        ExitCode::from(1)
    };
    let scenarios = read_scenarios(paths).map_err(|e| fail(&e))?;
    let mut engine = Engine::new();
    let mut dirs = Vec::new();
    for s in &scenarios {
        let e = engine.evaluate(s, progress).map_err(|e| fail(&e))?;
        let dir = out.join(&s.name);
        progress.start(&format!("{}: writing {}", s.name, dir.display()), 0);
        match engine.write(&e, &dir) {
            Ok(_) => {}
            Err(e @ EngineError::Write(_)) => {
                eprintln!("pave: {e}");
                return Err(ExitCode::from(2));
            }
            Err(e) => return Err(fail(&e)),
        }
        progress.finish();
        print(&e, &dir);
        dirs.push(dir);
    }
    Ok(dirs)
}

/// Runs `pave run`.
pub fn run(args: &RunArgs, progress: &dyn Progress) -> anyhow::Result<ExitCode> {
    Ok(match run_all(&args.scenarios, &args.out, progress) {
        Ok(_) => ExitCode::SUCCESS,
        Err(code) => code,
    })
}

/// Runs `pave compare`.
pub fn run_compare(args: &CompareArgs, progress: &dyn Progress) -> anyhow::Result<ExitCode> {
    let files: Vec<PathBuf> = args.inputs.iter().filter(|p| !p.is_dir()).cloned().collect();
    let dirs = match run_all(&files, &args.out, progress) {
        Ok(d) => d,
        Err(code) => return Ok(code),
    };
    let mut folders = Vec::new();
    let mut next_run = dirs.into_iter();
    for p in &args.inputs {
        let dir = if p.is_dir() { p.clone() } else { next_run.next().unwrap_or_default() };
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
