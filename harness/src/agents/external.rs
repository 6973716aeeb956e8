//! Interpreter agents (fixtures/agents/PROTOCOL.md): the scenario's reasoner
//! programs, written as JSON, run by an external process that uses a real
//! SDK, in place of the scripted Rust agents and against the same goldens.
//!
//! [`AgentKind`] is the suite-wide switch (`AFC_AGENTS`, `afc run --agents`):
//! `scripted` (default), `python` / `python:serve` (the Python interpreter,
//! forked from one warm pool per harness process, `pool.rs`), or
//! `command:PATH[:serve]` (any interpreter that follows the protocol, one
//! process per scenario agent). The process is seen through the same
//! recording wire as a Python fixture agent (`proxy.rs`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde_json::{json, Value};

use super::describe::{self, DescribeError};
use super::LaunchError;
use crate::scenario::{AgentMode, Call, FailWhen, Op, Scenario};

/// Which agents play a scenario's scripted agents.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum AgentKind {
    /// afc's own Rust agents (`agents/program.rs`).
    #[default]
    Scripted,
    /// An interpreter process per scenario agent.
    Interpreter(Interpreter),
}

/// An interpreter and the agent mode it runs in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interpreter {
    /// How its processes are started.
    pub launcher: Launcher,
    /// Serve mode for every agent; otherwise only agents the scenario
    /// declares `async` or `serve` run in serve mode (agent-protocol §7.3).
    pub serve: bool,
}

/// How interpreter processes are started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Launcher {
    /// `fixtures/agents/python/interpreter.py` with the venv's interpreter,
    /// forked from a warm pool.
    Python,
    /// Any executable that follows the protocol, one process per agent.
    Command(PathBuf),
}

/// The kinds an agent kind can be, for messages.
const KINDS: &str = "scripted, python, python:serve, command:PATH or command:PATH:serve";

/// An agent kind afc does not know.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AgentKindError {
    /// As given to `--agents` or [`Choice`](crate::target::Choice).
    #[error("unknown agent kind {given:?}; expected {KINDS}")]
    Unknown {
        /// The kind as given, trimmed.
        given: String,
    },
    /// As `AFC_AGENTS` says.
    #[error("AFC_AGENTS: unknown agent kind {given:?}; expected {KINDS}")]
    UnknownInEnv {
        /// The kind as given, trimmed.
        given: String,
    },
}

impl FromStr for AgentKind {
    type Err = AgentKindError;

    fn from_str(s: &str) -> Result<Self, AgentKindError> {
        let s = s.trim();
        let (body, serve) = match s.strip_suffix(":serve") {
            Some(b) => (b, true),
            None => (s, false),
        };
        let launcher = match body {
            "scripted" if !serve => return Ok(AgentKind::Scripted),
            "python" => Launcher::Python,
            _ => match body.strip_prefix("command:") {
                Some(path) if !path.is_empty() => Launcher::Command(PathBuf::from(path)),
                _ => {
                    return Err(AgentKindError::Unknown {
                        given: s.to_owned(),
                    })
                }
            },
        };
        Ok(AgentKind::Interpreter(Interpreter { launcher, serve }))
    }
}

impl AgentKind {
    /// `AFC_AGENTS`, scripted when unset or empty.
    pub fn from_env() -> Result<AgentKind, AgentKindError> {
        match std::env::var("AFC_AGENTS") {
            Ok(v) if !v.trim().is_empty() => v.parse().map_err(|e| match e {
                AgentKindError::Unknown { given } | AgentKindError::UnknownInEnv { given } => {
                    AgentKindError::UnknownInEnv { given }
                }
            }),
            _ => Ok(AgentKind::Scripted),
        }
    }

    /// A short name for reports: `scripted`, `python`, `python:serve`, `command:…`.
    pub fn label(&self) -> String {
        match self {
            AgentKind::Scripted => "scripted".to_string(),
            AgentKind::Interpreter(i) => {
                let base = match &i.launcher {
                    Launcher::Python => "python".to_string(),
                    Launcher::Command(p) => format!("command:{}", p.display()),
                };
                if i.serve {
                    format!("{base}:serve")
                } else {
                    base
                }
            }
        }
    }

    /// The traits of these agents a scenario's `not_with` can name without
    /// asking the interpreter: `interpreter`, and `serve` (all agents in serve
    /// mode); the SDK's own come from its describe run ([`describe`]).
    pub fn traits(&self) -> Vec<String> {
        let AgentKind::Interpreter(i) = self else {
            return Vec::new();
        };
        let mut traits = vec!["interpreter".to_string()];
        if i.serve {
            traits.push("serve".to_string());
        }
        traits
    }

    /// Why `scenario` is not run with these agents: it names one of their
    /// traits in `not_with` (the describe run's too), it `requires` an
    /// `agent.<capability>` the interpreter lacks (its reason), or it needs
    /// Python and there is no interpreter. A describe run that fails is an
    /// error, never a skip.
    pub fn skip_reason(&self, scenario: &Scenario) -> Result<Option<String>, DescribeError> {
        let AgentKind::Interpreter(i) = self else {
            return Ok(None);
        };
        describe::skip_reason(i, &self.traits(), scenario)
    }

    /// A known trait of the interpreter's SDK that explains a failure of
    /// `scenario` (`local_same_node_calls`), named with the failure.
    pub fn known_trait_failure(&self, scenario: &Scenario) -> Option<String> {
        let AgentKind::Interpreter(i) = self else {
            return None;
        };
        describe::known_trait_failure(i, scenario)
    }

