//! Both sides of a view that differs from its golden, as whole texts, for a
//! report that shows them side by side (`report::html`).

use std::path::Path;

use serde_json::Value;

use crate::observe::ViewDiff;
use crate::scenario::View;

/// The golden's contents and the observed view, rendered as insta compares them.
pub(super) fn sides(golden: &Path, view: View, value: &Value) -> ViewDiff {
    // The same YAML rendering that `assert_yaml_snapshot!` compares (as diff.rs).
    let actual = insta::_macro_support::serialize_value(
        value,
        insta::_macro_support::SerializationFormat::Yaml,
    );
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sides_are_the_goldens_body_and_the_view_as_insta_renders_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let golden = dir.path().join("s@lineage.snap");
        let header = "---\nsource: x\ninput_file: s.yaml\n---\n";
        std::fs::write(&golden, format!("{header}run2:\n  kind: fork\n")).expect("written");
        let value = serde_json::json!({"run2": {"kind": "restart"}});
        let d = sides(&golden, View::Lineage, &value);
        assert_eq!(
            (d.view.as_str(), d.golden.as_str(), d.actual.as_str()),
            ("lineage", "run2:\n  kind: fork", "run2:\n  kind: restart")
        );
        let missing = sides(&dir.path().join("none.snap"), View::Lineage, &value);
        assert!(
            missing.golden.starts_with("no golden "),
            "{}",
            missing.golden
        );
    }
}
