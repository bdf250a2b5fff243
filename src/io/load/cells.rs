//! Cell-level conversions shared by the entity loaders: typed values, codes, coordinates.
//!
//! Every conversion that fails records a [`Problem`] naming file, row, field and value.

use crate::io::crs::{Crs, Transform};
use crate::io::table::{Cell, Table};
use crate::model::validate::in_finland;
use crate::model::{Problem, ProblemKind, Problems};
use std::collections::BTreeMap;
use std::str::FromStr;

/// Marker error: the problem has already been recorded in the problem list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reported;

/// Reads cells of one table, recording problems.
pub struct Cx<'a> {
    /// The table.
    pub table: &'a Table,
    /// Where problems go.
    pub problems: &'a mut Problems,
    /// Whether ids compare case-insensitively (the profile's `case_insensitive_ids`): ids
    /// are then stored in upper case.
    pub fold_case: bool,
}

impl Cx<'_> {
    /// A problem at `row` of this table.
    pub fn problem(&self, kind: ProblemKind, row: usize, expected: impl Into<String>) -> Problem {
        Problem::error(kind, Some(self.table.path.clone()), self.table.location(row), expected)
    }

    /// A problem about the file as a whole (configuration, missing keys).
    pub fn file_problem(&self, kind: ProblemKind, expected: impl Into<String>) -> Problem {
        Problem::error(kind, Some(self.table.path.clone()), crate::model::Location::File, expected)
    }

    /// Records a problem at `row` for `field` with `value`.
    pub fn report(&mut self, kind: ProblemKind, row: usize, field: &str, value: &str, expected: impl Into<String>) {
        let mut p = self.problem(kind, row, expected).field(field);
        if !value.is_empty() {
            p = p.value(value);
        }
        self.problems.push(p);
    }

    /// Index of a required column; records a missing-column problem when absent.
    pub fn column(&mut self, name: &str, purpose: &str) -> Option<usize> {
        let found = self.table.column_index(name);
        if found.is_none() {
            let mut expected = format!("a column '{name}' ({purpose}); the file has: {}", self.table.names.join(", "));
            if self.table.names.len() == 1 && self.table.names[0].contains([';', ',', '\t']) {
                expected.push_str(" — one column whose name contains a separator: is the CSV delimiter declared right (csv.delimiter)?");
            }
            self.problems.push(Problem::error(
                ProblemKind::MissingColumn,
                Some(self.table.path.clone()),
                crate::model::Location::File,
                expected,
            ));
        }
        found
    }

    /// Index of an optional column named in the profile (`None` if not configured); a
    /// configured but absent column is a problem.
    pub fn optional_column(&mut self, name: Option<&String>, purpose: &str) -> Result<Option<usize>, Reported> {
        match name {
            None => Ok(None),
            Some(n) => self.column(n, purpose).map(Some).ok_or(Reported),
        }
    }

    /// The cell at (`col`, `row`).
    pub fn cell(&self, col: usize, row: usize) -> Cell<'_> {
        self.table.columns[col].cell(row)
    }

    /// Text of a cell without surrounding whitespace (numbers formatted), `None` when empty.
    pub fn text(&self, col: Option<usize>, row: usize) -> Option<String> {
        match self.cell(col?, row) {
            Cell::Null => None,
            Cell::Text(s) => Some(s.trim()).filter(|t| !t.is_empty()).map(str::to_owned),
            Cell::Int(i) => Some(i.to_string()),
            Cell::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(format!("{f:.0}")),
            Cell::Float(f) => Some(f.to_string()),
        }
    }

    /// An id or code: the text without surrounding whitespace, in upper case when ids
    /// compare case-insensitively; `None` when empty.
    pub fn id(&self, col: Option<usize>, row: usize) -> Option<String> {
        self.text(col, row).map(|t| id_key(&t, self.fold_case))
    }

    /// A required id; records a missing-value problem when empty.
    pub fn required_id(&mut self, col: usize, row: usize, field: &str) -> Option<String> {
        let v = self.required_text(col, row, field)?;
        Some(id_key(&v, self.fold_case))
    }

    /// A required text cell; records a missing-value problem when empty.
    pub fn required_text(&mut self, col: usize, row: usize, field: &str) -> Option<String> {
        let v = self.text(Some(col), row);
        if v.is_none() {
            let name = self.table.names[col].clone();
            self.report(ProblemKind::MissingValue, row, &name, "", format!("a value for {field}"));
        }
        v
    }

    /// The cell as written in the source: a CSV field's text, or a typed value formatted.
    pub fn written(&self, col: usize, row: usize) -> String {
        self.cell(col, row).display()
    }

    /// A finite number, honouring the table's decimal comma; `None` when empty or bad.
    /// Every problem shows the value exactly as written in the file.
    pub fn number(&mut self, col: Option<usize>, row: usize) -> Option<f64> {
        let col = col?;
        let v = match self.cell(col, row) {
            Cell::Null => return None,
            Cell::Int(i) => i as f64,
            Cell::Float(f) => f,
            Cell::Text(s) => match parse_number(s, self.table.decimal_comma) {
                Ok(v) => v,
                Err(expected) => {
                    let (name, s) = (self.table.names[col].clone(), s.to_owned());
                    self.report(ProblemKind::Parse, row, &name, &s, expected);
                    return None;
                }
            },
        };
        if !v.is_finite() {
            let (name, written) = (self.table.names[col].clone(), self.written(col, row));
            self.report(ProblemKind::NotFinite, row, &name, &written, "a finite number (not NaN or infinity)");
            return None;
        }
        Some(v)
    }

    /// A whole number in `lo..=hi`; records a problem (with the value as written) otherwise.
    pub fn whole(&mut self, col: Option<usize>, row: usize, lo: i64, hi: i64, what: &str) -> Option<i64> {
        let v = self.number(col, row)?;
        let col = col?;
        let (name, written) = (self.table.names[col].clone(), self.written(col, row));
        if v.fract() != 0.0 {
            let mut expected = format!("a whole number ({what})");
            if self.table.decimal_comma && written.contains(',') {
                expected.push_str(&format!(
                    "; the comma is this file's decimal separator: if it separates thousands, write {}",
                    written.replace([',', ' ', '\u{a0}', '\u{202f}'], "")
                ));
            }
            self.report(ProblemKind::Parse, row, &name, &written, expected);
            return None;
        }
        if v < lo as f64 || v > hi as f64 {
            self.report(ProblemKind::OutOfRange, row, &name, &written, format!("{what} between {lo} and {hi}"));
            return None;
        }
        Some(v as i64)
    }

    /// Maps a city code through `map` (or accepts a harmonised code) into `T`.
    pub fn code<T: FromStr>(
        &mut self,
        value: &str,
        map: &BTreeMap<String, String>,
        row: usize,
        field: &str,
        list: &str,
        expected: &str,
    ) -> Option<T> {
        let mapped = map.get(value).map(String::as_str).unwrap_or(value);
        match mapped.parse() {
            Ok(v) => Some(v),
            Err(_) => {
                let known: Vec<&str> = map.keys().map(String::as_str).collect();
                let hint = if known.is_empty() {
                    String::new()
                } else {
                    format!(" or a city code listed in [codes.{list}] ({})", known.join(", "))
                };
                self.report(ProblemKind::UnknownCode, row, field, value, format!("a {list} code: {expected}{hint}"));
                None
            }
        }
    }
}

