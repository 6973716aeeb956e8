//! The contract's rules, each in one function that cites its section of
//! `restart-replay-contract.md`. Routes, the replay boundary, the reads and
//! every [`super::store::Store`] call these; a store only keeps rows and
//! returns candidates in start order, it never decides a rule.

use std::str::FromStr;

use super::model::{Execution, ReplayPlan, RunRecord};
use super::status::Status;
use super::store::ReplayKey;

/// A replay mode (§3.1) and a restart's `reuse` (§1.2), by wire name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplayMode {
    /// `succeeded-before`: reuse only what started before the boundary.
    SucceededBefore,
    /// `all-succeeded`: reuse any matching succeeded execution.
    AllSucceeded,
    /// `none`: never reuse.
    None,
}

impl ReplayMode {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SucceededBefore => "succeeded-before",
            Self::AllSucceeded => "all-succeeded",
            Self::None => "none",
        }
    }
}

impl FromStr for ReplayMode {
    type Err = ();

    /// Case-sensitive, as v0.1.96 compares the header and the body field.
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "succeeded-before" => Ok(Self::SucceededBefore),
            "all-succeeded" => Ok(Self::AllSucceeded),
            "none" => Ok(Self::None),
            _ => Err(()),
        }
    }
}

/// A restart's scope (§1.2, §2.1), by wire name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Re-run the run's root.
    Workflow,
    /// Re-run the restarted execution itself.
    Execution,
}

impl Scope {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Workflow => "workflow",
            Self::Execution => "execution",
        }
    }
}

impl FromStr for Scope {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "workflow" => Ok(Self::Workflow),
            "execution" => Ok(Self::Execution),
            _ => Err(()),
        }
    }
}

/// Prefix of a replayed execution's `status_reason` (§3.6).
pub const REPLAYED_PREFIX: &str = "replayed_from_execution:";

/// §2.2: the replay headers a restart's new root carries, by scope and reuse.
pub fn header_plan(scope: Scope, reuse: ReplayMode, source: &Execution) -> ReplayPlan {
    let (before, mode) = match (scope, reuse) {
        (_, ReplayMode::None) => {
            return ReplayPlan {
                source_run_id: None,
                before_execution_id: None,
                mode: Some(reuse.as_str().to_owned()),
            }
        }
        // An execution-scope restart keeps everything its own subtree made.
        (Scope::Execution, ReplayMode::SucceededBefore) => (None, ReplayMode::AllSucceeded),
        _ => (Some(source.execution_id.clone()), reuse),
    };
    ReplayPlan {
        source_run_id: Some(source.run_id.clone()),
        before_execution_id: before,
        mode: Some(mode.as_str().to_owned()),
    }
}

/// No parent, or a blank one (v0.1.96 trims the column before comparing).
pub fn is_parentless(exec: &Execution) -> bool {
    exec.parent_execution_id
        .as_deref()
        .is_none_or(|p| p.trim().is_empty())
}

/// §2.1: a run's root is its earliest parentless execution, else its earliest
/// one. `execs` are in start order. (The reference never stores a blank
/// parent: headers are trimmed and an empty one is absent.)
pub fn run_root<'a, I>(execs: I) -> Option<&'a Execution>
where
    I: IntoIterator<Item = &'a Execution>,
{
    let mut first = None;
    for e in execs {
        if is_parentless(e) {
            return Some(e);
        }
        first = first.or(Some(e));
    }
    first
}

/// §3.4 rules 1 and 3: a row may serve as a replay source when it succeeded
/// with a non-empty result and its input has a replay key.
pub fn is_reusable(exec: &Execution) -> bool {
    exec.status == Status::Succeeded
        && exec.result_payload.as_ref().is_some_and(|r| !r.is_empty())
        && exec.replay_key.is_some()
}

/// §3.4: the key a row is found under: its run, node, reasoner and canonical
/// `{"input","context"?}` envelope.
pub fn replay_key_of(exec: &Execution) -> Option<ReplayKey> {
    exec.replay_key.as_ref().map(|envelope| ReplayKey {
        run_id: exec.run_id.clone(),
        node_id: exec.node_id.clone(),
        reasoner_id: exec.reasoner_id.clone(),
        envelope: envelope.clone(),
    })
}

/// §3.3 and §3.5: of the candidates (in start order), the earliest, and only
/// if it started strictly before the boundary when there is one.
pub fn earliest_before<I>(candidates: I, boundary_seq: Option<u64>) -> Option<Execution>
where
    I: IntoIterator<Item = Execution>,
{
    let earliest = candidates.into_iter().next()?;
    match boundary_seq {
        Some(b) if earliest.start_seq >= b => None,
        _ => Some(earliest),
    }
}

/// §6: the run a reused node's `reuse.source_run_id` is back-filled from: the
/// reading run's lineage `source_run_id` (v0.1.96 derives it from the run,
/// not from the replayed row, so a transitive hit names the run restarted).
pub fn backfill_source_run(record: Option<&RunRecord>) -> Option<String> {
    let run = record?
        .metadata
        .get("lineage")?
        .get("source_run_id")?
        .as_str()?;
    (!run.is_empty()).then(|| run.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip_and_are_case_sensitive() {
        for m in [
            ReplayMode::SucceededBefore,
            ReplayMode::AllSucceeded,
            ReplayMode::None,
        ] {
            assert_eq!(m.as_str().parse(), Ok(m));
        }
        assert_eq!("Succeeded-Before".parse::<ReplayMode>(), Err(()));
        assert_eq!("workflow".parse(), Ok(Scope::Workflow));
        assert_eq!("Execution".parse::<Scope>(), Err(()));
    }
}
