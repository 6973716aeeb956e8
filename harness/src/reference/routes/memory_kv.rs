//! `POST /api/v1/memory/{set,get,delete}` and `GET /api/v1/memory/list`: the
//! key–value memory the SDKs' memory clients call (v0.1.96
//! `handlers/memory.go`). A request's scope is the body's `scope` when given,
//! with its id from the matching header; otherwise the first of
//! `X-Workflow-ID`, `X-Session-ID`, `X-Actor-ID` that is set, else global.
//! A get without a scope looks in workflow, session, actor, then global.
//! Vector memory and memory events are not served (404).

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{SecondsFormat, Utc};
use serde_json::{json, Value};

use crate::reference::canonical::{self, GoValue};
use crate::reference::error::ApiError;
use crate::reference::kv::{KvError, Memory};
use crate::reference::state::{header, Shared};
use crate::reference::texts::{self, GoStruct, GoType, GET_MEMORY_REQUEST, SET_MEMORY_REQUEST};

/// v0.1.96's `ErrorResponse`: `{"error", "code", "details"}`.
fn error(status: StatusCode, error: &str, details: impl Into<String>) -> ApiError {
    let body = json!({ "error": error, "code": status.as_u16(), "details": details.into() });
    ApiError { status, body }
}

fn invalid(details: impl Into<String>) -> ApiError {
    error(StatusCode::BAD_REQUEST, "invalid_request", details)
}

/// A bound `SetMemoryRequest` / `GetMemoryRequest`.
struct MemoryRequest {
    key: String,
    data: Option<GoValue>,
    scope: Option<String>,
}

/// Binds a body as gin's `ShouldBindJSON` does, with its error texts:
/// decoding first, then the `required` tags (`key` non-empty, `data` not null).
fn bind(body: &[u8], go_type: GoStruct, with_data: bool) -> Result<MemoryRequest, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(invalid(texts::EOF));
    }
    let value = canonical::parse(body).map_err(|e| invalid(e.to_string()))?;
    let GoValue::Object(mut obj) = value else {
        return Err(invalid(texts::not_the_struct(&value, go_type)));
    };
    let mut string_field = |name: &str| match obj.remove(name) {
        None | Some(GoValue::Null) => Ok(None),
        Some(GoValue::String(s)) => Ok(Some(s)),
        Some(other) => Err(invalid(texts::wrong_field(
            &other,
            go_type,
            name,
            GoType::String,
        ))),
    };
    let key = string_field("key")?.unwrap_or_default();
    let scope = string_field("scope")?;
    let data = obj.remove("data").filter(|d| *d != GoValue::Null);
    let mut missing = Vec::new();
    if key.is_empty() {
        missing.push("Key");
    }
    if with_data && data.is_none() {
        missing.push("Data");
    }
    if !missing.is_empty() {
        let lines: Vec<String> = missing
            .iter()
            .map(|f| texts::required(go_type, f))
            .collect();
        return Err(invalid(lines.join("\n")));
    }
    Ok(MemoryRequest { key, data, scope })
}

/// `getScopeID`: the header that names a scope's id.
fn scope_id(headers: &HeaderMap, scope: &str) -> String {
    let name = match scope {
        "workflow" => "x-workflow-id",
        "session" => "x-session-id",
        "actor" => "x-actor-id",
        "global" => return "global".to_owned(),
        _ => return String::new(),
    };
    header(headers, name).unwrap_or_default()
}

/// `resolveScope`: an explicit scope, else the most specific header, else global.
fn resolve(headers: &HeaderMap, explicit: Option<&str>) -> (String, String) {
    if let Some(scope) = explicit {
        return (scope.to_owned(), scope_id(headers, scope));
    }
    for scope in ["workflow", "session", "actor"] {
        let id = scope_id(headers, scope);
        if !id.is_empty() {
            return (scope.to_owned(), id);
        }
    }
    ("global".to_owned(), "global".to_owned())
}

/// `types.Memory` as v0.1.96 encodes it.
fn memory_json(m: &Memory) -> Value {
    let at = |t: chrono::DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::AutoSi, true);
    json!({
        "scope": m.scope,
        "scope_id": m.scope_id,
        "key": m.key,
        "data": canonical::to_json(&m.data),
        "access_level": "",
        "created_at": at(m.created_at),
        "updated_at": at(m.updated_at),
        "metadata": {},
    })
}

/// `POST /api/v1/memory/set`: 200 with the stored entry.
pub async fn set(State(state): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let req = match bind(&body, SET_MEMORY_REQUEST, true) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let (scope, scope_id) = resolve(&headers, req.scope.as_deref());
    let now = Utc::now();
    let memory = Memory {
        scope,
        scope_id,
        key: req.key,
        data: req.data.unwrap_or(GoValue::Null),
        created_at: now,
        updated_at: now,
    };
    match state.kv.set(memory.clone()) {
        Ok(()) => (StatusCode::OK, Json(memory_json(&memory))).into_response(),
        Err(e @ KvError::Full { .. }) => error(
            StatusCode::INSUFFICIENT_STORAGE,
            "memory_full",
            e.to_string(),
        )
        .into_response(),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "storage_error",
            e.to_string(),
        )
        .into_response(),
    }
}

