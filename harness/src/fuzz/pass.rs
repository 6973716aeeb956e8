//! The bounded, fixed-seed fuzz pass of a conformance run (`afc run --fuzz N`,
//! `afc report --fuzz N`): `N` cases from a fixed seed, each judged by the
//! contract's model on the target; no case starts once the time budget is
//! spent, and the outcome says how many ran and how long they took.

use std::time::{Duration, Instant};

use super::{check, run_many, Verdict};
use crate::target::Target;

/// The seed a pass starts from unless told otherwise: fixed, so two runs of
/// one version against one target judge the same cases.
pub const DEFAULT_SEED: u64 = 2800;

/// What one pass did.
#[derive(Clone, Debug, PartialEq)]
pub struct PassOutcome {
    /// First seed (case `i` is seed + i).
    pub seed: u64,
    /// Cases asked for.
    pub asked: usize,
    /// Cases judged before the budget ran out.
    pub ran: usize,
    /// Cases the target answered as the model predicts.
    pub passed: usize,
    /// Cases the contract leaves to the clock (counted, not judged).
    pub open: usize,
    /// Seeds of the cases the target failed.
    pub failed: Vec<u64>,
    /// Seeds of the cases that could not be run (harness or target errors).
    pub errors: Vec<u64>,
    /// Wall time of the pass.
    pub elapsed: Duration,
    /// The budget it was given.
    pub budget: Duration,
}

impl PassOutcome {
    /// No case failed and none could not run.
    pub fn ok(&self) -> bool {
        self.failed.is_empty() && self.errors.is_empty()
    }

    /// One line: counts, seeds to reproduce, time and budget.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} of {} cases from seed {}: {} passed, {} open, {} failed, {} errors in {:.1} s \
             (budget {} s)",
            self.ran,
            self.asked,
            self.seed,
            self.passed,
            self.open,
            self.failed.len(),
            self.errors.len(),
            self.elapsed.as_secs_f64(),
            self.budget.as_secs()
        );
        if self.ran < self.asked {
            s.push_str("; cut by the budget");
        }
        for (what, seeds) in [("failed", &self.failed), ("errors", &self.errors)] {
            if !seeds.is_empty() {
                let list: Vec<String> = seeds.iter().take(10).map(u64::to_string).collect();
                s.push_str(&format!(
                    "; {what} at seeds {} (`afc fuzz --seed S --cases 1` repeats one)",
                    list.join(", ")
                ));
            }
        }
        s
    }
}

/// Why a case was not judged: the budget was spent before it started.
const CUT: &str = "not started: the fuzz pass's time budget was spent";

/// Runs `cases` cases from `seed` against `target`, `jobs` at once; a case
/// that would start after `budget` is not judged, so the pass overruns its
/// budget by at most the cases already in flight.
pub fn run(target: &Target, cases: usize, seed: u64, budget: Duration, jobs: usize) -> PassOutcome {
    let started = Instant::now();
    let judge = |case: &super::Case| {
        if started.elapsed() >= budget {
            Verdict::Open(CUT.to_owned())
        } else {
            check(case, target)
        }
    };
    let mut results = run_many(seed, cases, jobs, &judge, &|_, _| {});
    results.sort_by_key(|(c, _)| c.seed);
    let mut out = PassOutcome {
        seed,
        asked: cases,
        ran: 0,
        passed: 0,
        open: 0,
        failed: Vec::new(),
        errors: Vec::new(),
        elapsed: started.elapsed(),
        budget,
    };
    for (case, verdict) in results {
        match verdict {
            Verdict::Open(why) if why == CUT => continue,
            Verdict::Passed => out.passed += 1,
            Verdict::Open(_) => out.open += 1,
            Verdict::Failed(_) => out.failed.push(case.seed),
            Verdict::Error(_) => out.errors.push(case.seed),
        }
        out.ran += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_a_cut_pass_and_its_failing_seeds() {
        let o = PassOutcome {
            seed: 7,
            asked: 10,
            ran: 4,
            passed: 2,
            open: 1,
            failed: vec![9],
            errors: Vec::new(),
            elapsed: Duration::from_millis(1500),
            budget: Duration::from_secs(1),
        };
        let s = o.summary();
        assert!(!o.ok());
        assert!(
            s.starts_with("4 of 10 cases from seed 7: 2 passed, 1 open, 1 failed"),
            "{s}"
        );
        assert!(
            s.contains("cut by the budget") && s.contains("failed at seeds 9"),
            "{s}"
        );
    }
}
