//! Readers never panic, hang or allocate without bound: every reader (CSV in both dialects
//! and encodings, GeoPackage, GeoJSON, Parquet, OSM PBF, interchange CSV, city profile and
//! scenario TOML, and the whole city loader) is fed seeded mutations of the sample cities'
//! own files — flipped bytes, cuts at every kind of boundary, huge numbers, empty fields,
//! repeated regions, deep nesting. Each case must end in an error naming the file (or a
//! read whose problems name it) within the time limit, with no single allocation above
//! 256 MiB.
//!
//! The run is seeded (`PAVE_FUZZ_SEED`, default fixed) and sized by `PAVE_FUZZ_CASES`
//! (default 3,000 mutated files). Measured on the project's 2-core machine: see
//! `benches/README.md` ("Readers under mutation").

#[path = "support/pbf.rs"]
mod pbf;
mod support;

use pave::model::profile::CsvDialect;
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The largest single allocation a reader may ask for.
const ALLOCATION_LIMIT: usize = 256 << 20;
/// How long one case may take.
const TIME_LIMIT: Duration = Duration::from_secs(20);

/// The largest allocation requested since the last reset.
static LARGEST: AtomicUsize = AtomicUsize::new(0);

/// The system allocator, recording the largest request and refusing absurd ones (which
/// then abort the test with Rust's allocation-failure message instead of swapping).
struct Watch;

unsafe impl GlobalAlloc for Watch {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        if layout.size() > 4 * ALLOCATION_LIMIT {
            return std::ptr::null_mut();
        }
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::Relaxed);
        if new_size > 4 * ALLOCATION_LIMIT {
            return std::ptr::null_mut();
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Watch = Watch;

/// SplitMix64: the same seed gives the same cases on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

/// Positions where a format's structure turns: line ends, separators, quotes, brackets.
fn boundaries(bytes: &[u8]) -> Vec<usize> {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| matches!(b, b'\n' | b'\r' | b';' | b',' | b'"' | b'{' | b'}' | b'[' | b']' | b'=' | b':' | 0))
        .map(|(i, _)| i)
        .collect()
}

/// One mutation of `bytes`; returns what it did.
fn mutate(bytes: &mut Vec<u8>, rng: &mut Rng) -> &'static str {
    let len = bytes.len().max(1);
    match rng.below(9) {
        0 => {
            for _ in 0..1 + rng.below(8) {
                let i = rng.below(bytes.len());
                if let Some(b) = bytes.get_mut(i) {
                    *b ^= 1 << rng.below(8);
                }
            }
            "flipped bits"
        }
        1 => {
            bytes.truncate(rng.below(len));
            "cut anywhere"
        }
        2 => {
            let b = boundaries(bytes);
            if !b.is_empty() {
                let at = b[rng.below(b.len())] + rng.below(2);
                bytes.truncate(at.min(bytes.len()));
            }
            "cut at a boundary"
        }
        3 => {
            let huge: [&[u8]; 7] =
                [b"99999999999999999999999999", b"1e309", b"-1", b"NaN", b"-0", b"18446744073709551616", b"4294967296"];
            let digits: Vec<usize> = (0..bytes.len()).filter(|&i| bytes[i].is_ascii_digit()).collect();
            if !digits.is_empty() {
                let i = digits[rng.below(digits.len())];
                let mut j = i;
                while j < bytes.len() && (bytes[j].is_ascii_digit() || bytes[j] == b'.') {
                    j += 1;
                }
                bytes.splice(i..j, huge[rng.below(huge.len())].iter().copied());
            }
            "huge number"
        }
        4 => {
            let b = boundaries(bytes);
            if b.len() > 1 {
                let k = rng.below(b.len() - 1);
                bytes.drain(b[k] + 1..b[k + 1]);
            }
            "emptied a field"
        }
        5 => {
            let (a, n) = (rng.below(len), 1 + rng.below(200));
            let end = (a + n).min(bytes.len());
            let region: Vec<u8> = bytes.get(a..end).map(<[u8]>::to_vec).unwrap_or_default();
            for _ in 0..1 + rng.below(50) {
                let at = rng.below(bytes.len() + 1);
                bytes.splice(at..at, region.iter().copied());
            }
            "repeated a region"
        }
        6 => {
            let open: &[u8] = [b"[".as_slice(), b"{\"a\":", b"[[", b"a={b="][rng.below(4)];
            let depth = 100 + rng.below(20_000);
            let at = rng.below(bytes.len() + 1);
            let deep: Vec<u8> = open.iter().copied().cycle().take(open.len() * depth).collect();
            bytes.splice(at..at, deep);
            "deep nesting"
        }
        7 => {
            let at = rng.below(bytes.len() + 1);
            let noise: Vec<u8> = (0..1 + rng.below(64)).map(|_| rng.next() as u8).collect();
            bytes.splice(at..at, noise);
            "inserted noise"
        }
        _ => {
            let (a, b) = (rng.below(len), rng.below(len));
            let (a, b) = (a.min(b), a.max(b));
            if b < bytes.len() {
                bytes[a..=b].reverse();
            }
            "reversed a region"
        }
    }
}

