//! Checks the schema cannot express: names that must refer to something
//! declared elsewhere in the file. They walk the built model: targets,
//! binding names and defaults are the builder's, read once; each node carries
//! its place in the file, so a problem points at the field it is about.
//!
//! A node the builder could not make (a misspelt step or op kind) is missing
//! from the model; what follows it is then checked leniently, so the one
//! mistake is reported once, not again as every alias or binding it hides.

use std::collections::BTreeSet;

use serde_json::Value;

use super::load::Problems;
use super::model::{Call, Located, Op, Scenario};
use super::placeholders::{placeholders, NODE_PREFIX};
use super::yaml::escape;

pub(crate) fn check(s: &Scenario, p: &mut Problems<'_>) {
    for agent in s.agents.values() {
        for ops in agent.reasoners.values() {
            check_program(s, ops, p);
        }
    }
    check_steps(s, p);
    check_requires(s, p);
    super::barriers::check(s, p);
}

/// The position of a node among its siblings, from its pointer's last segment.
fn index(ptr: &str) -> usize {
    ptr.rsplit('/')
        .next()
        .and_then(|i| i.parse().ok())
        .unwrap_or(0)
}

fn check_requires(s: &Scenario, p: &mut Problems<'_>) {
    for (i, name) in s.requires.iter().enumerate() {
        let agent = name.strip_prefix("agent.").map(super::is_agent_capability);
        if !agent.unwrap_or_else(|| super::is_capability(name)) {
            let agents = super::AGENT_CAPABILITIES
                .iter()
                .map(|(c, _)| format!("agent.{c}"));
            let names = super::CAPABILITIES
                .iter()
                .map(|(c, _)| c.to_string())
                .chain(agents);
            p.at(
                &format!("/requires/{i}"),
                format!(
                    "unknown capability '{name}'; {}",
                    known(name, names.collect::<Vec<_>>().iter())
                ),
            );
        }
    }
}

/// The names `bad` could have meant: the closest first, when one is close.
fn known<'a>(bad: &str, names: impl Iterator<Item = &'a String>) -> String {
    let names: Vec<&str> = names.map(String::as_str).collect();
    if names.is_empty() {
        return "none declared".to_string();
    }
    let hint = super::suggest::closest(bad, names.iter().copied())
        .map_or_else(String::new, |k| format!("did you mean '{k}'? "));
    format!("{hint}known: {}", names.join(", "))
}

fn check_target(s: &Scenario, agent: &str, reasoner: &str, ptr: &str, p: &mut Problems<'_>) {
    let loc = p.loc(ptr);
    check_target_at(s, agent, reasoner, &loc, p);
}

fn check_target_at(
    s: &Scenario,
    agent: &str,
    reasoner: &str,
    loc: &super::Location,
    p: &mut Problems<'_>,
) {
    match s.agents.get(agent) {
        None => p.at_loc(
            loc,
            format!("unknown agent '{agent}'; {}", known(agent, s.agents.keys())),
        ),
        // A Python agent's reasoners are in its file; the target answers 400 for a wrong one.
        Some(a) if a.python.is_none() && !a.reasoners.contains_key(reasoner) => p.at_loc(
            loc,
            format!(
                "unknown reasoner '{reasoner}' on agent '{agent}'; {}",
                known(reasoner, a.reasoners.keys())
            ),
        ),
        Some(_) => {}
    }
}

/// One reasoner program: call targets, stubs, and bindings used before they exist.
fn check_program(s: &Scenario, ops: &[Located<Op>], p: &mut Problems<'_>) {
    let mut bound: BTreeSet<String> = ["input".to_string()].into();
    // After an op the builder dropped, the bindings it would have made are unknown.
    let mut sure = true;
    for (expected, op) in ops.iter().enumerate() {
        sure &= index(&op.ptr) == expected;
        let bound_now = sure.then_some(&bound);
        let mut new_names = Vec::new();
        match &op.value {
            Op::Call(c) => {
                check_call(s, c, bound_now, p);
                new_names.push(c.bind.clone());
            }
            Op::Parallel { calls, bind } => {
                for c in calls {
                    check_call(s, c, bound_now, p);
                }
                new_names.extend(calls.iter().map(|c| c.bind.clone()));
                new_names.push(bind.clone());
            }
            Op::Llm { stub, bind } => {
                if !s.llm.contains_key(stub) {
                    p.at(
                        &format!("{}/llm", op.ptr),
                        format!("unknown LLM stub '{stub}'; {}", known(stub, s.llm.keys())),
                    );
                }
                new_names.push(bind.clone());
            }
            Op::Return(t) => {
                if let Some(bound) = bound_now {
                    check_refs(t, &format!("{}/return", op.ptr), bound, p);
                }
            }
            Op::Fail(_) | Op::Sleep(_) | Op::Wait(_) => {}
        }
        bound.extend(new_names);
    }
}

fn check_call(s: &Scenario, c: &Call, bound: Option<&BTreeSet<String>>, p: &mut Problems<'_>) {
    check_target_at(s, &c.agent, &c.reasoner, &c.loc, p);
    if let Some(bound) = bound {
        check_refs(&c.input, &format!("{}/input", c.ptr), bound, p);
    }
}

