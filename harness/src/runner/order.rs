//! Steps that order events by observable state, never by a clock: waiting
//! until the agents have received a dispatch, and releasing barriers
//! (`crate::barrier`) the programs hold at.

use super::{Runner, StepError};
use crate::agents::Log;
use crate::observe::RunRef;
use crate::scenario::Op;

/// See `Runner::start_mark`.
pub(crate) struct StartMark(Option<(String, usize)>);

impl Runner {
    /// Releases `name`: every program holding at it goes on.
    pub(crate) fn release(&self, name: &str) -> Result<(), StepError> {
        Ok(self.barriers.release(name)?)
    }

    /// Programs held at unreleased barriers now, and holds that expired: why
    /// a step may have timed out (appended to its error).
    pub(crate) fn held_barriers(&self) -> String {
        let mut notes: Vec<String> = self
            .barriers
            .held()
            .into_iter()
            .map(|(name, k)| format!("programs still held at barrier '{name}' ({k} holding)"))
            .collect();
        notes.extend(self.barriers.expired().iter().map(|e| e.to_string()));
        notes.iter().map(|n| format!("; {n}")).collect()
    }

    /// Where the program of `agent.reasoner` first holds, if it begins with a
    /// barrier wait, and how many programs had reached that barrier so far:
    /// taken before a run is submitted, so `wait_dispatched` can tell the new
    /// root's arrival from earlier ones.
    pub(crate) fn start_mark(&self, agent: &str, reasoner: &str) -> StartMark {
        let first = self
            .scenario
            .agents
            .get(agent)
            .and_then(|a| a.reasoners.get(reasoner))
            .and_then(|program| program.first());
        StartMark(match first.map(|op| &op.value) {
            Some(Op::Wait(name)) => Some((name.clone(), self.barriers.arrivals(name))),
            _ => None,
        })
    }

    /// Waits until the root of `run` has been dispatched to its agent: the
    /// implementation has picked it up, whatever its worker timing. When the
    /// root's program begins with a barrier wait, also until it holds there:
    /// the agent has then begun the program, so whatever an SDK reports
    /// before running a reasoner's body (the Python SDK's `running` workflow
    /// event) has been answered, and a callback sent next comes after it.
    pub(crate) async fn wait_dispatched(
        &self,
        run: &RunRef,
        mark: StartMark,
    ) -> Result<(), StepError> {
        let mut what = format!(
            "the root of {} ({}) to be dispatched to its agent",
            run.alias, run.root
        );
        if let Some((name, _)) = &mark.0 {
            what.push_str(&format!(" and to reach barrier '{name}'"));
        }
        let barriers = self.barriers.clone();
        self.poll_log(&what, move |log| {
            let dispatched = log
                .dispatches
                .iter()
                .any(|d| d.header("x-execution-id") == Some(run.root.as_str()));
            let arrived = mark
                .0
                .as_ref()
                .is_none_or(|(name, before)| barriers.arrivals(name) > *before);
            dispatched && arrived
        })
        .await
    }

    /// Waits until the agents have received `count` dispatches of `agent.reasoner`.
    pub(crate) async fn await_dispatch(
        &self,
        agent: &str,
        reasoner: &str,
        count: usize,
    ) -> Result<(), StepError> {
        let what = match count {
            1 => format!("a dispatch of {agent}.{reasoner}"),
            n => format!("{n} dispatches of {agent}.{reasoner}"),
        };
        self.poll_log(&what, |log| {
            log.dispatches
                .iter()
                .filter(|d| d.agent == agent && d.reasoner == reasoner)
                .count()
                >= count
        })
        .await
    }

