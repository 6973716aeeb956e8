//! A view's golden against what the run produced, as a line diff in the
//! `.snap` file's own line numbers (its metadata header counted), so that
//! `line 50` is the line an editor opens. The diff is `similar`'s; the new
//! text is the very rendering insta compared (captured by `Capture`).

use std::sync::{Arc, Mutex};

use similar::{ChangeTag, DiffOp, TextDiff};

/// Lines of unchanged context around each change.
const CONTEXT: usize = 2;
/// Changed lines shown before the rest is counted, not printed.
const MAX_CHANGED: usize = 40;

/// Where a golden and the new rendering differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapDiff {
    /// `line N[ under KEY]: -golden +new`, N a line of the `.snap` file.
    pub first: String,
    /// insta-style hunks: `.snap` line (golden), line (new), `│`, sign, text.
    pub text: String,
}

/// How many lines of a `.snap` file precede its body: the `---` header
/// insta writes (0 when there is none).
pub(super) fn header_lines(file: &[&str]) -> usize {
    if file.first() != Some(&"---") {
        return 0;
    }
    file.iter()
        .skip(1)
        .position(|l| *l == "---")
        .map_or(0, |i| i + 2)
}

/// The top-level key the body line `at` sits under, if it is indented.
fn under(body: &[&str], at: usize) -> String {
    if !body.get(at).is_some_and(|l| l.starts_with(' ')) {
        return String::new();
    }
    body[..at]
        .iter()
        .rev()
        .find(|l| !l.starts_with(' ') && !l.is_empty())
        .map(|k| format!(" under {}", k.trim_end_matches(':').trim_matches('"')))
        .unwrap_or_default()
}

/// What a golden whose body matches but whose header does not gets, under
/// `INSTA_REQUIRE_FULL_MATCH=1` (CI's contract-tier run): how to refresh it.
pub(super) const STALE_HEADER: &str =
    "the body matches; the header (source, description, input_file) \
    does not, and INSTA_REQUIRE_FULL_MATCH=1 compares it: refresh the goldens' headers with \
    `INSTA_UPDATE=force cargo test --test scenarios` (README, \"Recording and reviewing goldens\")";

/// Diffs the `.snap` file text `snap` (header and body) with `new`, the body
/// the run rendered.
pub fn snap_diff(snap: &str, new: &str) -> SnapDiff {
    let file: Vec<&str> = snap.lines().collect();
    let offset = header_lines(&file);
    let body = &file[offset..];
    let (old_text, new_text) = (body.join("\n") + "\n", new.trim_end().to_string() + "\n");
    let diff = TextDiff::from_lines(&old_text, &new_text);
    let new_lines: Vec<&str> = new_text.lines().collect();
    let first = diff
        .ops()
        .iter()
        .find(|op| !matches!(op, DiffOp::Equal { .. }))
        .map(|op| {
            let (at, new_at) = (op.old_range().start, op.new_range().start);
            let minus = body.get(at).filter(|_| !op.old_range().is_empty());
            let plus = new_lines.get(new_at).filter(|_| !op.new_range().is_empty());
            let n = offset + at + 1;
            let key = under(body, at.min(body.len().saturating_sub(1)));
            let side = |sign: char, l: &str| format!("{sign}{}", l.trim());
            match (minus, plus) {
                (Some(a), Some(b)) => format!("line {n}{key}: {} {}", side('-', a), side('+', b)),
                (Some(a), None) => format!("line {n}{key}: {}", side('-', a)),
                (None, Some(b)) => format!("line {n}{key}: {}", side('+', b)),
                (None, None) => "same text, different metadata".to_string(),
            }
        })
        .unwrap_or_else(|| "same text, different metadata".to_string());
    let text = if diff
        .ops()
        .iter()
        .all(|op| matches!(op, DiffOp::Equal { .. }))
    {
        STALE_HEADER.to_string()
    } else {
        hunks(&diff, offset)
    };
    SnapDiff { first, text }
}

