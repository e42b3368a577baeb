//! A terminal progress bar (on stderr) for the CLI. Hidden when stderr is not a terminal.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::checkpoint::Phase;
use crate::progress::{Progress, ProgressSnapshot};
use crate::report::ImportReport;

pub struct BarProgress {
    bar: ProgressBar,
}

impl BarProgress {
    /// A bar over the users file's bytes (the row count is unknown until the end).
    pub fn new(total_bytes: u64) -> Self {
        let bar = ProgressBar::new(total_bytes);
        // The template is a constant known to parse; fall back to the default style
        // rather than fail an import over cosmetics.
        let style = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {percent:>3}% {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(250));
        BarProgress { bar }
    }
}

impl Progress for BarProgress {
    fn phase(&self, phase: Phase) {
        let message = match phase {
            Phase::Groups => "creating groups",
            Phase::Users => "importing users",
            Phase::Done => "done",
        };
        self.bar.set_message(message);
    }

    fn update(&self, s: &ProgressSnapshot) {
        self.bar.set_position(s.bytes_read);
        self.bar.set_message(format!(
            "rows {} · imported {} · skipped {} · failed {} · {:.0} rows/s",
            s.rows_read, s.imported, s.skipped, s.failed, s.rows_per_second
        ));
    }

    fn finish(&self, _report: &ImportReport) {
        self.bar.finish_and_clear();
    }
}
