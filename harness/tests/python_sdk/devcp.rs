//! `afc serve` as a dev control plane for an unmodified SDK agent (issue 14):
//! two processes of `fixtures/agents/python/devcp_agent.py` (DID on, the SDK
//! default) register; `front.orchestrate`, started with X-Session-ID and
//! X-Actor-ID, writes memory in the workflow, session and actor scopes and
//! `app.call`s `back.worker`, which reads all three back; a direct invocation
//! through `POST /api/v1/reasoners/front.direct` runs its reasoner; a restart
//! of the worker carries the session and actor to the agent again.
//!
//! The control plane is the embedded reference, or `AFC_DEVCP_URL` (to run
//! the same agent against AgentField v0.1.96 by hand). The interpreter is
//! `AFC_PYTHON`, else `.venv/bin/python`, else the pinned SDK provisioned on
//! first use; without one the trial is `ignored (reason)`, unless
//! `AFC_REQUIRE_PYTHON` is set (CI), when it fails.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use afc::client::Body;
use afc::client::{poll, terminal, Client};
use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Child;

const WAIT: Duration = Duration::from_secs(90);

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub const NAME: &str = "python_sdk_agent_runs_unchanged_against_the_dev_control_plane";

/// The trial.
pub fn trial(args: &Arguments, skip: &Option<String>, py: &Result<PathBuf, String>) -> Trial {
    let py = py.clone();
    afc::trial::skippable(args, NAME.to_string(), skip.clone(), move || {
        let py = py?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        rt.block_on(scenario(&py)).map_err(Failed::from)?;
        Ok(None)
    })
}

/// Starts one agent process and waits until it is registered.
async fn start(py: &Path, client: &Client, node: &str, peer: &str) -> Result<Child, String> {
    let mut agent = tokio::process::Command::new(py)
        .arg(workspace().join("fixtures/agents/python/devcp_agent.py"))
        .env("AFC_CP_URL", client.base())
        .env("AFC_NODE_ID", node)
        .env("AFC_PEER_ID", peer)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", py.display()))?;
    let mut lines = BufReader::new(agent.stdout.take().ok_or("no stdout")?).lines();
    let port = tokio::time::timeout(WAIT, async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(port) = line.strip_prefix("READY ") {
                return port
                    .trim()
                    .parse::<u16>()
                    .map_err(|e| format!("bad READY line {line:?}: {e}"));
            }
        }
        Err(format!("agent {node} exited before printing READY"))
    })
    .await
    .map_err(|_| format!("waiting for agent {node} to print READY: not within {WAIT:?}"))??;
    // The SDK logs to stdout: keep reading it, or its writes fail (EPIPE).
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    // Uvicorn runs the SDK's startup (registration) before it binds.
    super::listening(&format!("agent {node} to listen on {port}"), port, WAIT).await?;
    let path = format!("/api/v1/nodes/{node}");
    poll(&format!("node {node} to register"), WAIT, || async {
        match client.get(&path).await {
            Ok(r) => (
                (r.status == 200).then_some(()),
                format!("HTTP {}", r.status),
            ),
            Err(e) => (None, e.to_string()),
        }
    })
    .await
    .map_err(|e| e.to_string())?;
    Ok(agent)
}

fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Compares one field, naming it and the whole answer when it differs.
fn check(what: &str, got: &Value, want: Value, whole: &Value) -> Result<(), String> {
    if *got == want {
        Ok(())
    } else {
        Err(format!(
            "{what}: expected {want}, got {got}; answer: {whole}"
        ))
    }
}

