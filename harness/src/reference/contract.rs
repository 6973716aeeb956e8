//! Which contract the reference serves: the newest AgentField (default) or
//! release v0.1.96 (PR #639 as merged). The rules ask [`Contract::serves`]
//! where the versions differ (spec §0 tags V-adm, V-ns, V-latest), and
//! nowhere else; every other rule is the same in both.
//!
//! Each difference is a [`Feature`], and each feature is a scenario
//! capability of the same name (`scenario::capabilities`): a target on
//! v0.1.96's contract lacks it "not in this release", so the scenarios that
//! require it are skipped there, never failed.

use std::fmt;
use std::str::FromStr;

/// The environment variable that picks the embedded reference's contract.
pub const ENV: &str = "AFC_CONTRACT";

/// A contract the reference can serve.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Contract {
    /// The newest upstream contract (V-latest, with V-adm and V-ns), as far as
    /// the reference serves it (docs/contract-latest.md lists what it does not).
    #[default]
    Latest,
    /// Release v0.1.96 (887aa4a5): V639, none of V-adm, V-ns or V-latest.
    V0_1_96,
}

/// A behaviour newer than v0.1.96; each is also a scenario capability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feature {
    /// V-adm (§1.3 step 9, §1.5): concurrency admission of a restart and of
    /// an execute before any row (after the replay lookup, so a hit takes no
    /// slot); a rejection persists nothing and answers `Retry-After` / `retry_after`.
    AdmissionBeforePersistence,
    /// V-latest (§1.3 step 9 table): a gone agent or reasoner is categorised
    /// `target_not_found` (v0.1.96: `internal_error`).
    TargetNotFoundCategory,
    /// V-latest (§3.8): `reuse=none` on an offline agent is refused with 503
    /// `node_unavailable` before any row (v0.1.96: 202, fails at dispatch).
    NodeUnavailableGate,
    /// V-latest (§5.3, §7.1): `restarted_as` on the source and root
    /// executions and on the source run's lineage.
    ForwardPointers,
    /// V-ns (§5.1, §7.2): `run_metadata` on a root execute, kept in the run's
    /// `run` namespace, shown by the run reads, never inherited by a restart.
    RunMetadata,
    /// V-latest (§7.1, §8): execution rows record the agent's `instance_id`
    /// (shown on execution reads), and a re-registration with a new instance
    /// reaps only the departed instance's active rows, naming the old instance.
    InstanceScopedReap,
    /// V-latest (§8, §10 item 20): an interrupted root is resumed as a
    /// `kind: resume` restart with `resume_attempt`, bounded; only where
    /// the target runs with it switched on (upstream default off).
    ResumeInterruptedRuns,
    /// V-adm, V-latest (§1.3 steps 8 and 11): async executes and restarts
    /// reserve an admission place first; a full pool answers 503 with
    /// `Retry-After` and writes nothing (`reference::pool`).
    AsyncQueueBound,
    /// V-latest (§8 `awaiting_agent_restart`): a dial failure on a
    /// long-running node is waited out until it re-registers, within the
    /// configured grace, then dispatched again (`reference::restart_wait`).
    AgentRestartWait,
    /// V-latest (§8 `agent_client_error:<4xx>`): a status callback's
    /// `error_status_code` 4xx is recorded as `agent_client_error:<code>`
    /// (a 5xx without a reason as `agent_error`), and a sync caller waiting
    /// on a 202 agent is answered with that code instead of a blanket 502.
    AgentClientError,
}

impl Feature {
    /// Every feature, in the order the docs list them.
    pub const ALL: [Feature; 10] = [
        Feature::AdmissionBeforePersistence,
        Feature::TargetNotFoundCategory,
        Feature::NodeUnavailableGate,
        Feature::ForwardPointers,
        Feature::RunMetadata,
        Feature::InstanceScopedReap,
        Feature::ResumeInterruptedRuns,
        Feature::AsyncQueueBound,
        Feature::AgentRestartWait,
        Feature::AgentClientError,
    ];

    /// The scenario capability that requires this feature.
    pub fn capability(self) -> &'static str {
        match self {
            Feature::AdmissionBeforePersistence => "admission_before_persistence",
            Feature::TargetNotFoundCategory => "target_not_found_category",
            Feature::NodeUnavailableGate => "node_unavailable_gate",
            Feature::ForwardPointers => "forward_pointers",
            Feature::RunMetadata => "run_metadata",
            Feature::InstanceScopedReap => "instance_scoped_reap",
            Feature::ResumeInterruptedRuns => "resume_interrupted_runs",
            Feature::AsyncQueueBound => "async_queue_bound",
            Feature::AgentRestartWait => "agent_restart_wait",
            Feature::AgentClientError => "agent_client_error",
        }
    }
}

impl Contract {
    /// The name `AFC_CONTRACT` and `afc serve --contract` take.
    pub fn name(self) -> &'static str {
        match self {
            Contract::Latest => "latest",
            Contract::V0_1_96 => "v0.1.96",
        }
    }

    /// Whether this contract has `feature`.
    pub fn serves(self, feature: Feature) -> bool {
        // v0.1.96 has none of the newer features (spec §0.1).
        match (self, feature) {
            (Contract::Latest, _) => true,
            (Contract::V0_1_96, _) => false,
        }
    }

    /// The capabilities this contract does not serve, each a version
    /// difference ("not in this release"), never a bug.
    pub fn lacks(self) -> Vec<&'static str> {
        Feature::ALL
            .into_iter()
            .filter(|f| !self.serves(*f))
            .map(Feature::capability)
            .collect()
    }

    /// `AFC_CONTRACT`, the newest when unset or blank.
    pub fn from_env() -> Result<Contract, UnknownContract> {
        std::env::var(ENV).unwrap_or_default().parse()
    }
}

impl fmt::Display for Contract {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A contract name afc does not know.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("contract {0:?} is not one afc serves; use latest (default) or v0.1.96")]
pub struct UnknownContract(pub String);

impl FromStr for Contract {
    type Err = UnknownContract;

    /// `latest` (also blank), or `v0.1.96` (also `0.1.96`).
    fn from_str(s: &str) -> Result<Self, UnknownContract> {
        match s.trim() {
            "" | "latest" => Ok(Contract::Latest),
            "v0.1.96" | "0.1.96" => Ok(Contract::V0_1_96),
            other => Err(UnknownContract(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_ones_are_refused() {
        for c in [Contract::Latest, Contract::V0_1_96] {
            assert_eq!(c.name().parse(), Ok(c));
        }
        assert_eq!(" ".parse(), Ok(Contract::Latest));
        assert_eq!(
            "v0.1.95".parse::<Contract>(),
            Err(UnknownContract("v0.1.95".into()))
        );
    }

    #[test]
    fn the_newest_lacks_nothing_and_v0_1_96_lacks_every_feature() {
        assert!(Contract::Latest.lacks().is_empty());
        assert_eq!(Contract::V0_1_96.lacks().len(), Feature::ALL.len());
    }
}
