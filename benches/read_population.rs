//! Benchmark: reading a population table of 1 M rows (area × year × age × count) from CSV and
//! from Parquet into pave's struct-of-arrays `PopulationTable`, on one core.
//!
//! Run: `cargo bench --bench read_population` (figures go into benches/README.md).
//! Targets (issue 3): ≥ 1 M rows/s from CSV, ≥ 5 M rows/s from Parquet.

use pave::io::{OutColumn, OutTable};
use pave::model::profile::{CodeMaps, CsvDialect, PopulationColumns, PopulationSource};
use std::time::{Duration, Instant};

const ROWS: usize = 1_000_000;

fn table() -> OutTable {
    // 2 000 grid cells × 11 forecast years × 46 single ages ≈ 1 M rows, realistic ids.
    let (mut area, mut year, mut age, mut count) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut i = 0u64;
    'outer: for cell in 0..2_000u32 {
        let id = format!("CRS3067RES250mN{}E{}", 6_660_000 + (cell / 40) * 250, 380_000 + (cell % 40) * 250);
        for y in 2025..=2035 {
            for a in 0..=100 {
                if area.len() == ROWS {
                    break 'outer;
                }
                i = i.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                area.push(Some(id.clone()));
                year.push(Some(y));
                age.push(Some(a));
                count.push(Some(((i >> 33) % 4000) as f64 / 100.0));
            }
        }
    }
    OutTable::new("population")
        .with("area_id", OutColumn::Text(area))
        .with("year", OutColumn::Int(year))
        .with("age", OutColumn::Int(age))
        .with("count", OutColumn::Float(count))
}

fn best_of(runs: usize, mut f: impl FnMut() -> usize) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut n = 0;
    for _ in 0..runs {
        let t = Instant::now();
        n = f();
        best = best.min(t.elapsed());
    }
    (best, n)
}

fn main() {
    // One core: polars' pool is sized before first use; rayon is not involved.
    // SAFETY: no other thread exists yet.
    unsafe { std::env::set_var("POLARS_MAX_THREADS", "1") };
    let dir = tempfile::tempdir().expect("temp dir");
    let t = table();
    let csv_path = dir.path().join("population.csv");
    let pq_path = dir.path().join("population.parquet");
    pave::io::csv::write(&csv_path, &t, &CsvDialect::default()).expect("write csv");
    pave::io::parquet::write(&pq_path, &t).expect("write parquet");
    let src = PopulationSource {
        path: String::new(),
        layer: None,
        csv: None,
        level: "demand_area".into(),
        kind: Some(pave::model::PopulationKind::Forecast),
        year: None,
        suppressed_values: vec![],
        columns: PopulationColumns {
            age: Some("age".into()),
            age_min: None,
            age_max: None,
            ..PopulationColumns::default()
        },
    };
    let codes = CodeMaps::default();
    let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    println!("population table: {ROWS} rows; CSV {:.1} MB, Parquet (zstd) {:.1} MB", size(&csv_path), size(&pq_path));
    for (label, path, dialect) in
        [("CSV", &csv_path, CsvDialect::default()), ("Parquet", &pq_path, CsvDialect::default())]
    {
        let (raw, n) = best_of(5, || pave::io::read_table(path, None, &dialect).expect("read").0.len);
        assert_eq!(n, ROWS);
        let (full, n) = best_of(5, || {
            let (t, problems) = pave::io::load::read_population(path, &src, &codes, &[], &dialect);
            assert_eq!(problems.errors, 0);
            t.len()
        });
        assert_eq!(n, ROWS);
        let rate = |d: Duration| ROWS as f64 / d.as_secs_f64() / 1e6;
        println!(
            "{label:>8}: table {:>7.1} ms ({:>5.2} M rows/s) | into PopulationTable {:>7.1} ms ({:>5.2} M rows/s)",
            raw.as_secs_f64() * 1e3,
            rate(raw),
            full.as_secs_f64() * 1e3,
            rate(full)
        );
    }
}
