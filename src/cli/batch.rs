//! `pave batch`: parses the options and calls [`crate::engine::batch`].

use crate::engine::batch::{self, ShardRun, ShardState};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// The subcommands of `pave batch`.
#[derive(Debug, Subcommand)]
pub enum BatchCommand {
    /// Check a job's inputs, record their hashes and write JOBDIR/manifest.json with the shards.
    ///
    /// A job file (TOML) has one kind of work and how to split it. Paths are relative to the
    /// job file; points are CSV id,x,y[,weight] in EPSG:3067 or PROFILE.toml:demand_areas /
    /// PROFILE.toml:units[:SERVICE_TYPE].
    ///
    ///   [matrix]                    # travel times, origins x destinations
    ///   network = "helsinki-walk.pavenet"
    ///   from = "cells.csv"
    ///   to = "units.csv"
    ///   cutoff_min = 60             # optional; max_snap_m = 500, sparse = false
    ///
    ///   [nearest]                   # the k nearest units of every point
    ///   network = "helsinki-walk.pavenet"
    ///   from = "cells.csv"
    ///   units = "units.csv"
    ///   k = 3                       # optional (1); cutoff_min, max_snap_m
    ///
    ///   [accessibility]             # per origin: nearest destination, destinations and
    ///   network = "helsinki-walk.pavenet"   # their weight within each threshold
    ///   from = "cells.csv"
    ///   to = "units.csv"            # id,x,y,weight (places, jobs...)
    ///   thresholds_min = [10, 16, 30]
    ///
    ///   [sweep]                     # every combination is one scenario evaluation
    ///   scenarios = ["base-2030.toml", "close-two-open-one.toml"]
    ///   years = [2025, 2030, 2035]          # optional: each scenario's own year
    ///   participation = [0.7, 0.75, 0.8]    # optional
    ///   threshold_min = [16, 20]            # optional
    ///   forecasts = { high = "helsinki-high/profile.toml" }   # optional: forecast variants
    ///
    ///   [locate]                    # location-allocation solves (pave locate problems)
    ///   problems = ["two-new.toml"]
    ///   new_units = [1, 2, 3]       # optional: what each further unit buys
    ///
    ///   [split]
    ///   shards = 16                 # or rows_per_shard = 1000 (origins, points or runs)
    #[command(verbatim_doc_comment)]
    Plan(PlanArgs),
    /// Compute one shard into JOBDIR/out/shard=N/ (Parquet + a completion record).
    ///
    /// The shard number comes from --shard, or from the scheduler: SLURM_ARRAY_TASK_ID
    /// (Slurm array jobs) or JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs). A finished
    /// shard is not computed again; inputs changed or gone since the plan are refused; a
    /// shard another run holds (JOBDIR/running/N.json) is refused. SIGTERM (scancel, a time
    /// limit) gives the shard up with nothing published.
    Run(RunArgs),
    /// List done, running, interrupted, missing, failed and stale shards; exit 1 while any
    /// is not done.
    Status(DirArgs),
    /// Check every shard is done once and consistent; write JOBDIR/summary.json.
    ///
    /// A matrix: its totals (and with --csv the whole matrix as one CSV). Nearest,
    /// accessibility, locate: the table as one CSV (JOBDIR/nearest.csv, accessibility.csv,
    /// locate.csv). A sweep: the KPI table of every run (JOBDIR/kpis.csv, Finnish Excel),
    /// which scenario is best under each variant, and the distribution report
    /// JOBDIR/report.html.
    Merge(MergeArgs),
    /// Write JOBDIR/submit.sh: a Slurm array job over the shards not done and a dependent merge.
    ///
    /// Written again after a failure or cancellation, it lists only the shards still to do,
    /// with time and memory limits from the shards done so far.
    Slurm(SlurmArgs),
}

/// Options of `pave batch plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The job file.
    pub job: PathBuf,
    /// The job folder to create.
    #[arg(long, value_name = "JOBDIR")]
    pub out: PathBuf,
}

