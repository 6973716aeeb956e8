//! Checks the schema cannot express: names that must refer to something
//! declared elsewhere in the file. Works on the JSON (for positions) with the
//! built model at hand (for the declared names).

use std::collections::BTreeSet;

use serde_json::Value;

use super::load::Problems;
use super::model::{RunWait, Scenario, Step};
use super::yaml::escape;

pub(crate) fn check(s: &Scenario, v: &Value, p: &mut Problems<'_>) {
    check_programs(s, v, p);
    check_steps(s, v, p);
    check_requires(s, p);
    super::barriers::check(s, p);
}

fn check_requires(s: &Scenario, p: &mut Problems<'_>) {
    for (i, name) in s.requires.iter().enumerate() {
        if !super::is_capability(name) {
            let names = super::CAPABILITIES.iter().map(|(c, _)| c.to_string());
            p.at(
                &format!("/requires/{i}"),
                format!(
                    "unknown capability '{name}'; {}",
                    known(names.collect::<Vec<_>>().iter())
                ),
            );
        }
    }
}

fn known<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let names: Vec<&str> = names.map(String::as_str).collect();
    if names.is_empty() {
        "none declared".to_string()
    } else {
        format!("known: {}", names.join(", "))
    }
}

fn check_target(s: &Scenario, agent: &str, reasoner: &str, ptr: &str, p: &mut Problems<'_>) {
    match s.agents.get(agent) {
        None => p.at(
            ptr,
            format!("unknown agent '{agent}'; {}", known(s.agents.keys())),
        ),
        // A Python agent's reasoners are in its file; the target answers 400 for a wrong one.
        Some(a) if a.python.is_none() && !a.reasoners.contains_key(reasoner) => p.at(
            ptr,
            format!(
                "unknown reasoner '{reasoner}' on agent '{agent}'; {}",
                known(a.reasoners.keys())
            ),
        ),
        Some(_) => {}
    }
}

fn check_programs(s: &Scenario, v: &Value, p: &mut Problems<'_>) {
    let Some(agents) = v.get("agents").and_then(Value::as_object) else {
        return;
    };
    for (agent, spec) in agents {
        let Some(reasoners) = spec.get("reasoners").and_then(Value::as_object) else {
            continue;
        };
        for (reasoner, ops) in reasoners {
            let rptr = format!("/agents/{}/reasoners/{}", escape(agent), escape(reasoner));
            let mut bound: BTreeSet<String> = ["input".to_string()].into();
            for (i, op) in ops
                .as_array()
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .enumerate()
            {
                let optr = format!("{rptr}/{i}");
                check_op(s, agent, op, &optr, &mut bound, p);
            }
        }
    }
}

fn check_op(
    s: &Scenario,
    agent: &str,
    op: &Value,
    ptr: &str,
    bound: &mut BTreeSet<String>,
    p: &mut Problems<'_>,
) {
    let mut calls: Vec<(String, &Value)> = Vec::new();
    if op.get("call").is_some() {
        calls.push((ptr.to_string(), op));
    }
    if let Some(list) = op.get("parallel").and_then(Value::as_array) {
        for (j, c) in list.iter().enumerate() {
            calls.push((format!("{ptr}/parallel/{j}"), c));
        }
    }
    let mut new_names = Vec::new();
    for (cptr, c) in calls {
        let target = c.get("call").and_then(Value::as_str).unwrap_or_default();
        let (a, r) = target.split_once('.').unwrap_or((agent, target));
        check_target(s, a, r, &format!("{cptr}/call"), p);
        if let Some(input) = c.get("input") {
            check_refs(input, &format!("{cptr}/input"), bound, p);
        }
        new_names.push(c.get("as").and_then(Value::as_str).unwrap_or(r).to_string());
    }
    if let Some(stub) = op.get("llm").and_then(Value::as_str) {
        if !s.llm.contains_key(stub) {
            p.at(
                &format!("{ptr}/llm"),
                format!("unknown LLM stub '{stub}'; {}", known(s.llm.keys())),
            );
        }
        new_names.push(
            op.get("as")
                .and_then(Value::as_str)
                .unwrap_or("llm")
                .to_string(),
        );
    }
    if op.get("parallel").is_some() {
        new_names.push(
            op.get("as")
                .and_then(Value::as_str)
                .unwrap_or("parallel")
                .to_string(),
        );
    }
    if let Some(ret) = op.get("return") {
        check_refs(ret, &format!("{ptr}/return"), bound, p);
    }
    bound.extend(new_names);
}

/// Every `$name[.path]` string in a template must name an earlier binding.
fn check_refs(t: &Value, ptr: &str, bound: &BTreeSet<String>, p: &mut Problems<'_>) {
    match t {
        Value::String(s) if s.starts_with('$') => {
            let name = s[1..].split('.').next().unwrap_or_default();
            if !bound.contains(name) {
                p.at(
                    ptr,
                    format!("'{s}' names no earlier binding; {}", known(bound.iter())),
                );
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_refs(item, &format!("{ptr}/{i}"), bound, p);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                check_refs(item, &format!("{ptr}/{}", escape(k)), bound, p);
            }
        }
        _ => {}
    }
}

