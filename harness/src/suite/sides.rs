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
