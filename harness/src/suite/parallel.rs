//! Scenarios on a few threads at once: results in the order of the cases,
//! each announced as it finishes; `--fail-fast` stops starting new ones.

use std::time::Duration;

use super::{Case, CaseReport, Verdict};

/// Runs `run` over `cases` on `jobs` threads, calling `done` as each finishes;
/// returns the results in the order of `cases`.
pub fn run_all_with<R: Send>(
    cases: &[Case],
    jobs: usize,
    run: &(dyn Fn(&Case) -> R + Sync),
    done: &(dyn Fn(&R) + Sync),
) -> Vec<R> {
    run_all_until(cases, jobs, run, done, &|_| false)
        .into_iter()
        .flatten()
        .collect()
}

/// As [`run_all_with`], but once `stop` says so of a finished result no
/// further case is started (those already running finish); the cases never
/// started are `None` (`afc run --fail-fast`).
pub fn run_all_until<R: Send>(
    cases: &[Case],
    jobs: usize,
    run: &(dyn Fn(&Case) -> R + Sync),
    done: &(dyn Fn(&R) + Sync),
    stop: &(dyn Fn(&R) -> bool + Sync),
) -> Vec<Option<R>> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let stopped = AtomicBool::new(false);
    let slots: Vec<std::sync::Mutex<Option<R>>> =
        cases.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, cases.len().max(1)) {
            scope.spawn(|| loop {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(case) = cases.get(i) else { break };
                let report = run(case);
                if stop(&report) {
                    stopped.store(true, Ordering::SeqCst);
                }
                done(&report);
                *slots[i].lock().expect("no thread panics holding a slot") = Some(report);
            });
        }
    });
    slots
        .into_iter()
        .map(|s| s.into_inner().expect("no thread panics holding a slot"))
        .collect()
}

/// Why a scenario `--fail-fast` did not start.
const FAIL_FAST: &str = "not run: --fail-fast stopped at the first failure";

/// The report of a scenario that was never started.
pub fn not_run(case: &Case) -> CaseReport {
    CaseReport {
        name: case.name.clone(),
        verdict: Verdict::NotRun(FAIL_FAST.to_string()),
        elapsed: Duration::ZERO,
        observed: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn after_a_stop_no_case_starts_and_the_rest_are_none() {
        let cases: Vec<Case> = (0..6)
            .map(|i| Case {
                name: format!("t/{i}"),
                path: PathBuf::from(format!("{i}.yaml")),
            })
            .collect();
        // One job: cases run in order; case 2 stops the run.
        let got = run_all_until(&cases, 1, &|c| c.name.clone(), &|_| {}, &|n| n == "t/2");
        let names: Vec<Option<&str>> = got.iter().map(Option::as_deref).collect();
        assert_eq!(
            names,
            [Some("t/0"), Some("t/1"), Some("t/2"), None, None, None]
        );
        let all = run_all_with(&cases, 2, &|c| c.name.clone(), &|_| {});
        assert_eq!(all.len(), 6);
    }
}
