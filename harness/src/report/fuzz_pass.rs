//! The bounded fixed-seed fuzz pass of `afc run --fuzz N` and `afc report
//! --fuzz N` (`afc::fuzz::pass`): its settings, and its section of
//! CONFORMANCE.md, one column per target.

use std::fmt::Write as _;
use std::time::Duration;

use crate::fuzz::pass::{self, PassOutcome};
use crate::target::Target;

/// Cases judged at once: each is mostly waiting on HTTP.
const JOBS: usize = 8;

/// What `--fuzz N --fuzz-seed S --fuzz-budget SECONDS` asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FuzzPass {
    /// Cases to judge; 0: no pass.
    pub cases: usize,
    /// First seed.
    pub seed: u64,
    /// Seconds after which no case starts.
    pub budget_secs: u64,
}

impl FuzzPass {
    /// The pass against `target`, when one was asked for.
    pub fn run(&self, target: &Target) -> Option<PassOutcome> {
        (self.cases > 0).then(|| {
            let budget = Duration::from_secs(self.budget_secs);
            pass::run(target, self.cases, self.seed, budget, JOBS)
        })
    }

    /// The flags that repeat this pass, for a report's command line.
    pub fn flags(&self) -> String {
        if self.cases == 0 {
            return String::new();
        }
        format!(
            " --fuzz {} --fuzz-seed {} --fuzz-budget {}",
            self.cases, self.seed, self.budget_secs
        )
    }
}

/// CONFORMANCE.md's fuzz section: one column per target.
pub fn section(columns: &[(String, PassOutcome)]) -> String {
    let Some((_, first)) = columns.first() else {
        return String::new();
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n## Fuzz pass\n\n`--fuzz {}`: cases generated from seed {} by `afc fuzz`'s model of \
         the contract, judged on each target; no case starts after {} s. A failing seed \
         repeats with `afc fuzz --url URL --seed S --cases 1`.\n",
        first.asked,
        first.seed,
        first.budget.as_secs()
    );
    let head: Vec<&str> = columns.iter().map(|(name, _)| name.as_str()).collect();
    let _ = writeln!(out, "| | {} |", head.join(" | "));
    let _ = writeln!(out, "|---|{}", "---|".repeat(columns.len()));
    let seeds = |s: &[u64]| -> String {
        if s.is_empty() {
            "0".to_owned()
        } else {
            let list: Vec<String> = s.iter().map(u64::to_string).collect();
            format!("{} (seeds {})", s.len(), list.join(", "))
        }
    };
    type Cell = fn(&PassOutcome, &dyn Fn(&[u64]) -> String) -> String;
    let rows: [(&str, Cell); 6] = [
        ("cases run / asked", |o, _| {
            format!("{} / {}", o.ran, o.asked)
        }),
        ("passed", |o, _| o.passed.to_string()),
        ("open (left to the clock)", |o, _| o.open.to_string()),
        ("FAILED", |o, s| s(&o.failed)),
        ("could not run", |o, s| s(&o.errors)),
        ("time", |o, _| format!("{:.1} s", o.elapsed.as_secs_f64())),
    ];
    for (label, cell) in rows {
        let cells: Vec<String> = columns.iter().map(|(_, o)| cell(o, &seeds)).collect();
        let _ = writeln!(out, "| {label} | {} |", cells.join(" | "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(failed: Vec<u64>) -> PassOutcome {
        PassOutcome {
            seed: 1,
            asked: 3,
            ran: 3,
            passed: 3 - failed.len(),
            open: 0,
            failed,
            errors: Vec::new(),
            elapsed: Duration::from_millis(2500),
            budget: Duration::from_secs(60),
        }
    }

    #[test]
    fn the_section_has_a_column_per_target_and_names_failing_seeds() {
        let s = section(&[
            ("embedded reference".into(), outcome(vec![])),
            ("other".into(), outcome(vec![2])),
        ]);
        assert!(s.contains("| | embedded reference | other |"), "{s}");
        assert!(s.contains("| FAILED | 0 | 1 (seeds 2) |"), "{s}");
        assert!(s.contains("| time | 2.5 s | 2.5 s |"), "{s}");
        assert_eq!(section(&[]), "");
    }
}