/// What one reader does with one file: `Ok(problems' files)` or `Err(error's file)`.
type Outcome = Result<Vec<Option<PathBuf>>, PathBuf>;

/// A reader under test.
struct Target {
    name: &'static str,
    /// The file's name inside the case folder (its extension picks the format).
    file: &'static str,
    seed: Vec<u8>,
    read: fn(&Path) -> Outcome,
    /// Share of the cases, in parts.
    weight: usize,
}

fn table(path: &Path, dialect: CsvDialect) -> Outcome {
    match pave::io::read_table(path, None, &dialect) {
        Ok((_, problems)) => Ok(problems.into_iter().map(|p| p.file).collect()),
        Err(e) => Err(e.path),
    }
}

fn finnish_utf8(p: &Path) -> Outcome {
    table(p, CsvDialect::finnish_excel())
}

fn finnish_cp1252(p: &Path) -> Outcome {
    let d = CsvDialect { encoding: pave::model::profile::Encoding::Windows1252, ..CsvDialect::finnish_excel() };
    table(p, d)
}

fn plain(p: &Path) -> Outcome {
    table(p, CsvDialect::default())
}

fn osm(p: &Path) -> Outcome {
    pave::io::osm::read(p).map(|_| vec![]).map_err(|e| e.path)
}

fn profile(p: &Path) -> Outcome {
    pave::io::profile::read(p).map(|_| vec![]).map_err(|e| e.path)
}

fn scenario(p: &Path) -> Outcome {
    pave::io::scenario::read(p).map(|_| vec![]).map_err(|e| e.path)
}

fn interchange(p: &Path) -> Outcome {
    // The mutated file is edges.csv; nodes.csv beside it stays whole.
    let mut problems = pave::model::Problems::with_limit(20);
    match pave::io::interchange::read(&p.with_file_name("nodes.csv"), p, 3067, 1.2, &mut problems) {
        Some(_) => Ok(vec![]),
        None => Ok(problems.list.into_iter().map(|p| p.file).collect()),
    }
}

/// The first `lines` lines of a text file (big tables are cut so cases stay fast).
fn head(path: &Path, lines: usize) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap();
    let end = bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(lines).map_or(bytes.len(), |(i, _)| i + 1);
    bytes[..end].to_vec()
}

