//! Goldens no scenario uses: a `.snap` left behind when a scenario was renamed,
//! deleted or stopped snapshotting a view. Nothing compares it any more, so it
//! only misleads whoever reads the goldens as the contract's record.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::discover::{scenario_name, walk, DiscoverError};
use super::view::View;

/// The fidelity tier's overlay folder under the goldens (`observe::Tier`):
/// a scenario's golden there is only where the exact rendering differs.
pub const FIDELITY_OVERLAY: &str = "fidelity/agentfield-v0.1.96";

/// The file name of a scenario's golden for one view; the suite's insta
/// settings (`suite::golden`) produce exactly this name.
pub fn golden_file(scenario: &str, view: View) -> String {
    format!("{scenario}@{}.snap", view.as_str())
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
            Ok(s) => used.extend(s.snapshot.iter().map(|v| golden_file(&s.name, *v))),
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
    let overlay = snapshots.join(FIDELITY_OVERLAY);
    let overlay_files = match std::fs::read_dir(&overlay) {
        Ok(dir) => dir.collect::<Vec<_>>(),
        Err(_) => Vec::new(),
    };
    let top = std::fs::read_dir(snapshots).map_err(read)?;
    for entry in top.chain(overlay_files) {
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
                snapshots.join("basic@headers.snap"),
                snapshots.join("gone@provenance.snap")
            ]
        );
    }
}
