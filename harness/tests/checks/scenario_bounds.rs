//! Scenario files from many hands (issue 12): whatever a file holds, `afc
//! check` answers with `file:line:col` problems and never aborts. A
//! 100,000-deep block list, a UTF-8 byte order mark, a second YAML document
//! and a flood of unknown keys, each through the library and the binary.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A real, valid scenario's text.
fn valid() -> String {
    std::fs::read_to_string(workspace().join("scenarios/restart/fork_by_flag.yaml"))
        .expect("a shipped scenario")
}

/// Writes `text` to a fresh file under the target directory and runs
/// `afc check` on it: (exit code, stdout).
fn check(name: &str, text: &str) -> (Option<i32>, String) {
    let dir = workspace().join("target/scenario_bounds");
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write scenario");
    let out = Command::new(env!("CARGO_BIN_EXE_afc"))
        .arg("check")
        .arg(&path)
        .env("RUST_LOG", "off")
        .output()
        .expect("afc check runs");
    let stdout = String::from_utf8_lossy(&out.stdout).replace(&*dir.to_string_lossy(), "DIR");
    (out.status.code(), stdout)
}

#[test]
fn a_100000_deep_yaml_list_is_refused_with_its_position() {
    let text = format!("{}x\n", "- ".repeat(100_000));
    let (code, out) = check("deep.yaml", &text);
    assert_eq!(code, Some(1), "refused, not aborted: {out}");
    insta::assert_snapshot!(out, @r"
    DIR/deep.yaml: 1 problem
    DIR/deep.yaml:1:129: invalid YAML: nesting deeper than 64 levels of mappings and sequences
    ");
}

#[test]
fn a_byte_order_mark_is_ignored() {
    let text = format!("\u{feff}{}", valid());
    assert!(afc::scenario::parse_str("bom.yaml", "bom", &text).is_ok());
    let (code, out) = check("bom.yaml", &text);
    assert_eq!((code, out.contains(": ok (")), (Some(0), true), "{out}");
}

#[test]
fn a_second_document_is_refused_at_its_start() {
    let first = valid();
    let line = first.lines().count() + 1;
    let (code, out) = check("two.yaml", &format!("{first}---\nname: ignored\n"));
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(&format!(
            "DIR/two.yaml:{line}:1: invalid YAML: a second YAML document starts here"
        )),
        "{out}"
    );
}

#[test]
fn an_unknown_key_flood_lists_at_most_100_problems() {
    let mut text = valid();
    for i in 0..20_000 {
        text.push_str(&format!("junk_{i}: 1\n"));
    }
    let err = afc::scenario::parse_str("flood.yaml", "flood", &text).expect_err("unknown keys");
    assert_eq!(err.problems.len(), 101);
    let last = &err.problems[100].message;
    assert_eq!(
        last,
        "… and 19900 more problems (only the first 100 are listed)"
    );
    let (code, out) = check("flood.yaml", &text);
    assert_eq!(code, Some(1));
    assert_eq!(out.lines().count(), 102, "a header and 101 lines");
}

#[test]
fn a_file_over_4_mib_is_refused_unread() {
    let text = format!("# {}\n", "x".repeat(4 * 1024 * 1024));
    let (code, out) = check("huge.yaml", &text);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("DIR/huge.yaml:1:1: invalid YAML: file is 4194307 bytes; a scenario file may have at most 4194304"),
        "{out}"
    );
}
