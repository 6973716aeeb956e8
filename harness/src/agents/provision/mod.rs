//! Zero set-up for the Python SDK agents: each pinned `agentfield` version of
//! `fixtures/agents/sdk-versions.txt` is found in its venv at the workspace
//! root (`.venv`, `.venv-0.1.144`, … as `.ci/run` makes them), else in a venv
//! afc makes on first use under the cargo target directory,
//! `target/afc-python/<version>` (`python3 -m venv` + `pip install
//! agentfield==<version>`), with one line on stderr while it does.
//!
//! Several test binaries (or nextest's processes) may ask at once: a lock file
//! next to the venv lets one of them install while the others wait, with a
//! deadline. A venv counts only once its marker file is written, after the
//! SDK imported, so an interrupted install is redone, never used.
//! `AFC_OFFLINE=1` never installs anything: a missing venv is then an error
//! that names itself, as is every failure to provision; callers report the
//! scenario skipped with it (or failed under `AFC_REQUIRE_PYTHON`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::sdk::{self, Pinned, SdkListError};

mod wait;
use wait::run;
pub use wait::{lock, CommandOutcome};

/// How long `python3 -m venv` may take.
const VENV_DEADLINE: Duration = Duration::from_secs(120);
/// How long `pip install agentfield==…` (and its dependencies) may take.
const PIP_DEADLINE: Duration = Duration::from_secs(600);
/// How long a process waits for another one that holds the lock.
pub const LOCK_DEADLINE: Duration = Duration::from_secs(780);
/// Written in a venv once its SDK imported: the venv is complete.
const MARKER: &str = "afc-provisioned";

/// A pinned SDK version could not be provided.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProvisionError {
    /// The pinned list could not be read.
    #[error("the pinned SDK list: {}: {source}", path.display())]
    ListRead {
        /// The list file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The pinned list is malformed.
    #[error("the pinned SDK list: {0}")]
    List(#[from] SdkListError),
    /// The pinned list names no version.
    #[error("the pinned SDK list: no version in it")]
    ListEmpty,
    /// The version is not in the pinned list.
    #[error("agentfield {0} is not pinned in fixtures/agents/sdk-versions.txt")]
    NotPinned(String),
    /// `AFC_OFFLINE` forbids installing and there is no venv yet.
    #[error("AFC_OFFLINE is set and agentfield {version} has no venv ({venv}, {cache})")]
    Offline {
        /// The version asked for.
        version: String,
        /// Its venv at the workspace root.
        venv: String,
        /// The cached venv afc would make.
        cache: String,
    },
    /// A file or folder of the cache could not be made.
    #[error("cannot provision agentfield {version}: {path}: {source}")]
    Io {
        /// The version asked for.
        version: String,
        /// The file or folder.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// Another process held the lock past the deadline.
    #[error(
        "gave up after {waited:?} waiting for another process to provision agentfield \
         {version} (lock {lock}); remove the lock file if no afc runs"
    )]
    LockTimeout {
        /// The version asked for.
        version: String,
        /// The lock file.
        lock: String,
        /// How long it waited.
        waited: Duration,
    },
    /// A command failed, could not start, or passed its deadline.
    #[error("cannot provision agentfield {version}: `{command}` {outcome}")]
    Command {
        /// The version asked for.
        version: String,
        /// The command line.
        command: String,
        /// What happened, with the last lines of its output.
        #[source]
        outcome: CommandOutcome,
    },
}

static PLAN_ONLY: AtomicBool = AtomicBool::new(false);

/// In plan-only mode (a test binary's `--list`) nothing is installed:
/// [`python_for`] answers the path a venv would have, or why there would be none.
pub fn set_plan_only(on: bool) {
    PLAN_ONLY.store(on, Ordering::SeqCst);
}

/// The pinned list.
pub fn pinned() -> Result<Vec<Pinned>, ProvisionError> {
    let path = sdk::list_path();
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(source) => return Err(ProvisionError::ListRead { path, source }),
    };
    Ok(sdk::parse(&text)?)
}

/// The default SDK version: the first line of the pinned list.
pub fn default_version() -> Result<String, ProvisionError> {
    pinned()?
        .into_iter()
        .next()
        .map(|p| p.version)
        .ok_or(ProvisionError::ListEmpty)
}

/// The interpreter of a venv with `agentfield==version`, provisioned on first
/// use; asked once per process and version (a failure is not retried, but
/// kept and shared).
pub fn python_for(version: &str) -> Result<PathBuf, Arc<ProvisionError>> {
    type Done = Mutex<BTreeMap<String, Result<PathBuf, Arc<ProvisionError>>>>;
    static DONE: OnceLock<Done> = OnceLock::new();
    let plan = PLAN_ONLY.load(Ordering::SeqCst);
    // Held while provisioning: the other threads of this process wait for it.
    let mut done = DONE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if let Some(known) = done.get(version) {
        return known.clone();
    }
    let found = find(version, plan).map_err(Arc::new);
    if !plan {
        done.insert(version.to_string(), found.clone());
    }
    found
}

