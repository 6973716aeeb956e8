//! `afc list`: the scenarios and the rules they guard, as a table fitted to
//! the terminal or as one JSON object per scenario per line.

use crate::suite::Case;

/// One JSON object per line: `name`, `file`, `guards` (the whole text), the
/// capabilities it `requires`, its views; `error` instead for a file that does not load.
pub fn json_lines(cases: &[Case]) -> String {
    let mut out = String::new();
    for case in cases {
        let line = match crate::scenario::load(&case.path) {
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

/// The listing: a table as wide as `width` (else the terminal; 100 columns
/// in a log), the rules wrapped within it.
pub fn listing(cases: &[Case], width: Option<u16>) -> String {
    let mut table = super::fitted_table(&["scenario", "guards"], width);
    for case in cases {
        let guards = match crate::scenario::load(&case.path) {
            Ok(s) => super::clip(s.guards.trim_start_matches("guards: "), 160),
            Err(e) => format!("INVALID: {}", e.to_string().lines().next().unwrap_or("")),
        };
        table.add_row(vec![case.name.clone(), guards]);
    }
    format!("{}\n", table.trim_fmt())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::suite;

    #[test]
    fn the_listing_fits_the_default_width_and_names_every_scenario() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
        let cases = suite::cases(&root).expect("the scenarios");
        let text = listing(&cases, Some(super::super::DEFAULT_WIDTH));
        let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        assert!(
            widest <= usize::from(super::super::DEFAULT_WIDTH),
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
