//! Streaming writer of long-format origin–destination tables (`origin_id`,
//! `destination_id`, `time_s`) to CSV or Parquet, atomically: rows go to a temporary file
//! that is renamed into place only by [`OdWriter::finish`]; dropping the writer early
//! removes it.

use super::error::WriteError;
use polars::prelude::*;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

enum Sink {
    Csv(BufWriter<File>),
    Parquet(Box<polars::io::parquet::write::BatchedWriter<File>>),
}

/// Writes an OD table block by block.
pub struct OdWriter {
    sink: Option<Sink>,
    /// Integer id columns (when every id is an integer, as YKR grid ids are).
    int_ids: Option<(Vec<i64>, Vec<i64>)>,
    tmp: PathBuf,
    target: PathBuf,
    sparse: bool,
    /// Rows written so far.
    pub rows: u64,
}

fn schema(int_ids: bool) -> Schema {
    let id = if int_ids { DataType::Int64 } else { DataType::String };
    Schema::from_iter([
        Field::new("origin_id".into(), id.clone()),
        Field::new("destination_id".into(), id),
        Field::new("time_s".into(), DataType::Float64),
    ])
}

/// The ids as integers if every one of them is an integer written canonically (`7`, not
/// `007` or `+7`), so that the integer gives back the id exactly.
fn as_ints(ids: &[String]) -> Option<Vec<i64>> {
    ids.iter().map(|s| s.parse::<i64>().ok().filter(|i| i.to_string() == *s)).collect()
}

impl OdWriter {
    /// Opens `path` (.csv or .parquet) for these origin and destination ids; with `sparse`,
    /// unreachable pairs are left out, otherwise they are written with an empty (null) time.
    /// Parquet id columns are integers when every id is one.
    pub fn create(
        path: &Path,
        sparse: bool,
        origin_ids: &[String],
        destination_ids: &[String],
    ) -> Result<Self, WriteError> {
        let int_ids = as_ints(origin_ids).zip(as_ints(destination_ids));
        let tmp = super::atomic::temp_path(path);
        let file = File::create(&tmp).map_err(|e| WriteError::new(path, e))?;
        let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        let sink = match ext.as_str() {
            "csv" => {
                let mut w = BufWriter::with_capacity(1 << 20, file);
                w.write_all(b"origin_id,destination_id,time_s\n").map_err(|e| WriteError::new(path, e))?;
                Sink::Csv(w)
            }
            "parquet" => {
                let w = ParquetWriter::new(file)
                    .with_compression(ParquetCompression::Zstd(None))
                    .batched(&schema(int_ids.is_some()))
                    .map_err(|e| WriteError::new(path, e))?;
                Sink::Parquet(Box::new(w))
            }
            other => {
                let _ = std::fs::remove_file(&tmp);
                return Err(WriteError::new(path, format!("unsupported output type '.{other}'; use .csv or .parquet")));
            }
        };
        Ok(OdWriter { sink: Some(sink), int_ids, tmp, target: path.to_owned(), sparse, rows: 0 })
    }

