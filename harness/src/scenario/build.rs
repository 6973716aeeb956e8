//! Builds the model from schema-valid JSON. The schema has already checked
//! shapes, so this only reads fields and attaches locations; anything still
//! odd becomes a problem rather than a panic.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::load::Problems;
use super::model::*;
use super::steps::Step;
use super::yaml::escape;
use crate::client::Body;

const DEFAULT_TIMEOUT_MS: u64 = 20_000;
const DEFAULT_LLM_TIMEOUT_MS: u64 = 1_000;

pub(crate) fn scenario(v: &Value, name: &str, guards: String, p: &mut Problems<'_>) -> Scenario {
    let empty = Map::new();
    let root = v.as_object().unwrap_or(&empty);
    let agents = obj(root.get("agents"))
        .iter()
        .map(|(k, a)| (k.clone(), agent(k, a, &format!("/agents/{}", escape(k)), p)))
        .collect();
    let llm = obj(root.get("llm"))
        .iter()
        .map(|(k, prog)| {
            // A stub whose program is broken is still declared: the program's
            // problem is reported, and no op using the stub repeats it.
            let program = llm_program(prog, &format!("/llm/{}", escape(k)), p)
                .unwrap_or_else(placeholder_program);
            (k.clone(), program)
        })
        .collect();
    let steps = arr(root.get("steps"))
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let ptr = format!("/steps/{i}");
            let value = Step::parse(s, &ptr, p)?;
            Some(Located {
                value,
                loc: p.loc(&ptr),
                ptr,
            })
        })
        .collect();
    let snapshot = arr(root.get("snapshot"))
        .iter()
        .filter_map(|s| serde_json::from_value(s.clone()).ok())
        .collect();
    Scenario {
        name: name.to_string(),
        guards,
        // One entry per item, so an entry's index is its place in the file.
        requires: arr(root.get("requires"))
            .iter()
            .map(|r| text(Some(r)))
            .collect(),
        not_with: obj(root.get("not_with"))
            .iter()
            .map(|(k, why)| (k.clone(), text(Some(why))))
            .collect(),
        agents,
        llm,
        steps,
        snapshot,
        timeout_ms: root
            .get("timeout_ms")
            .and_then(Value::as_u64)
            .unwrap_or(DEFAULT_TIMEOUT_MS),
    }
}

fn agent(me: &str, v: &Value, ptr: &str, p: &mut Problems<'_>) -> AgentSpec {
    let reasoners = obj(v.get("reasoners"))
        .iter()
        .map(|(name, ops)| {
            let rptr = format!("{ptr}/reasoners/{}", escape(name));
            let ops = arr(Some(ops))
                .iter()
                .enumerate()
                .filter_map(|(i, o)| {
                    let optr = format!("{rptr}/{i}");
                    let value = op(me, o, &optr, p)?;
                    Some(Located {
                        value,
                        loc: p.loc(&optr),
                        ptr: optr,
                    })
                })
                .collect();
            (name.clone(), ops)
        })
        .collect();
    let python = v.get("python").map(|script| PythonAgent {
        script: text(Some(script)),
        mode: v
            .get("mode")
            .and_then(|m| serde_json::from_value(m.clone()).ok())
            .unwrap_or(PythonMode::Functional),
        loc: p.loc(&format!("{ptr}/python")),
    });
    AgentSpec {
        mode: v
            .get("mode")
            .and_then(|m| serde_json::from_value(m.clone()).ok())
            .filter(|_| python.is_none())
            .unwrap_or_default(),
        python,
        bugs: arr(v.get("bugs"))
            .iter()
            .filter_map(|b| serde_json::from_value(b.clone()).ok())
            .collect(),
        reasoners,
        llm_timeout_ms: v
            .get("llm_timeout_ms")
            .and_then(Value::as_u64)
            .unwrap_or(DEFAULT_LLM_TIMEOUT_MS),
    }
}

fn call(me: &str, v: &Value, ptr: String, p: &Problems<'_>) -> Call {
    let target = text(v.get("call"));
    let (agent, reasoner) = match target.split_once('.') {
        Some((a, r)) => (a.to_string(), r.to_string()),
        None => (me.to_string(), target.clone()),
    };
    Call {
        bind: v
            .get("as")
            .and_then(Value::as_str)
            .unwrap_or(&reasoner)
            .to_string(),
        agent,
        reasoner,
        input: input(v),
        sync: flag(v.get("sync")),
        delay_ms: v.get("delay_ms").and_then(Value::as_u64).unwrap_or(0),
        after: v.get("after").and_then(Value::as_str).map(str::to_string),
        loc: p.loc(&format!("{ptr}/call")),
        ptr,
    }
}