async fn scenario(py: &Path) -> Result<(), String> {
    let (url, _stop) = match std::env::var("AFC_DEVCP_URL") {
        Ok(url) => (url, None),
        Err(_) => {
            let (url, stop) = super::serve_reference().await?;
            (url, Some(stop))
        }
    };
    let client = Client::new(&url, None);
    let tag = format!("{}", std::process::id());
    let (front, back) = (format!("devcp-front-{tag}"), format!("devcp-back-{tag}"));
    let (session, actor) = (format!("session-{tag}"), format!("actor-{tag}"));
    let _back = start(py, &client, &back, "").await?;
    let _front = start(py, &client, &front, &back).await?;

    // The SDK's own reads of the node list answer as v0.1.96 does.
    let nodes = client
        .get("/api/v1/nodes?show_all=true")
        .await
        .map_err(|e| e.to_string())?;
    let listed: Vec<&str> = nodes.body["nodes"]
        .as_array()
        .map(|a| a.iter().filter_map(|n| n["id"].as_str()).collect())
        .unwrap_or_default();
    if !listed.contains(&front.as_str()) || !listed.contains(&back.as_str()) {
        return Err(format!("GET /api/v1/nodes?show_all=true: {}", nodes.body));
    }

    // app.call across two agents with memory in three scopes.
    let scoped = headers(&[("X-Session-ID", &session), ("X-Actor-ID", &actor)]);
    let body = Body::Json(json!({"input": {"topic": "t1"}}));
    let run = client
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/execute/{front}.orchestrate"),
            Some(&body),
            &scoped,
        )
        .await
        .map_err(|e| e.to_string())?;
    check(
        "sync execute status",
        &json!(run.status),
        json!(200),
        &run.body,
    )?;
    let r = &run.body["result"];
    let w = &r["worker"];
    check("front's session", &r["session"], json!(session), &run.body)?;
    check("front's actor", &r["actor"], json!(actor), &run.body)?;
    check(
        "worker's session header",
        &w["seen_session"],
        json!(session),
        &run.body,
    )?;
    check(
        "worker's actor header",
        &w["seen_actor"],
        json!(actor),
        &run.body,
    )?;
    check(
        "workflow-scope read",
        &w["wf"],
        json!({"topic": "t1"}),
        &run.body,
    )?;
    check(
        "session-scope read",
        &w["session"],
        json!("s-t1"),
        &run.body,
    )?;
    check("actor-scope read", &w["actor"], json!("a-t1"), &run.body)?;
    check(
        "hierarchical read",
        &w["session_auto"],
        json!("s-t1"),
        &run.body,
    )?;

    // A restart of the worker in execution scope: session and actor reach the
    // agent again, copied from the restarted execution; memory in their scopes
    // outlives the run, the old run's workflow scope is not the new run's.
    // (Not the root: `front` has just finished, and the SDK clears its
    // agent-wide `app.memory` context after the completion event that ends
    // the run, so a dispatch to it at once can find `app.memory` None.)
    let run1 = run.str("run_id").ok_or("no run_id")?;
    let dag = client
        .get(&format!("/api/ui/v1/workflows/{run1}/dag?mode=lightweight"))
        .await
        .map_err(|e| e.to_string())?;
    let worker = dag.body["timeline"]
        .as_array()
        .and_then(|t| t.iter().find(|n| n["reasoner_id"] == "worker"))
        .and_then(|n| n["execution_id"].as_str())
        .ok_or(format!("no worker in the DAG of {run1}: {}", dag.body))?
        .to_string();
    let restart = client
        .post(
            &format!("/api/v1/executions/{worker}/restart"),
            json!({"scope": "execution"}),
        )
        .await
        .map_err(|e| e.to_string())?;
    check(
        "restart status",
        &json!(restart.status),
        json!(202),
        &restart.body,
    )?;
    let root2 = restart
        .str("execution_id")
        .ok_or("restart gave no execution_id")?;
    let done = terminal(&client, "the restarted worker to finish", &root2, WAIT)
        .await
        .map_err(|e| e.to_string())?;
    let r2 = &done.body["result"];
    check(
        "restarted worker",
        &done.body["status"],
        json!("succeeded"),
        &done.body,
    )?;
    check(
        "restarted session",
        &r2["seen_session"],
        json!(session),
        &done.body,
    )?;
    check(
        "restarted actor",
        &r2["seen_actor"],
        json!(actor),
        &done.body,
    )?;
    check(
        "session scope after restart",
        &r2["session"],
        json!("s-t1"),
        &done.body,
    )?;
    check(
        "actor scope after restart",
        &r2["actor"],
        json!("a-t1"),
        &done.body,
    )?;
    check(
        "new run's workflow scope",
        &r2["wf"],
        Value::Null,
        &done.body,
    )?;

    // Direct invocation: v0.1.96 answers with the agent's own reply (the SDK's
    // 202 body); the reasoner runs and writes into the caller's actor scope.
    let direct_actor = format!("direct-{tag}");
    let direct = client
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/reasoners/{front}.direct"),
            Some(&Body::Json(json!({"input": {"x": 7}}))),
            &headers(&[("X-Actor-ID", &direct_actor)]),
        )
        .await
        .map_err(|e| e.to_string())?;
    check(
        "direct status",
        &json!(direct.status),
        json!(200),
        &direct.body,
    )?;
    check(
        "direct node_id",
        &direct.body["node_id"],
        json!(front),
        &direct.body,
    )?;
    check(
        "direct result",
        &direct.body["result"]["status"],
        json!("processing"),
        &direct.body,
    )?;
    let trace = Body::Json(json!({"key": "afc.direct", "scope": "actor"}));
    let actor_header = headers(&[("X-Actor-ID", &direct_actor)]);
    let found = poll("the direct reasoner's memory write", WAIT, || async {
        match client
            .send(
                reqwest::Method::POST,
                "/api/v1/memory/get",
                Some(&trace),
                &actor_header,
            )
            .await
        {
            Ok(r) if r.status == 200 => (Some(r.body["data"].clone()), "found".into()),
            Ok(r) => (None, format!("HTTP {} {}", r.status, r.body)),
            Err(e) => (None, e.to_string()),
        }
    })
    .await
    .map_err(|e| e.to_string())?;
    check("direct reasoner's write", &found, json!({"x": 7}), &found)
}
