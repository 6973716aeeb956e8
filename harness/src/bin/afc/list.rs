//! `afc list`: the scenarios and the rules they guard.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use afc::suite::{self, Case};

use crate::output::Format;
use crate::run::could_not_run;

/// `afc list [FILTER] [--format json]`: every scenario whose name contains
/// FILTER, with the rules it guards; exit 2 when none matches.
pub fn list(scenarios: &Path, filter: Option<&str>, format: Format) -> ExitCode {
    let cases = match suite::cases(scenarios) {
        Ok(c) => suite::filter(c, filter),
        Err(e) => return could_not_run("list", e.to_string()),
    };
    if cases.is_empty() {
        let filter = filter.unwrap_or_default();
        return could_not_run("list", format!("no scenario matches {filter:?}"));
    }
    match format {
        Format::Human => print_quietly(&listing(&cases, None)),
        Format::Json => print_quietly(&json_lines(&cases)),
    }
    ExitCode::SUCCESS
}

/// One JSON object per line: `name`, `file`, `guards` (the whole text), the
/// capabilities it `requires`, its views; `error` instead for a file that does not load.
fn json_lines(cases: &[Case]) -> String {
    let mut out = String::new();
    for case in cases {
        let line = match afc::scenario::load(&case.path) {
            Ok(s) => serde_json::json!({
                "name": case.name,
                "file": case.path.display().to_string(),
                "guards": s.guards.trim_start_matches("guards: "),
                "requires": s.requires,
                "views": s.snapshot.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
            }),
            Err(e) => serde_json::json!({
                "name": case.name,
                "file": case.path.display().to_string(),
                "error": e.to_string(),
            }),
        };
        out.push_str(&format!("{line}\n"));
    }
    out
}

/// The listing: a table as wide as the terminal (100 columns in a log),
/// the rules wrapped within it.
fn listing(cases: &[Case], width: Option<u16>) -> String {
    let mut table = afc::report::fitted_table(&["scenario", "guards"], width);
    for case in cases {
        let guards = match afc::scenario::load(&case.path) {
            Ok(s) => afc::report::clip(s.guards.trim_start_matches("guards: "), 160),
            Err(e) => format!("INVALID: {}", e.to_string().lines().next().unwrap_or("")),
        };
        table.add_row(vec![case.name.clone(), guards]);
    }
    format!("{}\n", table.trim_fmt())
}

/// Prints `text`; a closed pipe (`afc list | head`) ends it quietly.
fn print_quietly(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listing_fits_the_default_width_and_names_every_scenario() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
        let cases = suite::cases(&root).expect("the scenarios");
        let text = listing(&cases, Some(afc::report::DEFAULT_WIDTH));
        let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        assert!(
            widest <= usize::from(afc::report::DEFAULT_WIDTH),
            "{widest} columns:\n{text}"
        );
        for c in &cases {
            assert!(text.contains(&c.name), "{} missing", c.name);
        }
    }

    #[test]
    fn json_is_one_object_per_filtered_scenario() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
        let cases = suite::filter(
            suite::cases(&root).expect("the scenarios"),
            Some("controlplane/"),
        );
        let text = json_lines(&cases);
        let rows: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect();
        assert_eq!(rows.len(), cases.len());
        assert!(rows.iter().all(|r| r["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("controlplane/"))));
        let parallel = rows
            .iter()
            .find(|r| r["name"] == "controlplane/parallel_registration")
            .expect("listed");
        assert_eq!(
            parallel["requires"],
            serde_json::json!(["parallel_registration"])
        );
        assert_eq!(parallel["views"], serde_json::json!(["provenance"]));
    }
}
