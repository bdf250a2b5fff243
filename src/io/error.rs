//! Typed errors of readers and writers; each names the file and, where known, the place.

use crate::model::{Location, Problem, ProblemKind};
use std::path::PathBuf;

/// A file that could not be read as a whole (record-level problems are [`Problem`]s).
#[derive(Debug, thiserror::Error)]
#[error("{}{}: {message}", path.display(), location_suffix(location))]
pub struct ReadError {
    /// The file.
    pub path: PathBuf,
    /// Where in the file, if known.
    pub location: Location,
    /// What kind of failure.
    pub kind: ProblemKind,
    /// What went wrong and what was expected.
    pub message: String,
}

fn location_suffix(location: &Location) -> String {
    match location {
        Location::File => String::new(),
        other => format!(": {other}"),
    }
}

impl ReadError {
    /// A file-level error.
    pub fn new(path: impl Into<PathBuf>, kind: ProblemKind, message: impl Into<String>) -> Self {
        ReadError { path: path.into(), location: Location::File, kind, message: message.into() }
    }

    /// The same error at `location`.
    pub fn at(mut self, location: Location) -> Self {
        self.location = location;
        self
    }

    /// As a problem for a validation report.
    pub fn into_problem(self) -> Problem {
        Problem::error(self.kind, Some(self.path), self.location, self.message)
    }
}

/// A file that could not be written; nothing is left at the target path.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {message}", path.display())]
pub struct WriteError {
    /// The target file.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

impl WriteError {
    /// A write error for `path`.
    pub fn new(path: impl Into<PathBuf>, message: impl std::fmt::Display) -> Self {
        WriteError { path: path.into(), message: message.to_string() }
    }
}