    /// Whether every interpreted agent runs in serve mode (`…:serve`): the
    /// suite then prefers a scenario's `.serve.snap` goldens.
    pub fn serve(&self) -> bool {
        matches!(self, AgentKind::Interpreter(i) if i.serve)
    }
}

/// The mode an interpreter agent runs in: `functional` or `serve`.
pub(crate) fn mode(interp: &Interpreter, scripted: AgentMode) -> &'static str {
    if interp.serve || scripted != AgentMode::Inline {
        "serve"
    } else {
        "functional"
    }
}

/// The program file of a scenario (PROTOCOL.md "Program"): every agent's
/// reasoners as JSON steps, calls resolved to node ids, LLM stubs to URLs.
pub(crate) fn program(
    scenario: &Scenario,
    node_ids: &BTreeMap<String, String>,
    llm_urls: &BTreeMap<String, String>,
) -> Value {
    let agents: serde_json::Map<String, Value> = scenario
        .agents
        .iter()
        .filter(|(_, a)| a.python.is_none())
        .map(|(name, a)| {
            let reasoners: serde_json::Map<String, Value> = a
                .reasoners
                .iter()
                .map(|(r, ops)| {
                    let steps = ops
                        .iter()
                        .map(|op| step(&op.value, node_ids, llm_urls, a.llm_timeout_ms))
                        .collect();
                    (r.clone(), Value::Array(steps))
                })
                .collect();
            let agent = json!({
                "node_id": node_ids.get(name),
                "llm_timeout_ms": a.llm_timeout_ms,
                "reasoners": reasoners,
            });
            (name.clone(), agent)
        })
        .collect();
    json!({"afc_program": 1, "scenario": scenario.name, "agents": agents})
}

fn call(c: &Call, node_ids: &BTreeMap<String, String>) -> Value {
    let mut v = json!({
        "agent": c.agent,
        "node_id": node_ids.get(&c.agent).unwrap_or(&c.agent),
        "reasoner": c.reasoner,
        "input": c.input,
        "bind": c.bind,
        "sync": c.sync,
        "delay_ms": c.delay_ms,
    });
    // A barrier to hold at before submitting (PROTOCOL.md "Barriers").
    if let Some(after) = &c.after {
        v["after"] = json!(after);
    }
    v
}

fn step(
    op: &Op,
    node_ids: &BTreeMap<String, String>,
    llm_urls: &BTreeMap<String, String>,
    llm_timeout_ms: u64,
) -> Value {
    match op {
        Op::Call(c) => json!({"call": call(c, node_ids)}),
        Op::Parallel { calls, bind } => json!({"parallel": {
            "calls": calls.iter().map(|c| call(c, node_ids)).collect::<Vec<_>>(),
            "bind": bind,
        }}),
        Op::Llm { stub, bind } => json!({"llm": {
            "stub": stub,
            "url": llm_urls.get(stub),
            "bind": bind,
            "timeout_ms": llm_timeout_ms,
        }}),
        Op::Fail(f) => {
            let when = match f.when {
                FailWhen::Always => json!("always"),
                FailWhen::UnlessReplay => json!("unless_replay"),
                FailWhen::Times(n) => json!({"times": n}),
            };
            json!({"fail": {"when": when, "message": f.message, "status": f.status}})
        }
        Op::Sleep(ms) => json!({"sleep": {"ms": ms}}),
        Op::Wait(name) => json!({"wait": {"barrier": name}}),
        Op::Return(t) => json!({"return": t}),
    }
}

/// A program file that is removed when the scenario's agents drop.
pub(crate) struct ProgramFile(PathBuf);

impl ProgramFile {
    /// Writes `program` to a fresh file under the temp directory.
    pub(crate) fn write(program: &Value, scenario: &str) -> Result<ProgramFile, LaunchError> {
        let name = format!(
            "afc-program-{scenario}-{}.json",
            uuid::Uuid::new_v4().simple()
        );
        let path = std::env::temp_dir().join(name);
        let text = serde_json::to_vec_pretty(program).map_err(LaunchError::ProgramJson)?;
        match std::fs::write(&path, text) {
            Ok(()) => Ok(ProgramFile(path)),
            Err(source) => Err(LaunchError::ProgramWrite { path, source }),
        }
    }

    /// Where it is.
    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ProgramFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The Python interpreter script, from the workspace root.
pub(crate) fn python_script() -> Result<PathBuf, LaunchError> {
    let here = Path::new("fixtures/agents/python/interpreter.py");
    let from_crate =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/agents/python/interpreter.py");
    [here.to_path_buf(), from_crate]
        .into_iter()
        .find(|p| p.is_file())
        .ok_or(LaunchError::InterpreterScriptNotFound)
}

/// The program file interpreter agents read, when some agent of the
/// scenario is not a Python fixture.
pub(crate) fn program_file(
    scenario: &Scenario,
    node_ids: &BTreeMap<String, String>,
    llm_urls: &BTreeMap<String, String>,
) -> Result<Option<ProgramFile>, super::AgentError> {
    if scenario.agents.values().all(|a| a.python.is_some()) {
        return Ok(None);
    }
    let json = program(scenario, node_ids, llm_urls);
    ProgramFile::write(&json, &scenario.name)
        .map(Some)
        .map_err(|source| super::AgentError::Interpreter {
            agent: "*".to_string(),
            source: Box::new(source),
        })
}

#[cfg(test)]
mod tests;
