//! Why an agent could not be started, registered or brought back, why an
//! external agent process did not become ready, and why a scripted reasoner
//! program failed, by kind. Each kind keeps its cause (the I/O error, the
//! wait that timed out, the process's last output) as data; the text is
//! rendered only at the edges (for a program: its answer to the control plane).

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;

use super::pool::PoolError;
use super::provision::ProvisionError;
use crate::client::{ClientError, Timeout};
use crate::scenario::Location;

/// An agent could not be started, registered or brought back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AgentError {
    /// Binding the listener failed.
    #[error("agent '{agent}': cannot listen on {addr}: {source}")]
    Bind {
        /// Agent name.
        agent: String,
        /// Address tried.
        addr: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The control plane did not answer the registration.
    #[error("agent '{agent}': registration failed: {source}")]
    Register {
        /// Agent name.
        agent: String,
        /// The transport error.
        source: ClientError,
    },
    /// The control plane refused the registration.
    #[error("agent '{agent}': registration failed: HTTP {status} {body}")]
    Refused {
        /// Agent name.
        agent: String,
        /// The HTTP status, not 2xx.
        status: u16,
        /// The body it answered.
        body: Value,
    },
    /// A step named an agent the scenario does not declare.
    #[error("no agent '{0}' in this scenario")]
    Unknown(String),
    /// `reregister` named an agent that registers itself (an SDK or interpreter agent).
    #[error("agent '{0}' registers itself; only a scripted agent can be re-registered by a step")]
    NotScripted(String),
    /// A Python agent could not be started or did not become ready.
    #[error("python agent '{agent}': {source}")]
    Python {
        /// Agent name.
        agent: String,
        /// What went wrong (boxed: an error's size is paid by every `Result`).
        source: Box<LaunchError>,
    },
    /// An interpreter agent could not be started or did not become ready
    /// (`*` when the program file all of them read could not be written).
    #[error("interpreter agent '{agent}': {source}")]
    Interpreter {
        /// Agent name.
        agent: String,
        /// What went wrong (boxed: an error's size is paid by every `Result`).
        source: Box<LaunchError>,
    },
}

