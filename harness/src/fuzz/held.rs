//! Held runs: a root that reached its agent and holds there, moved only by
//! status callbacks. The rules are agent-protocol §3.3 (aliases, transition
//! guards) and contract §8 (the terminal set), written from the documents.

use serde_json::json;

use super::case::{Agent, Case, HOLD};
use super::model::{Answer, Run, Seen, Status, World};
use super::replay::Plan;

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
    /// A `Hold` step: a new run whose root `h.hold` is dispatched and stays running.
    pub(super) fn hold(&mut self, case: &Case) -> Answer {
        let n = self
            .runs
            .iter()
            .filter(|r| r.held && r.lineage.is_none())
            .count()
            + 1;
        let root = self.new_exec(Agent::H, HOLD.into(), None, json!({ "hold": n }), None);
        self.runs.push(Run {
            root,
            lineage: None,
            golden: false,
            held: true,
        });
        self.execs[root].run = self.runs.len() - 1;
        let status = self.dispatch(case, root, Plan::default(), &mut Seen::default());
        debug_assert_eq!(status, Status::Running);
        Answer::Nothing
    }

    /// A status callback on a held run's root.
    pub(super) fn callback(&mut self, run: &str, spelling: &str) -> Result<Answer, String> {
        let r = self.run_index(run)?;
        if !self.runs[r].held {
            return Err(format!("{run} is not a held run"));
        }
        let to = normalize(spelling).ok_or_else(|| format!("no status spelled {spelling}"))?;
        let root = self.runs[r].root;
        let from = self.execs[root].status;
        Ok(if may_become(from, to) {
            self.execs[root].status = to;
            Answer::Callback {
                code: 200,
                status: to,
            }
        } else {
            Answer::Callback {
                code: 500,
                status: from,
            }
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
