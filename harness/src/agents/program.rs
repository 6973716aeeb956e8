//! Runs a reasoner program the way an SDK agent runs a reasoner: ops in
//! order, nested calls through the control plane with the headers a correct
//! SDK sends (or a known buggy one, when the scenario switches a bug on).

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Duration;

use futures::future::join_all;
use serde_json::{json, Value};

use super::error::ProgramError;
use super::record::{OutCall, Recorder};
use super::template::render;
use crate::client::Client;
use crate::scenario::{Call, FailWhen, Op, Scenario, SdkBug};

/// Everything the agents of one scenario share.
pub(crate) struct World {
    pub client: Client,
    pub scenario: std::sync::Arc<Scenario>,
    pub node_ids: BTreeMap<String, String>,
    pub llm_urls: BTreeMap<String, String>,
    pub recorder: Recorder,
    pub fail_counts: Mutex<HashMap<(String, String, usize), u32>>,
    pub call_timeout: Duration,
    pub http: reqwest::Client,
    /// Where programs hold at barriers (`crate::barrier`), over HTTP as any agent does.
    pub barrier_url: String,
    /// Agent → the process instance now registered (1 when absent); bumped
    /// by a `reregister` step.
    pub generations: Mutex<BTreeMap<String, u32>>,
}

impl World {
    /// The process instance `agent` now runs as.
    pub(crate) fn generation(&self, agent: &str) -> u32 {
        let g = self.generations.lock().unwrap_or_else(|p| p.into_inner());
        g.get(agent).copied().unwrap_or(1)
    }
}

/// How a program ended.
pub(crate) enum Outcome {
    Done(Value),
    Failed { message: String, status: u16 },
}

/// One running reasoner: who it is and what the control plane sent it.
pub(crate) struct Ctx<'a> {
    pub world: &'a World,
    pub agent: &'a str,
    pub reasoner: &'a str,
    pub headers: &'a BTreeMap<String, String>,
    /// The agent's process instance when the dispatch arrived.
    pub born: u32,
}

impl Ctx<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    fn has_bug(&self, bug: SdkBug) -> bool {
        self.world
            .scenario
            .agents
            .get(self.agent)
            .is_some_and(|a| a.bugs.contains(&bug))
    }
}

/// Runs the program of `ctx.reasoner` on `input`.
pub(crate) async fn run(ctx: &Ctx<'_>, input: Value) -> Outcome {
    let Some(spec) = ctx.world.scenario.agents.get(ctx.agent) else {
        return failed(format!("unknown agent {}", ctx.agent));
    };
    let Some(ops) = spec.reasoners.get(ctx.reasoner) else {
        return failed(format!("unknown reasoner {}", ctx.reasoner));
    };
    let mut bindings: BTreeMap<String, Value> = [("input".to_string(), input)].into();
    for (index, op) in ops.iter().enumerate() {
        match &op.value {
            Op::Call(call) => match nested(ctx, call, &bindings).await {
                Ok(v) => {
                    bindings.insert(call.bind.clone(), v);
                }
                Err(e) => return failed(e.to_string()),
            },
            Op::Parallel { calls, bind } => {
                let results = join_all(calls.iter().map(|c| nested(ctx, c, &bindings))).await;
                let mut values = Vec::new();
                for (call, result) in calls.iter().zip(results) {
                    match result {
                        Ok(v) => {
                            bindings.insert(call.bind.clone(), v.clone());
                            values.push(v);
                        }
                        Err(e) => return failed(e.to_string()),
                    }
                }
                bindings.insert(bind.clone(), Value::Array(values));
            }
            Op::Llm { stub, bind } => {
                let timeout = Duration::from_millis(spec.llm_timeout_ms);
                match llm(ctx, stub, &bindings["input"], timeout).await {
                    Ok(text) => {
                        bindings.insert(bind.clone(), Value::String(text));
                    }
                    Err(e) => return failed(e.to_string()),
                }
            }
            Op::Fail(fail) => {
                let fails = match fail.when {
                    FailWhen::Always => true,
                    FailWhen::UnlessReplay => ctx
                        .header("x-agentfield-replay-source-run-id")
                        .is_none_or(|v| v.trim().is_empty()),
                    FailWhen::Times(n) => {
                        let key = (ctx.agent.to_string(), ctx.reasoner.to_string(), index);
                        let mut counts = match ctx.world.fail_counts.lock() {
                            Ok(c) => c,
                            Err(p) => p.into_inner(),
                        };
                        let seen = counts.entry(key).or_insert(0);
                        *seen += 1;
                        *seen <= n
                    }
                };
                if fails {
                    return Outcome::Failed {
                        message: fail.message.clone(),
                        status: fail.status,
                    };
                }
            }
            Op::Sleep(ms) => tokio::time::sleep(Duration::from_millis(*ms)).await,
            Op::Wait(name) => {
                if let Err(e) = hold(ctx.world, name).await {
                    return failed(e.to_string());
                }
                // Re-registered as a new instance since the dispatch arrived:
                // the process that ran this program is gone; it never answers.
                if ctx.world.generation(ctx.agent) != ctx.born {
                    std::future::pending::<()>().await;
                }
            }
            Op::Return(t) => return Outcome::Done(render(t, &bindings)),
        }
    }
    Outcome::Done(json!({}))
}

/// Holds at barrier `name` until a scenario step releases it.
async fn hold(world: &World, name: &str) -> Result<(), ProgramError> {
    crate::barrier::wait_over_http(&world.http, &world.barrier_url, name)
        .await
        .map_err(ProgramError::Barrier)
}

fn failed(message: String) -> Outcome {
    Outcome::Failed {
        message,
        status: 500,
    }
}

