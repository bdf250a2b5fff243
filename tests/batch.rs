//! `pave batch` on one machine: a matrix split into shards, computed in any order, one shard
//! failing (its input changed) and re-run, finished shards not run again, and the merged
//! result byte-identical to `pave matrix` of the same work in one process; a shard stopped
//! by SIGTERM mid-run leaves nothing, a shard claimed by a live run is refused, one claimed
//! by a dead run is taken over. On the local Slurm cluster (when up; required in CI): array
//! jobs with a failing shard, a queued one cancelled and a running one cancelled mid-run,
//! only those re-submitted, merged byte-identical to the single-process work.

mod support;

use std::path::Path;
use support::{pave, root};

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write");
}

/// A walking network of the Helsinki sample, three destinations in `targets.csv` and the
/// single-process matrix `single.csv` from the sample's cells to them; (origins, targets).
fn setup(d: &Path) -> (String, String) {
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
    (cells, points)
}

fn job(d: &Path, name: &str, cells: &str) {
    write(
        &d.join(format!("{name}.toml")),
        &format!(
            "[matrix]\nnetwork = \"walk.pavenet\"\nfrom = \"{cells}\"\nto = \"targets.csv\"\ncutoff_min = 30\n\n[split]\nshards = 8\n"
        ),
    );
}

#[test]
fn sharded_matrix_merges_to_exactly_the_single_process_matrix() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let d = tmp.path();
    let (cells, points) = setup(d);
    job(d, "job", &cells);
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
    std::fs::rename(d.join("targets.csv"), d.join("moved.csv")).expect("move an input away");
    let r = pave(d, &["batch", "run", "job", "--shard", "3"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("targets.csv") && r.stderr.contains("missing: the job read it"), "{}", r.stderr);
    std::fs::rename(d.join("moved.csv"), d.join("targets.csv")).expect("back");
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

    // Every shard done: nothing left for Slurm.
    let slurm = pave(d, &["batch", "slurm", "job", "--parallel", "3"]);
    assert_eq!(slurm.code, 0, "{}", slurm.stderr);
    assert!(slurm.stdout.contains("every shard is done"), "{}", slurm.stdout);
}

