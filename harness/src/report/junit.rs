//! JUnit XML, the format CI systems render, written by `quick-junit` and kept
//! valid against Jenkins' junit-10.xsd: that schema has no `skipped` attribute
//! on `<testsuites>` (only on `<testsuite>`), which quick-junit always writes,
//! so it is taken out of the root element.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::first_line;
use crate::suite::{CaseReport, Verdict};

/// JUnit XML: one `<testsuite>` named `suite`, one `<testcase>` per scenario
/// (classname = topic), `<failure>` carrying every problem with its diff,
/// `<skipped>` with the reason.
pub fn junit(reports: &[CaseReport], suite: &str) -> String {
    let mut cases = TestSuite::new(suite);
    for r in reports {
        let (class, name) = r.name.rsplit_once('/').unwrap_or(("scenarios", &r.name));
        let status = match &r.verdict {
            Verdict::Passed => TestCaseStatus::success(),
            Verdict::Skipped(reason) | Verdict::NotRun(reason) => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(reason.as_str());
                s
            }
            Verdict::Failed { problems, .. } => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(first_line(&r.verdict))
                    .set_description(crate::suite::rendered(problems).join("\n"));
                s
            }
            // JUnit has no flaky outcome that CI counts as failing, so a flaky
            // scenario is a failure of type "flaky" (never surefire's
            // <flakyFailure>, which renders as a pass).
            Verdict::Flaky {
                differences,
                problems,
                ..
            } => {
                let mut text = crate::suite::repeat::summary(differences);
                text.extend(crate::suite::rendered(problems));
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_type("flaky")
                    .set_message(first_line(&r.verdict))
                    .set_description(text.join("\n"));
                s
            }
        };
        let mut case = TestCase::new(name, status);
        case.set_classname(class).set_time(r.elapsed);
        cases.add_test_case(case);
    }
    let time = reports.iter().map(|r| r.elapsed).sum();
    cases.set_time(time);
    let mut report = Report::new("afc");
    report.set_time(time);
    report.add_test_suite(cases);
    let xml = report
        .to_string()
        .unwrap_or_else(|e| format!("<!-- quick-junit could not write the report: {e} -->"));
    without_root_skipped(&xml)
}

/// `xml` with the `skipped` attribute of its `<testsuites>` start tag removed.
fn without_root_skipped(xml: &str) -> String {
    let Some(start) = xml.find("<testsuites") else {
        return xml.to_string();
    };
    let end = xml[start..].find('>').map_or(xml.len(), |e| start + e);
    let tag = &xml[start..end];
    let Some(at) = tag.find(" skipped=\"") else {
        return xml.to_string();
    };
    let close = tag[at + 10..]
        .find('"')
        .map_or(tag.len(), |c| at + 10 + c + 1);
    format!("{}{}{}", &xml[..start + at], &tag[close..], &xml[end..])
}

#[cfg(test)]
mod xsd;

#[cfg(test)]
mod tests {
    use super::xsd::{parse, validate, Element};
    use super::*;
    use crate::report::report;
    use crate::scenario::View;
    use crate::suite::problem::sample;

