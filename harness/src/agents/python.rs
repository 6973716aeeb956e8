//! Real SDK agents: a Python file that uses the unmodified PyPI `agentfield`
//! package, run by the interpreter of a venv (`AFC_PYTHON`, else
//! `.venv/bin/python` in the current directory, the workspace root, else the
//! venv `provision/` makes on first use).
//!
//! The harness gives the process its node id and control-plane URL through
//! the environment (`AFC_NODE_ID`, `AFC_CP_URL` = `AGENTFIELD_SERVER`,
//! `AFC_MODE`, and `AFC_NODE_<AGENT>` for every agent of the scenario), with
//! the control-plane URL being the recording wire of `proxy.rs`. It waits for
//! the registration to pass through that wire and for the agent to answer,
//! with a deadline; the process is killed when the scenario's agents drop.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};

use super::proxy::Wire;
use super::{LaunchError, PythonError};
use crate::scenario::{PythonAgent, Scenario};

/// The environment every Python agent process gets: unbuffered output, no
/// bytecode files, LiteLLM (imported by some SDK versions) never fetching its
/// price list, and no proxy on loopback (requests and aiohttp honour proxy
/// variables even there).
pub(crate) const PYTHON_ENV: [(&str, &str); 5] = [
    ("PYTHONUNBUFFERED", "1"),
    ("PYTHONDONTWRITEBYTECODE", "1"),
    ("LITELLM_LOCAL_MODEL_COST_MAP", "True"),
    ("NO_PROXY", "127.0.0.1,localhost"),
    ("no_proxy", "127.0.0.1,localhost"),
];

/// How long a Python agent may take to import the SDK, register and listen.
const STARTUP: Duration = Duration::from_secs(90);
/// Lines of the agent's output kept for error messages.
const TAIL: usize = 40;

/// The interpreter that runs Python agents, or why there is none:
/// `AFC_PYTHON`, else the default pinned SDK's venv (`.venv` at the workspace
/// root, else provisioned on first use under target/afc-python, `provision/`).
pub fn interpreter() -> Result<PathBuf, PythonError> {
    match std::env::var_os("AFC_PYTHON") {
        Some(p) if Path::new(&p).exists() => Ok(PathBuf::from(p)),
        Some(p) => Err(PythonError::Missing { path: p.into() }),
        None => {
            let version =
                super::provision::default_version().map_err(PythonError::DefaultVersion)?;
            super::provision::python_for(&version).map_err(PythonError::Provision)
        }
    }
}

/// Why `scenario` cannot run here: it has a Python agent and there is no
/// interpreter. `AFC_REQUIRE_PYTHON=1` (CI) turns this into a failure instead.
pub fn missing_python(scenario: &Scenario) -> Option<String> {
    let needs = scenario.agents.values().any(|a| a.python.is_some());
    if !needs || std::env::var_os("AFC_REQUIRE_PYTHON").is_some() {
        return None;
    }
    interpreter().err().map(|e| e.to_string())
}

/// The script, looked up from the scenario file's folder upwards, so that
/// `fixtures/agents/python/x.py` means the workspace's fixtures wherever the
/// harness runs from.
pub(crate) fn script(spec: &PythonAgent) -> Result<PathBuf, LaunchError> {
    let written = Path::new(&spec.script);
    let scenario = Path::new(&*spec.loc.file);
    let found = scenario
        .ancestors()
        .skip(1)
        .map(|dir| dir.join(written))
        .chain(std::iter::once(written.to_path_buf()))
        .find(|p| p.is_file());
    found.ok_or_else(|| LaunchError::ScriptNotFound {
        loc: spec.loc.clone(),
        script: spec.script.clone(),
    })
}

/// A running agent process; dropping it kills the process.
pub(crate) struct Process {
    agent: String,
    label: String,
    child: Mutex<Child>,
    output: Arc<Mutex<VecDeque<String>>>,
    /// Held open: an interpreter exits when it reads EOF (PROTOCOL.md).
    _stdin: Option<tokio::process::ChildStdin>,
    /// Its whole output, as a pooled agent's (removed at drop unless
    /// `AFC_KEEP_AGENT_LOGS` is set).
    log: Option<PathBuf>,
}

impl Drop for Process {
    fn drop(&mut self) {
        if let (Some(log), None) = (&self.log, std::env::var_os("AFC_KEEP_AGENT_LOGS")) {
            let _ = std::fs::remove_file(log);
        }
    }
}

impl Process {
    /// Starts `python script` with `env`, its output kept for diagnostics.
    pub(crate) fn spawn(
        python: &Path,
        script: &Path,
        env: &[(String, String)],
        agent: &str,
        label: String,
    ) -> Result<Process, LaunchError> {
        Process::spawn_command(python, &[script.as_os_str()], env, agent, label)
    }