/// An external agent process (a Python fixture, an interpreter) could not be
/// started or did not become ready.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LaunchError {
    /// There is no Python interpreter.
    #[error(transparent)]
    NoPython(#[from] PythonError),
    /// The fixture script is nowhere to be found.
    #[error(
        "{loc}: python agent script '{script}' not found next to the scenario or in the current directory"
    )]
    ScriptNotFound {
        /// Where the scenario names it.
        loc: Location,
        /// The script as written.
        script: String,
    },
    /// The Python interpreter agent's script is not in the workspace.
    #[error("fixtures/agents/python/interpreter.py not found")]
    InterpreterScriptNotFound,
    /// An interpreter agent without the scenario's program file.
    #[error("no program file was written")]
    NoProgramFile,
    /// The program file could not be made.
    #[error("{0}")]
    ProgramJson(#[source] serde_json::Error),
    /// The program file could not be written.
    #[error("cannot write the program {}: {source}", path.display())]
    ProgramWrite {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The wire's control-plane side could not listen.
    #[error("cannot listen for its control-plane side: {0}")]
    Listen(#[source] std::io::Error),
    /// The wire's control-plane side has no address.
    #[error("{0}")]
    ListenAddr(#[source] std::io::Error),
    /// The process could not be started.
    #[error("{label}: cannot start {}: {source}", program.display())]
    Spawn {
        /// Which process, for people.
        label: String,
        /// The executable.
        program: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The request to the warm pool panicked or was cancelled.
    #[error("the pool request did not finish: {0}")]
    PoolTask(#[source] tokio::task::JoinError),
    /// The warm pool could not fork the agent.
    #[error(transparent)]
    Pool(#[from] PoolError),
    /// The process ended before it was ready.
    #[error("{label} exited ({status}) before it was ready; its last output:\n{tail}")]
    Exited {
        /// Which process, for people.
        label: String,
        /// How it ended: its exit status, or that its pid is gone.
        status: String,
        /// Its last lines of output.
        tail: String,
    },
    /// It did not register and answer in time.
    #[error("{timeout}\nits last output:\n{tail}")]
    NotReady {
        /// The wait, and what it saw last.
        #[source]
        timeout: Timeout,
        /// Its last lines of output.
        tail: String,
    },
    /// Its registration could not be forwarded: the control plane does not
    /// answer, so waiting out the readiness deadline would only delay the news.
    #[error("{label}: its registration could not reach the control plane: {cause}")]
    ControlPlaneUnreachable {
        /// The agent, as messages name it.
        label: String,
        /// What forwarding the registration saw.
        cause: String,
    },
}

/// There is no interpreter for Python agents.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PythonError {
    /// `AFC_PYTHON` names nothing.
    #[error("AFC_PYTHON={} does not exist", path.display())]
    Missing {
        /// The path it names.
        path: PathBuf,
    },
    /// The pinned list names no default SDK version.
    #[error(transparent)]
    DefaultVersion(ProvisionError),
    /// The default SDK version could not be provided (kept once per
    /// process, so shared).
    #[error("no Python interpreter for SDK agents: {0}")]
    Provision(#[source] Arc<ProvisionError>),
}

/// Why a scripted agent's reasoner program failed. Its text is the error
/// the agent answers the control plane with, as an SDK agent's exception
/// text would be, so it is part of what the control plane records.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ProgramError {
    /// A barrier was not released to it.
    #[error(transparent)]
    Barrier(#[from] crate::barrier::HoldError),
    /// A nested call got no answer.
    #[error("Execution failed: {0}")]
    Submit(#[source] ClientError),
    /// A nested call's child did not end in time.
    #[error("Execution failed: {0}")]
    Child(#[source] Timeout),
    /// A nested call's child failed, with the control plane's error text.
    #[error("Execution failed: {error}")]
    Failed {
        /// The `error` (or `error_message`) of the answer.
        error: String,
    },
    /// An async submit was refused, or named no child.
    #[error("ExecuteError: {status} {body}")]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// The body it answered.
        body: Value,
    },
    /// The program names an LLM stub the scenario does not declare.
    #[error("no LLM stub '{stub}'")]
    NoStub {
        /// The stub.
        stub: String,
    },
    /// The LLM stub did not answer in time.
    #[error("LLM '{stub}' timed out after {after:?}")]
    LlmTimeout {
        /// The stub.
        stub: String,
        /// The agent's LLM timeout.
        after: std::time::Duration,
        /// What reqwest saw.
        source: reqwest::Error,
    },
    /// The LLM stub could not be reached.
    #[error("LLM '{stub}' unreachable: {source}")]
    LlmUnreachable {
        /// The stub.
        stub: String,
        /// What reqwest saw.
        source: reqwest::Error,
    },
    /// The LLM stub answered an error status.
    #[error("LLM '{stub}' answered {status}{}", retry_suffix(.retry_after.as_deref()))]
    LlmStatus {
        /// The stub.
        stub: String,
        /// The HTTP status.
        status: u16,
        /// Its `Retry-After`, if it sent one.
        retry_after: Option<String>,
    },
    /// The LLM stub's answer is not JSON.
    #[error("LLM '{stub}' sent bad JSON: {source}")]
    LlmJson {
        /// The stub.
        stub: String,
        /// What reqwest saw.
        source: reqwest::Error,
    },
    /// The LLM stub's answer has no message content.
    #[error("LLM '{stub}' reply has no content")]
    LlmNoContent {
        /// The stub.
        stub: String,
    },
}

/// ` (Retry-After: v)`, or nothing.
fn retry_suffix(v: Option<&str>) -> String {
    v.map(|v| format!(" (Retry-After: {v})"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A program's failure is what the control plane records as the agent's
    /// error: the text must stay what an SDK agent's exception would say.
    #[test]
    fn program_failures_render_as_the_agent_error_text() {
        let rejected = ProgramError::Rejected {
            status: 409,
            body: serde_json::json!({"error": "busy"}),
        };
        assert_eq!(
            rejected.to_string(),
            r#"ExecuteError: 409 {"error":"busy"}"#
        );
        let failed = ProgramError::Failed {
            error: "boom".into(),
        };
        assert_eq!(failed.to_string(), "Execution failed: boom");
        let status = |retry_after: Option<&str>| ProgramError::LlmStatus {
            stub: "planner".into(),
            status: 429,
            retry_after: retry_after.map(str::to_owned),
        };
        assert_eq!(status(None).to_string(), "LLM 'planner' answered 429");
        assert_eq!(
            status(Some("2")).to_string(),
            "LLM 'planner' answered 429 (Retry-After: 2)"
        );
    }
}
