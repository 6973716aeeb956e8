//! Tests of the in-memory store: the replay index, eviction, rejected updates.
use super::*;
use crate::reference::model::{ReplayPlan, TargetType};
use crate::reference::status::Status;

fn row(id: &str, run: &str, envelope: &str) -> Execution {
    Execution {
        execution_id: id.to_owned(),
        run_id: run.to_owned(),
        parent_execution_id: Some("p".to_owned()),
        node_id: "n".to_owned(),
        agent_node_id: "n".to_owned(),
        reasoner_id: "r".to_owned(),
        target_type: TargetType::Reasoner,
        status: Status::Running,
        status_reason: None,
        input_payload: envelope.to_owned(),
        result_payload: None,
        error_message: None,
        session_id: None,
        actor_id: None,
        started_at: chrono::Utc::now(),
        start_seq: 0,
        completed_at: None,
        duration_ms: None,
        replay: ReplayPlan::default(),
        replay_key: Some(envelope.to_owned()),
        restarted_as: None,
        instance_id: None,
    }
}

fn succeed(store: &MemoryStore, id: &str, result: &[u8]) {
    let result = result.to_vec();
    store
        .update_execution(id, &mut |e| {
            e.status = Status::Succeeded;
            e.result_payload = Some(result.clone());
            Ok(())
        })
        .unwrap_or_else(|e| panic!("update {id}: {e}"));
}

fn key(envelope: &str) -> ReplayKey {
    ReplayKey {
        run_id: "run".to_owned(),
        node_id: "n".to_owned(),
        reasoner_id: "r".to_owned(),
        envelope: envelope.to_owned(),
    }
}

/// The index in start order, judged by the contract's rule.
fn candidate(store: &MemoryStore, envelope: &str, before: Option<u64>) -> Option<String> {
    let candidates = store
        .replay_candidates(&key(envelope))
        .unwrap_or_else(|e| panic!("{e}"));
    rules::earliest_before(candidates, before).map(|e| e.execution_id)
}

#[test]
fn index_holds_only_succeeded_rows_with_a_result_earliest_first() {
    let store = MemoryStore::new();
    let env = r#"{"input":{}}"#;
    for id in ["a", "b", "c"] {
        store
            .insert_execution(row(id, "run", env))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    assert_eq!(
        candidate(&store, env, None),
        None,
        "running rows are not candidates"
    );
    succeed(&store, "b", b"{}");
    succeed(&store, "c", b"");
    assert_eq!(
        candidate(&store, env, None).as_deref(),
        Some("b"),
        "an empty result is not reusable"
    );
    succeed(&store, "a", b"null");
    assert_eq!(
        candidate(&store, env, None).as_deref(),
        Some("a"),
        "start order, not completion order"
    );
    assert_eq!(
        candidate(&store, env, Some(1)),
        None,
        "strictly before the boundary"
    );
    assert_eq!(candidate(&store, env, Some(2)).as_deref(), Some("a"));
}

#[test]
fn leaving_succeeded_drops_the_row_from_the_index() {
    let store = MemoryStore::new();
    let env = r#"{"input":{"x":1}}"#;
    store
        .insert_execution(row("a", "run", env))
        .unwrap_or_else(|e| panic!("{e}"));
    succeed(&store, "a", b"{}");
    store
        .update_execution("a", &mut |e| {
            e.status = Status::Failed;
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(candidate(&store, env, None), None);
    assert!(store.replay_index_is_empty());
}

#[test]
fn rejected_updates_leave_the_row_untouched() {
    let store = MemoryStore::new();
    store
        .insert_execution(row("a", "run", "{}"))
        .unwrap_or_else(|e| panic!("{e}"));
    let r = store.update_execution("a", &mut |e| {
        e.status = Status::Succeeded;
        Err(StoreError::Rejected("no".to_owned()))
    });
    assert!(r.is_err());
    let status = store.execution("a").ok().flatten().map(|e| e.status);
    assert_eq!(status, Some(Status::Running));
    assert!(matches!(
        store.update_execution("zz", &mut |_| Ok(())),
        Err(StoreError::NotFound(_))
    ));
}
