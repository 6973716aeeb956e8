//! afc: the conformance harness for AgentField workflow restart, fork and replay reuse.
//!
//! A scenario file declares agents, LLM stubs and steps; the runner drives them
//! against a control plane over HTTP, observes what happened through the read
//! API, and the suite compares the normalised views with reviewed goldens.
//!
//! The modules, each with one job:
//!
//! - [`text`]: small text helpers (clipping) that any layer may use.
//! - [`serving`]: an axum app served in the background until told to stop
//!   (agents, their proxies, barriers).
//! - [`client`]: the one way anything reaches a control plane (HTTP).
//! - [`barrier`]: named barriers that order events across agents without a clock.
//! - [`scenario`]: the file format: model, loader, schema and semantic checks.
//! - [`llm`]: wiremock LLM stubs, one server per scenario.
//! - [`agents`]: scripted agents (real HTTP servers running scenario programs)
//!   and real SDK agents behind recording proxies.
//! - [`trial`]: skips as `ignored (reason)` for the libtest-mimic test binaries.
//! - [`observe`]: reads a finished scenario back and builds the views.
//! - [`target`]: where the control plane comes from (embedded, URL, image) and
//!   its profile.
//! - [`reference`]: the reference control plane (`afc serve`, the embedded target).
//! - [`runner`]: executes one scenario's steps against a target.
//! - [`suite`]: discovery, running a case, insta comparison; shared by
//!   `cargo test --test scenarios` and `afc run`.
//! - [`fuzz`]: `afc fuzz`: generated scenarios judged by a model of the contract
//!   written apart from the reference.
//! - [`report`]: the summary table, JUnit, HTML, CONFORMANCE.md, the JSON
//!   events of `afc run --format json` and the exit codes.
//! - [`bench`]: `afc bench`.
//! - [`cli`]: `afc`'s arguments (clap structs with their help texts) and their
//!   conversions to the library's config types; the binary only dispatches
//!   and prints.
//!
//! Dependencies run one way, down these layers (nothing imports upward; the
//! test `tests/checks/layering.rs` holds this map as data and fails on an
//! upward path): `text` and `serving`; `client` and `barrier`; `scenario`; `llm` and
//! `agents` (and `trial`); `observe`; `target` (which starts the `reference`,
//! itself importing nothing else of the crate and reached by the rest only over
//! HTTP); `runner`; `suite`; `fuzz`; `report` (which shows the fuzz
//! pass) and `bench`; `cli`, below nothing but the binary.
#![warn(missing_docs)]

pub mod agents;
pub mod barrier;
pub mod bench;
pub mod cli;
pub mod client;
pub mod fuzz;
pub mod llm;
pub mod observe;
pub mod reference;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod serving;
pub mod suite;
pub mod target;
pub mod text;
pub mod trial;
