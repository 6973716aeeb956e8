//! The five views. Each takes only contract fields, aliases every id, and
//! shows where two read surfaces disagree instead of picking one, so a
//! disagreement is itself a diff.

mod headers;
mod lineage;
mod llm;
mod provenance;
mod responses;

use std::collections::BTreeMap;

use serde_json::Value;

use super::normative::{self, Field, Tier};
use super::{Aliases, RunObs};
use crate::agents::Log;
use crate::scenario::View;

/// One step's HTTP answer, kept for the responses view.
#[derive(Clone, Debug)]
pub struct StepResponse {
    /// `step 3: restart run1/research.synth`.
    pub label: String,
    /// HTTP status.
    pub status: u16,
    /// Contract response headers present (lower-case names).
    pub headers: BTreeMap<String, String>,
    /// The body, not yet aliased.
    pub body: Value,
    /// A GET or a batch status read: the view keeps only what shows what was
    /// persisted (`read_summary`).
    pub read: bool,
}

/// Everything the views are built from.
pub struct ViewInputs<'a> {
    /// The runs, as read.
    pub runs: &'a [RunObs],
    /// The alias table.
    pub aliases: &'a Aliases,
    /// The agents' log.
    pub log: &'a Log,
    /// LLM calls per stub made while each run ran.
    pub llm: &'a [(String, BTreeMap<String, usize>)],
    /// Step answers.
    pub responses: &'a [StepResponse],
    /// The tier the views are rendered for (each field at its strength, or
    /// every field at `Exact`).
    pub tier: Tier,
}

impl ViewInputs<'_> {
    /// One field of `obj`, at its strength for this tier; null when absent.
    pub(super) fn field(&self, f: &Field, obj: Option<&Value>) -> Value {
        obj.and_then(|o| normative::field(self.tier, f, o, self.aliases))
            .unwrap_or(Value::Null)
    }

    /// A nested object from its table (null when absent or null).
    pub(super) fn object(&self, fields: &[Field], v: Option<&Value>) -> Value {
        match v {
            Some(o) if !o.is_null() => normative::object(self.tier, fields, o, self.aliases),
            _ => Value::Null,
        }
    }
}

/// Builds one view.
pub fn build(view: View, i: &ViewInputs<'_>) -> Value {
    match view {
        View::Provenance => provenance::view(i),
        View::Lineage => lineage::view(i),
        View::Headers => headers::view(i),
        View::Llm => llm::view(i),
        View::Responses => responses::view(i),
    }
}

/// One value, or each surface's value when they differ.
pub(super) fn agreed(values: Vec<(&str, Value)>) -> Value {
    let first = values
        .first()
        .map(|(_, v)| v.clone())
        .unwrap_or(Value::Null);
    if values.iter().all(|(_, v)| *v == first) {
        first
    } else {
        Value::Object(
            values
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }
}

/// A run's golden metadata (§5.4), field by field (an unnamed save is named
/// after its run id, so the name is aliased).
pub(super) fn golden(i: &ViewInputs<'_>, v: Option<&Value>) -> Value {
    i.object(normative::GOLDEN, v)
}

/// A run's lineage (§5.2): its six keys, never another.
/// A lineage with none of them (a source run that only carries a newer
/// release's forward pointer `restarted_as`, §5.3) is no lineage: null.
pub(super) fn lineage(i: &ViewInputs<'_>, v: Option<&Value>) -> Value {
    match i.object(normative::LINEAGE, v) {
        Value::Object(m) if m.is_empty() => Value::Null,
        shown => shown,
    }
}
