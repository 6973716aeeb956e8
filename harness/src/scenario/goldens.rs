//! Goldens no scenario uses: a `.snap` left behind when a scenario was renamed,
//! deleted or stopped snapshotting a view. Nothing compares it any more, so it
//! only misleads whoever reads the goldens as the contract's record.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::discover::{scenario_name, walk, DiscoverError};
use super::view::View;

/// The file name of a scenario's golden for one view; the suite's insta
/// settings (`suite::golden`) produce exactly this name.
pub fn golden_file(scenario: &str, view: View) -> String {
    golden_variant_file(scenario, view, None)
}

/// The agent modes that may have a golden of their own (`<scenario>@<view>.serve.snap`):
/// only where the contract makes the control plane record that mode's path
/// differently (a failure reported by status callback, agent-protocol §3.3).
pub const GOLDEN_VARIANTS: &[&str] = &["serve"];

/// The one golden naming rule: `<scenario>@<view>.snap`, or with an agent
/// mode's variant `<scenario>@<view>.<variant>.snap`. insta's snapshot suffix
/// is everything between `@` and `.snap` ([`golden_suffix`]).
pub fn golden_variant_file(scenario: &str, view: View, variant: Option<&str>) -> String {
    format!("{scenario}@{}.snap", golden_suffix(view, variant))
}

/// The variant a view is compared with: `serve` for agents all in serve mode
/// where `<scenario>@<view>.serve.snap` exists in `goldens`, else none.
pub fn golden_variant(
    goldens: &Path,
    scenario: &str,
    view: View,
    serve: bool,
) -> Option<&'static str> {
    let file = goldens.join(golden_variant_file(scenario, view, Some("serve")));
    (serve && file.is_file()).then_some("serve")
}

/// The insta snapshot suffix of a view's golden, with its variant if any.
pub fn golden_suffix(view: View, variant: Option<&str>) -> String {
    match variant {
        Some(v) => format!("{}.{v}", view.as_str()),
        None => view.as_str().to_string(),
    }
}

/// Every `*.snap` in `snapshots` that no scenario under `scenarios` uses,
/// sorted. A scenario that does not load keeps all goldens of its name: what
/// it snapshots is unknown until it is fixed, and its own error says so.
pub fn unused_goldens(snapshots: &Path, scenarios: &Path) -> Result<Vec<PathBuf>, DiscoverError> {
    let mut used = BTreeSet::new();
    let mut unreadable = BTreeSet::new();
    // Two files with one name both use its goldens; the clash is discovery's to report.
    for path in walk(scenarios)? {
        match super::load(&path) {
            Ok(s) => used.extend(s.snapshot.iter().flat_map(|v| {
                let variants = GOLDEN_VARIANTS.iter().map(|m| Some(*m));
                std::iter::once(None)
                    .chain(variants)
                    .map(|m| golden_variant_file(&s.name, *v, m))
                    .collect::<Vec<_>>()
            })),
            Err(_) => {
                unreadable.insert(scenario_name(&path));
            }
        }
    }
    let read = |source| DiscoverError::Read {
        path: snapshots.to_path_buf(),
        source,
    };
    let mut unused = Vec::new();
    for entry in std::fs::read_dir(snapshots).map_err(read)? {
        let path = entry.map_err(read)?.path();
        let Some(file) = path.file_name().map(|f| f.to_string_lossy().into_owned()) else {
            continue;
        };
        let Some(stem) = file.strip_suffix(".snap") else {
            continue;
        };
        let owner = stem.split_once('@').map_or(stem, |(name, _)| name);
        if !used.contains(&file) && !unreadable.contains(owner) {
            unused.push(path);
        }
    }
    unused.sort();
    Ok(unused)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCENARIO: &str = "agents:\n  a:\n    reasoners:\n      root: [{return: {}}]\nsteps:\n  - run: a.root\nsnapshot: [provenance]\n";

    #[test]
    fn a_golden_of_no_scenario_or_of_a_view_not_snapshotted_is_unused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (scenarios, snapshots) = (dir.path().join("scenarios"), dir.path().join("snapshots"));
        std::fs::create_dir_all(scenarios.join("topic")).expect("mkdir");
        std::fs::create_dir_all(&snapshots).expect("mkdir");
        std::fs::write(scenarios.join("topic/basic.yaml"), SCENARIO).expect("write");
        std::fs::write(scenarios.join("topic/broken.yaml"), "steps: [").expect("write");
        for golden in [
            "basic@provenance.snap",
            "basic@provenance.serve.snap",
            "basic@headers.serve.snap",
            "basic@headers.snap",
            "gone@provenance.snap",
            "broken@lineage.snap",
            "basic@provenance.snap.new",
        ] {
            std::fs::write(snapshots.join(golden), "---\n").expect("write");
        }
        let unused = unused_goldens(&snapshots, &scenarios).expect("listed");
        assert_eq!(
            unused,
            vec![
                snapshots.join("basic@headers.serve.snap"),
                snapshots.join("basic@headers.snap"),
                snapshots.join("gone@provenance.snap")
            ]
        );
        let served = golden_variant(&snapshots, "basic", View::Provenance, true);
        assert_eq!(served, Some("serve"));
        assert_eq!(
            golden_variant(&snapshots, "basic", View::Provenance, false),
            None
        );
        assert_eq!(
            golden_variant(&snapshots, "basic", View::Lineage, true),
            None
        );
    }
}
