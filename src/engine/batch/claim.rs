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
}

impl Claim {
    /// This process.
    fn mine() -> Claim {
        let var = |v: &str| std::env::var(v).ok().filter(|s| !s.is_empty());
        let job = match (var("SLURM_ARRAY_JOB_ID"), var("SLURM_ARRAY_TASK_ID")) {
            (Some(j), Some(t)) => Some(format!("{j}_{t}")),
            _ => var("SLURM_JOB_ID"),
        };
        let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        Claim { host: host(), pid: std::process::id(), since, job }
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

/// The claim on shard `n`, if any (an unreadable one — its run killed while writing it —
/// reads as a claim by nobody alive).
pub(super) fn read(dir: &Path, n: usize) -> Option<Claim> {
    let text = std::fs::read_to_string(path(dir, n)).ok()?;
    Some(serde_json::from_str(&text).unwrap_or(Claim { host: host(), pid: 0, since: 0, job: None }))
}

/// A claim held while a shard runs; removed when dropped (also when a panic unwinds).
pub(super) struct Held {
    path: PathBuf,
}

impl Drop for Held {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Claims shard `n` for this process, taking over a claim whose run is gone; refuses while
/// another run may hold it.
pub(super) fn take(dir: &Path, n: usize) -> Result<Held, EngineError> {
    let file = path(dir, n);
    let folder = dir.join("running");
    std::fs::create_dir_all(&folder).map_err(|e| WriteError::new(&folder, e))?;
    let me = Claim::mine();
    let text = serde_json::to_string_pretty(&me).unwrap_or_default();
    for _ in 0..3 {
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&file) {
            Ok(mut f) => {
                f.write_all(text.as_bytes()).and_then(|()| f.sync_all()).map_err(|e| WriteError::new(&file, e))?;
                return Ok(Held { path: file });
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let Some(other) = read(dir, n) else { continue };
                let requeued = other.job.is_some() && other.job == me.job;
                if other.alive() == Some(false) || requeued {
                    let _ = std::fs::remove_file(&file);
                    continue;
                }
                return Err(job_error(
                    &file,
                    format!(
                        "shard {n} is being run by {}: two runs of one shard cannot both publish; if that run is dead, remove this file",
                        other.describe()
                    ),
                ));
            }
            Err(e) => return Err(WriteError::new(&file, e).into()),
        }
    }
    Err(job_error(&file, format!("shard {n}: another run claimed it at the same moment")))
}

/// Gives up this process's run of shard `n` (the scheduler stops it: SIGTERM, SIGINT):
/// removes its claim and its temporary files in the shard's folder, so nothing half-written
/// is left and the shard reads as missing. Claims and files of other runs stay.
pub fn abandon(dir: &Path, n: usize) {
    let pid = std::process::id();
    if read(dir, n).is_some_and(|c| c.pid == pid && c.host == host()) {
        let _ = std::fs::remove_file(path(dir, n));
    }
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
        let dead = Claim { host: host(), pid: gone, since: 1, job: None };
        std::fs::write(path(d, 4), serde_json::to_string(&dead).expect("json")).expect("write");
        let taken = take(d, 4).expect("taken over");
        assert_eq!(read(d, 4).map(|c| c.pid), Some(std::process::id()));
        drop(taken);
        // A claim on another host is refused (its process cannot be checked from here).
        let elsewhere = Claim { host: "node-elsewhere".into(), pid: 1, since: 1, job: Some("9_4".into()) };
        std::fs::write(path(d, 5), serde_json::to_string(&elsewhere).expect("json")).expect("write");
        let refused = take(d, 5).err().expect("refused").to_string();
        assert!(refused.contains("node-elsewhere") && refused.contains("job 9_4"), "{refused}");
    }
}
