//! Golden files: the six sample scenarios' `kpis.json` and district tables, compared byte
//! for byte with `tests/golden/<scenario>/`. A change in any figure shows up as a diff to
//! review. Regenerate with `PAVE_UPDATE_GOLDEN=1 cargo test --release --test golden`.

mod support;

use std::path::Path;
use support::root;

/// `kpis.json` with paths relative to the repository (the only machine-dependent part).
fn normalized(text: &str) -> String {
    let root = root().display().to_string().replace('\\', "/");
    text.replace('\\', "/").replace(&format!("{root}/"), "").replace(&root, ".")
}

#[test]
fn sample_scenarios_match_their_golden_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("compare");
    let mut scenarios: Vec<String> = ["helsinki", "turku", "kuopio"]
        .iter()
        .flat_map(|city| {
            let d = root().join("sample-data").join(city).join("scenarios");
            std::fs::read_dir(d).unwrap().flatten().map(|e| e.path().display().to_string()).collect::<Vec<_>>()
        })
        .collect();
    scenarios.sort();
    let mut args = vec!["-q".to_owned(), "compare".to_owned()];
    args.extend(scenarios);
    args.extend(["--out".to_owned(), out.display().to_string()]);
    let r = std::process::Command::new(env!("CARGO_BIN_EXE_pave"))
        .args(&args)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let update = std::env::var_os("PAVE_UPDATE_GOLDEN").is_some();
    let golden = root().join("tests/golden");
    let mut checked = 0;
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in &names {
        for file in ["kpis.json", "districts.csv"] {
            let got = normalized(&std::fs::read_to_string(out.join(name).join(file)).unwrap());
            let path = golden.join(name).join(file);
            if update {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &got).unwrap();
            } else {
                let want = std::fs::read_to_string(&path)
                    .unwrap_or_else(|_| panic!("no golden file {} (run with PAVE_UPDATE_GOLDEN=1)", path.display()));
                assert!(
                    got == want,
                    "{name}/{file} differs from {}:\n{}",
                    path.display(),
                    first_difference(&want, &got)
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 12, "six scenarios, two files each");
    let _ = Path::new("");
}

/// The first differing line, for the failure message.
fn first_difference(want: &str, got: &str) -> String {
    for (i, (a, b)) in want.lines().zip(got.lines()).enumerate() {
        if a != b {
            return format!("line {}:\n  golden: {a}\n  now:    {b}", i + 1);
        }
    }
    format!("lengths differ: {} vs {} lines", want.lines().count(), got.lines().count())
}
