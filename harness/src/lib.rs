//! afc: the conformance harness for AgentField workflow restart, fork and replay reuse.
#![warn(missing_docs)]

pub mod reference;
pub mod scenario;
