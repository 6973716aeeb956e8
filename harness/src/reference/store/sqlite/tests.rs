//! The SQLite store's own promises, beyond the store contract that
//! `store/tests.rs` runs on every backend: everything survives a reopen of the
//! same data dir, lookups seek indexes, schema versions, locking.

use super::*;
use crate::reference::model::TargetType;
use crate::reference::store::tests::{candidate, insert, row, succeed};

fn dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"))
}

fn open(dir: &tempfile::TempDir) -> SqliteStore {
    SqliteStore::open(dir.path()).unwrap_or_else(|e| panic!("open: {e}"))
}

#[test]
fn everything_survives_a_reopen_and_sequences_keep_growing() {
    let d = dir();
    let env = r#"{"input":{"q":1}}"#;
    let (first, node) = {
        let store = open(&d);
        let first = insert(&store, "a", env);
        succeed(&store, "a", b"{\"ok\":true}");
        let mut metadata = serde_json::Map::new();
        metadata.insert("golden".to_owned(), serde_json::json!(true));
        let record = RunRecord {
            run_id: "run".to_owned(),
            metadata,
            created_at: chrono::Utc::now(),
        };
        store
            .put_run_record(record)
            .unwrap_or_else(|e| panic!("{e}"));
        let node = Node {
            id: "n".to_owned(),
            base_url: "http://127.0.0.1:1".to_owned(),
            invocation_url: String::new(),
            deployment_type: "long_running".to_owned(),
            instance_id: "i1".to_owned(),
            reasoners: vec!["r".to_owned()],
            skills: vec![],
            lifecycle_status: "ready".to_owned(),
            health_status: "active".to_owned(),
            registration: serde_json::Map::new(),
            registered_at: chrono::Utc::now(),
            last_heartbeat: chrono::Utc::now(),
        };
        store
            .upsert_node(node.clone())
            .unwrap_or_else(|e| panic!("{e}"));
        (first, node)
    };
    let store = open(&d);
    let a = store
        .execution("a")
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("a lost"));
    assert_eq!(a.start_seq, first.start_seq);
    assert_eq!(
        a.started_at, first.started_at,
        "nanosecond timestamps round-trip"
    );
    assert_eq!(a.replay, first.replay);
    assert_eq!(a.target_type, TargetType::Skill);
    assert_eq!(a.result_payload.as_deref(), Some(&b"{\"ok\":true}"[..]));
    assert_eq!(candidate(&store, env, None).as_deref(), Some("a"));
    let b = insert(&store, "b", env);
    assert!(
        b.start_seq > a.start_seq,
        "a reopen never reuses a sequence"
    );
    let golden = store.run_record("run").ok().flatten().map(|r| r.metadata);
    assert_eq!(
        golden.and_then(|m| m.get("golden").cloned()),
        Some(serde_json::json!(true))
    );
    let n = store
        .node("n")
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("node lost"));
    assert_eq!(
        (n.instance_id, n.reasoners, n.last_heartbeat),
        (node.instance_id, node.reasoners, node.last_heartbeat)
    );
    // The run list's cache was rebuilt from the table: one run of two executions.
    let page = store
        .list_runs(&RunQuery {
            sort: crate::reference::run_index::RunSort::TotalExecutions,
            asc: false,
            filter: Default::default(),
            offset: 0,
            limit: 10,
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((page.run_ids, page.total), (vec!["run".to_owned()], 1));
    let agg_total = store
        .lock()
        .ok()
        .and_then(|i| i.runs.agg("run").map(|a| a.counts.values().sum::<usize>()));
    assert_eq!(agg_total, Some(2));
    assert_eq!(
        store.active_executions_of_node("n").ok(),
        Some(vec!["b".to_owned()])
    );
}

#[test]
fn replay_lookups_seek_the_index_and_never_scan() {
    let d = dir();
    let store = open(&d);
    let inner = store.lock().unwrap_or_else(|e| panic!("{e}"));
    let plan: Vec<String> = inner
        .conn
        .prepare(
            "EXPLAIN QUERY PLAN SELECT e.seq FROM replay_index i JOIN executions e \
             ON e.seq = i.seq WHERE i.run_id = ?1 AND i.node_id = ?2 AND i.reasoner_id = ?3 \
             AND i.envelope = ?4 ORDER BY i.seq",
        )
        .and_then(|mut s| {
            s.query_map(["r", "n", "x", "{}"], |r| r.get::<_, String>(3))?
                .collect()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        plan.iter().all(|step| step.starts_with("SEARCH")),
        "{plan:?}"
    );
}

#[test]
fn a_newer_schema_is_refused() {
    let d = dir();
    drop(open(&d));
    let conn = Connection::open(d.path().join(DB_FILE)).unwrap_or_else(|e| panic!("{e}"));
    conn.pragma_update(None, "user_version", schema::VERSION + 1)
        .unwrap_or_else(|e| panic!("{e}"));
    drop(conn);
    let err = SqliteStore::open(d.path()).err().map(|e| e.to_string());
    assert!(
        err.as_deref()
            .is_some_and(|e| e.contains(&format!("schema version {}", schema::VERSION + 1))),
        "{err:?}"
    );
}

#[test]
fn a_filtered_run_list_scans_without_holding_the_store_lock() {
    use crate::reference::run_index::{RunFilter, RunSort};
    let d = dir();
    let store = std::sync::Arc::new(open(&d));
    for i in 0..3 {
        store
            .insert_execution(row(
                &format!("e{i}"),
                &format!("run{i}"),
                &format!("{{\"i\":{i}}}"),
            ))
            .unwrap_or_else(|e| panic!("insert: {e}"));
    }
    let (entered_tx, entered) = std::sync::mpsc::channel();
    let (go, go_rx) = std::sync::mpsc::channel();
    *store.scan_gate.lock().expect("gate") = Some((entered_tx, go_rx));
    let lister = store.clone();
    let scan = std::thread::spawn(move || {
        lister.list_runs(&RunQuery {
            sort: RunSort::UpdatedAt,
            asc: false,
            filter: RunFilter {
                search: Some("run".to_owned()),
                ..Default::default()
            },
            offset: 0,
            limit: 10,
        })
    });
    entered
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("the scan never reached its first row");
    // The scan is paused mid-way: a read and a write must still go through.
    let (done_tx, done) = std::sync::mpsc::channel();
    let other = store.clone();
    std::thread::spawn(move || {
        let read = other.execution("e0").map(|e| e.is_some());
        let write = other.insert_execution(row("e9", "run9", "{}")).map(|_| ());
        let _ = done_tx.send((read, write));
    });
    let (read, write) = done
        .recv_timeout(std::time::Duration::from_secs(5))
        .expect("a read and a write waited on the paused filtered list");
    let _ = go.send(());
    assert!(matches!(read, Ok(true)), "{read:?}");
    assert!(write.is_ok(), "{write:?}");
    let page = scan
        .join()
        .expect("scan thread")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.total, 3, "{page:?}");
}

#[test]
fn a_version_1_data_dir_gains_the_forward_pointer_column() {
    let d = dir();
    let store = open(&d);
    insert(&store, "e1", r#"{"input":{}}"#);
    drop(store);
    // What an afc before version 2 left: no restarted_as column.
    let conn = Connection::open(d.path().join(DB_FILE)).unwrap_or_else(|e| panic!("{e}"));
    conn.execute_batch(
        "ALTER TABLE executions DROP COLUMN restarted_as; ALTER TABLE executions DROP COLUMN instance_id; PRAGMA user_version = 1;",
    )
        .unwrap_or_else(|e| panic!("{e}"));
    drop(conn);
    let store = open(&d);
    let e1 = store.execution("e1").ok().flatten().expect("kept");
    assert_eq!(e1.restarted_as, None);
    let stamped = store.update_execution("e1", &mut |e| {
        e.restarted_as = Some("e2".into());
        Ok(())
    });
    assert_eq!(
        stamped.ok().and_then(|e| e.restarted_as).as_deref(),
        Some("e2")
    );
}
