//! The views a scenario snapshots.

use serde::Deserialize;

/// What is snapshotted.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// Every execution of every run: parent, status, reuse.
    Provenance,
    /// Run lineage and golden metadata, across the three read surfaces.
    Lineage,
    /// The contract headers of every dispatch the agents received.
    Headers,
    /// LLM calls per stub per run.
    Llm,
    /// Response bodies of restart, golden and raw request steps.
    Responses,
}

impl View {
    /// The snapshot suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            View::Provenance => "provenance",
            View::Lineage => "lineage",
            View::Headers => "headers",
            View::Llm => "llm",
            View::Responses => "responses",
        }
    }
}
