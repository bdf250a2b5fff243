//! CSV in and out, in both dialects the cities use: comma with decimal point, and Finnish
//! Excel's semicolon with decimal comma; UTF-8 (BOM or not) or Windows-1252.

use super::atomic;
use super::encoding::{decode, encode_cp1252};
use super::error::{ReadError, WriteError};
use super::out::{OutColumn, OutTable};
use super::table::{Column, RecordNumbers, Table, TextColumn};
use crate::model::profile::{CsvDialect, Encoding};
use crate::model::{Location, Problem, ProblemKind};
use std::path::Path;

/// Reads a CSV file into a [`Table`] of text columns.
///
/// Rows whose field count differs from the header are reported as problems and skipped;
/// the file as a whole fails only when it cannot be read, decoded, or has no data rows.
pub fn read(path: &Path, dialect: &CsvDialect) -> Result<(Table, Vec<Problem>), ReadError> {
    let bytes =
        std::fs::read(path).map_err(|e| ReadError::new(path, ProblemKind::Unreadable, format!("cannot open: {e}")))?;
    read_bytes(path, &bytes, dialect)
}

/// Reads CSV content already in memory (see [`read`]).
pub fn read_bytes(path: &Path, bytes: &[u8], dialect: &CsvDialect) -> Result<(Table, Vec<Problem>), ReadError> {
    let text = decode(path, bytes, dialect.encoding)?;
    if text.trim().is_empty() {
        return Err(ReadError::new(path, ProblemKind::Empty, "the file is empty; expected a header row and data rows"));
    }
    let delimiter = u8::try_from(dialect.delimiter)
        .map_err(|_| ReadError::new(path, ProblemKind::Profile, "the CSV delimiter must be an ASCII character"))?;
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).has_headers(true).from_reader(text.as_bytes());
    let names: Vec<String> = reader
        .byte_headers()
        .map_err(|e| ReadError::new(path, ProblemKind::Unreadable, format!("cannot read the header: {e}")))?
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_owned())
        .collect();
    let width = names.len();
    let mut columns: Vec<TextColumn> = vec![TextColumn::default(); width];
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    let mut record = csv::ByteRecord::new();
    // Line numbers come from byte offsets: the csv crate does not count skipped blank lines.
    let bytes_in = text.as_bytes();
    let (mut scanned, mut line_at) = (0usize, 1u64);
    let mut line_of = |offset: u64| -> u64 {
        let mut offset = (offset as usize).min(bytes_in.len());
        // A record's offset may point at the blank lines skipped before it.
        while offset < bytes_in.len() && matches!(bytes_in[offset], b'\n' | b'\r') {
            offset += 1;
        }
        if offset > scanned {
            line_at += bytes_in[scanned..offset].iter().filter(|&&b| b == b'\n').count() as u64;
            scanned = offset;
        }
        line_at
    };
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| line_of(p.byte()));
                return Err(ReadError::new(path, ProblemKind::Unreadable, format!("malformed CSV: {e}"))
                    .at(Location::Line(line)));
            }
        }
        let line = record.position().map_or(0, |p| line_of(p.byte()));
        if record.len() == 1 && record.get(0).is_some_and(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        if record.len() != width {
            problems.push(field_count_problem(path, line, record.len(), width, dialect, &names));
            continue;
        }
        for (column, field) in columns.iter_mut().zip(record.iter()) {
            // Decoding above guarantees UTF-8 and fields split at ASCII delimiters.
            column.push(std::str::from_utf8(field).unwrap_or_default().trim());
        }
        lines.push(line);
    }
    if lines.is_empty() && problems.is_empty() {
        return Err(ReadError::new(
            path,
            ProblemKind::Empty,
            format!("the file has a header ({}) but no data rows", names.join(&dialect.delimiter.to_string())),
        ));
    }
    let table = Table {
        path: path.to_owned(),
        names,
        len: lines.len(),
        columns: columns.into_iter().map(Column::Text).collect(),
        geometry: None,
        crs: None,
        records: RecordNumbers::Lines(lines),
        decimal_comma: dialect.decimal == ',',
    };
    Ok((table, problems))
}

