//! `POST /api/ui/v2/workflow-runs/{run_id}/golden` (contract §5.4): marks a
//! golden run, AgentField's name for a run kept as a known-good example (not
//! to be confused with afc's goldens, the insta snapshots under `snapshots/`).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use serde_json::{json, Value};

use super::PathParam;
use crate::reference::canonical;
use crate::reference::error::ApiError;
use crate::reference::model::{rfc3339, RunRecord};
use crate::reference::state::Shared;
use crate::reference::summary::{run_summary, RunStats, SummaryKind};
use crate::reference::texts;

#[derive(Default, serde::Deserialize)]
struct GoldenRequest {
    name: Option<String>,
    tags: Option<Vec<String>>,
}

/// Trimmed, empties dropped, de-duplicated, first occurrence kept; linear
/// (a set of those seen), so 40,000 tags cost milliseconds, not seconds.
fn clean_tags(tags: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::with_capacity(tags.len());
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let t = t.trim();
        if !t.is_empty() && seen.insert(t.to_owned()) {
            out.push(t.to_owned());
        }
    }
    out
}

/// Marks a succeeded run as golden and answers its `WorkflowRunSummary`.
pub async fn save_golden(
    State(state): State<Shared>,
    run_id: PathParam,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let run_id = run_id.run_id()?;
    let req: GoldenRequest = if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::plain(
            StatusCode::BAD_REQUEST,
            format!("invalid request body: {}", texts::EOF),
        ));
    } else {
        // A syntax error in encoding/json's words; the decoding as before.
        canonical::parse(&body).map_err(|e| {
            ApiError::plain(
                StatusCode::BAD_REQUEST,
                format!("invalid request body: {e}"),
            )
        })?;
        // encoding/json leaves the request as it is on a top-level `null`.
        serde_json::from_slice::<Option<GoldenRequest>>(&body)
            .map(Option::unwrap_or_default)
            .map_err(|e| {
                ApiError::plain(
                    StatusCode::BAD_REQUEST,
                    format!("invalid request body: {e}"),
                )
            })?
    };
    let execs = state.run_executions_or_404(&run_id, "failed to query run executions")?;
    let stats = RunStats::of(&execs);
    if stats.list_status() != "succeeded" {
        return Err(ApiError::plain(
            StatusCode::CONFLICT,
            "only succeeded runs can be saved as golden",
        ));
    }
    let name = req
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(&run_id)
        .to_owned();
    let golden = json!({
        "name": name,
        "tags": clean_tags(req.tags.unwrap_or_default()),
        "saved_by": "user",
        "saved_at": rfc3339(Utc::now()),
    });
    let existing = state
        .store
        .run_record(&run_id)
        .map_err(|_| ApiError::storage("failed to save golden run"))?;
    let mut metadata = existing.map(|r| r.metadata).unwrap_or_default();
    metadata.insert("golden".into(), golden);
    let record = RunRecord {
        run_id: run_id.clone(),
        metadata,
        created_at: stats.started_at.unwrap_or_else(Utc::now),
    };
    state
        .store
        .put_run_record(record)
        .map_err(|_| ApiError::storage("failed to save golden run"))?;
    let saved = state
        .store
        .run_record(&run_id)
        .map_err(|_| ApiError::storage("failed to save golden run"))?;
    Ok(Json(run_summary(
        &run_id,
        &execs,
        saved.as_ref(),
        SummaryKind::Golden,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_hundred_thousand_distinct_tags_are_cleaned_within_a_deadline() {
        // Quadratic de-duplication needs ~2·10¹⁰ comparisons here (minutes);
        // linear needs milliseconds. The deadline only catches the former.
        let tags: Vec<String> = (0..200_000).map(|i| format!("t{i}")).collect();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(clean_tags(tags).len());
        });
        let n = rx
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("clean_tags of 200,000 tags still running after 20 s");
        assert_eq!(n, 200_000);
    }

    #[test]
    fn tags_are_trimmed_deduplicated_and_keep_order() {
        let tags = ["b", " a ", "", "b", "a", "  "].map(str::to_owned).to_vec();
        assert_eq!(clean_tags(tags), vec!["b".to_owned(), "a".to_owned()]);
    }
}
