//! What `afc run` shows while scenarios finish, in one of two [`Format`]s:
//!
//! - `human`: on a terminal a progress bar with each failure printed above it;
//!   in a log (stderr not a terminal) one line per scenario as it finishes.
//! - `json`: one [`Event`] per line on stdout as each scenario finishes.

use std::io::{IsTerminal as _, Write as _};

use indicatif::{ProgressBar, ProgressStyle};

use super::Event;
use crate::suite::repeat::{Plan, Repeated};
use crate::suite::session::Session;
use crate::suite::{Case, CaseReport};

/// How `afc run` reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Progress, a table, each failure's diff and a summary.
    #[default]
    Human,
    /// One JSON event per line on stdout (README: "afc run --format json").
    Json,
}

/// Writes one event as one line on stdout.
pub fn emit(event: &Event) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", event.line());
    let _ = out.flush();
}

/// Progress of a run as scenarios finish; shared by the worker threads.
pub struct Progress {
    format: Format,
    bar: ProgressBar,
    /// stderr is not a terminal: a line per scenario instead of a bar.
    log: bool,
}

impl Progress {
    /// Starts showing progress of `total` scenarios; `header` says what runs where.
    pub fn start(format: Format, total: usize, header: &str) -> Progress {
        let log = !std::io::stderr().is_terminal();
        let bar = if format == Format::Json || log {
            ProgressBar::hidden()
        } else {
            let bar = ProgressBar::new(total as u64);
            bar.set_style(
                ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {elapsed} {msg}")
                    .expect("a valid template")
                    .progress_chars("=> "),
            );
            bar
        };
        if format == Format::Human {
            if log {
                eprintln!("{header}");
            } else {
                bar.println(header);
            }
        }
        Progress { format, bar, log }
    }

    /// One scenario finished: shown, and the bar moves by one.
    pub fn finished(&self, r: &CaseReport) {
        self.announce(r);
        self.bar.set_message(r.name.clone());
        self.bar.inc(1);
    }

    /// One scenario finished, shown without moving the bar (which counts
    /// repeated runs).
    pub fn finished_repeated(&self, r: &CaseReport) {
        self.announce(r);
    }

    fn announce(&self, r: &CaseReport) {
        match self.format {
            Format::Json => emit(&Event::scenario(r)),
            Format::Human if self.log => {
                let detail = super::first_line(&r.verdict);
                let sep = if detail.is_empty() { "" } else { ": " };
                eprintln!(
                    "{:<7} {} ({} ms){sep}{detail}",
                    r.verdict.word(),
                    r.name,
                    r.elapsed.as_millis()
                );
            }
            Format::Human => {
                if r.verdict.outcome().is_failure() {
                    self.bar.println(format!(
                        "{} {}: {}",
                        r.verdict.word(),
                        r.name,
                        super::first_line(&r.verdict)
                    ));
                }
            }
        }
    }

    /// Moves the bar by `n` without a scenario finishing (repeated runs).
    pub fn advance(&self, n: u64, message: &str) {
        self.bar.set_message(message.to_owned());
        self.bar.inc(n);
    }

    /// The run is over: the bar goes away.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Runs `cases` once each as `session` says, showing progress in `format`;
/// a target that stopped answering is accounted for on stderr.
pub fn run_shown(session: &Session, cases: &[Case], format: Format) -> Vec<CaseReport> {
    let header = super::run_header(cases.len(), session.target);
    let shown = Progress::start(format, cases.len(), &header);
    let ran = session.run(cases, &|r| shown.finished(r));
    shown.finish();
    if let Some(account) = ran.stopped_account(session.target) {
        eprintln!("afc run: {account}");
    }
    ran.reports
}

/// Runs `cases` as `plan` says, showing progress in `format`: the bar
/// counts runs; the JSON events and log lines, scenarios.
pub fn repeat_shown(
    session: &Session,
    cases: &[Case],
    plan: Plan,
    format: Format,
) -> Vec<Repeated> {
    let target = session.target;
    let against = format!("{} ({})", target.kind, target.url);
    let header = super::repeat::header(cases.len(), plan, &against);
    let shown = Progress::start(format, cases.len() * plan.times, &header);
    let done = |r: &Repeated| {
        // Runs --until-fail did not make still count as done.
        shown.advance((plan.times - r.runs) as u64, &r.report.name);
        shown.finished_repeated(&r.report);
    };
    let results = session.run_repeated(cases, plan, &|r| shown.advance(1, &r.name), &done);
    shown.finish();
    results
}
