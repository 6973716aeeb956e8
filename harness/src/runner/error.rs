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
    Observe(String),
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
    /// The target answered something the scenario cannot go on from.
    #[error("{0}")]
    Answer(String),
    /// A name in the step names nothing: a run alias, an execution alias, an agent.
    #[error("{0}")]
    Unknown(String),
    /// The control plane could not be restarted.
    #[error(transparent)]
    Restart(#[from] crate::target::TargetError),
}
