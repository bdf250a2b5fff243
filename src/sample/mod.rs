//! placeholder
use std::path::{Path, PathBuf};
/// placeholder
pub fn generate_all(_out: &Path) -> Result<Vec<PathBuf>, crate::io::WriteError> { Ok(vec![]) }
