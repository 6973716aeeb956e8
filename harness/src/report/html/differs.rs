//! Which executions a view that differs from its golden differs on: every
//! execution alias (`run2/research.plan`, a key of the provenance and headers
//! views) whose entry is not the same on both sides, so that the picture can
//! mark those nodes. A golden that does not parse (or is missing) marks nothing.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::observe::Observed;

/// The execution aliases whose entries differ in any differing view.
pub(super) fn differing_execs(observed: &Observed) -> BTreeSet<String> {
    let parse = |t: &str| crate::scenario::yaml::parse(t).ok().map(|(v, _)| v);
    let mut out = BTreeSet::new();
    for d in &observed.differing {
        if let (Some(golden), Some(actual)) = (parse(&d.golden), parse(&d.actual)) {
            walk(Some(&golden), Some(&actual), &mut out);
        }
    }
    out
}

/// An execution alias: `runN/…`.
fn is_alias(key: &str) -> bool {
    key.split_once('/').is_some_and(|(run, rest)| {
        !rest.is_empty()
            && run
                .strip_prefix("run")
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

fn walk(a: Option<&Value>, b: Option<&Value>, out: &mut BTreeSet<String>) {
    if a == b {
        return;
    }
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            for key in x.keys().chain(y.keys()) {
                let (l, r) = (x.get(key), y.get(key));
                if l != r && is_alias(key) {
                    out.insert(key.clone());
                }
                walk(l, r, out);
            }
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) => {
            for i in 0..x.len().max(y.len()) {
                walk(x.get(i), y.get(i), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::ViewDiff;

    fn diff(view: &str, golden: &str, actual: &str) -> ViewDiff {
        ViewDiff {
            view: view.into(),
            golden: golden.into(),
            actual: actual.into(),
            first_line: 6,
        }
    }

    #[test]
    fn only_the_executions_whose_entries_differ_are_marked() {
        let golden = "run1:\n  status: failed\n  executions:\n    run1/a.root:\n      status: failed\n    run1/a.plan:\n      status: succeeded\nrun2:\n  executions:\n    run2/a.plan:\n      reuse: ~\n";
        let actual = golden.replace(
            "run2/a.plan:\n      reuse: ~",
            "run2/a.plan:\n      reuse: {hit: true}",
        );
        let headers = "run1/a.plan:\n  - x-run-id: run1\n";
        let observed = Observed {
            differing: vec![
                diff("provenance", golden, &actual),
                diff("headers", headers, "run1/a.plan:\n  - x-run-id: run2\n"),
                diff(
                    "lineage",
                    "no golden snapshots/x@lineage.snap: [",
                    "run3/a.b: 1\n",
                ),
            ],
            ..Observed::default()
        };
        let marked: Vec<String> = differing_execs(&observed).into_iter().collect();
        assert_eq!(marked, ["run1/a.plan", "run2/a.plan"]);
        assert!(
            is_alias("run12/x.y")
                && !is_alias("run/x")
                && !is_alias("runs/x")
                && !is_alias("run1/")
        );
    }
}
