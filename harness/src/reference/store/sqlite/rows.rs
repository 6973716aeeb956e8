//! Rows to records and back: one column per field, timestamps as RFC 3339
//! with nanoseconds (so a read gives back exactly what was written), lists
//! and the registration body as JSON text.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{named_params, Connection, OptionalExtension, Row, Transaction};
use serde_json::{Map, Value};

use super::schema::backend;
use crate::reference::model::{Execution, Node, ReplayPlan, RunRecord, TargetType};
use crate::reference::status::Status;
use crate::reference::store::StoreError;

/// A status is stored by its wire name.
impl rusqlite::ToSql for Status {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

/// A stored status name; anything else is a corrupt row.
impl rusqlite::types::FromSql for Status {
    fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let text = v.as_str()?;
        Status::normalize(text).ok_or_else(|| {
            rusqlite::types::FromSqlError::Other(format!("unknown status {text:?}").into())
        })
    }
}

/// The execution columns, in the order [`execution`] reads them.
pub const EXEC_COLUMNS: &str = "seq, execution_id, run_id, parent_execution_id, node_id, \
    agent_node_id, reasoner_id, target_type, status, status_reason, input_payload, \
    result_payload, error_message, session_id, actor_id, started_at, completed_at, \
    duration_ms, replay_source_run_id, replay_before_execution_id, replay_mode, replay_key, restarted_as, instance_id";

/// The node columns, in the order [`node`] reads them.
pub const NODE_COLUMNS: &str = "id, base_url, invocation_url, deployment_type, instance_id, \
    reasoners, skills, lifecycle_status, health_status, registration, registered_at, \
    last_heartbeat";

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

fn parse_time(idx: usize, text: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, e.into())
        })
}

fn parse_json<T: serde::de::DeserializeOwned>(idx: usize, text: &str) -> rusqlite::Result<T> {
    serde_json::from_str(text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, e.into())
    })
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Backend(e.to_string()))
}

/// An execution from a row selected with [`EXEC_COLUMNS`].
pub fn execution(row: &Row<'_>) -> rusqlite::Result<Execution> {
    let seq: i64 = row.get(0)?;
    let target: String = row.get(7)?;
    let started: String = row.get(15)?;
    let completed: Option<String> = row.get(16)?;
    Ok(Execution {
        start_seq: u64::try_from(seq).unwrap_or_default(),
        execution_id: row.get(1)?,
        run_id: row.get(2)?,
        parent_execution_id: row.get(3)?,
        node_id: row.get(4)?,
        agent_node_id: row.get(5)?,
        reasoner_id: row.get(6)?,
        target_type: if target == "skill" {
            TargetType::Skill
        } else {
            TargetType::Reasoner
        },
        status: row.get(8)?,
        status_reason: row.get(9)?,
        input_payload: row.get(10)?,
        result_payload: row.get(11)?,
        error_message: row.get(12)?,
        session_id: row.get(13)?,
        actor_id: row.get(14)?,
        started_at: parse_time(15, &started)?,
        completed_at: completed.map(|t| parse_time(16, &t)).transpose()?,
        duration_ms: row.get(17)?,
        replay: ReplayPlan {
            source_run_id: row.get(18)?,
            before_execution_id: row.get(19)?,
            mode: row.get(20)?,
        },
        replay_key: row.get(21)?,
        restarted_as: row.get(22)?,
        instance_id: row.get(23)?,
    })
}

/// Writes every column of `e`; inserts when `insert`, else updates the row
/// with the same `seq` (identity columns never change).
pub fn write_execution(
    tx: &Transaction<'_>,
    e: &Execution,
    insert: bool,
) -> Result<i64, StoreError> {
    let sql = if insert {
        "INSERT INTO executions (execution_id, run_id, parent_execution_id, node_id, \
         agent_node_id, reasoner_id, target_type, status, status_reason, input_payload, \
         result_payload, error_message, session_id, actor_id, started_at, completed_at, \
         duration_ms, replay_source_run_id, replay_before_execution_id, replay_mode, replay_key, \
         restarted_as, instance_id) \
         VALUES (:id, :run, :parent, :node, :agent, :reasoner, :target, :status, :reason, \
         :input, :result, :error, :session, :actor, :started, :completed, :duration, \
         :src, :before, :mode, :key, :restarted_as, :instance)"
    } else {
        "UPDATE executions SET parent_execution_id = :parent, node_id = :node, \
         agent_node_id = :agent, reasoner_id = :reasoner, target_type = :target, \
         status = :status, status_reason = :reason, input_payload = :input, \
         result_payload = :result, error_message = :error, session_id = :session, \
         actor_id = :actor, started_at = :started, completed_at = :completed, \
         duration_ms = :duration, replay_source_run_id = :src, \
         replay_before_execution_id = :before, replay_mode = :mode, replay_key = :key, \
         restarted_as = :restarted_as, instance_id = :instance WHERE execution_id = :id AND run_id = :run"
    };
    let mut stmt = tx.prepare_cached(sql).map_err(backend)?;
    stmt.execute(named_params! {
        ":id": e.execution_id,
        ":run": e.run_id,
        ":parent": e.parent_execution_id,
        ":node": e.node_id,
        ":agent": e.agent_node_id,
        ":reasoner": e.reasoner_id,
        ":target": e.target_type.as_str(),
        ":status": e.status,
        ":reason": e.status_reason,
        ":input": e.input_payload,
        ":result": e.result_payload,
        ":error": e.error_message,
        ":session": e.session_id,
        ":actor": e.actor_id,
        ":started": time(e.started_at),
        ":completed": e.completed_at.map(time),
        ":duration": e.duration_ms,
        ":src": e.replay.source_run_id,
        ":before": e.replay.before_execution_id,
        ":mode": e.replay.mode,
        ":key": e.replay_key,
        ":restarted_as": e.restarted_as,
        ":instance": e.instance_id,
    })
    .map_err(backend)?;
    Ok(tx.last_insert_rowid())
}

