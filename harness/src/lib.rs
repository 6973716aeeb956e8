//! afc: the conformance harness for AgentField workflow restart, fork and replay reuse.
#![warn(missing_docs)]

pub mod agents;
pub mod bench;
pub mod client;
pub mod fuzz;
pub mod llm;
pub mod observe;
pub mod reference;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod suite;
pub mod target;
