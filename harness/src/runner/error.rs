//! Why a scenario could not be carried through, as data: the kind of
//! failure, and for a step its location. Rendered only at the edges (the
//! suite's verdict, the CLI, libtest); tests match the kind.

use crate::agents::AgentError;
use crate::barrier::BarrierError;
use crate::client::ClientError;
use crate::scenario::Location;

/// The scenario could not be carried through.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The barrier server could not listen.
    #[error("cannot serve the barriers: {0}")]
    Barriers(#[source] std::io::Error),
    /// An agent could not be started or registered.
    #[error(transparent)]
    Agents(#[from] AgentError),
    /// A step could not be carried out; `held` names the barriers programs
    /// still held at, which may be why.
    #[error("{loc}: step {index}: {source}{held}")]
    Step {
        /// Where the step is written.
        loc: Location,
        /// Its number, from 1.
        index: usize,
        /// What went wrong.
        #[source]
        source: Box<StepError>,
        /// `; programs still held at barrier …`, or empty.
        held: String,
    },
    /// The runs did not settle, or could not be read, after the last step.
    #[error("{0}")]
    Observe(#[source] Box<crate::observe::ObserveError>),
}

impl RunError {
    /// The step error, if a step failed.
    pub fn step(&self) -> Option<&StepError> {
        match self {
            RunError::Step { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Why one step could not be carried out.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StepError {
    /// A request got no HTTP answer, or could not be sent.
    #[error(transparent)]
    Http(#[from] ClientError),
    /// A wait hit its deadline: what was awaited and what was seen last.
    #[error(transparent)]
    Deadline(crate::client::Timeout),
    /// A barrier could not be released.
    #[error(transparent)]
    Barrier(#[from] BarrierError),
    /// An agent could not be stopped or brought back.
    #[error(transparent)]
    Agent(#[from] AgentError),
    /// A run's answer named no run or root, and no new root was dispatched.
    #[error("{0}")]
    NoRunIds(Box<NoRunIds>),
    /// A restart or fork answered another status than the step expects.
    #[error("{0}")]
    RestartStatus(Box<RestartStatus>),
    /// A restart or fork answered 202 without the new run's ids.
    #[error("{verb} {from}: a 202 without run_id and execution_id")]
    RestartWithoutIds {
        /// `restart` or `fork`.
        verb: &'static str,
        /// The step's source alias.
        from: String,
    },
    /// A run's executions could not be read to resolve an alias.
    #[error("{0}")]
    Read(#[source] Box<crate::observe::ObserveError>),
    /// A name in the step names nothing: a run alias, an execution alias, an agent.
    #[error("{0}")]
    Unknown(String),
    /// The control plane could not be restarted.
    #[error(transparent)]
    Restart(#[from] crate::target::TargetError),
}

/// A run's answer named no run or root, and no new root was dispatched.
#[derive(Debug, thiserror::Error)]
#[error(
    "POST {path}: no run_id/execution_id in HTTP {status} {body}, and {agent} saw no \
     new root dispatch of {reasoner}"
)]
pub struct NoRunIds {
    /// The execute path.
    pub path: String,
    /// Its answer's status.
    pub status: u16,
    /// Its answer's body.
    pub body: serde_json::Value,
    /// The scenario's agent.
    pub agent: String,
    /// The reasoner run.
    pub reasoner: String,
}

/// A restart or fork answered another status than the step expects.
#[derive(Debug, thiserror::Error)]
#[error("{verb} {from}: expected HTTP {want}, saw {saw} {body}")]
pub struct RestartStatus {
    /// `restart` or `fork`.
    pub verb: &'static str,
    /// The step's source alias.
    pub from: String,
    /// The status the step expects.
    pub want: u16,
    /// The status seen.
    pub saw: u16,
    /// The answer's body.
    pub body: serde_json::Value,
}

impl From<crate::observe::ObserveError> for RunError {
    fn from(e: crate::observe::ObserveError) -> Self {
        RunError::Observe(Box::new(e))
    }
}
