//! The Python interpreter's warm pool (PROTOCOL.md "Pool"): one
//! `interpreter.py --pool` process per harness process and venv imports the
//! SDK and LiteLLM once (seconds of CPU), then forks one agent per request
//! (milliseconds). Requests and answers are JSON lines on its stdin/stdout.
//!
//! Nothing outlives the harness: a [`Member`] is killed when it drops (the
//! scenario ended, or unwound from a panic); the pool kills every member and
//! exits when its stdin closes (the harness exited, however) or on SIGINT
//! (Ctrl-C reaches the whole process group); each member also dies with the
//! pool (`PR_SET_PDEATHSIG`).

use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// How long the pool may take to import the SDK and LiteLLM.
const STARTUP: Duration = Duration::from_secs(180);
/// How long a fork request may take.
const REQUEST: Duration = Duration::from_secs(20);

/// The warm pool could not be started, or could not fork an agent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PoolError {
    /// `python interpreter.py --pool` could not be started.
    #[error("cannot start {command}: {source}")]
    Start {
        /// The command line.
        command: String,
        /// Why.
        source: std::io::Error,
    },
    /// The started pool lacks a pipe (`stdin` or `stdout`).
    #[error("the pool has no {0}")]
    NoPipe(&'static str),
    /// No answer line in time.
    #[error("waiting for {what}: not within {within:?}; last line: {last}; its stderr:\n{stderr}")]
    Timeout {
        /// What was awaited.
        what: String,
        /// How long.
        within: Duration,
        /// The last line it printed that was not the answer.
        last: String,
        /// Its last lines of stderr.
        stderr: String,
    },
    /// It exited while an answer was awaited.
    #[error("waiting for {what}: the pool exited; its stderr:\n{stderr}")]
    Exited {
        /// What was awaited.
        what: String,
        /// Its last lines of stderr.
        stderr: String,
    },
    /// A request could not be written to it.
    #[error("cannot write to the interpreter pool: {0}")]
    Write(#[source] std::io::Error),
    /// Its answer to a fork names no pid.
    #[error("the interpreter pool answered {0}")]
    Answer(Value),
}

struct Pool {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    stderr: Arc<Mutex<VecDeque<String>>>,
    next: u64,
}

type Pools = Mutex<BTreeMap<PathBuf, Pool>>;

fn pools() -> &'static Pools {
    static POOLS: OnceLock<Pools> = OnceLock::new();
    POOLS.get_or_init(Default::default)
}

/// One agent forked by the pool; dropping it kills the process.
pub(crate) struct Member {
    python: PathBuf,
    id: u64,
    pid: u32,
    log: PathBuf,
}

