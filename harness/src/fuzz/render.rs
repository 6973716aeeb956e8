//! A case rendered as a scenario file: the agents' programs, the LLM stubs,
//! and one scenario step per case step, with the model's expected answers.

use serde_json::{json, Map, Value};

use super::case::{Agent, CallSpec, Case, CaseStep, Op, RestartPlan, HOLD};

impl Case {
    /// The scenario file: `expect`/`status` values come from `statuses`
    /// (step index → expected value), so the file checks itself once promoted.
    pub fn to_yaml(&self, header: &str, statuses: &[Option<Value>]) -> String {
        let mut out = String::new();
        for line in header.lines() {
            out.push_str(&format!("# {line}\n"));
        }
        out.push_str("agents:\n");
        let (used_nodes, used_leaves) = self.used();
        let holds = self.steps.iter().any(|s| matches!(s, CaseStep::Hold));
        for agent in [Agent::A, Agent::B, Agent::H] {
            let mut progs: Vec<(String, Value)> = Vec::new();
            if agent == Agent::H && holds {
                progs.push((
                    HOLD.into(),
                    json!([{"wait": "never"}, {"return": {"held": true}}]),
                ));
            }
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
            if agent != Agent::A {
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
        for i in 0..self.steps.len() {
            let expect = statuses.get(i).cloned().flatten();
            out.push_str(&format!("  - {}\n", Value::Object(self.step(i, expect))));
            if self.restarts_held(&self.steps[i]) {
                // Its root is dispatched and holds: every held root so far reached `h`.
                let count = self.steps[..=i]
                    .iter()
                    .filter(|s| matches!(s, CaseStep::Hold) || self.restarts_held(s))
                    .count();
                let wait = json!({"await_dispatch": format!("h.{HOLD}"), "count": count});
                out.push_str(&format!("  - {wait}\n"));
            }
        }
        out.push_str("snapshot: [provenance, lineage, headers, responses]\n");
        out
    }

    /// Per step of the rendered file, the case step it renders (`None` for
    /// the `await_dispatch` that follows a restart of a held run).
    pub fn rendered_steps(&self) -> Vec<Option<usize>> {
        let mut out = Vec::new();
        for (i, s) in self.steps.iter().enumerate() {
            out.push(Some(i));
            if self.restarts_held(s) {
                out.push(None);
            }
        }
        out
    }

    /// A restart or fork of a held run's root (`runN/h.hold`).
    fn restarts_held(&self, step: &CaseStep) -> bool {
        matches!(step, CaseStep::Restart(r) if r.from.ends_with(&format!("/h.{HOLD}")))
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

    fn step(&self, i: usize, expect: Option<Value>) -> Map<String, Value> {
        let step = &self.steps[i];
        // Each held root gets its own input: 1 for the first `Hold`, 2 for the second...
        let hold_number = self.steps[..=i]
            .iter()
            .filter(|s| matches!(s, CaseStep::Hold))
            .count();
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
            CaseStep::Restart(r) if spelled_raw(r) => {
                // Blank or padded values are outside the scenario schema's
                // vocabulary: the whole body goes as raw_body.
                put("restart", json!(r.from));
                put("raw_body", json!(raw_restart_body(r)));
                if self.restarts_held(step) {
                    put("wait", json!(false));
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
                if self.restarts_held(step) {
                    put("wait", json!(false));
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
            CaseStep::Hold => {
                put("run", json!(format!("h.{HOLD}")));
                put("input", json!({ "hold": hold_number }));
                put("wait", json!("dispatched"));
            }
            CaseStep::Callback { run, status } => {
                put(
                    "request",
                    json!(format!("POST /api/v1/executions/{{{run}/h.{HOLD}}}/status")),
                );
                put("body", json!({ "status": status }));
                put("status", expect.unwrap_or(json!(200)));
            }
            CaseStep::Down(a) => put("down", json!(a.name())),
            CaseStep::Up(a) => put("up", json!(a.name())),
        }
        m
    }
}

/// Whether a restart's `scope` or `reuse` is spelled outside the schema's
/// vocabulary (blank or padded, contract §1.2), so it needs a raw body.
fn spelled_raw(r: &RestartPlan) -> bool {
    const WORDS: [&str; 5] = [
        "workflow",
        "execution",
        "succeeded-before",
        "all-succeeded",
        "none",
    ];
    [&r.scope, &r.reuse]
        .into_iter()
        .flatten()
        .any(|v| !WORDS.contains(&v.as_str()))
}

/// The restart body a `restart:` step would send, as JSON text.
fn raw_restart_body(r: &RestartPlan) -> String {
    let mut body = Map::new();
    for (k, v) in [("scope", &r.scope), ("reuse", &r.reuse)] {
        if let Some(v) = v {
            body.insert(k.into(), json!(v));
        }
    }
    if r.fork {
        body.insert("fork".into(), json!(true));
    }
    for (k, v) in [("input", &r.input), ("context", &r.context)] {
        if let Some(v) = v {
            body.insert(k.into(), v.clone());
        }
    }
    Value::Object(body).to_string()
}
