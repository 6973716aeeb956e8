//! The kinds whose step is one agent's name (`down: b`, `up: b`,
//! `reregister: b`): one struct, parsed and checked once; each kind's file
//! names only its verb, and its runner file what it does to the agent.

use std::fmt;
use std::marker::PhantomData;

use serde_json::Value;

use super::super::semantic::StepCheck;
use super::{named, ParseStep, Parsed, StepKind};
use crate::scenario::load::Problems;

/// A kind of one-agent step: its verb.
pub trait AgentVerb {
    /// The step's key in a scenario file (`down`).
    const VERB: &'static str;
}

/// A step naming one scenario agent; `K` is its kind.
pub struct AgentStep<K> {
    /// Scenario agent name.
    pub agent: String,
    kind: PhantomData<K>,
}

impl<K> Clone for AgentStep<K> {
    fn clone(&self) -> Self {
        AgentStep {
            agent: self.agent.clone(),
            kind: PhantomData,
        }
    }
}

impl<K: AgentVerb> fmt::Debug for AgentStep<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(K::VERB).field("agent", &self.agent).finish()
    }
}

impl<K: AgentVerb> ParseStep for AgentStep<K> {
    fn parse(v: &Value, _ptr: &str, _p: &mut Problems<'_>) -> Parsed<Self> {
        named(v, K::VERB, |agent| AgentStep {
            agent,
            kind: PhantomData,
        })
    }
}

impl<K: AgentVerb> StepKind for AgentStep<K> {
    fn check(&self, c: &mut StepCheck<'_, '_>) {
        c.agent(&self.agent, K::VERB);
    }
}
