//! `restart_control_plane: graceful|kill`: the control plane stops and starts
//! again on the same data.

use serde::Deserialize;
use serde_json::Value;

use super::{ParseStep, Parsed, StepKind};
use crate::scenario::load::Problems;

/// Stop the control plane and start it again on the same data: `graceful`
/// (in-flight requests finish first) or `kill` (everything in flight is lost).
#[derive(Clone, Debug)]
pub struct RestartControlPlane {
    /// How it stops.
    pub how: ControlPlaneStop,
}

/// How a `restart_control_plane` step stops the control plane.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ControlPlaneStop {
    /// Stop accepting, let in-flight requests finish, then stop.
    Graceful,
    /// Stop at once, as SIGKILL does.
    Kill,
}

impl ControlPlaneStop {
    /// The YAML spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ControlPlaneStop::Graceful => "graceful",
            ControlPlaneStop::Kill => "kill",
        }
    }
}

impl ParseStep for RestartControlPlane {
    fn parse(v: &Value, _ptr: &str, _p: &mut Problems<'_>) -> Parsed<Self> {
        let Some(how) = v.get("restart_control_plane") else {
            return Parsed::Absent;
        };
        // The schema allows only `graceful` and `kill`.
        let how = match how.as_str() {
            Some("kill") => ControlPlaneStop::Kill,
            _ => ControlPlaneStop::Graceful,
        };
        Parsed::Step(RestartControlPlane { how })
    }
}

impl StepKind for RestartControlPlane {
    fn restarts_control_plane(&self) -> bool {
        true
    }
}
