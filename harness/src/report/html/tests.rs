//! The page without a browser: what it escapes, what it marks, and a real
//! restart drawn from the reference's observations.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::page;
use crate::observe::{Observed, ViewDiff};
use crate::scenario::View;
use crate::suite::problem::sample;
use crate::suite::{CaseReport, Verdict};

const HOSTILE: &str = r#"<script>alert("x")</script>&"'"#;

pub(super) fn hostile_report() -> CaseReport {
    let alias = format!("run1/{HOSTILE}");
    CaseReport {
        name: format!("topic/{HOSTILE}"),
        verdict: Verdict::Failed {
            problems: vec![sample::ended(HOSTILE)],
            first_diff: None,
        },
        elapsed: Duration::from_millis(3),
        observed: Some(Arc::new(Observed {
            provenance: json!({"run1": {"status": HOSTILE, "executions": {
                alias.clone(): {"parent": null, "status": "succeeded",
                    "reuse": {"hit": true, "source_execution": HOSTILE}}}}}),
            lineage: json!({"run1": {"lineage": {"kind": HOSTILE, "source_run_id": "run1"}}}),
            headers: json!({alias: {"run": HOSTILE, "body": {"q": HOSTILE}}}),
            differing: vec![ViewDiff {
                view: HOSTILE.into(),
                golden: HOSTILE.into(),
                actual: format!("{HOSTILE}!"),
                first_line: 1,
            }],
            ..Observed::default()
        })),
    }
}

