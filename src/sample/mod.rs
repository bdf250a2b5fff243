//! Deterministic generator of the SYNTHETIC parts of `sample-data/`.
//!
//! Real Turku and Kuopio networks, populations and unit lists, and Helsinki's daycares,
//! premises and forecasts are not openly available here, so they are generated — seeded,
//! inside the real municipal boundaries, in each city's own conventions — and every file
//! carries SYNTHETIC in its name. Regenerate with `pave sample --out sample-data`; a test
//! checks that the committed files equal the generator's output byte for byte.

mod common;
mod demography;
mod helsinki;
mod kuopio;
mod network;
pub mod rng;
pub mod roads;
mod turku;
mod units;

use crate::io::load::read_boundary;
use crate::io::{OutColumn, OutTable, WriteError};
use crate::model::profile::CsvDialect;
use std::path::{Path, PathBuf};

/// `last_change` written into sample GeoPackages, so regenerated files are byte-identical.
pub const SAMPLE_TIMESTAMP: &str = "2025-01-01T00:00:00.000Z";

/// Files written so far.
type Written = Vec<PathBuf>;

fn text_col<'a>(values: impl IntoIterator<Item = &'a str>) -> OutColumn {
    OutColumn::Text(values.into_iter().map(|v| Some(v.to_owned())).collect())
}

fn csv_finnish(dir: &Path, name: &str, table: &OutTable, written: &mut Written) -> Result<(), WriteError> {
    let path = dir.join(name);
    crate::io::csv::write(&path, table, &CsvDialect::finnish_excel())?;
    written.push(path);
    Ok(())
}

/// Regenerates every SYNTHETIC file under `root` (which holds `helsinki/`, `turku/`,
/// `kuopio/` with their real boundary and grid files) and returns the paths written.
pub fn generate_all(root: &Path) -> Result<Vec<PathBuf>, WriteError> {
    let mut written = Vec::new();
    helsinki::generate(&root.join("helsinki"), &mut written)?;
    for (city, file) in
        [("turku", "turku-municipality-boundary-2023.geojson"), ("kuopio", "kuopio-municipality-boundary-2023.geojson")]
    {
        let dir = root.join(city);
        let path = dir.join(file);
        let boundary = read_boundary(&path).map_err(|e| WriteError::new(&path, e))?;
        if city == "turku" {
            turku::generate(&dir, &boundary, &mut written)?;
        } else {
            kuopio::generate(&dir, &boundary, &mut written)?;
        }
    }
    Ok(written)
}
