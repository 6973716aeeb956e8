//! The SQLite store under `afc serve --data-dir`: a workload of sync and async
//! executes, the server SIGKILLed in the middle of it, a restart on the same
//! data dir, and every execution and run the server acknowledged is read
//! back over HTTP.

use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::kit::{eventually, Agent, Cp, DEADLINE};

/// A running `afc serve --data-dir`; killed (SIGKILL) when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    /// Starts the binary on `listen` and waits for its "listening on" line.
    async fn start(dir: &Path, listen: &str, sync: &str) -> Self {
        Self::start_with(dir, listen, sync, &[]).await
    }

    /// As [`Server::start`], with more flags.
    async fn start_with(dir: &Path, listen: &str, sync: &str, flags: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_afc"))
            .args(["serve", "--listen", listen, "--sync", sync])
            .args(flags)
            .arg("--data-dir")
            .arg(dir)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn afc serve");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let prefix = "afc reference control plane listening on ";
        let read = async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(url) = line.strip_prefix(prefix) {
                    return Some(url.to_owned());
                }
            }
            None
        };
        let url = tokio::time::timeout(DEADLINE, read)
            .await
            .unwrap_or_else(|_| panic!("afc serve printed no {prefix:?} line within {DEADLINE:?}"))
            .unwrap_or_else(|| panic!("afc serve exited before printing {prefix:?}"));
        Self { child, url }
    }

    /// SIGKILL, and wait until the process is gone.
    async fn kill(mut self) {
        self.child.kill().await.expect("SIGKILL afc serve");
    }
}

/// One execution the server acknowledged: a sync 200 carries its result,
/// an async 202 only its ids.
#[derive(Debug, Clone)]
struct Ack {
    sync: bool,
    execution_id: String,
    run_id: String,
    input: Value,
}

/// Fires executes until the server stops answering; records every acknowledgement.
async fn workload(cp: Arc<Cp>, worker: usize, acks: Arc<Mutex<Vec<Ack>>>) {
    for i in 0.. {
        let sync = (worker + i).is_multiple_of(2);
        let input = json!({"worker": worker, "i": i});
        let path = if sync {
            "/api/v1/execute/n1.echo"
        } else {
            "/api/v1/execute/async/n1.echo"
        };
        let sent = cp
            .client
            .post(format!("{}{path}", cp.url))
            .json(&json!({ "input": input }))
            .send()
            .await;
        let Ok(resp) = sent else { return };
        let status = resp.status().as_u16();
        let Ok(body) = resp.json::<Value>().await else {
            return;
        };
        assert!(
            status == if sync { 200 } else { 202 },
            "{path} answered {status} {body}"
        );
        if sync {
            assert_eq!(body["result"], json!({ "echo": input }), "{body}");
        }
        let field = |k: &str| body[k].as_str().unwrap_or_default().to_owned();
        acks.lock().expect("acks lock").push(Ack {
            sync,
            execution_id: field("execution_id"),
            run_id: field("run_id"),
            input,
        });
    }
}

/// `full` syncs every commit; `normal` only writes it to the WAL, which the
/// OS keeps when the process dies: both must survive SIGKILL.
#[rstest::rstest]
#[case::sync_full("full")]
#[case::sync_normal("normal")]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_execution_and_run_survives_sigkill(#[case] sync: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = Server::start(dir.path(), "127.0.0.1:0", sync).await;
    let cp = Arc::new(Cp::at(&first.url));
    let agent = Agent::start(&cp, "n1", &["echo"]).await;

    let acks = Arc::new(Mutex::new(Vec::<Ack>::new()));
    let workers: Vec<_> = (0..4)
        .map(|w| tokio::spawn(workload(cp.clone(), w, acks.clone())))
        .collect();
    // Kill while the workers are still sending: after a number of
    // acknowledgements, not after a time.
    eventually("60 acknowledged executes", || async {
        let n = acks.lock().expect("acks lock").len();
        if n >= 60 {
            Ok(())
        } else {
            Err(format!("{n} acknowledged"))
        }
    })
    .await;
    let addr = first.url.trim_start_matches("http://").to_owned();
    first.kill().await;
    for w in workers {
        tokio::time::timeout(DEADLINE, w)
            .await
            .expect("a worker stops once the server is gone")
            .expect("worker task");
    }
    let acks = acks.lock().expect("acks lock").clone();
    assert!(acks.iter().any(|a| a.sync) && acks.iter().any(|a| !a.sync));

    // Same data dir, same address: the agent's registration still points here.
    let second = Server::start(dir.path(), &addr, sync).await;
    let cp = Cp::at(&second.url);
    for ack in &acks {
        let r = cp
            .get(&format!("/api/v1/executions/{}", ack.execution_id))
            .await;
        assert_eq!(r.status, 200, "{ack:?} lost: {}", r.body);
        assert_eq!(r.body["run_id"], json!(ack.run_id), "{ack:?}");
        if ack.sync {
            assert_eq!(r.body["status"], json!("succeeded"), "{ack:?}: {}", r.body);
            assert_eq!(r.body["result"], json!({ "echo": ack.input }), "{ack:?}");
        }
        let run = cp
            .get(&format!("/api/ui/v2/workflow-runs/{}", ack.run_id))
            .await;
        assert_eq!(run.status, 200, "run of {ack:?} lost: {}", run.body);
    }
    // The node survived too: a new execute is dispatched without re-registering.
    let before = agent.hops_to("echo").len();
    let r = cp
        .execute("n1.echo", &[], json!({"input": {"after": true}}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(agent.hops_to("echo").len(), before + 1);
    second.kill().await;
}

/// The newest contract's automatic resume at start
/// (`ResumeInterruptedRunsOnStartup`, upstream execute_resume_interrupted.go
/// @6248831c): a root reaped by an agent restart while resume was off has no
/// successor; the same data served again with `--resume-interrupted-runs`
/// hands it off at start, as a `kind: resume` restart its root points at.
#[tokio::test]
async fn an_interrupted_root_is_resumed_when_served_again_with_resume_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = Server::start(dir.path(), "127.0.0.1:0", "normal").await;
    let cp = Cp::at(&first.url);
    let agent = Agent::start(&cp, "n1", &["root"]).await;
    agent.program("root", crate::kit::Program::Silent);
    let exec = cp
        .execute_async("n1.root", &[], json!({"input": {"q": 1}}))
        .await
        .str("execution_id");
    agent.wait_hop(&exec).await;
    assert_eq!(
        agent.register(&cp, &["root"], &[], "second").await.status,
        201
    );
    let reaped = cp.get(&format!("/api/v1/executions/{exec}")).await.body;
    assert_eq!(reaped["status"], "failed", "{reaped}");
    assert_eq!(reaped.get("restarted_as"), None, "resume is off: {reaped}");
    first.kill().await;

    let again = Server::start_with(
        dir.path(),
        "127.0.0.1:0",
        "normal",
        &["--resume-interrupted-runs"],
    )
    .await;
    let cp = Cp::at(&again.url);
    let source = cp.get(&format!("/api/v1/executions/{exec}")).await.body;
    let successor = source["restarted_as"]["execution_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no successor at start: {source}"))
        .to_owned();
    let run = source["restarted_as"]["run_id"]
        .as_str()
        .unwrap_or_default();
    let detail = cp
        .get(&format!("/api/ui/v2/workflow-runs/{run}"))
        .await
        .body;
    assert_eq!(detail["run"]["lineage"]["kind"], "resume", "{detail}");
    agent.wait_hop(&successor).await;
    again.kill().await;
}
