//! Atomic file output: write to a temporary file beside the target, then rename.
//!
//! A reader of the target path sees either the old file or the complete new one, never a
//! half-written file; on any error the temporary file is removed.

use super::error::WriteError;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The temporary path used while writing `target`.
pub fn temp_path(target: &Path) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    target.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// Writes a file atomically: `fill` writes the content to the temporary path it is given.
///
/// The parent folder must exist. On success the temporary file is synced and renamed onto
/// `target`; on failure it is removed and `target` is untouched.
pub fn write_with<F>(target: &Path, fill: F) -> Result<(), WriteError>
where
    F: FnOnce(&Path) -> Result<(), WriteError>,
{
    let tmp = temp_path(target);
    let _ = fs::remove_file(&tmp);
    let result = fill(&tmp).and_then(|()| {
        let f = fs::File::open(&tmp).map_err(|e| WriteError::new(target, e))?;
        f.sync_all().map_err(|e| WriteError::new(target, e))?;
        fs::rename(&tmp, target).map_err(|e| WriteError::new(target, e))
    });
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Writes `bytes` to `target` atomically.
pub fn write_bytes(target: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    write_with(target, |tmp| {
        let mut f = fs::File::create(tmp).map_err(|e| WriteError::new(target, e))?;
        f.write_all(bytes).map_err(|e| WriteError::new(target, e))
    })
}

/// Writes several files into `dir` as one: `fill` writes them into a hidden staging folder
/// inside `dir` (created if needed) and returns their names; they are then moved into
/// `dir`. On failure the staging folder is removed and nothing new is left in `dir`.
pub fn staged<F>(dir: &Path, fill: F) -> Result<Vec<PathBuf>, WriteError>
where
    F: FnOnce(&Path) -> Result<Vec<String>, WriteError>,
{
    fs::create_dir_all(dir).map_err(|e| WriteError::new(dir, e))?;
    // Unique per call, so two writers in one process (the workspace's workers) never share
    // a staging folder.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let staging = dir.join(format!(".pave-staging-{}-{n}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    fs::create_dir(&staging).map_err(|e| WriteError::new(&staging, e))?;
    let names = match fill(&staging) {
        Ok(n) => n,
        Err(e) => {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    let mut written = Vec::new();
    for name in names {
        let target = dir.join(&name);
        if let Err(e) = fs::rename(staging.join(&name), &target) {
            let _ = fs::remove_dir_all(&staging);
            return Err(WriteError::new(&target, e));
        }
        written.push(target);
    }
    let _ = fs::remove_dir_all(&staging);
    Ok(written)
}
