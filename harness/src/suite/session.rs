//! A whole run of the suite from the command line (`afc run`, `afc record`,
//! `afc report`): every case on a few threads, each announced as it
//! finishes, `--fail-fast`, a target that stops answering, and the cases
//! never started reported last as not run. Printing is the caller's.

use std::path::Path;
use std::time::Duration;

use super::repeat::{self, Plan, Repeated};
use super::stopped::{self, Stopped, Watch};
use super::{Case, CaseReport};
use crate::target::Target;

/// How [`run`] and [`run_repeated`] go: where, how many at once, when to stop.
#[derive(Clone, Copy)]
pub struct Session<'a> {
    /// The control plane.
    pub target: &'a Target,
    /// The goldens (or where `afc record` writes them).
    pub goldens: &'a Path,
    /// Scenarios at once.
    pub jobs: usize,
    /// Start no scenario after the first failure (or flaky scenario).
    pub fail_fast: bool,
}

/// What [`run`] found.
pub struct Ran {
    /// One report per case, in the order of the cases.
    pub reports: Vec<CaseReport>,
    /// Whether, and after which scenario, the target stopped answering.
    pub stopped: Option<Stopped>,
    /// Scenarios never started.
    pub not_run: usize,
}

impl Ran {
    /// The account of a target that stopped answering, with the last lines
    /// of its log where afc started it.
    pub fn stopped_account(&self, target: &Target) -> Option<String> {
        let s = self.stopped.as_ref()?;
        Some(stopped::account(
            s,
            self.not_run,
            target,
            target.container_logs(20),
        ))
    }
}

impl Session<'_> {
    /// Runs each case once, calling `finished` as each ends (a case never
    /// started, after the others). A target that stops answering ends the
    /// run: one account, not a failure per scenario.
    pub fn run(&self, cases: &[Case], finished: &(dyn Fn(&CaseReport) + Sync)) -> Ran {
        let watch = Watch::new();
        let stop = |r: &CaseReport| {
            watch.after(r, self.target) || (self.fail_fast && r.verdict.outcome().is_failure())
        };
        let results = super::run_all_until(
            cases,
            self.jobs,
            &|case| super::run_case(case, self.target, self.goldens),
            finished,
            &stop,
        );
        let stopped = watch.stopped();
        let not_run = results.iter().filter(|r| r.is_none()).count();
        let reports = results
            .into_iter()
            .zip(cases)
            .map(|(r, case)| {
                r.unwrap_or_else(|| {
                    let r = match &stopped {
                        Some(s) => stopped::not_run(case, s),
                        None => super::not_run(case),
                    };
                    finished(&r);
                    r
                })
            })
            .collect();
        Ran {
            reports,
            stopped,
            not_run,
        }
    }

    /// Runs each case as `plan` says, calling `attempt` after each run and
    /// `done` as each case's runs are folded (a case never started, after
    /// the others, with no runs).
    pub fn run_repeated(
        &self,
        cases: &[Case],
        plan: Plan,
        attempt: &(dyn Fn(&CaseReport) + Sync),
        done: &(dyn Fn(&Repeated) + Sync),
    ) -> Vec<Repeated> {
        let one = |case: &Case| repeat::run_case(case, self.target, self.goldens, plan, attempt);
        let failed = |r: &Repeated| self.fail_fast && r.report.verdict.outcome().is_failure();
        super::run_all_until(cases, self.jobs, &one, done, &failed)
            .into_iter()
            .zip(cases)
            .map(|(r, case)| {
                r.unwrap_or_else(|| {
                    let r = Repeated {
                        report: super::not_run(case),
                        runs: 0,
                        passed: 0,
                        median: Duration::ZERO,
                    };
                    done(&r);
                    r
                })
            })
            .collect()
    }
}

/// Which scenarios of a folder a run takes: `FILTER`, `--skip`, `--exact`.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Keep only names (topic/name) that contain this.
    pub filter: Option<String>,
    /// Leave out names that contain any of these.
    pub skip: Vec<String>,
    /// `filter` and `skip` match the whole name, not a part of it.
    pub exact: bool,
}

impl Selection {
    /// The cases of `root` it keeps; none is an error naming the selection.
    pub fn cases(&self, root: &Path) -> Result<Vec<Case>, SelectionError> {
        let matches = |name: &str, p: &str| {
            if self.exact {
                name == p
            } else {
                name.contains(p)
            }
        };
        let cases: Vec<Case> = super::cases(root)?
            .into_iter()
            .filter(|c| self.filter.as_deref().is_none_or(|f| matches(&c.name, f)))
            .filter(|c| !self.skip.iter().any(|s| matches(&c.name, s)))
            .collect();
        if cases.is_empty() {
            return Err(SelectionError::NoMatch(self.clone()));
        }
        Ok(cases)
    }
}

/// Why a [`Selection`] has no case to run.
#[derive(Debug, thiserror::Error)]
pub enum SelectionError {
    /// The scenarios could not be found.
    #[error(transparent)]
    Cases(#[from] super::CasesError),
    /// None of them is selected.
    #[error("no scenario matches {}", no_match(.0))]
    NoMatch(Selection),
}

/// Rendered at the edge (`afc`'s `ended`).
impl From<SelectionError> for String {
    fn from(e: SelectionError) -> String {
        e.to_string()
    }
}

/// `"x" exactly once --skip ["y"] is left out`: what matched nothing.
fn no_match(s: &Selection) -> String {
    let filter = s
        .filter
        .as_deref()
        .map_or_else(|| "any name".to_owned(), |f| format!("{f:?}"));
    let how = if s.exact { " exactly" } else { "" };
    let skip = if s.skip.is_empty() {
        String::new()
    } else {
        format!(" once --skip {:?} is left out", s.skip)
    };
    format!("{filter}{how}{skip}")
}
