//! Run metadata (V-ns; contract §5.1, `docs/api/RUN_METADATA.md` upstream):
//! a root execute may carry `run_metadata` (display name, labels, links),
//! validated before the row exists, kept in the run's `run` namespace, shown
//! as `run_metadata` by the run list, run detail and DAG reads, left out of
//! the replay key, ignored on a child execute and never inherited by a
//! restart. v0.1.96 ignores the field as unknown.

use axum::http::StatusCode;
use chrono::Utc;
use serde_json::{json, Map, Value};

use super::error::ApiError;
use super::model::{rfc3339, RunRecord};
use super::state::AppState;

/// The namespace of the run's metadata row that holds it.
pub const NAMESPACE: &str = "run";

/// RUN_METADATA.md's bounds.
const MAX_DISPLAY_NAME: usize = 200;
const MAX_LABELS: usize = 20;
const MAX_LABEL: usize = 64;
const MAX_LINKS: usize = 10;
const MAX_URL_BYTES: usize = 2048;
const MAX_ACTOR: usize = 200;

fn invalid(why: String) -> ApiError {
    ApiError::plain(
        StatusCode::BAD_REQUEST,
        format!("invalid run_metadata: {why}"),
    )
}

fn bounded_text(v: &Value, what: &str, max: usize) -> Result<String, ApiError> {
    let s = v
        .as_str()
        .ok_or_else(|| invalid(format!("{what} must be a string")))?;
    if s.chars().count() > max {
        return Err(invalid(format!("{what} exceeds {max} characters")));
    }
    Ok(s.to_owned())
}

fn link(v: &Value) -> Result<Value, ApiError> {
    let m = v
        .as_object()
        .ok_or_else(|| invalid("a link must be an object".to_owned()))?;
    let label = bounded_text(
        m.get("label").unwrap_or(&Value::Null),
        "a link label",
        MAX_LABEL,
    )?;
    let url = m
        .get("url")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("a link url must be a string".to_owned()))?;
    if url.len() > MAX_URL_BYTES {
        return Err(invalid(format!("a link url exceeds {MAX_URL_BYTES} bytes")));
    }
    let parsed = reqwest::Url::parse(url).map_err(|e| invalid(format!("link url: {e}")))?;
    let plain_http = matches!(parsed.scheme(), "http" | "https");
    let credentials = !parsed.username().is_empty() || parsed.password().is_some();
    if !plain_http || parsed.host_str().is_none_or(str::is_empty) || credentials {
        return Err(invalid(
            "a link url must be http(s) with a host and no credentials".to_owned(),
        ));
    }
    Ok(json!({ "label": label, "url": url }))
}

/// Validates a root execute's `run_metadata` and stamps who set it and when.
/// `null` fields are dropped (a patch clears them; a new run has none).
pub fn validate(value: &Value, actor: Option<&str>) -> Result<Map<String, Value>, ApiError> {
    let m = value
        .as_object()
        .ok_or_else(|| invalid("must be an object".to_owned()))?;
    let mut out = Map::new();
    if let Some(v) = m.get("display_name").filter(|v| !v.is_null()) {
        out.insert(
            "display_name".into(),
            json!(bounded_text(v, "display_name", MAX_DISPLAY_NAME)?),
        );
    }
    if let Some(v) = m.get("labels").filter(|v| !v.is_null()) {
        let labels = v
            .as_array()
            .ok_or_else(|| invalid("labels must be an array".to_owned()))?;
        if labels.len() > MAX_LABELS {
            return Err(invalid(format!("more than {MAX_LABELS} labels")));
        }
        let labels: Result<Vec<String>, ApiError> = labels
            .iter()
            .map(|l| bounded_text(l, "a label", MAX_LABEL))
            .collect();
        out.insert("labels".into(), json!(labels?));
    }
    if let Some(v) = m.get("links").filter(|v| !v.is_null()) {
        let links = v
            .as_array()
            .ok_or_else(|| invalid("links must be an array".to_owned()))?;
        if links.len() > MAX_LINKS {
            return Err(invalid(format!("more than {MAX_LINKS} links")));
        }
        let links: Result<Vec<Value>, ApiError> = links.iter().map(link).collect();
        out.insert("links".into(), Value::Array(links?));
    }
    let set_by = match actor.map(str::trim).filter(|a| !a.is_empty()) {
        Some(a) if a.chars().count() > MAX_ACTOR => {
            return Err(invalid(format!(
                "X-Actor-ID exceeds {MAX_ACTOR} characters"
            )))
        }
        Some(a) => a.to_owned(),
        None => "api".to_owned(),
    };
    out.insert("set_by".into(), json!(set_by));
    out.insert("updated_at".into(), json!(rfc3339(Utc::now())));
    Ok(out)
}

/// Keeps `meta` in `run_id`'s `run` namespace, other namespaces untouched.
/// Best effort, as upstream: a failure is only logged.
pub fn persist(state: &AppState, run_id: &str, meta: Map<String, Value>) {
    let existing = match state.store.run_record(run_id) {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(run_id, error = %e, "could not read run metadata");
            return;
        }
    };
    let mut metadata = existing.map(|r| r.metadata).unwrap_or_default();
    metadata.insert(NAMESPACE.into(), Value::Object(meta));
    let record = RunRecord {
        run_id: run_id.to_owned(),
        metadata,
        created_at: Utc::now(),
    };
    if let Err(e) = state.store.put_run_record(record) {
        tracing::warn!(run_id, error = %e, "could not persist run metadata");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_and_urls_are_checked_and_set_by_defaults_to_api() {
        let ok = validate(
            &json!({"display_name": "Nightly", "labels": ["a"], "links": [{"label": "PR", "url": "https://example.com/1"}]}),
            None,
        )
        .expect("valid");
        assert_eq!(ok["set_by"], "api");
        assert_eq!(ok["labels"], json!(["a"]));
        for bad in [
            json!([]),
            json!({"labels": "a"}),
            json!({"labels": vec!["x"; 21]}),
            json!({"display_name": "x".repeat(201)}),
            json!({"links": [{"label": "l", "url": "ftp://example.com"}]}),
            json!({"links": [{"label": "l", "url": "https://u:p@example.com"}]}),
        ] {
            assert!(validate(&bad, Some("bot")).is_err(), "{bad} accepted");
        }
        let by = validate(&json!({}), Some(" bot ")).expect("valid");
        assert_eq!(by["set_by"], "bot");
    }
}
