//! JUnit XML, the format CI systems render.

use std::fmt::Write as _;
use std::time::Duration;

use super::{first_line, totals};
use crate::suite::{CaseReport, Verdict};

fn escape(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&apos;"),
            // XML 1.0 forbids most control characters, even escaped.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => s.push('\u{fffd}'),
            c => s.push(c),
        }
    }
    s
}

/// JUnit XML: one `<testsuite>` named `suite`, one `<testcase>` per scenario
/// (classname = topic), `<failure>` with every problem, `<skipped>` with the reason.
pub fn junit(reports: &[CaseReport], suite: &str) -> String {
    let t = totals(reports);
    let secs = |d: Duration| format!("{:.3}", d.as_secs_f64());
    let wall: Duration = reports.iter().map(|r| r.elapsed).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"afc\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{}\">",
        reports.len(),
        t.failed + t.flaky,
        t.skipped,
        secs(wall)
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{}\">",
        escape(suite),
        reports.len(),
        t.failed + t.flaky,
        t.skipped,
        secs(wall)
    );
    for r in reports {
        let (class, name) = r.name.rsplit_once('/').unwrap_or(("scenarios", &r.name));
        let open = format!(
            "    <testcase classname=\"{}\" name=\"{}\" time=\"{}\"",
            escape(class),
            escape(name),
            secs(r.elapsed)
        );
        match &r.verdict {
            Verdict::Passed => {
                let _ = writeln!(out, "{open}/>");
            }
            Verdict::Skipped(reason) => {
                let _ = writeln!(
                    out,
                    "{open}>\n      <skipped message=\"{}\"/>\n    </testcase>",
                    escape(reason)
                );
            }
            Verdict::Failed { problems, .. } => {
                let _ = writeln!(
                    out,
                    "{open}>\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                    escape(&first_line(&r.verdict)),
                    escape(&problems.join("\n"))
                );
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
                text.extend(problems.iter().cloned());
                let _ = writeln!(
                    out,
                    "{open}>\n      <failure type=\"flaky\" message=\"{}\">{}</failure>\n    </testcase>",
                    escape(&first_line(&r.verdict)),
                    escape(&text.join("\n"))
                );
            }
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::report;

    #[test]
    fn junit_escapes_and_forbids_control_characters() {
        assert_eq!(
            escape("a<b & \"c\"\u{1}"),
            "a&lt;b &amp; &quot;c&quot;\u{fffd}"
        );
    }

    /// Parses the JUnit file with a real XML reader and checks the structure
    /// CI renderers rely on: counts on the suite, one testcase per scenario,
    /// a failure with its message, a skip with its reason.
    #[test]
    fn junit_is_well_formed_xml_with_the_structure_ci_reads() {
        use quick_xml::events::Event;
        let xml = junit(
            &[
                report("restart/a", Verdict::Passed),
                report(
                    "replay/b<&>",
                    Verdict::Failed {
                        problems: vec!["view 'x' differs: -\"a\" +'b' \u{7}".into()],
                        first_diff: None,
                    },
                ),
                report("plain", Verdict::Skipped("lacks serve_mode_replay".into())),
            ],
            "embedded",
        );
        let mut reader = quick_xml::Reader::from_str(&xml);
        let (mut cases, mut failures, mut skips, mut suite_attrs) = (Vec::new(), 0, 0, Vec::new());
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Eof => break,
                Event::Start(e) | Event::Empty(e) => {
                    let attrs: Vec<(String, String)> = e
                        .attributes()
                        .map(|a| {
                            let a = a.expect("attribute");
                            let v = a
                                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .expect("escaped value")
                                .to_string();
                            (String::from_utf8_lossy(a.key.as_ref()).to_string(), v)
                        })
                        .collect();
                    match e.name().as_ref() {
                        b"testsuite" => suite_attrs = attrs,
                        b"testcase" => cases.push(attrs),
                        b"failure" => failures += 1,
                        b"skipped" => skips += 1,
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        let attr = |k: &str| {
            suite_attrs
                .iter()
                .find(|(a, _)| a == k)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(attr("tests").as_deref(), Some("3"));
        assert_eq!(attr("failures").as_deref(), Some("1"));
        assert_eq!(attr("skipped").as_deref(), Some("1"));
        assert_eq!((cases.len(), failures, skips), (3, 1, 1));
        assert!(
            cases[1].contains(&("name".into(), "b<&>".into())),
            "{cases:?}"
        );
        assert!(cases[1].contains(&("classname".into(), "replay".into())));
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
            problems: vec!["view 'provenance' differs".into()],
        };
        let xml = junit(
            &[report("replay/x", flaky), report("a/ok", Verdict::Passed)],
            "t",
        );
        assert!(
            xml.contains("<testsuites name=\"afc\" tests=\"2\" failures=\"1\""),
            "{xml}"
        );
        assert!(
            xml.contains(
                "<failure type=\"flaky\" message=\"flaky: passed 19 of 20 runs; line 4: -a +b\">1× line 4: -a +b\nview &apos;provenance&apos; differs</failure>"
            ),
            "{xml}"
        );
    }
}
