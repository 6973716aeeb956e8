//! The lineage view (contract §5): each run's lineage and golden metadata,
//! agreed across the DAG, the lightweight DAG, the run detail and the run list.

use serde_json::{json, Map, Value};

use super::{agreed, golden, lineage, ViewInputs};

pub(super) fn view(i: &ViewInputs<'_>) -> Value {
    let mut out = Map::new();
    for run in i.runs {
        out.insert(
            run.run.alias.clone(),
            json!({
                "lineage": agreed(vec![
                    ("dag", lineage(i, run.dag.get("lineage"))),
                    ("dag_lightweight", lineage(i, run.light.get("lineage"))),
                    ("run_detail", lineage(i, run.detail.pointer("/run/lineage"))),
                    ("run_list", lineage(i, run.listed.get("lineage"))),
                ]),
                "golden": agreed(vec![
                    ("dag", golden(i, run.dag.get("golden"))),
                    ("dag_lightweight", golden(i, run.light.get("golden"))),
                    ("run_detail", golden(i, run.detail.pointer("/run/golden"))),
                    ("run_list", golden(i, run.listed.get("golden"))),
                ]),
            }),
        );
    }
    Value::Object(out)
}