/// Every `$name[.path]` string in a template must name an earlier binding.
fn check_refs(t: &Value, ptr: &str, bound: &BTreeSet<String>, p: &mut Problems<'_>) {
    match t {
        Value::String(s) if s.starts_with('$') => {
            let name = s[1..].split('.').next().unwrap_or_default();
            if !bound.contains(name) {
                p.at(
                    ptr,
                    format!(
                        "'{s}' names no earlier binding; {}",
                        known(name, bound.iter())
                    ),
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

/// How many runs exist before a step: `made` for certain, and up to
/// `unsure` more from steps the builder dropped.
#[derive(Clone, Copy)]
struct Runs {
    made: usize,
    unsure: usize,
}

fn check_steps(s: &Scenario, p: &mut Problems<'_>) {
    let mut runs = Runs { made: 0, unsure: 0 };
    for (expected, step) in s.steps.iter().enumerate() {
        runs.unsure = index(&step.ptr).saturating_sub(expected);
        let kind = step.value.kind();
        kind.check(&mut StepCheck {
            s,
            runs,
            ptr: &step.ptr,
            p,
        });
        if kind.makes_run() {
            runs.made += 1;
        }
    }
}

/// What a step kind's check is given: the scenario, the runs made before
/// it, and its own place in the file, so a problem points at one of its fields.
pub(crate) struct StepCheck<'s, 'p> {
    s: &'s Scenario,
    runs: Runs,
    ptr: &'s str,
    p: &'s mut Problems<'p>,
}

impl StepCheck<'_, '_> {
    fn field(&self, field: &str) -> String {
        format!("{}/{field}", self.ptr)
    }

    /// A problem at the step's `field`.
    pub(crate) fn at(&mut self, field: &str, message: impl Into<String>) {
        let ptr = self.field(field);
        self.p.at(&ptr, message);
    }

    /// A problem at the key (not the value) of the step's `field`.
    pub(crate) fn at_key(&mut self, field: &str, message: impl Into<String>) {
        let ptr = self.field(field);
        self.p.at_key(&ptr, message);
    }

    /// `agent.reasoner` must be declared.
    pub(crate) fn target(&mut self, agent: &str, reasoner: &str, field: &str) {
        check_target(self.s, agent, reasoner, &self.field(field), self.p);
    }

    /// `runN` must have been created before the step.
    pub(crate) fn run_alias(&mut self, alias: &str, field: &str) {
        check_run_alias(alias, self.runs, &self.field(field), self.p);
    }

    /// `runN/agent.reasoner[#k]`: the run made before, the target declared.
    pub(crate) fn exec_alias(&mut self, alias: &str, field: &str) {
        check_exec_alias(self.s, alias, self.runs, &self.field(field), self.p);
    }

    /// Every `{placeholder}` in `texts` names what exists before the step.
    pub(crate) fn placeholders<'t>(&mut self, texts: impl Iterator<Item = &'t str>, field: &str) {
        check_placeholders(self.s, texts, self.runs, &self.field(field), self.p);
    }

    /// A scenario agent must be declared.
    pub(crate) fn agent(&mut self, agent: &str, field: &str) {
        let names: Vec<&String> = self.s.agents.keys().collect();
        self.declared("agent", agent, &names, field);
    }

    /// An LLM stub must be declared.
    pub(crate) fn llm_stub(&mut self, stub: &str, field: &str) {
        let names: Vec<&String> = self.s.llm.keys().collect();
        self.declared("LLM stub", stub, &names, field);
    }

    /// `name` must be one of `names` (what is declared of `what`).
    fn declared(&mut self, what: &str, name: &str, names: &[&String], field: &str) {
        if !names.iter().any(|n| *n == name) {
            let message = format!(
                "unknown {what} '{name}'; {}",
                known(name, names.iter().copied())
            );
            self.at(field, message);
        }
    }
}

/// Every placeholder must name a run or execution created before the step,
/// or (`{node:agent}`) a declared agent.
fn check_placeholders<'t>(
    s: &Scenario,
    texts: impl Iterator<Item = &'t str>,
    runs: Runs,
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
                        known(agent, s.agents.keys())
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

fn check_run_alias(alias: &str, runs: Runs, ptr: &str, p: &mut Problems<'_>) {
    let n = alias
        .strip_prefix("run")
        .and_then(|n| n.parse::<usize>().ok());
    match n {
        Some(n) if n >= 1 && n <= runs.made + runs.unsure => {}
        Some(_) => p.at(
            ptr,
            format!(
                "'{alias}' does not exist yet: {} run(s) were created before this step",
                runs.made
            ),
        ),
        None => p.at(
            ptr,
            format!("'{alias}' is not a run alias (run1, run2, ...)"),
        ),
    }
}

fn check_exec_alias(s: &Scenario, alias: &str, runs: Runs, ptr: &str, p: &mut Problems<'_>) {
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
mod tests;
