//! The suite: every scenario file under `scenarios/`, run against one target
//! and compared with the goldens. `cargo test --test scenarios` and `afc run`
//! both go through [`run_case`], so they cannot disagree about a verdict.
//!
//! The verdict on a view is insta's (`assert_yaml_snapshot!`, caught so that
//! one scenario's mismatch is its own failure); the first differing line that
//! reports show is computed here from the same rendering insta compares.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::observe::{Observed, Tier};
use crate::scenario::{golden_variant, snapshot_file, Scenario};
use crate::target::Target;

mod compare;
mod diff;
mod error;
mod golden;
pub mod insta_env;
mod parallel;
pub(crate) mod problem;
pub mod repeat;
pub mod session;
mod snap_diff;
pub mod stopped;
mod tier;
mod verdict;
mod view_diff;

pub use compare::{compare_goldens, GoldenComparison};
pub use diff::{ChangedEntry, Leaf};
pub use error::CasesError;
pub use golden::pending_snapshot;
use golden::{matches_golden, view_difference};
pub use parallel::{not_run, run_all_until, run_all_with};
pub use problem::{rendered, Problem};
pub use snap_diff::{snap_diff, SnapDiff};
pub use tier::{set_tier, tier};
pub use verdict::{first_line, Outcome, Verdict};

/// One scenario file of the suite.
#[derive(Clone, Debug)]
pub struct Case {
    /// `topic/name`, the path under the scenario root without `.yaml`: the trial name.
    pub name: String,
    /// The file.
    pub path: PathBuf,
}

/// The cases whose name contains `filter` (all without one).
pub fn filter(cases: Vec<Case>, filter: Option<&str>) -> Vec<Case> {
    match filter {
        Some(f) => cases.into_iter().filter(|c| c.name.contains(f)).collect(),
        None => cases,
    }
}

/// Every `*.yaml` under `root`, sorted; an empty suite is an error, never a pass.
pub fn cases(root: &Path) -> Result<Vec<Case>, CasesError> {
    let files = crate::scenario::discover(root).map_err(|source| CasesError::Discover {
        root: root.to_path_buf(),
        source,
    })?;
    if files.is_empty() {
        return Err(CasesError::Empty(root.to_path_buf()));
    }
    Ok(files
        .into_iter()
        .map(|path| Case {
            name: path
                .strip_prefix(root)
                .unwrap_or(&path)
                .with_extension("")
                .display()
                .to_string(),
            path,
        })
        .collect())
}

/// A scenario's verdict and how long it took.
#[derive(Clone, Debug)]
pub struct CaseReport {
    /// The trial name.
    pub name: String,
    /// The verdict.
    pub verdict: Verdict,
    /// Wall time, load to last comparison.
    pub elapsed: Duration,
    /// The runs as observed, when the scenario got as far as observing them.
    pub observed: Option<Arc<Observed>>,
}

/// Runs `cases` on `jobs` threads, calling `done` as each finishes; returns
/// the reports in the order of `cases`.
pub fn run_all(
    cases: &[Case],
    target: &Target,
    goldens: &Path,
    jobs: usize,
    done: &(dyn Fn(&CaseReport) + Sync),
) -> Vec<CaseReport> {
    run_all_with(cases, jobs, &|case| run_case(case, target, goldens), done)
}

/// What a scenario needs that the target does not declare, if anything.
pub fn missing_capability(scenario: &Scenario, target: &Target) -> Option<String> {
    let lacking: Vec<&str> = scenario
        .requires
        .iter()
        // `agent.<capability>` is the agents' to have (their describe run).
        .filter(|r| !r.starts_with("agent.") && !target.profile.has(r))
        .map(String::as_str)
        .collect();
    (!lacking.is_empty()).then(|| {
        format!(
            "target profile '{}' lacks {}",
            target.profile.name,
            lacking.join(", ")
        )
    })
}

/// Why a scenario is not run against `target`: a capability its profile
/// lacks, a Python agent and no interpreter to run it, or interpreter agents
/// (`AFC_AGENTS`) of a kind the scenario says it cannot run with (`not_with`).
/// An interpreter whose describe run fails gives no reason here; the run
/// itself then fails with the error ([`check_skip`]).
pub fn skip_reason(scenario: &Scenario, target: &Target) -> Option<String> {
    check_skip(scenario, target).ok().flatten()
}

/// As [`skip_reason`], with the interpreter's describe run failing as an error.
pub fn check_skip(
    scenario: &Scenario,
    target: &Target,
) -> Result<Option<String>, crate::agents::describe::DescribeError> {
    if let Some(reason) = missing_capability(scenario, target)
        .or_else(|| crate::agents::python::missing_python(scenario))
    {
        return Ok(Some(reason));
    }
    if let Some(reason) = target.agents.skip_reason(scenario)? {
        return Ok(Some(reason));
    }
    Ok(scenario
        .restarts_control_plane()
        .then(|| target.restart_unsupported())
        .flatten())
}

/// Loads, runs and checks one scenario against `target`, comparing each view
/// with `goldens/<scenario>@<view>.snap`.
pub fn run_case(case: &Case, target: &Target, goldens: &Path) -> CaseReport {
    let started = Instant::now();
    // insta resolves a relative snapshot path against the asserting source file.
    let goldens = std::path::absolute(goldens).unwrap_or_else(|_| goldens.to_path_buf());
    let (verdict, observed) = verdict(case, target, &goldens);
    CaseReport {
        name: case.name.clone(),
        verdict,
        elapsed: started.elapsed(),
        observed,
    }
}