fn find(version: &str, plan: bool) -> Result<PathBuf, ProvisionError> {
    let pin = pinned()?
        .into_iter()
        .find(|p| p.version == version)
        .ok_or_else(|| ProvisionError::NotPinned(version.to_string()))?;
    let root = sdk::list_path()
        .ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let offline = std::env::var_os("AFC_OFFLINE").is_some_and(|v| !v.is_empty() && v != "0");
    match locate(&pin, &root, &cache_root(), offline)? {
        Located::Ready(python) => Ok(python),
        Located::Missing(dir) if plan => Ok(interpreter_in(&dir)),
        Located::Missing(dir) => provision(version, &dir),
    }
}

/// Where a pinned version's interpreter is.
#[derive(Debug, PartialEq, Eq)]
pub enum Located {
    /// A complete venv has it.
    Ready(PathBuf),
    /// None yet: the venv to make.
    Missing(PathBuf),
}

/// Finds `pin`'s interpreter: its venv under `root` (the workspace), else a
/// complete venv under `cache`; else the venv to make, unless `offline`.
pub fn locate(
    pin: &Pinned,
    root: &Path,
    cache: &Path,
    offline: bool,
) -> Result<Located, ProvisionError> {
    let at_root = interpreter_in(&root.join(&pin.venv));
    if at_root.exists() {
        return Ok(Located::Ready(at_root));
    }
    let dir = cache.join(&pin.version);
    if dir.join(MARKER).exists() {
        return Ok(Located::Ready(interpreter_in(&dir)));
    }
    if offline {
        return Err(ProvisionError::Offline {
            version: pin.version.clone(),
            venv: root.join(&pin.venv).display().to_string(),
            cache: dir.display().to_string(),
        });
    }
    Ok(Located::Missing(dir))
}

/// The cargo target directory's `afc-python`: `CARGO_TARGET_DIR`, else the
/// one this executable was built in, else `target` in the current directory.
pub fn cache_root() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .or_else(|| target_of(&std::env::current_exe().ok()?))
        .unwrap_or_else(|| PathBuf::from("target"));
    target.join("afc-python")
}

/// The target directory of a cargo-built executable: the ancestor cargo
/// tagged (`CACHEDIR.TAG`), else the parent of the profile folder (the one
/// with `deps/`: `target/debug/afc`, `target/debug/deps/scenarios-…`).
pub fn target_of(exe: &Path) -> Option<PathBuf> {
    let tagged = exe.ancestors().find(|d| d.join("CACHEDIR.TAG").is_file());
    let profile = || {
        let dir = exe.parent()?;
        let profile = if dir.file_name()? == "deps" {
            dir.parent()?
        } else {
            dir.join("deps").is_dir().then_some(dir)?
        };
        profile.parent()
    };
    tagged.or_else(profile).map(Path::to_path_buf)
}

/// `<dir>.<ext>` next to `dir` (a version has dots: no `with_extension`).
fn beside(dir: &Path, ext: &str) -> PathBuf {
    let mut name = dir.as_os_str().to_os_string();
    name.push(".");
    name.push(ext);
    PathBuf::from(name)
}

fn interpreter_in(venv: &Path) -> PathBuf {
    venv.join("bin").join("python")
}

/// Makes the venv at `dir` under its lock, unless another process made it
/// while this one waited.
pub fn provision(version: &str, dir: &Path) -> Result<PathBuf, ProvisionError> {
    let io = |path: &Path| {
        let (version, path) = (version.to_string(), path.display().to_string());
        move |source| ProvisionError::Io {
            version,
            path,
            source,
        }
    };
    let parent = dir.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io(parent))?;
    let lock_path = beside(dir, "lock");
    let _lock = lock(version, &lock_path, LOCK_DEADLINE)?;
    if dir.join(MARKER).exists() {
        return Ok(interpreter_in(dir));
    }
    let started = Instant::now();
    eprintln!(
        "afc: provisioning the Python SDK agentfield=={version} in {} on first use \
         (python3 -m venv + pip install; AFC_PYTHON or AFC_OFFLINE=1 opts out)",
        dir.display()
    );
    if dir.exists() {
        // An interrupted attempt: no marker, so nothing in it is trusted.
        std::fs::remove_dir_all(dir).map_err(io(dir))?;
    }
    let log = beside(dir, "log");
    run(
        version,
        "python3",
        &["-m", "venv"],
        dir,
        &log,
        VENV_DEADLINE,
    )?;
    let python = interpreter_in(dir);
    let pip = [
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--timeout",
        "20",
        "--retries",
        "2",
    ];
    let spec = format!("agentfield=={version}");
    run(version, &python, &pip, &spec, &log, PIP_DEADLINE)?;
    let check = "import agentfield, importlib.metadata as m; print(m.version('agentfield'))";
    run(version, &python, &["-c"], check, &log, VENV_DEADLINE)?;
    std::fs::write(dir.join(MARKER), format!("agentfield=={version}\n"))
        .map_err(io(&dir.join(MARKER)))?;
    eprintln!(
        "afc: agentfield=={version} ready in {} after {:.0?}",
        dir.display(),
        started.elapsed()
    );
    Ok(python)
}

#[cfg(test)]
mod tests;
