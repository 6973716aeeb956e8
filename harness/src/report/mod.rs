//! What a suite run looks like to people and to CI: a summary table for the
//! terminal (`terminal`, `repeat`, `listing`, `record`), the JSON events of
//! `afc run --format json` (`events`, a stable schema), the exit codes
//! (`exit`), a JUnit XML file for CI to render (`junit`), CONFORMANCE.md
//! (`conformance`, `document`), and an HTML page with each run drawn as a
//! DAG (`html`). The `afc` binary parses arguments and prints; what it
//! prints is made here.

mod agent_columns;
pub mod check;
mod conformance;
pub mod document;
mod error;
pub mod events;
mod exit;
mod files;
pub mod fuzz_pass;
mod html;
mod junit;
pub mod listing;
mod progress;
pub mod record;
pub mod repeat;
pub mod terminal;

pub use agent_columns::{conformance_by_agents, Column};
pub use conformance::{conformance, Row};
pub use error::ReportError;
pub use events::Event;
pub use exit::Exit;
pub use files::{run_header, write_files};
pub use html::page as html;
pub use junit::junit;
pub use progress::{emit, repeat_shown, run_shown, Format, Progress};

use std::time::Duration;

pub use crate::suite::first_line;
#[cfg(test)]
use crate::suite::Verdict;
use crate::suite::{CaseReport, Outcome};
pub use crate::text::clip;

/// Counts of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Scenarios that passed.
    pub passed: usize,
    /// Scenarios that failed.
    pub failed: usize,
    /// Scenarios the target's profile could not run.
    pub skipped: usize,
    /// Scenarios whose repeated runs disagreed (a failure, never a pass).
    pub flaky: usize,
    /// Scenarios `--fail-fast` never started (not counted as skipped).
    pub not_run: usize,
}

impl Totals {
    /// Whether anything failed or was flaky: the run does not pass.
    pub fn any_failure(&self) -> bool {
        self.failed > 0 || self.flaky > 0
    }
}

/// Counts the verdicts.
pub fn totals(reports: &[CaseReport]) -> Totals {
    let mut t = Totals::default();
    for r in reports {
        let count = match r.verdict.outcome() {
            Outcome::Passed => &mut t.passed,
            Outcome::Failed => &mut t.failed,
            Outcome::NotRun => &mut t.not_run,
            Outcome::Skipped => &mut t.skipped,
            Outcome::Flaky => &mut t.flaky,
        };
        *count += 1;
    }
    t
}

/// Columns of a table when stdout is not a terminal.
pub const DEFAULT_WIDTH: u16 = 100;

/// An empty table with `header` whose cells wrap to fit `width` columns;
/// without one, the terminal's width, or [`DEFAULT_WIDTH`] when stdout is
/// not a terminal.
pub fn fitted_table(header: &[&str], width: Option<u16>) -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    // A header, one line under it, then the rows: nothing between rows.
    let style = comfy_table::TableStyle::new()
        .header_separator(comfy_table::LineStyle::none().fill('─').junction('─'));
    t.load_style(style)
        .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    match width {
        Some(w) => {
            t.set_width(w);
        }
        None if t.width().is_none() => {
            t.set_width(DEFAULT_WIDTH);
        }
        None => {}
    }
    t
}

/// The summary table: scenario, result, time, first difference, fitted to
/// `width` as [`fitted_table`] says.
pub fn table(reports: &[CaseReport], width: Option<u16>) -> String {
    let mut t = fitted_table(&["scenario", "result", "time", "first difference"], width);
    for r in reports {
        t.add_row(vec![
            r.name.clone(),
            r.verdict.word().to_string(),
            format!("{} ms", r.elapsed.as_millis()),
            clip(&first_line(&r.verdict), 200),
        ]);
    }
    if let Some(c) = t.column_mut(2) {
        c.set_cell_alignment(comfy_table::CellAlignment::Right);
    }
    format!("{}\n", t.trim_fmt())
}