    async fn poll_log(&self, what: &str, done: impl Fn(&Log) -> bool) -> Result<(), StepError> {
        crate::client::poll(what, self.deadline, || {
            let log = self.agents.log();
            let ok = done(&log).then_some(());
            let seen = seen(&log);
            async move { (ok, seen) }
        })
        .await
        .map_err(StepError::Deadline)
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::barrier::BarrierError;
    use crate::runner::Failure;
    use crate::scenario::parse_str;
    use crate::target::{Choice, Target};

    /// Runs `text` against the embedded reference.
    fn run(text: &str) -> Result<super::super::Outcome, super::super::RunError> {
        let scenario = parse_str("o.yaml", "o", text).expect("valid scenario");
        let target = Target::start(&Choice::default()).expect("embedded reference");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(super::super::run(Arc::new(scenario), &target))
    }

    const AGENT: &str = "timeout_ms: 1000\nagents:\n  a:\n    reasoners:\n      root:\n        - call: leaf\n          after: go\n        - return: {}\n      leaf:\n        - return: {}\n";

    #[test]
    fn await_dispatch_times_out_naming_what_it_awaited_and_the_dispatches_seen() {
        let text = format!("{AGENT}steps:\n  - run: a.root\n    wait: false\n  - await_dispatch: a.leaf\n  - release: go\n");
        let e = run(&text).expect_err("leaf is held until after the wait");
        assert!(
            matches!(e.step(), Some(super::super::StepError::Deadline(_))),
            "{e:?}"
        );
        let e = e.to_string();
        assert!(
            e.contains(
                "o.yaml:14:5: step 2: waiting for a dispatch of a.leaf: not within 1s; last seen: "
            ),
            "{e}"
        );
    }

    #[test]
    fn a_barrier_nobody_releases_fails_the_scenario_by_name() {
        let text = format!("{AGENT}steps:\n  - run: a.root\n    expect: failed\n");
        // The hold and the wait for the root share the deadline: whichever
        // ends first, the failure names the barrier.
        let expired = "barrier 'go' was not released within 1000 ms (released so far: none)";
        match run(&text) {
            Ok(outcome) => {
                let [failure] = &outcome.failures[..] else {
                    panic!("one failure: {:?}", outcome.failures);
                };
                let Failure::BarrierExpired {
                    scenario,
                    source: BarrierError::Deadline { name, .. },
                } = failure
                else {
                    panic!("an expired barrier: {failure:?}");
                };
                assert_eq!((scenario.as_str(), name.as_str()), ("o", "go"));
                // Rendered at the edge as before: the scenario, then the barrier.
                assert_eq!(failure.to_string(), format!("o: {expired}"));
            }
            Err(e) => {
                let e = e.to_string();
                let held = "programs still held at barrier 'go' (1 holding)";
                assert!(e.ends_with(held) || e.ends_with(expired), "{e}");
            }
        }
    }

    #[test]
    fn released_in_order_the_program_goes_on() {
        // A deadline no loaded machine reaches: this run must simply pass.
        let agent = AGENT.replace("timeout_ms: 1000", "timeout_ms: 60000");
        let text = format!("{agent}steps:\n  - run: a.root\n    wait: dispatched\n  - release: go\n  - await_dispatch: a.leaf\n  - await: run1\n    expect: succeeded\n");
        let outcome = run(&text).expect("runs");
        assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
    }

    #[test]
    fn a_step_naming_an_execution_that_does_not_exist_is_an_unknown_name_at_its_line() {
        let text = format!("{AGENT}steps:\n  - run: a.root\n    wait: dispatched\n  - request: GET /api/v1/executions/{{run1/a.leaf#9}}\n    status: 200\n  - release: go\n");
        let e = run(&text).expect_err("run1 has no ninth leaf");
        assert!(
            matches!(e.step(), Some(super::super::StepError::Unknown(_))),
            "{e:?}"
        );
        assert!(
            matches!(&e, super::super::RunError::Step { index: 2, loc, .. } if loc.line == 14),
            "{e:?}"
        );
    }

    #[test]
    fn a_restart_answered_otherwise_than_expected_is_a_restart_status_with_both_codes() {
        let agent = AGENT.replace("timeout_ms: 1000", "timeout_ms: 60000");
        let text = format!("{agent}steps:\n  - run: a.root\n    wait: dispatched\n  - release: go\n  - await: run1\n    expect: succeeded\n  - restart: run1/a.leaf\n    status: 409\n");
        let e = run(&text).expect_err("a restart answers 202");
        let Some(super::super::StepError::RestartStatus(s)) = e.step() else {
            panic!("a restart status: {e:?}");
        };
        assert_eq!(
            (s.verb, s.from.as_str(), s.want, s.saw),
            ("restart", "run1/a.leaf", 409, 202)
        );
    }
}
