//! `afc run --repeat N` and `--until-fail`: each scenario run N times (or
//! until its first failure), then one row per scenario: passed, FAILED or
//! FLAKY with its counts, and each distinct first difference. A flaky
//! scenario fails the run (exit 1) and is a `<failure type="flaky">` in JUnit.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use afc::suite::repeat::{self, Plan, Repeated, UNTIL_FAIL_DEFAULT};
use afc::suite::{self, Verdict};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::run::{could_not_run, insta_default, quiet_snapshot_panics, SuiteArgs};

/// How often `afc run` runs each scenario.
#[derive(Args, Clone, Debug, Default)]
pub struct RepeatArgs {
    /// Run each scenario N times; one that passes some runs and fails others is FLAKY, a failure.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub repeat: Option<u32>,
    /// Stop repeating a scenario at its first failure (at most --repeat runs; 100 without it).
    #[arg(long)]
    pub until_fail: bool,
}

impl RepeatArgs {
    /// The plan, or `None` for a single ordinary run.
    pub fn plan(&self) -> Option<Plan> {
        let times = match (self.repeat, self.until_fail) {
            (None, false) | (Some(1), false) => return None,
            (None, true) => UNTIL_FAIL_DEFAULT,
            (Some(n), _) => n as usize,
        };
        Some(Plan {
            times,
            until_fail: self.until_fail,
        })
    }
}

/// Runs the suite as `plan` says; prints the table; writes JUnit; exit 0/1/2.
pub fn run(args: &SuiteArgs, snapshots: &Path, junit: Option<&Path>, plan: Plan) -> ExitCode {
    let target = match args.target() {
        Ok(t) => t,
        Err(e) => return could_not_run("run", e),
    };
    let cases = match args.cases() {
        Ok(c) => c,
        Err(e) => return could_not_run("run", e),
    };
    insta_default("INSTA_OUTPUT", "none");
    quiet_snapshot_panics();
    let started = Instant::now();
    let bar = ProgressBar::new((cases.len() * plan.times) as u64);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} runs {elapsed} {msg}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    let until = if plan.until_fail {
        format!("up to {} times, until its first failure", plan.times)
    } else {
        format!("{} times", plan.times)
    };
    bar.println(format!(
        "{} scenarios, each run {until}, against {} ({})",
        cases.len(),
        target.kind,
        target.url
    ));
    let one = |case: &suite::Case| {
        repeat::run_case(case, &target, snapshots, plan, &|r| {
            bar.set_message(r.name.clone());
            bar.inc(1);
        })
    };
    let done = |r: &Repeated| {
        // Runs --until-fail did not make still count as done.
        bar.inc((plan.times - r.runs) as u64);
        // Without a terminal the bar is hidden: one line per scenario instead,
        // so a CI log shows progress and failures as they happen.
        if bar.is_hidden() {
            eprintln!(
                "{} {} {}/{}",
                word(&r.report.verdict),
                r.report.name,
                r.passed,
                r.runs
            );
        }
        if matches!(
            r.report.verdict,
            Verdict::Failed { .. } | Verdict::Flaky { .. }
        ) {
            bar.println(format!(
                "{} {}: {}",
                word(&r.report.verdict),
                r.report.name,
                afc::report::first_line(&r.report.verdict)
            ));
        }
    };
    let results = suite::run_all_with(&cases, args.jobs, &one, &done);
    bar.finish_and_clear();
    print!("{}", table(&results, plan, started.elapsed().as_secs_f64()));
    let reports: Vec<suite::CaseReport> = results.iter().map(|r| r.report.clone()).collect();
    if let Some(path) = junit {
        let xml = afc::report::junit(&reports, &target.kind);
        if let Err(e) = std::fs::write(path, xml) {
            return could_not_run("run", format!("cannot write {}: {e}", path.display()));
        }
    }
    if let Err(e) = args.write_html(&reports, &target) {
        return could_not_run("run", e);
    }
    if afc::report::totals(&reports).any_failure() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn word(v: &Verdict) -> &'static str {
    match v {
        Verdict::Passed => "ok",
        Verdict::Failed { .. } => "FAILED",
        Verdict::Flaky { .. } => "FLAKY",
        Verdict::Skipped(_) => "skipped",
    }
}

