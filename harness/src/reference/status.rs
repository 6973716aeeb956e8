//! The execution status vocabulary of v0.1.96's `pkg/types/status.go`: the
//! canonical statuses, the aliases a status callback may use, which are
//! active or terminal, and the callback's transition guards.

use std::fmt;

/// A canonical execution status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Created, not yet queued.
    Pending,
    /// Waiting for a worker.
    Queued,
    /// Waiting on a human or an approval.
    Waiting,
    /// Dispatched; the agent works on it.
    Running,
    /// Paused by a callback.
    Paused,
    /// Finished with a result.
    Succeeded,
    /// Finished with an error.
    Failed,
    /// Cancelled.
    Cancelled,
    /// Ran out of time.
    Timeout,
}

impl Status {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Queued => "queued",
            Self::Waiting => "waiting",
            Self::Running => "running",
            Self::Paused => "paused",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
            Self::Timeout => "timeout",
        }
    }

    /// `status.go` normalisation of a status or one of its aliases
    /// (trimmed, any case); `None` for an unknown status.
    pub fn normalize(raw: &str) -> Option<Self> {
        let s = raw.trim().to_ascii_lowercase();
        Some(match s.as_str() {
            "pending" => Self::Pending,
            "queued" | "wait" => Self::Queued,
            "waiting" | "awaiting_approval" | "awaiting_human" | "approval_pending" => {
                Self::Waiting
            }
            "running" | "in_progress" | "processing" => Self::Running,
            "paused" | "pause" | "hold" | "on_hold" | "suspended" => Self::Paused,
            "succeeded" | "success" | "successful" | "completed" | "complete" | "done" | "ok" => {
                Self::Succeeded
            }
            "failed" | "error" | "failure" | "errored" => Self::Failed,
            "cancelled" | "canceled" | "cancel" => Self::Cancelled,
            "timeout" | "timed_out" => Self::Timeout,
            _ => return None,
        })
    }

    /// Still in flight: counted as active by the run reads and the orphan reaper.
    pub fn is_active(self) -> bool {
        match self {
            Self::Running | Self::Waiting | Self::Pending | Self::Queued => true,
            Self::Paused | Self::Succeeded | Self::Failed | Self::Cancelled | Self::Timeout => {
                false
            }
        }
    }

    /// Terminal: no callback may move a row out of these into a live status.
    pub fn is_terminal(self) -> bool {
        match self {
            Self::Succeeded | Self::Failed | Self::Cancelled | Self::Timeout => true,
            Self::Pending | Self::Queued | Self::Waiting | Self::Running | Self::Paused => false,
        }
    }

    /// The status callback's transition guards (agent-protocol §3.3), in
    /// v0.1.96's order: a waiting row only moves to running, cancelled or
    /// failed; a terminal row only to a terminal status; anything else may
    /// move anywhere.
    pub fn refusal(self, to: Status) -> Option<Refusal> {
        match self {
            Self::Waiting if !matches!(to, Self::Running | Self::Cancelled | Self::Failed) => {
                Some(Refusal::Waiting)
            }
            s if s.is_terminal() && !to.is_terminal() => Some(Refusal::Terminal),
            _ => None,
        }
    }
}

/// Why a status callback may not move a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Waiting for approval: only running, cancelled or failed.
    Waiting,
    /// Already terminal: only another terminal status.
    Terminal,
}

impl serde::Serialize for Status {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Status::{self, *};

    #[test]
    fn aliases_normalise_to_canonical_statuses() {
        assert_eq!(Status::normalize(" Completed "), Some(Succeeded));
        assert_eq!(Status::normalize("canceled"), Some(Cancelled));
        assert_eq!(Status::normalize("timed_out"), Some(Timeout));
        assert_eq!(Status::normalize("wait"), Some(Queued));
        assert_eq!(Status::normalize("awaiting_human"), Some(Waiting));
        assert_eq!(Status::normalize("bogus"), None);
        for s in [
            Pending, Queued, Waiting, Running, Paused, Succeeded, Failed, Cancelled, Timeout,
        ] {
            assert_eq!(Status::normalize(s.as_str()), Some(s));
        }
    }

    #[test]
    fn guards_block_leaving_terminal_and_waiting_shortcuts() {
        use super::Refusal;
        assert_eq!(Succeeded.refusal(Running), Some(Refusal::Terminal));
        assert_eq!(Failed.refusal(Succeeded), None);
        assert_eq!(Waiting.refusal(Succeeded), Some(Refusal::Waiting));
        assert_eq!(Waiting.refusal(Waiting), Some(Refusal::Waiting));
        assert_eq!(Waiting.refusal(Running), None);
        assert_eq!(Running.refusal(Succeeded), None);
        assert_eq!(Paused.refusal(Waiting), None);
    }
}
