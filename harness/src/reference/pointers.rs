//! Forward pointers (contract §5.3, §7.1; V-latest, absent in v0.1.96): after
//! an accepted restart, the source execution and the restarted root point at
//! the successor, and the source run's lineage gains `restarted_as` with the
//! time it was written. Best effort and last writer wins, as upstream
//! (`persistRestartForwardPointers` in `handlers/execute_restart.go`, asserted
//! by `TestManualWorkflowRestartStampsSourceAndRootForwardPointers`).

use chrono::Utc;
use serde_json::{json, Map, Value};

use super::model::{rfc3339, Execution, RunRecord};
use super::state::AppState;

/// Stamps `successor` on `source`, on `restarted` (when it differs) and on
/// the source run's lineage, creating that run's metadata row if missing.
pub fn write(state: &AppState, source: &Execution, restarted: &Execution, successor: &Execution) {
    let mut ids = vec![source.execution_id.as_str()];
    if restarted.execution_id != source.execution_id {
        ids.push(restarted.execution_id.as_str());
    }
    for id in ids {
        let stamped = state.update_execution(id, &mut |e| {
            e.restarted_as = Some(successor.execution_id.clone());
            Ok(())
        });
        if let Err(e) = stamped {
            tracing::warn!(execution_id = id, error = %e, "could not persist a restart forward pointer");
        }
    }
    let record = match state.store.run_record(&source.run_id) {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(run_id = %source.run_id, error = %e, "could not read the source run's metadata");
            return;
        }
    };
    let mut metadata = record.map(|r| r.metadata).unwrap_or_default();
    let mut lineage = match metadata.remove("lineage") {
        Some(Value::Object(l)) => l,
        _ => Map::new(),
    };
    lineage.insert(
        "restarted_as".into(),
        json!({
            "execution_id": successor.execution_id,
            "run_id": successor.run_id,
            "at": rfc3339(Utc::now()),
        }),
    );
    metadata.insert("lineage".into(), Value::Object(lineage));
    let record = RunRecord {
        run_id: source.run_id.clone(),
        metadata,
        created_at: Utc::now(),
    };
    if let Err(e) = state.store.put_run_record(record) {
        tracing::warn!(run_id = %source.run_id, error = %e, "could not persist the forward lineage");
    }
}

/// §7.1: `restarted_as` of a status view, only while the successor resolves.
pub fn read(state: &AppState, exec: &Execution) -> Option<Value> {
    let id = exec.restarted_as.as_deref()?;
    let successor = state.store.execution(id).ok().flatten()?;
    Some(json!({
        "execution_id": successor.execution_id,
        "run_id": successor.run_id,
    }))
}