fn targets() -> Vec<Target> {
    let s = support::root().join("sample-data");
    let t = |name, file, seed, read: fn(&Path) -> Outcome, weight| Target { name, file, seed, read, weight };
    let nodes: Vec<pbf::Node> =
        (1..=40i64).map(|i| (i, 24.93 + 0.0009 * (i % 8) as f64, 60.168 + 0.0005 * (i / 8) as f64)).collect();
    let ways: Vec<pbf::Way<'_>> = (0..8)
        .map(|k| (100 + k, (1 + 5 * k..=5 + 5 * k).collect(), vec![("highway", "residential"), ("maxspeed", "30")]))
        .collect();
    vec![
        t(
            "CSV, Finnish Excel (UTF-8 + BOM)",
            "tilat.csv",
            head(&s.join("helsinki/tilat-SYNTHETIC.csv"), 200),
            finnish_utf8,
            3,
        ),
        t(
            "CSV, Finnish Excel (Windows-1252)",
            "toimipisteet.csv",
            head(&s.join("turku/toimipisteet-SYNTHETIC.csv"), 80),
            finnish_cp1252,
            3,
        ),
        t(
            "CSV, Windows-1252 forecast",
            "ennuste.csv",
            head(&s.join("turku/ennuste-2025-2035-SYNTHETIC.csv"), 200),
            finnish_cp1252,
            2,
        ),
        t("CSV, comma and decimal point", "tilat.csv", head(&s.join("kuopio/tilat-SYNTHETIC.csv"), 200), plain, 2),
        t(
            "GeoJSON points",
            "palvelupisteet.geojson",
            std::fs::read(s.join("kuopio/palvelupisteet-SYNTHETIC.geojson")).unwrap(),
            plain,
            3,
        ),
        t(
            "GeoJSON boundary",
            "raja.geojson",
            std::fs::read(s.join("turku/turku-municipality-boundary-2023.geojson")).unwrap(),
            plain,
            1,
        ),
        t(
            "GeoPackage points",
            "paivakodit.gpkg",
            std::fs::read(s.join("helsinki/paivakodit-SYNTHETIC.gpkg")).unwrap(),
            plain,
            2,
        ),
        t(
            "GeoPackage polygons",
            "grid.gpkg",
            std::fs::read(s.join("helsinki/hsy-population-grid-2020-center.gpkg")).unwrap(),
            plain,
            1,
        ),
        t(
            "Parquet",
            "vaesto.parquet",
            std::fs::read(s.join("kuopio/vaesto-2024-SYNTHETIC.parquet")).unwrap(),
            plain,
            2,
        ),
        t("OSM PBF (dense, zlib)", "t.osm.pbf", pbf::write_dense(&nodes, &ways), osm, 2),
        t("OSM PBF (plain)", "t.osm.pbf", pbf::write(&nodes, &ways), osm, 1),
        t(
            "interchange edges.csv",
            "edges.csv",
            b"from,to,length_m,time_s\n0,1,100,80\n1,0,100,80\n1,2,100,80\n2,1,100,80\n".to_vec(),
            interchange,
            2,
        ),
        t("city profile TOML", "profile.toml", std::fs::read(s.join("turku/profile.toml")).unwrap(), profile, 2),
        t(
            "scenario TOML",
            "scenario.toml",
            std::fs::read(s.join("helsinki/scenarios/close-two-open-one.toml")).unwrap(),
            scenario,
            2,
        ),
    ]
}

/// Runs `read` on `path` in its own thread; `None` when it took longer than the limit.
fn timed(read: fn(&Path) -> Outcome, path: PathBuf) -> Option<std::thread::Result<Outcome>> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let r = std::panic::catch_unwind(|| read(&path));
        let _ = tx.send(r);
    });
    rx.recv_timeout(TIME_LIMIT).ok()
}

