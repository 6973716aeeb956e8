//! Repeated runs: each scenario run N times, or until it fails, and the
//! runs folded into one verdict. A scenario that passed some runs and failed
//! others is [`Verdict::Flaky`], which every report counts as a failure:
//! a flaky scenario is never reported as passed.
//!
//! `afc run --repeat N [--until-fail]` and `cargo test --test scenarios` with
//! `AFC_REPEAT=N` (and `AFC_UNTIL_FAIL=1`) both come through [`run_case`], so
//! they classify alike.

use std::time::Duration;

use serde::Serialize;

use super::{Case, CaseReport, Problem, Verdict};
use crate::target::Target;

/// How often to run each scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Runs per scenario (with `until_fail`: at most).
    pub times: usize,
    /// Stop a scenario's runs at its first failure.
    pub until_fail: bool,
}

/// `--until-fail` without `--repeat`: how many runs at most, so that it ends.
pub const UNTIL_FAIL_DEFAULT: usize = 100;

impl Plan {
    /// One run, as without repetition.
    pub const ONCE: Plan = Plan {
        times: 1,
        until_fail: false,
    };

    /// The plan `--repeat N` / `--until-fail` ask for, or `None` for a
    /// single ordinary run.
    pub fn from_flags(repeat: Option<u32>, until_fail: bool) -> Option<Plan> {
        let times = match (repeat, until_fail) {
            (None, false) | (Some(1), false) => return None,
            (None, true) => UNTIL_FAIL_DEFAULT,
            (Some(n), _) => n as usize,
        };
        Some(Plan { times, until_fail })
    }

    /// The plan `AFC_REPEAT` / `AFC_UNTIL_FAIL` ask for (`cargo test`), or one run.
    pub fn from_env() -> Result<Plan, String> {
        let until_fail = match std::env::var("AFC_UNTIL_FAIL").as_deref() {
            Err(_) | Ok("" | "0" | "false") => false,
            Ok("1" | "true") => true,
            Ok(other) => return Err(format!("AFC_UNTIL_FAIL={other:?}: use 1 or 0")),
        };
        let times = match std::env::var("AFC_REPEAT") {
            Err(_) if until_fail => UNTIL_FAIL_DEFAULT,
            Err(_) => 1,
            Ok(v) => match v.trim().parse::<usize>() {
                Ok(n) if n >= 1 => n,
                _ => {
                    return Err(format!(
                        "AFC_REPEAT={v:?}: use a whole number of runs, 1 or more"
                    ))
                }
            },
        };
        Ok(Plan { times, until_fail })
    }
}

/// One distinct first difference of the failed runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// The first differing line (or first problem) of the run.
    pub line: String,
    /// How many failed runs showed it.
    pub runs: usize,
}

/// `N× line`: how the reports list it.
impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}× {}", self.runs, self.line)
    }
}

/// The repeated runs of one scenario, folded.
#[derive(Clone, Debug)]
pub struct Repeated {
    /// The folded verdict, with the total time of every run.
    pub report: CaseReport,
    /// Runs made.
    pub runs: usize,
    /// Runs that passed.
    pub passed: usize,
    /// The median time of one run.
    pub median: Duration,
}

/// Runs `case` as `plan` says, calling `attempt` after each run; folds the runs.
pub fn run_case(
    case: &Case,
    target: &Target,
    goldens: &std::path::Path,
    plan: Plan,
    attempt: &dyn Fn(&CaseReport),
) -> Repeated {
    run_with(plan, attempt, || super::run_case(case, target, goldens))
}

/// [`run_case`] with the single run given: how the tests drive it.
pub fn run_with(
    plan: Plan,
    attempt: &dyn Fn(&CaseReport),
    mut once: impl FnMut() -> CaseReport,
) -> Repeated {
    let mut runs = Vec::new();
    for _ in 0..plan.times.max(1) {
        let r = once();
        attempt(&r);
        let stop = match r.verdict {
            // A skip does not change with repetition.
            Verdict::Skipped(_) | Verdict::NotRun(_) => true,
            Verdict::Failed { .. } | Verdict::Flaky { .. } => plan.until_fail,
            Verdict::Passed => false,
        };
        runs.push(r);
        if stop {
            break;
        }
    }
    fold(&runs)
}

/// Folds the runs of one scenario: all passed → passed; all failed → failed;
/// some of each → flaky. Each distinct first difference is kept with its count.
pub fn fold(runs: &[CaseReport]) -> Repeated {
    let Some(first) = runs.first() else {
        return Repeated {
            report: CaseReport {
                name: String::new(),
                verdict: Verdict::Failed {
                    problems: vec![Problem::NoRun],
                    first_diff: None,
                },
                elapsed: Duration::ZERO,
                observed: None,
            },
            runs: 0,
            passed: 0,
            median: Duration::ZERO,
        };
    };
    let mut times: Vec<Duration> = runs.iter().map(|r| r.elapsed).collect();
    times.sort();
    let median = times[times.len() / 2];
    let passed = runs.iter().filter(|r| r.verdict == Verdict::Passed).count();
    let failures: Vec<&CaseReport> = runs
        .iter()
        .filter(|r| matches!(r.verdict, Verdict::Failed { .. } | Verdict::Flaky { .. }))
        .collect();
    let differences = distinct(&failures);
    let first_failure = failures.first().map(|r| &r.verdict);
    let verdict = match (first_failure, runs.len()) {
        // One run, or a skip: the run's own verdict, unchanged.
        (_, 1) => first.verdict.clone(),
        (None, _) => match &first.verdict {
            v @ (Verdict::Skipped(_) | Verdict::NotRun(_)) => v.clone(),
            _ => Verdict::Passed,
        },
        (Some(failed), n) => {
            let (problems, first_diff) = match failed {
                Verdict::Failed {
                    problems,
                    first_diff,
                } => (problems.clone(), first_diff.clone()),
                Verdict::Flaky { problems, .. } => (problems.clone(), None),
                _ => (Vec::new(), None),
            };
            if passed == 0 {
                let mut all = vec![Problem::FailedEveryRun { runs: n }];
                all.extend(differences.iter().cloned().map(Problem::SeenInRuns));
                all.extend(problems);
                Verdict::Failed {
                    problems: all,
                    first_diff,
                }
            } else {
                Verdict::Flaky {
                    passed,
                    failed: failures.len(),
                    differences,
                    problems,
                }
            }
        }
    };
    Repeated {
        report: CaseReport {
            name: first.name.clone(),
            verdict,
            elapsed: runs.iter().map(|r| r.elapsed).sum(),
            // A failed run's observations are the ones worth drawing.
            observed: runs
                .iter()
                .find(|r| !matches!(r.verdict, Verdict::Passed))
                .unwrap_or(first)
                .observed
                .clone(),
        },
        runs: runs.len(),
        passed,
        median,
    }
}

/// The lines that say which first differences the failed runs showed.
pub fn summary(differences: &[Difference]) -> Vec<String> {
    differences.iter().map(Difference::to_string).collect()
}

fn distinct(failures: &[&CaseReport]) -> Vec<Difference> {
    let mut out: Vec<Difference> = Vec::new();
    for r in failures {
        let line = super::first_line(&r.verdict);
        match out.iter_mut().find(|d| d.line == line) {
            Some(d) => d.runs += 1,
            None => out.push(Difference { line, runs: 1 }),
        }
    }
    // Most frequent first; ties keep the order in which they were first seen.
    out.sort_by_key(|d| std::cmp::Reverse(d.runs));
    out
}

#[cfg(test)]
mod tests;