/// One row per scenario, then the differences of every scenario that did not pass.
fn table(results: &[Repeated], plan: Plan, wall_secs: f64) -> String {
    let name_w = results
        .iter()
        .map(|r| r.report.name.len())
        .max()
        .unwrap_or(8)
        .max(8);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<name_w$}  {:<7}  {:>7}  {:>8}  first difference",
        "scenario", "result", "passed", "median"
    );
    for r in results {
        let _ = writeln!(
            out,
            "{:<name_w$}  {:<7}  {:>7}  {:>6}ms  {}",
            r.report.name,
            word(&r.report.verdict),
            format!("{}/{}", r.passed, r.runs),
            r.median.as_millis(),
            afc::report::clip(&afc::report::first_line(&r.report.verdict), 70)
        );
    }
    for r in results {
        let lines = match &r.report.verdict {
            Verdict::Flaky {
                differences,
                problems,
                ..
            } => {
                let mut l = repeat::summary(differences);
                l.extend(problems.iter().map(|p| format!("first failed run: {p}")));
                l
            }
            Verdict::Failed { problems, .. } => problems.clone(),
            _ => continue,
        };
        let _ = writeln!(
            out,
            "\n{} {}:\n  {}",
            word(&r.report.verdict),
            r.report.name,
            lines.join("\n  ")
        );
    }
    let reports: Vec<suite::CaseReport> = results.iter().map(|r| r.report.clone()).collect();
    let t = afc::report::totals(&reports);
    let runs: usize = results.iter().map(|r| r.runs).sum();
    let until = if plan.until_fail {
        format!("up to {}, until the first failure", plan.times)
    } else {
        plan.times.to_string()
    };
    let _ = writeln!(
        out,
        "\n{} passed, {} failed, {} flaky, {} skipped; runs per scenario: {until}; {runs} runs in {wall_secs:.1} s",
        t.passed, t.failed, t.flaky, t.skipped
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use afc::suite::CaseReport;
    use std::time::Duration;

    fn repeated(name: &str, verdict: Verdict, runs: usize, passed: usize) -> Repeated {
        Repeated {
            report: CaseReport {
                name: name.into(),
                verdict,
                elapsed: Duration::from_millis(10 * runs as u64),
                observed: None,
            },
            runs,
            passed,
            median: Duration::from_millis(10),
        }
    }

    #[test]
    fn the_plan_follows_the_flags() {
        let args = |repeat, until_fail| RepeatArgs { repeat, until_fail };
        assert_eq!(args(None, false).plan(), None);
        assert_eq!(args(Some(1), false).plan(), None);
        assert_eq!(
            args(Some(20), false).plan(),
            Some(Plan {
                times: 20,
                until_fail: false
            })
        );
        assert_eq!(
            args(None, true).plan(),
            Some(Plan {
                times: 100,
                until_fail: true
            })
        );
        assert_eq!(
            args(Some(5), true).plan(),
            Some(Plan {
                times: 5,
                until_fail: true
            })
        );
    }

    #[test]
    fn the_table_counts_runs_and_lists_each_difference_of_a_flaky_scenario() {
        let flaky = Verdict::Flaky {
            passed: 19,
            failed: 1,
            differences: vec![repeat::Difference {
                line: "line 4: -a +b".into(),
                runs: 1,
            }],
            problems: vec!["view 'provenance' differs".into()],
        };
        let plan = Plan {
            times: 20,
            until_fail: false,
        };
        let t = table(
            &[
                repeated("a/ok", Verdict::Passed, 20, 20),
                repeated("replay/x", flaky, 20, 19),
            ],
            plan,
            1.5,
        );
        assert!(
            t.contains("a/ok      ok         20/20      10ms  \n"),
            "{t}"
        );
        assert!(
            t.contains(
                "replay/x  FLAKY      19/20      10ms  flaky: passed 19 of 20 runs; line 4: -a +b"
            ),
            "{t}"
        );
        assert!(
            t.contains("FLAKY replay/x:\n  1× line 4: -a +b\n  first failed run: view 'provenance' differs"),
            "{t}"
        );
        assert!(
            t.contains(
                "1 passed, 0 failed, 1 flaky, 0 skipped; runs per scenario: 20; 40 runs in 1.5 s"
            ),
            "{t}"
        );
    }
}
