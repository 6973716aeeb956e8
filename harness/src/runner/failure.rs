//! What the runner found wrong while it carried a scenario through, as data:
//! an expectation that did not hold (with the step's location and its kind),
//! or a barrier nobody released. Unlike a [`super::RunError`], these do not
//! stop the scenario: it goes on so that the views can show why. Rendered
//! only at the edges (the suite's verdict, the CLI, libtest); tests match the
//! kind.

use serde_json::Value;

use crate::barrier::BarrierError;
use crate::scenario::Location;

/// Something a scenario expected that did not happen.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Failure {
    /// A step's expectation did not hold.
    #[error(transparent)]
    Expectation(#[from] ExpectationFailed),
    /// A program was held at a barrier past the scenario's deadline, which
    /// failed its reasoner; it has no step, so the scenario names it.
    #[error("{scenario}: {source}")]
    BarrierExpired {
        /// The scenario's name.
        scenario: String,
        /// Which barrier, how long, and what was released by then.
        source: BarrierError,
    },
}

/// A step's expectation that did not hold, where the step is written.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{loc}: {kind}")]
pub struct ExpectationFailed {
    /// Where the step is written.
    pub loc: Location,
    /// What was expected and what was seen.
    pub kind: Expectation,
}

/// What a step expected, and what it saw instead.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Expectation {
    /// A run ended in another status than the step's `expect`.
    #[error("expected {run} to end {want}, it ended {saw}")]
    RunEnded {
        /// The run's alias (`run2`).
        run: String,
        /// The status the step expects.
        want: String,
        /// The status the run's root ended in.
        saw: String,
    },
    /// A request was answered with another HTTP status than the step's `status`.
    #[error("expected HTTP {want}, saw {saw} {body}")]
    Status {
        /// The status the step expects.
        want: u16,
        /// The status answered.
        saw: u16,
        /// The answer's body, to show why.
        body: Value,
    },
    /// A request's answer did not hold what the step's `expect:` names.
    #[error("expected the answer to hold {want}: {}", differences.join("; "))]
    Answer {
        /// The step's `expect:`, placeholders replaced.
        want: Value,
        /// Each difference, `path: expected …, saw …`.
        differences: Vec<String>,
    },
}
