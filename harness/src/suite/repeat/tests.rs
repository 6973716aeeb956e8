//! The flaky classification, driven by scripted verdicts.

use std::cell::RefCell;
use std::time::Duration;

use super::*;

fn pass() -> Verdict {
    Verdict::Passed
}

/// The provenance view differs, by `diff`.
fn differs(diff: &str) -> Problem {
    Problem::ViewDiffers {
        view: crate::scenario::View::Provenance,
        golden: "snapshots/x@provenance.snap".into(),
        first_entry: None,
        diff: Some(diff.to_string()),
        pending: None,
    }
}

fn fail(diff: &str) -> Verdict {
    Verdict::Failed {
        problems: vec![differs(diff)],
        first_diff: Some(diff.to_string()),
    }
}

/// Runs `plan` where the k-th run has verdict `script[k]`; returns the fold
/// and how many runs were made.
fn scripted(plan: Plan, script: Vec<Verdict>) -> (Repeated, usize) {
    let next = RefCell::new(script.into_iter());
    let made = RefCell::new(0);
    let r = run_with(plan, &|_| *made.borrow_mut() += 1, || CaseReport {
        name: "replay/x".into(),
        verdict: next.borrow_mut().next().expect("script long enough"),
        elapsed: Duration::from_millis(10),
        observed: None,
    });
    let n = *made.borrow();
    (r, n)
}

fn times(n: usize) -> Plan {
    Plan {
        times: n,
        until_fail: false,
    }
}

#[test]
fn every_run_passing_is_a_pass() {
    let (r, made) = scripted(times(3), vec![pass(), pass(), pass()]);
    assert_eq!(
        (r.report.verdict, r.runs, r.passed, made),
        (pass(), 3, 3, 3)
    );
    assert_eq!(r.report.elapsed, Duration::from_millis(30));
    assert_eq!(r.median, Duration::from_millis(10));
}

#[test]
fn one_failure_among_passes_is_flaky_with_its_counts_and_never_a_pass() {
    let (r, _) = scripted(
        times(4),
        vec![pass(), fail("line 3: -a +b"), pass(), pass()],
    );
    let Verdict::Flaky {
        passed,
        failed,
        differences,
        problems,
    } = &r.report.verdict
    else {
        panic!("{:?}", r.report.verdict)
    };
    assert_eq!((*passed, *failed), (3, 1));
    assert_eq!(
        differences,
        &vec![Difference {
            line: "line 3: -a +b".into(),
            runs: 1
        }]
    );
    assert_eq!(problems, &vec![differs("line 3: -a +b")]);
    assert_eq!(
        crate::suite::first_line(&r.report.verdict),
        "flaky: passed 3 of 4 runs; line 3: -a +b"
    );
}

#[test]
fn each_distinct_first_difference_is_kept_with_its_count_most_frequent_first() {
    let (r, _) = scripted(
        times(5),
        vec![fail("A"), pass(), fail("B"), fail("B"), fail("A2")],
    );
    let Verdict::Flaky { differences, .. } = &r.report.verdict else {
        panic!("{:?}", r.report.verdict)
    };
    let got: Vec<(&str, usize)> = differences
        .iter()
        .map(|d| (d.line.as_str(), d.runs))
        .collect();
    assert_eq!(got, vec![("B", 2), ("A", 1), ("A2", 1)]);
}

#[test]
fn every_run_failing_is_a_failure_that_says_so() {
    let (r, _) = scripted(times(3), vec![fail("A"), fail("B"), fail("A")]);
    let Verdict::Failed {
        problems,
        first_diff,
    } = &r.report.verdict
    else {
        panic!("{:?}", r.report.verdict)
    };
    assert_eq!(first_diff.as_deref(), Some("A"));
    let seen = |line: &str, runs| {
        let line = line.to_string();
        Problem::SeenInRuns(Difference { line, runs })
    };
    assert_eq!(
        problems[..],
        [
            Problem::FailedEveryRun { runs: 3 },
            seen("A", 2),
            seen("B", 1),
            differs("A")
        ]
    );
    assert_eq!(
        crate::suite::rendered(&problems[..3]),
        ["failed 3 of 3 runs", "2× A", "1× B"]
    );
}

#[test]
fn until_fail_stops_at_the_first_failure() {
    let plan = Plan {
        times: 10,
        until_fail: true,
    };
    let (r, made) = scripted(plan, vec![pass(), pass(), fail("A"), pass()]);
    assert_eq!((made, r.runs, r.passed), (3, 3, 2));
    assert!(matches!(
        r.report.verdict,
        Verdict::Flaky {
            passed: 2,
            failed: 1,
            ..
        }
    ));
    let (r, made) = scripted(plan, vec![fail("A"), pass()]);
    assert_eq!(made, 1);
    assert_eq!(
        r.report.verdict,
        fail("A"),
        "a single failing run is its own verdict"
    );
    let (r, made) = scripted(plan, vec![pass(); 10]);
    assert_eq!((made, r.report.verdict), (10, pass()), "bounded by times");
}

#[test]
fn a_skip_is_not_repeated() {
    let skip = Verdict::Skipped("lacks x".into());
    let (r, made) = scripted(times(5), vec![skip.clone()]);
    assert_eq!((made, r.report.verdict), (1, skip));
}

#[test]
fn the_plan_from_the_environment_is_checked() {
    // Only this test touches these variables.
    std::env::remove_var("AFC_UNTIL_FAIL");
    std::env::remove_var("AFC_REPEAT");
    assert_eq!(Plan::from_env(), Ok(Plan::ONCE));
    std::env::set_var("AFC_REPEAT", "20");
    assert_eq!(Plan::from_env(), Ok(times(20)));
    std::env::set_var("AFC_REPEAT", "0");
    assert!(Plan::from_env().is_err());
    std::env::remove_var("AFC_REPEAT");
    std::env::set_var("AFC_UNTIL_FAIL", "1");
    assert_eq!(
        Plan::from_env(),
        Ok(Plan {
            times: UNTIL_FAIL_DEFAULT,
            until_fail: true
        })
    );
    std::env::set_var("AFC_UNTIL_FAIL", "yes");
    assert!(Plan::from_env().is_err());
    std::env::remove_var("AFC_UNTIL_FAIL");
}

#[test]
fn the_plan_follows_the_flags() {
    assert_eq!(Plan::from_flags(None, false), None);
    assert_eq!(Plan::from_flags(Some(1), false), None);
    let plan = |times, until_fail| Some(Plan { times, until_fail });
    assert_eq!(Plan::from_flags(Some(20), false), plan(20, false));
    assert_eq!(Plan::from_flags(None, true), plan(100, true));
    assert_eq!(Plan::from_flags(Some(5), true), plan(5, true));
}
