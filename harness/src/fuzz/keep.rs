//! `afc fuzz`'s findings: the tally of a batch, and each failing case shrunk
//! and written as a scenario file for review (never into `scenarios/`).

use std::path::{Path, PathBuf};

use super::{Case, Verdict};

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

/// Whether `out` lies inside a `scenarios` folder (where fuzz findings must
/// not go unreviewed).
pub fn inside_scenarios(out: &Path) -> bool {
    let abs = std::path::absolute(out).unwrap_or_else(|_| out.to_path_buf());
    abs.components().any(|c| c.as_os_str() == "scenarios")
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
