//! What a scenario's runs looked like, kept beside its verdict so that a
//! report can draw them (`report::html`): the provenance, lineage and headers
//! views, built for every scenario whether or not it snapshots them, and each
//! view that differed from its golden with both sides.

use serde_json::Value;

/// The observed runs of one scenario, already aliased like the goldens.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Observed {
    /// The provenance view: per run its status and executions (the DAG).
    pub provenance: Value,
    /// The lineage view: per run what it restarts or forks.
    pub lineage: Value,
    /// The headers view: what every hop received.
    pub headers: Value,
    /// Views that differed from their golden (filled by the suite).
    pub differing: Vec<ViewDiff>,
    /// Each failed execution's error text as the execution read gives it, by alias.
    pub errors: std::collections::BTreeMap<String, String>,
}

/// One view that differed from its golden, as the two texts insta compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewDiff {
    /// The view's name (`provenance`, `headers`...).
    pub view: String,
    /// The golden's contents, or why there is none.
    pub golden: String,
    /// The view as observed, rendered as insta renders it.
    pub actual: String,
    /// The `.snap` file line of the body's first line (after insta's header),
    /// so both sides are numbered as the failure's diff numbers them.
    pub first_line: usize,
}