/// A node from a row selected with [`NODE_COLUMNS`].
pub fn node(row: &Row<'_>) -> rusqlite::Result<Node> {
    let reasoners: String = row.get(5)?;
    let skills: String = row.get(6)?;
    let registration: String = row.get(9)?;
    let registered: String = row.get(10)?;
    let heartbeat: String = row.get(11)?;
    Ok(Node {
        id: row.get(0)?,
        base_url: row.get(1)?,
        invocation_url: row.get(2)?,
        deployment_type: row.get(3)?,
        instance_id: row.get(4)?,
        reasoners: parse_json(5, &reasoners)?,
        skills: parse_json(6, &skills)?,
        lifecycle_status: row.get(7)?,
        health_status: row.get(8)?,
        registration: parse_json::<Map<String, Value>>(9, &registration)?,
        registered_at: parse_time(10, &registered)?,
        last_heartbeat: parse_time(11, &heartbeat)?,
    })
}

/// Inserts or replaces the node row.
pub fn write_node(tx: &Transaction<'_>, n: &Node) -> Result<(), StoreError> {
    let mut stmt = tx
        .prepare_cached(
            "INSERT OR REPLACE INTO nodes (id, base_url, invocation_url, deployment_type, \
             instance_id, reasoners, skills, lifecycle_status, health_status, registration, \
             registered_at, last_heartbeat) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )
        .map_err(backend)?;
    stmt.execute(rusqlite::params![
        n.id,
        n.base_url,
        n.invocation_url,
        n.deployment_type,
        n.instance_id,
        json(&n.reasoners)?,
        json(&n.skills)?,
        n.lifecycle_status,
        n.health_status,
        json(&n.registration)?,
        time(n.registered_at),
        time(n.last_heartbeat),
    ])
    .map_err(backend)?;
    Ok(())
}

/// A run record from `run_id, metadata, created_at`.
pub fn run_record(row: &Row<'_>) -> rusqlite::Result<RunRecord> {
    let metadata: String = row.get(1)?;
    let created: String = row.get(2)?;
    Ok(RunRecord {
        run_id: row.get(0)?,
        metadata: parse_json(1, &metadata)?,
        created_at: parse_time(2, &created)?,
    })
}

/// Upserts the run record, keeping an existing `created_at`.
pub fn write_run_record(tx: &Transaction<'_>, r: &RunRecord) -> Result<(), StoreError> {
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO run_records (run_id, metadata, created_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (run_id) DO UPDATE SET metadata = excluded.metadata",
        )
        .map_err(backend)?;
    stmt.execute(rusqlite::params![
        r.run_id,
        json(&r.metadata)?,
        time(r.created_at),
    ])
    .map_err(backend)?;
    Ok(())
}

/// Every node, by id.
pub(super) fn node_rows(conn: &Connection) -> Result<Vec<Node>, StoreError> {
    let mut stmt = conn
        .prepare_cached(&format!("SELECT {NODE_COLUMNS} FROM nodes ORDER BY id"))
        .map_err(backend)?;
    let rows = stmt.query_map([], node).map_err(backend)?;
    rows.collect::<Result<_, _>>().map_err(backend)
}

/// One node by id.
pub(super) fn node_row(conn: &Connection, id: &str) -> Result<Option<Node>, StoreError> {
    conn.prepare_cached(&format!("SELECT {NODE_COLUMNS} FROM nodes WHERE id = ?1"))
        .and_then(|mut s| s.query_row([id], node).optional())
        .map_err(backend)
}
