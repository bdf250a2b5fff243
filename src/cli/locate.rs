//! `pave locate`: read a problem file, solve it with the engine, write the solution and
//! print the bound report.

use crate::engine::{Engine, EngineError};
use crate::progress::Progress;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `pave locate`.
#[derive(Debug, clap::Args)]
pub struct LocateArgs {
    /// Problem file (TOML; see schemas/locate.schema.json and sample-data/*/locate/).
    #[arg(value_name = "PROBLEM")]
    pub problem: PathBuf,
    /// Output folder: the solution goes into DIR/<name>/ (the problem's `name`).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Runs `pave locate`.
pub fn run(args: &LocateArgs, progress: &dyn Progress) -> anyhow::Result<ExitCode> {
    let problem = match crate::io::locate::read(&args.problem) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("pave: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    let mut engine = Engine::new();
    let located = match engine.locate(&problem, progress) {
        Ok(l) => l,
        Err(e @ EngineError::Write(_)) => return Err(e.into()),
        Err(e) => {
            eprintln!("pave: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    let dir = args.out.join(&problem.name);
    let written = located.write(&dir)?;
    let r = located.report();
    for n in &r.notes {
        eprintln!("pave: note: {}: {n}", r.problem);
    }
    let fmt = |v: f64| crate::scenario::human::number(v, 2);
    println!("{} ({}): {} units operating", r.problem, r.kind, r.units);
    let list = |ids: &[String]| {
        let shown = ids.iter().take(12).cloned().collect::<Vec<_>>().join(", ");
        if ids.len() > 12 { format!("{shown}, … ({} in all: sites.csv)", ids.len()) } else { shown }
    };
    if !r.opened.is_empty() {
        println!("  open:  {}", list(&r.opened));
    }
    if !r.closed.is_empty() {
        println!("  close: {}", list(&r.closed));
    }
    if let Some((before, after)) = r.headline_share {
        println!("  headline share within the threshold: {:.1} % → {:.1} %", before * 100.0, after * 100.0);
    }
    println!(
        "  objective {} {} — bounds [{}, {}] — gap {:.2} % — {}",
        fmt(r.objective),
        r.unit,
        fmt(r.lower_bound),
        fmt(r.upper_bound),
        r.gap * 100.0,
        if r.proven_optimal { "proven optimal" } else { "not proven optimal" }
    );
    println!(
        "  {} demand points × {} sites ({} candidates); travel times {:.1} s, solve {:.1} s",
        r.size.0, r.size.1, r.size.2, r.seconds.0, r.seconds.1
    );
    let shown: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    println!("  wrote {}", shown.join(", "));
    Ok(ExitCode::SUCCESS)
}