impl Pool {
    fn start(python: &Path, script: &Path) -> Result<Pool, PoolError> {
        let mut child = Command::new(python)
            .arg(script)
            .arg("--pool")
            .envs(super::python::PYTHON_ENV)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| PoolError::Start {
                command: format!("{} {} --pool", python.display(), script.display()),
                source,
            })?;
        let stdin = child.stdin.take().ok_or(PoolError::NoPipe("stdin"))?;
        let stdout = child.stdout.take().ok_or(PoolError::NoPipe("stdout"))?;
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(VecDeque::new()));
        if let Some(err) = child.stderr.take() {
            let sink = stderr.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(err).lines().map_while(Result::ok) {
                    let mut s = sink.lock().unwrap_or_else(|p| p.into_inner());
                    if s.len() == 20 {
                        s.pop_front();
                    }
                    s.push_back(line);
                }
            });
        }
        let mut pool = Pool {
            child,
            stdin,
            lines,
            stderr,
            next: 0,
        };
        pool.answer(None, STARTUP, "the interpreter pool to import the SDK")?;
        Ok(pool)
    }

    fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    fn stderr_tail(&self) -> String {
        let s = self.stderr.lock().unwrap_or_else(|p| p.into_inner());
        s.iter().cloned().collect::<Vec<_>>().join("\n")
    }

    /// The next answer line for request `id` (`None`: the ready line).
    fn answer(
        &mut self,
        id: Option<u64>,
        within: Duration,
        what: &str,
    ) -> Result<Value, PoolError> {
        let end = Instant::now() + within;
        let mut last = String::from("nothing");
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let v: Value =
                        serde_json::from_str(&line).unwrap_or(Value::String(line.clone()));
                    let matches = match id {
                        None => v.get("ready").is_some(),
                        Some(id) => v.get("id").and_then(Value::as_u64) == Some(id),
                    };
                    if matches {
                        return Ok(v);
                    }
                    last = line;
                }
                Err(RecvTimeoutError::Timeout) => {
                    return Err(PoolError::Timeout {
                        what: what.to_owned(),
                        within,
                        last,
                        stderr: self.stderr_tail(),
                    })
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(PoolError::Exited {
                        what: what.to_owned(),
                        stderr: self.stderr_tail(),
                    })
                }
            }
        }
    }

    fn send(&mut self, msg: &Value) -> Result<(), PoolError> {
        writeln!(self.stdin, "{msg}")
            .and_then(|()| self.stdin.flush())
            .map_err(PoolError::Write)
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        // Closing stdin makes the pool kill its members and exit; kill it too.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Forks one agent with `env` from the pool of `python` (started on first use).
pub(crate) fn fork(
    python: &Path,
    script: &Path,
    env: &[(String, String)],
    log: PathBuf,
) -> Result<Member, PoolError> {
    let mut pools = pools().lock().unwrap_or_else(|p| p.into_inner());
    let key = python.to_path_buf();
    if let Some(pool) = pools.get_mut(&key) {
        if !pool.alive() {
            pools.remove(&key);
        }
    }
    if !pools.contains_key(&key) {
        let pool = Pool::start(python, script)?;
        pools.insert(key.clone(), pool);
    }
    let pool = pools.get_mut(&key).expect("inserted above");
    pool.next += 1;
    let id = pool.next;
    let env: serde_json::Map<String, Value> =
        env.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    pool.send(&json!({"op": "start", "id": id, "env": env, "log": log}))?;
    let answer = pool.answer(Some(id), REQUEST, "the interpreter pool to fork an agent")?;
    let Some(pid) = answer
        .get("pid")
        .and_then(Value::as_u64)
        .and_then(|p| u32::try_from(p).ok())
    else {
        return Err(PoolError::Answer(answer));
    };
    Ok(Member {
        python: key,
        id,
        pid,
        log,
    })
}

impl Member {
    /// How the process ended, if it did (`/proc/<pid>`: gone or a zombie).
    pub(crate) fn exited(&self) -> Option<String> {
        match std::fs::read_to_string(format!("/proc/{}/stat", self.pid)) {
            Err(_) => Some(format!("pid {} is gone", self.pid)),
            Ok(stat) => {
                let state = stat
                    .rsplit(')')
                    .next()
                    .and_then(|s| s.split_whitespace().next());
                (state == Some("Z")).then(|| format!("pid {} exited", self.pid))
            }
        }
    }

    /// The last `n` lines of its output.
    pub(crate) fn tail(&self, n: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        let mut pools = pools().lock().unwrap_or_else(|p| p.into_inner());
        if let Some(pool) = pools.get_mut(&self.python) {
            // The answer is skipped by the next request's id match.
            let _ = pool.send(&json!({"op": "stop", "id": self.id}));
        }
        if std::env::var_os("AFC_KEEP_AGENT_LOGS").is_none() {
            let _ = std::fs::remove_file(&self.log);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pool_that_cannot_start_is_refused_by_kind_with_its_io_cause() {
        let python = Path::new("/nonexistent/python");
        let log = std::env::temp_dir().join("afc-pool-test-never-written.log");
        let e = match fork(python, Path::new("interpreter.py"), &[], log) {
            Ok(_) => panic!("{} does not exist", python.display()),
            Err(e) => e,
        };
        assert!(
            matches!(&e, PoolError::Start { command, source }
                if command == "/nonexistent/python interpreter.py --pool"
                    && source.kind() == std::io::ErrorKind::NotFound),
            "{e:?}"
        );
    }
}
