//! The agents of a scenario: one real HTTP server per declared node.
//!
//! A scripted agent registers with the target exactly as an SDK agent does
//! (agent-protocol §1, §8), records every dispatch, and runs its reasoner
//! programs. A Python agent is the real SDK in a child process (`python.rs`),
//! seen through a recording wire (`proxy.rs`) whose agent side is the server
//! registered with the target; both kinds land in the same [`Log`]. Either
//! can be taken down (it stops listening) and brought back on the same port.

pub mod describe;
mod error;
pub mod external;
mod launch;
mod pool;
mod program;
pub mod provision;
mod proxy;
pub mod python;
pub mod record;
pub mod sdk;
mod server;
mod template;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::client::Client;
use crate::scenario::Scenario;
pub use error::{AgentError, LaunchError, PythonError};
pub use external::{AgentKind, AgentKindError};
pub use pool::PoolError;
use program::World;
pub use record::{Dispatch, Log, OutCall, Recorder};

struct Running {
    addr: SocketAddr,
    /// The URL a scripted agent registered with, and how often it has
    /// registered (its `instance_id` is `<agent>-<that count>`).
    registered: Option<(String, u32)>,
    /// The recording wire, for a Python agent; its agent side is what listens.
    wire: Option<Arc<proxy::Wire>>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// The agents of one scenario; dropping it stops them all and kills the
/// Python processes.
pub struct AgentHost {
    world: Arc<World>,
    running: BTreeMap<String, Running>,
    /// External processes, and the stop signals of their control-plane sides.
    pythons: Vec<(launch::Launched, oneshot::Sender<()>)>,
    /// The interpreter agents' program file, removed at drop.
    _program: Option<external::ProgramFile>,
}

fn suffix() -> String {
    use rand::RngExt;
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..8)
        .map(|_| CHARS[rng.random_range(0..CHARS.len())] as char)
        .collect()
}

/// A listener for `agent` on `bind`, and the address it got.
async fn listen(agent: &str, bind: &str) -> Result<(TcpListener, SocketAddr), AgentError> {
    let error = |source| AgentError::Bind {
        agent: agent.to_string(),
        addr: bind.to_string(),
        source,
    };
    let listener = TcpListener::bind(bind).await.map_err(error)?;
    let addr = listener.local_addr().map_err(error)?;
    Ok((listener, addr))
}

impl AgentHost {
    /// Starts and registers every agent of `scenario`. Node ids are
    /// `<agent>-<random>`, so scenarios never collide on a shared target.
    pub async fn start(
        scenario: Arc<Scenario>,
        client: Client,
        llm_urls: BTreeMap<String, String>,
        call_timeout: Duration,
        kind: &AgentKind,
        barrier_url: String,
    ) -> Result<Self, AgentError> {
        let node_ids: BTreeMap<String, String> = scenario
            .agents
            .keys()
            .map(|a| (a.clone(), format!("{a}-{}", suffix())))
            .collect();
        let interp = match kind {
            AgentKind::Interpreter(i) => Some(i.clone()),
            AgentKind::Scripted => None,
        };
        let program = match &interp {
            Some(_) => external::program_file(&scenario, &node_ids, &llm_urls)?,
            None => None,
        };
        let world = Arc::new(World {
            client,
            scenario: scenario.clone(),
            node_ids,
            llm_urls,
            recorder: Recorder::default(),
            fail_counts: Mutex::new(Default::default()),
            call_timeout,
            http: reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("a plain reqwest client builds"),
            barrier_url,
            generations: Mutex::default(),
        });
        let bind = std::env::var("AFC_AGENT_BIND").unwrap_or_else(|_| "127.0.0.1:0".to_string());
        let public =
            std::env::var("AFC_AGENT_PUBLIC_HOST").unwrap_or_else(|_| "127.0.0.1".to_string());
        let mut host = AgentHost {
            world,
            running: BTreeMap::new(),
            pythons: Vec::new(),
            _program: program,
        };
        // A scenario that requires `parallel_registration` registers its
        // scripted agents at once (what v0.1.96's DID service dies of);
        // every other one registers them one after another.
        let at_once = scenario
            .requires
            .iter()
            .any(|r| r == "parallel_registration");
        let mut deferred = Vec::new();
        for (agent, spec) in &scenario.agents {
            let (listener, addr) = listen(agent, &bind).await?;
            let url = format!("http://{public}:{}", addr.port());
            if spec.python.is_none() && interp.is_none() {
                let mut running = host.serve(agent, listener, addr, None);
                running.registered = Some((url.clone(), 1));
                host.running.insert(agent.clone(), running);
                if at_once {
                    deferred.push((agent.clone(), url));
                } else {
                    host.register(agent, &url, 1).await?;
                }
                continue;
            }
            host.start_external(agent, spec, interp.as_ref(), listener, addr, url)
                .await?;
        }
        futures::future::try_join_all(deferred.iter().map(|(a, u)| host.register(a, u, 1))).await?;
        host.await_external(&scenario).await?;
        Ok(host)
    }

