//! The unmodified PyPI `agentfield` SDK against the reference, in both modes
//! of agent-protocol §7.3: `fixtures/agents/python/restart_agent.py` runs
//! root -> two parallel children -> grandchild (fails once), then a restart
//! from the failed grandchild must reuse exactly the call that started before
//! it and succeeded (the left child), visible in the DAG `reuse` markers.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use afc::client::Client;
use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn name(mode: &str) -> String {
    format!("python_sdk_{mode}_mode_restart_reuses_calls_started_before_the_failure")
}

/// The trials of both modes.
pub fn trials(args: &Arguments, skip: &Option<String>, py: &Result<PathBuf, String>) -> Vec<Trial> {
    ["functional", "serve"]
        .into_iter()
        .map(|mode| {
            let py = py.clone();
            afc::trial::skippable(args, name(mode), skip.clone(), move || {
                run(&py?, mode).map(|()| None)
            })
        })
        .collect()
}

fn run(py: &Path, mode: &str) -> Result<(), Failed> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(scenario(py, mode)).map_err(Failed::from)
}

async fn terminal(client: &Client, exec: &str) -> Result<String, String> {
    let what = format!("execution {exec} to be terminal");
    let r = afc::client::terminal(client, &what, exec, Duration::from_secs(60))
        .await
        .map_err(|e| e.to_string())?;
    Ok(r.str("status").unwrap_or_default())
}

async fn timeline(client: &Client, run: &str) -> Result<Vec<Value>, String> {
    let r = client
        .get(&format!("/api/ui/v1/workflows/{run}/dag?mode=lightweight"))
        .await
        .map_err(|e| e.to_string())?;
    r.body["timeline"]
        .as_array()
        .cloned()
        .ok_or(format!("no timeline: {}", r.body))
}

async fn scenario(py: &Path, mode: &str) -> Result<(), String> {
    let (url, stop) = super::serve_reference().await?;
    let node = format!("py-{mode}");
    let mut agent = tokio::process::Command::new(py)
        .arg(workspace().join("fixtures/agents/python/restart_agent.py"))
        .env("AFC_CP_URL", &url)
        .env("AFC_NODE_ID", &node)
        .env("AFC_MODE", mode)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", py.display()))?;
    let mut lines = BufReader::new(agent.stdout.take().ok_or("no stdout")?).lines();
    let ready = tokio::time::timeout(Duration::from_secs(90), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(port) = line.strip_prefix("READY ") {
                return port
                    .trim()
                    .parse::<u16>()
                    .map_err(|e| format!("bad READY line {line:?}: {e}"));
            }
        }
        Err("the agent exited before printing READY".to_string())
    })
    .await
    .map_err(|_| "waiting for the Python agent to print READY: not within 90 s".to_string())?;
    let port = ready?;

    let client = Client::new(&url, None);
    // Uvicorn runs the SDK's startup (registration) before it binds, so wait
    // for the port to accept as well as for the registration.
    let what = format!("the agent to listen on 127.0.0.1:{port}");
    super::listening(&what, port, Duration::from_secs(60)).await?;
    // In serve mode `app.run` registers after the script says READY.
    let registered = format!("/api/v1/nodes/{node}");
    afc::client::poll(
        &format!("node {node} to be registered"),
        Duration::from_secs(60),
        || async {
            match client.get(&registered).await {
                Ok(r) => (
                    (r.status == 200).then_some(()),
                    format!("HTTP {}", r.status),
                ),
                Err(e) => (None, e.to_string()),
            }
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    let submit = |path: String, body: Value| {
        let client = client.clone();
        async move { client.post(&path, body).await.map_err(|e| e.to_string()) }
    };
    let first = submit(
        format!("/api/v1/execute/async/{node}.root"),
        json!({"input": {"topic": mode}}),
    )
    .await?;
    let root1 = first
        .str("execution_id")
        .ok_or(format!("no execution_id: {}", first.body))?;
    let run1 = first.str("run_id").unwrap_or_default();
    let status1 = terminal(&client, &root1).await?;
    if status1 != "failed" {
        return Err(format!(
            "the first run must fail in the grandchild, it ended {status1}"
        ));
    }
    let failed = timeline(&client, &run1)
        .await?
        .into_iter()
        .find(|n| n["reasoner_id"] == "grandchild" && n["status"] == "failed")
        .ok_or(format!(
            "no failed grandchild in run1: {:?}",
            timeline(&client, &run1).await?
        ))?;
    let restart = submit(
        format!(
            "/api/v1/executions/{}/restart",
            failed["execution_id"].as_str().unwrap_or_default()
        ),
        json!({"reuse": "succeeded-before"}),
    )
    .await?;
    assert_eq!(restart.status, 202, "restart answer: {}", restart.body);
    let root2 = restart.str("execution_id").unwrap_or_default();
    let run2 = restart.str("run_id").unwrap_or_default();
    let status2 = terminal(&client, &root2).await?;
    if status2 != "succeeded" {
        return Err(format!(
            "the restarted run must succeed, it ended {status2}: run1 {:?} run2 {:?}",
            timeline(&client, &run1).await?,
            timeline(&client, &run2).await?
        ));
    }

    let mut seen: Vec<(String, String, bool)> = timeline(&client, &run2)
        .await?
        .iter()
        .map(|n| {
            let reused = n["reuse"]["source_run_id"] == json!(run1);
            (
                n["reasoner_id"].as_str().unwrap_or_default().to_string(),
                n["status"].as_str().unwrap_or_default().to_string(),
                reused,
            )
        })
        .collect();
    seen.sort();
    let expected = vec![
        ("child".to_string(), "succeeded".to_string(), false),
        ("child".to_string(), "succeeded".to_string(), true),
        ("grandchild".to_string(), "succeeded".to_string(), false),
        ("root".to_string(), "succeeded".to_string(), false),
    ];
    let _ = stop.send(());
    let _ = agent.kill().await;
    if seen == expected {
        Ok(())
    } else {
        Err(format!(
            "run2 (reasoner, status, reused from run1): expected {expected:?}, saw {seen:?}"
        ))
    }
}
