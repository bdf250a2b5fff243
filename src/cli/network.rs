//! `pave network build | info`.

use crate::io::atomic;
use crate::model::Problems;
use crate::network::{Network, build, store};
use anyhow::{Context, bail};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Travel mode on the command line.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum ModeArg {
    /// Walking (1.2 m/s by default).
    Walk,
    /// Cycling (4.2 m/s = 15 km/h by default).
    Bike,
    /// Driving (maxspeed, or Finnish defaults by road class).
    Car,
}

/// Arguments of `pave network build`.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// OpenStreetMap PBF extract (e.g. sample-data/helsinki/helsinki-center.osm.pbf).
    #[arg(long, value_name = "PBF", conflicts_with_all = ["csv", "lines"])]
    pub osm: Option<PathBuf>,
    /// Line layer (GeoPackage) of roads, read with --mapping (e.g. a Digiroad extract).
    #[arg(long, value_name = "GPKG", conflicts_with = "csv")]
    pub lines: Option<PathBuf>,
    /// Layer of --lines when the GeoPackage has several.
    #[arg(long, value_name = "NAME")]
    pub layer: Option<String>,
    /// Field mapping of --lines: `digiroad` (built in) or a TOML file (schemas/line-mapping.schema.json).
    #[arg(long, default_value = "digiroad", value_name = "MAPPING")]
    pub mapping: String,
    /// Mode for OSM input: which ways are usable, directions and speeds.
    #[arg(long, value_enum, required_if_eq("osm", "osm"))]
    pub mode: Option<ModeArg>,
    /// Walking speed, m/s (OSM walk networks and the walk to the network).
    #[arg(long, default_value_t = 1.2, value_name = "M/S")]
    pub walk_speed: f64,
    /// Cycling speed, m/s.
    #[arg(long, default_value_t = 4.2, value_name = "M/S")]
    pub bike_speed: f64,
    /// Interchange network: nodes.csv (id,x,y in EPSG:3067) and edges.csv
    /// (from,to,length_m,time_s, one row per directed edge).
    #[arg(long, num_args = 2, value_names = ["NODES", "EDGES"])]
    pub csv: Option<Vec<PathBuf>>,
    /// Speed for the straight-line walk between a point and the network, m/s
    /// (default 1.2, about 4.3 km/h).
    #[arg(long, value_name = "M/S")]
    pub access_speed: Option<f64>,
    /// Also build a contraction hierarchy and store it in the file, so `pave matrix` can use
    /// PHAST trees: worth it for large matrices (thousands of origins), costs build time.
    #[arg(long)]
    pub contract: bool,
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
    let started = std::time::Instant::now();
    let mut problems = Problems::with_limit(50);
    let speed = args.access_speed.unwrap_or(1.2);
    if !(speed.is_finite() && speed > 0.0) {
        bail!("--access-speed must be a positive number of m/s, got {speed}");
    }
    let mode_of = |m: Option<ModeArg>| -> anyhow::Result<crate::model::network::Mode> {
        Ok(match m {
            Some(ModeArg::Walk) => crate::model::network::Mode::Walk,
            Some(ModeArg::Bike) => crate::model::network::Mode::Bike,
            Some(ModeArg::Car) => crate::model::network::Mode::Car,
            None => bail!("--osm and --lines need --mode walk, bike or car"),
        })
    };
    if let Some(path) = &args.lines {
        let mode = mode_of(args.mode)?;
        let mapping = if args.mapping == "digiroad" {
            crate::network::lines::LineMapping::digiroad()
        } else {
            let text = std::fs::read_to_string(&args.mapping)
                .with_context(|| format!("cannot read the line mapping {}", args.mapping))?;
            toml::from_str(&text).with_context(|| format!("line mapping {}", args.mapping))?
        };
        let (mut table, record_problems) = crate::io::gpkg::read(path, args.layer.as_deref())?;
        for p in record_problems {
            problems.push(p);
        }
        crate::network::lines::to_internal(&mut table).map_err(anyhow::Error::msg)?;
        let speeds = crate::network::profile::Speeds { walk_mps: args.walk_speed, bike_mps: args.bike_speed };
        let mut raw = crate::network::lines::raw_network(&table, &mapping, mode, &speeds, &mut problems);
        raw.access_speed_mps = args.access_speed.unwrap_or(args.walk_speed);
        if problems.has_errors() {
            eprintln!("pave: {} has {} errors; nothing written:", path.display(), problems.errors);
            print_problems(&problems);
            return Ok(ExitCode::from(1));
        }
        let source = format!("lines {} ({}, mapping {})", path.display(), mode.name(), args.mapping);
        return finish(args, raw, source, started.elapsed().as_secs_f64());
    }
    let (raw, source) = match (&args.csv, &args.osm) {
        (Some(files), _) => {
            let raw = crate::io::interchange::read(&files[0], &files[1], speed, &mut problems);
            (raw, format!("interchange {} + {}", files[0].display(), files[1].display()))
        }
        (None, Some(pbf)) => {
            let mode = mode_of(args.mode)?;
            for (name, v) in [("--walk-speed", args.walk_speed), ("--bike-speed", args.bike_speed)] {
                if !(v.is_finite() && v > 0.0) {
                    bail!("{name} must be a positive number of m/s, got {v}");
                }
            }
            let started = std::time::Instant::now();
            let data = crate::io::osm::read(pbf)?;
            let speeds = crate::network::profile::Speeds { walk_mps: args.walk_speed, bike_mps: args.bike_speed };
            let (mut raw, report) = crate::network::osm::raw_network(&data, mode, &speeds);
            raw.access_speed_mps = args.access_speed.unwrap_or(args.walk_speed);
            let secs = started.elapsed().as_secs_f64();
            eprintln!(
                "read {}: {} OSM nodes, {} highway ways, {} usable for {} ({} way nodes missing from the extract) in {secs:.2} s ({:.1} M nodes/s)",
                pbf.display(),
                data.nodes_read,
                report.highway_ways,
                report.usable_ways,
                mode.name(),
                report.missing_nodes,
                data.nodes_read as f64 / secs.max(1e-9) / 1e6
            );
            if raw.edges.is_empty() {
                eprintln!("pave: {} has no ways usable for {}; nothing written", pbf.display(), mode.name());
                return Ok(ExitCode::from(1));
            }
            (Some(raw), format!("OSM {} ({})", pbf.display(), mode.name()))
        }
        (None, None) => bail!("give the input: --osm PBF --mode MODE, or --csv NODES EDGES"),
    };
    let Some(raw) = raw else {
        eprintln!("pave: the network input has {} errors; nothing written:", problems.errors);
        print_problems(&problems);
        return Ok(ExitCode::from(1));
    };
    finish(args, raw, source, started.elapsed().as_secs_f64())
}

