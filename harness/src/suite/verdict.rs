//! How one scenario ended, the one line that says so, and the one word for
//! each kind of ending ([`Outcome`]): every report (table, log line, JSON,
//! totals) names an ending through it.

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
    /// Never started: `--fail-fast` stopped the run, or the target had
    /// stopped answering; the text says which (`not run: …`).
    NotRun(String),
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
        Verdict::Skipped(reason) | Verdict::NotRun(reason) => reason.clone(),
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

/// The kind of a verdict, without its details: what the reports count and
/// name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// [`Verdict::Passed`].
    Passed,
    /// [`Verdict::Failed`].
    Failed,
    /// [`Verdict::Flaky`].
    Flaky,
    /// [`Verdict::Skipped`].
    Skipped,
    /// [`Verdict::NotRun`].
    NotRun,
}

impl Outcome {
    /// The word of this ending in tables and log lines (the JSON `result`
    /// is its serde name: `passed`, `failed`, `flaky`, `skipped`, `not_run`).
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Passed => "ok",
            Outcome::Failed => "FAILED",
            Outcome::Flaky => "FLAKY",
            Outcome::Skipped => "skipped",
            Outcome::NotRun => "not run",
        }
    }

    /// Whether this ending fails a run (a flaky scenario never passes).
    pub fn is_failure(self) -> bool {
        matches!(self, Outcome::Failed | Outcome::Flaky)
    }
}

impl Verdict {
    /// The kind of this verdict.
    pub fn outcome(&self) -> Outcome {
        match self {
            Verdict::Passed => Outcome::Passed,
            Verdict::Failed { .. } => Outcome::Failed,
            Verdict::Flaky { .. } => Outcome::Flaky,
            Verdict::Skipped(_) => Outcome::Skipped,
            Verdict::NotRun(_) => Outcome::NotRun,
        }
    }

    /// The word of this verdict in tables and log lines ([`Outcome::word`]).
    pub fn word(&self) -> &'static str {
        self.outcome().word()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_ending_has_one_word_and_not_run_is_not_a_skip() {
        let not_run = Verdict::NotRun("not run: --fail-fast stopped at the first failure".into());
        assert_eq!(not_run.word(), "not run");
        assert_eq!(Verdict::Skipped("lacks x".into()).word(), "skipped");
        assert_eq!(
            serde_json::to_value(not_run.outcome()).expect("serialises"),
            "not_run"
        );
        assert_eq!(
            first_line(&not_run),
            "not run: --fail-fast stopped at the first failure"
        );
        assert!(!not_run.outcome().is_failure());
    }
}
