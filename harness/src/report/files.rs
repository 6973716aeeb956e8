//! The report files a run writes where asked: JUnit XML and the HTML page.

use std::path::Path;

use super::ReportError;
use crate::suite::CaseReport;
use crate::target::Target;

/// Writes the JUnit file (`junit`) and the HTML page (`html`) of `reports`
/// on `target`, each where asked for; the error names the file.
pub fn write_files(
    junit: Option<&Path>,
    html: Option<&Path>,
    reports: &[CaseReport],
    target: &Target,
) -> Result<(), ReportError> {
    let write = |path: &Path, text: String| {
        std::fs::write(path, text).map_err(|source| ReportError::Write {
            path: path.to_path_buf(),
            source,
        })
    };
    if let Some(path) = junit {
        write(path, super::junit(reports, &target.kind))?;
    }
    if let Some(path) = html {
        let page = super::html(reports, &format!("{} ({})", target.kind, target.url));
        write(path, page)?;
    }
    Ok(())
}

/// The line a run starts with: how many scenarios, against what, with which agents.
pub fn run_header(scenarios: usize, target: &Target) -> String {
    format!(
        "{scenarios} scenarios against {} ({}), {} agents",
        target.kind,
        target.url,
        target.agents.label()
    )
}
