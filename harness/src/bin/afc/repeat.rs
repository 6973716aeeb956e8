//! `afc run --repeat N` and `--until-fail`: each scenario run N times (or
//! until its first failure), then one row per scenario: passed, FAILED or
//! FLAKY with its counts, and each distinct first difference. A flaky
//! scenario fails the run (exit 1) and is a `<failure type="flaky">` in JUnit.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use afc::suite::repeat::{self, Plan, Repeated, UNTIL_FAIL_DEFAULT};
use afc::suite::{self, Verdict};
use clap::Args;

use crate::output::{self, word, Format, Progress};
use crate::run::{insta_default, RunArgs, SuiteArgs};

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
pub fn run(
    args: &SuiteArgs,
    opts: &RunArgs,
    snapshots: &Path,
    junit: Option<&Path>,
    plan: Plan,
) -> ExitCode {
    let format = opts.format;
    let target = match args.healthy_target() {
        Ok(t) => t,
        Err(e) => return output::could_not_run(format, "run", &e),
    };
    let cases = match args.cases() {
        Ok(c) => c,
        Err(e) => return output::could_not_run(format, "run", &e),
    };
    insta_default("INSTA_OUTPUT", "none");
    afc::suite::insta_env::quiet_snapshot_panics();
    let started = Instant::now();
    let until = if plan.until_fail {
        format!("up to {} times, until its first failure", plan.times)
    } else {
        format!("{} times", plan.times)
    };
    let header = format!(
        "{} scenarios, each run {until}, against {} ({})",
        cases.len(),
        target.kind,
        target.url
    );
    // The bar counts runs; the JSON events and log lines, scenarios.
    let shown = Progress::start(format, cases.len() * plan.times, &header);
    let one = |case: &suite::Case| {
        repeat::run_case(case, &target, snapshots, plan, &|r| {
            shown.advance(1, &r.name)
        })
    };
    let done = |r: &Repeated| {
        // Runs --until-fail did not make still count as done.
        shown.advance((plan.times - r.runs) as u64, &r.report.name);
        shown.finished_repeated(&r.report);
    };
    let failed = |r: &Repeated| {
        opts.fail_fast
            && matches!(
                r.report.verdict,
                Verdict::Failed { .. } | Verdict::Flaky { .. }
            )
    };
    let results: Vec<Repeated> = suite::run_all_until(&cases, args.jobs, &one, &done, &failed)
        .into_iter()
        .zip(&cases)
        .map(|(r, case)| {
            r.unwrap_or_else(|| {
                let report = suite::not_run(case);
                shown.finished_repeated(&report);
                Repeated {
                    report,
                    runs: 0,
                    passed: 0,
                    median: Duration::ZERO,
                }
            })
        })
        .collect();
    shown.finish();
    let wall = started.elapsed();
    let reports: Vec<suite::CaseReport> = results.iter().map(|r| r.report.clone()).collect();
    if let Err(e) = args.write_reports(junit, &reports, &target) {
        return output::could_not_run(format, "run", &e);
    }
    let totals = afc::report::totals(&reports);
    let code = u8::from(totals.any_failure());
    if format == Format::Json {
        let time = reports.iter().map(|r| r.elapsed).sum();
        output::emit(&output::summary_event(&totals, wall, time, code));
    } else {
        print!("{}", table(&results, plan, wall, None));
    }
    ExitCode::from(code)
}

/// One row per scenario, then the differences of every scenario that did
/// not pass, then the totals with the wall time and the summed run time.
fn table(results: &[Repeated], plan: Plan, wall: Duration, width: Option<u16>) -> String {
    let mut t = afc::report::fitted_table(
        &["scenario", "result", "passed", "median", "first difference"],
        width,
    );
    for r in results {
        t.add_row(vec![
            r.report.name.clone(),
            word(&r.report.verdict).to_owned(),
            format!("{}/{}", r.passed, r.runs),
            format!("{} ms", r.median.as_millis()),
            afc::report::clip(&afc::report::first_line(&r.report.verdict), 200),
        ]);
    }
    let mut out = format!("{}\n", t.trim_fmt());
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
            Verdict::Failed { problems, .. } => afc::suite::rendered(problems),
            _ => continue,
        };
        let _ = write!(
            out,
            "\n{} {}:\n{}",
            word(&r.report.verdict),
            r.report.name,
            output::problems_text(&lines)
        );
    }
    let reports: Vec<suite::CaseReport> = results.iter().map(|r| r.report.clone()).collect();
    let runs: usize = results.iter().map(|r| r.runs).sum();
    let until = if plan.until_fail {
        format!("up to {}, until the first failure", plan.times)
    } else {
        plan.times.to_string()
    };
    let _ = writeln!(
        out,
        "\n{}; runs per scenario: {until}; {runs} runs",
        afc::report::summary(&reports, wall)
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
            problems: vec![afc::suite::Problem::ViewDiffers {
                view: afc::scenario::View::Provenance,
                golden: "snapshots/x@provenance.snap".into(),
                first_entry: None,
                diff: None,
                pending: None,
            }],
        };
        let plan = Plan {
            times: 20,
            until_fail: false,
        };
        console::set_colors_enabled(false);
        let t = table(
            &[
                repeated("a/ok", Verdict::Passed, 20, 20),
                repeated("replay/x", flaky, 20, 19),
            ],
            plan,
            Duration::from_millis(1500),
            Some(afc::report::DEFAULT_WIDTH),
        );
        let row = |name: &str| t.lines().find(|l| l.contains(name)).unwrap_or_default();
        let cells = |name: &str| {
            row(name)
                .split_whitespace()
                .take(5)
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(cells("a/ok"), "a/ok ok 20/20 10 ms", "{t}");
        assert!(
            cells("replay/x").starts_with("replay/x FLAKY 19/20 10 ms"),
            "{t}"
        );
        assert!(
            row("replay/x").contains("flaky: passed 19 of 20 runs;"),
            "{t}"
        );
        assert!(
            t.contains("FLAKY replay/x:\n  1× line 4: -a +b\n  first failed run: view 'provenance' differs"),
            "{t}"
        );
        assert!(
            t.contains(
                "1 passed, 0 failed, 1 flaky, 0 skipped; wall time 1.50 s, scenario time 0.40 s; runs per scenario: 20; 40 runs"
            ),
            "{t}"
        );
    }
}
