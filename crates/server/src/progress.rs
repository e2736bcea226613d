//! Progress of long CLI runs (`seed --scale`, `reindex`): indicatif's bar, with rate and ETA,
//! drawn only on a terminal; into a log file each phase writes one line when it ends.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A phase of `total` items.
pub struct Phase {
    bar: ProgressBar,
    what: &'static str,
    started: std::time::Instant,
}

impl Phase {
    pub fn start(what: &'static str, total: u64) -> Self {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{msg:<13} [{bar:30}] {human_pos}/{human_len} {per_sec} ETA {eta}",
        ) {
            bar.set_style(style.progress_chars("#>-"));
        }
        bar.set_message(what);
        Self {
            bar,
            what,
            started: std::time::Instant::now(),
        }
    }

    /// `n` more items are done.
    pub fn advance(&self, n: u64) {
        self.bar.inc(n);
    }

    /// The phase is over: the bar stays on a terminal; elsewhere one line says what was done.
    pub fn finish(self) {
        let done = self.bar.position();
        if self.bar.is_hidden() {
            eprintln!(
                "{}: {done} in {:.1} s",
                self.what,
                self.started.elapsed().as_secs_f64()
            );
        }
        self.bar.finish();
    }
}