/// `POST /api/v1/memory/get`: one scope when the body names it, else the hierarchy.
pub async fn get(State(state): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let req = match bind(&body, GET_MEMORY_REQUEST, false) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    if let Some(explicit) = req.scope.as_deref() {
        let (scope, id) = resolve(&headers, Some(explicit));
        return match state.kv.get(&scope, &id, &req.key) {
            Ok(m) => (StatusCode::OK, Json(memory_json(&m))).into_response(),
            Err(e) => error(StatusCode::NOT_FOUND, "not_found", e.to_string()).into_response(),
        };
    }
    for scope in ["workflow", "session", "actor", "global"] {
        let id = scope_id(&headers, scope);
        if id.is_empty() {
            continue;
        }
        if let Ok(m) = state.kv.get(scope, &id, &req.key) {
            return (StatusCode::OK, Json(memory_json(&m))).into_response();
        }
    }
    error(
        StatusCode::NOT_FOUND,
        "not_found",
        "Memory key not found in any scope",
    )
    .into_response()
}

/// `POST /api/v1/memory/delete`: 204, also for a key that was never set.
pub async fn delete(State(state): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let req = match bind(&body, GET_MEMORY_REQUEST, false) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let (scope, id) = resolve(&headers, req.scope.as_deref());
    match state.kv.delete(&scope, &id, &req.key) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => error(StatusCode::NOT_FOUND, "not_found", e.to_string()).into_response(),
    }
}

/// Query of `GET /api/v1/memory/list`.
#[derive(serde::Deserialize)]
pub struct ListQuery {
    scope: Option<String>,
}

/// `GET /api/v1/memory/list?scope=`: every entry of the scope's id.
pub async fn list(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    let Some(scope) = q.scope.filter(|s| !s.is_empty()) else {
        return error(
            StatusCode::BAD_REQUEST,
            "missing_scope",
            "Scope parameter is required for listing memory",
        )
        .into_response();
    };
    let (scope, id) = resolve(&headers, Some(&scope));
    match state.kv.list(&scope, &id) {
        Ok(entries) => {
            let list: Vec<Value> = entries.iter().map(memory_json).collect();
            (StatusCode::OK, Json(Value::Array(list))).into_response()
        }
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "storage_error",
            e.to_string(),
        )
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn details(r: Result<MemoryRequest, ApiError>) -> StatusCode {
        match r {
            Ok(_) => StatusCode::OK,
            Err(e) => e.status,
        }
    }

    #[test]
    fn binding_follows_the_required_tags() {
        let set = |b: &str| details(bind(b.as_bytes(), SET_MEMORY_REQUEST, true));
        assert_eq!(set(r#"{"key":"k","data":0}"#), StatusCode::OK);
        assert_eq!(set(r#"{"key":"k","data":false}"#), StatusCode::OK);
        for bad in [
            "",
            "{",
            "[]",
            r#"{"key":1,"data":1}"#,
            r#"{"data":1}"#,
            r#"{"key":"k"}"#,
            r#"{"key":"k","data":null}"#,
            r#"{"key":"k","data":1,"scope":5}"#,
        ] {
            assert_eq!(set(bad), StatusCode::BAD_REQUEST, "{bad}");
        }
        let get = |b: &str| details(bind(b.as_bytes(), GET_MEMORY_REQUEST, false));
        assert_eq!(get(r#"{"key":"k"}"#), StatusCode::OK);
        assert_eq!(get(r#"{}"#), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn scope_resolution_prefers_workflow_then_session_then_actor() {
        let mut h = HeaderMap::new();
        assert_eq!(resolve(&h, None), ("global".into(), "global".into()));
        h.insert("x-actor-id", "a".parse().unwrap_or_else(|_| unreachable!()));
        assert_eq!(resolve(&h, None), ("actor".into(), "a".into()));
        h.insert(
            "x-session-id",
            "s".parse().unwrap_or_else(|_| unreachable!()),
        );
        assert_eq!(resolve(&h, None), ("session".into(), "s".into()));
        h.insert(
            "x-workflow-id",
            "w".parse().unwrap_or_else(|_| unreachable!()),
        );
        assert_eq!(resolve(&h, None), ("workflow".into(), "w".into()));
        assert_eq!(resolve(&h, Some("actor")), ("actor".into(), "a".into()));
        assert_eq!(
            resolve(&h, Some("reasoner")),
            ("reasoner".into(), String::new())
        );
    }
}
