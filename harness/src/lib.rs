//! afc: the conformance harness for AgentField workflow restart, fork and replay reuse.
//!
//! A scenario file declares agents, LLM stubs and steps; the runner drives them
//! against a control plane over HTTP, observes what happened through the read
//! API, and the suite compares the normalised views with reviewed goldens.
//!
//! The modules, each with one job:
//!
//! - [`client`]: the one way anything reaches a control plane (HTTP).
//! - [`scenario`]: the file format: model, loader, schema and semantic checks.
//! - [`llm`]: wiremock LLM stubs, one server per scenario.
//! - [`agents`]: scripted agents (real HTTP servers running scenario programs)
//!   and real Python SDK agents behind recording proxies.
//! - [`observe`]: reads a finished scenario back and builds the views.
//! - [`runner`]: executes one scenario's steps against a target.
//! - [`target`]: where the control plane comes from (embedded, URL, image) and
//!   its profile.
//! - [`reference`]: the reference control plane (`afc serve`, the embedded target).
//! - [`suite`]: discovery, running a case, insta comparison; shared by
//!   `cargo test --test scenarios` and `afc run`.
//! - [`report`]: the summary table, JUnit and CONFORMANCE.md.
//! - [`bench`]: `afc bench`.
//! - [`trial`]: skips as `ignored (reason)` for the libtest-mimic test binaries.
//!
//! Dependencies run one way, down these layers (nothing imports upward):
//! `client`; `scenario`; `llm` and `agents`; `observe`; `target` (which starts
//! the `reference`, itself importing nothing else of the crate and reached by
//! the rest only over HTTP); `runner`; `suite`; `report` and `bench`.
#![warn(missing_docs)]

pub mod agents;
pub mod barrier;
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
pub mod trial;
