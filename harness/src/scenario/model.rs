//! The scenario model: plain data, produced by `load` and consumed by the
//! runner and the scripted agents. Every step and reasoner op keeps the
//! location it was written at, so a failure can point back into the file.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::Deserialize;

use super::steps::Step;
use super::view::View;
use serde_json::Value;

/// A place in a scenario file, printed `file:line:col`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// Path of the file as given to the loader.
    pub file: Arc<str>,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A value together with where it was written.
#[derive(Clone, Debug)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Where the value starts in its file.
    pub loc: Location,
    /// Its JSON pointer in the file, so a check can point at one of its fields.
    pub(crate) ptr: String,
}

/// One validated scenario file.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// File stem; names the trial and the snapshots.
    pub name: String,
    /// The first comment line of the file: which contract rules it guards.
    pub guards: String,
    /// Capabilities the target must have; otherwise the scenario is skipped.
    pub requires: Vec<String>,
    /// Agent traits with which the scenario cannot hold its goldens, each with
    /// the reason it is reported skipped for, never passed
    /// (fixtures/agents/PROTOCOL.md §7): `interpreter`, `serve`, or an SDK
    /// trait of fixtures/agents/sdk-versions.txt.
    pub not_with: BTreeMap<String, String>,
    /// Agent nodes by scenario name (the node id on the target gets a unique suffix).
    pub agents: BTreeMap<String, AgentSpec>,
    /// LLM stubs by name.
    pub llm: BTreeMap<String, LlmProgram>,
    /// The steps, in order.
    pub steps: Vec<Located<Step>>,
    /// Views to snapshot, in order.
    pub snapshot: Vec<View>,
    /// Deadline for every wait in this scenario.
    pub timeout_ms: u64,
}

/// How a scripted agent answers a dispatch.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AgentMode {
    /// Runs the reasoner and answers 200 with the result (500 on failure), like
    /// the upstream functional-test agents.
    #[default]
    Inline,
    /// Answers 202 at once and reports through the status callback.
    Async,
    /// Like `async`, and also posts the workflow events an SDK agent in serve
    /// mode sends (agent-protocol §3.5): `running` with the raw input at start,
    /// then the terminal event before the status callback.
    Serve,
}

/// A known SDK bug a scripted agent can reproduce, to prove the suite catches it.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SdkBug {
    /// Sends the inherited `X-Parent-Execution-ID` instead of the current execution (SDK <= 0.1.20).
    InheritedParent,
    /// Does not forward the `X-AgentField-Replay-*` headers (SDK <= 0.1.91).
    DropReplayHeaders,
}

/// How a real Python SDK agent runs (agent-protocol §7.3).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PythonMode {
    /// Registered, then `agentfield_server = None`: reasoners answer inline
    /// 200/500, no heartbeats, no workflow events (the upstream functional tests).
    Functional,
    /// `app.run()`: 202 + status callback, heartbeats, workflow events.
    Serve,
}

impl PythonMode {
    /// The value the fixture reads from `AFC_MODE`.
    pub fn as_str(self) -> &'static str {
        match self {
            PythonMode::Functional => "functional",
            PythonMode::Serve => "serve",
        }
    }
}

/// A node played by a Python file that uses the real PyPI `agentfield` SDK.
#[derive(Clone, Debug)]
pub struct PythonAgent {
    /// The file as written, relative to the workspace root.
    pub script: String,
    /// Functional or serve mode.
    pub mode: PythonMode,
    /// Where `python:` was written; the script is looked up from this file's folder upwards.
    pub loc: Location,
}

/// One agent node.
#[derive(Clone, Debug)]
pub struct AgentSpec {
    /// A real SDK agent instead of a scripted one; then `reasoners` is empty
    /// and `mode`, `bugs` and `llm_timeout_ms` do not apply.
    pub python: Option<PythonAgent>,
    /// Inline (200) or async (202 + status callback).
    pub mode: AgentMode,
    /// SDK bugs switched on.
    pub bugs: Vec<SdkBug>,
    /// Reasoner programs by reasoner name.
    pub reasoners: BTreeMap<String, Vec<Located<Op>>>,
    /// How long an LLM call may take before the agent gives up.
    pub llm_timeout_ms: u64,
}

/// One instruction of a reasoner program.
#[derive(Clone, Debug)]
pub enum Op {
    /// A nested call through the control plane.
    Call(Call),
    /// Calls run concurrently; all are awaited; the results bind as a list.
    Parallel {
        /// The calls.
        calls: Vec<Call>,
        /// Name the list of results is bound to.
        bind: String,
    },
    /// A chat completion against an LLM stub; the reply text is bound.
    Llm {
        /// Stub name.
        stub: String,
        /// Name the reply text is bound to.
        bind: String,
    },
    /// Make the reasoner fail.
    Fail(Fail),
    /// Wait, as a programmed fault (never to order events: see `Wait`).
    Sleep(u64),
    /// Hold until a scenario step releases the named barrier.
    Wait(String),
    /// Finish with a value built from the template.
    Return(Value),
}

/// A nested call.
#[derive(Clone, Debug)]
pub struct Call {
    /// Scenario agent name of the callee.
    pub agent: String,
    /// Reasoner name of the callee.
    pub reasoner: String,
    /// Input template.
    pub input: Value,
    /// Name the result is bound to.
    pub bind: String,
    /// Use the sync execute endpoint instead of async + poll.
    pub sync: bool,
    /// Wait this many milliseconds before submitting: a programmed latency,
    /// never an order (use `after`).
    pub delay_ms: u64,
    /// Submit only once this barrier is released: how parallel siblings are ordered.
    pub after: Option<String>,
    /// Where the `call:` target was written.
    pub loc: Location,
    /// The call's JSON pointer in the file (its input's places are under it).
    pub(crate) ptr: String,
}

/// When a `fail` op fails.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FailWhen {
    /// Every time.
    Always,
    /// The first N times this op is reached in the scenario.
    Times(u32),
    /// Whenever the dispatch carries no replay source header.
    UnlessReplay,
}

/// A programmed failure.
#[derive(Clone, Debug)]
pub struct Fail {
    /// When it fails.
    pub when: FailWhen,
    /// The error message.
    pub message: String,
    /// HTTP status of the inline answer (default 500).
    pub status: u16,
}

/// What an LLM stub does, per call.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LlmProgram {
    /// Text of a successful reply.
    #[serde(default = "default_reply")]
    pub reply: String,
    /// Answer this HTTP status instead of a reply.
    #[serde(default)]
    pub status: Option<u16>,
    /// With status 429: the Retry-After value in seconds.
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// Delay every answer by this many milliseconds.
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// Fail (with `status`, default 500) only the first N calls, then reply.
    #[serde(default)]
    pub fail_first: Option<u32>,
}

fn default_reply() -> String {
    "ok".to_string()
}
