//! The store contract, written once and run on every backend: each test is a
//! function of a fresh `&dyn Store`, instantiated below for the in-memory and
//! the SQLite store. Backend-specific promises (eviction, persistence, schema
//! versions, locking) are tested beside their backend (`in_memory/tests.rs`,
//! `sqlite/tests.rs`), reusing the helpers here.

use super::in_memory::InMemoryStore;
use super::sqlite::SqliteStore;
use super::{ReplayKey, Store, StoreError};
use crate::reference::model::{Execution, ReplayPlan, TargetType};
use crate::reference::rules;
use crate::reference::status::Status;

/// A running row of run `run` under node `n`, reasoner `r`, keyed by `envelope`;
/// a skill with a session and a replay plan, so every column is exercised.
pub(super) fn row(id: &str, run: &str, envelope: &str) -> Execution {
    Execution {
        parent_execution_id: Some("p".to_owned()),
        target_type: TargetType::Skill,
        session_id: Some("s".to_owned()),
        replay: ReplayPlan {
            source_run_id: Some("src".to_owned()),
            before_execution_id: None,
            mode: Some("all-succeeded".to_owned()),
        },
        replay_key: Some(envelope.to_owned()),
        ..Execution::running(
            id.to_owned(),
            run.to_owned(),
            "n".to_owned(),
            "r".to_owned(),
            envelope.to_owned(),
        )
    }
}

/// Inserts [`row`]`(id, "run", envelope)`.
pub(super) fn insert(store: &dyn Store, id: &str, envelope: &str) -> Execution {
    store
        .insert_execution(row(id, "run", envelope))
        .unwrap_or_else(|e| panic!("insert {id}: {e}"))
}

/// Marks `id` succeeded with `result`.
pub(super) fn succeed(store: &dyn Store, id: &str, result: &[u8]) {
    let result = result.to_vec();
    store
        .update_execution(id, &mut |e| {
            e.status = Status::Succeeded;
            e.result_payload = Some(result.clone());
            Ok(())
        })
        .unwrap_or_else(|e| panic!("update {id}: {e}"));
}

/// Marks `id` failed.
pub(super) fn fail(store: &dyn Store, id: &str) {
    store
        .update_execution(id, &mut |e| {
            e.status = Status::Failed;
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
pub(super) fn candidate(store: &dyn Store, envelope: &str, before: Option<u64>) -> Option<String> {
    let candidates = store
        .replay_candidates(&key(envelope))
        .unwrap_or_else(|e| panic!("{e}"));
    rules::earliest_before(candidates, before).map(|e| e.execution_id)
}

pub(super) fn index_holds_only_succeeded_rows_with_a_result_earliest_first(store: &dyn Store) {
    let env = r#"{"input":{}}"#;
    let seqs: Vec<u64> = ["a", "b", "c"]
        .iter()
        .map(|id| insert(store, id, env).start_seq)
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    assert_eq!(
        candidate(store, env, None),
        None,
        "running rows are not candidates"
    );
    succeed(store, "b", b"{}");
    succeed(store, "c", b"");
    assert_eq!(
        candidate(store, env, None).as_deref(),
        Some("b"),
        "an empty result is not reusable"
    );
    succeed(store, "a", b"null");
    assert_eq!(
        candidate(store, env, None).as_deref(),
        Some("a"),
        "start order, not completion order"
    );
    assert_eq!(
        candidate(store, env, Some(seqs[0])),
        None,
        "strictly before the boundary"
    );
    assert_eq!(candidate(store, env, Some(seqs[1])).as_deref(), Some("a"));
    fail(store, "a");
    assert_eq!(
        candidate(store, env, None).as_deref(),
        Some("b"),
        "a left the index"
    );
}

pub(super) fn leaving_succeeded_drops_the_row_from_the_index(store: &dyn Store) {
    let env = r#"{"input":{"x":1}}"#;
    insert(store, "a", env);
    succeed(store, "a", b"{}");
    assert_eq!(candidate(store, env, None).as_deref(), Some("a"));
    fail(store, "a");
    assert_eq!(candidate(store, env, None), None);
}

pub(super) fn rejected_updates_leave_the_row_untouched(store: &dyn Store) {
    insert(store, "a", "{}");
    let r = store.update_execution("a", &mut |e| {
        e.status = Status::Succeeded;
        e.result_payload = Some(b"{}".to_vec());
        Err(StoreError::Rejected("no".to_owned()))
    });
    assert!(r.is_err());
    let status = store.execution("a").ok().flatten().map(|e| e.status);
    assert_eq!(status, Some(Status::Running));
    assert_eq!(
        candidate(store, "{}", None),
        None,
        "the index was not touched"
    );
    assert!(matches!(
        store.update_execution("zz", &mut |_| Ok(())),
        Err(StoreError::NotFound(_))
    ));
}

/// A fresh SQLite store in a temp dir; the dir lives as long as the guard.
pub(super) fn sqlite() -> (SqliteStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let store = SqliteStore::open(dir.path()).unwrap_or_else(|e| panic!("open: {e}"));
    (store, dir)
}

/// One `#[test]` per contract function per backend:
/// `store::tests::{memory,sqlite}::<name>`.
macro_rules! on_every_backend {
    ($($name:ident),* $(,)?) => {
        mod memory {
            $(#[test]
            fn $name() {
                super::$name(&super::InMemoryStore::new());
            })*
        }
        mod sqlite {
            $(#[test]
            fn $name() {
                let (store, _dir) = super::sqlite();
                super::$name(&store);
            })*
        }
    };
}

on_every_backend!(
    index_holds_only_succeeded_rows_with_a_result_earliest_first,
    leaving_succeeded_drops_the_row_from_the_index,
    rejected_updates_leave_the_row_untouched,
);
