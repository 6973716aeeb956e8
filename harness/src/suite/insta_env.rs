//! The insta variables a suite run starts with: a forged pass refused on CI,
//! and insta told to neither panic nor print, so that a mismatch is one
//! problem with one diff (afc's, in `.snap` line numbers) instead of insta's
//! box, a false "Stopped on the first failure" and a panic per view.
//!
//! The verdict stays insta's: its comparator's answer (`snap_diff::Capture`),
//! and where insta wrote the golden in place (`INSTA_UPDATE=always`), a pass,
//! as insta's own assertion would have passed. A user's `INSTA_FORCE_PASS=1`
//! (what `cargo insta test` sets) passes a differing view, as insta does, and
//! leaves its `.snap.new` for `cargo insta review`.

use std::sync::OnceLock;

/// A variable that would turn a failing golden into a pass on CI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ForgedPass {
    /// `INSTA_FORCE_PASS=1`: every differing view would pass.
    #[error(
        "refusing to run: CI is set and INSTA_FORCE_PASS={0} would pass every differing golden; \
         unset INSTA_FORCE_PASS (on a workstation, without CI, it passes and leaves .snap.new files for review)"
    )]
    ForcePass(String),
    /// `INSTA_UPDATE=always|force|unseen`: goldens would be rewritten to whatever the target did.
    #[error(
        "refusing to run: CI is set and INSTA_UPDATE={0} would rewrite goldens to what the target did; \
         use INSTA_UPDATE=no (or unset it) on CI, and INSTA_UPDATE=always only on a workstation"
    )]
    Update(String),
}

/// Whether `CI` says this is a CI run, read as insta reads it
/// (`insta::_cargo_insta_support::is_ci` is behind cargo-insta's private feature).
fn is_ci(var: &dyn Fn(&str) -> Option<String>) -> bool {
    match var("CI").as_deref() {
        Some("false" | "0" | "") => false,
        None => var("TF_BUILD").is_some(),
        Some(_) => true,
    }
}

/// The forged pass the variables `var` reads would make, if any.
pub fn forged_pass(var: &dyn Fn(&str) -> Option<String>) -> Option<ForgedPass> {
    if !is_ci(var) {
        return None;
    }
    if let Some(v) = var("INSTA_FORCE_PASS").filter(|v| !matches!(v.as_str(), "" | "0")) {
        return Some(ForgedPass::ForcePass(v));
    }
    var("INSTA_UPDATE")
        .filter(|v| matches!(v.as_str(), "always" | "1" | "force" | "unseen"))
        .map(ForgedPass::Update)
}

static USER_FORCE_PASS: OnceLock<bool> = OnceLock::new();

/// Whether the user asked insta to pass differing views (`INSTA_FORCE_PASS=1`,
/// as `cargo insta test` does), as read by [`prepare`]; false before it.
pub fn user_force_pass() -> bool {
    USER_FORCE_PASS.get().copied().unwrap_or(false)
}

/// Checks the process's insta variables and sets insta up for the suite:
/// call once at the start of `main`, before any thread starts (it sets
/// environment variables). A forged pass on CI is an error, never a run.
pub fn prepare() -> Result<(), ForgedPass> {
    let var = |k: &str| std::env::var(k).ok();
    if let Some(forged) = forged_pass(&var) {
        return Err(forged);
    }
    let _ = USER_FORCE_PASS.set(var("INSTA_FORCE_PASS").is_some_and(|v| v == "1"));
    // Read by insta at its first assertion, which comes later.
    std::env::set_var("INSTA_FORCE_PASS", "1");
    std::env::set_var("INSTA_OUTPUT", "none");
    Ok(())
}

/// Whether this run is the goldens' metadata refresh, `INSTA_UPDATE=force`
/// (README, "Recording and reviewing goldens"): insta then rewrites every
/// golden it compares, so that each header says what the suite records now
/// (`source`, `description`, `input_file`); the suite keeps it to headers
/// (`golden::matches_golden` puts back a golden whose body differs, and fails it).
pub fn refreshing_metadata() -> bool {
    std::env::var("INSTA_UPDATE").is_ok_and(|v| v == "force")
}

/// A golden mismatch is an insta panic, caught and reported as a verdict;
/// its message and backtrace would only tear the output. Other panics still
/// print. Installed once by each runner (`afc run`, the trial binaries).
pub fn quiet_snapshot_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if !message.starts_with("snapshot assertion") {
            default(info);
        }
    }));
}

/// For a binary whose trials expect mismatches (a broken reference or a
/// buggy agent): never record their goldens, keep insta's own diff out of
/// the log, and quiet the caught assertion panics. Call before any thread.
pub fn expect_mismatches() {
    std::env::set_var("INSTA_UPDATE", "no");
    std::env::set_var("INSTA_OUTPUT", "none");
    quiet_snapshot_panics();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(pairs: &[(&str, &str)]) -> Option<ForgedPass> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        forged_pass(&|k| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
    }

    #[test]
    fn a_forced_pass_or_an_update_in_place_is_refused_on_ci_only() {
        assert_eq!(
            with(&[("CI", "true"), ("INSTA_FORCE_PASS", "1")]),
            Some(ForgedPass::ForcePass("1".into()))
        );
        for update in ["always", "force", "unseen", "1"] {
            assert_eq!(
                with(&[("CI", "1"), ("INSTA_UPDATE", update)]),
                Some(ForgedPass::Update(update.into())),
                "{update}"
            );
        }
        assert_eq!(
            with(&[("TF_BUILD", "True"), ("INSTA_UPDATE", "always")]),
            Some(ForgedPass::Update("always".into()))
        );
        // Off CI, or variables that forge nothing.
        assert_eq!(with(&[("INSTA_FORCE_PASS", "1")]), None);
        assert_eq!(with(&[("CI", "false"), ("INSTA_UPDATE", "always")]), None);
        assert_eq!(with(&[("CI", "true"), ("INSTA_UPDATE", "no")]), None);
        assert_eq!(with(&[("CI", "true"), ("INSTA_UPDATE", "new")]), None);
        assert_eq!(with(&[("CI", "true"), ("INSTA_FORCE_PASS", "0")]), None);
    }

    #[test]
    fn the_message_names_the_variable_and_the_way_out() {
        let text = ForgedPass::Update("always".into()).to_string();
        assert!(text.contains("INSTA_UPDATE=always"), "{text}");
        assert!(text.contains("CI is set"), "{text}");
    }
}
