//! The pinned Python SDK versions (`fixtures/agents/sdk-versions.txt`) and
//! the traits each one has, which a scenario's `not_with` can name: a
//! behaviour of that SDK release the goldens cannot hold for, with the reason
//! in the scenario file (fixtures/agents/PROTOCOL.md §7-§8).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// A line of the pinned list that is not `version venv traits description`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("sdk-versions.txt:{line}: expected `version venv traits description`, got {text:?}")]
pub struct SdkListError {
    /// Its number, from 1.
    pub line: usize,
    /// The line as written.
    pub text: String,
}

/// The `agentfield` version of an interpreter could not be asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SdkVersionError {
    /// The interpreter did not run.
    #[error("cannot run {}: {source}", python.display())]
    Run {
        /// The interpreter.
        python: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// It ran, but has no `agentfield` package.
    #[error("{} has no agentfield: {stderr}", python.display())]
    NoAgentfield {
        /// The interpreter.
        python: PathBuf,
        /// What it printed on stderr, trimmed.
        stderr: String,
    },
}

/// One line of the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pinned {
    /// PyPI version of `agentfield`.
    pub version: String,
    /// Its venv, relative to the workspace root.
    pub venv: String,
    /// Its traits (`-` in the file for none).
    pub traits: Vec<String>,
}

/// The list file, from the workspace root or the crate.
pub fn list_path() -> PathBuf {
    let here = Path::new("fixtures/agents/sdk-versions.txt");
    if here.is_file() {
        return here.to_path_buf();
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/agents/sdk-versions.txt")
}

/// Parses the list: `version venv traits description…`, `#` comments.
pub fn parse(text: &str) -> Result<Vec<Pinned>, SdkListError> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|(i, l)| {
            let mut words = l.split_whitespace();
            match (words.next(), words.next(), words.next()) {
                (Some(version), Some(venv), Some(traits)) => Ok(Pinned {
                    version: version.to_string(),
                    venv: venv.to_string(),
                    traits: traits
                        .split(',')
                        .filter(|t| *t != "-" && !t.is_empty())
                        .map(str::to_string)
                        .collect(),
                }),
                _ => Err(SdkListError {
                    line: i + 1,
                    text: l.to_owned(),
                }),
            }
        })
        .collect()
}

/// The `agentfield` version installed for `python`, asked once per
/// interpreter (a failure too, hence shared).
pub fn version(python: &Path) -> Result<String, Arc<SdkVersionError>> {
    type Seen = Mutex<BTreeMap<PathBuf, Result<String, Arc<SdkVersionError>>>>;
    static SEEN: OnceLock<Seen> = OnceLock::new();
    let seen = SEEN.get_or_init(Default::default);
    let mut seen = seen.lock().unwrap_or_else(|p| p.into_inner());
    seen.entry(python.to_path_buf())
        .or_insert_with(|| ask_version(python).map_err(Arc::new))
        .clone()
}

fn ask_version(python: &Path) -> Result<String, SdkVersionError> {
    let out = std::process::Command::new(python)
        .args([
            "-c",
            "import importlib.metadata as m; print(m.version('agentfield'))",
        ])
        .output()
        .map_err(|source| SdkVersionError::Run {
            python: python.to_path_buf(),
            source,
        })?;
    if !out.status.success() {
        return Err(SdkVersionError::NoAgentfield {
            python: python.to_path_buf(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The traits of the SDK installed for `python` (none when it is not pinned).
pub fn traits(python: &Path) -> Vec<String> {
    let Ok(version) = version(python) else {
        return Vec::new();
    };
    let pinned = std::fs::read_to_string(list_path())
        .ok()
        .and_then(|t| parse(&t).ok())
        .unwrap_or_default();
    pinned
        .into_iter()
        .find(|p| p.version == version)
        .map(|p| p.traits)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pinned_list_parses_and_a_bad_line_is_named() {
        let text = std::fs::read_to_string(list_path()).expect("the list is in the repository");
        let pinned = parse(&text).expect("valid");
        assert!(pinned
            .iter()
            .any(|p| p.version == "0.1.96" && p.venv == ".venv"));
        let err = parse("# c\n0.1.96 .venv\n").expect_err("too short");
        assert_eq!(
            err,
            SdkListError {
                line: 2,
                text: "0.1.96 .venv".into()
            }
        );
        assert!(err.to_string().starts_with("sdk-versions.txt:2: "), "{err}");
        let p = parse("1.0 .v a,b text").expect("valid");
        assert_eq!(p[0].traits, ["a", "b"]);
    }

    #[test]
    fn an_interpreter_that_does_not_run_is_refused_by_kind() {
        let e = version(Path::new("/nonexistent/python")).expect_err("no such interpreter");
        assert!(matches!(*e, SdkVersionError::Run { .. }), "{e:?}");
        assert!(traits(Path::new("/nonexistent/python")).is_empty());
    }
}
