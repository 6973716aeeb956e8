//! The two steps that start work in the middle of a case: a restart or fork
//! (§1.3, §2.1–§2.4: scope, header plan, input and context, kind, lineage) and
//! a direct execute with replay headers (§3, §3.6 answers), as the model plays them.

use serde_json::{json, Value};

use super::case::{Case, RawRequest, RestartPlan};
use super::model::{Answer, Lineage, Run, Seen, Status, World};
use super::replay::Plan;

impl World {
    pub(super) fn restart(&mut self, case: &Case, r: &RestartPlan) -> Result<Answer, String> {
        let source = self.resolve(&r.from)?;
        // §1.2: trimmed; absent or blank is the default.
        let norm = |v: &Option<String>, default: &str| match v.as_deref().map(str::trim) {
            None | Some("") => default.to_string(),
            Some(s) => s.to_string(),
        };
        let scope = norm(&r.scope, "workflow");
        let reuse = norm(&r.reuse, "succeeded-before");
        let src_run = self.execs[source].run;
        // §2.1: workflow scope re-runs the run's root.
        let restarted = if scope == "execution" {
            source
        } else {
            self.runs[src_run].root
        };
        // §2.2 header plan.
        let mut plan = Plan {
            source: Some(src_run),
            before: Some(source),
            mode: Some(reuse.clone()),
        };
        if reuse == "none" {
            plan.source = None;
            plan.before = None;
        } else if scope == "execution" && reuse == "succeeded-before" {
            plan.mode = Some("all-succeeded".into());
            plan.before = None;
        }
        // §2.3 input and context; §2.4 kind.
        let stored = &self.execs[restarted];
        let input = match &r.input {
            Some(v) if !v.is_null() => v.clone(),
            _ => stored.input.clone(),
        };
        let context = match &r.context {
            Some(v) if !v.is_null() => Some(v.clone()),
            _ => stored.context.clone(),
        };
        let fork = r.fork
            || r.input.as_ref().is_some_and(|v| !v.is_null())
            || r.context.as_ref().is_some_and(|v| !v.is_null());
        let (agent, reasoner) = (stored.agent, stored.reasoner.clone());
        self.runs.push(Run {
            root: usize::MAX,
            lineage: Some(Lineage {
                kind: if fork { "fork" } else { "restart" },
                source_run: src_run,
                source_exec: source,
                restarted,
                reuse: reuse.clone(),
                scope,
            }),
            golden: false,
            // A restart of a held run re-runs `h.hold`, which holds again.
            held: agent == super::case::Agent::H,
        });
        let root = self.new_exec(agent, reasoner, None, input, context);
        let run = self.runs.len() - 1;
        self.runs[run].root = root;
        let status = self.dispatch(case, root, plan.clone(), &mut Seen::default());
        Ok(Answer::Restart {
            run,
            mode: plan.mode.unwrap_or_default(),
            before: plan.before,
            status,
        })
    }

    pub(super) fn raw(&mut self, case: &Case, n: usize, r: &RawRequest) -> Result<Answer, String> {
        let _ = self.run_index(&r.run)?;
        let parent = self.resolve(&r.parent)?;
        let plan = Plan {
            source: r.source.as_deref().map(|s| self.run_index(s)).transpose()?,
            before: r.before.as_deref().map(|b| self.resolve(b)).transpose()?,
            mode: r.mode.clone(),
        };
        let x = self.new_exec(
            r.agent,
            r.reasoner.clone(),
            Some(parent),
            r.input.clone(),
            r.context.clone(),
        );
        self.execs[x].order_input = json!(format!("step {n:04}"));
        let before_lookup = self.execs.len() - 1;
        let mut known = self.settled(before_lookup);
        let status = self.child(case, x, plan, &mut known);
        let hit = self.execs[x].hit.clone();
        let code = match (r.sync, status) {
            (false, _) => 202,
            (true, Status::Succeeded) => 200,
            (true, _) => 502,
        };
        let body = if !hit.is_empty() || (r.sync && status == Status::Succeeded) {
            "succeeded"
        } else if r.sync {
            "failed"
        } else {
            "queued"
        };
        Ok(Answer::Raw {
            code,
            status: body,
            hit,
        })
    }
}

/// The scripted agents' template rule for the one binding a case uses:
/// `"$input"` and `"$input.path"` name the caller's input (or part of it,
/// `null` when missing).
pub fn render(t: &Value, input: &Value) -> Value {
    match t {
        Value::String(s) if s == "$input" => input.clone(),
        Value::String(s) if s.starts_with("$input.") => s["$input.".len()..]
            .split('.')
            .try_fold(input, |v, k| v.get(k))
            .cloned()
            .unwrap_or(Value::Null),
        Value::Array(a) => Value::Array(a.iter().map(|x| render(x, input)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), render(v, input)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A value as Go's float64 binding re-spells it: integral numbers without a fraction.
pub fn go_numbers(v: &Value) -> Value {
    match v {
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9e15 => Value::from(f as i64),
            _ => v.clone(),
        },
        Value::Array(a) => Value::Array(a.iter().map(go_numbers).collect()),
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, x)| (k.clone(), go_numbers(x))).collect())
        }
        other => other.clone(),
    }
}
