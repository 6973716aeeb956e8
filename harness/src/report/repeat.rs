//! The table of `afc run --repeat N` / `--until-fail`: one row per scenario
//! (passed, FAILED or FLAKY with its counts), then each distinct first
//! difference of every scenario that did not pass, then the totals.

use std::fmt::Write as _;
use std::time::Duration;

use super::terminal::problems_text;
use crate::suite::repeat::{self, Plan, Repeated};
use crate::suite::{CaseReport, Verdict};

/// The header line of a repeated run.
pub fn header(scenarios: usize, plan: Plan, target: &str) -> String {
    let until = if plan.until_fail {
        format!("up to {} times, until its first failure", plan.times)
    } else {
        format!("{} times", plan.times)
    };
    format!("{scenarios} scenarios, each run {until}, against {target}")
}

/// One row per scenario, then the differences of every scenario that did
/// not pass, then the totals with the wall time and the summed run time,
/// fitted to `width` as [`super::fitted_table`] says.
pub fn table(results: &[Repeated], plan: Plan, wall: Duration, width: Option<u16>) -> String {
    let mut t = super::fitted_table(
        &["scenario", "result", "passed", "median", "first difference"],
        width,
    );
    for r in results {
        t.add_row(vec![
            r.report.name.clone(),
            r.report.verdict.word().to_owned(),
            format!("{}/{}", r.passed, r.runs),
            format!("{} ms", r.median.as_millis()),
            super::clip(&super::first_line(&r.report.verdict), 200),
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
            Verdict::Failed { problems, .. } => crate::suite::rendered(problems),
            _ => continue,
        };
        let _ = write!(
            out,
            "\n{} {}:\n{}",
            r.report.verdict.word(),
            r.report.name,
            problems_text(&lines)
        );
    }
    let reports: Vec<CaseReport> = results.iter().map(|r| r.report.clone()).collect();
    let runs: usize = results.iter().map(|r| r.runs).sum();
    let until = if plan.until_fail {
        format!("up to {}, until the first failure", plan.times)
    } else {
        plan.times.to_string()
    };
    let _ = writeln!(
        out,
        "\n{}; runs per scenario: {until}; {runs} runs",
        super::summary(&reports, wall)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn the_table_counts_runs_and_lists_each_difference_of_a_flaky_scenario() {
        let flaky = Verdict::Flaky {
            passed: 19,
            failed: 1,
            differences: vec![repeat::Difference {
                line: "line 4: -a +b".into(),
                runs: 1,
            }],
            problems: vec![crate::suite::Problem::ViewDiffers {
                view: crate::scenario::View::Provenance,
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
            Some(super::super::DEFAULT_WIDTH),
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
