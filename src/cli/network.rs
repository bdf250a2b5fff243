//! `pave network build | info`.

use crate::io::atomic;
use crate::model::network::{LineMapping, Mode};
use crate::network::profile::Speeds;
use crate::network::source::{Options, Source};
use crate::network::{Network, store};
use anyhow::{Context, bail};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Parses a travel mode for OSM and line-layer networks.
fn parse_mode(s: &str) -> Result<Mode, String> {
    match s.parse::<Mode>()? {
        Mode::Custom => Err("custom is the mode of --csv networks; give walk, bike or car".to_owned()),
        m => Ok(m),
    }
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
    /// Mode for OSM and line input: which ways are usable, directions and speeds:
    /// walk (1.2 m/s), bike (4.2 m/s = 15 km/h) or car (maxspeed, or Finnish defaults by
    /// road class).
    #[arg(long, value_parser = parse_mode, value_name = "walk|bike|car")]
    pub mode: Option<Mode>,
    /// Walking speed, m/s (OSM walk networks and the walk to the network).
    #[arg(long, default_value_t = 1.2, value_name = "M/S")]
    pub walk_speed: f64,
    /// Cycling speed, m/s.
    #[arg(long, default_value_t = 4.2, value_name = "M/S")]
    pub bike_speed: f64,
    /// Interchange network: nodes.csv (id,x,y in EPSG:3067 unless --crs says otherwise) and
    /// edges.csv (from,to,length_m,time_s, one row per directed edge).
    #[arg(long, num_args = 2, value_names = ["NODES", "EDGES"])]
    pub csv: Option<Vec<PathBuf>>,
    /// EPSG code of the --csv node coordinates, e.g. 4326 for longitude/latitude or 3879
    /// for Helsinki's GK25; they are converted to EPSG:3067. Nodes outside Finland are errors.
    #[arg(long, default_value_t = 3067, value_name = "EPSG")]
    pub crs: u32,
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
fn load(path: &Path) -> anyhow::Result<Network> {
    Ok(crate::engine::routing::load_network(path)?)
}

/// Runs `pave network build`.
pub fn run_build(args: &BuildArgs) -> anyhow::Result<ExitCode> {
    let source = match (&args.csv, &args.osm, &args.lines) {
        (Some(files), _, _) => Source::Csv { nodes: files[0].clone(), edges: files[1].clone(), crs: args.crs },
        (None, Some(pbf), _) => Source::Osm(pbf.clone()),
        (None, None, Some(path)) => {
            let mapping = if args.mapping == "digiroad" {
                LineMapping::digiroad()
            } else {
                let text = std::fs::read_to_string(&args.mapping)
                    .with_context(|| format!("cannot read the line mapping {}", args.mapping))?;
                toml::from_str(&text).with_context(|| format!("line mapping {}", args.mapping))?
            };
            Source::Lines { path: path.clone(), layer: args.layer.clone(), mapping: Box::new(mapping) }
        }
        (None, None, None) => {
            bail!("give the input: --osm PBF --mode MODE, --lines GPKG --mode MODE, or --csv NODES EDGES")
        }
    };
    if source.needs_mode() && args.mode.is_none() {
        bail!("--osm and --lines need --mode walk, bike or car");
    }
    let options = Options {
        mode: args.mode,
        speeds: Speeds { walk_mps: args.walk_speed, bike_mps: args.bike_speed },
        access_speed_mps: args.access_speed,
    };
    let (built, shortcuts) = match crate::engine::routing::build_network(&source, &options, args.contract) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("pave: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    for note in &built.notes {
        eprintln!("{note}");
    }
    if let Some(n) = shortcuts {
        eprintln!("contraction hierarchy: {n} shortcuts");
    }
    let (net, dropped, build_secs) = (built.network, built.dropped, built.build_secs);
    let started = std::time::Instant::now();
    atomic::write_bytes(&args.out, &store::to_bytes(&net))?;
    eprintln!(
        "wrote {}: {} nodes, {} directed edges, mode {} (kept the largest of {} strongly connected components; dropped {} nodes, {} edges; {} duplicate or self-loop edges removed); read {:.2} s · build {build_secs:.2} s · write {:.2} s",
        args.out.display(),
        net.node_count(),
        net.edge_count(),
        net.meta.mode.name(),
        dropped.components,
        dropped.nodes,
        dropped.edges,
        dropped.duplicate_edges,
        built.read_secs,
        started.elapsed().as_secs_f64()
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
