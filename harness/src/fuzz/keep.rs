//! `afc fuzz`: a batch of generated cases against one target (judged by the
//! model) or two (judged against each other), its tally, and each failing
//! case shrunk and written as a scenario file for review (never into
//! `scenarios/`).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use super::{Case, Verdict};
use crate::target::Target;

/// One `afc fuzz` batch.
pub struct Batch<'a> {
    /// First seed (case i uses seed + i).
    pub seed: u64,
    /// How many cases.
    pub cases: usize,
    /// Cases run at once.
    pub jobs: usize,
    /// Re-runs the shrinker may spend per failing case.
    pub shrink_budget: usize,
    /// Shrink and write at most this many failing cases.
    pub keep: usize,
    /// Where they are written.
    pub out: &'a Path,
}

impl Batch<'_> {
    /// Runs the batch (after [`refuse_scenarios`]) on one target (against the model) or two (against
    /// each other), telling `say` each line worth showing as it happens;
    /// the tally, or why a failing case could not be written.
    pub fn run(&self, targets: &[Target], say: &(dyn Fn(String) + Sync)) -> Result<Tally, String> {
        let judge = |case: &Case| match targets {
            [a, b] => super::compare(case, a, b),
            [t] => super::check(case, t),
            _ => Verdict::Error("no target".into()),
        };
        let kinds: Vec<&str> = targets.iter().map(|t| t.kind.as_str()).collect();
        let (seed, cases) = (self.seed, self.cases);
        say(format!(
            "afc fuzz: {cases} cases from seed {seed} on {}",
            kinds.join(" vs ")
        ));
        let started = Instant::now();
        let (done, bad) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let progress = |case: &Case, v: &Verdict| {
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            let first = match v {
                Verdict::Failed(l) => Some(("FAILED", l.first().cloned().unwrap_or_default())),
                Verdict::Error(e) => Some(("ERROR", e.lines().next().unwrap_or_default().into())),
                _ => None,
            };
            if let Some((word, line)) = first {
                bad.fetch_add(1, Ordering::Relaxed);
                say(format!("  seed {} {word}: {line}", case.seed));
            }
            if n.is_multiple_of(50) {
                say(format!(
                    "  {n}/{cases} cases, {} failing",
                    bad.load(Ordering::Relaxed)
                ));
            }
        };
        let results = super::run_many(seed, cases, self.jobs, &judge, &progress);
        let elapsed = started.elapsed().as_secs_f64();
        let t = Tally::of(&results);
        say(format!(
            "afc fuzz: {} passed, {} failed, {} errors, {} open (left to the clock) \
             in {elapsed:.1} s ({:.1} cases/s)",
            t.passed,
            t.failed,
            t.errors,
            t.open,
            results.len() as f64 / elapsed.max(1e-9)
        ));
        for (case, verdict) in results.iter().filter(|(_, v)| v.failed()).take(self.keep) {
            let k = keep(case, verdict, &judge, self.shrink_budget, self.out)?;
            say(format!(
                "  seed {}: shrunk to {} reasoners, {} steps: {}",
                case.seed,
                k.reasoners,
                k.steps,
                k.path.display()
            ));
        }
        Ok(t)
    }
}

/// The verdicts of a batch, counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Answered as the model (or the other target) says.
    pub passed: usize,
    /// Differed.
    pub failed: usize,
    /// Could not be judged.
    pub errors: usize,
    /// Left to the clock by the contract.
    pub open: usize,
}

impl Tally {
    /// Counts `results`.
    pub fn of(results: &[(Case, Verdict)]) -> Tally {
        let count = |f: &dyn Fn(&Verdict) -> bool| results.iter().filter(|(_, v)| f(v)).count();
        Tally {
            passed: count(&|v| *v == Verdict::Passed),
            open: count(&|v| matches!(v, Verdict::Open(_))),
            failed: count(&|v| v.failed()),
            errors: count(&|v| matches!(v, Verdict::Error(_))),
        }
    }
}

/// A failing case, shrunk and written.
pub struct Kept {
    /// The scenario file.
    pub path: PathBuf,
    /// Reasoners after shrinking.
    pub reasoners: usize,
    /// Steps after shrinking.
    pub steps: usize,
}

/// Refuses an `out` inside a `scenarios` folder, where fuzz findings must
/// not go unreviewed.
pub fn refuse_scenarios(out: &Path) -> Result<(), String> {
    let abs = std::path::absolute(out).unwrap_or_else(|_| out.to_path_buf());
    if abs.components().any(|c| c.as_os_str() == "scenarios") {
        let out = out.display();
        return Err(format!(
            "--out {out} is inside scenarios/; choose another folder"
        ));
    }
    Ok(())
}

/// Shrinks the failing `case` (at most `budget` re-runs of `judge`) and
/// writes it into `out` as `fuzz_<seed>.yaml`, headed by how to repeat it and
/// the lines that differed.
pub fn keep(
    case: &Case,
    verdict: &Verdict,
    judge: &(dyn Fn(&Case) -> Verdict + Sync),
    budget: usize,
    out: &Path,
) -> Result<Kept, String> {
    let fails = |c: &Case| judge(c).failed();
    let small = super::shrink::shrink(case, &fails, budget);
    let lines = match judge(&small) {
        Verdict::Failed(lines) => lines,
        _ => match verdict {
            Verdict::Failed(lines) => lines.clone(),
            _ => Vec::new(),
        },
    };
    let header = format!(
        "guards: found by `afc fuzz --seed {} --cases 1`, shrunk from {} to {} reasoners and \
         {} to {} steps.\nReview against the contract before promoting into scenarios/.\n\
         Differing lines (-model or first target, +observed):\n{}",
        case.seed,
        case.reasoner_count(),
        small.reasoner_count(),
        case.steps.len(),
        small.steps.len(),
        lines.join("\n")
    );
    let yaml = super::to_yaml(&small, &header)?;
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let path = out.join(format!("fuzz_{}.yaml", case.seed));
    std::fs::write(&path, yaml).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Kept {
        path,
        reasoners: small.reasoner_count(),
        steps: small.steps.len(),
    })
}
