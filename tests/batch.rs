//! `pave batch` on one machine: a matrix split into shards, computed in any order, one shard
//! failing (its input changed) and re-run, finished shards not run again, and the merged
//! result byte-identical to `pave matrix` of the same work in one process.

mod support;

use std::path::Path;
use support::{pave, root};

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write");
}

#[test]
fn sharded_matrix_merges_to_exactly_the_single_process_matrix() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let d = tmp.path();
    let helsinki = root().join("sample-data/helsinki");
    let osm = helsinki.join("helsinki-center.osm.pbf");
    let built =
        pave(d, &["network", "build", "--osm", osm.to_str().unwrap(), "--mode", "walk", "--out", "walk.pavenet"]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    let cells = format!("{}:demand_areas", helsinki.join("profile.toml").display());
    // Destinations in a CSV of our own, so that an input can change under a running job.
    let points = "id,x,y\na,385600,6671800\nb,386000,6671500\nc,385200,6672400\n".to_owned();
    write(&d.join("targets.csv"), &points);

    let single = pave(
        d,
        &[
            "matrix",
            "--network",
            "walk.pavenet",
            "--from",
            &cells,
            "--to",
            "targets.csv",
            "--cutoff",
            "30min",
            "--out",
            "single.csv",
        ],
    );
    assert_eq!(single.code, 0, "{}", single.stderr);
    write(
        &d.join("job.toml"),
        &format!(
            "[matrix]\nnetwork = \"walk.pavenet\"\nfrom = \"{cells}\"\nto = \"targets.csv\"\ncutoff_min = 30\n\n[split]\nshards = 8\n"
        ),
    );
    let plan = pave(d, &["batch", "plan", "job.toml", "--out", "job"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(plan.stdout.contains("planned 8 shards"), "{}", plan.stdout);
    let slurm = pave(d, &["batch", "slurm", "job", "--parallel", "3"]);
    assert_eq!(slurm.code, 0, "{}", slurm.stderr);
    let script = std::fs::read_to_string(d.join("job/submit.sh")).expect("submit.sh");
    assert!(
        script.contains("--array=0-7%3")
            && script.contains("--requeue")
            && script.contains("--dependency=afterok:$array"),
        "{script}"
    );

    // Shards in reverse order; shard 3 meets a changed input and fails.
    for n in (4..8).rev() {
        let r = pave(d, &["batch", "run", "job", "--shard", &n.to_string()]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    write(&d.join("targets.csv"), &points.replace("385600", "385700"));
    let r = pave(d, &["batch", "run", "job", "--shard", "3"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("targets.csv") && r.stderr.contains("changed since the plan"), "{}", r.stderr);
    write(&d.join("targets.csv"), &points);
    let status = pave(d, &["batch", "status", "job"]);
    assert_eq!(status.code, 1, "not done yet");
    assert!(
        status.stdout.contains("failed: ")
            && status.stdout.contains("missing")
            && status.stdout.contains("4 of 8 shards done"),
        "{}",
        status.stdout
    );
    let early = pave(d, &["batch", "merge", "job"]);
    assert_eq!(early.code, 1);
    assert!(
        early.stderr.contains("4 of 8 shards are not done") && early.stderr.contains("shard 3: failed"),
        "{}",
        early.stderr
    );

    // The rest, the shard number from the scheduler's environment as array tasks get it.
    for n in 0..4 {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_pave"))
            .args(["batch", "run", "job"])
            .env("SLURM_ARRAY_TASK_ID", n.to_string())
            .current_dir(d)
            .output()
            .expect("run");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert!(!d.join("job/failed/3.txt").exists(), "the success clears the failure record");
    let again = pave(d, &["batch", "run", "job", "--shard", "5"]);
    assert!(again.stdout.contains("already done"), "{}", again.stdout);
    assert!(d.join("job/out/shard=5/part-5.parquet").is_file() && d.join("job/out/shard=5/_done.json").is_file());

    let merged = pave(d, &["batch", "merge", "job", "--csv", "merged.csv"]);
    assert_eq!(merged.code, 0, "{}", merged.stderr);
    let a = std::fs::read(d.join("single.csv")).expect("single");
    let b = std::fs::read(d.join("merged.csv")).expect("merged");
    assert!(a.len() > 100);
    assert!(a == b, "the merged shards equal the single-process matrix byte for byte");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("job/summary.json")).expect("summary")).expect("json");
    assert_eq!(summary["rows"].as_u64(), Some(a.iter().filter(|&&c| c == b'\n').count() as u64 - 1));

    // A Slurm script for the same job: an array over the 8 shards and a dependent merge.
    let slurm = pave(d, &["batch", "slurm", "job", "--parallel", "3"]);
    assert_eq!(slurm.code, 0, "{}", slurm.stderr);
    let script = std::fs::read_to_string(d.join("job/submit.sh")).expect("submit.sh");
    assert!(
        script.contains("--array=0-7%3")
            && script.contains("--requeue")
            && script.contains("--dependency=afterok:$array"),
        "{script}"
    );
}
