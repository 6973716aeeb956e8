//! How one scenario ended, and the one line that says so.

use super::{repeat, Problem};

/// How one scenario ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Every expectation held and every view matched its golden.
    Passed,
    /// Something differed; `problems` says what, `first_diff` is the first
    /// differing line of the first view that differed.
    Failed {
        /// What went wrong, each with its location or view.
        problems: Vec<Problem>,
        /// `-golden` / `+new` first differing line, if a view differed.
        first_diff: Option<String>,
    },
    /// Not run: the target lacks a capability the scenario requires.
    Skipped(String),
    /// Repeated runs disagreed: some passed, some failed. Never a pass.
    Flaky {
        /// Runs that passed.
        passed: usize,
        /// Runs that failed.
        failed: usize,
        /// Each distinct first difference of the failed runs, most frequent first.
        differences: Vec<repeat::Difference>,
        /// The problems of the first failed run.
        problems: Vec<Problem>,
    },
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
            .map(ToString::to_string)
            .and_then(|p| p.lines().next().map(str::to_owned))
            .unwrap_or_default(),
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