/// Runs a command; (exit code, stdout, stderr).
fn sh(d: &Path, program: &str, args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(program).args(args).current_dir(d).output().expect(program);
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

/// Waits (at most 3 minutes) until none of `jobs` is pending or running.
fn wait_for(d: &Path, jobs: &str) {
    let started = std::time::Instant::now();
    loop {
        let (_, out, _) = sh(d, "squeue", &["-h", "-j", jobs, "-o", "%i %T"]);
        if out.trim().is_empty() {
            return;
        }
        assert!(started.elapsed().as_secs() < 180, "Slurm jobs {jobs} still queued after 3 minutes:\n{out}");
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
}

#[test]
fn on_a_real_slurm_cluster_failed_and_cancelled_shards_are_resubmitted_alone() {
    let up = sh(Path::new("."), "sinfo", &["-h", "-o", "%t"]);
    if up.0 != 0 || !up.1.lines().any(|l| matches!(l.trim(), "idle" | "mix" | "alloc")) {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs the local Slurm cluster (.ci/run starts scripts/slurm-local.sh)"
        );
        eprintln!("skipped: no Slurm cluster here (scripts/slurm-local.sh start)");
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let d = tmp.path();
    let (cells, _) = setup(d);
    job(d, "sjob", &cells);
    let plan = pave(d, &["batch", "plan", "sjob.toml", "--out", "sjob"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    // Shard 2 will fail: a file stands where its partition folder goes.
    std::fs::create_dir_all(d.join("sjob/out")).expect("out");
    write(&d.join("sjob/out/shard=2"), "in the way");
    let slurm = pave(d, &["batch", "slurm", "sjob", "--parallel", "2", "--minutes", "5"]);
    assert_eq!(slurm.code, 0, "{}", slurm.stderr);
    let (code, ids, err) = sh(d, "bash", &["sjob/submit.sh"]);
    assert_eq!(code, 0, "{err}");
    let (array, merge) = ids.trim().split_once(' ').expect("array and merge job ids");
    // Shard 5 is cancelled while still queued (two run at a time); below, a sweep's task is
    // cancelled while it computes.
    let (code, _, err) = sh(d, "scancel", &[&format!("{array}_5")]);
    assert_eq!(code, 0, "{err}");
    wait_for(d, &format!("{array},{merge}"));
    let status = pave(d, &["batch", "status", "sjob"]);
    assert_eq!(status.code, 1, "{}", status.stdout);
    assert!(status.stdout.contains("6 of 8 shards done"), "{}", status.stdout);
    let line =
        |n: usize| status.stdout.lines().find(|l| l.starts_with(&format!("shard {n:>4}"))).unwrap_or("").to_owned();
    assert!(line(2).contains("failed") && line(2).contains("shard=2"), "{}", line(2));
    assert!(line(5).contains("missing"), "{}", line(5));
    assert!(!d.join("sjob/summary.json").exists(), "the merge job did not run after a failed array");

    // Mended, the same command submits only shards 2 and 5, and the merge follows.
    std::fs::remove_file(d.join("sjob/out/shard=2")).expect("mend");
    let slurm = pave(d, &["batch", "slurm", "sjob", "--parallel", "2", "--minutes", "5"]);
    assert_eq!(slurm.code, 0, "{}", slurm.stderr);
    let script = std::fs::read_to_string(d.join("sjob/submit.sh")).expect("submit.sh");
    assert!(script.contains("--array=2,5%2"), "{script}");
    let (code, ids, err) = sh(d, "bash", &["sjob/submit.sh"]);
    assert_eq!(code, 0, "{err}");
    let (array, merge) = ids.trim().split_once(' ').expect("job ids");
    wait_for(d, &format!("{array},{merge}"));
    let summary = std::fs::read_to_string(d.join("sjob/summary.json")).unwrap_or_else(|_| {
        panic!("the merge job wrote no summary: {:?}", std::fs::read_to_string(d.join("sjob/logs/merge.out")))
    });
    assert!(summary.contains("\"shards\": 8"), "{summary}");
    let merged = pave(d, &["batch", "merge", "sjob", "--csv", "merged.csv"]);
    assert_eq!(merged.code, 0, "{}", merged.stderr);
    assert!(
        std::fs::read(d.join("single.csv")).expect("single") == std::fs::read(d.join("merged.csv")).expect("merged"),
        "the shards run by Slurm equal the single-process matrix byte for byte"
    );

    // A sweep of 8 Kuopio runs in 4 array tasks of seconds each; task 1 is cancelled while it
    // computes (scancel: SIGTERM to pave, which gives the shard up), then re-submitted alone.
    let job = slow_sweep(d, 4);
    write(&d.join("one.toml"), &job.replace("shards = 4", "shards = 1"));
    assert_eq!(pave(d, &["batch", "plan", "slow.toml", "--out", "sweep"]).code, 0);
    assert_eq!(pave(d, &["batch", "plan", "one.toml", "--out", "one"]).code, 0);
    assert_eq!(pave(d, &["batch", "slurm", "sweep", "--parallel", "2", "--minutes", "5"]).code, 0);
    let (code, ids, err) = sh(d, "bash", &["sweep/submit.sh"]);
    assert_eq!(code, 0, "{err}");
    let (array, merge) = ids.trim().split_once(' ').expect("job ids");
    let claim_file = d.join("sweep/running/1.json");
    appears(&claim_file);
    let claim: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&claim_file).expect("claim")).expect("claim json");
    assert_eq!(claim["job"], serde_json::json!(format!("{array}_1")), "{claim}");
    let (code, _, err) = sh(d, "scancel", &[&format!("{array}_1")]);
    assert_eq!(code, 0, "{err}");
    // Meanwhile, the same work in one process.
    assert_eq!(pave(d, &["batch", "run", "one", "--shard", "0"]).code, 0);
    assert_eq!(pave(d, &["batch", "merge", "one"]).code, 0);
    wait_for(d, &format!("{array},{merge}"));
    let log = std::fs::read_to_string(d.join("sweep/logs/shard-1.out")).unwrap_or_default();
    assert!(log.contains("shard 1: stopped by signal 15; nothing published"), "cancelled mid-run: {log}");
    nothing_left(&d.join("sweep/out/shard=1"));
    assert!(!claim_file.exists(), "the cancelled task gave its claim up");
    let status = pave(d, &["batch", "status", "sweep"]);
    assert!(status.stdout.contains("3 of 4 shards done"), "{}", status.stdout);
    assert!(!d.join("sweep/kpis.csv").exists(), "no merge after a cancelled task");
    assert_eq!(pave(d, &["batch", "slurm", "sweep", "--parallel", "2", "--minutes", "5"]).code, 0);
    let script = std::fs::read_to_string(d.join("sweep/submit.sh")).expect("submit.sh");
    assert!(script.contains("--array=1%2"), "{script}");
    // Memory from the shards done: 1.5 × their peak + 256 MB, not the 4 GB default.
    assert!(!script.contains("--mem=4096M") && script.contains("--mem="), "{script}");
    let (code, ids, err) = sh(d, "bash", &["sweep/submit.sh"]);
    assert_eq!(code, 0, "{err}");
    let (array, merge) = ids.trim().split_once(' ').expect("job ids");
    wait_for(d, &format!("{array},{merge}"));
    assert!(
        std::fs::read(d.join("one/kpis.csv")).expect("one process")
            == std::fs::read(d.join("sweep/kpis.csv")).unwrap_or_else(|_| panic!(
                "the merge job wrote no KPI table: {:?}",
                std::fs::read_to_string(d.join("sweep/logs/merge.out"))
            )),
        "the sweep run by Slurm equals the sweep in one process byte for byte"
    );
}

#[test]
fn a_sweep_in_shards_equals_the_runs_done_one_by_one() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let d = tmp.path();
    let scenarios = root().join("sample-data/helsinki/scenarios");
    let job = format!(
        "[sweep]\nscenarios = [\"{0}/base-2030.toml\", \"{0}/close-two-open-one.toml\"]\nparticipation = [0.7, 0.8]\nthreshold_min = [10, 16]\n\n[split]\nshards = 3\n",
        scenarios.display()
    );
    write(&d.join("sweep.toml"), &job);
    let plan = pave(d, &["batch", "plan", "sweep.toml", "--out", "sweep"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(plan.stdout.contains("planned 3 shards of a sweep of 8 scenario evaluations"), "{}", plan.stdout);
    for n in [2, 0, 1] {
        let r = pave(d, &["batch", "run", "sweep", "--shard", &n.to_string()]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let merged = pave(d, &["batch", "merge", "sweep"]);
    assert_eq!(merged.code, 0, "{}", merged.stderr);
    assert!(merged.stdout.contains("8 runs of 2 scenarios"), "{}", merged.stdout);
    let table = std::fs::read_to_string(d.join("sweep/kpis.csv")).expect("kpis.csv");
    assert_eq!(table.lines().count(), 9, "{table}");
    // Finnish Excel: a byte-order mark, semicolons, decimal commas.
    assert!(table.starts_with("\u{feff}run;scenario;year;participation_pct;threshold_min;"), "{table}");

    // The same sweep in one shard gives the same table, byte for byte.
    write(&d.join("one.toml"), &job.replace("shards = 3", "shards = 1"));
    assert_eq!(pave(d, &["batch", "plan", "one.toml", "--out", "one"]).code, 0);
    assert_eq!(pave(d, &["batch", "run", "one", "--shard", "0"]).code, 0);
    assert_eq!(pave(d, &["batch", "merge", "one"]).code, 0);
    assert_eq!(std::fs::read(d.join("one/kpis.csv")).expect("one"), table.as_bytes());

    // Run 7 (the second scenario, participation 0.8, 16 min) equals `pave run` of that scenario
    // with those parameters.
    write(
        &d.join("alone.toml"),
        &format!(
            "name = \"alone\"\nextends = \"{}/close-two-open-one.toml\"\n\n[parameters]\nparticipation = 0.8\nthreshold_min = 16.0\n",
            scenarios.display()
        ),
    );
    let run = pave(d, &["run", "alone.toml", "--out", "runs"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let kpis: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("runs/alone/kpis.json")).expect("kpis.json")).expect("json");
    let within = kpis["nearest_with_vacancy"]["within_share"].as_f64().expect("share") * 100.0;
    let row = table.lines().nth(8).expect("run 7");
    let cell: Vec<&str> = row.split(';').collect();
    assert_eq!(cell[0], "7");
    assert_eq!(cell[7], format!("{within:.1}").replace('.', ","), "{row}");
    let summary = std::fs::read_to_string(d.join("sweep/summary.json")).expect("summary");
    assert!(summary.contains("\"best\"") && summary.contains("year 2030, participation 80 %"), "{summary}");

    // The distribution report: a verdict, each scenario's range and a row per variant in
    // which the summary's best scenario of that variant is starred.
    let report = std::fs::read_to_string(d.join("sweep/report.html")).expect("report.html");
    assert!(report.contains("<h2>Verdict</h2>") && report.contains("<svg"), "{report}");
    let summary: serde_json::Value = serde_json::from_str(&summary).expect("json");
    let names: Vec<&str> =
        summary["scenarios"].as_array().expect("scenarios").iter().filter_map(|r| r["scenario"].as_str()).collect();
    assert_eq!(names.len(), 2);
    for pair in summary["best"].as_array().expect("best") {
        let (variant, best) = (pair[0].as_str().expect("variant"), pair[1].as_str().expect("name"));
        let row =
            report.split("<tr>").find(|r| r.starts_with(&format!("<td>{variant}</td>"))).expect("a row per variant");
        let cells: Vec<&str> = row.split("<td").skip(2).take(names.len()).collect();
        let at = names.iter().position(|n| *n == best).expect("a scenario of the sweep");
        assert!(cells[at].contains('★'), "{row}");
    }
    // Each run's share is in the report as the table has it.
    let first = table.lines().nth(1).expect("run 0");
    let share = first.split(';').nth(7).expect("within_pct").replace(',', ".");
    assert!(report.contains(&format!("{share} %")), "{share} not in the report");
}

/// A Kuopio sweep whose shards take seconds (each run evaluates the whole city), for tests
/// that stop a shard while it computes.
fn slow_sweep(d: &Path, shards: usize) -> String {
    let scenarios = root().join("sample-data/kuopio/scenarios");
    let job = format!(
        "[sweep]\nscenarios = [\"{0}/base-2030.toml\", \"{0}/swedish-places.toml\"]\nparticipation = [0.7, 0.8]\nthreshold_min = [10, 16]\n\n[split]\nshards = {shards}\n",
        scenarios.display()
    );
    write(&d.join("slow.toml"), &job);
    job
}

/// Waits (at most 60 s) until `path` exists.
fn appears(path: &Path) {
    let started = std::time::Instant::now();
    while !path.exists() {
        assert!(started.elapsed().as_secs() < 60, "{} did not appear", path.display());
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// `pave batch run JOBDIR --shard N` started, once it holds its claim (it computes).
fn running_shard(d: &Path, job: &str, n: usize) -> std::process::Child {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_pave"))
        .args(["batch", "run", job, "--shard", &n.to_string()])
        .current_dir(d)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start the shard");
    appears(&d.join(format!("{job}/running/{n}.json")));
    child
}

/// Nothing of a shard's run is left in its partition: no part, no record, no temporary file.
fn nothing_left(shard_dir: &Path) {
    let left: Vec<String> = std::fs::read_dir(shard_dir)
        .map(|r| r.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "left in {}: {left:?}", shard_dir.display());
}

#[test]
fn a_shard_stopped_mid_run_leaves_nothing_and_a_shard_runs_once_at_a_time() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let d = tmp.path();
    slow_sweep(d, 2);
    assert_eq!(pave(d, &["batch", "plan", "slow.toml", "--out", "slow"]).code, 0);

    // Stopped by SIGTERM (as scancel or a time limit does) while it computes.
    let child = running_shard(d, "slow", 0);
    let claim = std::fs::read_to_string(d.join("slow/running/0.json")).unwrap_or_default();
    let status = pave(d, &["batch", "status", "slow"]);
    let line = status.stdout.lines().find(|l| l.starts_with("shard    0")).unwrap_or("").to_owned();
    assert!(line.contains(&format!("running: pid {}", child.id())), "{line}\n{claim}");
    std::thread::sleep(std::time::Duration::from_millis(300));
    let (code, _, err) = sh(d, "kill", &["-TERM", &child.id().to_string()]);
    assert_eq!(code, 0, "{err}");
    let out = child.wait_with_output().expect("the shard ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(128 + 15), "{stderr}");
    assert!(stderr.contains("shard 0: stopped by signal 15; nothing published"), "{stderr}");
    nothing_left(&d.join("slow/out/shard=0"));
    assert!(!d.join("slow/running/0.json").exists(), "the claim is given up");
    let status = pave(d, &["batch", "status", "slow"]);
    assert!(status.stdout.lines().any(|l| l.starts_with("shard    0") && l.ends_with("missing")), "{}", status.stdout);

    // Killed outright (SIGKILL, a node lost) it can clean nothing: its claim reads as
    // interrupted, and the next run takes the shard over and clears what it left.
    let child = running_shard(d, "slow", 0);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let (code, _, err) = sh(d, "kill", &["-KILL", &child.id().to_string()]);
    assert_eq!(code, 0, "{err}");
    let out = child.wait_with_output().expect("the shard ends");
    assert_eq!(out.status.code(), None, "killed by a signal");
    // What a run killed while writing its part leaves (the writer's temporary name).
    std::fs::create_dir_all(d.join("slow/out/shard=0")).expect("partition");
    write(&d.join("slow/out/shard=0/.part-0.parquet.999999.tmp"), "half a Parquet file");
    let status = pave(d, &["batch", "status", "slow"]);
    assert!(
        status.stdout.lines().any(|l| l.starts_with("shard    0") && l.contains("interrupted")),
        "{}",
        status.stdout
    );

    // A claim by a live run (this test's process, on this host) refuses a second run.
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default().trim().to_owned();
    let live =
        format!("{{\"host\": \"{host}\", \"pid\": {}, \"since\": 1764472800, \"job\": null}}", std::process::id());
    write(&d.join("slow/running/1.json"), &live);
    let refused = pave(d, &["batch", "run", "slow", "--shard", "1"]);
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.contains(&format!(
            "shard 1 is being run by pid {} on {host} since 2025-11-30 03:20:00 UTC",
            std::process::id()
        )) && refused.stderr.contains("running/1.json"),
        "{}",
        refused.stderr
    );
    // One whose process is gone (killed outright) reads as interrupted and is taken over.
    let mut gone = std::process::Command::new("true").spawn().expect("spawn");
    let dead = gone.id();
    gone.wait().expect("wait");
    write(
        &d.join("slow/running/1.json"),
        &live.replace(&format!("\"pid\": {}", std::process::id()), &format!("\"pid\": {dead}")),
    );
    let status = pave(d, &["batch", "status", "slow"]);
    assert!(
        status.stdout.lines().any(|l| l.starts_with("shard    1") && l.contains(&format!("interrupted: pid {dead}"))),
        "{}",
        status.stdout
    );
    for n in ["1", "0"] {
        let run = pave(d, &["batch", "run", "slow", "--shard", n]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    assert!(!d.join("slow/running/1.json").exists());
    assert!(!d.join("slow/out/shard=0/.part-0.parquet.999999.tmp").exists(), "the killed run's leftovers are cleared");
    let merged = pave(d, &["batch", "merge", "slow"]);
    assert_eq!(merged.code, 0, "{}", merged.stderr);
    // Each shard recorded its peak memory, from which `batch slurm` asks for memory.
    let done: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("slow/out/shard=0/_done.json")).expect("record")).expect("json");
    assert!(done["peak_mb"].as_f64().is_some_and(|mb| mb > 10.0), "{done}");
}

#[test]
fn nearest_and_accessibility_in_shards_equal_the_work_in_one_process() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let d = tmp.path();
    let (cells, _) = setup(d);

    // The 2 nearest units of every cell, in 3 shards run out of order, against `pave nearest`.
    let single = pave(
        d,
        &[
            "nearest",
            "--network",
            "walk.pavenet",
            "--units",
            "targets.csv",
            "--from",
            &cells,
            "--k",
            "2",
            "--cutoff",
            "30min",
            "--out",
            "single-nearest.csv",
        ],
    );
    assert_eq!(single.code, 0, "{}", single.stderr);
    write(
        &d.join("nearest.toml"),
        &format!(
            "[nearest]\nnetwork = \"walk.pavenet\"\nfrom = \"{cells}\"\nunits = \"targets.csv\"\nk = 2\ncutoff_min = 30\n\n[split]\nshards = 3\n"
        ),
    );
    let plan = pave(d, &["batch", "plan", "nearest.toml", "--out", "near"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(plan.stdout.contains("planned 3 shards of the 2 nearest of 3 units for"), "{}", plan.stdout);
    for n in ["2", "0", "1"] {
        let r = pave(d, &["batch", "run", "near", "--shard", n]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let merged = pave(d, &["batch", "merge", "near"]);
    assert_eq!(merged.code, 0, "{}", merged.stderr);
    let one = std::fs::read(d.join("single-nearest.csv")).expect("pave nearest");
    assert!(one.len() > 100);
    assert!(
        one == std::fs::read(d.join("near/nearest.csv")).expect("merged"),
        "the merged nearest table equals pave nearest's byte for byte"
    );

    // Accessibility with weights, against sums recomputed here from `pave matrix`.
    write(&d.join("weighted.csv"), "id,x,y,weight\na,385600,6671800,10\nb,386000,6671500,20.5\nc,385200,6672400,1\n");
    write(
        &d.join("access.toml"),
        &format!(
            "[accessibility]\nnetwork = \"walk.pavenet\"\nfrom = \"{cells}\"\nto = \"weighted.csv\"\nthresholds_min = [5, 10, 30]\n\n[split]\nrows_per_shard = 7\n"
        ),
    );
    assert_eq!(pave(d, &["batch", "plan", "access.toml", "--out", "access"]).code, 0);
    let status = pave(d, &["batch", "status", "access"]);
    let count = status.stdout.lines().filter(|l| l.starts_with("shard")).count();
    assert!(count >= 2, "{}", status.stdout);
    for n in (0..count).rev() {
        let r = pave(d, &["batch", "run", "access", "--shard", &n.to_string()]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let merged = pave(d, &["batch", "merge", "access", "--csv", "access.csv"]);
    assert_eq!(merged.code, 0, "{}", merged.stderr);
    let weights = [("a", 10.0), ("b", 20.5), ("c", 1.0)];
    let matrix = std::fs::read_to_string(d.join("single.csv")).expect("pave matrix");
    // Per origin: the nearest time, and (reached, weight) within 5, 10 and 30 min.
    type Expected = (Option<f64>, [(i64, f64); 3]);
    let mut expected: std::collections::BTreeMap<String, Expected> = Default::default();
    for line in matrix.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let entry = expected.entry(f[0].to_owned()).or_insert((None, [(0, 0.0); 3]));
        let Ok(seconds) = f[2].parse::<f64>() else { continue };
        entry.0 = Some(entry.0.map_or(seconds, |n: f64| n.min(seconds)));
        let w = weights.iter().find(|(id, _)| *id == f[1]).expect("destination").1;
        for (k, limit) in [5.0, 10.0, 30.0].into_iter().enumerate() {
            if seconds <= limit * 60.0 {
                entry.1[k].0 += 1;
                entry.1[k].1 += w;
            }
        }
    }
    let table = std::fs::read_to_string(d.join("access.csv")).expect("accessibility table");
    let mut lines = table.lines();
    assert_eq!(
        lines.next(),
        Some("origin_id,nearest_s,reached_5min,weight_5min,reached_10min,weight_10min,reached_30min,weight_30min")
    );
    let mut seen = 0;
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let (nearest, sums) = &expected[f[0]];
        assert_eq!(f[1].parse::<f64>().ok(), *nearest, "{line}");
        for (k, (reached, weight)) in sums.iter().enumerate() {
            assert_eq!(f[2 + 2 * k].parse::<i64>().expect("count"), *reached, "{line}");
            assert!((f[3 + 2 * k].parse::<f64>().expect("weight") - weight).abs() < 1e-9, "{line}");
        }
        seen += 1;
    }
    assert_eq!(seen, expected.len(), "one row per origin");
    // Some origins reach something and some weights differ by threshold: not all zeros.
    assert!(expected.values().any(|(_, s)| s[0].0 < s[2].0), "the thresholds discriminate");
}

#[test]
fn locate_instances_in_shards_equal_the_solves_done_one_by_one() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let d = tmp.path();
    let problem = root().join("sample-data/helsinki/locate/two-new.toml");
    let job =
        format!("[locate]\nproblems = [\"{}\"]\nnew_units = [1, 2, 3]\n\n[split]\nshards = 3\n", problem.display());
    write(&d.join("locate.toml"), &job);
    write(&d.join("one.toml"), &job.replace("shards = 3", "shards = 1"));
    let plan = pave(d, &["batch", "plan", "locate.toml", "--out", "loc"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(plan.stdout.contains("planned 3 shards of 3 location-allocation solves"), "{}", plan.stdout);
    for n in ["1", "2", "0"] {
        let r = pave(d, &["batch", "run", "loc", "--shard", n]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    assert_eq!(pave(d, &["batch", "merge", "loc"]).code, 0);
    assert_eq!(pave(d, &["batch", "plan", "one.toml", "--out", "one"]).code, 0);
    assert_eq!(pave(d, &["batch", "run", "one", "--shard", "0"]).code, 0);
    assert_eq!(pave(d, &["batch", "merge", "one"]).code, 0);
    let table = std::fs::read_to_string(d.join("loc/locate.csv")).expect("locate.csv");
    assert_eq!(std::fs::read_to_string(d.join("one/locate.csv")).expect("one"), table, "shards equal one process");
    let mut lines = table.lines();
    assert_eq!(
        lines.next(),
        Some(
            "run,problem,kind,new_units,objective,objective_unit,lower_bound,upper_bound,gap_pct,proven,opened,closed"
        )
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 3);
    // More new units, less walking; each solve proven, opening as many units as asked.
    let objective = |r: &Vec<&str>| r[4].parse::<f64>().expect("objective");
    assert!(objective(&rows[0]) > objective(&rows[1]) && objective(&rows[1]) > objective(&rows[2]), "{table}");
    for (k, r) in rows.iter().enumerate() {
        assert_eq!(r[3], (k + 1).to_string());
        assert_eq!(r[9], "yes", "{table}");
        assert_eq!(r[10].split("; ").count(), k + 1, "{table}");
    }
    // The solve as written (2 new units) is what `pave locate` finds.
    let alone = pave(d, &["locate", problem.to_str().expect("utf-8"), "--out", "alone"]);
    assert_eq!(alone.code, 0, "{}", alone.stderr);
    let bounds: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("alone/helsinki-two-new/bounds.json")).expect("bounds.json"))
            .expect("json");
    let by_pave = bounds["objective"].as_f64().expect("objective");
    assert!((objective(&rows[1]) - by_pave).abs() < 0.01, "{} vs {by_pave}", rows[1][4]);

    // Sweeping the number of units of a problem that has none is refused, naming it.
    let closure = root().join("sample-data/helsinki/locate/close-two.toml");
    write(&d.join("bad.toml"), &format!("[locate]\nproblems = [\"{}\"]\nnew_units = [1]\n", closure.display()));
    let bad = pave(d, &["batch", "plan", "bad.toml", "--out", "bad"]);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("close-two.toml is a closure problem"), "{}", bad.stderr);
}

/// A profile of Turku in `dir` whose population forecast is the sample's times `factor`
/// (the "high" variant), every other file the sample's own.
fn turku_variant(dir: &Path, factor: f64) -> std::path::PathBuf {
    let turku = root().join("sample-data/turku");
    let bytes = std::fs::read(turku.join("ennuste-2025-2035-SYNTHETIC.csv")).expect("forecast");
    let mut out = Vec::new();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        if i == 0 {
            out.extend_from_slice(line);
        } else {
            let text = String::from_utf8(line.to_vec()).expect("ASCII rows");
            let (head, count) = text.rsplit_once(';').expect("a count");
            let scaled = count.replace(',', ".").parse::<f64>().expect("a number") * factor;
            out.extend_from_slice(format!("{head};{}", format!("{scaled:.2}").replace('.', ",")).as_bytes());
        }
        out.push(b'\n');
    }
    std::fs::create_dir_all(dir).expect("variant folder");
    std::fs::write(dir.join("ennuste-high.csv"), out).expect("write the variant");
    let mut profile = std::fs::read_to_string(turku.join("profile.toml")).expect("profile");
    for name in [
        "turku-municipality-boundary-2023.geojson",
        "alueet-SYNTHETIC.csv",
        "toimipisteet-SYNTHETIC.csv",
        "tilat-SYNTHETIC.csv",
        "ruudut-SYNTHETIC.csv",
        "vaesto-2024-SYNTHETIC.csv",
    ] {
        profile = profile.replace(&format!("\"{name}\""), &format!("\"{}\"", turku.join(name).display()));
    }
    profile = profile.replace("\"ennuste-2025-2035-SYNTHETIC.csv\"", "\"ennuste-high.csv\"");
    std::fs::write(dir.join("profile.toml"), profile).expect("write the profile");
    dir.join("profile.toml")
}

#[test]
fn a_sweep_over_forecast_variants_equals_pave_run_with_the_variant_profile() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let d = tmp.path();
    let high = turku_variant(&d.join("turku-high"), 1.2);
    let scenario = root().join("sample-data/turku/scenarios/forecast-2030.toml");
    write(
        &d.join("sweep.toml"),
        &format!(
            "[sweep]\nscenarios = [\"{}\"]\nforecasts = {{ high = \"turku-high/profile.toml\" }}\n\n[split]\nshards = 2\n",
            scenario.display()
        ),
    );
    let plan = pave(d, &["batch", "plan", "sweep.toml", "--out", "sweep"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(plan.stdout.contains("a sweep of 2 scenario evaluations"), "{}", plan.stdout);
    for n in ["1", "0"] {
        let r = pave(d, &["batch", "run", "sweep", "--shard", n]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let merged = pave(d, &["batch", "merge", "sweep"]);
    assert_eq!(merged.code, 0, "{}", merged.stderr);
    assert!(merged.stdout.contains("year 2030, forecast high"), "{}", merged.stdout);
    let table = std::fs::read_to_string(d.join("sweep/kpis.csv")).expect("kpis.csv");
    let rows: Vec<Vec<&str>> = table.lines().skip(1).map(|l| l.split(';').collect()).collect();
    assert_eq!(rows.len(), 2, "{table}");
    assert_eq!((rows[0][13], rows[1][13]), ("", "high"), "{table}");
    let children = |r: &Vec<&str>| r[5].replace(',', ".").parse::<f64>().expect("children");
    assert!(children(&rows[1]) > children(&rows[0]) * 1.1, "the high variant has more children: {table}");

    // The variant's run equals `pave run` of the scenario with the variant's profile.
    write(
        &d.join("high.toml"),
        &format!("name = \"high\"\nextends = \"{}\"\nprofile = \"{}\"\n", scenario.display(), high.display()),
    );
    let run = pave(d, &["run", "high.toml", "--out", "runs"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let kpis: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("runs/high/kpis.json")).expect("kpis.json")).expect("json");
    assert_eq!(format!("{:.2}", kpis["children"].as_f64().expect("children")).replace('.', ","), rows[1][5]);
    let within = kpis["nearest_with_vacancy"]["within_share"].as_f64().expect("share") * 100.0;
    assert_eq!(format!("{within:.1}").replace('.', ","), rows[1][7], "{table}");

    // A variant of a city no scenario is of is refused, naming it.
    write(
        &d.join("other.toml"),
        &format!(
            "[sweep]\nscenarios = [\"{}\"]\nforecasts = {{ high = \"turku-high/profile.toml\" }}\n",
            root().join("sample-data/helsinki/scenarios/base-2030.toml").display()
        ),
    );
    let bad = pave(d, &["batch", "plan", "other.toml", "--out", "other"]);
    assert_eq!(bad.code, 1);
    assert!(
        bad.stderr.contains("forecasts.high") && bad.stderr.contains("no scenario is of that city"),
        "{}",
        bad.stderr
    );
}
