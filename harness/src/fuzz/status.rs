//! The statuses a modelled execution can have: their names, the terminal set
//! (contract §8), the spellings and transition guards of the status callback
//! (agent-protocol §3.3), and a run's derived status (§5.4, §7.3).

use super::model::World;

/// Status of a modelled execution: graph rows end succeeded or failed; a
/// held root is moved by status callbacks (agent-protocol §3.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Finished well (or replayed).
    Succeeded,
    /// Failed.
    Failed,
    /// Dispatched and not finished (a held root).
    Running,
    /// `waiting` (awaiting approval).
    Waiting,
    /// Paused by a callback.
    Paused,
    /// Cancelled by a callback.
    Cancelled,
    /// Timed out by a callback.
    Timeout,
}

impl Status {
    /// The canonical name the reads show.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Succeeded => "succeeded",
            Status::Failed => "failed",
            Status::Running => "running",
            Status::Waiting => "waiting",
            Status::Paused => "paused",
            Status::Cancelled => "cancelled",
            Status::Timeout => "timeout",
        }
    }

    /// Contract §8: succeeded, failed, cancelled and timeout are terminal.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Status::Succeeded | Status::Failed | Status::Cancelled | Status::Timeout
        )
    }
}

/// agent-protocol §3.3: the accepted spellings of the statuses a case sends.
/// `pending` and `queued` (`wait`) are left out: a row moved back before
/// dispatch is a state the scripted hold cannot be in.
pub const SPELLINGS: &[(&str, Status)] = &[
    ("running", Status::Running),
    ("in_progress", Status::Running),
    ("processing", Status::Running),
    ("waiting", Status::Waiting),
    ("awaiting_approval", Status::Waiting),
    ("awaiting_human", Status::Waiting),
    ("approval_pending", Status::Waiting),
    ("paused", Status::Paused),
    ("pause", Status::Paused),
    ("hold", Status::Paused),
    ("on_hold", Status::Paused),
    ("suspended", Status::Paused),
    ("succeeded", Status::Succeeded),
    ("success", Status::Succeeded),
    ("completed", Status::Succeeded),
    ("done", Status::Succeeded),
    ("ok", Status::Succeeded),
    ("failed", Status::Failed),
    ("error", Status::Failed),
    ("failure", Status::Failed),
    ("cancelled", Status::Cancelled),
    ("canceled", Status::Cancelled),
    ("cancel", Status::Cancelled),
    ("timeout", Status::Timeout),
    ("timed_out", Status::Timeout),
];

/// The canonical status a spelling stands for.
pub fn normalize(spelling: &str) -> Option<Status> {
    SPELLINGS
        .iter()
        .find(|(s, _)| *s == spelling)
        .map(|(_, st)| *st)
}

/// agent-protocol §3.3 transition guards: terminal → non-terminal is
/// rejected, terminal → terminal allowed, `waiting` → only running,
/// cancelled or failed; anything else may move anywhere.
pub fn may_become(from: Status, to: Status) -> bool {
    if from.is_terminal() {
        to.is_terminal()
    } else if from == Status::Waiting {
        matches!(to, Status::Running | Status::Cancelled | Status::Failed)
    } else {
        true
    }
}

impl World {
    /// §5.4 / §7.3 derived status: active (running, waiting) > failed >
    /// timeout > cancelled > paused > succeeded. (§7.2's DAG puts paused
    /// first; it differs only while a row is paused, and every run of a case
    /// is terminal when the reads are taken.)
    pub fn run_status(&self, run: usize) -> Status {
        let has = |s: Status| self.execs.iter().any(|e| e.run == run && e.status == s);
        [
            Status::Running,
            Status::Waiting,
            Status::Failed,
            Status::Timeout,
            Status::Cancelled,
            Status::Paused,
        ]
        .into_iter()
        .find(|s| has(*s))
        .map_or(Status::Succeeded, |s| {
            if s == Status::Waiting {
                Status::Running // both are "active": the run reads say running
            } else {
                s
            }
        })
    }

    /// A case must leave every run terminal: the reads wait for that.
    pub fn unsettled(&self) -> Option<usize> {
        (0..self.runs.len()).find(|&r| {
            self.execs
                .iter()
                .any(|e| e.run == r && !e.status.is_terminal())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards_follow_the_protocol_table() {
        use Status::*;
        assert!(may_become(Running, Paused) && may_become(Paused, Running));
        assert!(may_become(Running, Timeout) && may_become(Paused, Cancelled));
        assert!(may_become(Cancelled, Timeout) && may_become(Timeout, Succeeded));
        assert!(!may_become(Cancelled, Running) && !may_become(Timeout, Paused));
        assert!(!may_become(Waiting, Paused) && !may_become(Waiting, Timeout));
        assert!(may_become(Waiting, Cancelled));
        assert_eq!(normalize("canceled"), Some(Cancelled));
        assert_eq!(normalize("timed_out"), Some(Timeout));
        assert_eq!(normalize("bogus"), None);
    }
}
