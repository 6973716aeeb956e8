//! Why a scenario failed, as data: one [`Problem`] per thing that went wrong,
//! each of a kind a test can match (`Problem::ViewDiffers` for the headers
//! view, whose first changed entry is `run2/research.synth`, …). The text
//! people read is their `Display`, rendered only at the edges (libtest, `afc
//! run`, JUnit, `--format json`, `--html`), and it is the text these reports
//! always showed.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::diff::ChangedEntry;
use super::repeat::Difference;
use crate::runner::{Failure, RunError};
use crate::scenario::{LoadError, View};
use crate::target::TargetError;

/// One thing wrong with a scenario's run. The errors are shared (`Arc`) so
/// that a verdict can be cloned into every report.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// The scenario file did not load.
    #[error(transparent)]
    Load(Arc<LoadError>),
    /// The scenario could not be carried through.
    #[error(transparent)]
    Run(Arc<RunError>),
    /// No async runtime could be started for it.
    #[error("cannot start a runtime: {0}")]
    Runtime(Arc<std::io::Error>),
    /// No control plane of its own could be started for a scenario that
    /// restarts the control plane.
    #[error("cannot start a control plane to restart: {0}")]
    TargetForRestart(Arc<TargetError>),
    /// The interpreter's describe run gave no description.
    #[error(transparent)]
    Describe(Arc<crate::agents::describe::DescribeError>),
    /// A known trait of the interpreter's SDK the failure follows from
    /// (`local_same_node_calls`), named first so the failure says it.
    #[error("{0}")]
    KnownSdkTrait(String),
    /// An expectation of a step did not hold, or a barrier expired.
    #[error(transparent)]
    Runner(#[from] Failure),
    /// A view has no golden file.
    #[error("view '{}' has no golden {}{}", .view.as_str(), .golden.display(), Pending(.pending))]
    NoGolden {
        /// The view.
        view: View,
        /// Its golden, as shown (relative to the working directory when under it).
        golden: PathBuf,
        /// The `.snap.new` insta wrote for review during this scenario, as shown.
        pending: Option<PathBuf>,
    },
    /// A view differs from its golden.
    #[error(
        "view '{}' differs from {}{}{}{}",
        .view.as_str(),
        .golden.display(),
        Entry(.first_entry),
        Diff(.diff),
        Pending(.pending)
    )]
    ViewDiffers {
        /// The view.
        view: View,
        /// Its golden, as shown (relative to the working directory when under it).
        golden: PathBuf,
        /// Where the view first differs, entry and leaves, when the golden parses.
        first_entry: Option<ChangedEntry>,
        /// The line diff in `.snap` line numbers, when insta's rendering was caught.
        diff: Option<String>,
        /// The `.snap.new` insta wrote for review during this scenario, as shown.
        pending: Option<PathBuf>,
    },
    /// A view's golden is not a file the suite reads (`scenario::refused_golden`).
    #[error("view '{}' golden {} refused: {reason}", .view.as_str(), .golden.display())]
    GoldenRefused {
        /// The view.
        view: View,
        /// Its golden.
        golden: PathBuf,
        /// Why.
        reason: String,
    },
    /// Repeated runs: every one of them failed.
    #[error("failed {runs} of {runs} runs")]
    FailedEveryRun {
        /// How many runs were made.
        runs: usize,
    },
    /// Repeated runs: a first difference, with how many failed runs showed it.
    #[error("{0}")]
    SeenInRuns(Difference),
    /// Repeated runs, but not one was made.
    #[error("no run was made")]
    NoRun,
}

impl Problem {
    /// The `.snap.new` insta wrote for this problem's view, if it wrote one.
    pub fn pending(&self) -> Option<&Path> {
        match self {
            Problem::NoGolden { pending, .. } | Problem::ViewDiffers { pending, .. } => {
                pending.as_deref()
            }
            _ => None,
        }
    }
}

/// The problems as the reports show them, one string each.
pub fn rendered(problems: &[Problem]) -> Vec<String> {
    problems.iter().map(Problem::to_string).collect()
}

/// Two problems are equal when they are of one kind with equal data. The
/// errors carry causes (I/O, HTTP) that have no equality; two of those are
/// equal when they say the same, as when problems were text.
impl PartialEq for Problem {
    fn eq(&self, other: &Self) -> bool {
        use Problem as P;
        match (self, other) {
            (P::Load(_), P::Load(_))
            | (P::Run(_), P::Run(_))
            | (P::Runtime(_), P::Runtime(_))
            | (P::TargetForRestart(_), P::TargetForRestart(_)) => {
                self.to_string() == other.to_string()
            }
            (P::Runner(a), P::Runner(b)) => a == b,
            (
                P::NoGolden {
                    view,
                    golden,
                    pending,
                },
                P::NoGolden {
                    view: v,
                    golden: g,
                    pending: p,
                },
            ) => (view, golden, pending) == (v, g, p),
            (
                P::ViewDiffers {
                    view,
                    golden,
                    first_entry,
                    diff,
                    pending,
                },
                P::ViewDiffers {
                    view: v,
                    golden: g,
                    first_entry: e,
                    diff: d,
                    pending: p,
                },
            ) => (view, golden, first_entry, diff, pending) == (v, g, e, d, p),
            (P::FailedEveryRun { runs }, P::FailedEveryRun { runs: r }) => runs == r,
            (P::SeenInRuns(a), P::SeenInRuns(b)) => a == b,
            (P::NoRun, P::NoRun) => true,
            (P::GoldenRefused { .. }, P::GoldenRefused { .. }) => {
                self.to_string() == other.to_string()
            }
            _ => false,
        }
    }
}

