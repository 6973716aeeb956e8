//! The contract's rows and the scenarios that hold them (`scenarios/README.md`,
//! between `rows:begin` and `rows:end`) cannot drift: every row of §1.3, §2.2,
//! §3, §5.4, §6 and §7, and issue 28's audit rows (each request field and guard
//! of §1–§8 and agent-protocol.md at its boundaries), is there, each names at
//! least one scenario file that exists (or `fuzz`, the bounded fuzz test), and
//! the rows no scenario holds are exactly the pinned ones below, so a new gap
//! is a reviewed change.

use std::collections::BTreeSet;
use std::path::Path;

/// Every row id of the contract's tables, in the README's order.
const ROWS: &[&str] = &[
    "R1.3-1", "R1.3-2", "R1.3-3", "R1.3-4", "R1.3-5", "R1.3-6", "R1.3-6b", "R1.3-8", "R1.3-9a",
    "R1.3-9b", "R1.3-9c", "R1.3-9d", "R1.3-9e", "R1.3-9f", "R1.3-10", "R1.3-11", "R1.3-12",
    "R1.3-13", "R1.3-14", "H2.2-1", "H2.2-2", "H2.2-3", "H2.2-4", "H2.2-5", "H2.2-6", "P3.1-1",
    "P3.1-2", "P3.1-3", "P3.2", "P3.3-1", "P3.3-2", "P3.3-3", "P3.4-1", "P3.4-2", "P3.4-3",
    "P3.4-4", "P3.4-5", "P3.5-1", "P3.5-2", "P3.6-1", "P3.6-2", "P3.6-3", "P3.6-4", "P3.7-1",
    "P3.7-2", "P3.8", "G5.4-1", "G5.4-2", "G5.4-3", "G5.4-4", "G5.4-5", "G5.4-6", "G5.4-7",
    "G5.4-8", "G5.4-9", "V6-1", "V6-2", "V6-3", "V6-4", "V6-5", "V7.1-1", "V7.1-2", "V7.1-3",
    "V7.2-1", "V7.2-2", "V7.2-3", "V7.2-4", "V7.3-1", "V7.3-2", "V7.4-1", "V7.4-2", "U1.1-1",
    "U1.1-2", "B1.2-1", "B1.2-2", "B1.2-3", "B1.2-4", "B1.2-5", "B1.2-6", "B1.2-7", "B1.2-8",
    "B1.2-9", "B1.2-10", "B1.2-11", "B1.2-12", "B1.2-13", "S2.1-1", "S2.1-2", "S2.1-3", "H2.2-7",
    "H2.2-8", "I2.3-1", "I2.3-2", "I2.3-3", "I2.3-4", "I2.3-5", "I2.3-6", "I2.3-7", "I2.3-8",
    "K2.4-1", "K2.4-2", "K2.4-3", "K2.4-4", "P3.1-4", "P3.1-5", "P3.1-6", "P3.2-2", "P3.3-4",
    "P3.4-6", "P3.6-5", "P3.7-3", "P3.7-4", "D4.1-1", "D4.1-2", "D4.1-3", "D4.1-4", "D4.1-5",
    "D4.2-1", "D4.3-1", "L5.1-1", "L5.2-1", "L5.2-2", "L5.2-3", "G5.4-10", "G5.4-11", "ST8-1",
    "ST8-2", "A1.2-1", "A1.2-2", "A1.4-1", "A1.4-2", "A2-1", "A2-2", "A2-3", "A3.2-1", "A3.3-1",
    "A3.3-2", "A3.3-3", "A3.4-1", "A3.4-2", "A3.4-3", "A3.5-1", "A5-1", "A6-1",
    // Newer than v0.1.96 (docs/contract-latest.md), each capability-gated.
    "N1.3-9a", "N1.3-9e", "N1.3-9g", "N3.8-1", "N5.3-1", "N5.3-2", "N5.1-1", "N8-1", "N8-2", "N8-3",
    "N8-4",
];

