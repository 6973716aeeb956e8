//! Starting the external agent processes of a scenario: a Python fixture
//! agent (`python:` in the file) or an interpreter agent (`AFC_AGENTS`), each
//! behind its recording wire (`proxy.rs`), with the environment of
//! fixtures/agents/PROTOCOL.md.

use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::external::{self, Interpreter, Launcher};
use super::program::World;
use super::{pool, proxy, python, AgentError, LaunchError};
use crate::scenario::PythonAgent;

/// A started agent process.
pub(crate) enum Launched {
    /// A process of its own (a fixture script, or `command:PATH`).
    Own(Box<python::Process>),
    /// Forked from the warm Python pool.
    Pooled {
        agent: String,
        label: String,
        member: pool::Member,
    },
}

impl Launched {
    /// The scenario agent it plays.
    pub(crate) fn agent(&self) -> &str {
        match self {
            Launched::Own(p) => p.agent(),
            Launched::Pooled { agent, .. } => agent,
        }
    }

    /// Waits until it registered through `wire` and answers.
    pub(crate) async fn ready(&self, wire: &proxy::Wire) -> Result<(), LaunchError> {
        match self {
            Launched::Own(p) => p.ready(wire).await,
            Launched::Pooled { label, member, .. } => {
                python::await_ready(label, wire, || member.exited(), |n| member.tail(n)).await
            }
        }
    }
}

/// Serves the control-plane side of `wire` on loopback; returns its URL and stop signal.
async fn control_plane_side(
    wire: &Arc<proxy::Wire>,
    err: &impl Fn(LaunchError) -> AgentError,
) -> Result<(String, oneshot::Sender<()>), AgentError> {
    // The control-plane side is only for this process: always loopback.
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| err(LaunchError::Listen(e)))?;
    let cp = format!(
        "http://{}",
        listener
            .local_addr()
            .map_err(|e| err(LaunchError::ListenAddr(e)))?
    );
    let (stop, stopped) = oneshot::channel::<()>();
    let app = proxy::control_plane_side(wire.clone());
    crate::serving::serve_until(listener, app, stopped, "agent wire");
    Ok((cp, stop))
}

/// The environment every external agent gets (PROTOCOL.md "Environment").
fn base_env(world: &World, agent: &str, cp: &str, mode: &str) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = vec![
        ("AFC_CP_URL".into(), cp.to_string()),
        ("AGENTFIELD_SERVER".into(), cp.to_string()),
        ("AFC_NODE_ID".into(), world.node_ids[agent].clone()),
        ("AFC_MODE".into(), mode.into()),
        // Where programs hold at barriers (PROTOCOL.md "Barriers").
        ("AFC_BARRIER_URL".into(), world.barrier_url.clone()),
        // The SDK takes only the host from it; the port is its own (§7.2).
        ("AGENT_CALLBACK_URL".into(), "http://127.0.0.1".into()),
    ];
    for (other, id) in &world.node_ids {
        env.push((
            format!("AFC_NODE_{}", other.to_ascii_uppercase()),
            id.clone(),
        ));
    }
    env
}

/// Starts a Python fixture agent (`python:` in the scenario file).
pub(crate) async fn fixture(
    world: &World,
    agent: &str,
    spec: &PythonAgent,
    wire: &Arc<proxy::Wire>,
) -> Result<(Launched, oneshot::Sender<()>), AgentError> {
    let err = |source: LaunchError| AgentError::Python {
        agent: agent.to_string(),
        source: Box::new(source),
    };
    let interpreter = python::interpreter().map_err(|e| err(e.into()))?;
    let script = python::script(spec).map_err(err)?;
    let (cp, stop) = control_plane_side(wire, &err).await?;
    let env = base_env(world, agent, &cp, spec.mode.as_str());
    let label = format!(
        "the SDK process (node {}, {}, {} mode)",
        world.node_ids[agent],
        spec.script,
        spec.mode.as_str()
    );
    let process = python::Process::spawn(&interpreter, &script, &env, agent, label).map_err(err)?;
    Ok((Launched::Own(Box::new(process)), stop))
}

/// Starts an interpreter agent that runs `agent`'s programs from `program`.
pub(crate) async fn interpreter(
    world: &World,
    agent: &str,
    interp: &Interpreter,
    program: &std::path::Path,
    wire: &Arc<proxy::Wire>,
) -> Result<(Launched, oneshot::Sender<()>), AgentError> {
    let err = |source: LaunchError| AgentError::Interpreter {
        agent: agent.to_string(),
        source: Box::new(source),
    };
    let spec = &world.scenario.agents[agent];
    let mode = external::mode(interp, spec.mode);
    let (cp, stop) = control_plane_side(wire, &err).await?;
    let mut env = base_env(world, agent, &cp, mode);
    env.push(("AFC_PROGRAM".into(), program.display().to_string()));
    env.push(("AFC_AGENT".into(), agent.to_string()));
    let node = &world.node_ids[agent];
    let launched = match &interp.launcher {
        Launcher::Python => {
            let python = python::interpreter().map_err(|e| err(e.into()))?;
            let script = external::python_script().map_err(err)?;
            let log = std::env::temp_dir().join(format!("afc-agent-{node}.log"));
            let member =
                tokio::task::spawn_blocking(move || pool::fork(&python, &script, &env, log))
                    .await
                    .map_err(|e| err(LaunchError::PoolTask(e)))?
                    .map_err(|e| err(e.into()))?;
            Launched::Pooled {
                agent: agent.to_string(),
                label: format!("the Python interpreter (node {node}, {mode} mode)"),
                member,
            }
        }
        Launcher::Command(path) => {
            let label = format!("{} (node {node}, {mode} mode)", path.display());
            let process =
                python::Process::spawn_command(path, &[], &env, agent, label).map_err(err)?;
            Launched::Own(Box::new(process))
        }
    };
    Ok((launched, stop))
}