#[test]
fn readers_never_panic_hang_or_allocate_without_bound() {
    let cases: usize = std::env::var("PAVE_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(3000);
    let seed: u64 = std::env::var("PAVE_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x9A7E_2026);
    let targets = targets();
    let dir = tempfile::tempdir().unwrap();
    // Files the mutated ones refer to: the interchange nodes, the scenario's parents.
    std::fs::write(dir.path().join("nodes.csv"), "id,x,y\n0,385000,6672000\n1,385100,6672000\n2,385100,6672100\n")
        .unwrap();
    std::fs::write(
        dir.path().join("base-2030.toml"),
        std::fs::read_to_string(support::root().join("sample-data/helsinki/scenarios/base-2030.toml"))
            .unwrap()
            .replace(
                "../../template-2030.toml",
                &support::root().join("sample-data/template-2030.toml").display().to_string(),
            )
            .replace("\"../", &format!("\"{}/", support::root().join("sample-data/helsinki").display())),
    )
    .unwrap();
    let total_weight: usize = targets.iter().map(|t| t.weight).sum();
    let started = Instant::now();
    let (mut errors, mut reads, mut slowest) = (0usize, 0usize, (Duration::ZERO, String::new()));
    let mut largest = 0usize;
    let mut rng = Rng(seed);
    for case in 0..cases {
        let mut pick = rng.below(total_weight);
        let target = targets
            .iter()
            .find(|t| {
                if pick < t.weight {
                    true
                } else {
                    pick -= t.weight;
                    false
                }
            })
            .unwrap();
        let mut bytes = target.seed.clone();
        let mut what = Vec::new();
        for _ in 0..1 + rng.below(3) {
            what.push(mutate(&mut bytes, &mut rng));
        }
        let path = dir.path().join(target.file);
        std::fs::write(&path, &bytes).unwrap();
        let label = format!("case {case} (seed {seed}): {} — {}", target.name, what.join(", "));
        LARGEST.store(0, Ordering::Relaxed);
        let t = Instant::now();
        let outcome =
            timed(target.read, path.clone()).unwrap_or_else(|| panic!("{label}: no answer within {TIME_LIMIT:?}"));
        let took = t.elapsed();
        let outcome = outcome.unwrap_or_else(|_| panic!("{label}: the reader panicked"));
        let asked = LARGEST.load(Ordering::Relaxed);
        assert!(asked <= ALLOCATION_LIMIT, "{label}: asked for {asked} bytes at once");
        largest = largest.max(asked);
        if std::env::var_os("PAVE_FUZZ_VERBOSE").is_some() && asked > 32 << 20 {
            eprintln!("{label}: asked for {:.1} MiB at once", asked as f64 / f64::from(1 << 20));
        }
        if took > slowest.0 {
            slowest = (took, label.clone());
        }
        match outcome {
            Err(file) => {
                assert_eq!(file, path, "{label}: the error names another file");
                errors += 1;
            }
            Ok(files) => {
                for f in files {
                    assert_eq!(f.as_deref(), Some(path.as_path()), "{label}: a problem names another file");
                }
                reads += 1;
            }
        }
    }
    eprintln!(
        "{cases} mutated files in {:.1} s: {errors} errors, {reads} reads (with their problems); slowest {:.0} ms ({}); largest allocation {:.1} MiB",
        started.elapsed().as_secs_f64(),
        slowest.0.as_secs_f64() * 1000.0,
        slowest.1,
        largest as f64 / f64::from(1 << 20)
    );
}

/// The whole city loader on a copy of a sample city with one file mutated.
#[test]
fn the_city_loader_survives_mutated_sample_files() {
    let cases: usize =
        std::env::var("PAVE_FUZZ_CASES").ok().and_then(|v| v.parse::<usize>().ok()).map_or(150, |n| n / 20);
    let mut rng = Rng(0x5A3F_2026);
    for city in ["turku", "kuopio", "helsinki"] {
        let from = support::root().join("sample-data").join(city);
        let dir = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        for e in std::fs::read_dir(&from).unwrap().flatten() {
            let p = e.path();
            if p.is_file() {
                std::fs::copy(&p, dir.path().join(e.file_name())).unwrap();
                let small = p.extension().is_some_and(|x| x != "pbf" && x != "zip")
                    && !p.to_string_lossy().contains("tieverkko")
                    && e.metadata().unwrap().len() < 400_000;
                if small {
                    files.push(e.file_name());
                }
            }
        }
        for case in 0..cases / 3 {
            let name = &files[rng.below(files.len())];
            let original = std::fs::read(from.join(name)).unwrap();
            let mut bytes = original.clone();
            let what = mutate(&mut bytes, &mut rng);
            std::fs::write(dir.path().join(name), &bytes).unwrap();
            let label = format!("{city} case {case}: {} — {what}", name.to_string_lossy());
            let profile = dir.path().join("profile.toml");
            let r = std::panic::catch_unwind(|| {
                let mut problems = pave::model::Problems::with_limit(50);
                let _ = pave::io::load::load_city(&profile, &mut problems, &pave::progress::NoProgress);
                problems
            });
            let problems = r.unwrap_or_else(|_| panic!("{label}: the loader panicked"));
            for p in &problems.list {
                assert!(p.file.is_some(), "{label}: a problem names no file: {p}");
            }
            std::fs::write(dir.path().join(name), &original).unwrap();
        }
    }
}
