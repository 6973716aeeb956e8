//! What a wait of [`super::poll`] that hit its deadline awaited and saw last,
//! as data: the runner files it as a step's deadline, agents wrap it with the
//! process's last output, and only the edges render it.

use std::time::Duration;

/// A [`super::poll`] whose probe yielded nothing before the deadline.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("waiting for {what}: not within {deadline:?}; last seen: {seen}")]
pub struct Timeout {
    /// What was awaited, e.g. `the root of run1 (…) to reach a terminal status`.
    pub what: String,
    /// How long it was awaited.
    pub deadline: Duration,
    /// What the last probe saw.
    pub seen: String,
}
