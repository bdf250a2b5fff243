//! A shard's claim, `JOBDIR/running/N.json`: made with create-new when a run starts and
//! removed when it ends (done, failed, or stopped by the scheduler's SIGTERM through
//! [`abandon`]). Two runs of one shard at once — a requeue race, a shard submitted twice —
//! cannot both compute and publish: the second is refused, naming the first. A claim left
//! by a run that was killed outright (SIGKILL, a node lost) is taken over when its process
//! is known to be gone (same host) or when the scheduler re-runs the same job (a requeue);
//! otherwise the message says which file to remove. [`super::status`] shows claimed shards
//! as running, or as interrupted when their process is gone.

use super::job_error;
use crate::engine::EngineError;
use crate::io::error::WriteError;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Who runs a shard.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Claim {
    /// Host of the run.
    pub host: String,
    /// Its process id.
    pub pid: u32,
    /// When it started, seconds since 1970-01-01 UTC.
    pub since: u64,
    /// The scheduler's job, if any: Slurm `JOBID_TASK` of an array task, else `SLURM_JOB_ID`.
    pub job: Option<String>,
    /// Seconds since the run last touched its claim (its heartbeat), when read from disk.
    #[serde(skip)]
    pub quiet_s: Option<u64>,
}

/// A run touches its claim this often…
const HEARTBEAT_S: u64 = 60;
/// …and a claim untouched this long belongs to a run that is gone, wherever it ran.
const STALE_S: u64 = 600;

impl Claim {
    /// This process.
    fn mine() -> Claim {
        let var = |v: &str| std::env::var(v).ok().filter(|s| !s.is_empty());
        let job = match (var("SLURM_ARRAY_JOB_ID"), var("SLURM_ARRAY_TASK_ID")) {
            (Some(j), Some(t)) => Some(format!("{j}_{t}")),
            _ => var("SLURM_JOB_ID"),
        };
        let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        Claim { host: host(), pid: std::process::id(), since, job, quiet_s: None }
    }

    /// Whether the run is known to be gone: its process has left this host, or it has not
    /// touched its claim for [`STALE_S`] seconds (a run killed on another host).
    pub fn gone(&self) -> bool {
        self.alive() == Some(false) || self.quiet_s.is_some_and(|q| q > STALE_S)
    }

    /// Whether its process is alive: known on this host (Linux `/proc`), `None` elsewhere.
    pub fn alive(&self) -> Option<bool> {
        (self.host == host() && Path::new("/proc/self").exists())
            .then(|| Path::new(&format!("/proc/{}", self.pid)).exists())
    }

    /// "pid 4242 on node1 since 2026-11-30 03:20:00 UTC (job 17_5)".
    pub fn describe(&self) -> String {
        let (days, rest) = (self.since / 86_400, self.since % 86_400);
        let (y, m, d) = civil_date(days as i64);
        let job = self.job.as_ref().map_or(String::new(), |j| format!(" (job {j})"));
        format!(
            "pid {} on {} since {y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC{job}",
            self.pid,
            self.host,
            rest / 3600,
            rest % 3600 / 60,
            rest % 60
        )
    }
}

/// The host name (Linux), or "localhost".
fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

/// Year, month, day of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_date(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn path(dir: &Path, n: usize) -> PathBuf {
    dir.join("running").join(format!("{n}.json"))
}

/// The claim on shard `n`, if any. Claims are linked into place whole, so an unreadable one
/// is damaged, not half-written: it reads as a claim by nobody alive.
pub(super) fn read(dir: &Path, n: usize) -> Option<Claim> {
    let file = path(dir, n);
    let text = std::fs::read_to_string(&file).ok()?;
    let mut claim: Claim =
        serde_json::from_str(&text).unwrap_or(Claim { host: host(), pid: 0, since: 0, job: None, quiet_s: None });
    claim.quiet_s =
        std::fs::metadata(&file).and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok()).map(|d| d.as_secs());
    Some(claim)
}

/// A claim held while a shard runs: touched every [`HEARTBEAT_S`] seconds, removed when
/// dropped (also when a panic unwinds).
pub(super) struct Held {
    path: PathBuf,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Drop for Held {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let _ = std::fs::remove_file(&self.path);
    }
}

impl Held {
    fn beating(path: PathBuf) -> Held {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (file, done) = (path.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut slept = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                std::thread::sleep(std::time::Duration::from_secs(1));
                slept += 1;
                if slept % HEARTBEAT_S == 0 && !done.load(std::sync::atomic::Ordering::Relaxed) {
                    let touched = std::fs::File::options().write(true).open(&file);
                    let _ = touched.and_then(|f| f.set_modified(std::time::SystemTime::now()));
                }
            }
        });
        Held { path, stop }
    }
}

/// A name no other writer in this or another process uses, in `folder`.
fn private(folder: &Path, what: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let k = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    folder.join(format!(".{what}.{}.{}.{k}.tmp", host(), std::process::id()))
}

