//! Tidy checks that keep ARCHITECTURE.md true (after rust-analyzer's `tidy.rs`):
//! module docs, file size, the one-way layering, and a doc line on every public item.

mod support;

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn sources() -> Vec<(String, String)> {
    let src = support::root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| (p.strip_prefix(&src).unwrap().display().to_string(), std::fs::read_to_string(&p).unwrap()))
        .collect()
}

/// The code of a file without its `#[cfg(test)]` module.
fn without_tests(text: &str) -> &str {
    text.find("#[cfg(test)]\nmod tests").map_or(text, |i| &text[..i])
}

#[test]
fn every_module_has_a_doc_and_a_size_a_reader_can_hold() {
    for (name, text) in sources() {
        assert!(text.starts_with("//!"), "src/{name} lacks a //! module doc");
        let lines = without_tests(&text).lines().count();
        assert!(lines <= 600, "src/{name} has {lines} lines outside tests (budget 600)");
    }
}

#[test]
fn layers_depend_only_downwards() {
    // module prefix → what it may not mention
    let rules: &[(&str, &[&str])] = &[
        (
            "model/",
            &[
                "crate::io",
                "crate::network",
                "crate::routing",
                "crate::analysis",
                "crate::cli",
                "crate::sample",
                "std::fs",
                "println!",
                "eprintln!",
            ],
        ),
        (
            "io/",
            &[
                "crate::analysis",
                "crate::cli",
                "crate::sample",
                "crate::network",
                "crate::routing",
                "println!",
                "eprintln!",
            ],
        ),
        ("network/", &["crate::routing", "crate::analysis", "crate::cli", "crate::sample", "println!", "eprintln!"]),
        (
            "routing/",
            &["crate::io", "crate::analysis", "crate::cli", "crate::sample", "std::fs", "println!", "eprintln!"],
        ),
        (
            "analysis/",
            &["crate::io", "crate::cli", "crate::engine", "crate::sample", "std::fs", "println!", "eprintln!"],
        ),
        ("sample/", &["crate::cli", "crate::analysis", "crate::engine", "println!", "eprintln!"]),
        ("scenario/", &["crate::cli", "crate::engine", "crate::sample", "println!", "eprintln!"]),
        ("engine/", &["crate::cli", "crate::sample", "println!", "eprintln!"]),
        // Front ends reach routing and scoring only through the engine (FRONT_END below);
        // the server prints nothing and owes nothing to the command line.
        ("server/", &["crate::cli", "println!", "eprintln!"]),
        ("progress.rs", &["println!", "eprintln!", "crate::"]),
    ];
    // Front ends parse, call the engine, print or serve: no routing, scoring or loading.
    const FRONT_END: &[&str] = &[
        "crate::routing",
        "crate::network::snap",
        "crate::analysis",
        "crate::scenario::score",
        "crate::scenario::apply",
        "crate::io::load",
    ];
    let front_ends: Vec<(&str, &[&str])> = vec![("cli/", FRONT_END), ("server/", FRONT_END)];
    for (name, text) in sources() {
        for (prefix, banned) in rules.iter().chain(&front_ends) {
            if name.starts_with(prefix) {
                for b in *banned {
                    assert!(
                        !without_tests(&text).contains(b),
                        "src/{name} uses `{b}`, which its layer may not (see ARCHITECTURE.md)"
                    );
                }
            }
        }
        if !name.starts_with("cli/") {
            for b in ["clap::", "anyhow::", "indicatif::"] {
                assert!(!text.contains(b), "src/{name} uses `{b}`: only cli/ may");
            }
        }
    }
}

#[test]
fn public_items_have_doc_comments() {
    let mut missing = Vec::new();
    for (name, text) in sources() {
        let lines: Vec<&str> = without_tests(&text).lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let t = line.trim_start();
            let public = t.starts_with("pub ")
                && !t.starts_with("pub use")
                && !t.starts_with("pub mod")
                && !t.starts_with("pub(");
            if !public {
                continue;
            }
            let mut j = i;
            let documented = loop {
                if j == 0 {
                    break false;
                }
                j -= 1;
                let prev = lines[j].trim_start();
                if prev.starts_with("#[") || prev.starts_with("#![") {
                    continue;
                }
                break prev.starts_with("///") || prev.starts_with("$(#[$");
            };
            // Items generated inside macro_rules! are documented by the macro's caller.
            if !documented && !t.contains('$') {
                missing.push(format!("src/{name}:{}: {}", i + 1, t));
            }
        }
    }
    assert!(missing.is_empty(), "public items without a /// doc line:\n{}", missing.join("\n"));
}
