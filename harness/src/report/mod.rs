//! What a suite run looks like to people and to CI: a summary table for the
//! terminal, a JUnit XML file for CI to render (`junit`), CONFORMANCE.md
//! (`conformance`), and an HTML page with each run drawn as a DAG (`html`).

mod agent_columns;
mod conformance;
mod html;
mod junit;

pub use agent_columns::{conformance_by_agents, Column};
pub use conformance::{conformance, Row};
pub use html::page as html;
pub use junit::junit;

use std::fmt::Write as _;
use std::time::Duration;

use crate::suite::{CaseReport, Verdict};

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
        match r.verdict {
            Verdict::Passed => t.passed += 1,
            Verdict::Failed { .. } => t.failed += 1,
            Verdict::Skipped(_) => t.skipped += 1,
            Verdict::Flaky { .. } => t.flaky += 1,
        }
    }
    t
}

fn result_word(v: &Verdict) -> &'static str {
    match v {
        Verdict::Passed => "ok",
        Verdict::Failed { .. } => "FAILED",
        Verdict::Skipped(_) => "skipped",
        Verdict::Flaky { .. } => "FLAKY",
    }
}

/// The first line worth showing for a verdict: the first diff, the first
/// problem, or the skip reason.
pub fn first_line(v: &Verdict) -> String {
    match v {
        Verdict::Passed => String::new(),
        Verdict::Failed {
            first_diff: Some(d),
            ..
        } => d.clone(),
        Verdict::Failed { problems, .. } => problems
            .first()
            .and_then(|p| p.lines().next())
            .unwrap_or_default()
            .to_string(),
        Verdict::Skipped(reason) => reason.clone(),
        Verdict::Flaky {
            passed,
            failed,
            differences,
            ..
        } => {
            let first = differences.first().map_or("", |d| d.line.as_str());
            format!(
                "flaky: passed {passed} of {} runs; {first}",
                passed + failed
            )
        }
    }
}

/// `text` cut to `width` characters, with an ellipsis when cut.
pub fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(width.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// The summary table: scenario, result, time, first diff line; then totals.
pub fn table(reports: &[CaseReport], detail_width: usize) -> String {
    let name_w = reports
        .iter()
        .map(|r| r.name.len())
        .max()
        .unwrap_or(8)
        .max(8);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<name_w$}  {:<7}  {:>8}  first difference",
        "scenario", "result", "time"
    );
    for r in reports {
        let _ = writeln!(
            out,
            "{:<name_w$}  {:<7}  {:>6}ms  {}",
            r.name,
            result_word(&r.verdict),
            r.elapsed.as_millis(),
            clip(&first_line(&r.verdict), detail_width)
        );
    }
    let t = totals(reports);
    let wall: Duration = reports.iter().map(|r| r.elapsed).sum();
    let flaky = if t.flaky > 0 {
        format!(", {} flaky", t.flaky)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "\n{} passed, {} failed{flaky}, {} skipped; {} ms of scenario time",
        t.passed,
        t.failed,
        t.skipped,
        wall.as_millis()
    );
    out
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
    fn the_table_shows_the_first_difference_and_totals() {
        let t = table(
            &[
                report("restart/a", Verdict::Passed),
                report(
                    "replay/b",
                    Verdict::Failed {
                        problems: vec!["view 'headers' differs".into()],
                        first_diff: Some("line 4: -replay_mode: none +replay_mode: absent".into()),
                    },
                ),
                report(
                    "x/c",
                    Verdict::Skipped("profile lacks serve_mode_replay".into()),
                ),
            ],
            80,
        );
        assert!(
            t.contains("replay/b   FAILED       12ms  line 4: -replay_mode: none"),
            "{t}"
        );
        assert!(t.contains("1 passed, 1 failed, 1 skipped"), "{t}");
    }

    #[test]
    fn the_table_shows_a_flaky_scenario_as_flaky_and_counts_it() {
        let flaky = Verdict::Flaky {
            passed: 2,
            failed: 1,
            differences: vec![],
            problems: vec![],
        };
        let t = table(&[report("replay/x", flaky)], 80);
        assert!(
            t.contains("replay/x  FLAKY        12ms  flaky: passed 2 of 3 runs;"),
            "{t}"
        );
        assert!(t.contains("0 passed, 0 failed, 1 flaky, 0 skipped"), "{t}");
    }
}
