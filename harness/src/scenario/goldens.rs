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

/// The agent modes that may have a golden of their own (`<scenario>@<view>.serve.snap`):
/// only where the contract makes the control plane record that mode's path
/// differently (a failure reported by status callback, agent-protocol §3.3).
pub const GOLDEN_VARIANTS: &[&str] = &["serve"];

/// The one golden naming rule (conventions §1), relative to the goldens
/// folder: `<scenario>@<view>.snap`; with an agent mode's variant
/// `<scenario>@<view>.<variant>.snap`; in the fidelity tier's overlay
/// `fidelity/agentfield-v0.1.96/<scenario>@<view>[.<variant>].snap`. Every
/// golden path of the harness is built here, and insta is told the same name
/// ([`insta_suffix`]), so what the suite reads is what insta writes.
pub fn snapshot_file(scenario: &str, view: View, variant: Option<&str>, fidelity: bool) -> PathBuf {
    let suffix = match variant {
        Some(v) => format!("{}.{v}", view.as_str()),
        None => view.as_str().to_string(),
    };
    let file = format!("{scenario}@{suffix}.snap");
    if fidelity {
        Path::new(FIDELITY_OVERLAY).join(file)
    } else {
        PathBuf::from(file)
    }
}

/// insta's snapshot suffix for a golden [`snapshot_file`] named: everything
/// between `<scenario>@` and `.snap` (insta names a file
/// `<name>@<suffix>.snap`); `None` for a file not named that way.
pub fn insta_suffix<'a>(golden: &'a Path, scenario: &str) -> Option<&'a str> {
    let file = golden.file_name()?.to_str()?;
    file.strip_prefix(scenario)?
        .strip_prefix('@')?
        .strip_suffix(".snap")
}

/// The variant a view is compared with: `serve` for agents all in serve mode
/// where the view's `.serve.snap` exists under `snapshots` (in the overlay
/// when `fidelity`), else none.
pub fn golden_variant(
    snapshots: &Path,
    scenario: &str,
    view: View,
    fidelity: bool,
    serve: bool,
) -> Option<&'static str> {
    let file = snapshots.join(snapshot_file(scenario, view, Some("serve"), fidelity));
    (serve && file.is_file()).then_some("serve")
}

/// Why the golden at `path` must not be read, if it must not: a link, or
/// anything but a regular file of at most the loader's 4 MiB (a FIFO would
/// hang the comparison, `/dev/zero` would exhaust memory). A missing golden
/// is not refused here; it is reported as missing.
pub fn refused_golden(path: &Path) -> Option<String> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    let max = super::bounds::MAX_BYTES as u64;
    if meta.file_type().is_symlink() {
        Some("it is a symbolic link; a golden must be a regular file".to_owned())
    } else if !meta.is_file() {
        Some("it is not a regular file (a FIFO, device or folder)".to_owned())
    } else if meta.len() > max {
        Some(format!(
            "it is {} bytes; a golden may have at most {max}",
            meta.len()
        ))
    } else {
        None
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
                    .flat_map(|m| [false, true].map(|f| snapshot_file(&s.name, *v, m, f)))
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
        let relative = path.strip_prefix(snapshots).unwrap_or(&path);
        if !used.contains(relative) && !unreadable.contains(owner) {
            unused.push(path);
        }
    }
    unused.sort();
    Ok(unused)
}

