//! Which files are scenarios: `*.yaml` and `*.yml` under a folder, sorted,
//! each named by its file stem.
//!
//! The name is what the goldens are keyed by (`snapshots/<name>@<view>.snap`),
//! so two files with one stem in different topic folders would silently share
//! goldens: whichever ran last would overwrite the other's review. Discovery
//! refuses that, naming both files. (Keying goldens by topic instead would
//! rename all 170 goldens for a clash that has never happened; a rename of the
//! newer file is the cheaper fix, and the error says so.)

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// Why the scenario files could not be listed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiscoverError {
    /// A folder or file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The path.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// A folder holds no scenario file: a suite that finds nothing must not pass.
    #[error("no scenario files (*.yaml, *.yml) under {}", .0.display())]
    Empty(PathBuf),
    /// Two files have the same name, so they would share goldens.
    #[error(
        "{} and {} are both scenario '{name}'; goldens are keyed by file name \
         (snapshots/{name}@<view>.snap), so they would share them: rename one",
        first.display(),
        second.display()
    )]
    DuplicateName {
        /// The shared file stem.
        name: String,
        /// The first file, in sorted order.
        first: PathBuf,
        /// The other file.
        second: PathBuf,
    },
}

/// Whether a path names a scenario file by its extension.
pub fn is_scenario_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "yaml" || e == "yml")
}

/// A scenario's name: its file stem, which keys its goldens.
pub fn scenario_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Every scenario file under `root`, sorted; none, or two with one name, is an error.
pub fn discover(root: &Path) -> Result<Vec<PathBuf>, DiscoverError> {
    let found = walk(root)?;
    if let Some(clash) = duplicate_names(&found).into_iter().next() {
        return Err(clash);
    }
    Ok(found)
}

/// The scenario files named by `paths`: a file as given, a folder by its
/// scenario files; sorted, each once. A folder without any is an error.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>, DiscoverError> {
    let mut files = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|source| DiscoverError::Read {
            path: path.clone(),
            source,
        })?;
        if meta.is_dir() {
            files.extend(walk(path)?);
        } else {
            files.push(path.clone());
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

/// Every pair of files that share a name, each clash once (the first file with each later one).
pub fn duplicate_names(files: &[PathBuf]) -> Vec<DiscoverError> {
    let mut first: BTreeMap<String, &PathBuf> = BTreeMap::new();
    let mut clashes = Vec::new();
    for f in files {
        let name = scenario_name(f);
        match first.get(&name) {
            Some(earlier) => clashes.push(DiscoverError::DuplicateName {
                name,
                first: (*earlier).clone(),
                second: f.clone(),
            }),
            None => {
                first.insert(name, f);
            }
        }
    }
    clashes
}

/// Every scenario file under `root`, sorted, clashing names included; none is an error.
///
/// Hostile trees are walked safely: a link to a folder is never followed (so
/// no loop and no `..` link can repeat the tree), and a link to a file counts
/// only when its target is a regular file inside `root`. Any other entry
/// named `*.yaml` (a FIFO, a device) is listed so that `load` refuses it by
/// name; nothing here opens a file.
pub(crate) fn walk(root: &Path) -> Result<Vec<PathBuf>, DiscoverError> {
    let read = |path: &Path| {
        let path = path.to_path_buf();
        move |source| DiscoverError::Read { path, source }
    };
    let inside = std::fs::canonicalize(root).map_err(read(root))?;
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(read(&dir))? {
            let entry = entry.map_err(read(&dir))?;
            let path = entry.path();
            let kind = entry.file_type().map_err(read(&path))?;
            if kind.is_dir() {
                stack.push(path);
            } else if !is_scenario_file(&path) {
                continue;
            } else if !kind.is_symlink() || links_to_a_file_inside(&path, &inside) {
                found.push(path);
            }
        }
    }
    found.sort();
    if found.is_empty() {
        return Err(DiscoverError::Empty(root.to_path_buf()));
    }
    Ok(found)
}

/// Whether the link at `path` resolves to a regular file under `root` (canonical).
fn links_to_a_file_inside(path: &Path, root: &Path) -> bool {
    std::fs::canonicalize(path).is_ok_and(|target| {
        target.starts_with(root) && std::fs::metadata(&target).is_ok_and(|m| m.is_file())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        for f in files {
            let path = dir.path().join(f);
            std::fs::create_dir_all(path.parent().expect("has a folder")).expect("mkdir");
            std::fs::write(path, "steps: []\n").expect("write");
        }
        dir
    }

    #[test]
    fn folders_are_walked_for_yaml_and_yml_files_sorted() {
        let dir = tree(&["b/two.yml", "a/one.yaml", "a/notes.md", "c/d/three.yaml"]);
        let found = discover(dir.path()).expect("three files");
        let rel: Vec<_> = found
            .iter()
            .map(|p| {
                p.strip_prefix(dir.path())
                    .expect("under root")
                    .to_path_buf()
            })
            .collect();
        assert_eq!(
            rel,
            ["a/one.yaml", "b/two.yml", "c/d/three.yaml"].map(PathBuf::from)
        );
        let one = dir.path().join("a/one.yaml");
        let both = collect(&[dir.path().join("a"), one.clone(), dir.path().join("b")])
            .expect("files and folders");
        assert_eq!(both, vec![one, dir.path().join("b/two.yml")]);
    }

    #[test]
    fn one_name_in_two_topics_is_refused_naming_both_files() {
        let dir = tree(&[
            "restart/basic.yaml",
            "replay/basic.yml",
            "replay/other.yaml",
        ]);
        let e = discover(dir.path()).expect_err("clash");
        let DiscoverError::DuplicateName {
            name,
            first,
            second,
        } = &e
        else {
            panic!("{e}")
        };
        assert_eq!(name, "basic");
        assert!(first.ends_with("replay/basic.yml"), "{e}");
        assert!(second.ends_with("restart/basic.yaml"), "{e}");
        assert!(e.to_string().contains("rename one"), "{e}");
    }

    #[test]
    fn links_to_folders_and_out_of_the_tree_are_not_followed() {
        let dir = tree(&["a/one.yaml"]);
        let outside = tree(&["far.yaml"]);
        let link = |target: &Path, at: &str| {
            std::os::unix::fs::symlink(target, dir.path().join(at)).expect("symlink")
        };
        link(Path::new("."), "a/x"); // a loop
        link(Path::new("."), "a/y");
        link(Path::new(".."), "a/up"); // the tree again
        link(&outside.path().join("far.yaml"), "a/far.yaml"); // out of the tree
        link(Path::new("one.yaml"), "a/two.yaml"); // a file inside: kept
        let root = dir.path().to_path_buf();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(discover(&root).map_err(|e| e.to_string()));
        });
        let found = rx
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("discovery still walking after 10 s (a link loop?)")
            .expect("no loop, no duplicate");
        assert_eq!(
            found,
            vec![dir.path().join("a/one.yaml"), dir.path().join("a/two.yaml")]
        );
    }

    #[test]
    fn an_empty_or_missing_folder_is_an_error() {
        let dir = tree(&["notes.md"]);
        assert!(matches!(discover(dir.path()), Err(DiscoverError::Empty(_))));
        let gone = dir.path().join("gone");
        assert!(matches!(collect(&[gone]), Err(DiscoverError::Read { .. })));
    }
}
