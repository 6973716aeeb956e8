//! The machine-readable output of `afc run --format json`: one JSON object per
//! line on stdout, each an [`Event`] tagged by its `type`.
//!
//! - `scenario`, as each scenario finishes (those never started come last);
//! - `fuzz`, once, after the scenarios, when `--fuzz N` asked for a pass;
//! - `summary`, the last line of a run that happened;
//! - `error`, the only line of a run that could not happen (exit 2).
//!
//! README "afc run --format json" documents every field, from these types.
//!
//! Stability policy (as nextest's for its machine-readable output): within a
//! major version of afc, a field is never renamed, removed or given another
//! meaning or type, and a `type` or `result` value is never removed. New
//! fields, and new `type` and `result` values, may be added in any release:
//! a consumer ignores what it does not know. Keys come in the order the types
//! below declare them, but a consumer must not rely on order.

use std::time::Duration;

use serde::Serialize;

use super::{Exit, Totals};
use crate::fuzz::pass::PassOutcome;
use crate::suite::{CaseReport, Outcome, Verdict};

/// One line of `afc run --format json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// One scenario finished, or was never started.
    Scenario(ScenarioEvent),
    /// The bounded fuzz pass after the scenarios (`--fuzz N`).
    Fuzz(FuzzEvent),
    /// The run's totals: the last line.
    Summary(SummaryEvent),
    /// The run could not happen: the only line.
    Error(ErrorEvent),
}

/// `{"type":"scenario",…}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScenarioEvent {
    /// `topic/name`.
    pub name: String,
    /// `passed`, `failed`, `flaky`, `skipped` or `not_run`.
    pub result: Outcome,
    /// The scenario's time (all its runs with `--repeat`).
    pub time_ms: u64,
    /// The fields its result carries.
    #[serde(flatten)]
    pub detail: Detail,
}

/// The fields of a scenario event that depend on its result.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Detail {
    /// `passed`: nothing more.
    Passed {},
    /// `skipped`, `not_run`: why it did not run.
    Reason {
        /// Why it did not run.
        reason: String,
    },
    /// `failed`.
    Failed {
        /// The first differing line, or null when no view differed.
        first_difference: Option<String>,
        /// Every problem; a differing view's carries its diff.
        problems: Vec<String>,
    },
    /// `flaky` (only with `--repeat`).
    Flaky {
        /// Repeated runs that passed.
        passed_runs: usize,
        /// Repeated runs that failed.
        failed_runs: usize,
        /// The most frequent first differing line of the failed runs.
        first_difference: Option<String>,
        /// The problems of the first failed run.
        problems: Vec<String>,
    },
}

/// `{"type":"fuzz",…}`: [`PassOutcome`] as one line, its fields under
/// their own names (`seed`, `asked`, `ran`, `passed`, `open`, `failed` and
/// `errors` as lists of seeds), its times as `elapsed_ms` and `budget_s`.
#[derive(Clone, Debug, PartialEq)]
pub struct FuzzEvent(pub PassOutcome);

impl Serialize for FuzzEvent {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let o = &self.0;
        let mut m = s.serialize_struct("FuzzEvent", 9)?;
        m.serialize_field("seed", &o.seed)?;
        m.serialize_field("asked", &o.asked)?;
        m.serialize_field("ran", &o.ran)?;
        m.serialize_field("passed", &o.passed)?;
        m.serialize_field("open", &o.open)?;
        m.serialize_field("failed", &o.failed)?;
        m.serialize_field("errors", &o.errors)?;
        m.serialize_field("elapsed_ms", &millis(o.elapsed))?;
        m.serialize_field("budget_s", &o.budget.as_secs())?;
        m.end()
    }
}

/// `{"type":"summary",…}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SummaryEvent {
    /// Scenarios that passed.
    pub passed: usize,
    /// Scenarios that failed.
    pub failed: usize,
    /// Scenarios whose repeated runs disagreed.
    pub flaky: usize,
    /// Scenarios the target could not run.
    pub skipped: usize,
    /// Scenarios never started.
    pub not_run: usize,
    /// Wall time of the run.
    pub wall_ms: u64,
    /// Summed time of its scenarios.
    pub scenario_ms: u64,
    /// The process's exit code: 0 or 1.
    pub exit_code: u8,
}

/// `{"type":"error",…}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ErrorEvent {
    /// Why the run could not happen.
    pub message: String,
    /// Always 2.
    pub exit_code: u8,
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl Event {
    /// The event of one finished (or never started) scenario.
    pub fn scenario(r: &CaseReport) -> Event {
        let detail = match &r.verdict {
            Verdict::Passed => Detail::Passed {},
            Verdict::Skipped(reason) | Verdict::NotRun(reason) => Detail::Reason {
                reason: reason.clone(),
            },
            Verdict::Failed {
                problems,
                first_diff,
            } => Detail::Failed {
                first_difference: first_diff.clone(),
                problems: crate::suite::rendered(problems),
            },
            Verdict::Flaky {
                passed,
                failed,
                differences,
                problems,
            } => Detail::Flaky {
                passed_runs: *passed,
                failed_runs: *failed,
                first_difference: differences.first().map(|d| d.line.clone()),
                problems: crate::suite::rendered(problems),
            },
        };
        Event::Scenario(ScenarioEvent {
            name: r.name.clone(),
            result: r.verdict.outcome(),
            time_ms: millis(r.elapsed),
            detail,
        })
    }

    /// The fuzz pass's event.
    pub fn fuzz(o: &PassOutcome) -> Event {
        Event::Fuzz(FuzzEvent(o.clone()))
    }

    /// The final event: the totals, times and exit code of a run.
    pub fn summary(t: &Totals, wall: Duration, scenario_time: Duration, exit: Exit) -> Event {
        Event::Summary(SummaryEvent {
            passed: t.passed,
            failed: t.failed,
            flaky: t.flaky,
            skipped: t.skipped,
            not_run: t.not_run,
            wall_ms: millis(wall),
            scenario_ms: millis(scenario_time),
            exit_code: exit.code(),
        })
    }

    /// The only event of a run that could not happen.
    pub fn error(message: &str) -> Event {
        Event::Error(ErrorEvent {
            message: message.to_owned(),
            exit_code: Exit::CouldNotRun.code(),
        })
    }

    /// The event as one line of JSON, without the newline.
    pub fn line(&self) -> String {
        // Plain data with string keys: serialising cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;
