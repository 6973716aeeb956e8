//! The bounded async admission of the newest contract (§1.3 steps 8 and 11;
//! V-adm, V-latest): an async execute and a restart reserve a place before
//! anything is written, and hold it until their dispatch has the agent's
//! answer (a 202 included). Upstream: `asyncWorkerPool` in
//! `handlers/execute.go` (`reserveForAdmission`, `releaseReservation`, `Stop`),
//! `workers + queue_capacity` places (`AGENTFIELD_EXEC_ASYNC_WORKERS`,
//! default max(CPUs, 16); `AGENTFIELD_EXEC_ASYNC_QUEUE_CAPACITY`, default
//! 1024); asserted by `TestExecuteAsyncHandler_QueueSaturation`,
//! `TestRestartHandler_QueueFullCarriesRetryAfter` and
//! `TestExecuteAsyncHandler_AlreadyStoppedPoolReturnsShutdownWithoutPersistence`.
//!
//! The reference runs a task per dispatch (never a fixed set of workers, so
//! nested calls cannot deadlock): the places bound what is admitted, which is
//! what a client sees; how many of them dispatch at once is not observable.
//! v0.1.96 has no such bound here (its full queue is not served).

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use serde_json::json;

use super::contract::Feature;
use super::error::ApiError;
use super::state::AppState;

/// Upstream's default worker count: the greater of the CPUs and 16.
pub fn default_workers() -> usize {
    std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1)
        .max(16)
}

/// Upstream's default queue capacity.
pub const DEFAULT_QUEUE_CAPACITY: usize = 1024;

/// The admission places of one control plane.
#[derive(Debug)]
pub struct AsyncPool {
    capacity: usize,
    state: Mutex<Places>,
}

#[derive(Debug, Default)]
struct Places {
    held: usize,
    stopped: bool,
}

/// One held place; dropping it frees the place.
#[derive(Debug)]
pub struct Reservation {
    pool: Arc<AsyncPool>,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let mut s = self.pool.lock();
        s.held = s.held.saturating_sub(1);
    }
}

/// Why a reservation was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Every place is held.
    Full,
    /// The control plane is shutting down.
    Stopped,
}

impl AsyncPool {
    /// A pool of `workers + queue_capacity` places (upstream's admission capacity).
    pub fn new(workers: usize, queue_capacity: usize) -> Arc<Self> {
        Arc::new(Self {
            capacity: workers.saturating_add(queue_capacity),
            state: Mutex::default(),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Places> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes a place, or says why not.
    pub fn reserve(self: &Arc<Self>) -> Result<Reservation, Refused> {
        let mut s = self.lock();
        if s.stopped {
            return Err(Refused::Stopped);
        }
        if s.held >= self.capacity {
            return Err(Refused::Full);
        }
        s.held += 1;
        Ok(Reservation { pool: self.clone() })
    }

    /// Refuses every later reservation (`Stop`: the shutdown path).
    pub fn stop(&self) {
        self.lock().stopped = true;
    }
}

impl Refused {
    /// The 503 of §1.3 step 8: `Retry-After: 1` and `retry_after: 1` both
    /// (`ApiError` sends the header). A full pool is categorised
    /// `concurrency_limit`, as upstream's `writeAsyncAdmissionError` does
    /// (its EXECUTE.md says `queue_full`; the normative table accepts either);
    /// a stopped one `control_plane_shutdown` (`writeExecutionError`).
    pub fn into_error(self) -> ApiError {
        let (message, category) = match self {
            Refused::Full => (
                "async execution queue is full; retry later",
                "concurrency_limit",
            ),
            Refused::Stopped => (
                "async execution queue stopped; retry later",
                "control_plane_shutdown",
            ),
        };
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            body: json!({"error": message, "error_category": category, "retry_after": 1}),
        }
    }
}

/// §1.3 step 8: a place for an async execute or a restart, taken before
/// anything is read or written; `None` on v0.1.96, which has no such step.
pub fn reserve(state: &AppState) -> Result<Option<Reservation>, ApiError> {
    if !state.config.contract.serves(Feature::AsyncQueueBound) {
        return Ok(None);
    }
    state.pool.reserve().map(Some).map_err(Refused::into_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_bounded_freed_on_drop_and_refused_once_stopped() {
        let pool = AsyncPool::new(1, 1);
        let a = pool.reserve().expect("first place");
        let b = pool.reserve().expect("second place");
        assert_eq!(pool.reserve().err(), Some(Refused::Full));
        drop(a);
        let c = pool.reserve().expect("a freed place");
        pool.stop();
        drop((b, c));
        assert_eq!(pool.reserve().err(), Some(Refused::Stopped));
        let e = Refused::Full.into_error();
        assert_eq!(e.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(e.body["retry_after"], 1);
        assert_eq!(
            Refused::Stopped.into_error().body["error_category"],
            "control_plane_shutdown"
        );
    }
}