/// Options of `pave batch run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The job folder.
    pub dir: PathBuf,
    /// Shard number (default: from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX).
    #[arg(long)]
    pub shard: Option<usize>,
}

/// A job folder.
#[derive(Debug, Args)]
pub struct DirArgs {
    /// The job folder.
    pub dir: PathBuf,
}

/// Options of `pave batch merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The job folder.
    pub dir: PathBuf,
    /// Matrix: also write the whole matrix as one CSV (as `pave matrix --out FILE.csv`
    /// would). Nearest, accessibility: where to write the table (default
    /// JOBDIR/nearest.csv, JOBDIR/accessibility.csv, JOBDIR/locate.csv; nearest as
    /// `pave nearest` writes it).
    /// Sweep: where to write the KPI table (default JOBDIR/kpis.csv).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
}

/// Options of `pave batch slurm`.
#[derive(Debug, Args)]
pub struct SlurmArgs {
    /// The job folder.
    pub dir: PathBuf,
    /// Shards running at once (the array's %M).
    #[arg(long, default_value_t = 8)]
    pub parallel: usize,
    /// Time limit per shard, minutes (default: from the shards done so far, four times the
    /// slowest plus a minute; 60 when none is done).
    #[arg(long)]
    pub minutes: Option<u32>,
    /// Memory per shard, MB (default: from the shards done so far, one and a half times the
    /// largest peak plus 256 MB; 4096 when none is done).
    #[arg(long, value_name = "MB")]
    pub mem_mb: Option<u64>,
}

fn fail(e: impl std::fmt::Display) -> anyhow::Result<ExitCode> {
    eprintln!("pave batch: {e}");
    Ok(ExitCode::from(1))
}