/// The form in which an id is stored and compared: trimmed, and in upper case when
/// `fold_case` (the profile's `case_insensitive_ids`).
pub fn id_key(id: &str, fold_case: bool) -> String {
    let t = id.trim();
    if fold_case { t.to_uppercase() } else { t.to_owned() }
}

/// Parses a number as the declared dialect writes it: a decimal point, or a decimal comma
/// (with spaces as thousands separators) when `decimal_comma`.
///
/// A number whose form does not fit the dialect is an error, never a guess: a dot in a
/// decimal-comma file (`1.189` may be 1189 with a dot thousands separator, as SAP and
/// German-locale exports write it, or 1.189) and a comma in a decimal-point file (`1,050`
/// may be 1050 or 1.05). `NaN` and infinities parse (the caller reports them as not finite).
pub fn parse_number(s: &str, decimal_comma: bool) -> Result<f64, String> {
    let t = s.trim();
    if decimal_comma {
        if t.contains('.') {
            return Err(format!(
                "a number with a decimal comma (the file's dialect, csv.decimal = \",\"); a dot is ambiguous here: \
                 a thousands separator ({}) or a decimal point ({})? Write the number without thousands separators \
                 and with a decimal comma",
                t.replace('.', ""),
                t.replace('.', ",")
            ));
        }
        if t.matches(',').count() > 1 {
            return Err("a number with one decimal comma, e.g. 1234,5".to_owned());
        }
        let cleaned: String = t
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
            .map(|c| if c == ',' { '.' } else { c })
            .collect();
        if cleaned.is_empty() || cleaned == "." {
            return Err("a number with a decimal comma, e.g. 1234,5".to_owned());
        }
        return cleaned.parse().map_err(|_| "a number with a decimal comma, e.g. 1234,5".to_owned());
    }
    if let Ok(v) = t.parse::<f64>() {
        return Ok(v);
    }
    if t.contains(',') {
        let digits = t.replace(',', "");
        if t.matches(',').count() == 1 && digits.parse::<f64>().is_ok() {
            return Err(format!(
                "a number with a decimal point (the file's dialect); a comma is ambiguous here: a thousands \
                 separator ({digits}) or a decimal comma ({})? Write the number without thousands separators, or \
                 declare csv.decimal = \",\" if the file uses decimal commas (Finnish Excel dialect)",
                t.replace(',', ".")
            ));
        }
        return Err("a number with a decimal point; this looks like a decimal comma: declare csv.decimal = \",\" (Finnish Excel dialect)".to_owned());
    }
    Err("a number".to_owned())
}

