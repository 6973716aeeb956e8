//! The module map of `harness/src/lib.rs` is true: every `crate::<module>`
//! path in a module's code points down the map, to a module it may use. An
//! upward import (say `suite` calling into `report`) fails here with the file,
//! the line and the allowed list, before it can grow into a cycle.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Each top-level module and the modules it may use, bottom of the map first.
/// This is lib.rs's map as data; a new module must be placed here.
const MAP: &[(&str, &[&str])] = &[
    ("text", &[]),
    ("serving", &[]),
    ("client", &["text"]),
    ("barrier", &["serving", "text"]),
    // The reference is reached by the rest only over HTTP and uses nothing.
    ("reference", &[]),
    ("scenario", &["client", "text"]),
    ("llm", &["scenario", "text"]),
    (
        "agents",
        &["client", "barrier", "scenario", "serving", "text"],
    ),
    ("trial", &["agents"]),
    ("observe", &["client", "scenario", "agents", "text"]),
    (
        "target",
        &["client", "scenario", "agents", "reference", "text"],
    ),
    (
        "runner",
        &[
            "client", "barrier", "scenario", "llm", "agents", "observe", "target", "text",
        ],
    ),
    (
        "suite",
        &[
            "client", "scenario", "llm", "agents", "observe", "target", "runner", "text",
        ],
    ),
    // The fuzzer's model is a second statement of the rules: never the reference's.
    (
        "fuzz",
        &[
            "client", "scenario", "observe", "target", "runner", "suite", "text",
        ],
    ),
    (
        "report",
        &[
            "client", "scenario", "agents", "observe", "target", "suite", "fuzz", "text",
        ],
    ),
    (
        "bench",
        &["client", "scenario", "agents", "target", "suite", "text"],
    ),
    // The command line's arguments: the top, used by nothing but the binary.
    (
        "cli",
        &[
            "reference",
            "suite",
            "target",
            "fuzz",
            "report",
            "bench",
            "text",
        ],
    ),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The modules a line of code names as `crate::<m>` or in `crate::{<m>, …}`,
/// comments left out (doc links name modules without using them).
fn named_modules(line: &str) -> Vec<String> {
    let code = match line.find("//") {
        Some(i) => &line[..i],
        None => line,
    };
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.push(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            out.push(name);
        }
    }
    out
}

/// Every `crate::` path in `module` that the map does not allow, as
/// `file:line: module -> other`.
fn violations(module: &str, allowed: &[&str]) -> Vec<String> {
    let root = src();
    let mut files = Vec::new();
    let file = root.join(format!("{module}.rs"));
    if file.exists() {
        files.push(file);
    }
    rust_files(&root.join(module), &mut files);
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("a readable source file");
        for (n, line) in text.lines().enumerate() {
            for m in named_modules(line) {
                if m != module && !allowed.contains(&m.as_str()) {
                    out.push(format!(
                        "{}:{}: {module} -> {m} (allowed: {allowed:?})",
                        f.strip_prefix(&root).unwrap_or(&f).display(),
                        n + 1
                    ));
                }
            }
        }
    }
    out
}

#[test]
fn every_crate_path_points_down_the_module_map() {
    let found: Vec<String> = MAP
        .iter()
        .flat_map(|(m, allowed)| violations(m, allowed))
        .collect();
    assert!(
        found.is_empty(),
        "upward or unlisted imports:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_map_places_every_module_of_lib_rs() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).expect("lib.rs");
    let declared: BTreeSet<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';'))
        .collect();
    let mapped: BTreeSet<&str> = MAP.iter().map(|(m, _)| *m).collect();
    assert_eq!(declared, mapped, "lib.rs's modules and the map differ");
    for (m, _) in MAP {
        assert!(
            lib.contains(&format!("[`{m}`]")),
            "lib.rs's map does not describe `{m}`"
        );
    }
}

#[test]
fn an_upward_path_is_found_and_a_comment_is_not() {
    assert_eq!(named_modules("use crate::report::clip;"), ["report"]);
    assert_eq!(
        named_modules("use crate::{client::Body, scenario};"),
        ["client", "scenario"]
    );
    assert!(named_modules("/// see [`x`](crate::report::x)").is_empty());
}
