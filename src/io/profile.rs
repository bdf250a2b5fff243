//! Reading a city profile (TOML) with errors that name the line, column and key.

use super::error::ReadError;
use crate::model::profile::CityProfile;
use crate::model::{Location, ProblemKind};
use std::path::Path;

/// Reads and parses a city profile; unknown keys and wrong types are errors with a position.
pub fn read(path: &Path) -> Result<CityProfile, ReadError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ReadError::new(path, ProblemKind::Unreadable, format!("cannot read the city profile: {e}")))?;
    parse(path, &text)
}

/// Parses profile text read from `path`.
pub fn parse(path: &Path, text: &str) -> Result<CityProfile, ReadError> {
    if text.trim().is_empty() {
        return Err(ReadError::new(
            path,
            ProblemKind::Empty,
            "the city profile is empty; see sample-data/*/profile.toml for examples",
        ));
    }
    toml::from_str(text).map_err(|e| {
        let location = e.span().map_or(Location::File, |span| line_column(text, span.start));
        ReadError::new(path, ProblemKind::Profile, e.message().trim_end_matches('.').replace('\n', " ")).at(location)
    })
}

/// 1-based line and column of byte offset `at` in `text`.
pub fn line_column(text: &str, at: usize) -> Location {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
    Location::LineColumn(line, column)
}