/// Looks up a supported CRS or explains which are supported.
pub fn crs(epsg: u32) -> Result<Crs, String> {
    Crs::from_epsg(epsg).ok_or_else(|| format!("a supported coordinate system: EPSG:{epsg} is unknown; pave reads 3067 (TM35FIN), 3873–3885 (GK19–GK31, e.g. 3879 Helsinki, 3877 Turku, 3881 Kuopio), 4326 and 4258"))
}

/// The city's boundary for checking points, with the tolerance of the profile.
pub struct CityArea<'a> {
    /// City name for messages.
    pub name: &'a str,
    /// Municipality boundary, EPSG:3067.
    pub boundary: &'a geo::MultiPolygon<f64>,
    /// How far outside the boundary a point may lie, metres.
    pub tolerance_m: f64,
}

impl CityArea<'_> {
    /// `None` when (x, y) (EPSG:3067) lies inside the city (with tolerance), else the
    /// message naming the point as `written` in the source.
    pub fn outside(&self, x: f64, y: f64, written: &str) -> Option<String> {
        use geo::{Distance, Euclidean, Point};
        let d = Euclidean.distance(&Point::new(x, y), self.boundary);
        (d > self.tolerance_m).then(|| {
            format!(
                "a point inside {} (tolerance {:.0} m); ({written}) lies {:.1} km outside its boundary (at {x:.0}, {y:.0} in EPSG:3067)",
                self.name,
                self.tolerance_m,
                d / 1000.0
            )
        })
    }
}