/// ` (first changed entry: …)`, or nothing.
struct Entry<'a>(&'a Option<ChangedEntry>);

impl fmt::Display for Entry<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(e) => write!(f, " (first changed entry: {e})"),
            None => Ok(()),
        }
    }
}

/// `:` and the diff on the lines below, or nothing.
struct Diff<'a>(&'a Option<String>);

impl fmt::Display for Diff<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(d) => write!(f, ":\n{d}"),
            None => Ok(()),
        }
    }
}

/// A last line naming the `.snap.new`, or nothing.
struct Pending<'a>(&'a Option<PathBuf>);

impl fmt::Display for Pending<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(p) => write!(f, "\n{}{}", super::golden::PENDING_PREFIX, p.display()),
            None => Ok(()),
        }
    }
}

/// Problems of each common kind, for the reports' tests.
#[cfg(test)]
pub(crate) mod sample {
    use super::*;
    use crate::runner::{Expectation, ExpectationFailed};
    use crate::scenario::Location;

    /// `view` differs from `snapshots/x@<view>.snap` by `diff`.
    pub(crate) fn differs(view: View, diff: &str) -> Problem {
        Problem::ViewDiffers {
            view,
            golden: format!("snapshots/x@{}.snap", view.as_str()).into(),
            first_entry: None,
            diff: Some(diff.to_string()),
            pending: None,
        }
    }

    /// The step at `x.yaml:3:5` expected run1 to succeed; it ended `saw`.
    pub(crate) fn ended(saw: &str) -> Problem {
        let loc = Location {
            file: "x.yaml".into(),
            line: 3,
            column: 5,
        };
        let kind = Expectation::RunEnded {
            run: "run1".into(),
            want: "succeeded".into(),
            saw: saw.into(),
        };
        Problem::Runner(ExpectationFailed { loc, kind }.into())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::sample::{differs, ended};
    use super::*;
    use crate::suite::diff::Leaf;

    /// Each kind renders the text the reports showed when problems were text
    /// (`afc run`, libtest, JUnit, `--format json` and `--html` show these).
    #[test]
    fn each_kind_renders_the_text_the_reports_always_showed() {
        let pending = Some(PathBuf::from("snapshots/s@headers.snap.new"));
        let no_golden = Problem::NoGolden {
            view: View::Lineage,
            golden: "snapshots/s@lineage.snap".into(),
            pending: None,
        };
        assert_eq!(
            no_golden.to_string(),
            "view 'lineage' has no golden snapshots/s@lineage.snap"
        );
        let entry = ChangedEntry::Changed {
            key: "run2/research.root".into(),
            leaves: vec![Leaf {
                path: vec!["replay_source".into()],
                golden: Some(json!("run0")),
                got: Some(json!("run1")),
            }],
        };
        let differing = Problem::ViewDiffers {
            view: View::Headers,
            golden: "snapshots/s@headers.snap".into(),
            first_entry: Some(entry),
            diff: Some("-golden (.snap line numbers)\n+now".into()),
            pending: pending.clone(),
        };
        assert_eq!(
            differing.to_string(),
            "view 'headers' differs from snapshots/s@headers.snap (first changed entry: \
             run2/research.root › replay_source: -run0 +run1):\n-golden (.snap line numbers)\n\
             +now\nnew snapshot written: snapshots/s@headers.snap.new"
        );
        assert_eq!(differing.pending(), pending.as_deref());
        let uncaught = Problem::ViewDiffers {
            view: View::Llm,
            golden: "g.snap".into(),
            first_entry: None,
            diff: None,
            pending: None,
        };
        assert_eq!(uncaught.to_string(), "view 'llm' differs from g.snap");
        assert_eq!(
            ended("failed").to_string(),
            "x.yaml:3:5: expected run1 to end succeeded, it ended failed"
        );
        let every = [
            Problem::FailedEveryRun { runs: 3 },
            Problem::SeenInRuns(Difference {
                line: "line 4: -a +b".into(),
                runs: 2,
            }),
            Problem::NoRun,
        ];
        assert_eq!(
            rendered(&every),
            ["failed 3 of 3 runs", "2× line 4: -a +b", "no run was made"]
        );
        let io = std::io::Error::other("no threads");
        assert_eq!(
            Problem::Runtime(Arc::new(io)).to_string(),
            "cannot start a runtime: no threads"
        );
    }

    #[test]
    fn problems_are_equal_by_kind_and_data() {
        assert_eq!(differs(View::Headers, "d"), differs(View::Headers, "d"));
        assert_ne!(differs(View::Headers, "d"), differs(View::Lineage, "d"));
        assert_ne!(ended("failed"), ended("cancelled"));
        assert_ne!(ended("failed"), differs(View::Headers, "d"));
        let runtime = |m: &str| Problem::Runtime(Arc::new(std::io::Error::other(m.to_string())));
        assert_eq!(runtime("a"), runtime("a"));
        assert_ne!(runtime("a"), runtime("b"));
    }
}
