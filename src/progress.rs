//! The one place that decides whether progress bars are drawn: only when stderr is a terminal,
//! so that scheduled jobs and pipes get clean output.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// A bar for one pass over a source (bytes of the total, bytes/s, rows/s); does nothing when
/// not drawn.
pub struct Progress {
    bar: Option<ProgressBar>,
}

/// `--quiet`: no bar even on a terminal. Set once by the command layer.
static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Turns progress bars off for the rest of the process (`--quiet`).
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, std::sync::atomic::Ordering::Relaxed);
}

impl Progress {
    /// A bar over `total` bytes labelled with the source's name, if stderr is a terminal (and
    /// not `--quiet`). It shows bytes read of the total and the reading speed.
    pub fn for_source(name: &str, total: u64) -> Progress {
        let quiet = QUIET.load(std::sync::atomic::Ordering::Relaxed);
        if quiet || !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{prefix:>12} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(name.to_string());
        Progress { bar: Some(bar) }
    }

    /// No bar: for a pass too short to need one (a sample).
    pub fn hidden() -> Progress {
        Progress { bar: None }
    }

    /// Bytes and rows read so far (of all the source's files): the bar shows both speeds.
    pub fn set(&self, bytes: u64, rows: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(bytes);
            let seconds = bar.elapsed().as_secs_f64();
            if seconds > 0.0 {
                let rate = rows as f64 / seconds;
                bar.set_message(format!("{rows} rows, {rate:.0} rows/s"));
            }
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
