//! Why a target could not be chosen, started or restarted, by kind; the text
//! says what and why, and is rendered only at the edges. Each kind keeps its
//! cause (the I/O error, the exit status, the wait that timed out) as data.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::agents::AgentKindError;
use crate::client::Timeout;

pub use super::profile::{ProfileError, ProfileParseError};

/// A target could not be chosen, started or restarted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// The environment or the arguments name no possible target (a URL and
    /// an image at once, an unknown agent kind, a port that is no number).
    #[error(transparent)]
    Choice(#[from] ChoiceError),
    /// The target profile could not be read or parsed.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// The embedded reference, or a private one for one scenario, could not
    /// start (shared: the embedded one is started once per process).
    #[error(transparent)]
    Reference(Arc<ReferenceError>),
    /// The image could not be started or did not answer its health check.
    #[error(transparent)]
    Container(#[from] ContainerError),
    /// A `restart_control_plane` step could not stop or start the control plane.
    #[error(transparent)]
    Restart(#[from] RestartError),
    /// This target cannot be restarted at all, for this reason (a skip
    /// reason, not a failure: there is no cause to keep).
    #[error("{0}")]
    RestartUnsupported(String),
}

/// The environment or the arguments name no possible target.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChoiceError {
    /// `AFC_CONTAINER_PORT` is no port number.
    #[error("AFC_CONTAINER_PORT={value:?} is not a port number")]
    Port {
        /// The value as given.
        value: String,
        /// Why it does not parse.
        source: std::num::ParseIntError,
    },
    /// The agent kind is unknown.
    #[error("agents: {0}")]
    Agents(#[from] AgentKindError),
    /// Both a URL and an image.
    #[error("choose one target: a URL or an image, not both")]
    UrlAndImage,
}

/// The embedded reference, or a private one, could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReferenceError {
    /// `AFC_STORE` names no store.
    #[error("AFC_STORE={0:?} is not a store; use memory (default) or sqlite")]
    UnknownStore(String),
    /// `AFC_CONTRACT` names no contract.
    #[error("AFC_CONTRACT: {0}")]
    UnknownContract(#[source] crate::reference::contract::UnknownContract),
    /// `AFC_STORE=sqlite`: no temporary data dir.
    #[error("AFC_STORE=sqlite: cannot make a data dir: {0}")]
    StoreDir(#[source] std::io::Error),
    /// `AFC_STORE=sqlite`: the store did not open.
    #[error("AFC_STORE=sqlite: {0}")]
    StoreOpen(#[source] crate::reference::StoreError),
    /// A private reference: no temporary data dir.
    #[error("cannot make a data dir: {0}")]
    DataDir(#[source] std::io::Error),
    /// A private reference: the SQLite store did not open.
    #[error("{0}")]
    Store(#[source] crate::reference::StoreError),
    /// No loopback port.
    #[error("cannot bind 127.0.0.1:0: {0}")]
    Bind(#[source] std::io::Error),
    /// The bound listener could not be read or set up.
    #[error("{0}")]
    Listener(#[source] std::io::Error),
    /// No runtime for it.
    #[error("cannot start a runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// No thread for it.
    #[error("cannot start the reference thread: {0}")]
    Thread(#[source] std::io::Error),
    /// Its thread ended before it said where it listens.
    #[error("the reference thread died: {0}")]
    ThreadDied(#[source] std::sync::mpsc::RecvError),
    /// `AFC_PERTURB` or `AFC_PERTURB_SEED` names no perturbation.
    #[error("AFC_PERTURB: {0}")]
    Perturb(#[source] crate::reference::perturb::PerturbError),
}

impl From<ReferenceError> for TargetError {
    fn from(e: ReferenceError) -> Self {
        TargetError::Reference(Arc::new(e))
    }
}

/// The image could not be started, kept healthy or restarted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ContainerError {
    /// afc was built without the `container` feature.
    #[error(
        "cannot start image {image}: afc was built without the `container` feature; \
         use `cargo test --features container` or `cargo run --features container --bin afc`"
    )]
    NoFeature {
        /// The image asked for.
        image: String,
    },
    /// Docker could not start it.
    #[cfg(feature = "container")]
    #[error(
        "cannot start image {image}: {source} (images are built locally, never pulled; \
         is it built and is a Docker engine running?)"
    )]
    Start {
        /// The image.
        image: String,
        /// What testcontainers saw (boxed: it is large, and every
        /// `Result<_, TargetError>` would pay for it).
        source: Box<testcontainers::TestcontainersError>,
    },
    /// No runtime for the health wait.
    #[error("cannot start a runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// It did not answer its health check in time.
    #[error("{timeout}\nlast container log lines:\n{logs}")]
    Unhealthy {
        /// The wait, and what it saw last.
        #[source]
        timeout: Timeout,
        /// The container's last log lines.
        logs: String,
    },
    /// It could not be stopped for a restart.
    #[cfg(feature = "container")]
    #[error("cannot stop {image}: {source}")]
    Stop {
        /// The image.
        image: String,
        /// What testcontainers saw (boxed: it is large, and every
        /// `Result<_, TargetError>` would pay for it).
        source: Box<testcontainers::TestcontainersError>,
    },
    /// It could not be started again after its stop.
    #[cfg(feature = "container")]
    #[error("cannot start {image} again: {source}")]
    StartAgain {
        /// The image.
        image: String,
        /// What testcontainers saw (boxed: it is large, and every
        /// `Result<_, TargetError>` would pay for it).
        source: Box<testcontainers::TestcontainersError>,
    },
}

/// A `restart_control_plane` step could not stop or start the control plane.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RestartError {
    /// The blocking restart task panicked or was cancelled.
    #[error("the restart task failed: {0}")]
    Task(#[source] tokio::task::JoinError),
    /// A private reference could not listen on its address again.
    #[error("cannot bind {addr} again: {source}")]
    Rebind {
        /// Its address.
        addr: SocketAddr,
        /// The last bind's error.
        source: std::io::Error,
    },
    /// A private reference could not be started again.
    #[error(transparent)]
    Relaunch(ReferenceError),
    /// `AFC_RESTART_CMD` could not be started.
    #[error("AFC_RESTART_CMD could not start: {0}")]
    CommandStart(#[source] std::io::Error),
    /// `AFC_RESTART_CMD` exited unsuccessfully.
    #[error("AFC_RESTART_CMD {command:?} failed: {status}")]
    CommandFailed {
        /// The command.
        command: String,
        /// How it exited.
        status: std::process::ExitStatus,
    },
    /// The control plane did not answer its health check again in time.
    #[error(transparent)]
    NotHealthy(Timeout),
    /// The shared embedded reference was asked to restart.
    #[error("the shared embedded reference is never restarted; run on Target::for_scenario")]
    SharedEmbedded,
    /// An image target has no container.
    #[error("an image target without its container")]
    NoContainer,
    /// The container could not be stopped or started again.
    #[error(transparent)]
    Container(ContainerError),
}

#[cfg(test)]
mod tests {
    use super::{ChoiceError, ProfileError, RestartError, TargetError};
    use crate::scenario::ControlPlaneStop;
    use crate::target::{Choice, Target};

    fn start(choice: Choice) -> TargetError {
        Target::start(&choice).expect_err("an impossible choice")
    }

    #[test]
    fn an_impossible_choice_is_refused_by_kind() {
        let both = Choice {
            url: Some("http://127.0.0.1:9".into()),
            image: Some("afc-reference:dev".into()),
            ..Choice::default()
        };
        assert!(matches!(
            start(both),
            TargetError::Choice(ChoiceError::UrlAndImage)
        ));
        let agents = Choice {
            agents: Some("perl".into()),
            ..Choice::default()
        };
        assert!(matches!(
            start(agents),
            TargetError::Choice(ChoiceError::Agents(_))
        ));
        let profile = Choice {
            url: Some("http://127.0.0.1:9".into()),
            profile: Some("no-such-profile".into()),
            ..Choice::default()
        };
        assert!(matches!(
            start(profile),
            TargetError::Profile(ProfileError::Read { .. })
        ));
    }

    #[tokio::test]
    async fn a_url_without_a_restart_command_cannot_restart_and_says_why() {
        let url = Choice {
            url: Some("http://127.0.0.1:9".into()),
            ..Choice::default()
        };
        let target = Target::start(&url).expect("a URL target needs nothing running");
        let e = target
            .restart_control_plane(ControlPlaneStop::Kill)
            .await
            .expect_err("no AFC_RESTART_CMD");
        assert!(matches!(e, TargetError::RestartUnsupported(_)), "{e:?}");
        assert_eq!(
            e.to_string(),
            "restart_control_plane needs AFC_RESTART_CMD for a URL target"
        );
    }

    #[tokio::test]
    async fn a_restart_that_cannot_happen_fails_by_kind_with_its_cause() {
        let failing = Choice {
            url: Some("http://127.0.0.1:9".into()),
            restart_cmd: Some("exit 3".into()),
            ..Choice::default()
        };
        let target = Target::start(&failing).expect("a URL target needs nothing running");
        let e = target
            .restart_control_plane(ControlPlaneStop::Graceful)
            .await
            .expect_err("the command exits 3");
        assert!(
            matches!(&e, TargetError::Restart(RestartError::CommandFailed { command, status })
                if command == "exit 3" && status.code() == Some(3)),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            "AFC_RESTART_CMD \"exit 3\" failed: exit status: 3"
        );
        let shared = Target::start(&Choice::default()).expect("the embedded reference");
        let e = shared
            .restart_control_plane(ControlPlaneStop::Kill)
            .await
            .expect_err("never the shared one");
        assert!(
            matches!(e, TargetError::Restart(RestartError::SharedEmbedded)),
            "{e:?}"
        );
    }
}
