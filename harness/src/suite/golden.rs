//! One view against its golden: insta's verdict (caught, so that one
//! scenario's mismatch is its own failure), the golden's file, and the
//! problem a difference becomes.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde_json::Value;

use super::{diff, insta_env, snap_diff, Problem};
use crate::scenario::{insta_suffix, Scenario, View};

/// A view that differs: the problem (with the diff in `.snap` line numbers,
/// and the `.snap.new` insta wrote, if it wrote one during this scenario) and
/// its first differing line.
pub(super) fn view_difference(
    view: View,
    golden: &Path,
    value: &Value,
    new: Option<String>,
    since: SystemTime,
) -> (Problem, String) {
    let here = std::env::current_dir().unwrap_or_default();
    let relative = |p: &Path| p.strip_prefix(&here).unwrap_or(p).to_path_buf();
    let shown = relative(golden);
    let pending = pending_snapshot(golden, since).map(|p| relative(&p));
    let Ok(snap) = std::fs::read_to_string(golden) else {
        let first = format!("no golden {}", shown.display());
        let problem = Problem::NoGolden {
            view,
            golden: shown,
            pending,
        };
        return (problem, first);
    };
    let first_entry = insta::Snapshot::from_file(golden)
        .ok()
        .and_then(|s| s.contents().as_text().map(|t| t.to_string()))
        .and_then(|old| crate::scenario::yaml::parse(&old).ok())
        .and_then(|(old, _)| diff::first_changed_entry(&old, value));
    let (diff, first) = match new {
        Some(new) => {
            let d = snap_diff::snap_diff(&snap, &new);
            (Some(d.text.trim_end().to_string()), d.first)
        }
        None => (None, format!("view '{}' differs", view.as_str())),
    };
    let problem = Problem::ViewDiffers {
        view,
        golden: shown,
        first_entry,
        diff,
        pending,
    };
    (problem, first)
}

/// How a problem line names the `.snap.new` insta wrote for review.
pub const PENDING_PREFIX: &str = "new snapshot written: ";

/// `golden.snap.new`, if insta wrote it at or after `since`.
pub fn pending_snapshot(golden: &Path, since: SystemTime) -> Option<PathBuf> {
    let new = golden.with_extension("snap.new");
    let written = std::fs::metadata(&new).and_then(|m| m.modified()).ok()?;
    (written >= since).then_some(new)
}

/// insta's verdict on one view against `golden` (a
/// [`crate::scenario::snapshot_file`] under the goldens). Under [`insta_env::prepare`] insta neither
/// panics nor prints: the verdict is its comparator's, a golden insta wrote
/// in place (`INSTA_UPDATE=always`) passes as insta's assertion would, and so
/// does a differing view under the user's `INSTA_FORCE_PASS=1` (its
/// `.snap.new` left for `cargo insta review`, as insta leaves it). Outside CI
/// a mismatch leaves a `.snap.new`. `capture` keeps the rendering insta compared.
pub(super) fn matches_golden(
    scenario: &Scenario,
    path: &Path,
    view: View,
    value: &Value,
    golden: &Path,
    capture: &snap_diff::Capture,
) -> bool {
    let name = scenario.name.as_str();
    // insta names its file `<snapshot path>/<name>@<suffix>.snap`: told the
    // golden's own folder and suffix, it reads and writes exactly `golden`.
    let (Some(folder), Some(suffix)) = (golden.parent(), insta_suffix(golden, name)) else {
        return false;
    };
    let mut settings = insta::Settings::clone_current();
    settings.set_comparator(Box::new(capture.clone()));
    settings.set_snapshot_path(folder);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_suffix(suffix);
    settings.set_input_file(path);
    settings.set_omit_expression(true);
    settings.set_description(scenario.guards.as_str());
    let before = std::fs::read(golden).ok();
    let asserted = catch_unwind(AssertUnwindSafe(|| {
        settings.bind(|| insta::assert_yaml_snapshot!(name, value));
    }));
    if asserted.is_err() {
        return false;
    }
    if capture.matched() == Some(true) {
        return true;
    }
    let rewritten = std::fs::read(golden)
        .ok()
        .is_some_and(|now| Some(&now) != before.as_ref());
    if rewritten && insta_env::refreshing_metadata() {
        // The refresh rewrites a golden's header, never its body: a view that
        // differs keeps its golden (or gets none) and fails as it would have.
        restore(golden, before.as_deref());
        return false;
    }
    if rewritten {
        return true;
    }
    if insta_env::user_force_pass() {
        eprintln!(
            "note: {name}@{} differs from its golden; INSTA_FORCE_PASS=1 passes it and leaves {} for review",
            view.as_str(),
            golden.with_extension("snap.new").display()
        );
        return true;
    }
    false
}

/// Puts `golden` back as it was before insta wrote it: `before`'s bytes, or
/// no file. A failure to is only reported: the view fails either way.
fn restore(golden: &Path, before: Option<&[u8]>) {
    let undone = match before {
        Some(bytes) => std::fs::write(golden, bytes),
        None => std::fs::remove_file(golden),
    };
    if let Err(e) = undone {
        eprintln!(
            "warning: could not restore {} after INSTA_UPDATE=force rewrote its body: {e}",
            golden.display()
        );
    }
}
