//! `--fuzz N` of `afc run` and `afc report`: the bounded fixed-seed fuzz pass
//! (`afc::fuzz::pass`), its line in a run's output and its section of
//! CONFORMANCE.md.

use std::fmt::Write as _;
use std::time::Duration;

use afc::fuzz::pass::{self, PassOutcome};
use afc::target::Target;
use serde_json::{json, Value};

/// Cases judged at once: each is mostly waiting on HTTP.
const JOBS: usize = 8;

/// The pass's options.
#[derive(clap::Args, Clone, Debug)]
pub struct FuzzPassArgs {
    /// Also judge N generated cases (afc fuzz's model of the contract) against the target; 0: no pass.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub fuzz: usize,
    /// First seed of the fuzz pass (fixed by default, so a pass repeats).
    #[arg(long, value_name = "SEED", default_value_t = pass::DEFAULT_SEED)]
    pub fuzz_seed: u64,
    /// Seconds after which the fuzz pass starts no more cases.
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    pub fuzz_budget: u64,
}

impl Default for FuzzPassArgs {
    fn default() -> Self {
        FuzzPassArgs {
            fuzz: 0,
            fuzz_seed: pass::DEFAULT_SEED,
            fuzz_budget: 120,
        }
    }
}

impl FuzzPassArgs {
    /// The pass against `target`, when `--fuzz` asked for one.
    pub fn run(&self, target: &Target) -> Option<PassOutcome> {
        (self.fuzz > 0).then(|| {
            let budget = Duration::from_secs(self.fuzz_budget);
            pass::run(target, self.fuzz, self.fuzz_seed, budget, JOBS)
        })
    }

    /// The flags that repeat this pass, for a report's command line.
    pub fn flags(&self) -> String {
        if self.fuzz == 0 {
            return String::new();
        }
        format!(
            " --fuzz {} --fuzz-seed {} --fuzz-budget {}",
            self.fuzz, self.fuzz_seed, self.fuzz_budget
        )
    }
}

/// The pass's line in `afc run`'s human output.
pub fn line(o: &PassOutcome) -> String {
    let verdict = if o.ok() { "passed" } else { "FAILED" };
    format!("\nfuzz pass {verdict}: {}\n", o.summary())
}

/// The pass as one `afc run --format json` event.
pub fn event(o: &PassOutcome) -> Value {
    json!({
        "type": "fuzz",
        "seed": o.seed,
        "asked": o.asked,
        "ran": o.ran,
        "passed": o.passed,
        "open": o.open,
        "failed": o.failed,
        "errors": o.errors,
        "elapsed_ms": o.elapsed.as_millis() as u64,
        "budget_s": o.budget.as_secs(),
    })
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
