//! The llm view: LLM calls per stub made while each run ran (the cost of
//! recovery: a reused call makes none).

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::ViewInputs;

pub(super) fn view(i: &ViewInputs<'_>) -> Value {
    let mut out: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    for (run, counts) in i.llm {
        for (stub, n) in counts {
            out.entry(stub.clone())
                .or_default()
                .insert(run.clone(), json!(n));
        }
    }
    json!(out)
}