#[test]
fn every_text_from_a_scenario_or_a_target_is_escaped() {
    let html = page(&[hostile_report()], HOSTILE);
    assert!(!html.contains("<script"), "an element was injected");
    assert!(!html.contains(r#"alert("x")"#), "a quote was left raw");
    assert!(!html.contains("</script>"));
    // The same text, escaped, in the title, names, nodes, table, and both sides.
    let escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&quot;&apos;";
    assert!(html.matches(escaped).count() >= 10, "{html}");
    // An attribute cannot be closed early by a quote in an alias.
    assert!(html.contains(&format!(r#"data-exec="run1/{escaped}""#)));
}

#[test]
fn reused_nodes_are_marked_with_their_source_and_fresh_ones_are_not() {
    let report = CaseReport {
        name: "restart/x".into(),
        verdict: Verdict::Passed,
        elapsed: Duration::from_millis(1),
        observed: Some(Arc::new(Observed {
            provenance: json!({
                "run1": {"status": "failed", "executions": {
                    "run1/a.root": {"parent": null, "status": "failed", "reuse": null},
                    "run1/a.plan": {"parent": "run1/a.root", "status": "succeeded", "reuse": null}}},
                "run2": {"status": "succeeded", "executions": {
                    "run2/a.root": {"parent": null, "status": "succeeded", "reuse": null},
                    "run2/a.plan": {"parent": "run2/a.root", "status": "succeeded",
                        "reuse": {"hit": true, "source_execution": "run1/a.plan", "source_run": "run1"}}}},
            }),
            lineage: json!({"run1": {"lineage": null},
                "run2": {"lineage": {"kind": "fork", "source_run_id": "run1"}}}),
            ..Observed::default()
        })),
    };
    let html = page(&[report], "embedded");
    assert_eq!(html.matches(r#"<g class="run "#).count(), 2);
    assert_eq!(html.matches(r#"<g class="node "#).count(), 4);
    assert_eq!(html.matches(" reused\"").count(), 1);
    assert!(html.contains(
        r#"<g class="node succeeded reused" data-exec="run2/a.plan" data-reused-from="run1/a.plan""#
    ));
    assert!(html.contains(">reused from run1/a.plan</text>"));
    assert_eq!(html.matches(r#"<path class="lineage fork""#).count(), 1);
    assert_eq!(html.matches(r#"class="edge""#).count(), 2);
    assert!(
        !html.contains(r#"<table class="sides""#),
        "a passing scenario shows no sides"
    );
}

/// The workspace root: scenarios/ and snapshots/ are there.
pub(super) fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("harness/ sits in the workspace")
        .to_path_buf()
}

/// restart/restart_from_failed_child run on the embedded reference and
/// judged against the goldens (it passes: a failing insta assertion would
/// write to stderr past libtest's capture, so a differing view is added by
/// hand: the lineage golden saying `fork` where the run says `restart`).
pub(super) fn restart_with_a_differing_view() -> CaseReport {
    let root = workspace();
    let name = "restart_from_failed_child";
    let case = crate::suite::Case {
        name: format!("restart/{name}"),
        path: root.join(format!("scenarios/restart/{name}.yaml")),
    };
    let target = crate::target::Target::start(&crate::target::Choice::default())
        .expect("the embedded reference starts");
    let mut report = crate::suite::run_case(&case, &target, &root.join("snapshots"));
    assert_eq!(
        report.verdict,
        Verdict::Passed,
        "the reference passes {name}"
    );
    let mut observed = report
        .observed
        .as_deref()
        .cloned()
        .expect("a scenario that ran was observed");
    let actual =
        "run1:\n  lineage: ~\nrun2:\n  lineage:\n    kind: restart\n    source_run_id: run1";
    observed.differing.push(ViewDiff {
        view: "lineage".into(),
        golden: actual.replace("kind: restart", "kind: fork"),
        actual: actual.into(),
        first_line: 1,
    });
    report.observed = Some(Arc::new(observed));
    report.verdict = Verdict::Failed {
        problems: vec![sample::differs(View::Lineage, "-golden\n+now")],
        first_diff: None,
    };
    report
}

#[test]
fn a_real_restart_is_drawn_with_its_reused_nodes_and_its_failed_view() {
    let report = restart_with_a_differing_view();
    let html = page(&[report], "embedded");
    // §9's graph: run2 reuses plan and both assess calls of run1 (started before synth).
    assert_eq!(html.matches(r#"<g class="run "#).count(), 2);
    for source in [
        "run1/research.plan",
        "run1/research.assess#1",
        "run1/research.assess#2",
    ] {
        assert!(
            html.contains(&format!(r#"data-reused-from="{source}""#)),
            "{source}"
        );
    }
    assert_eq!(html.matches(" reused\"").count(), 3);
    assert_eq!(html.matches(r#"<path class="lineage restart""#).count(), 1);
    assert!(html.contains("run2 · succeeded · restart of run1 from run1/research.synth"));
    // The differing view, its changed line facing the golden's.
    assert!(html.contains(r#"<table class="sides" data-view="lineage">"#));
    assert!(html.contains(r#"<tr class="changed"><td class="n">5</td><td class="golden">    kind: fork</td><td class="n">5</td><td class="actual">    kind: restart</td></tr>"#), "{html}");
    // One row per dispatch the agents received: 5 in run1, 3 fresh in run2.
    assert!(html.contains("<h3>headers per hop (8)</h3>"), "{html}");
}

#[test]
fn failing_sections_come_first_and_mark_the_node_that_differs_with_its_error() {
    let passed = |name: &str| CaseReport {
        name: name.into(),
        verdict: Verdict::Passed,
        elapsed: Duration::from_millis(1),
        observed: None,
    };
    let golden = "run1:\n  executions:\n    run1/a.root:\n      status: failed\n    run1/a.plan:\n      status: failed\n";
    let failing = CaseReport {
        name: "z/failing".into(),
        verdict: Verdict::Failed {
            problems: vec![sample::ended("failed")],
            first_diff: None,
        },
        elapsed: Duration::from_millis(1),
        observed: Some(Arc::new(Observed {
            provenance: json!({"run1": {"status": "failed", "executions": {
                "run1/a.root": {"parent": null, "status": "failed", "reuse": null},
                "run1/a.plan": {"parent": "run1/a.root", "status": "succeeded", "reuse": null}}}}),
            differing: vec![ViewDiff {
                view: "provenance".into(),
                golden: golden.into(),
                actual: golden.replace(
                    "run1/a.plan:\n      status: failed",
                    "run1/a.plan:\n      status: succeeded",
                ),
                first_line: 6,
            }],
            errors: [(
                "run1/a.root".to_string(),
                "agent error (500): boom".to_string(),
            )]
            .into(),
            ..Observed::default()
        })),
    };
    let html = page(
        &[passed("a/first"), passed("b/second"), failing],
        "embedded",
    );
    // The failing one is listed and shown first, its section id its suite index.
    let nav = html.find(r##"href="#s2""##).expect("listed");
    assert!(
        nav < html.find(r##"href="#s0""##).expect("listed"),
        "{html}"
    );
    let section = html.find(r#"id="s2""#).expect("shown");
    assert!(section < html.find(r#"id="s0""#).expect("shown"));
    // The node the view differs on, and only it, is marked.
    assert_eq!(html.matches(" differs\"").count(), 1, "{html}");
    assert!(
        html.contains(r#"<g class="node succeeded differs" data-exec="run1/a.plan""#),
        "{html}"
    );
    // A failed node shows its error, and its tooltip has it whole.
    assert!(
        html.contains(r#"<text class="error" x="8" y="47">agent error (500): boom</text>"#),
        "{html}"
    );
    assert!(html.contains("error: agent error (500): boom"), "{html}");
}