fn check_steps(s: &Scenario, v: &Value, p: &mut Problems<'_>) {
    let mut runs = 0usize;
    for (i, step) in s.steps.iter().enumerate() {
        let ptr = format!("/steps/{i}");
        let raw = v.pointer(&ptr).cloned().unwrap_or(Value::Null);
        match &step.value {
            Step::Run {
                agent,
                reasoner,
                headers,
                wait,
                expect,
                ..
            } => {
                check_target(s, agent, reasoner, &format!("{ptr}/run"), p);
                let texts = headers.values().map(String::as_str);
                check_placeholders(s, texts, runs, &format!("{ptr}/headers"), p);
                if *wait != RunWait::Terminal && expect.is_some() {
                    p.at(
                        &format!("{ptr}/expect"),
                        "expect needs the run to be awaited; drop `wait:` or use an `await` step",
                    );
                }
                runs += 1;
            }
            Step::Restart(r) => {
                let verb = if raw.get("fork").is_some() {
                    "fork"
                } else {
                    "restart"
                };
                check_exec_alias(s, &r.from, runs, &format!("{ptr}/{verb}"), p);
                if r.raw_body.is_some() {
                    check_raw_restart(&raw, verb, &ptr, p);
                }
                if r.status == 202 {
                    runs += 1;
                } else if r.expect.is_some() {
                    p.at(
                        &format!("{ptr}/expect"),
                        "expect needs an accepted (202) restart",
                    );
                }
            }
            Step::Wait { run, .. } => check_run_alias(run, runs, &format!("{ptr}/await"), p),
            Step::Golden { run, .. } => check_run_alias(run, runs, &format!("{ptr}/golden"), p),
            Step::Request { path, headers, .. } => {
                let texts =
                    std::iter::once(path.as_str()).chain(headers.values().map(String::as_str));
                check_placeholders(s, texts, runs, &format!("{ptr}/request"), p);
            }
            Step::Down(a) | Step::Up(a) => {
                if !s.agents.contains_key(a) {
                    let verb = if matches!(step.value, Step::Down(_)) {
                        "down"
                    } else {
                        "up"
                    };
                    p.at(
                        &format!("{ptr}/{verb}"),
                        format!("unknown agent '{a}'; {}", known(s.agents.keys())),
                    );
                }
            }
            Step::RestartControlPlane(_) => {}
            Step::AwaitDispatch {
                agent, reasoner, ..
            } => check_target(s, agent, reasoner, &format!("{ptr}/await_dispatch"), p),
            Step::Release(_) => {}
            Step::SetLlm { stub, .. } => {
                if !s.llm.contains_key(stub) {
                    p.at(
                        &format!("{ptr}/set_llm"),
                        format!("unknown LLM stub '{stub}'; {}", known(s.llm.keys())),
                    );
                }
            }
        }
    }
}

/// A restart's `raw_body` is the whole body, so the fields it replaces must be absent.
fn check_raw_restart(raw: &Value, verb: &str, ptr: &str, p: &mut Problems<'_>) {
    if verb == "fork" {
        p.at(
            &format!("{ptr}/fork"),
            "raw_body is sent as is, so `fork:` cannot add fork: true; use `restart:` and put it in raw_body",
        );
    }
    for field in ["scope", "reuse", "reason", "input", "context"] {
        if raw.get(field).is_some() {
            p.at_key(
                &format!("{ptr}/{field}"),
                format!("'{field}' is ignored next to raw_body; put it in raw_body"),
            );
        }
    }
}

/// Every placeholder must name a run or execution created before the step,
/// or (`{node:agent}`) a declared agent.
fn check_placeholders<'t>(
    s: &Scenario,
    texts: impl Iterator<Item = &'t str>,
    runs: usize,
    ptr: &str,
    p: &mut Problems<'_>,
) {
    for placeholder in texts.flat_map(placeholders) {
        if let Some(agent) = placeholder.strip_prefix(NODE_PREFIX) {
            if !s.agents.contains_key(agent) {
                p.at(
                    ptr,
                    format!(
                        "unknown agent '{agent}' in {{{placeholder}}}; {}",
                        known(s.agents.keys())
                    ),
                );
            }
        } else if placeholder.contains('/') {
            check_exec_alias(s, &placeholder, runs, ptr, p);
        } else {
            check_run_alias(&placeholder, runs, ptr, p);
        }
    }
}

/// `{node:research}` stands for the node id the agent `research` registered as.
pub const NODE_PREFIX: &str = "node:";

/// The `{alias}` and `{node:agent}` placeholders in a request path or header, in order.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push(rest[start + 1..start + len].to_string());
        rest = &rest[start + len + 1..];
    }
    out
}

fn check_run_alias(alias: &str, runs: usize, ptr: &str, p: &mut Problems<'_>) {
    let n = alias
        .strip_prefix("run")
        .and_then(|n| n.parse::<usize>().ok());
    match n {
        Some(n) if n >= 1 && n <= runs => {}
        Some(_) => p.at(
            ptr,
            format!("'{alias}' does not exist yet: {runs} run(s) were created before this step"),
        ),
        None => p.at(
            ptr,
            format!("'{alias}' is not a run alias (run1, run2, ...)"),
        ),
    }
}

fn check_exec_alias(s: &Scenario, alias: &str, runs: usize, ptr: &str, p: &mut Problems<'_>) {
    let Some((run, exec)) = alias.split_once('/') else {
        p.at(
            ptr,
            format!("'{alias}' is not an execution alias (run1/agent.reasoner[#k])"),
        );
        return;
    };
    check_run_alias(run, runs, ptr, p);
    let target = exec.split_once('#').map_or(exec, |(t, _)| t);
    match target.split_once('.') {
        Some((a, r)) => check_target(s, a, r, ptr, p),
        None => p.at(
            ptr,
            format!("'{alias}' is not an execution alias (run1/agent.reasoner[#k])"),
        ),
    }
}

#[cfg(test)]
#[path = "semantic_tests.rs"]
mod tests;
