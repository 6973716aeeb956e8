//! One generated case as plain data, and its rendering as a scenario file.
//!
//! A case is kept in this small form (nodes, leaves, steps) rather than as a
//! `Scenario`, because the shrinker edits it and the model reads it; it
//! becomes an ordinary scenario by rendering YAML and loading that with the
//! normal loader, so a case that passes here is a file anyone can promote.

use serde_json::{json, Map, Value};

/// The two scripted agents a case may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Agent {
    /// Answers inline: 200 with the result, 5xx on failure.
    A,
    /// Answers 202 and reports through the status callback.
    B,
}

impl Agent {
    /// The scenario name of the agent.
    pub fn name(self) -> &'static str {
        match self {
            Agent::A => "a",
            Agent::B => "b",
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
}

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
        n.iter().chain(&l).filter(|u| **u).count()
    }

    /// The scenario file: `expect`/`status` values come from `statuses`
    /// (step index → expected value), so the file checks itself once promoted.
    pub fn to_yaml(&self, header: &str, statuses: &[Option<Value>]) -> String {
        let mut out = String::new();
        for line in header.lines() {
            out.push_str(&format!("# {line}\n"));
        }
        out.push_str("agents:\n");
        let (used_nodes, used_leaves) = self.used();
        for agent in [Agent::A, Agent::B] {
            let mut progs: Vec<(String, Value)> = Vec::new();
            for (i, n) in self.nodes.iter().enumerate() {
                if n.agent == agent && used_nodes[i] {
                    progs.push((format!("n{i}"), Value::Array(self.program(i))));
                }
            }
            for (i, l) in self.leaves.iter().enumerate() {
                if l.agent == agent && used_leaves[i] {
                    let ret = json!([{"return": {"leaf": i, "in": "$input"}}]);
                    progs.push((format!("l{i}"), ret));
                }
            }
            if progs.is_empty() {
                continue;
            }
            out.push_str(&format!("  {}:\n", agent.name()));
            if agent == Agent::B {
                out.push_str("    mode: async\n");
            }
            out.push_str("    reasoners:\n");
            for (name, ops) in progs {
                out.push_str(&format!("      {name}:\n"));
                for op in ops.as_array().into_iter().flatten() {
                    out.push_str(&format!("        - {op}\n"));
                }
            }
        }
        if !self.stubs.is_empty() {
            out.push_str("llm:\n");
            for (i, s) in self.stubs.iter().enumerate() {
                out.push_str(&format!(
                    "  s{i}: {}\n",
                    json!({"status": s.status, "fail_first": 1})
                ));
            }
        }
        out.push_str("steps:\n");
        for (i, step) in self.steps.iter().enumerate() {
            let expect = statuses.get(i).cloned().flatten();
            out.push_str(&format!("  - {}\n", Value::Object(self.step(step, expect))));
        }
        out.push_str("snapshot: [provenance, lineage, headers, responses]\n");
        out
    }

    fn call(&self, c: &CallSpec, bind: Option<String>) -> Value {
        let (agent, name) = self.callee(c.callee);
        let mut m = Map::new();
        m.insert("call".into(), json!(format!("{}.{name}", agent.name())));
        m.insert("input".into(), c.input.clone());
        if let Some(b) = bind {
            m.insert("as".into(), json!(b));
        }
        Value::Object(m)
    }

    fn program(&self, node: usize) -> Vec<Value> {
        let mut ops = Vec::new();
        for (k, op) in self.nodes[node].ops.iter().enumerate() {
            ops.push(match op {
                Op::Call(c) => self.call(c, Some(format!("c{k}"))),
                Op::Par(cs) => json!({
                    "parallel": cs.iter().map(|c| self.call(c, None)).collect::<Vec<_>>(),
                    "as": format!("p{k}"),
                }),
                Op::Fail(status) => json!({"fail": "unless_replay", "status": status}),
                Op::Llm(s) => json!({"llm": format!("s{s}"), "as": format!("m{k}")}),
            });
        }
        ops.push(json!({"return": {"node": node, "in": "$input"}}));
        ops
    }

    fn step(&self, step: &CaseStep, expect: Option<Value>) -> Map<String, Value> {
        let mut m = Map::new();
        let mut put = |k: &str, v: Value| {
            m.insert(k.to_string(), v);
        };
        match step {
            CaseStep::Run { input, context } => {
                put("run", json!("a.n0"));
                put("input", input.clone());
                if let Some(c) = context {
                    put("context", c.clone());
                }
                if let Some(e) = expect {
                    put("expect", e);
                }
            }
            CaseStep::Restart(r) => {
                put(if r.fork { "fork" } else { "restart" }, json!(r.from));
                for (k, v) in [("scope", &r.scope), ("reuse", &r.reuse)] {
                    if let Some(v) = v {
                        put(k, json!(v));
                    }
                }
                for (k, v) in [("input", &r.input), ("context", &r.context)] {
                    if let Some(v) = v {
                        put(k, v.clone());
                    }
                }
                if let Some(e) = expect {
                    put("expect", e);
                }
            }
            CaseStep::Golden(run) => {
                put("golden", json!(run));
                if let Some(e) = expect {
                    put("status", e);
                }
            }
            CaseStep::Raw(r) => {
                let kind = if r.sync { "" } else { "async/" };
                let path = format!(
                    "POST /api/v1/execute/{kind}{{node:{}}}.{}",
                    r.agent.name(),
                    r.reasoner
                );
                put("request", json!(path));
                let mut h = Map::new();
                h.insert("X-Run-ID".into(), json!(format!("{{{}}}", r.run)));
                h.insert(
                    "X-Parent-Execution-ID".into(),
                    json!(format!("{{{}}}", r.parent)),
                );
                if let Some(s) = &r.source {
                    h.insert(
                        "X-AgentField-Replay-Source-Run-ID".into(),
                        json!(format!("{{{s}}}")),
                    );
                }
                if let Some(b) = &r.before {
                    h.insert(
                        "X-AgentField-Replay-Before-Execution-ID".into(),
                        json!(format!("{{{b}}}")),
                    );
                }
                if let Some(mode) = &r.mode {
                    h.insert("X-AgentField-Replay-Mode".into(), json!(mode));
                }
                put("headers", Value::Object(h));
                let mut body = json!({"input": r.input});
                if let Some(c) = &r.context {
                    body["context"] = c.clone();
                }
                put("body", body);
                put("status", expect.unwrap_or(json!(200)));
            }
            CaseStep::Down(a) => put("down", json!(a.name())),
            CaseStep::Up(a) => put("up", json!(a.name())),
        }
        m
    }
}