/// The totals line: counts, the wall time of the run and the summed time of
/// its scenarios (larger than the wall time when scenarios ran at once).
pub fn summary(reports: &[CaseReport], wall: Duration) -> String {
    let t = totals(reports);
    let scenario_time: Duration = reports.iter().map(|r| r.elapsed).sum();
    let flaky = if t.flaky > 0 {
        format!(", {} flaky", t.flaky)
    } else {
        String::new()
    };
    let not_run = if t.not_run > 0 {
        format!(", {} not run", t.not_run)
    } else {
        String::new()
    };
    format!(
        "{} passed, {} failed{flaky}, {} skipped{not_run}; wall time {:.2} s, scenario time {:.2} s",
        t.passed,
        t.failed,
        t.skipped,
        wall.as_secs_f64(),
        scenario_time.as_secs_f64()
    )
}

/// A report that took 12 ms, for the tests of this module's files.
#[cfg(test)]
fn report(name: &str, verdict: Verdict) -> CaseReport {
    CaseReport {
        name: name.to_string(),
        verdict,
        elapsed: Duration::from_millis(12),
        observed: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_shows_the_first_difference_and_the_summary_both_times() {
        let reports = [
            report("restart/a", Verdict::Passed),
            report(
                "replay/b",
                Verdict::Failed {
                    problems: vec![crate::suite::problem::sample::differs(
                        crate::scenario::View::Headers,
                        "-golden\n+now",
                    )],
                    first_diff: Some("line 4: -replay_mode: none +replay_mode: absent".into()),
                },
            ),
            report(
                "x/c",
                Verdict::Skipped("profile lacks serve_mode_replay".into()),
            ),
            CaseReport {
                elapsed: Duration::ZERO,
                ..crate::suite::not_run(&crate::suite::Case {
                    name: "x/d".into(),
                    path: "d.yaml".into(),
                })
            },
        ];
        let t = table(&reports, Some(DEFAULT_WIDTH));
        let not_run = t.lines().find(|l| l.contains("x/d")).expect("a row");
        assert!(
            not_run.contains("not run") && !not_run.contains("skipped"),
            "{t}"
        );
        let row = t.lines().find(|l| l.contains("replay/b")).expect("a row");
        assert!(
            row.contains("FAILED")
                && row.contains("12 ms")
                && row.contains("line 4: -replay_mode: none"),
            "{t}"
        );
        assert_eq!(
            summary(&reports, Duration::from_millis(20)),
            "1 passed, 1 failed, 1 skipped, 1 not run; wall time 0.02 s, scenario time 0.04 s"
        );
    }

    #[test]
    fn the_table_fits_the_width_by_wrapping_the_long_cells() {
        let long = "x".repeat(180);
        let failed = Verdict::Failed {
            problems: vec![],
            first_diff: Some(long.clone()),
        };
        let t = table(&[report("replay/long", failed)], Some(DEFAULT_WIDTH));
        let widest = t.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        assert!(widest <= usize::from(DEFAULT_WIDTH), "{widest}\n{t}");
        assert_eq!(t.matches('x').count(), 180, "nothing is lost:\n{t}");
    }

    #[test]
    fn the_table_shows_a_flaky_scenario_as_flaky_and_counts_it() {
        let flaky = Verdict::Flaky {
            passed: 2,
            failed: 1,
            differences: vec![],
            problems: vec![],
        };
        let reports = [report("replay/x", flaky)];
        let t = table(&reports, Some(DEFAULT_WIDTH));
        let row = t.lines().find(|l| l.contains("replay/x")).expect("a row");
        assert!(
            row.contains("FLAKY") && row.contains("flaky: passed 2 of 3 runs;"),
            "{t}"
        );
        assert!(summary(&reports, Duration::ZERO)
            .starts_with("0 passed, 0 failed, 1 flaky, 0 skipped;"));
    }
}
