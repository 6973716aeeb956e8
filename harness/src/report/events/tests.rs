use std::time::Duration;

use serde_json::{json, Value};

use super::*;
use crate::suite::Case;

fn parsed(e: &Event) -> Value {
    let line = e.line();
    assert!(!line.contains('\n'), "{line}");
    serde_json::from_str(&line).expect("parses")
}

#[test]
fn each_event_is_one_line_of_json_with_its_result() {
    let failed = CaseReport {
        name: "replay/b".into(),
        verdict: Verdict::Failed {
            problems: vec![crate::suite::Problem::ViewDiffers {
                view: crate::scenario::View::Provenance,
                golden: "x.snap".into(),
                first_entry: None,
                diff: Some("   5       │-a: 1".into()),
                pending: None,
            }],
            first_diff: Some("line 5: -a: 1 +a: 2".into()),
        },
        elapsed: Duration::from_millis(7),
        observed: None,
    };
    let back = parsed(&Event::scenario(&failed));
    assert_eq!(back["type"], "scenario");
    assert_eq!(back["result"], "failed");
    assert_eq!(back["first_difference"], "line 5: -a: 1 +a: 2");
    assert_eq!(back["time_ms"], 7);
    assert_eq!(
        back["problems"],
        json!(["view 'provenance' differs from x.snap:\n   5       │-a: 1"])
    );
    let not_run = crate::suite::not_run(&Case {
        name: "t/z".into(),
        path: "z.yaml".into(),
    });
    let back = parsed(&Event::scenario(&not_run));
    assert_eq!(back["result"], "not_run");
    assert_eq!(
        back["reason"],
        "not run: --fail-fast stopped at the first failure"
    );
}

#[test]
fn the_lines_keep_the_documented_keys_in_their_order() {
    let passed = CaseReport {
        name: "a/ok".into(),
        verdict: Verdict::Passed,
        elapsed: Duration::from_millis(3),
        observed: None,
    };
    assert_eq!(
        Event::scenario(&passed).line(),
        r#"{"type":"scenario","name":"a/ok","result":"passed","time_ms":3}"#
    );
    let no_diff = CaseReport {
        verdict: Verdict::Failed {
            problems: vec![],
            first_diff: None,
        },
        ..passed
    };
    assert_eq!(
        Event::scenario(&no_diff).line(),
        r#"{"type":"scenario","name":"a/ok","result":"failed","time_ms":3,"first_difference":null,"problems":[]}"#
    );
    let totals = Totals {
        passed: 1,
        failed: 2,
        skipped: 3,
        flaky: 4,
        not_run: 5,
    };
    let summary = Event::summary(
        &totals,
        Duration::from_millis(10),
        Duration::from_millis(20),
        Exit::Failed,
    );
    assert_eq!(
        summary.line(),
        r#"{"type":"summary","passed":1,"failed":2,"flaky":4,"skipped":3,"not_run":5,"wall_ms":10,"scenario_ms":20,"exit_code":1}"#
    );
    assert_eq!(
        Event::error("no scenario matches \"x\"").line(),
        r#"{"type":"error","message":"no scenario matches \"x\"","exit_code":2}"#
    );
}

#[test]
fn the_fuzz_event_names_its_seeds_and_times() {
    let o = PassOutcome {
        seed: 1,
        asked: 3,
        ran: 3,
        passed: 2,
        open: 0,
        failed: vec![2],
        errors: vec![],
        elapsed: Duration::from_millis(2500),
        budget: Duration::from_secs(60),
    };
    assert_eq!(
        Event::fuzz(&o).line(),
        r#"{"type":"fuzz","seed":1,"asked":3,"ran":3,"passed":2,"open":0,"failed":[2],"errors":[],"elapsed_ms":2500,"budget_s":60}"#
    );
}