fn hunks(diff: &TextDiff<'_, '_, '_, str>, offset: usize) -> String {
    let number = |i: Option<usize>| i.map_or_else(String::new, |i| (offset + i + 1).to_string());
    let mut out = String::from("-golden (.snap line numbers)\n+now\n");
    let (mut changed, mut hidden) = (0usize, 0usize);
    for (i, group) in diff.grouped_ops(CONTEXT).iter().enumerate() {
        if i > 0 && hidden == 0 {
            out.push_str("      ┈┈┈┈┈ ┈\n");
        }
        for op in group {
            for change in diff.iter_changes(op) {
                let sign = match change.tag() {
                    ChangeTag::Equal => ' ',
                    ChangeTag::Delete => '-',
                    ChangeTag::Insert => '+',
                };
                if sign != ' ' {
                    changed += 1;
                }
                if changed > MAX_CHANGED {
                    hidden += usize::from(sign != ' ');
                    continue;
                }
                out.push_str(&format!(
                    "{:>5} {:>5} │{sign}{}\n",
                    number(change.old_index()),
                    number(change.new_index()),
                    change.value().trim_end_matches('\n')
                ));
            }
        }
    }
    if hidden > 0 {
        out.push_str(&format!("… and {hidden} more changed lines\n"));
    }
    out
}

/// An insta comparator that keeps the text insta compared the golden with
/// (the new rendering) and insta's answer, through insta's public API.
#[derive(Clone, Default)]
pub(super) struct Capture(Arc<Mutex<Compared>>);

/// What the last comparison saw.
#[derive(Default)]
struct Compared {
    text: Option<String>,
    matched: Option<bool>,
}

impl Capture {
    fn lock(&self) -> std::sync::MutexGuard<'_, Compared> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The new rendering of the last comparison, if insta made one (it makes
    /// none when there is no golden).
    pub(super) fn take(&self) -> Option<String> {
        self.lock().text.take()
    }

    /// insta's verdict on the last comparison; `None` when it made none (no golden).
    pub(super) fn matched(&self) -> Option<bool> {
        self.lock().matched
    }
}

impl Capture {
    fn record(&self, test: &insta::Snapshot, matched: bool) -> bool {
        let mut seen = self.lock();
        if let Some(text) = test.contents().as_text() {
            seen.text = Some(text.to_string());
        }
        seen.matched = Some(matched);
        matched
    }
}

impl insta::Comparator for Capture {
    fn matches(&self, reference: &insta::Snapshot, test: &insta::Snapshot) -> bool {
        self.record(test, insta::DefaultComparator.matches(reference, test))
    }

    fn matches_fully(&self, reference: &insta::Snapshot, test: &insta::Snapshot) -> bool {
        self.record(
            test,
            insta::DefaultComparator.matches_fully(reference, test),
        )
    }

    fn dyn_clone(&self) -> Box<dyn insta::Comparator> {
        Box::new(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SNAP: &str =
        "---\nsource: x\ndescription: d\n---\na: 1\nrun2:\n  reuse: ~\n  x: 1\nz: 9\n";

    #[test]
    fn line_numbers_are_those_of_the_snap_file() {
        let d = snap_diff(SNAP, "a: 1\nrun2:\n  reuse: run1\n  x: 1\nz: 9");
        // The body's third line is the file's seventh.
        assert_eq!(d.first, "line 7 under run2: -reuse: ~ +reuse: run1");
        assert!(d.text.contains("    7       │-  reuse: ~\n"), "{}", d.text);
        assert!(
            d.text.contains("          7 │+  reuse: run1\n"),
            "{}",
            d.text
        );
        assert!(d.text.contains("    6     6 │ run2:\n"), "{}", d.text);
    }

    #[test]
    fn an_added_or_removed_line_is_named_with_its_side() {
        assert_eq!(
            snap_diff(SNAP, "a: 1\nrun2:\n  reuse: ~\n  x: 1\nz: 9\nw: 0").first,
            "line 10: +w: 0"
        );
        assert_eq!(
            snap_diff(SNAP, "a: 1\nrun2:\n  reuse: ~\n  x: 1").first,
            "line 9: -z: 9"
        );
        assert_eq!(
            snap_diff("a: 1\n", "a: 1").first,
            "same text, different metadata"
        );
        assert_eq!(snap_diff("a: 1\n", "a: 1").text, STALE_HEADER);
    }

    #[test]
    fn distant_changes_are_separate_hunks_and_long_diffs_are_counted() {
        let old: String = (0..20).map(|i| format!("k{i}: {i}\n")).collect();
        let new = old.replace("k1: 1", "k1: x").replace("k18: 18", "k18: y");
        let d = snap_diff(&old, &new);
        let separators = d.text.lines().filter(|l| l.contains('┈')).count();
        assert_eq!(separators, 1, "{}", d.text);
        assert!(
            !d.text.contains(" k9: 9"),
            "far from any change:\n{}",
            d.text
        );
        let many: String = (0..60).map(|i| format!("n{i}: {i}\n")).collect();
        let d = snap_diff(&old, &many);
        assert!(d.text.contains("more changed lines"), "{}", d.text);
    }
}