/// Transforms a point into EPSG:3067 and checks it lies in Finland, explaining likely
/// CRS mistakes (degrees as metres, swapped axes, a missing or extra GK zone prefix).
/// Messages quote the coordinates as `written` in the source.
pub fn to_internal(from: Crs, x: f64, y: f64, written: &str) -> Result<(f64, f64), (ProblemKind, String)> {
    if !x.is_finite() || !y.is_finite() {
        return Err((ProblemKind::NotFinite, "finite coordinates (not NaN or infinity)".into()));
    }
    let t = Transform::to_internal(from);
    let (ix, iy) = t.apply(x, y);
    if in_finland(ix, iy) {
        return Ok((ix, iy));
    }
    let epsg = from.epsg();
    let swapped_in_finland = {
        let (sx, sy) = t.apply(y, x);
        in_finland(sx, sy)
    };
    let hint = if !from.is_geographic() && x.abs() <= 180.0 && y.abs() <= 90.0 {
        Some(format!(
            "coordinates in metres for EPSG:{epsg}, but ({written}) look like degrees (longitude, latitude): declare crs = 4326"
        ))
    } else if from.is_geographic() && (x.abs() > 180.0 || y.abs() > 90.0) {
        Some(format!(
            "longitude/latitude degrees for EPSG:{epsg}, but ({written}) look like metres: declare the projected CRS (3067 or the city's GK zone)"
        ))
    } else if swapped_in_finland {
        Some(format!("x = easting and y = northing, but ({written}) look swapped: exchange the x and y columns"))
    } else if epsg == 3067 && x > 1.0e7 {
        Some(format!(
            "a TM35FIN easting, but ({written}) has a GK zone prefix ({}): declare the city's GK CRS, e.g. crs = {}",
            (x / 1.0e6).floor(),
            3873 + ((x / 1.0e6).floor() as u32).saturating_sub(19)
        ))
    } else if epsg != 3067 && !from.is_geographic() && (0.0..1.0e6).contains(&x) {
        Some(format!(
            "a GK easting with its zone prefix for EPSG:{epsg}, but ({written}) has none: these look like EPSG:3067 (TM35FIN) coordinates"
        ))
    } else {
        None
    };
    Err(match hint {
        Some(h) => (ProblemKind::WrongCrs, h),
        None => (
            ProblemKind::OutsideFinland,
            format!(
                "a point inside Finland; ({written}) in EPSG:{epsg} is at ({ix:.0}, {iy:.0}) in EPSG:3067, outside Finland"
            ),
        ),
    })
}

/// Parses an age band: `7`, `0-9`, `0–9`, `65+`, `65-`, `100+` (100 means 100 and older).
pub fn parse_age_band(s: &str) -> Option<(u8, u8)> {
    let t = s.trim().replace(['–', '—'], "-");
    let open = crate::model::population::OPEN_AGE;
    if let Some(lo) = t.strip_suffix('+').or_else(|| t.strip_suffix('-')) {
        let lo: u8 = lo.trim().parse().ok()?;
        return (lo <= open).then_some((lo, open));
    }
    if let Some((a, b)) = t.split_once('-') {
        let (a, b): (u8, u8) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
        return (a <= b && b <= open).then_some((a, b));
    }
    let a: u8 = t.parse().ok()?;
    (a <= open).then_some((a, a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_bands() {
        assert_eq!(parse_number("1 234,5", true), Ok(1234.5));
        // A dot in a decimal-comma file and a comma in a decimal-point file are ambiguous.
        assert!(parse_number("1.189", true).unwrap_err().contains("1189"));
        assert!(parse_number("1,050", false).unwrap_err().contains("(1050)"));
        assert!(parse_number("1,2,3", true).is_err());
        assert_eq!(parse_number("-3,25", true), Ok(-3.25));
        assert!(parse_number("1,5", false).unwrap_err().contains("decimal comma"));
        assert!(parse_number("NaN", false).unwrap().is_nan());
        assert_eq!(parse_age_band("0–9"), Some((0, 9)));
        assert_eq!(parse_age_band("65+"), Some((65, 100)));
        assert_eq!(parse_age_band("7"), Some((7, 7)));
        assert_eq!(parse_age_band("9-3"), None);
    }

    #[test]
    fn crs_mistakes_are_explained() {
        let gk25 = Crs::from_epsg(3879).unwrap();
        let tm35 = Crs::from_epsg(3067).unwrap();
        let wgs = Crs::from_epsg(4326).unwrap();
        let at = |c, x: f64, y: f64| to_internal(c, x, y, &format!("{x}, {y}"));
        assert!(at(gk25, 25_497_347.6, 6_672_952.2).is_ok());
        assert!(at(gk25, 24.95, 60.17).unwrap_err().1.contains("degrees"));
        assert!(at(wgs, 60.17, 24.95).unwrap_err().1.contains("swapped"));
        assert!(at(wgs, 386_376.0, 6_672_043.0).unwrap_err().1.contains("metres"));
        assert!(at(tm35, 25_497_347.6, 6_672_952.2).unwrap_err().1.contains("3879"));
        assert!(at(gk25, 386_376.0, 6_672_043.0).unwrap_err().1.contains("3067"));
        assert_eq!(at(wgs, 18.07, 59.33).unwrap_err().0, ProblemKind::OutsideFinland);
    }
}
