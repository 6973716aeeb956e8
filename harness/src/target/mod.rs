//! Where the control plane under test comes from. Every kind ends as a base
//! URL, an optional API key and a profile; nothing downstream knows which
//! kind it got.
//!
//! - embedded (default): the reference control plane, in-process on 127.0.0.1:0;
//! - URL: `AGENTFIELD_URL` (+ `AGENTFIELD_API_KEY`), any running implementation;
//! - container: `AGENTFIELD_IMAGE=name:tag`, started with testcontainers on the
//!   host network, listening on `AFC_CONTAINER_PORT` (default 8080); needs
//!   the `container` feature (testcontainers is not in the default build).
//!
//! `AFC_PROFILE` names the target's profile (`fixtures/profiles/<name>.toml`).

#[cfg_attr(not(feature = "container"), path = "no_container.rs")]
mod container;
mod embedded;
mod error;
pub mod health;
mod profile;
mod restart;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub use error::{
    ChoiceError, ContainerError, ProfileError, ProfileParseError, ReferenceError, RestartError,
    TargetError,
};
pub use profile::{is_capability, Profile, CAPABILITIES, VERSION_DIFFERENCE};
pub use restart::Exclusive;

use crate::client::Client;

/// A control plane to test. Clones share the container, if any; it is
/// removed when the last clone drops.
#[derive(Clone, Debug)]
pub struct Target {
    /// Base URL, e.g. `http://127.0.0.1:8080`.
    pub url: String,
    /// API key to send, if the target wants one.
    pub api_key: Option<String>,
    /// Human name for reports: `embedded`, the URL, or the image.
    pub kind: String,
    /// What the target implements.
    pub profile: Profile,
    /// Time from `docker start` to a healthy control plane, for containers.
    pub startup: Option<Duration>,
    /// Which agents play the scenarios (`AFC_AGENTS`, `afc run --agents`).
    pub agents: crate::agents::AgentKind,
    container: Option<Arc<container::Running>>,
    restarts: restart::Restarts,
}

/// Where a target comes from, as the environment or the command line says.
#[derive(Clone, Debug, Default)]
pub struct Choice {
    /// A running control plane.
    pub url: Option<String>,
    /// An image to start.
    pub image: Option<String>,
    /// API key for a URL target.
    pub api_key: Option<String>,
    /// Profile name or path.
    pub profile: Option<String>,
    /// Port the container listens on.
    pub container_port: u16,
    /// Agent kind: `scripted`, `python`, `python:serve`, `command:PATH`.
    pub agents: Option<String>,
    /// Shell command that restarts a URL target (`restart_control_plane`).
    pub restart_cmd: Option<String>,
}

impl Choice {
    /// `AGENTFIELD_URL`, `AGENTFIELD_IMAGE`, `AGENTFIELD_API_KEY`, `AFC_PROFILE`,
    /// `AFC_CONTAINER_PORT`; blank values count as unset.
    pub fn from_env() -> Result<Choice, TargetError> {
        let var = |k: &str| {
            std::env::var(k)
                .ok()
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let container_port = match var("AFC_CONTAINER_PORT") {
            Some(p) => p
                .parse()
                .map_err(|source| ChoiceError::Port { value: p, source })?,
            None => 8080,
        };
        Ok(Choice {
            url: var("AGENTFIELD_URL"),
            image: var("AGENTFIELD_IMAGE"),
            api_key: var("AGENTFIELD_API_KEY"),
            profile: var("AFC_PROFILE"),
            container_port,
            agents: var("AFC_AGENTS"),
            restart_cmd: var("AFC_RESTART_CMD"),
        })
    }
}

impl Target {
    /// The target the environment asks for; the embedded reference by default.
    pub fn from_env() -> Result<Target, TargetError> {
        Target::start(&Choice::from_env()?)
    }

    /// Starts or connects to the chosen target. The embedded reference is
    /// started once per process and shared, exactly as a URL target is shared,
    /// so scenarios must not collide on it.
    pub fn start(choice: &Choice) -> Result<Target, TargetError> {
        let profiles = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/profiles");
        let profile = |default: &str| match &choice.profile {
            Some(p) => Profile::load(p, &profiles).map_err(TargetError::Profile),
            None => Ok(Profile::complete(default)),
        };
        let agents = match &choice.agents {
            Some(a) => a.parse().map_err(ChoiceError::Agents)?,
            None => crate::agents::AgentKind::Scripted,
        };
        if let (Some(_), Some(_)) = (&choice.url, &choice.image) {
            return Err(ChoiceError::UrlAndImage.into());
        }
        if let Some(url) = &choice.url {
            return Ok(Target {
                url: url.trim_end_matches('/').to_string(),
                api_key: choice.api_key.clone(),
                kind: url.clone(),
                profile: profile("unprofiled")?,
                startup: None,
                agents,
                container: None,
                restarts: match &choice.restart_cmd {
                    Some(cmd) => restart::Restarts::Command(cmd.clone()),
                    None => restart::Restarts::Unsupported(
                        "restart_control_plane needs AFC_RESTART_CMD for a URL target".to_owned(),
                    ),
                },
            });
        }
        if let Some(image) = &choice.image {
            let deadline = Duration::from_secs(60);
            let (url, running, startup) = container::start(image, choice.container_port, deadline)?;
            return Ok(Target {
                url,
                api_key: choice.api_key.clone(),
                kind: format!("image {image}"),
                profile: profile("unprofiled")?,
                startup: Some(startup),
                agents: agents.clone(),
                container: Some(Arc::new(running)),
                restarts: restart::Restarts::Container,
            });
        }
        let addr = embedded::start().map_err(TargetError::Reference)?;
        // AFC_CONTRACT=v0.1.96 skips, by version, what that release lacks.
        let contract =
            embedded::contract_from_env().map_err(|e| TargetError::Reference(e.into()))?;
        let profile = match &choice.profile {
            Some(_) => profile("afc-reference")?,
            None => Profile::reference(contract),
        };
        Ok(Target {
            url: format!("http://{addr}"),
            api_key: None,
            kind: "embedded".to_string(),
            profile,
            startup: None,
            agents: agents.clone(),
            container: None,
            restarts: restart::Restarts::Embedded,
        })
    }

