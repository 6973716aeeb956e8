//! One generated case as plain data, and its rendering as a scenario file.
//!
//! A case is kept in this small form (nodes, leaves, steps) rather than as a
//! `Scenario`, because the shrinker edits it and the model reads it; it
//! becomes an ordinary scenario by rendering YAML and loading that with the
//! normal loader, so a case that passes here is a file anyone can promote.

use serde_json::Value;

/// The two scripted agents a case may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Agent {
    /// Answers inline: 200 with the result, 5xx on failure.
    A,
    /// Answers 202 and reports through the status callback.
    B,
    /// Answers 202 and holds its one reasoner, `hold`, at a barrier nothing
    /// releases: its runs move only by the case's status callbacks.
    H,
}

impl Agent {
    /// The scenario name of the agent.
    pub fn name(self) -> &'static str {
        match self {
            Agent::A => "a",
            Agent::B => "b",
            Agent::H => "h",
        }
    }
}

/// A reasoner with a program of calls: `n0` is the root.
#[derive(Clone, Debug)]
pub struct Node {
    /// The agent that hosts it.
    pub agent: Agent,
    /// Its program, in order; a `return` of its input closes it.
    pub ops: Vec<Op>,
}

/// A reasoner without calls (`l0`, `l1`...), called from anywhere, repeatedly.
#[derive(Clone, Debug)]
pub struct Leaf {
    /// The agent that hosts it.
    pub agent: Agent,
}

/// Who a call reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Callee {
    /// Node `n<i>`.
    Node(usize),
    /// Leaf `l<i>`.
    Leaf(usize),
}

/// One nested call: callee and input template (`"$input.v"` passes the caller's `v`).
#[derive(Clone, Debug)]
pub struct CallSpec {
    /// The callee.
    pub callee: Callee,
    /// Input template.
    pub input: Value,
}

/// One instruction of a node's program.
#[derive(Clone, Debug)]
pub enum Op {
    /// A call, awaited before the next op.
    Call(CallSpec),
    /// Calls made concurrently, all awaited.
    Par(Vec<CallSpec>),
    /// `fail: unless_replay` with this HTTP status (500: a raise; other: a 5xx).
    Fail(u16),
    /// A call of LLM stub `s<i>`.
    Llm(usize),
}

/// An LLM stub that fails its first call with `status`, then replies.
#[derive(Clone, Copy, Debug)]
pub struct Stub {
    /// 500 or 429.
    pub status: u16,
}

/// A restart or fork request.
#[derive(Clone, Debug)]
pub struct RestartPlan {
    /// Execution alias to restart from.
    pub from: String,
    /// `scope`, when sent.
    pub scope: Option<String>,
    /// `reuse`, when sent.
    pub reuse: Option<String>,
    /// `fork: true`.
    pub fork: bool,
    /// `input` override (`Some(Null)` sends null).
    pub input: Option<Value>,
    /// `context` override.
    pub context: Option<Value>,
}

/// A direct execute request, with whatever replay headers it carries.
#[derive(Clone, Debug)]
pub struct RawRequest {
    /// Target agent.
    pub agent: Agent,
    /// Target reasoner name.
    pub reasoner: String,
    /// Run alias for `X-Run-ID`.
    pub run: String,
    /// Execution alias for `X-Parent-Execution-ID` (the only parent header sent).
    pub parent: String,
    /// `X-AgentField-Replay-Source-Run-ID` (a run alias).
    pub source: Option<String>,
    /// `X-AgentField-Replay-Before-Execution-ID` (an execution alias).
    pub before: Option<String>,
    /// `X-AgentField-Replay-Mode`.
    pub mode: Option<String>,
    /// Body `input`.
    pub input: Value,
    /// Body `context`, when sent.
    pub context: Option<Value>,
    /// `/execute` (true) or `/execute/async`.
    pub sync: bool,
}

/// One step of a case.
#[derive(Clone, Debug)]
pub enum CaseStep {
    /// Run `n0` with this input and context; waits.
    Run {
        /// Body `input`.
        input: Value,
        /// Body `context`.
        context: Option<Value>,
    },
    /// Restart or fork; waits.
    Restart(RestartPlan),
    /// Save a run (alias) as golden.
    Golden(String),
    /// A raw execute request.
    Raw(RawRequest),
    /// Stop an agent listening.
    Down(Agent),
    /// Bring it back.
    Up(Agent),
    /// Start `h.hold` and wait only until its dispatch reached the agent:
    /// the run stays `running` until a callback moves it.
    Hold,
    /// `POST /api/v1/executions/{runN/h.hold}/status` with this `status`
    /// spelling (an alias or the canonical name).
    Callback {
        /// The held run (alias).
        run: String,
        /// The `status` sent.
        status: String,
    },
}

/// The reasoner of agent `h`.
pub const HOLD: &str = "hold";

/// A whole generated case.
#[derive(Clone, Debug)]
pub struct Case {
    /// The seed it was generated from (kept through shrinking).
    pub seed: u64,
    /// Nodes; `n0` is the root of every `Run`.
    pub nodes: Vec<Node>,
    /// Leaves.
    pub leaves: Vec<Leaf>,
    /// LLM stubs.
    pub stubs: Vec<Stub>,
    /// Steps.
    pub steps: Vec<CaseStep>,
}

impl Case {
    /// The agent and reasoner name a callee stands for.
    pub fn callee(&self, c: Callee) -> (Agent, String) {
        match c {
            Callee::Node(i) => (self.nodes[i].agent, format!("n{i}")),
            Callee::Leaf(i) => (self.leaves[i].agent, format!("l{i}")),
        }
    }

    /// The reasoners the rendered file defines: those reachable from `n0` or
    /// from a raw request's target.
    pub fn used(&self) -> (Vec<bool>, Vec<bool>) {
        let mut nodes = vec![false; self.nodes.len()];
        let mut leaves = vec![false; self.leaves.len()];
        let mut todo = vec![0usize];
        for s in &self.steps {
            if let CaseStep::Raw(r) = s {
                if let Some(i) = r.reasoner.strip_prefix('n').and_then(|i| i.parse().ok()) {
                    todo.push(i);
                }
                if let Some(i) = r
                    .reasoner
                    .strip_prefix('l')
                    .and_then(|i| i.parse::<usize>().ok())
                {
                    if let Some(l) = leaves.get_mut(i) {
                        *l = true;
                    }
                }
            }
        }
        while let Some(n) = todo.pop() {
            if n >= nodes.len() || nodes[n] {
                continue;
            }
            nodes[n] = true;
            for op in &self.nodes[n].ops {
                let calls: Vec<&CallSpec> = match op {
                    Op::Call(c) => vec![c],
                    Op::Par(cs) => cs.iter().collect(),
                    _ => vec![],
                };
                for c in calls {
                    match c.callee {
                        Callee::Node(i) => todo.push(i),
                        Callee::Leaf(i) => leaves[i] = true,
                    }
                }
            }
        }
        (nodes, leaves)
    }

    /// How many reasoners the rendered file defines.
    pub fn reasoner_count(&self) -> usize {
        let (n, l) = self.used();
        let holds = self.steps.iter().any(|s| matches!(s, CaseStep::Hold));
        n.iter().chain(&l).filter(|u| **u).count() + usize::from(holds)
    }
}
