//! `pave network build | info`.

use crate::io::atomic;
use crate::model::Problems;
use crate::network::{Network, build, store};
use anyhow::{Context, bail};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `pave network build`.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// Interchange network: nodes.csv (id,x,y in EPSG:3067) and edges.csv
    /// (from,to,length_m,time_s, one row per directed edge).
    #[arg(long, num_args = 2, value_names = ["NODES", "EDGES"])]
    pub csv: Option<Vec<PathBuf>>,
    /// Speed for the straight-line walk between a point and the network, m/s
    /// (default 1.2, about 4.3 km/h).
    #[arg(long, value_name = "M/S")]
    pub access_speed: Option<f64>,
    /// Output network file (e.g. helsinki-walk.pavenet).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// Arguments of `pave network info`.
#[derive(Debug, clap::Args)]
pub struct InfoArgs {
    /// Network file.
    pub network: PathBuf,
}

/// Loads a network file with a message that names it.
pub fn load(path: &Path) -> anyhow::Result<Network> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read network file {}", path.display()))?;
    store::from_bytes(&bytes).with_context(|| format!("{}", path.display()))
}

fn print_problems(problems: &Problems) {
    for p in &problems.list {
        eprintln!("    {p}");
    }
    if problems.dropped() > 0 {
        eprintln!("    … and {} more", problems.dropped());
    }
}

/// Runs `pave network build`.
pub fn run_build(args: &BuildArgs) -> anyhow::Result<ExitCode> {
    let mut problems = Problems::with_limit(50);
    let speed = args.access_speed.unwrap_or(1.2);
    if !(speed.is_finite() && speed > 0.0) {
        bail!("--access-speed must be a positive number of m/s, got {speed}");
    }
    let (raw, source) = match &args.csv {
        Some(files) => {
            let raw = crate::io::interchange::read(&files[0], &files[1], speed, &mut problems);
            (raw, format!("interchange {} + {}", files[0].display(), files[1].display()))
        }
        None => bail!("give the input: --csv NODES EDGES"),
    };
    let Some(raw) = raw else {
        eprintln!("pave: the network input has {} errors; nothing written:", problems.errors);
        print_problems(&problems);
        return Ok(ExitCode::from(1));
    };
    if raw.edges.is_empty() {
        eprintln!("pave: the network has no usable edges; nothing written");
        return Ok(ExitCode::from(1));
    }
    let (net, dropped) = build::build(&raw, &source);
    atomic::write_bytes(&args.out, &store::to_bytes(&net))?;
    eprintln!(
        "wrote {}: {} nodes, {} directed edges (kept the largest of {} strongly connected components; dropped {} nodes, {} edges; {} duplicate or self-loop edges removed)",
        args.out.display(),
        net.node_count(),
        net.edge_count(),
        dropped.components,
        dropped.nodes,
        dropped.edges,
        dropped.duplicate_edges
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs `pave network info`.
pub fn run_info(args: &InfoArgs) -> anyhow::Result<ExitCode> {
    let net = load(&args.network)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", args.network.display())?;
    writeln!(out, "  mode:        {} (access speed {} m/s)", net.meta.mode.name(), net.meta.access_speed_mps)?;
    writeln!(out, "  source:      {}", net.meta.source)?;
    writeln!(out, "  nodes:       {}", net.node_count())?;
    writeln!(out, "  edges:       {} directed", net.edge_count())?;
    writeln!(
        out,
        "  components:  {} in the input; kept the largest, dropped {} nodes and {} edges",
        net.meta.components, net.meta.dropped_nodes, net.meta.dropped_edges
    )?;
    if let Some(e) = net.extent() {
        writeln!(out, "  extent:      E {:.0}–{:.0}, N {:.0}–{:.0} (EPSG:3067)", e[0], e[2], e[1], e[3])?;
    }
    let km: f64 = net.length_by_class().iter().map(|c| c.1).sum();
    writeln!(out, "  length:      {km:.1} km of directed edges")?;
    for (class, k) in net.length_by_class() {
        writeln!(out, "    {:<14} {k:>10.1} km", class.name())?;
    }
    let per_edge = net.routing_memory_bytes() as f64 / net.edge_count().max(1) as f64;
    writeln!(
        out,
        "  memory:      {:.1} MB routing ({per_edge:.1} bytes per directed edge) + {:.1} MB geometry",
        net.routing_memory_bytes() as f64 / 1e6,
        net.geometry_memory_bytes() as f64 / 1e6
    )?;
    Ok(ExitCode::SUCCESS)
}
