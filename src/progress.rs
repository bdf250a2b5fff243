//! Progress reporting through a sink: the library never prints, the CLI shows bars.

/// Receives progress of long-running work.
pub trait Progress: Sync {
    /// A new phase with `total` steps (0 when unknown).
    fn start(&self, phase: &str, total: u64);
    /// `n` more steps done.
    fn inc(&self, n: u64);
    /// The phase is done.
    fn finish(&self);
}

/// Progress that goes nowhere (tests, library callers that do not care).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _phase: &str, _total: u64) {}
    fn inc(&self, _n: u64) {}
    fn finish(&self) {}
}