/// Rows no scenario can hold today, each with its reason in the README.
const UNTESTED: &[&str] = &[
    "R1.3-6b", "R1.3-9b", "R1.3-9c", "R1.3-9e", "R1.3-9f", "G5.4-2", "G5.4-4", "G5.4-7", "G5.4-8",
    "V6-5", "V7.3-1", "U1.1-2", "B1.2-11", "B1.2-12", "B1.2-13", "I2.3-8", "P3.1-6", "P3.6-5",
    "P3.7-3", "P3.7-4", "D4.1-4", "L5.2-3", "A1.2-2", "A1.4-2", "A3.4-3", "A6-1", "R1.3-11",
];

/// Rows the contract tags as later than v0.1.96.
const LATER: &[&str] = &[];

struct Row {
    id: String,
    entries: Vec<String>,
}

fn rows(readme: &str) -> Vec<Row> {
    let start = readme
        .find("<!-- rows:begin -->")
        .expect("README has a rows:begin marker");
    let end = readme
        .find("<!-- rows:end -->")
        .expect("README has a rows:end marker");
    readme[start..end]
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| id ") && !l.starts_with("|---"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
            let last = cells.last().copied().unwrap_or_default();
            let entries = if last.starts_with("untested:") || last == "not in v0.1.96" {
                vec![last.to_string()]
            } else {
                last.split(", ")
                    .map(str::trim)
                    .filter(|e| !e.is_empty())
                    .map(String::from)
                    .collect()
            };
            Row {
                id: cells.first().copied().unwrap_or_default().to_string(),
                entries,
            }
        })
        .collect()
}

fn check(readme: &str, root: &Path) -> Vec<String> {
    let rows = rows(readme);
    let mut problems = Vec::new();
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    if ids != ROWS {
        problems.push(format!(
            "row ids differ from the contract's rows:\n  have {ids:?}\n  want {ROWS:?}"
        ));
    }
    let mut untested = BTreeSet::new();
    let mut later = BTreeSet::new();
    for row in &rows {
        if row.entries.is_empty() {
            problems.push(format!("{}: no scenario", row.id));
        }
        for e in &row.entries {
            if e.starts_with("untested:") {
                untested.insert(row.id.as_str());
            } else if e == "not in v0.1.96" {
                later.insert(row.id.as_str());
            } else if e == "fuzz" {
                if !root.join("harness/tests/checks/fuzz.rs").exists() {
                    problems.push(format!(
                        "{}: names fuzz, but harness/tests/checks/fuzz.rs is gone",
                        row.id
                    ));
                }
            } else if !root.join("scenarios").join(format!("{e}.yaml")).exists() {
                problems.push(format!(
                    "{}: names {e}, but scenarios/{e}.yaml does not exist",
                    row.id
                ));
            }
        }
    }
    if untested != UNTESTED.iter().copied().collect() {
        problems.push(format!("untested rows changed: {untested:?}"));
    }
    if later != LATER.iter().copied().collect() {
        problems.push(format!("not-in-v0.1.96 rows changed: {later:?}"));
    }
    problems
}

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

#[test]
fn every_contract_row_names_existing_scenarios() {
    let readme = std::fs::read_to_string(root().join("scenarios/README.md")).expect("README");
    let problems = check(&readme, root());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_row_without_a_scenario_or_with_a_missing_one_fails() {
    let readme = std::fs::read_to_string(root().join("scenarios/README.md")).expect("README");
    let emptied = readme.replace(
        "| P3.7-2 | unsupported mode → 400 `unsupported replay mode` | errors/replay_mode_unsupported |",
        "| P3.7-2 | unsupported mode → 400 `unsupported replay mode` |  |",
    );
    assert_ne!(emptied, readme, "the row to empty is in the README");
    assert!(check(&emptied, root()).iter().any(|p| p.contains("P3.7-2")));
    let renamed = readme.replace(
        "errors/replay_mode_unsupported |",
        "errors/replay_mode_gone |",
    );
    assert!(check(&renamed, root())
        .iter()
        .any(|p| p.contains("replay_mode_gone")));
    let dropped = readme.replace(
        "| P3.8 | replay headers change no gating (v0.1.96) | faults/agent_down_at_restart |\n",
        "",
    );
    assert!(check(&dropped, root())
        .iter()
        .any(|p| p.contains("row ids differ")));
}
