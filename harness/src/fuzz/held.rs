//! Held runs as the model plays them: a root that reached its agent and
//! holds there, moved only by status callbacks (the rules are in `status`).

use serde_json::json;

use super::case::{Agent, Case, HOLD};
use super::model::{Answer, Run, Seen, Status, World};
use super::replay::Plan;
use super::status::{may_become, normalize};

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