/// Builds, optionally contracts, and writes the network; `read_secs` is the time spent
/// reading the input, for the closing report.
fn finish(
    args: &BuildArgs,
    raw: crate::model::network::RawNetwork,
    source: String,
    read_secs: f64,
) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    if raw.edges.is_empty() {
        eprintln!("pave: the network has no usable edges; nothing written");
        return Ok(ExitCode::from(1));
    }
    let (mut net, dropped) = build::build(&raw, &source);
    if args.contract {
        let started = std::time::Instant::now();
        let h = crate::routing::ch::build(&net.forward);
        eprintln!("contraction hierarchy: {} shortcuts in {:.1} s", h.shortcuts, started.elapsed().as_secs_f64());
        net.hierarchy = Some(h);
    }
    let build_secs = started.elapsed().as_secs_f64();
    atomic::write_bytes(&args.out, &store::to_bytes(&net))?;
    eprintln!(
        "wrote {}: {} nodes, {} directed edges (kept the largest of {} strongly connected components; dropped {} nodes, {} edges; {} duplicate or self-loop edges removed); read {read_secs:.2} s · build {build_secs:.2} s · write {:.2} s",
        args.out.display(),
        net.node_count(),
        net.edge_count(),
        dropped.components,
        dropped.nodes,
        dropped.edges,
        dropped.duplicate_edges,
        started.elapsed().as_secs_f64() - build_secs
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
    if let Some(h) = &net.hierarchy {
        writeln!(
            out,
            "  hierarchy:   contraction hierarchy with {} shortcuts ({} up, {} down edges): matrices use PHAST",
            h.shortcuts,
            h.up_out.edge_count(),
            h.down_in.edge_count()
        )?;
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

/// Arguments of `pave network export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Network file.
    pub network: PathBuf,
    /// Output GeoPackage with one line feature per directed edge (EPSG:3067).
    #[arg(long, value_name = "GPKG")]
    pub out: PathBuf,
}

/// Runs `pave network export`.
pub fn run_export(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    use crate::io::{GeometryKind, OutColumn, OutGeometry, OutTable};
    let net = load(&args.network)?;
    let m = net.edge_count();
    let tails: Vec<u32> = (0..net.node_count() as u32).flat_map(|u| net.forward.edges(u).map(move |_| u)).collect();
    let mut t = OutTable::new("edges")
        .with("from_node", OutColumn::Int(tails.iter().map(|&u| Some(net.node_id[u as usize])).collect()))
        .with("to_node", OutColumn::Int(net.forward.head.iter().map(|&v| Some(net.node_id[v as usize])).collect()))
        .with("length_m", OutColumn::Float(net.length_m.iter().map(|&l| Some(f64::from(l))).collect()))
        .with("time_s", OutColumn::Float(net.forward.weight.iter().map(|&w| Some(f64::from(w) / 1000.0)).collect()))
        .with(
            "speed_kmh",
            OutColumn::Float(
                (0..m)
                    .map(|e| {
                        (net.forward.weight[e] > 0)
                            .then(|| f64::from(net.length_m[e]) / (f64::from(net.forward.weight[e]) / 1000.0) * 3.6)
                    })
                    .collect(),
            ),
        )
        .with(
            "class",
            OutColumn::Text(
                net.class
                    .iter()
                    .map(|&c| Some(crate::model::network::RoadClass::from_code(c).name().to_owned()))
                    .collect(),
            ),
        )
        .with("mode", OutColumn::Text(vec![Some(net.meta.mode.name().to_owned()); m]));
    t.geometry = Some(OutGeometry {
        kind: GeometryKind::LineString,
        epsg: 3067,
        values: (0..m).map(|e| Some(geo::Geometry::LineString(net.polyline(e).into()))).collect(),
    });
    crate::io::gpkg::write(&args.out, &[t])?;
    eprintln!("wrote {}: {m} directed edges", args.out.display());
    Ok(ExitCode::SUCCESS)
}
