//! The page: a summary, then per scenario its result, its runs as SVG
//! (svg.rs), the headers every hop received as a compact table, and for each
//! view that differed its golden and the observed view side by side. One
//! file, its style inline, no script and nothing fetched, so it can be
//! attached to a CI run and opened anywhere.

use std::fmt::Write as _;

use super::model::{self, Hop};
use super::{esc, sides, svg};
use crate::observe::Observed;
use crate::report::{clip, first_line, totals};
use crate::suite::{CaseReport, Verdict};

/// Up to this many scenarios every section is open; beyond, only failures.
const OPEN_ALL_UP_TO: usize = 10;

const STYLE: &str = r#"
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1f2328}
h1{font-size:20px;margin:0 0 4px}
.summary{margin:0 0 16px;color:#444}
nav ol{columns:3;font-size:12px;padding-left:20px}
section{border-top:1px solid #d0d7de;padding:8px 0}
summary{cursor:pointer;font-size:15px}
summary .name{font-family:ui-monospace,monospace;font-weight:600}
.badge{display:inline-block;min-width:56px;text-align:center;border-radius:4px;padding:0 6px;margin-right:6px;font-size:12px;font-weight:700;color:#fff}
.badge.ok{background:#2e7d32}.badge.FAILED,.badge.FLAKY{background:#c62828}.badge.skipped,.badge.not-run{background:#8c959f}
.time{color:#656d76;font-size:12px;margin-left:6px}
ul.problems{font-family:ui-monospace,monospace;font-size:12px;color:#a40e26;white-space:pre-wrap}
svg.runs{display:block;max-width:100%;height:auto;margin:8px 0;font-family:ui-monospace,monospace}
.run-box{fill:#f6f8fa;stroke:#8c959f}
.run.failed .run-box{fill:#fff5f5}
.run-title{font-size:12px;font-weight:700;fill:#1f2328}
.node rect{stroke-width:1.5}
.node.succeeded rect{fill:#e6f4ea;stroke:#2e7d32}
.node.failed rect{fill:#fdecea;stroke:#c62828}
.node.other rect{fill:#fff8e1;stroke:#b08800}
.node.reused rect{fill:#e8f0fe;stroke:#1a56db;stroke-dasharray:6 4}
.node .label{font-size:12px;font-weight:600;fill:#1f2328}
.node .status{font-size:11px;fill:#444}
.node .reuse{font-size:10px;fill:#1a56db;font-style:italic}
.node .error{font-size:10px;fill:#c62828}
.node.differs rect{stroke:#cf222e;stroke-width:3.5}
.node .differs-mark{font-size:14px;font-weight:700;fill:#cf222e}
.edge{fill:none;stroke:#8c959f;stroke-width:1.2}
.lineage{fill:none;stroke-width:2}
.lineage.restart{stroke:#1a56db}.lineage.fork{stroke:#8250df}.lineage.other{stroke:#b08800}
.arc-label{font-size:10px;fill:#57606a}
marker path{fill:#57606a}
.note{font-size:11px;fill:#656d76}
table.hops{border-collapse:collapse;font:11px ui-monospace,monospace;margin:4px 0 8px}
table.hops th,table.hops td{border:1px solid #d0d7de;padding:1px 6px;text-align:left;vertical-align:top}
table.hops th{background:#f6f8fa}
td.absent{color:#8c959f}
table.sides{border-collapse:collapse;font:11px ui-monospace,monospace;width:100%;table-layout:fixed;margin:2px 0 8px}
table.sides th{background:#f6f8fa;text-align:left;padding:2px 6px;border:1px solid #d0d7de}
table.sides td{white-space:pre-wrap;word-break:break-all;padding:0 6px;vertical-align:top}
table.sides col.n{width:40px}
table.sides td.n{color:#8c959f;text-align:right;user-select:none}
table.sides tr.changed td.golden{background:#ffebe9}
table.sides tr.changed td.actual{background:#dafbe1}
table.sides td.none{background:#f6f8fa}
table.sides tr.fold td{color:#8c959f;text-align:center;background:#f6f8fa}
h3{font-size:13px;margin:10px 0 2px}
"#;

/// The whole page for a suite run against `target`.
pub fn page(reports: &[CaseReport], target: &str) -> String {
    let t = totals(reports);
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>afc: {} scenarios</title><style>{STYLE}</style></head><body><h1>afc run against {}</h1><p class="summary">{} scenarios: {} passed, {} failed, {} flaky, {} skipped</p><nav><ol>"#,
        reports.len(),
        esc(target),
        reports.len(),
        t.passed,
        t.failed,
        t.flaky,
        t.skipped
    );
    // Failing and flaky scenarios first, each group in suite order; the
    // section ids keep the suite index.
    let mut order: Vec<usize> = (0..reports.len()).collect();
    order.sort_by_key(|&i| !is_failing(&reports[i].verdict));
    for &i in &order {
        let r = &reports[i];
        let (word, class) = word_and_class(&r.verdict);
        let _ = write!(
            out,
            r##"<li><a href="#s{i}"><span class="badge {class}">{word}</span>{}</a></li>"##,
            esc(&r.name)
        );
    }
    out.push_str("</ol></nav>");
    for &i in &order {
        scenario(&mut out, i, &reports[i], reports.len() <= OPEN_ALL_UP_TO);
    }
    out.push_str("</body></html>\n");
    out
}

/// A verdict's word, and the CSS class made of it (`not run`: `not-run`).
fn word_and_class(v: &Verdict) -> (&'static str, String) {
    let word = v.word();
    (word, word.replace(' ', "-"))
}

/// A verdict whose section comes first and opens by itself.
fn is_failing(v: &Verdict) -> bool {
    matches!(v, Verdict::Failed { .. } | Verdict::Flaky { .. })
}

fn scenario(out: &mut String, i: usize, r: &CaseReport, open_all: bool) {
    let (word, class) = word_and_class(&r.verdict);
    let failing = is_failing(&r.verdict);
    let open = if failing || open_all { " open" } else { "" };
    let _ = write!(
        out,
        r#"<section class="scenario {class}" id="s{i}" data-name="{}"><details{open}><summary><span class="badge {class}">{word}</span><span class="name">{}</span><span class="time">{} ms</span></summary>"#,
        esc(&r.name),
        esc(&r.name),
        r.elapsed.as_millis()
    );
    problems(out, &r.verdict);
    if let Some(observed) = &r.observed {
        observed_runs(out, i, observed);
    }
    out.push_str("</details></section>");
}

fn problems(out: &mut String, verdict: &Verdict) {
    let lines: Vec<String> = match verdict {
        Verdict::Passed => return,
        Verdict::Failed { problems, .. } => crate::suite::rendered(problems),
        Verdict::Skipped(reason) => vec![format!("skipped: {reason}")],
        Verdict::NotRun(reason) => vec![reason.clone()],
        Verdict::Flaky { problems, .. } => std::iter::once(first_line(verdict))
            .chain(crate::suite::rendered(problems))
            .collect(),
    };
    out.push_str(r#"<ul class="problems">"#);
    for l in lines {
        let _ = write!(out, "<li>{}</li>", esc(&l));
    }
    out.push_str("</ul>");
}

fn observed_runs(out: &mut String, i: usize, observed: &Observed) {
    let runs = model::runs(observed);
    if !runs.is_empty() {
        svg::runs_svg(out, i, &runs);
    }
    let hops = model::hops(observed);
    if !hops.is_empty() {
        let _ = write!(out, "<h3>headers per hop ({})</h3>", hops.len());
        hop_table(out, &hops);
    }
    for d in &observed.differing {
        sides::sides(out, d);
    }
}

/// Hops as rows, the header names as columns in the order first seen; a
/// body is cut short, since the headers are what the table is for.
fn hop_table(out: &mut String, hops: &[Hop]) {
    let mut columns: Vec<&str> = Vec::new();
    for h in hops {
        for (k, _) in &h.fields {
            if !columns.contains(&k.as_str()) {
                columns.push(k);
            }
        }
    }
    out.push_str(r#"<table class="hops"><tr><th>hop</th>"#);
    for c in &columns {
        let _ = write!(out, "<th>{}</th>", esc(c));
    }
    out.push_str("</tr>");
    for h in hops {
        let _ = write!(out, "<tr><td>{}</td>", esc(&h.exec));
        for c in &columns {
            let v = h
                .fields
                .iter()
                .find(|(k, _)| k == c)
                .map_or("", |(_, v)| v.as_str());
            let width = if *c == "body" { 90 } else { 40 };
            let class = if v == "absent" {
                r#" class="absent""#
            } else {
                ""
            };
            let _ = write!(out, "<td{class}>{}</td>", esc(&clip(v, width)));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
}
