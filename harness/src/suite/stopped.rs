//! A target that stops answering mid-run (v0.1.96 can crash under parallel
//! agent registration): after a failed scenario the target's health is asked
//! once more, and if it no longer answers, no further scenario starts. The
//! user reads one account of it (which scenario it stopped after, how many
//! were not run, the last lines of its log where afc started it) instead of
//! a connection error per remaining scenario.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use super::{Case, CaseReport, Verdict};
use crate::target::health::HealthError;
use crate::target::Target;

/// The target stopped answering after a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stopped {
    /// The scenario after whose failure the target no longer answered.
    pub after: String,
    /// What the health check saw then.
    pub cause: HealthError,
}

/// Watches one target through a run; shared by the threads that run scenarios.
#[derive(Debug, Default)]
pub struct Watch {
    stopped: Mutex<Option<Stopped>>,
    refused: AtomicUsize,
}

impl Watch {
    /// A watch that has seen nothing yet.
    pub fn new() -> Watch {
        Watch::default()
    }

    /// Called as each scenario finishes: after a failure, asks `target` for
    /// its health; true once the target has stopped answering (no scenario
    /// should start after that).
    pub fn after(&self, report: &CaseReport, target: &Target) -> bool {
        if self.stopped().is_some() {
            return true;
        }
        if !matches!(report.verdict, Verdict::Failed { .. }) {
            return false;
        }
        let Err(cause) = target.check_health() else {
            return false;
        };
        self.record(Stopped {
            after: report.name.clone(),
            cause,
        });
        true
    }

    /// Records that the target stopped answering (the first account stands).
    pub fn record(&self, stopped: Stopped) {
        let mut slot = self.stopped.lock().unwrap_or_else(|p| p.into_inner());
        slot.get_or_insert(stopped);
    }

    /// Before a scenario starts: why it must not, once the target stopped
    /// answering (counted in [`Watch::refused`]).
    pub fn refuse(&self) -> Option<String> {
        let stopped = self.stopped()?;
        self.refused.fetch_add(1, Ordering::SeqCst);
        Some(not_run_reason(&stopped))
    }

    /// How many scenarios [`Watch::refuse`] kept from starting.
    pub fn refused(&self) -> usize {
        self.refused.load(Ordering::SeqCst)
    }

    /// Whether, and after which scenario, the target stopped answering.
    pub fn stopped(&self) -> Option<Stopped> {
        self.stopped
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

/// Why a scenario was not started: the target had stopped answering.
pub fn not_run_reason(stopped: &Stopped) -> String {
    format!(
        "not run: the target stopped answering after {}",
        stopped.after
    )
}

/// The report of a scenario not started because the target had stopped answering.
pub fn not_run(case: &Case, stopped: &Stopped) -> CaseReport {
    CaseReport {
        name: case.name.clone(),
        verdict: Verdict::NotRun(not_run_reason(stopped)),
        elapsed: Duration::ZERO,
        observed: None,
    }
}

/// The account of a target that stopped: after which scenario, what its
/// health check saw, how many scenarios were not run, and where afc started
/// it, the last lines of its log (`logs`, as `Target::container_logs` gives).
pub fn account(stopped: &Stopped, not_run: usize, target: &Target, logs: Option<String>) -> String {
    let mut out = format!(
        "the target {} ({}) stopped answering after scenario {}: {}\n{not_run} scenario(s) not run",
        target.kind, target.url, stopped.after, stopped.cause
    );
    match logs {
        Some(logs) => out.push_str(&format!(
            "\nlast lines of its log (afc started it):\n{logs}"
        )),
        None if target.kind.starts_with("embedded") => {
            out.push_str("\n(the embedded reference runs in this process; its log is above)")
        }
        None => out.push_str("\n(afc did not start it: its own log says why it stopped)"),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(name: &str) -> CaseReport {
        CaseReport {
            name: name.into(),
            verdict: Verdict::Failed {
                problems: vec![],
                first_diff: None,
            },
            elapsed: Duration::ZERO,
            observed: None,
        }
    }

    fn url_target(url: &str) -> Target {
        let choice = crate::target::Choice {
            url: Some(url.into()),
            ..crate::target::Choice::default()
        };
        Target::start(&choice).expect("a URL target starts nothing")
    }

    #[test]
    fn a_failure_on_a_dead_target_stops_the_run_and_says_after_which_scenario() {
        // Nothing listens on port 9 of loopback.
        let target = url_target("http://127.0.0.1:9");
        let watch = Watch::new();
        let passed = CaseReport {
            verdict: Verdict::Passed,
            ..failed("t/passed")
        };
        // A pass asks nothing: the target is not probed after every scenario.
        assert!(!watch.after(&passed, &target));
        assert!(watch.after(&failed("t/crashed"), &target));
        assert!(watch.after(&failed("t/later"), &target));
        assert_eq!(watch.refused(), 0);
        assert!(watch
            .refuse()
            .is_some_and(|r| r.ends_with("after t/crashed")));
        assert_eq!(watch.refused(), 1);
        let stopped = watch.stopped().expect("stopped");
        assert_eq!(stopped.after, "t/crashed");
        let case = Case {
            name: "t/next".into(),
            path: "next.yaml".into(),
        };
        assert_eq!(
            not_run(&case, &stopped).verdict,
            Verdict::NotRun("not run: the target stopped answering after t/crashed".into())
        );
        let text = account(&stopped, 46, &target, None);
        assert_eq!(
            text,
            "the target http://127.0.0.1:9 (http://127.0.0.1:9) stopped answering after scenario \
             t/crashed: cannot reach the target: connection refused at \
             http://127.0.0.1:9/api/v1/health\n46 scenario(s) not run\n\
             (afc did not start it: its own log says why it stopped)"
        );
        let text = account(
            &stopped,
            1,
            &target,
            Some("fatal error: concurrent map read and map write".into()),
        );
        assert!(text.ends_with("last lines of its log (afc started it):\nfatal error: concurrent map read and map write"), "{text}");
    }
}
