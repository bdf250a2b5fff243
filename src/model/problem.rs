//! Data problems found while reading or validating: each names file, place, field and value.

use super::origin::Location;
use std::fmt;
use std::path::PathBuf;

/// How serious a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The data is wrong; `pave validate` exits 1 and exports refuse to run.
    Error,
    /// Worth a look, the data is still usable (e.g. a library with no capacity).
    Warning,
}

/// What kind of problem; stable codes so scripts and tests can match on them.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProblemKind {
    /// The file cannot be opened or is not of its declared format (corrupt, truncated).
    Unreadable,
    /// The file has no content or no data rows.
    Empty,
    /// The text is not valid in the declared encoding.
    Encoding,
    /// A column named in the profile is not in the file.
    MissingColumn,
    /// A value cannot be parsed as the expected type.
    Parse,
    /// A required value is empty.
    MissingValue,
    /// A code is not in the city's code map nor a harmonised code.
    UnknownCode,
    /// A number is NaN or infinite.
    NotFinite,
    /// A number is out of its allowed range (capacity ≤ 0, negative area, class 7, …).
    OutOfRange,
    /// The same id occurs twice.
    DuplicateId,
    /// A coordinate system is unknown or coordinates look like another one.
    WrongCrs,
    /// A point or area lies outside Finland after transformation.
    OutsideFinland,
    /// A point lies outside the city's boundary.
    OutsideCity,
    /// A polygon is not valid (self-intersection, too few points, …).
    InvalidGeometry,
    /// A reference points at a record that does not exist.
    MissingReference,
    /// A year is outside the range the profile declares.
    YearOutOfRange,
    /// The profile itself is wrong (unknown key, bad value).
    Profile,
    /// Values of one record contradict each other (a total that is not the sum of its parts).
    Inconsistent,
    /// The same record (e.g. area × year × age × language group) occurs twice.
    DuplicateRecord,
    /// Places no child can ever take (a language no language group may take).
    UnusablePlaces,
}

impl ProblemKind {
    /// Short stable code, e.g. `missing-column`.
    pub fn code(self) -> &'static str {
        match self {
            ProblemKind::Unreadable => "unreadable",
            ProblemKind::Empty => "empty",
            ProblemKind::Encoding => "encoding",
            ProblemKind::MissingColumn => "missing-column",
            ProblemKind::Parse => "parse",
            ProblemKind::MissingValue => "missing-value",
            ProblemKind::UnknownCode => "unknown-code",
            ProblemKind::NotFinite => "not-finite",
            ProblemKind::OutOfRange => "out-of-range",
            ProblemKind::DuplicateId => "duplicate-id",
            ProblemKind::WrongCrs => "wrong-crs",
            ProblemKind::OutsideFinland => "outside-finland",
            ProblemKind::OutsideCity => "outside-city",
            ProblemKind::InvalidGeometry => "invalid-geometry",
            ProblemKind::MissingReference => "missing-reference",
            ProblemKind::YearOutOfRange => "year-out-of-range",
            ProblemKind::Profile => "profile",
            ProblemKind::Inconsistent => "inconsistent",
            ProblemKind::DuplicateRecord => "duplicate-record",
            ProblemKind::UnusablePlaces => "unusable-places",
        }
    }
}

/// One problem with the data, ready to show to a person.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// Kind of problem.
    pub kind: ProblemKind,
    /// File the problem is in.
    pub file: Option<PathBuf>,
    /// Row, feature or key inside the file.
    pub location: Location,
    /// Field (column) concerned.
    pub field: Option<String>,
    /// The offending value as found.
    pub value: Option<String>,
    /// What was expected instead, or what is wrong, in words.
    pub expected: String,
}

impl Problem {
    /// An error of `kind` in `file` at `location` with an explanation.
    pub fn error(kind: ProblemKind, file: Option<PathBuf>, location: Location, expected: impl Into<String>) -> Self {
        Problem { severity: Severity::Error, kind, file, location, field: None, value: None, expected: expected.into() }
    }

    /// Names the field concerned.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Names the offending value.
    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
        self
    }

    /// Downgrades to a warning.
    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{severity}[{}]: ", self.kind.code())?;
        if let Some(file) = &self.file {
            write!(f, "{}: ", file.display())?;
        }
        if self.location != Location::File {
            write!(f, "{}: ", self.location)?;
        }
        match (&self.field, &self.value) {
            (Some(field), Some(value)) => write!(f, "field '{field}' = '{value}': ")?,
            (Some(field), None) => write!(f, "field '{field}': ")?,
            (None, Some(value)) => write!(f, "value '{value}': ")?,
            (None, None) => {}
        }
        f.write_str(&self.expected)
    }
}

/// A growing list of problems with a cap on how many are kept.
#[derive(Clone, Debug, Default)]
pub struct Problems {
    /// Problems kept, in the order found.
    pub list: Vec<Problem>,
    /// Errors found, including any beyond the cap.
    pub errors: usize,
    /// Warnings found, including any beyond the cap.
    pub warnings: usize,
    /// How many to keep (0 = unlimited).
    pub limit: usize,
}

impl Problems {
    /// An empty list that keeps at most `limit` problems (0 = all).
    pub fn with_limit(limit: usize) -> Self {
        Problems { limit, ..Default::default() }
    }

    /// Records a problem.
    pub fn push(&mut self, problem: Problem) {
        match problem.severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
        }
        if self.limit == 0 || self.list.len() < self.limit {
            self.list.push(problem);
        }
    }

    /// Whether any error was found.
    pub fn has_errors(&self) -> bool {
        self.errors > 0
    }

    /// How many problems were found but not kept.
    pub fn dropped(&self) -> usize {
        self.errors + self.warnings - self.list.len()
    }
}
