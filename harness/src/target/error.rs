//! Why a target could not be chosen, started or restarted, by kind; the text
//! says what and why, and is rendered only at the edges.

/// A target could not be chosen, started or restarted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// The environment or the arguments name no possible target (a URL and
    /// an image at once, an unknown agent kind, a port that is no number).
    #[error("{0}")]
    Choice(String),
    /// The target profile could not be read or parsed.
    #[error("{0}")]
    Profile(String),
    /// The embedded reference, or a private one for one scenario, could not start.
    #[error("{0}")]
    Reference(String),
    /// The image could not be started or did not answer its health check.
    #[error("{0}")]
    Container(String),
    /// A `restart_control_plane` step could not stop or start the control plane.
    #[error("{0}")]
    Restart(String),
    /// This target cannot be restarted at all, for this reason.
    #[error("{0}")]
    RestartUnsupported(String),
}

#[cfg(test)]
mod tests {
    use super::TargetError;
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
        assert!(matches!(start(both), TargetError::Choice(_)));
        let agents = Choice {
            agents: Some("perl".into()),
            ..Choice::default()
        };
        assert!(matches!(start(agents), TargetError::Choice(_)));
        let profile = Choice {
            url: Some("http://127.0.0.1:9".into()),
            profile: Some("no-such-profile".into()),
            ..Choice::default()
        };
        assert!(matches!(start(profile), TargetError::Profile(_)));
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
        assert_eq!(
            e,
            TargetError::RestartUnsupported(
                "restart_control_plane needs AFC_RESTART_CMD for a URL target".into()
            )
        );
    }
}