    fn all<'a>(e: &'a Element, name: &str, out: &mut Vec<&'a Element>) {
        if e.name == name {
            out.push(e);
        }
        for c in &e.children {
            all(c, name, out);
        }
    }

    #[test]
    fn junit_is_valid_against_junit_10_xsd_and_a_failure_carries_the_diff() {
        let diff = "-golden (.snap line numbers)\n+now\n   50       │-  reuse: ~\n         50 │+  reuse: run1";
        let problems = vec![
            sample::differs(View::Provenance, diff),
            sample::ended("ctl \u{7} \"q\" 'a'"),
        ];
        let xml = junit(
            &[
                report("restart/a", Verdict::Passed),
                report(
                    "replay/b<&>",
                    Verdict::Failed {
                        problems,
                        first_diff: Some("line 50 under run2: -reuse: ~ +reuse: run1".into()),
                    },
                ),
                report("plain", Verdict::Skipped("lacks serve_mode_replay".into())),
            ],
            "embedded",
        );
        let root = parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
        validate(&root).unwrap_or_else(|e| panic!("{e}\n{xml}"));
        assert!(root.attr("skipped").is_none(), "{xml}");
        let mut suites = Vec::new();
        all(&root, "testsuite", &mut suites);
        let suite = suites[0];
        assert_eq!(suite.attr("tests"), Some("3"));
        assert_eq!(suite.attr("failures"), Some("1"));
        assert_eq!(suite.attr("skipped"), Some("1"));
        let mut cases = Vec::new();
        all(&root, "testcase", &mut cases);
        assert_eq!(cases.len(), 3);
        assert_eq!(cases[1].attr("name"), Some("b<&>"));
        assert_eq!(cases[1].attr("classname"), Some("replay"));
        let failure = &cases[1].children[0];
        assert_eq!(failure.name, "failure");
        assert_eq!(
            failure.attr("message"),
            Some("line 50 under run2: -reuse: ~ +reuse: run1")
        );
        assert!(
            failure
                .text
                .contains("   50       │-  reuse: ~\n         50 │+  reuse: run1"),
            "{xml}"
        );
        assert!(
            failure.text.contains("ctl  \"q\" 'a'"),
            "a control character is dropped: {xml}"
        );
        assert_eq!(cases[2].children[0].name, "skipped");
        assert_eq!(
            cases[2].children[0].attr("message"),
            Some("lacks serve_mode_replay")
        );
    }

    #[test]
    fn the_validator_refuses_what_junit_10_xsd_refuses() {
        let suite = |inner: &str| {
            format!("<testsuites><testsuite name=\"s\" tests=\"1\" failures=\"0\" errors=\"0\">{inner}</testsuite></testsuites>")
        };
        let bad = [
            ("<testsuites skipped=\"1\"/>".to_owned(), "skipped"),
            ("<testsuites disabled=\"0\"/>".to_owned(), "disabled"),
            ("<testsuites time=\"1.5s\"/>".to_owned(), "SUREFIRE_TIME"),
            (
                "<testsuites><testsuite tests=\"1\" failures=\"0\" errors=\"0\"/></testsuites>"
                    .to_owned(),
                "name",
            ),
            (
                "<testsuites><testsuite name=\"s\" tests=\"1\" failures=\"0\"/></testsuites>"
                    .to_owned(),
                "errors",
            ),
            (suite("<failure/>"), "failure"),
            (
                suite("<testcase name=\"c\" assertions=\"1\"/>"),
                "assertions",
            ),
            (
                suite("<testcase name=\"c\"><failure bogus=\"1\"/></testcase>"),
                "bogus",
            ),
            (suite("<testcase classname=\"c\"/>"), "name"),
            (
                "<testsuite name=\"s\" tests=\"1\" failures=\"0\" errors=\"0\"/>".to_owned(),
                "root",
            ),
        ];
        let good = suite(
            "<system-out/><testcase name=\"c\" time=\"0.1\"><skipped type=\"t\"/></testcase>",
        );
        validate(&parse(&good).expect("well-formed")).expect("valid");
        for (xml, why) in bad {
            let root = parse(&xml).expect("well-formed");
            let e = validate(&root).expect_err(&xml);
            assert!(e.contains(why), "{xml}: {e}");
        }
    }

    #[test]
    fn a_flaky_scenario_is_a_failure_in_junit_never_a_pass() {
        let flaky = Verdict::Flaky {
            passed: 19,
            failed: 1,
            differences: vec![crate::suite::repeat::Difference {
                line: "line 4: -a +b".into(),
                runs: 1,
            }],
            problems: vec![sample::differs(View::Provenance, "-a\n+b")],
        };
        let xml = junit(
            &[report("replay/x", flaky), report("a/ok", Verdict::Passed)],
            "t",
        );
        let root = parse(&xml).expect("well-formed");
        validate(&root).unwrap_or_else(|e| panic!("{e}\n{xml}"));
        assert_eq!(root.attr("tests"), Some("2"));
        assert_eq!(root.attr("failures"), Some("1"));
        let mut failures = Vec::new();
        all(&root, "failure", &mut failures);
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].attr("type"), Some("flaky"));
        assert_eq!(
            failures[0].attr("message"),
            Some("flaky: passed 19 of 20 runs; line 4: -a +b")
        );
        assert_eq!(
            failures[0].text,
            "1× line 4: -a +b\nview 'provenance' differs from snapshots/x@provenance.snap:\n-a\n+b"
        );
    }
}