/// Runs and checks an already loaded (possibly altered) scenario of `case`
/// against the goldens of its name: how a test proves that a deliberately
/// broken agent fails the correct scenario's goldens.
pub fn run_loaded(case: &Case, scenario: Scenario, target: &Target, goldens: &Path) -> CaseReport {
    let started = Instant::now();
    let goldens = std::path::absolute(goldens).unwrap_or_else(|_| goldens.to_path_buf());
    let (verdict, observed) = judge(case, Arc::new(scenario), target, &goldens);
    CaseReport {
        name: case.name.clone(),
        verdict,
        elapsed: started.elapsed(),
        observed,
    }
}

fn failed(problem: Problem) -> Verdict {
    Verdict::Failed {
        problems: vec![problem],
        first_diff: None,
    }
}

/// A verdict, and the runs as observed if the scenario got that far.
type Judged = (Verdict, Option<Arc<Observed>>);

fn verdict(case: &Case, target: &Target, goldens: &Path) -> Judged {
    match crate::scenario::load(&case.path) {
        Ok(s) => judge(case, Arc::new(s), target, goldens),
        Err(e) => (failed(Problem::Load(Arc::new(e))), None),
    }
}

/// The known SDK trait a failure of `scenario` follows from, named first.
fn known_trait(target: &Target, scenario: &Scenario) -> Option<Problem> {
    target
        .agents
        .known_trait_failure(scenario)
        .map(Problem::KnownSdkTrait)
}

fn judge(case: &Case, scenario: Arc<Scenario>, target: &Target, goldens: &Path) -> Judged {
    let since = SystemTime::now();
    match check_skip(&scenario, target) {
        Ok(Some(reason)) => return (Verdict::Skipped(reason), None),
        Ok(None) => {}
        Err(e) => return (failed(Problem::Describe(Arc::new(e))), None),
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return (failed(Problem::Runtime(Arc::new(e))), None),
    };
    // A scenario that restarts the control plane gets one of its own where
    // the target allows it, or runs alone on a shared one.
    let restarting = scenario.restarts_control_plane();
    let _turn = target.exclusive(restarting);
    let target = match target.for_scenario(restarting, &scenario.requires) {
        Ok(t) => t,
        Err(e) => return (failed(Problem::TargetForRestart(Arc::new(e))), None),
    };
    let outcome = match runtime.block_on(crate::runner::run(scenario.clone(), &target)) {
        Ok(o) => o,
        Err(e) => {
            let mut problems: Vec<Problem> = known_trait(&target, &scenario).into_iter().collect();
            problems.push(Problem::Run(Arc::new(e)));
            let verdict = Verdict::Failed {
                problems,
                first_diff: None,
            };
            return (verdict, None);
        }
    };
    let mut problems: Vec<Problem> = outcome.failures.into_iter().map(Problem::from).collect();
    let mut observed = outcome.observed;
    let mut first_diff = None;
    let tier = tier();
    for (k, (view, contract)) in outcome.views.iter().enumerate() {
        // The fidelity tier: the same view with every field at `Exact`, compared
        // with its overlay where that differs from the contract rendering.
        let exact = outcome.exact.get(k).map(|(_, v)| v);
        let (value, fidelity) = match (tier, exact) {
            (Tier::Fidelity, Some(exact)) if exact != contract => (exact, true),
            _ => (contract, false),
        };
        let serve = target.agents.serve();
        let variant = golden_variant(goldens, &scenario.name, *view, fidelity, serve);
        let golden = goldens.join(snapshot_file(&scenario.name, *view, variant, fidelity));
        if let Some(reason) = crate::scenario::refused_golden(&golden) {
            let view = *view;
            problems.push(Problem::GoldenRefused {
                view,
                golden,
                reason,
            });
            continue;
        }
        let capture = snap_diff::Capture::default();
        if matches_golden(&scenario, &case.path, *view, value, &golden, &capture) {
            continue;
        }
        let compared = capture.take();
        let (problem, first) = view_difference(*view, &golden, value, compared.clone(), since);
        problems.push(problem);
        first_diff = first_diff.or(Some(first));
        observed
            .differing
            .push(view_diff::sides(&golden, *view, compared, value));
    }
    if !problems.is_empty() {
        if let Some(trait_) = known_trait(&target, &scenario) {
            problems.insert(0, trait_);
        }
    }
    let verdict = if problems.is_empty() {
        Verdict::Passed
    } else {
        Verdict::Failed {
            problems,
            first_diff,
        }
    };
    (verdict, Some(Arc::new(observed)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_folder_is_an_error_not_an_empty_pass() {
        let dir = std::env::temp_dir().join(format!("afc-empty-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let err = cases(&dir).expect_err("empty");
        assert!(
            matches!(
                err,
                CasesError::Discover {
                    source: crate::scenario::DiscoverError::Empty(_),
                    ..
                }
            ),
            "{err:?}"
        );
        let _ = std::fs::remove_dir(&dir);
    }
}
