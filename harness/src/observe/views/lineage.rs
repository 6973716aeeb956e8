//! The lineage view (contract §5): each run's lineage and golden metadata,
//! agreed across the DAG, the lightweight DAG, the run detail and the run list.

use serde_json::{json, Map, Value};

use super::{agreed, backward_lineage, golden, ViewInputs};

pub(super) fn view(i: &ViewInputs<'_>) -> Value {
    let al = i.aliases;
    let mut out = Map::new();
    for run in i.runs {
        let lin = |v: Option<&Value>| al.value(&backward_lineage(v));
        out.insert(
            run.run.alias.clone(),
            json!({
                "lineage": agreed(vec![
                    ("dag", lin(run.dag.get("lineage"))),
                    ("dag_lightweight", lin(run.light.get("lineage"))),
                    ("run_detail", lin(run.detail.pointer("/run/lineage"))),
                    ("run_list", lin(run.listed.get("lineage"))),
                ]),
                "golden": agreed(vec![
                    ("dag", al.value(&golden(run.dag.get("golden")))),
                    ("dag_lightweight", al.value(&golden(run.light.get("golden")))),
                    ("run_detail", al.value(&golden(run.detail.pointer("/run/golden")))),
                    ("run_list", al.value(&golden(run.listed.get("golden")))),
                ]),
            }),
        );
    }
    Value::Object(out)
}
