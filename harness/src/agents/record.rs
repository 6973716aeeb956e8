//! What the scripted agents saw and did, as plain data: every dispatch they
//! received (all headers, the body) and every nested call they made (the
//! input sent, the child execution id and any replay-hit header).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;

/// One request the control plane sent to an agent.
#[derive(Clone, Debug)]
pub struct Dispatch {
    /// Scenario agent name.
    pub agent: String,
    /// Reasoner name from the URL.
    pub reasoner: String,
    /// Every header, names lower-cased.
    pub headers: BTreeMap<String, String>,
    /// The body as received.
    pub body: Value,
}

impl Dispatch {
    /// A header by lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

/// One nested call an agent made through the control plane.
#[derive(Clone, Debug)]
pub struct OutCall {
    /// Execution the call was made from.
    pub from_execution: String,
    /// `node.reasoner` as sent.
    pub target: String,
    /// The input sent.
    pub input: Value,
    /// Child execution id from the response, if any.
    pub child_execution: Option<String>,
    /// `X-AgentField-Replay-Hit` on the submit response.
    pub replay_hit: Option<String>,
    /// HTTP status of the submit.
    pub status: u16,
}

/// Shared, append-only log of all agents of one scenario.
#[derive(Clone, Default)]
pub struct Recorder {
    inner: Arc<Mutex<Log>>,
}

/// A snapshot of the log.
#[derive(Clone, Debug, Default)]
pub struct Log {
    /// Dispatches in arrival order.
    pub dispatches: Vec<Dispatch>,
    /// Nested calls in submission order.
    pub calls: Vec<OutCall>,
}

impl Recorder {
    fn lock(&self) -> std::sync::MutexGuard<'_, Log> {
        match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Appends a dispatch.
    pub fn dispatch(&self, d: Dispatch) {
        self.lock().dispatches.push(d);
    }

    /// Appends a nested call.
    pub fn call(&self, c: OutCall) {
        self.lock().calls.push(c);
    }

    /// A copy of everything recorded so far.
    pub fn snapshot(&self) -> Log {
        self.lock().clone()
    }
}
