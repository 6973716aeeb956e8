//! Steps that order events by observable state, never by a clock: waiting
//! until the agents have received a dispatch, and releasing barriers
//! (`crate::barrier`) the programs hold at.

use super::Runner;
use crate::agents::Log;
use crate::observe::RunRef;

impl Runner {
    /// Releases `name`: every program holding at it goes on.
    pub(crate) fn release(&self, name: &str) -> Result<(), String> {
        self.barriers.release(name).map_err(|e| e.to_string())
    }

    /// Waits until the root of `run` has been dispatched to its agent: the
    /// implementation has picked it up, whatever its worker timing.
    pub(crate) async fn wait_dispatched(&self, run: &RunRef) -> Result<(), String> {
        let what = format!(
            "the root of {} ({}) to be dispatched to its agent",
            run.alias, run.root
        );
        self.poll_log(&what, |log| {
            log.dispatches
                .iter()
                .any(|d| d.header("x-execution-id") == Some(run.root.as_str()))
        })
        .await
    }

    /// Waits until the agents have received `count` dispatches of `agent.reasoner`.
    pub(crate) async fn await_dispatch(
        &self,
        agent: &str,
        reasoner: &str,
        count: usize,
    ) -> Result<(), String> {
        let what = format!("{count} dispatch(es) of {agent}.{reasoner}");
        self.poll_log(&what, |log| {
            log.dispatches
                .iter()
                .filter(|d| d.agent == agent && d.reasoner == reasoner)
                .count()
                >= count
        })
        .await
    }

    async fn poll_log(&self, what: &str, done: impl Fn(&Log) -> bool) -> Result<(), String> {
        crate::client::poll(what, self.deadline, || {
            let log = self.agents.log();
            let ok = done(&log).then_some(());
            let seen = seen(&log);
            async move { (ok, seen) }
        })
        .await
    }
}

/// The dispatches so far, as `agent.reasoner (execution)`, for a timeout message.
fn seen(log: &Log) -> String {
    if log.dispatches.is_empty() {
        return "no dispatch yet".to_string();
    }
    let all: Vec<String> = log
        .dispatches
        .iter()
        .map(|d| {
            format!(
                "{}.{} ({})",
                d.agent,
                d.reasoner,
                d.header("x-execution-id").unwrap_or("no X-Execution-ID")
            )
        })
        .collect();
    format!("dispatches: {}", all.join(", "))
}
