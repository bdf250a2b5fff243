//! One path from a network source to a routing [`Network`]: an OpenStreetMap extract, a
//! road line layer (e.g. Digiroad), the interchange CSVs, or a network file written
//! earlier. `pave network build` and scenario networks both come through here, so the
//! same input with the same options always gives the same graph.

use super::build::{self, Dropped};
use super::profile::Speeds;
use super::{Network, store};
use crate::io::error::ReadError;
pub use crate::model::network::NetworkSource as Source;
use crate::model::network::{Mode, RawNetwork};
use crate::model::{ProblemKind, Problems};

/// How to build: the mode (for OSM and line layers), speeds and the walk to the network.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Options {
    /// Travel mode; needed by OSM and line sources, ignored by the others.
    pub mode: Option<Mode>,
    /// Walking and cycling speeds.
    pub speeds: Speeds,
    /// Speed of the straight-line walk between a point and the network, m/s (default: the
    /// walking speed).
    pub access_speed_mps: Option<f64>,
}

/// A built network and what building it found.
#[derive(Debug)]
pub struct Built {
    /// The routing network.
    pub network: Network,
    /// What the strongly-connected-component filter dropped (zero for network files).
    pub dropped: Dropped,
    /// Facts about reading the input (e.g. OSM counts), one line each.
    pub notes: Vec<String>,
    /// Seconds spent reading the input.
    pub read_secs: f64,
    /// Seconds spent building the graph.
    pub build_secs: f64,
}

/// Why a network could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A file cannot be read, or the options are wrong.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The input has data errors (every one is in the list).
    #[error("{what} has {} errors; nothing was built:\n{}", .problems.errors, list(.problems))]
    Invalid {
        /// The input.
        what: String,
        /// Its problems.
        problems: Problems,
    },
}

fn list(problems: &Problems) -> String {
    let mut lines: Vec<String> = problems.list.iter().map(|p| format!("    {p}")).collect();
    if problems.dropped() > 0 {
        lines.push(format!("    … and {} more", problems.dropped()));
    }
    lines.join("\n")
}

fn mode_for(source: &Source, options: &Options) -> Result<Mode, ReadError> {
    match options.mode {
        Some(Mode::Custom) | None => Err(ReadError::new(
            source.path(),
            ProblemKind::Profile,
            "an OpenStreetMap or line-layer network needs a travel mode: walk, bike or car",
        )),
        Some(m) => Ok(m),
    }
}

fn check_speeds(source: &Source, options: &Options) -> Result<(), ReadError> {
    let speeds = [
        ("walking speed", Some(options.speeds.walk_mps)),
        ("cycling speed", Some(options.speeds.bike_mps)),
        ("access speed", options.access_speed_mps),
    ];
    for (name, v) in speeds {
        if let Some(v) = v
            && !(v.is_finite() && v > 0.0)
        {
            return Err(ReadError::new(
                source.path(),
                ProblemKind::Profile,
                format!("the {name} must be a positive number of m/s, got {v}"),
            ));
        }
    }
    Ok(())
}

/// Reads `source` and builds its routing network: the largest strongly connected component,
/// nodes in Hilbert order. A network file is loaded as it was stored.
pub fn build(source: &Source, options: &Options) -> Result<Built, BuildError> {
    check_speeds(source, options)?;
    let started = std::time::Instant::now();
    let access = options.access_speed_mps.unwrap_or(options.speeds.walk_mps);
    let mut problems = Problems::with_limit(50);
    let mut notes = Vec::new();
    let (mut raw, what): (RawNetwork, String) = match source {
        Source::File(path) => {
            let bytes = std::fs::read(path)
                .map_err(|e| ReadError::new(path, ProblemKind::Unreadable, format!("cannot read the network: {e}")))?;
            let network =
                store::from_bytes(&bytes).map_err(|e| ReadError::new(path, ProblemKind::Parse, e.to_string()))?;
            let read_secs = started.elapsed().as_secs_f64();
            return Ok(Built { network, dropped: Dropped::default(), notes, read_secs, build_secs: 0.0 });
        }
        Source::Osm(path) => {
            let mode = mode_for(source, options)?;
            let data = crate::io::osm::read(path)?;
            let (raw, report) = super::osm::raw_network(&data, mode, &options.speeds);
            notes.push(format!(
                "read {}: {} OSM nodes, {} highway ways, {} usable for {} ({} way nodes missing from the extract)",
                path.display(),
                data.nodes_read,
                report.highway_ways,
                report.usable_ways,
                mode.name(),
                report.missing_nodes
            ));
            (raw, format!("OSM {} ({})", path.display(), mode.name()))
        }
        Source::Lines { path, layer, mapping } => {
            let mode = mode_for(source, options)?;
            let (mut table, record_problems) = crate::io::gpkg::read(path, layer.as_deref())?;
            for p in record_problems {
                problems.push(p);
            }
            super::lines::to_internal(&mut table).map_err(|e| ReadError::new(path, ProblemKind::WrongCrs, e))?;
            let raw = super::lines::raw_network(&table, mapping, mode, &options.speeds, &mut problems);
            (raw, format!("lines {} ({})", path.display(), mode.name()))
        }
        Source::Csv { nodes, edges, crs } => {
            let raw = crate::io::interchange::read(nodes, edges, *crs, access, &mut problems);
            let what = format!("interchange {} + {}", nodes.display(), edges.display());
            match raw {
                Some(raw) => (raw, what),
                None => return Err(BuildError::Invalid { what, problems }),
            }
        }
    };
    if problems.has_errors() {
        return Err(BuildError::Invalid { what, problems });
    }
    if raw.edges.is_empty() {
        let mode = options.mode.map_or("the network", |m| m.name());
        return Err(ReadError::new(source.path(), ProblemKind::Empty, format!("no ways usable for {mode}")).into());
    }
    raw.access_speed_mps = access;
    let read_secs = started.elapsed().as_secs_f64();
    let started = std::time::Instant::now();
    let (network, dropped) = build::build(&raw, &what);
    Ok(Built { network, dropped, notes, read_secs, build_secs: started.elapsed().as_secs_f64() })
}
