//! Progress bars on a terminal (indicatif); silent when stderr is not a terminal or `--quiet`.

use crate::progress::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::Mutex;

/// A progress sink drawing one bar per phase on stderr.
pub struct Bar {
    bar: Mutex<Option<ProgressBar>>,
    quiet: bool,
}

impl Bar {
    /// A sink; `quiet` hides everything.
    pub fn new(quiet: bool) -> Self {
        Bar { bar: Mutex::new(None), quiet }
    }
}

impl Progress for Bar {
    fn start(&self, phase: &str, total: u64) {
        if self.quiet {
            return;
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{msg:>24} [{bar:30}] {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style.progress_chars("=> "));
        bar.set_message(phase.to_owned());
        if let Ok(mut b) = self.bar.lock() {
            *b = Some(bar);
        }
    }

    fn inc(&self, n: u64) {
        if let Ok(b) = self.bar.lock()
            && let Some(bar) = b.as_ref()
        {
            bar.inc(n);
        }
    }

    fn finish(&self) {
        if let Ok(mut b) = self.bar.lock()
            && let Some(bar) = b.take()
        {
            bar.finish_and_clear();
        }
    }
}
