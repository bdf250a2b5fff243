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
