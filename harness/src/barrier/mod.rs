//! Barriers: ordering the runner controls, so no scenario orders events with
//! a clock.
//!
//! A reasoner program holds at a named barrier (`- wait: NAME`, or a call's
//! `after: NAME`) until a scenario step releases it (`release: NAME`, or
//! `await: runN` with `release:`). The runner releases a barrier only after it
//! has observed the state the order depends on (an agent received a dispatch,
//! a callback was answered), so sibling order and callback order follow from
//! observable state on any implementation, however fast or slow it is.
//!
//! Agents reach the barriers over HTTP with one plain request, so an agent in
//! another process or language holds exactly like a scripted one (the
//! protocol is in `server.rs`; scripted agents use it too). Every wait has a
//! deadline ([`hold_deadline`]); a barrier nobody released by then is reported with
//! its name, and a release in the scenario names only barriers some program
//! waits on (`scenario` checks that), so a typo cannot hold anything.
//!
//! A released barrier stays released: later waits pass at once, so a restart
//! that re-runs the same program is never held.

mod server;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;

pub use server::BarrierServer;
pub(crate) use server::{wait_over_http, HoldError};

/// A wait or release that could not be honoured.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BarrierError {
    /// The name is not a barrier of this scenario.
    #[error("no barrier '{name}' in this scenario; known: {known}")]
    Unknown {
        /// The name asked for.
        name: String,
        /// The barriers the scenario declares.
        known: String,
    },
    /// Nobody released the barrier before the deadline.
    #[error(
        "barrier '{name}' was not released within {waited_ms} ms (released so far: {released})"
    )]
    Deadline {
        /// The barrier awaited.
        name: String,
        /// The deadline it waited for.
        waited_ms: u128,
        /// The barriers released by then, for context.
        released: String,
    },
}

struct Gate {
    open: watch::Sender<bool>,
    /// Programs holding here now.
    holding: std::sync::atomic::AtomicUsize,
    /// Programs that ever reached this barrier, released or not.
    arrived: std::sync::atomic::AtomicUsize,
}

/// Counts a program as holding at a gate for as long as it lives.
struct Holding<'a>(&'a Gate);

