//! A differing view's golden and actual side by side, aligned line by line
//! (similar's line diff): changed lines marked, each hunk with three lines of
//! context, unchanged stretches folded so that a failing suite stays a page
//! one can open.

use std::fmt::Write as _;

use similar::{DiffTag, TextDiff};

use super::esc;
use crate::observe::ViewDiff;

const CONTEXT: usize = 3;

/// Writes one view's two sides as a table: golden line number and text,
/// actual line number and text.
pub(super) fn sides(out: &mut String, d: &ViewDiff) {
    let diff = TextDiff::from_lines(&d.golden, &d.actual);
    let (old, new): (Vec<&str>, Vec<&str>) =
        (d.golden.lines().collect(), d.actual.lines().collect());
    let _ = write!(
        out,
        r#"<h3>view '{}' differs</h3><table class="sides" data-view="{}"><colgroup><col class="n"><col><col class="n"><col></colgroup><tr><th colspan="2">golden</th><th colspan="2">actual</th></tr>"#,
        esc(&d.view),
        esc(&d.view)
    );
    for (i, group) in diff.grouped_ops(CONTEXT).iter().enumerate() {
        if i > 0 {
            out.push_str(r#"<tr class="fold"><td colspan="4">⋯</td></tr>"#);
        }
        for op in group {
            let (tag, a, b) = op.as_tag_tuple();
            let class = match tag {
                DiffTag::Equal => "",
                _ => "changed",
            };
            for k in 0..a.len().max(b.len()) {
                let left = (k < a.len()).then(|| a.start + k);
                let right = (k < b.len()).then(|| b.start + k);
                let _ = write!(out, r#"<tr class="{class}">"#);
                cell(out, left, &old, "golden", d.first_line);
                cell(out, right, &new, "actual", d.first_line);
                out.push_str("</tr>");
            }
        }
    }
    out.push_str("</table>");
}

fn cell(out: &mut String, line: Option<usize>, lines: &[&str], side: &str, first: usize) {
    match line {
        Some(n) => {
            let text = lines.get(n).copied().unwrap_or_default();
            let _ = write!(
                out,
                r#"<td class="n">{}</td><td class="{side}">{}</td>"#,
                n + first,
                esc(text)
            );
        }
        None => {
            let _ = write!(out, r#"<td class="n"></td><td class="{side} none"></td>"#);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_lines_face_each_other_and_far_unchanged_lines_are_folded() {
        let golden: String = (1..=20).map(|i| format!("l{i}\n")).collect();
        let actual = golden.replace("l10\n", "L10\n");
        let mut out = String::new();
        sides(
            &mut out,
            &ViewDiff {
                view: "lineage".into(),
                golden,
                actual,
                first_line: 1,
            },
        );
        assert!(out.contains(r#"<tr class="changed"><td class="n">10</td><td class="golden">l10</td><td class="n">10</td><td class="actual">L10</td></tr>"#), "{out}");
        // Three lines of context each side, the rest left out.
        assert_eq!(out.matches("<tr").count(), 1 + 3 + 1 + 3);
        assert!(!out.contains(">l6<") && out.contains(">l7<") && out.contains(">l13<"));
        assert!(!out.contains(">l14<"));
    }
}