const REPLAY_HEADERS: [&str; 3] = [
    "x-agentfield-replay-source-run-id",
    "x-agentfield-replay-before-execution-id",
    "x-agentfield-replay-mode",
];

/// A nested `app.call`: submit, then poll until terminal, as the Python SDK does.
async fn nested(
    ctx: &Ctx<'_>,
    call: &Call,
    bindings: &BTreeMap<String, Value>,
) -> Result<Value, ProgramError> {
    let world = ctx.world;
    if let Some(name) = &call.after {
        hold(world, name).await?;
    }
    if call.delay_ms > 0 {
        // A programmed delay, as `await asyncio.sleep(x)` before `app.call`.
        tokio::time::sleep(Duration::from_millis(call.delay_ms)).await;
    }
    let node = world
        .node_ids
        .get(&call.agent)
        .cloned()
        .unwrap_or_else(|| call.agent.clone());
    let target = format!("{node}.{}", call.reasoner);
    let input = render(&call.input, bindings);
    let current = ctx.header("x-execution-id").unwrap_or_default().to_string();
    let run = ctx.header("x-run-id").unwrap_or_default().to_string();
    let mut headers = vec![
        ("X-Run-ID".to_string(), run.clone()),
        ("X-Workflow-ID".to_string(), run),
        ("X-Execution-ID".to_string(), current.clone()),
    ];
    if let Some(me) = world.node_ids.get(ctx.agent) {
        headers.push(("X-Agent-Node-ID".to_string(), me.clone()));
    }
    // The parent rule (contract §4.3): the current execution, unless the bug is on.
    let parent = if ctx.has_bug(SdkBug::InheritedParent) {
        ctx.header("x-parent-execution-id").map(str::to_string)
    } else {
        Some(current.clone())
    };
    if let Some(parent) = parent {
        headers.push(("X-Parent-Execution-ID".to_string(), parent));
    }
    // As the Python SDK's `ExecutionContext.to_headers`: session, actor and the
    // DID trio travel on when the dispatch carried them.
    for name in [
        "x-session-id",
        "x-actor-id",
        "x-caller-did",
        "x-target-did",
        "x-agent-node-did",
    ] {
        if let Some(v) = ctx.header(name) {
            headers.push((name.to_string(), v.to_string()));
        }
    }
    if !ctx.has_bug(SdkBug::DropReplayHeaders) {
        for name in REPLAY_HEADERS {
            if let Some(v) = ctx.header(name) {
                headers.push((name.to_string(), v.to_string()));
            }
        }
    }
    let path = if call.sync {
        format!("/api/v1/execute/{target}")
    } else {
        format!("/api/v1/execute/async/{target}")
    };
    let body = crate::client::Body::Json(json!({ "input": input }));
    let resp = world
        .client
        .send(reqwest::Method::POST, &path, Some(&body), &headers)
        .await
        .map_err(ProgramError::Submit)?;
    // A failed sync execute names the child only in its headers.
    let child = resp
        .str("execution_id")
        .or_else(|| resp.header("x-execution-id"));
    world.recorder.call(OutCall {
        from_execution: current,
        target: format!("{}.{}", call.agent, call.reasoner),
        input,
        child_execution: child.clone(),
        replay_hit: resp.header("x-agentfield-replay-hit"),
        status: resp.status,
    });
    if call.sync {
        return match resp.status {
            200 => Ok(resp.body.get("result").cloned().unwrap_or(Value::Null)),
            _ => Err(ProgramError::Failed {
                error: error_text(&resp.body),
            }),
        };
    }
    let Some(child) = child.filter(|_| resp.status < 300) else {
        return Err(ProgramError::Rejected {
            status: resp.status,
            body: resp.body,
        });
    };
    await_child(world, &child).await
}

async fn await_child(world: &World, child: &str) -> Result<Value, ProgramError> {
    let what = format!("child execution {child} to be terminal");
    let r = crate::client::terminal(&world.client, &what, child, world.call_timeout)
        .await
        .map_err(ProgramError::Child)?;
    match r.str("status").as_deref() {
        Some("succeeded") => Ok(r.body.get("result").cloned().unwrap_or(Value::Null)),
        _ => Err(ProgramError::Failed {
            error: error_text(&r.body),
        }),
    }
}

fn error_text(body: &Value) -> String {
    body.get("error")
        .or_else(|| body.get("error_message"))
        .and_then(Value::as_str)
        .unwrap_or("unknown error")
        .to_string()
}

async fn llm(
    ctx: &Ctx<'_>,
    stub: &str,
    input: &Value,
    timeout: Duration,
) -> Result<String, ProgramError> {
    let stub = stub.to_owned();
    let Some(base) = ctx.world.llm_urls.get(&stub) else {
        return Err(ProgramError::NoStub { stub });
    };
    let body = json!({
        "model": "afc-stub",
        "messages": [{"role": "user", "content": format!("{}.{}: {input}", ctx.agent, ctx.reasoner)}],
    });
    let resp = ctx
        .world
        .http
        .post(format!("{base}/chat/completions"))
        .timeout(timeout)
        .json(&body)
        .send()
        .await
        .map_err(|source| {
            let stub = stub.clone();
            if source.is_timeout() {
                ProgramError::LlmTimeout {
                    stub,
                    after: timeout,
                    source,
                }
            } else {
                ProgramError::LlmUnreachable { stub, source }
            }
        })?;
    let status = resp.status();
    if !status.is_success() {
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        return Err(ProgramError::LlmStatus {
            stub,
            status: status.as_u16(),
            retry_after,
        });
    }
    let reply: Value = match resp.json().await {
        Ok(v) => v,
        Err(source) => return Err(ProgramError::LlmJson { stub, source }),
    };
    reply
        .pointer("/choices/0/message/content")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or(ProgramError::LlmNoContent { stub })
}
