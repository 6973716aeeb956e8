//! `afc record`: where another implementation's goldens go (never over the
//! reference goldens) and the account of how they compare.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::ReportError;
use crate::suite::{CaseReport, GoldenComparison, Verdict};

/// The folder to record into, created and made absolute; refused when it is
/// the reference goldens' own folder.
pub fn record_folder(out: &Path, snapshots: &Path) -> Result<PathBuf, ReportError> {
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same(out, snapshots) {
        return Err(ReportError::IntoReference(snapshots.to_path_buf()));
    }
    let path = out.to_path_buf();
    std::fs::create_dir_all(out).map_err(|source| ReportError::Create {
        path: path.clone(),
        source,
    })?;
    out.canonicalize()
        .map_err(|source| ReportError::Path { path, source })
}

/// Compares the goldens recorded into `out` with `snapshots`.
pub fn compare(out: &Path, snapshots: &Path) -> Result<GoldenComparison, ReportError> {
    crate::suite::compare_goldens(out, snapshots).map_err(|source| ReportError::Path {
        path: out.to_path_buf(),
        source,
    })
}

/// The account of a recording: how many goldens of `kind` went into `out`
/// and how they compare with `snapshots`.
pub fn record_text(cmp: &GoldenComparison, kind: &str, out: &Path, snapshots: &Path) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "recorded {} goldens of {kind} into {}",
        cmp.recorded,
        out.display()
    );
    let _ = writeln!(
        text,
        "{} identical to {}, {} differ, {} new",
        cmp.identical,
        snapshots.display(),
        cmp.differ.len(),
        cmp.new.len()
    );
    for d in &cmp.differ {
        let _ = writeln!(
            text,
            "  differs: {d}  (diff {}/{d} {}/{d})",
            snapshots.display(),
            out.display()
        );
    }
    for n in &cmp.new {
        let _ = writeln!(text, "  new:     {n}");
    }
    text
}

/// A scenario that failed before any view was compared.
fn incomplete(r: &CaseReport) -> bool {
    matches!(
        &r.verdict,
        Verdict::Failed {
            first_diff: None,
            ..
        }
    )
}

/// The lines naming the scenarios that did not complete (failed before any
/// view could be compared); empty when all did.
pub fn incomplete_text(reports: &[CaseReport]) -> String {
    let mut text = String::new();
    for r in reports.iter().filter(|r| incomplete(r)) {
        let _ = writeln!(
            text,
            "  did not complete: {}: {}",
            r.name,
            super::first_line(&r.verdict)
        );
    }
    text
}