/// Every golden a scenario under `scenarios` snapshots that `snapshots` does
/// not hold, sorted: a view the suite would fail with "no golden". A scenario
/// that does not load is its own error and is left out here.
pub fn missing_goldens(snapshots: &Path, scenarios: &Path) -> Result<Vec<PathBuf>, DiscoverError> {
    let mut missing = BTreeSet::new();
    for path in walk(scenarios)? {
        if let Ok(s) = super::load(&path) {
            missing.extend(
                s.snapshot
                    .iter()
                    .map(|v| snapshots.join(snapshot_file(&s.name, *v, None, false)))
                    .filter(|golden| !golden.is_file()),
            );
        }
    }
    Ok(missing.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `f` on a thread; its answer, or a panic if it is still running at 10 s.
    fn within_deadline<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(f());
        });
        rx.recv_timeout(std::time::Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("{what}: still running after 10 s"))
    }

    fn fifo(path: &Path) {
        let made = std::process::Command::new("mkfifo").arg(path).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo {}", path.display());
    }

    #[test]
    fn a_fifo_scenario_is_refused_without_blocking() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("pipe.yaml");
        fifo(&path);
        let found = walk(dir.path()).expect("listed, so that load names it");
        assert_eq!(found, vec![path.clone()]);
        let err = within_deadline("load of a FIFO", move || super::super::load(&path));
        let text = err.expect_err("refused").to_string();
        assert!(text.contains("not a regular file"), "{text}");
    }

    #[test]
    fn goldens_that_are_links_fifos_devices_or_oversize_are_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let zero = dir.path().join("zero@provenance.snap");
        std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
        let pipe = dir.path().join("pipe@provenance.snap");
        fifo(&pipe);
        let big = dir.path().join("big@provenance.snap");
        std::fs::File::create(&big)
            .and_then(|f| f.set_len(super::super::bounds::MAX_BYTES as u64 + 1))
            .expect("sparse file");
        let fine = dir.path().join("fine@provenance.snap");
        std::fs::write(&fine, "---\nsource: x\n---\n{}\n").expect("golden");
        let reasons = within_deadline("golden checks", move || {
            [zero, pipe, big, fine].map(|p| refused_golden(&p))
        });
        assert!(
            reasons[0]
                .as_deref()
                .is_some_and(|r| r.contains("symbolic link")),
            "{reasons:?}"
        );
        assert!(
            reasons[1]
                .as_deref()
                .is_some_and(|r| r.contains("not a regular file")),
            "{reasons:?}"
        );
        assert!(
            reasons[2].as_deref().is_some_and(|r| r.contains("at most")),
            "{reasons:?}"
        );
        assert_eq!(reasons[3], None);
        assert_eq!(refused_golden(&dir.path().join("missing.snap")), None);
    }

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
        let served = golden_variant(&snapshots, "basic", View::Provenance, false, true);
        assert_eq!(served, Some("serve"));
        assert_eq!(
            golden_variant(&snapshots, "basic", View::Provenance, false, false),
            None
        );
        assert_eq!(
            golden_variant(&snapshots, "basic", View::Lineage, false, true),
            None
        );
    }

    #[test]
    fn a_snapshotted_view_without_its_golden_is_missing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (scenarios, snapshots) = (dir.path().join("scenarios"), dir.path().join("snapshots"));
        std::fs::create_dir_all(scenarios.join("topic")).expect("mkdir");
        std::fs::create_dir_all(&snapshots).expect("mkdir");
        let two_views = SCENARIO.replace("[provenance]", "[provenance, lineage]");
        std::fs::write(scenarios.join("topic/basic.yaml"), two_views).expect("write");
        std::fs::write(scenarios.join("topic/broken.yaml"), "steps: [").expect("write");
        std::fs::write(snapshots.join("basic@provenance.snap"), "---\n").expect("write");
        // A pending file is not a golden.
        std::fs::write(snapshots.join("basic@lineage.snap.new"), "---\n").expect("write");
        let missing = missing_goldens(&snapshots, &scenarios).expect("listed");
        assert_eq!(missing, vec![snapshots.join("basic@lineage.snap")]);
    }

    #[test]
    fn every_golden_name_comes_from_one_rule_and_gives_insta_its_suffix() {
        let cases = [
            (None, false, "basic@lineage.snap", "lineage"),
            (
                Some("serve"),
                false,
                "basic@lineage.serve.snap",
                "lineage.serve",
            ),
            (
                None,
                true,
                "fidelity/agentfield-v0.1.96/basic@lineage.snap",
                "lineage",
            ),
        ];
        for (variant, fidelity, file, suffix) in cases {
            let named = snapshot_file("basic", View::Lineage, variant, fidelity);
            assert_eq!(named, Path::new(file));
            assert_eq!(insta_suffix(&named, "basic"), Some(suffix), "{file}");
        }
        let other = snapshot_file("basic2", View::Lineage, None, false);
        assert_eq!(insta_suffix(&other, "basic"), None, "another scenario's");
    }
}