/// Runs a `pave batch` subcommand.
pub fn run(command: &BatchCommand, progress: &dyn crate::progress::Progress) -> anyhow::Result<ExitCode> {
    match command {
        BatchCommand::Plan(a) => match batch::plan(&a.job, &a.out) {
            Ok(m) => {
                println!(
                    "planned {} shards of {} into {} (plan {})",
                    m.shards.len(),
                    m.work.describe(),
                    a.out.display(),
                    m.id
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => fail(e),
        },
        BatchCommand::Run(a) => {
            let from_env = ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"]
                .iter()
                .find_map(|v| std::env::var(v).ok().map(|s| (*v, s)));
            let shard = match (a.shard, from_env) {
                (Some(n), _) => n,
                (None, Some((var, value))) => match value.trim().parse() {
                    Ok(n) => n,
                    Err(_) => return fail(format!("{var} = '{value}': a shard number (0, 1, …)")),
                },
                (None, None) => {
                    eprintln!("pave batch run: give --shard N, or run as a Slurm array or Kubernetes Indexed Job task");
                    return Ok(ExitCode::from(2));
                }
            };
            // The scheduler stops a task with SIGTERM (scancel, time limit, preemption): the
            // shard is given up cleanly — claim and temporary files removed, nothing published.
            if let Ok(mut signals) = signal_hook::iterator::Signals::new([
                signal_hook::consts::SIGTERM,
                signal_hook::consts::SIGINT,
                signal_hook::consts::SIGHUP,
            ]) {
                let dir = a.dir.clone();
                std::thread::spawn(move || {
                    if let Some(signal) = signals.forever().next() {
                        batch::abandon(&dir, shard);
                        eprintln!("pave batch: shard {shard}: stopped by signal {signal}; nothing published");
                        std::process::exit(128 + signal);
                    }
                });
            }
            match batch::run_shard(&a.dir, shard, progress) {
                Ok(ShardRun::Computed(d)) => {
                    println!("shard {shard}: {} rows ({})", d.rows, d.checksum);
                    Ok(ExitCode::SUCCESS)
                }
                Ok(ShardRun::AlreadyDone(d)) => {
                    println!("shard {shard}: already done ({} rows), nothing to do", d.rows);
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => fail(format!("shard {shard}: {e}")),
            }
        }
        BatchCommand::Status(a) => match batch::manifest(&a.dir).and_then(|m| Ok((m, batch::status(&a.dir)?))) {
            Ok((m, states)) => {
                let mut not_done = 0;
                for (s, st) in &states {
                    let text = match st {
                        ShardState::Done(d) => format!("done ({} rows)", d.rows),
                        ShardState::Missing => "missing".to_owned(),
                        ShardState::Running(c) => format!("running: {}", c.describe()),
                        ShardState::Interrupted(c) => {
                            format!("interrupted: {}, gone without finishing; run it again", c.describe())
                        }
                        ShardState::Failed(m) => format!("failed: {m}"),
                        ShardState::Stale(m) => format!("stale: {m}"),
                    };
                    not_done += usize::from(!matches!(st, ShardState::Done(_)));
                    println!("shard {:>4}  {} {:>7}–{:<7}  {text}", s.index, m.work.items(), s.first, s.last);
                }
                println!("{} of {} shards done", states.len() - not_done, states.len());
                Ok(if not_done == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
            }
            Err(e) => fail(e),
        },
        BatchCommand::Merge(a) => match batch::merge(&a.dir, a.csv.as_deref()) {
            Ok(batch::Merged::Sweep(s)) => {
                println!(
                    "merged {} shards: {} runs of {} scenarios; wrote {}, {} and {}",
                    s.shards,
                    s.runs,
                    s.scenarios.len(),
                    s.table.display(),
                    s.report.display(),
                    a.dir.join("summary.json").display()
                );
                for (variant, best) in &s.best {
                    println!("  {variant}: best {best}");
                }
                Ok(ExitCode::SUCCESS)
            }
            Ok(batch::Merged::Table(s)) => {
                println!(
                    "merged {} shards: {} rows in {}; wrote {} and {}",
                    s.shards,
                    s.rows,
                    s.dataset.display(),
                    s.table.display(),
                    a.dir.join("summary.json").display()
                );
                Ok(ExitCode::SUCCESS)
            }
            Ok(batch::Merged::Matrix(s)) => {
                println!(
                    "merged {} shards: {} rows ({} pairs, {} with a time) in {}; wrote {}",
                    s.shards,
                    s.rows,
                    s.pairs,
                    s.reachable,
                    s.dataset.display(),
                    a.dir.join("summary.json").display()
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => fail(e),
        },
        BatchCommand::Slurm(a) => {
            let (m, states) = match batch::manifest(&a.dir).and_then(|m| Ok((m, batch::status(&a.dir)?))) {
                Ok(x) => x,
                Err(e) => return fail(e),
            };
            // A shard another run holds is left to it: submitted again it would be refused,
            // fail the array and so cancel the merge.
            let todo: Vec<usize> = states
                .iter()
                .filter(|(_, st)| !matches!(st, ShardState::Done(_) | ShardState::Running(_)))
                .map(|(s, _)| s.index)
                .collect();
            let mut running = 0;
            for (s, st) in &states {
                if let ShardState::Running(c) = st {
                    running += 1;
                    println!(
                        "shard {}: running ({}); not submitted again: merge after it finishes",
                        s.index,
                        c.describe()
                    );
                }
            }
            if todo.is_empty() {
                match running {
                    0 => println!("every shard is done: run `pave batch merge {}`", a.dir.display()),
                    _ => println!("nothing to submit: {running} shards are running"),
                }
                return Ok(ExitCode::SUCCESS);
            }
            let pave = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("pave"));
            let minutes = a.minutes.unwrap_or_else(|| batch::time_limit(&states, 60));
            let mem_mb = a.mem_mb.unwrap_or_else(|| batch::memory_mb(&states, 4096));
            let script = batch::slurm_script(&a.dir, &m, &todo, a.parallel, &pave, (minutes, mem_mb));
            let path = a.dir.join("submit.sh");
            if let Err(e) = std::fs::write(&path, script) {
                return fail(format!("{}: {e}", path.display()));
            }
            println!(
                "wrote {}: {} shards, {minutes} min and {mem_mb} MB each; bash it on the cluster's login node",
                path.display(),
                todo.len()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