    /// Writes a row-major block of costs (ms, `u32::MAX` = unreachable) for origins
    /// `first_row..` × all destinations.
    pub fn write_block(
        &mut self,
        origin_ids: &[String],
        destination_ids: &[String],
        first_row: usize,
        block: &[u32],
    ) -> Result<(), WriteError> {
        let cols = destination_ids.len();
        let target = self.target.clone();
        match self.sink.as_mut() {
            Some(Sink::Csv(w)) => {
                let mut line = String::with_capacity(64);
                for (r, row) in block.chunks(cols.max(1)).enumerate() {
                    let o = &origin_ids[first_row + r];
                    for (d, &c) in destination_ids.iter().zip(row) {
                        if c == u32::MAX && self.sparse {
                            continue;
                        }
                        line.clear();
                        line.push_str(o);
                        line.push(',');
                        line.push_str(d);
                        line.push(',');
                        if c != u32::MAX {
                            use std::fmt::Write as _;
                            let _ = write!(line, "{}", seconds(c));
                        }
                        line.push('\n');
                        w.write_all(line.as_bytes()).map_err(|e| WriteError::new(&target, e))?;
                        self.rows += 1;
                    }
                }
            }
            Some(Sink::Parquet(w)) => {
                // Pairs kept, as (row, column) indices, then columns built from them.
                let mut pairs: Vec<(usize, usize)> = Vec::with_capacity(block.len());
                let mut tc = Vec::with_capacity(block.len());
                for (r, row) in block.chunks(cols.max(1)).enumerate() {
                    for (j, &c) in row.iter().enumerate() {
                        if c == u32::MAX && self.sparse {
                            continue;
                        }
                        pairs.push((first_row + r, j));
                        tc.push((c != u32::MAX).then(|| f64::from(c) / 1000.0));
                    }
                }
                self.rows += pairs.len() as u64;
                let (oc, dc) = match &self.int_ids {
                    Some((o, d)) => (
                        Column::new("origin_id".into(), pairs.iter().map(|p| o[p.0]).collect::<Vec<i64>>()),
                        Column::new("destination_id".into(), pairs.iter().map(|p| d[p.1]).collect::<Vec<i64>>()),
                    ),
                    None => (
                        Column::new(
                            "origin_id".into(),
                            pairs.iter().map(|p| origin_ids[p.0].as_str()).collect::<Vec<&str>>(),
                        ),
                        Column::new(
                            "destination_id".into(),
                            pairs.iter().map(|p| destination_ids[p.1].as_str()).collect::<Vec<&str>>(),
                        ),
                    ),
                };
                let df = DataFrame::new(pairs.len(), vec![oc, dc, Column::new("time_s".into(), tc)])
                    .map_err(|e| WriteError::new(&target, e))?;
                w.write_batch(&df).map_err(|e| WriteError::new(&target, e))?;
            }
            None => return Err(WriteError::new(&target, "writer already finished")),
        }
        Ok(())
    }

    /// Flushes, syncs and renames the file into place.
    pub fn finish(mut self) -> Result<u64, WriteError> {
        let target = self.target.clone();
        match self.sink.take() {
            Some(Sink::Csv(mut w)) => {
                w.flush().map_err(|e| WriteError::new(&target, e))?;
                w.get_ref().sync_all().map_err(|e| WriteError::new(&target, e))?;
            }
            Some(Sink::Parquet(w)) => {
                w.finish().map_err(|e| WriteError::new(&target, e))?;
            }
            None => {}
        }
        std::fs::rename(&self.tmp, &target).map_err(|e| WriteError::new(&target, e))?;
        Ok(self.rows)
    }
}

/// Seconds with millisecond precision as `pave matrix` writes them in CSV.
pub fn seconds(ms: u32) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// One OD table row read back: origin id, destination id, time in ms (`None`: unreachable).
pub type OdRow = (String, String, Option<u32>);

/// Reads an OD Parquet file written by [`OdWriter`] (ids integer or text).
pub fn read_parquet(path: &Path) -> Result<Vec<OdRow>, super::error::ReadError> {
    use super::error::ReadError;
    use crate::model::ProblemKind;
    let bad = |m: String| ReadError::new(path, ProblemKind::Parse, m);
    let file = File::open(path).map_err(|e| ReadError::new(path, ProblemKind::Unreadable, e.to_string()))?;
    let df = ParquetReader::new(file).finish().map_err(|e| bad(e.to_string()))?;
    let text = |name: &str| -> Result<Vec<String>, ReadError> {
        let c = df.column(name).map_err(|e| bad(e.to_string()))?;
        let c = c.cast(&DataType::String).map_err(|e| bad(e.to_string()))?;
        let s = c.str().map_err(|e| bad(e.to_string()))?;
        Ok(s.iter().map(|v| v.unwrap_or_default().to_owned()).collect())
    };
    let (o, d) = (text("origin_id")?, text("destination_id")?);
    let t = df.column("time_s").map_err(|e| bad(e.to_string()))?;
    let t = t.f64().map_err(|e| bad(format!("column 'time_s': {e}")))?;
    Ok(o.into_iter().zip(d).zip(t.iter()).map(|((o, d), t)| (o, d, t.map(|v| (v * 1000.0).round() as u32))).collect())
}

impl Drop for OdWriter {
    fn drop(&mut self) {
        if self.sink.is_some() {
            self.sink = None;
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}