fn op(me: &str, v: &Value, ptr: &str, p: &mut Problems<'_>) -> Option<Op> {
    let bind = |default: &str| {
        v.get("as")
            .and_then(Value::as_str)
            .unwrap_or(default)
            .to_string()
    };
    if v.get("call").is_some() {
        return Some(Op::Call(call(me, v, ptr.to_string(), p)));
    }
    if let Some(calls) = v.get("parallel") {
        let calls = arr(Some(calls))
            .iter()
            .enumerate()
            .map(|(j, c)| call(me, c, format!("{ptr}/parallel/{j}"), p))
            .collect();
        return Some(Op::Parallel {
            calls,
            bind: bind("parallel"),
        });
    }
    if let Some(stub) = v.get("llm") {
        return Some(Op::Llm {
            stub: text(Some(stub)),
            bind: bind("llm"),
        });
    }
    if let Some(f) = v.get("fail") {
        let when = match f {
            Value::String(s) if s == "always" => FailWhen::Always,
            Value::String(s) if s == "once" => FailWhen::Times(1),
            Value::String(s) if s == "unless_replay" => FailWhen::UnlessReplay,
            Value::Number(n) => {
                FailWhen::Times(u32::try_from(n.as_u64().unwrap_or(1)).unwrap_or(u32::MAX))
            }
            other => {
                p.at(&format!("{ptr}/fail"), format!("fail: cannot read {other}"));
                return None;
            }
        };
        return Some(Op::Fail(Fail {
            when,
            message: v
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("programmed failure")
                .to_string(),
            status: v
                .get("status")
                .and_then(Value::as_u64)
                .map_or(500, |s| s as u16),
        }));
    }
    if let Some(ms) = v.get("sleep") {
        return Some(Op::Sleep(ms.as_u64().unwrap_or(0)));
    }
    if let Some(ret) = v.get("return") {
        return Some(Op::Return(ret.clone()));
    }
    if let Some(name) = v.get("wait") {
        return Some(Op::Wait(text(Some(name))));
    }
    p.at(
        ptr,
        "an op needs exactly one of: call, parallel, llm, fail, sleep, wait, return",
    );
    None
}

pub(super) fn llm_program(v: &Value, ptr: &str, p: &mut Problems<'_>) -> Option<LlmProgram> {
    // `set_llm` steps carry the program next to the verb; drop the verb first.
    let mut fields = obj(Some(v)).clone();
    fields.remove("set_llm");
    match serde_json::from_value(Value::Object(fields)) {
        Ok(program) => Some(program),
        Err(e) => {
            p.at(ptr, format!("LLM program: {e}"));
            None
        }
    }
}

/// The program of a stub whose own program could not be read (all defaults).
fn placeholder_program() -> LlmProgram {
    serde_json::from_value(Value::Object(Map::new()))
        .expect("every LLM program field has a default")
}

pub(super) fn body(v: &Value) -> Option<Body> {
    match (v.get("raw_body"), v.get("body")) {
        (Some(raw), _) => Some(Body::Raw(text(Some(raw)))),
        (None, Some(json)) => Some(Body::Json(json.clone())),
        (None, None) => None,
    }
}

pub(super) fn headers(v: &Value) -> BTreeMap<String, String> {
    obj(v.get("headers"))
        .iter()
        .map(|(k, h)| (k.clone(), text(Some(h))))
        .collect()
}

fn obj(v: Option<&Value>) -> &Map<String, Value> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    v.and_then(Value::as_object)
        .unwrap_or_else(|| EMPTY.get_or_init(Map::new))
}

fn arr(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

pub(super) fn text(v: Option<&Value>) -> String {
    v.and_then(Value::as_str).unwrap_or_default().to_string()
}

/// The `input` field, else `{}`.
pub(super) fn input(v: &Value) -> Value {
    v.get("input")
        .cloned()
        .unwrap_or_else(|| Value::Object(Map::new()))
}

pub(super) fn flag(v: Option<&Value>) -> bool {
    v.and_then(Value::as_bool).unwrap_or(false)
}

/// One name or a list of names.
pub(super) fn names(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        other => strings(other),
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    arr(v)
        .iter()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

#[cfg(test)]
mod tests;