    /// Starts an external agent (a Python fixture, or an interpreter running
    /// the program file) behind a recording proxy on `listener`.
    async fn start_external(
        &mut self,
        agent: &str,
        spec: &crate::scenario::AgentSpec,
        interp: Option<&external::Interpreter>,
        listener: TcpListener,
        addr: SocketAddr,
        url: String,
    ) -> Result<(), AgentError> {
        let wire = Arc::new(proxy::Wire::new(
            agent,
            url,
            self.world
                .node_ids
                .iter()
                .map(|(a, n)| (n.clone(), a.clone()))
                .collect(),
            self.world.recorder.clone(),
            self.world.client.clone(),
        ));
        let running = self.serve(agent, listener, addr, Some(wire.clone()));
        self.running.insert(agent.to_string(), running);
        let process = match (&spec.python, interp, &self._program) {
            (Some(py), _, _) => launch::fixture(&self.world, agent, py, &wire).await?,
            (None, Some(i), Some(file)) => {
                launch::interpreter(&self.world, agent, i, file.path(), &wire).await?
            }
            _ => {
                return Err(AgentError::Interpreter {
                    agent: agent.to_string(),
                    source: Box::new(LaunchError::NoProgramFile),
                })
            }
        };
        self.pythons.push(process);
        Ok(())
    }

    /// External agents start together and are awaited together: their
    /// start-up dominates.
    async fn await_external(&self, scenario: &Scenario) -> Result<(), AgentError> {
        for (process, _) in &self.pythons {
            let agent = process.agent();
            let wire = self.running[agent].wire.clone();
            if let Some(wire) = wire {
                process.ready(&wire).await.map_err(|source| {
                    let (agent, source) = (agent.to_string(), Box::new(source));
                    match scenario.agents.get(&agent).and_then(|a| a.python.as_ref()) {
                        Some(_) => AgentError::Python { agent, source },
                        None => AgentError::Interpreter { agent, source },
                    }
                })?;
            }
        }
        Ok(())
    }