/// Claims shard `n` for this process, taking over a claim whose run is gone (or that the
/// scheduler re-runs: the same Slurm task, its process not alive here); refuses while
/// another run may hold it. The claim is written whole to a private file and linked into
/// place, which fails when a claim exists: never seen half-written, never two.
pub(super) fn take(dir: &Path, n: usize) -> Result<Held, EngineError> {
    let file = path(dir, n);
    let folder = dir.join("running");
    std::fs::create_dir_all(&folder).map_err(|e| WriteError::new(&folder, e))?;
    let me = Claim::mine();
    let mine = private(&folder, &format!("{n}.json"));
    let text = serde_json::to_string_pretty(&me).unwrap_or_default();
    let written =
        std::fs::File::create(&mine).and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&mine);
        return Err(WriteError::new(&file, e).into());
    }
    let result = (|| {
        for _ in 0..3 {
            match std::fs::hard_link(&mine, &file) {
                Ok(()) => return Ok(Held::beating(file.clone())),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let Some(other) = read(dir, n) else { continue };
                    let requeued = other.job.is_some() && other.job == me.job && other.alive() != Some(true);
                    if !(other.gone() || requeued) {
                        return Err(job_error(
                            &file,
                            format!(
                                "shard {n} is being run by {}: two runs of one shard cannot both publish; if that run is dead, remove this file",
                                other.describe()
                            ),
                        ));
                    }
                    take_over(&folder, &file, &other);
                }
                Err(e) => return Err(WriteError::new(&file, e).into()),
            }
        }
        Err(job_error(&file, format!("shard {n}: another run claimed it at the same moment")))
    })();
    let _ = std::fs::remove_file(&mine);
    result
}

/// Moves a stale claim out of the way, atomically: renamed to a private name first, so of
/// two runs taking it over only one gets it; a claim that turns out to be another's fresh
/// one (it changed between reading and renaming) is put back.
fn take_over(folder: &Path, file: &Path, stale: &Claim) {
    let moved = private(folder, "stale");
    if std::fs::rename(file, &moved).is_err() {
        return; // another run moved it first
    }
    let same = std::fs::read_to_string(&moved)
        .ok()
        .and_then(|t| serde_json::from_str::<Claim>(&t).ok())
        .is_none_or(|c| c.pid == stale.pid && c.host == stale.host && c.since == stale.since);
    if !same {
        let _ = std::fs::hard_link(&moved, file);
    }
    let _ = std::fs::remove_file(&moved);
}

/// Gives up this process's run of shard `n` (the scheduler stops it: SIGTERM, SIGINT):
/// removes its claim and its temporary files in the shard's folder, so nothing half-written
/// is left and the shard reads as missing. Claims and files of other runs stay.
pub fn abandon(dir: &Path, n: usize) {
    let pid = std::process::id();
    // Only the run holding the claim touches the shard's files (pids repeat across hosts
    // and containers).
    if !read(dir, n).is_some_and(|c| c.pid == pid && c.host == host()) {
        return;
    }
    let _ = std::fs::remove_file(path(dir, n));
    let tmp = format!(".{pid}.tmp");
    if let Ok(entries) = std::fs::read_dir(super::shard_dir(dir, n)) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().ends_with(&tmp) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// Removes every temporary file in shard `n`'s folder: called by the run that holds the
/// claim, so any there were left by runs killed outright (SIGKILL, a node lost).
pub(super) fn clear_leftovers(dir: &Path, n: usize) {
    if let Ok(entries) = std::fs::read_dir(super::shard_dir(dir, n)) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') && name.ends_with(".tmp") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil() {
        assert_eq!(civil_date(0), (1970, 1, 1));
        assert_eq!(civil_date(20_423), (2025, 12, 1));
        assert_eq!(civil_date(11_016), (2000, 2, 29));
    }

    #[test]
    fn a_claim_by_a_live_run_refuses_a_second_and_a_dead_one_is_taken_over() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let d = tmp.path();
        let held = take(d, 3).expect("first claim");
        // This process holds it and is alive: a second claim is refused, naming it.
        let refused = take(d, 3).err().expect("refused").to_string();
        assert!(
            refused.contains(&format!("pid {}", std::process::id())) && refused.contains("running/3.json"),
            "{refused}"
        );
        drop(held);
        assert!(read(d, 3).is_none(), "dropped claims are removed");
        // A claim by a process gone from this host is taken over.
        let mut child = std::process::Command::new("true").spawn().expect("spawn");
        let gone = child.id();
        child.wait().expect("wait");
        let dead = Claim { host: host(), pid: gone, since: 1, job: None, quiet_s: None };
        std::fs::write(path(d, 4), serde_json::to_string(&dead).expect("json")).expect("write");
        let taken = take(d, 4).expect("taken over");
        assert_eq!(read(d, 4).map(|c| c.pid), Some(std::process::id()));
        drop(taken);
        // A claim on another host is refused (its process cannot be checked from here).
        let elsewhere =
            Claim { host: "node-elsewhere".into(), pid: 1, since: 1, job: Some("9_4".into()), quiet_s: None };
        std::fs::write(path(d, 5), serde_json::to_string(&elsewhere).expect("json")).expect("write");
        let refused = take(d, 5).err().expect("refused").to_string();
        assert!(refused.contains("node-elsewhere") && refused.contains("job 9_4"), "{refused}");
        // Untouched for longer than a heartbeat allows, it is gone wherever it ran.
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(STALE_S + 60);
        std::fs::File::options().write(true).open(path(d, 5)).and_then(|f| f.set_modified(old)).expect("age it");
        assert!(read(d, 5).is_some_and(|c| c.gone()));
        drop(take(d, 5).expect("a silent claim is taken over"));
        // Nothing private is left in the claims' folder.
        let left: Vec<_> =
            std::fs::read_dir(d.join("running")).expect("folder").flatten().map(|e| e.file_name()).collect();
        assert!(left.is_empty(), "{left:?}");
    }
}