    /// Whether the target answers `GET /api/v1/health` as healthy
    /// (`health::check`), from a thread outside any runtime.
    pub fn check_health(&self) -> Result<(), health::HealthError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| health::HealthError::Unreachable {
                url: self.url.clone(),
                cause: format!("cannot start a runtime: {e}"),
            })?;
        runtime.block_on(health::check(&self.url, self.api_key.as_deref()))
    }

    /// A client for this target.
    pub fn client(&self) -> Client {
        Client::new(&self.url, self.api_key.clone())
    }

    /// Why this target cannot run a `restart_control_plane` step, if it cannot.
    pub fn restart_unsupported(&self) -> Option<String> {
        match &self.restarts {
            restart::Restarts::Unsupported(reason) => Some(reason.clone()),
            _ => None,
        }
    }

    /// The target a scenario runs on: for one that restarts the embedded
    /// reference, or requires a start option the shared one runs without
    /// (`restart::PrivateOptions`: resuming interrupted runs, off by default
    /// as upstream; a tiny async pool), a private reference on SQLite;
    /// otherwise this one.
    pub fn for_scenario(
        &self,
        restarting: bool,
        requires: &[String],
    ) -> Result<Target, TargetError> {
        let options = restart::PrivateOptions::from_requires(requires);
        if !((restarting || options.any()) && matches!(self.restarts, restart::Restarts::Embedded))
        {
            return Ok(self.clone());
        }
        let private = restart::PrivateReference::start(options)?;
        Ok(Target {
            url: private.url(),
            kind: "embedded (private, SQLite)".to_string(),
            restarts: restart::Restarts::Private(private),
            ..self.clone()
        })
    }

    /// A reference of its own on the SQLite store in a temporary data dir
    /// (removed when the last clone drops): what `afc bench --url
    /// reference-sqlite` measures.
    pub fn embedded_sqlite() -> Result<Target, TargetError> {
        let private = restart::PrivateReference::start(restart::PrivateOptions::default())?;
        Ok(Target {
            url: private.url(),
            api_key: None,
            kind: "embedded (SQLite)".to_string(),
            profile: Profile::complete("afc-reference"),
            startup: None,
            agents: crate::agents::AgentKind::default(),
            container: None,
            restarts: restart::Restarts::Private(private),
        })
    }

    /// Held while a scenario runs: a scenario that restarts a control plane
    /// other scenarios share runs alone.
    pub fn exclusive(&self, restarting: bool) -> Exclusive {
        restart::exclusive(&self.restarts, restarting)
    }

    /// Stops the control plane as `how` says and starts it again on the same
    /// data; returns once it answers again.
    pub async fn restart_control_plane(
        &self,
        how: crate::scenario::ControlPlaneStop,
    ) -> Result<(), TargetError> {
        let restarted = match &self.restarts {
            restart::Restarts::Private(p) => {
                let p = p.clone();
                tokio::task::spawn_blocking(move || p.restart(how))
                    .await
                    .map_err(RestartError::Task)
                    .and_then(|r| r)
            }
            restart::Restarts::Command(cmd) => {
                restart::by_command(cmd, how, &self.url, &self.client()).await
            }
            restart::Restarts::Container => self.restart_container(how).await,
            restart::Restarts::Embedded => Err(RestartError::SharedEmbedded),
            restart::Restarts::Unsupported(reason) => {
                return Err(TargetError::RestartUnsupported(reason.clone()))
            }
        };
        restarted.map_err(TargetError::Restart)
    }

    async fn restart_container(
        &self,
        how: crate::scenario::ControlPlaneStop,
    ) -> Result<(), RestartError> {
        let Some(c) = self.container.clone() else {
            return Err(RestartError::NoContainer);
        };
        tokio::task::spawn_blocking(move || c.restart(how))
            .await
            .map_err(RestartError::Task)?
            .map_err(RestartError::Container)?;
        let what = format!(
            "{} at {} to answer GET /api/v1/health after its restart",
            self.kind, self.url
        );
        restart::healthy_again(&self.client(), &what).await
    }

    /// The container's last log lines, for a failure report; `None` for other kinds.
    pub fn container_logs(&self, lines: usize) -> Option<String> {
        self.container.as_ref().map(|c| c.last_logs(lines))
    }
}