fn field_count_problem(
    path: &Path,
    line: u64,
    found: usize,
    width: usize,
    dialect: &CsvDialect,
    names: &[String],
) -> Problem {
    let mut expected = format!("{width} fields as in the header, found {found}");
    if dialect.delimiter == ',' && found > width {
        expected.push_str("; a decimal comma in a comma-separated file? Quote such values or use the Finnish dialect (csv.delimiter = \";\", csv.decimal = \",\")");
    } else if width == 1 && names.first().is_some_and(|n| n.contains(';') || n.contains(',')) {
        expected.push_str("; is the delimiter declared right?");
    }
    Problem::error(ProblemKind::Parse, Some(path.to_owned()), Location::Line(line), expected)
}

/// Formats a number for a CSV dialect: rounded to `decimals` (or to at most 6 decimals
/// with trailing zeros dropped, so no float noise such as `136,92000000000002` reaches a
/// spreadsheet), never `-0`, with a decimal comma where the dialect uses one.
pub fn format_float(value: f64, decimals: Option<u8>, dialect: &CsvDialect) -> String {
    let mut s = match decimals {
        Some(d) => format!("{:.*}", usize::from(d), value),
        None => {
            let t = format!("{value:.6}");
            if t.contains('.') { t.trim_end_matches('0').trim_end_matches('.').to_owned() } else { t }
        }
    };
    if s.starts_with('-') && s[1..].bytes().all(|b| b == b'0' || b == b'.') {
        s.remove(0);
    }
    if dialect.decimal == ',' { s.replace('.', ",") } else { s }
}

/// Writes `table` as CSV atomically. Finnish Excel's dialect (`;`) gets a UTF-8 BOM so Excel
/// detects the encoding; Windows-1252 output fails on characters the code page lacks.
pub fn write(path: &Path, table: &OutTable, dialect: &CsvDialect) -> Result<(), WriteError> {
    let mut text = String::new();
    let delim = dialect.delimiter;
    let quote = |s: &str| -> String {
        if s.contains(delim) || s.contains('"') || s.contains('\n') || s.contains('\r') {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    };
    let header: Vec<String> = table.columns.iter().map(|(n, _)| quote(n)).collect();
    text.push_str(&header.join(&delim.to_string()));
    text.push('\n');
    for row in 0..table.len() {
        for (i, (name, column)) in table.columns.iter().enumerate() {
            if i > 0 {
                text.push(delim);
            }
            match column {
                OutColumn::Text(v) => text.push_str(&quote(v[row].as_deref().unwrap_or(""))),
                OutColumn::Int(v) => {
                    if let Some(x) = v[row] {
                        text.push_str(&x.to_string());
                    }
                }
                OutColumn::Float(v) => {
                    if let Some(x) = v[row] {
                        text.push_str(&quote(&format_float(x, table.decimals_of(name), dialect)));
                    }
                }
            }
        }
        text.push('\n');
    }
    let bytes = match dialect.encoding {
        Encoding::Utf8 if delim == ';' => [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        Encoding::Utf8 => text.into_bytes(),
        Encoding::Windows1252 => encode_cp1252(&text)
            .ok_or_else(|| WriteError::new(path, "text has characters that Windows-1252 cannot encode"))?,
    };
    atomic::write_bytes(path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_finnish_excel_and_reports_bad_rows() {
        let data = "\u{feff}id;nimi;x\n1;Päiväkoti A;385000,5\n2;B\n\n3;C;1\n";
        let (t, problems) = read_bytes(Path::new("t.csv"), data.as_bytes(), &CsvDialect::finnish_excel()).unwrap();
        assert_eq!(t.names, ["id", "nimi", "x"]);
        assert_eq!(t.len, 2);
        assert_eq!(t.location(1), Location::Line(5));
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].location, Location::Line(3));
        assert!(t.decimal_comma);
    }

    #[test]
    fn numbers_for_people() {
        let fi = CsvDialect::finnish_excel();
        assert_eq!(format_float(136.92000000000002, None, &fi), "136,92");
        assert_eq!(format_float(-0.0, None, &fi), "0");
        assert_eq!(format_float(-0.0004, Some(2), &fi), "0,00");
        assert_eq!(format_float(1234.5678, Some(0), &CsvDialect::default()), "1235");
        assert_eq!(format_float(0.1 + 0.2, None, &CsvDialect::default()), "0.3");
    }

    #[test]
    fn header_only_and_empty_are_errors() {
        let d = CsvDialect::default();
        assert_eq!(read_bytes(Path::new("e.csv"), b"", &d).unwrap_err().kind, ProblemKind::Empty);
        assert_eq!(read_bytes(Path::new("h.csv"), b"id,x\n", &d).unwrap_err().kind, ProblemKind::Empty);
    }
}
