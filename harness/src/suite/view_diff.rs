//! A view that differs from its golden as an [`ViewDiff`]: both sides as
//! whole texts, for a report that shows them side by side (`report::html`).

use std::path::Path;

use serde_json::Value;

use crate::observe::ViewDiff;
use crate::scenario::View;

/// The golden's contents and the observed view: `compared` is the text insta
/// compared (captured by `snap_diff::Capture`); without one (no golden, so no
/// comparison) the view is shown as pretty JSON.
pub(super) fn sides(
    golden: &Path,
    view: View,
    compared: Option<String>,
    value: &Value,
) -> ViewDiff {
    let actual = compared.unwrap_or_else(|| {
        serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("unprintable view: {e}"))
    });
    let raw = std::fs::read_to_string(golden).unwrap_or_default();
    let first_line = super::snap_diff::header_lines(&raw.lines().collect::<Vec<_>>()) + 1;
    let golden = match insta::Snapshot::from_file(golden) {
        Ok(s) => match s.contents().as_text() {
            Some(t) => t.to_string(),
            None => format!("{} is not a text snapshot", golden.display()),
        },
        Err(_) => format!("no golden {}", golden.display()),
    };
    ViewDiff {
        view: view.as_str().to_string(),
        golden,
        actual: actual.trim_end().to_string(),
        first_line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sides_are_the_goldens_body_and_the_text_insta_compared() {
        let dir = tempfile::tempdir().expect("temp dir");
        let golden = dir.path().join("s@lineage.snap");
        let header = "---\nsource: x\ninput_file: s.yaml\n---\n";
        std::fs::write(&golden, format!("{header}run2:\n  kind: fork\n")).expect("written");
        let value = serde_json::json!({"run2": {"kind": "restart"}});
        let compared = Some("run2:\n  kind: restart\n".to_string());
        let d = sides(&golden, View::Lineage, compared, &value);
        assert_eq!(
            (d.view.as_str(), d.golden.as_str(), d.actual.as_str()),
            ("lineage", "run2:\n  kind: fork", "run2:\n  kind: restart")
        );
        assert_eq!(
            d.first_line, 5,
            "the body starts after the four header lines"
        );
        let missing = sides(&dir.path().join("none.snap"), View::Lineage, None, &value);
        assert!(
            missing.golden.starts_with("no golden "),
            "{}",
            missing.golden
        );
        assert!(missing.actual.contains("\"restart\""), "{}", missing.actual);
    }
}