impl Drop for Holding<'_> {
    fn drop(&mut self) {
        self.0
            .holding
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

struct Inner {
    gates: BTreeMap<String, Gate>,
    deadline: Duration,
    /// Every wait that hit its deadline, for the runner to report.
    expired: Mutex<Vec<BarrierError>>,
}

/// How long a program may hold at a barrier in a scenario of `steps` steps
/// whose every wait is bounded by `step_deadline`.
///
/// A hold is released by a later step, so it may rightly last through every
/// step after it and the final settle and reads, each bounded by
/// `step_deadline`: `(steps + 2) × step_deadline`. One step's deadline,
/// counted from arrival, expired under load while every step was within its
/// own (issue 28: `afc fuzz` seeds 583 and 628 at load 15–27; the held root's
/// program then failed by itself and its `failed` callback turned the case's
/// own callbacks into 500s). With this bound a hold expires only after the
/// runner has already failed some step on its own deadline, or in a run the
/// runner has left behind (the hold then ends with it).
pub fn hold_deadline(step_deadline: Duration, steps: usize) -> Duration {
    let waits = u32::try_from(steps.saturating_add(2)).unwrap_or(u32::MAX);
    step_deadline.saturating_mul(waits)
}

/// The barriers of one scenario. Cloning shares them.
#[derive(Clone)]
pub struct Barriers {
    inner: Arc<Inner>,
}

impl Barriers {
    /// Closed barriers with these names; every wait on them lasts at most `deadline`.
    pub fn new<I, S>(names: I, deadline: Duration) -> Barriers
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let gates = names
            .into_iter()
            .map(|n| {
                let (open, _) = watch::channel(false);
                let gate = Gate {
                    open,
                    holding: std::sync::atomic::AtomicUsize::new(0),
                    arrived: std::sync::atomic::AtomicUsize::new(0),
                };
                (n.into(), gate)
            })
            .collect();
        Barriers {
            inner: Arc::new(Inner {
                gates,
                deadline,
                expired: Mutex::new(Vec::new()),
            }),
        }
    }

    /// The deadline of every wait.
    pub fn deadline(&self) -> Duration {
        self.inner.deadline
    }

    fn gate(&self, name: &str) -> Result<&Gate, BarrierError> {
        self.inner
            .gates
            .get(name)
            .ok_or_else(|| BarrierError::Unknown {
                name: name.to_string(),
                known: self.list(|_| true),
            })
    }

    fn list(&self, keep: impl Fn(&Gate) -> bool) -> String {
        let names: Vec<&str> = self
            .inner
            .gates
            .iter()
            .filter(|(_, g)| keep(g))
            .map(|(n, _)| n.as_str())
            .collect();
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    }

    /// Opens `name` for every current and later waiter.
    pub fn release(&self, name: &str) -> Result<(), BarrierError> {
        self.gate(name)?.open.send_replace(true);
        Ok(())
    }

    /// Whether `name` has been released.
    pub fn is_released(&self, name: &str) -> bool {
        self.gate(name).is_ok_and(|g| *g.open.borrow())
    }

    /// Holds until `name` is released, at most the deadline.
    pub async fn wait(&self, name: &str) -> Result<(), BarrierError> {
        let gate = self.gate(name)?;
        gate.arrived
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        gate.holding
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let _holding = Holding(gate);
        let mut open = gate.open.subscribe();
        let opened = tokio::time::timeout(self.inner.deadline, open.wait_for(|o| *o))
            .await
            .map(|r| r.is_ok());
        match opened {
            Ok(true) => Ok(()),
            // The sender lives as long as `self`; a closed channel cannot happen
            // while we hold it, but treat it as the deadline rather than panic.
            Ok(false) | Err(_) => {
                let e = BarrierError::Deadline {
                    name: name.to_string(),
                    waited_ms: self.inner.deadline.as_millis(),
                    released: self.list(|g| *g.open.borrow()),
                };
                match self.inner.expired.lock() {
                    Ok(mut v) => v.push(e.clone()),
                    Err(p) => p.into_inner().push(e.clone()),
                }
                Err(e)
            }
        }
    }

    /// How many waits on `name` have begun so far, released or not (0 for
    /// an unknown name): a program has reached the barrier once this grows.
    pub fn arrivals(&self, name: &str) -> usize {
        self.gate(name)
            .map_or(0, |g| g.arrived.load(std::sync::atomic::Ordering::SeqCst))
    }

    /// Barriers that programs hold at right now, with how many: what a
    /// timed-out step reports, since a program held there may be why.
    pub fn held(&self) -> Vec<(String, usize)> {
        self.inner
            .gates
            .iter()
            .filter(|(_, g)| !*g.open.borrow())
            .map(|(n, g)| {
                (
                    n.clone(),
                    g.holding.load(std::sync::atomic::Ordering::SeqCst),
                )
            })
            .filter(|(_, k)| *k > 0)
            .collect()
    }

    /// Every wait that hit its deadline so far.
    pub fn expired(&self) -> Vec<BarrierError> {
        match self.inner.expired.lock() {
            Ok(v) => v.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_wait_holds_until_the_release_and_a_released_barrier_stays_open() {
        let b = Barriers::new(["go"], Duration::from_secs(10));
        let waiter = tokio::spawn({
            let b = b.clone();
            async move { b.wait("go").await }
        });
        // However often the waiter is polled, only the release lets it through.
        for _ in 0..100 {
            tokio::task::yield_now().await;
        }
        assert!(!waiter.is_finished(), "held before the release");
        assert_eq!(b.held(), vec![("go".to_string(), 1)]);
        assert_eq!(b.arrivals("go"), 1);
        b.release("go").expect("known barrier");
        assert_eq!(waiter.await.expect("joined"), Ok(()));
        assert_eq!(b.wait("go").await, Ok(()), "later waits pass at once");
        assert!(b.held().is_empty());
        assert_eq!(
            b.arrivals("go"),
            2,
            "a wait that passes at once still arrived"
        );
        assert!(b.expired().is_empty());
    }

    #[test]
    fn a_hold_may_outlast_every_step_after_it() {
        let step = Duration::from_secs(20);
        assert_eq!(hold_deadline(step, 0), Duration::from_secs(40));
        assert_eq!(hold_deadline(step, 18), Duration::from_secs(400));
        assert_eq!(hold_deadline(Duration::MAX, 3), Duration::MAX);
    }

    #[tokio::test]
    async fn a_wait_past_the_deadline_names_the_barrier_and_is_kept_for_the_report() {
        let b = Barriers::new(["go", "other"], Duration::from_millis(30));
        b.release("other").expect("known");
        let e = b.wait("go").await.expect_err("nobody releases it");
        assert_eq!(
            e.to_string(),
            "barrier 'go' was not released within 30 ms (released so far: other)"
        );
        assert_eq!(b.expired(), vec![e]);
    }

    #[tokio::test]
    async fn an_unknown_barrier_is_an_error_naming_the_known_ones() {
        let b = Barriers::new(["a", "b"], Duration::from_secs(1));
        let e = b.wait("c").await.expect_err("unknown");
        assert_eq!(
            e.to_string(),
            "no barrier 'c' in this scenario; known: a, b"
        );
        assert!(b.release("c").is_err());
    }
}