    /// Starts `program args…` with `env`, its output kept for diagnostics.
    pub(crate) fn spawn_command(
        program: &Path,
        args: &[&std::ffi::OsStr],
        env: &[(String, String)],
        agent: &str,
        label: String,
    ) -> Result<Process, LaunchError> {
        let spawned = Command::new(program)
            .args(args)
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .envs(PYTHON_ENV)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(source) => {
                return Err(LaunchError::Spawn {
                    label,
                    program: program.to_path_buf(),
                    source,
                })
            }
        };
        let stdin = child.stdin.take();
        let output = Arc::new(Mutex::new(VecDeque::new()));
        // The whole output goes to a log file too, as a pooled agent's does.
        let node = env.iter().find(|(k, _)| k == "AFC_NODE_ID");
        let log = node.map(|(_, n)| std::env::temp_dir().join(format!("afc-agent-{n}.log")));
        let file = log.as_ref().and_then(|l| std::fs::File::create(l).ok());
        let file = file.map(|f| Arc::new(Mutex::new(f)));
        if let Some(out) = child.stdout.take() {
            tokio::spawn(keep_lines(out, output.clone(), file.clone()));
        }
        if let Some(err) = child.stderr.take() {
            tokio::spawn(keep_lines(err, output.clone(), file));
        }
        Ok(Process {
            agent: agent.to_string(),
            label,
            child: Mutex::new(child),
            output,
            _stdin: stdin,
            log,
        })
    }

    /// The scenario agent it plays.
    pub(crate) fn agent(&self) -> &str {
        &self.agent
    }

    /// The last lines the process printed.
    pub(crate) fn tail(&self, n: usize) -> String {
        let out = self.output.lock().unwrap_or_else(|p| p.into_inner());
        let skip = out.len().saturating_sub(n);
        out.iter()
            .skip(skip)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub(crate) fn exited(&self) -> Option<String> {
        let mut child = self.child.lock().unwrap_or_else(|p| p.into_inner());
        match child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            Ok(None) => None,
            Err(e) => Some(format!("unknown state: {e}")),
        }
    }

    /// Waits until the registration went through `wire` and the agent
    /// answers HTTP; fails early if the process exits.
    pub(crate) async fn ready(&self, wire: &Wire) -> Result<(), LaunchError> {
        await_ready(&self.label, wire, || self.exited(), |n| self.tail(n)).await
    }
}

/// Waits until an agent process's registration went through `wire` and the
/// agent answers `GET /health` (PROTOCOL.md "Readiness"); fails early, with
/// its last output, if the process exits.
pub(crate) async fn await_ready(
    label: &str,
    wire: &Wire,
    exited: impl Fn() -> Option<String>,
    tail: impl Fn(usize) -> String,
) -> Result<(), LaunchError> {
    let what = format!("{label} to register and listen");
    let outcome = crate::client::poll(&what, STARTUP, || async {
        if let Some(status) = exited() {
            let err = LaunchError::Exited {
                label: label.to_owned(),
                status,
                tail: tail(15),
            };
            return (Some(Err(err)), String::new());
        }
        let last = tail(1);
        let seen = match wire.registration() {
            None => format!("no registration yet; last output: {last:?}"),
            Some(r) if r.unreachable => {
                let err = LaunchError::ControlPlaneUnreachable {
                    label: label.to_owned(),
                    cause: r.answer,
                };
                return (Some(Err(err)), String::new());
            }
            Some(r) if !(200..300).contains(&r.status) => {
                format!("registration answered HTTP {} {}", r.status, r.answer)
            }
            Some(_) => match wire.probe("/health").await {
                Ok(status) if (200..300).contains(&status) => return (Some(Ok(())), String::new()),
                Ok(status) => format!("registered, GET /health answered {status}"),
                Err(e) => format!(
                    "registered as {}, not answering yet: {e}",
                    wire.upstream().unwrap_or_default()
                ),
            },
        };
        (None, seen)
    })
    .await;
    match outcome {
        Ok(inner) => inner,
        Err(timeout) => Err(LaunchError::NotReady {
            timeout,
            tail: tail(15),
        }),
    }
}

async fn keep_lines(
    stream: impl AsyncRead + Unpin,
    sink: Arc<Mutex<VecDeque<String>>>,
    log: Option<Arc<Mutex<std::fs::File>>>,
) {
    let mut lines = BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(log) = &log {
            use std::io::Write;
            let mut f = log.lock().unwrap_or_else(|p| p.into_inner());
            let _ = writeln!(f, "{line}");
        }
        let mut sink = sink.lock().unwrap_or_else(|p| p.into_inner());
        if sink.len() == TAIL {
            sink.pop_front();
        }
        sink.push_back(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_program_that_cannot_start_is_refused_by_kind_with_its_io_cause() {
        let missing = Path::new("/nonexistent/afc-agent");
        let e = match Process::spawn_command(missing, &[], &[], "a", "the agent".into()) {
            Ok(_) => panic!("{} does not exist", missing.display()),
            Err(e) => e,
        };
        assert!(
            matches!(&e, LaunchError::Spawn { program, source, .. }
                if program == missing && source.kind() == std::io::ErrorKind::NotFound),
            "{e:?}"
        );
        assert!(
            e.to_string()
                .starts_with("the agent: cannot start /nonexistent/afc-agent: "),
            "{e}"
        );
    }
}
