//! One step of a scenario, built from its schema-valid JSON: a function per
//! verb. The schema admits exactly one verb per step; a step with none is a
//! problem at its pointer.

use serde_json::{Map, Value};

use super::super::load::Problems;
use super::super::model::*;
use super::{body, flag, headers, llm_program, names, text};
use crate::client::Body;

/// The step at `ptr`, or `None` (with a problem) when it has no verb.
pub(super) fn step(v: &Value, ptr: &str, p: &mut Problems<'_>) -> Option<Step> {
    let expect = v.get("expect").and_then(Value::as_str).map(str::to_string);
    if let Some(target) = v.get("run") {
        return Some(run(v, target, expect));
    }
    for (verb, fork) in [("restart", false), ("fork", true)] {
        if let Some(from) = v.get(verb) {
            return Some(restart(v, from, fork, expect));
        }
    }
    if let Some(run) = v.get("await") {
        return Some(Step::Wait {
            run: text(Some(run)),
            expect,
            release: names(v.get("release")),
        });
    }
    if let Some(name) = v.get("release") {
        return Some(Step::Release(text(Some(name))));
    }
    if let Some(target) = v.get("await_dispatch") {
        return Some(await_dispatch(v, target));
    }
    if let Some(run) = v.get("golden") {
        return Some(Step::Golden {
            run: text(Some(run)),
            body: body(v).unwrap_or_else(|| Body::Json(Value::Object(Map::new()))),
            status: status(v, 200),
        });
    }
    if let Some(line) = v.get("request") {
        return Some(request(v, line));
    }
    if let Some(a) = v.get("down") {
        return Some(Step::Down(text(Some(a))));
    }
    if let Some(a) = v.get("up") {
        return Some(Step::Up(text(Some(a))));
    }
    if let Some(a) = v.get("reregister") {
        return Some(Step::Reregister(text(Some(a))));
    }
    if let Some(run) = v.get("follow") {
        return Some(Step::Follow(text(Some(run))));
    }
    if let Some(how) = v.get("restart_control_plane") {
        return Some(Step::RestartControlPlane(control_plane_stop(how)));
    }
    if let Some(stub) = v.get("set_llm") {
        let program = llm_program(v, ptr, p)?;
        return Some(Step::SetLlm {
            stub: text(Some(stub)),
            program,
        });
    }
    p.at(ptr, "a step needs exactly one verb");
    None
}

/// The step's expected HTTP status, else `default`.
fn status(v: &Value, default: u16) -> u16 {
    v.get("status")
        .and_then(Value::as_u64)
        .map_or(default, |s| s as u16)
}

/// `agent.reasoner`, split at the first dot (no dot: an empty reasoner).
fn split_target(target: &Value) -> (String, String) {
    let target = text(Some(target));
    let (agent, reasoner) = target.split_once('.').unwrap_or((&target, ""));
    (agent.to_string(), reasoner.to_string())
}

fn run(v: &Value, target: &Value, expect: Option<String>) -> Step {
    let (agent, reasoner) = split_target(target);
    Step::Run {
        agent,
        reasoner,
        input: v
            .get("input")
            .cloned()
            .unwrap_or_else(|| Value::Object(Map::new())),
        context: v.get("context").cloned(),
        run_metadata: v.get("run_metadata").cloned(),
        headers: headers(v),
        sync: flag(v.get("sync")),
        wait: match v.get("wait") {
            Some(Value::Bool(false)) => RunWait::No,
            Some(Value::String(s)) if s == "dispatched" => RunWait::Dispatched,
            _ => RunWait::Terminal,
        },
        expect,
    }
}

fn restart(v: &Value, from: &Value, fork: bool, expect: Option<String>) -> Step {
    let string = |field: &str| v.get(field).and_then(Value::as_str).map(str::to_string);
    Step::Restart(Restart {
        from: text(Some(from)),
        fork,
        scope: string("scope"),
        reuse: string("reuse"),
        reason: string("reason"),
        input: v.get("input").cloned(),
        context: v.get("context").cloned(),
        raw_body: v.get("raw_body").map(|b| text(Some(b))),
        ui: flag(v.get("ui")),
        status: status(v, 202),
        wait: v.get("wait").and_then(Value::as_bool).unwrap_or(true),
        expect,
    })
}

fn await_dispatch(v: &Value, target: &Value) -> Step {
    let (agent, reasoner) = split_target(target);
    Step::AwaitDispatch {
        agent,
        reasoner,
        count: v
            .get("count")
            .and_then(Value::as_u64)
            .map_or(1, |n| usize::try_from(n).unwrap_or(usize::MAX)),
    }
}

fn request(v: &Value, line: &Value) -> Step {
    let line = text(Some(line));
    let (method, path) = line.split_once(' ').unwrap_or(("GET", &line));
    Step::Request {
        // The schema admits only GET, POST, PUT, PATCH and DELETE here.
        method: reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET),
        path: path.trim().to_string(),
        body: body(v),
        headers: headers(v),
        status: status(v, 200),
        expect: v.get("expect").cloned(),
    }
}

/// The schema allows only `graceful` and `kill`.
fn control_plane_stop(how: &Value) -> ControlPlaneStop {
    match how.as_str() {
        Some("kill") => ControlPlaneStop::Kill,
        _ => ControlPlaneStop::Graceful,
    }
}
