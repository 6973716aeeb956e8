//! `afc check`: scenario files validated without running them. Every problem
//! of every file as `file:line:col`, two files that would share goldens, the
//! goldens no scenario uses and the snapshotted views with no golden.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What `afc check` reads and how strict it is.
pub struct Check<'a> {
    /// Scenario files and folders.
    pub paths: &'a [PathBuf],
    /// The suite's folder of scenario files.
    pub scenarios: &'a Path,
    /// Folder of golden snapshots.
    pub snapshots: &'a Path,
    /// Unused and missing goldens are errors, not warnings.
    pub strict: bool,
    /// Only problems, not a line per valid file.
    pub quiet: bool,
}

/// What a check found: the text to print, and whether it passes.
pub struct Checked {
    /// One line per file (or only its problems), then the golden audit.
    pub text: String,
    /// No problem (warnings allowed).
    pub ok: bool,
}

impl Check<'_> {
    /// Runs the check; an error when a path cannot be read.
    pub fn run(&self) -> Result<Checked, super::ReportError> {
        let files = crate::scenario::collect(self.paths)?;
        let mut text = String::new();
        let mut ok = true;
        for clash in crate::scenario::duplicate_names(&files) {
            ok = false;
            let _ = writeln!(text, "error: {clash}");
        }
        for f in &files {
            match crate::scenario::load(f) {
                Ok(_) if self.quiet => {}
                Ok(s) => {
                    let _ = writeln!(text, "{}: ok ({} steps)", f.display(), s.steps.len());
                }
                Err(e) => {
                    ok = false;
                    let _ = write!(text, "{e}");
                }
            }
        }
        // Checking files outside a suite (no snapshots folder here) has no goldens to audit.
        if self.snapshots.is_dir() && self.scenarios.is_dir() {
            ok &= self.missing(&mut text) & self.unused(&mut text);
        }
        Ok(Checked { text, ok })
    }

    /// Reports the snapshotted views with no golden; false if that fails the check.
    fn missing(&self, text: &mut String) -> bool {
        let found = crate::scenario::missing_goldens(self.snapshots, self.scenarios);
        self.audit(text, found, |n| {
            format!(
                "{n} golden(s) missing from {}: the suite fails these views with \"no golden\" \
                 (run the scenario, read its .snap.new, then `cargo insta review`):",
                self.snapshots.display(),
            )
        })
    }

    /// Reports the goldens no scenario of the suite uses; false if that fails the check.
    fn unused(&self, text: &mut String) -> bool {
        let found = crate::scenario::unused_goldens(self.snapshots, self.scenarios);
        self.audit(text, found, |n| {
            format!(
                "{n} golden(s) in {} that no scenario under {} uses \
                 (delete them, or add the view to the scenario's `snapshot:` list):",
                self.snapshots.display(),
                self.scenarios.display()
            )
        })
    }

    /// One audit's lines: a warning (an error with `strict`) and the goldens.
    fn audit<E: std::fmt::Display>(
        &self,
        text: &mut String,
        found: Result<Vec<PathBuf>, E>,
        head: impl Fn(usize) -> String,
    ) -> bool {
        let goldens = match found {
            Ok(goldens) => goldens,
            Err(e) => {
                let _ = writeln!(text, "error: goldens not checked: {e}");
                return false;
            }
        };
        if goldens.is_empty() {
            return true;
        }
        let level = if self.strict { "error" } else { "warning" };
        let _ = writeln!(text, "{level}: {}", head(goldens.len()));
        for golden in &goldens {
            let shown = golden.strip_prefix(self.snapshots).unwrap_or(golden);
            let _ = writeln!(text, "  {}", shown.display());
        }
        !self.strict
    }
}
