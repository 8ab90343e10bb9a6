//! Progress of a backup or restore: `indicatif` bars (one per table in
//! flight, with rows and bytes, and an overall bar) on a terminal, plain
//! log lines otherwise, nothing with `--quiet`.

use std::io::IsTerminal;
use std::time::Instant;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The progress of a whole run.
pub struct Progress {
    bars: Option<(MultiProgress, ProgressBar)>,
    quiet: bool,
    verb: &'static str,
}

/// The progress of one table.
pub struct TableProgress {
    bar: Option<ProgressBar>,
    overall: Option<ProgressBar>,
    name: String,
    started: Instant,
    quiet: bool,
    verb: &'static str,
    rows: u64,
    bytes: u64,
}

impl Progress {
    /// `verb` says what happens to tables ("backed up", "restored").
    pub fn new(quiet: bool, tables: u64, verb: &'static str) -> Progress {
        let bars = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
            let overall = multi.add(ProgressBar::new(tables));
            overall.set_style(
                ProgressStyle::with_template(
                    "{prefix:>12} [{bar:30}] {pos}/{len} tables {elapsed}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            overall.set_prefix("total");
            (multi, overall)
        });
        Progress { bars, quiet, verb }
    }

    /// Starts a table's progress.
    pub fn table(&self, name: &str) -> TableProgress {
        let bar = self.bars.as_ref().map(|(multi, _)| {
            let bar = multi.add(ProgressBar::new_spinner());
            bar.set_style(
                ProgressStyle::with_template("{prefix:>12} {spinner} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_prefix(name.to_string());
            bar
        });
        TableProgress {
            bar,
            overall: self.bars.as_ref().map(|(_, o)| o.clone()),
            name: name.to_string(),
            started: Instant::now(),
            quiet: self.quiet,
            verb: self.verb,
            rows: 0,
            bytes: 0,
        }
    }

    /// A line outside the bars.
    pub fn say(&self, line: &str) {
        if self.quiet {
            return;
        }
        match &self.bars {
            Some((multi, _)) => {
                let _ = multi.println(line);
            }
            None => eprintln!("{line}"),
        }
    }

    /// Clears the bars.
    pub fn finish(&self) {
        if let Some((_, overall)) = &self.bars {
            overall.finish_and_clear();
        }
    }
}

fn megabytes(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}

impl TableProgress {
    /// Counts more rows or bytes.
    pub fn add(&mut self, rows: u64, bytes: u64) {
        self.rows += rows;
        self.bytes += bytes;
        if let Some(bar) = &self.bar {
            bar.set_message(format!(
                "{} rows, {:.1} MB",
                self.rows,
                megabytes(self.bytes)
            ));
            bar.tick();
        }
    }

    /// The table is done: `rows` and `bytes` are its totals.
    pub fn done(self, rows: u64, bytes: u64) {
        let secs = self.started.elapsed().as_secs_f64();
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        if let Some(o) = &self.overall {
            o.inc(1);
        }
        if !self.quiet {
            let line = format!(
                "{} {}: {rows} rows, {:.1} MB in {secs:.2} s",
                self.verb,
                self.name,
                megabytes(bytes)
            );
            match &self.overall {
                Some(o) => o.println(line),
                None => eprintln!("{line}"),
            }
        }
    }
}
