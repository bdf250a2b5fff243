//! Slurm: array lists, time limits from the shards done, and the `sbatch` script of an
//! array job over the shards still to do with a dependent merge job.

use super::{Manifest, ShardSpec, ShardState};
use std::path::Path;

/// Slurm's array list for shard numbers: ranges where they run on (`0-7`, `2,5,9-11`).
pub fn array_list(shards: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < shards.len() {
        let mut j = i;
        while j + 1 < shards.len() && shards[j + 1] == shards[j] + 1 {
            j += 1;
        }
        parts.push(if j > i { format!("{}-{}", shards[i], shards[j]) } else { shards[i].to_string() });
        i = j + 1;
    }
    parts.join(",")
}

/// The time limit for the shards still to do, minutes: four times the slowest shard done so
/// far plus a minute (shards are ranges of equal size), or `default` when none is done.
pub fn time_limit(states: &[(ShardSpec, ShardState)], default: u32) -> u32 {
    let slowest = states
        .iter()
        .filter_map(|(_, st)| match st {
            ShardState::Done(d) => Some(d.seconds),
            _ => None,
        })
        .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))));
    slowest.map_or(default, |s| (s * 4.0 / 60.0).ceil() as u32 + 1)
}

/// The memory request for the shards still to do, MB: one and a half times the largest peak
/// of the shards done so far plus 256 MB, in steps of 256 MB, or `default` when none
/// recorded one.
pub fn memory_mb(states: &[(ShardSpec, ShardState)], default: u64) -> u64 {
    let peak = states
        .iter()
        .filter_map(|(_, st)| match st {
            ShardState::Done(d) => d.peak_mb,
            _ => None,
        })
        .fold(None, |m: Option<f64>, p| Some(m.map_or(p, |m| m.max(p))));
    peak.map_or(default, |p| ((p * 1.5 + 256.0) / 256.0).ceil() as u64 * 256)
}

/// An `sbatch` script for the shards of the job in `dir` not done yet (`todo`): an array over
/// them (at most `parallel` at once, `minutes` and `mem_mb` each, requeued on node failure)
/// and a merge job after every one succeeded (cancelled, not left pending, if one fails).
/// Each task `exec`s pave, so the scheduler's SIGTERM reaches it and it gives its shard up
/// cleanly ([`super::abandon`]).
pub fn slurm_script(
    dir: &Path,
    m: &Manifest,
    todo: &[usize],
    parallel: usize,
    pave: &Path,
    (minutes, mem_mb): (u32, u64),
) -> String {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_owned());
    let (d, p) = (dir.display(), pave.display());
    format!(
        "#!/bin/bash\n\
         # pave batch for {d}: {n} of {shards} shards of {work} (plan {id}).\n\
         # Run it on the login node: bash {d}/submit.sh; it prints the array and merge job ids.\n\
         set -euo pipefail\n\
         mkdir -p {d}/logs\n\
         array=$(sbatch --parsable --job-name=pave-shards --array={list}%{parallel} --requeue \\\n  \
           --time={minutes} --cpus-per-task=2 --mem={mem_mb}M --output={d}/logs/shard-%a.out \\\n  \
           --wrap=\"exec {p} batch run {d}\")\n\
         merge=$(sbatch --parsable --job-name=pave-merge --dependency=afterok:$array --kill-on-invalid-dep=yes \\\n  \
           --time=30 --cpus-per-task=1 --mem=2G --output={d}/logs/merge.out --wrap=\"{p} batch merge {d}\")\n\
         echo \"$array $merge\"\n",
        n = todo.len(),
        shards = m.shards.len(),
        work = m.work.describe(),
        id = m.id,
        list = array_list(todo),
        parallel = parallel.max(1),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn array_lists_join_runs_of_shards() {
        assert_eq!(super::array_list(&[0, 1, 2, 3]), "0-3");
        assert_eq!(super::array_list(&[2, 5, 9, 10, 11]), "2,5,9-11");
        assert_eq!(super::array_list(&[]), "");
    }

    #[test]
    fn time_limits_follow_the_slowest_shard_done() {
        use crate::engine::batch::{Completion, ShardSpec, ShardState};
        let spec = |index| ShardSpec { index, first: 0, last: 1 };
        let done = |seconds| {
            ShardState::Done(Completion {
                manifest: String::new(),
                rows: 1,
                checksum: String::new(),
                seconds,
                peak_mb: None,
            })
        };
        assert_eq!(super::time_limit(&[(spec(0), ShardState::Missing)], 60), 60);
        // 150 s × 4 = 10 min, plus one.
        assert_eq!(
            super::time_limit(&[(spec(0), done(20.0)), (spec(1), done(150.0)), (spec(2), ShardState::Missing)], 60),
            11
        );
    }

    #[test]
    fn memory_requests_follow_the_largest_peak_done() {
        use crate::engine::batch::{Completion, ShardSpec, ShardState};
        let spec = |index| ShardSpec { index, first: 0, last: 1 };
        let done = |peak_mb| {
            ShardState::Done(Completion {
                manifest: String::new(),
                rows: 1,
                checksum: String::new(),
                seconds: 1.0,
                peak_mb,
            })
        };
        assert_eq!(super::memory_mb(&[(spec(0), ShardState::Missing), (spec(1), done(None))], 4096), 4096);
        // 900 MB × 1.5 + 256 = 1,606 → 1,792 (7 × 256).
        assert_eq!(super::memory_mb(&[(spec(0), done(Some(300.0))), (spec(1), done(Some(900.0)))], 4096), 1792);
    }
}