    fn serve(
        &self,
        agent: &str,
        listener: TcpListener,
        addr: SocketAddr,
        wire: Option<Arc<proxy::Wire>>,
    ) -> Running {
        let (stop, stopped) = oneshot::channel::<()>();
        let app = match &wire {
            Some(w) => proxy::agent_side(w.clone()),
            None => server::router(self.world.clone(), agent.to_string()),
        };
        let task = crate::serving::serve_until(listener, app, stopped, "agent server");
        Running {
            addr,
            registered: None,
            wire,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Registers a scripted agent as process instance `<agent>-<generation>`
    /// (unique per node: node ids are unique per scenario), so a scenario can
    /// name an instance it saw replaced.
    async fn register(
        &self,
        agent: &str,
        base_url: &str,
        generation: u32,
    ) -> Result<(), AgentError> {
        let spec = &self.world.scenario.agents[agent];
        let body = json!({
            "id": self.world.node_ids[agent],
            "base_url": base_url,
            "version": "1.0.0",
            "deployment_type": "long_running",
            "instance_id": format!("{agent}-{generation}"),
            "reasoners": spec.reasoners.keys().map(|r| json!({"id": r})).collect::<Vec<Value>>(),
            "skills": [],
        });
        let resp = self
            .world
            .client
            .post("/api/v1/nodes/register", body)
            .await
            .map_err(|source| AgentError::Register {
                agent: agent.to_string(),
                source,
            })?;
        if !(200..300).contains(&resp.status) {
            return Err(AgentError::Refused {
                agent: agent.to_string(),
                status: resp.status,
                body: resp.body,
            });
        }
        Ok(())
    }

    /// The node id an agent registered under.
    pub fn node_id(&self, agent: &str) -> Option<&str> {
        self.world.node_ids.get(agent).map(String::as_str)
    }

    /// Agent name → node id, for every agent.
    pub fn node_ids(&self) -> &BTreeMap<String, String> {
        &self.world.node_ids
    }

    /// Everything recorded so far.
    pub fn log(&self) -> Log {
        self.world.recorder.snapshot()
    }

    /// Stops listening; in-flight requests finish, new connections are refused.
    pub async fn down(&mut self, agent: &str) -> Result<(), AgentError> {
        let r = self
            .running
            .get_mut(agent)
            .ok_or_else(|| AgentError::Unknown(agent.to_string()))?;
        if let Some(stop) = r.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = r.task.take() {
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                tracing::warn!("agent '{agent}' did not stop within 5 s");
            }
        }
        Ok(())
    }

    /// Listens again on the same address.
    pub async fn up(&mut self, agent: &str) -> Result<(), AgentError> {
        let (addr, wire) = self
            .running
            .get(agent)
            .map(|r| (r.addr, r.wire.clone()))
            .ok_or_else(|| AgentError::Unknown(agent.to_string()))?;
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| AgentError::Bind {
                agent: agent.to_string(),
                addr: addr.to_string(),
                source,
            })?;
        let mut running = self.serve(agent, listener, addr, wire);
        running.registered = self.running.get(agent).and_then(|r| r.registered.clone());
        self.running.insert(agent.to_string(), running);
        Ok(())
    }

    /// Registers a scripted agent again as a new process instance (the next
    /// `instance_id`), as an agent restarted mid-execution does; what it was
    /// running keeps running. A stopped (`down`) one first listens again on
    /// another port, as a restarted process may come back elsewhere. An
    /// external agent registers itself: refused.
    pub async fn reregister(&mut self, agent: &str) -> Result<(), AgentError> {
        if self.running.get(agent).is_some_and(|r| r.task.is_none()) {
            self.listen_elsewhere(agent).await?;
        }
        let r = self
            .running
            .get_mut(agent)
            .ok_or_else(|| AgentError::Unknown(agent.to_string()))?;
        let Some((url, generation)) = r.registered.as_mut() else {
            return Err(AgentError::NotScripted(agent.to_string()));
        };
        *generation += 1;
        let (url, generation) = (url.clone(), *generation);
        // Before the registration: what it dispatches runs on the new instance.
        self.world
            .generations
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(agent.to_owned(), generation);
        self.register(agent, &url, generation).await
    }

    /// A stopped scripted agent listens on a new port of its host; its next
    /// registration names that address.
    async fn listen_elsewhere(&mut self, agent: &str) -> Result<(), AgentError> {
        let r = &self.running[agent];
        let Some((url, generation)) = r.registered.clone() else {
            return Err(AgentError::NotScripted(agent.to_string()));
        };
        let (listener, addr) = listen(agent, &SocketAddr::new(r.addr.ip(), 0).to_string()).await?;
        let host = url.rsplit_once(':').map_or(url.as_str(), |(h, _)| h);
        let mut running = self.serve(agent, listener, addr, None);
        running.registered = Some((format!("{host}:{}", addr.port()), generation));
        self.running.insert(agent.to_string(), running);
        Ok(())
    }
}

impl Drop for AgentHost {
    fn drop(&mut self) {
        for r in self.running.values_mut() {
            if let Some(stop) = r.stop.take() {
                let _ = stop.send(());
            }
        }
        // The processes are killed as `pythons` drops (kill_on_drop).
        for (_, stop) in self.pythons.drain(..) {
            let _ = stop.send(());
        }
    }
}
