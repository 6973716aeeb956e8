//! The HTTP surface, one file per route group, plus the pieces every group
//! uses: the 404 fallback, request logging and body parsing.

use std::time::Instant;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, patch, post};
use axum::{Json, Router};
use serde_json::json;

use super::auth::require_api_key;
use super::limits;
use super::state::Shared;
use direct_invocation::Kind;

mod dag;
mod did;
mod direct_invocation;
mod events;
mod execute;
mod executions;
mod golden_run;
mod memory_kv;
mod nodes;
mod nodes_list;
pub(crate) mod restart;
mod runs;

/// The complete router of one control plane.
pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/api/v1/health", get(health))
        .route("/api/v1/nodes", post(nodes::register))
        .route("/api/v1/nodes/register", post(nodes::register))
        .route("/api/v1/nodes/{id}", get(nodes::get_node))
        .route("/api/v1/nodes/{id}/heartbeat", post(nodes::heartbeat))
        .route("/api/v1/nodes/{id}/status", patch(nodes::patch_status))
        .route("/api/v1/nodes/{id}/shutdown", post(nodes::shutdown))
        .route("/api/v1/execute/{target}", post(execute::execute_sync))
        .route(
            "/api/v1/execute/async/{target}",
            post(execute::execute_async),
        )
        .route(
            "/api/v1/executions/batch-status",
            post(executions::batch_status),
        )
        .route("/api/v1/executions/{id}", get(executions::get_execution))
        .route(
            "/api/v1/executions/{id}/status",
            post(executions::status_callback),
        )
        .route("/api/v1/executions/{id}/logs", post(executions::logs))
        .route("/api/v1/executions/{id}/restart", post(restart::restart))
        .route("/api/ui/v1/executions/{id}/restart", post(restart::restart))
        .route(
            "/api/v1/workflow/executions/events",
            post(executions::workflow_event),
        )
        .route("/api/ui/v1/workflows/{run_id}/dag", get(dag::dag))
        .route("/api/ui/v2/workflow-runs", get(runs::list_runs))
        .route("/api/ui/v2/workflow-runs/{run_id}", get(runs::run_detail))
        .route(
            "/api/ui/v2/workflow-runs/{run_id}/golden",
            post(golden_run::save_golden),
        )
        .merge(dev_routes())
        .fallback(not_found)
        // Gin sets no body limit; axum's 2 MB default would refuse large inputs.
        .layer(axum::extract::DefaultBodyLimit::max(limits::MAX_BODY_BYTES))
        .method_not_allowed_fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            require_api_key,
        ))
        .layer(middleware::from_fn_with_state(
            state.config.body_read_timeout,
            limits::read_body,
        ))
        .layer(middleware::from_fn(limits::json_limits))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

/// The rest of what an unmodified SDK agent calls (issue 14): legacy direct
/// invocation, key–value memory, node list, and DID routes as DID-disabled.
fn dev_routes() -> Router<Shared> {
    let mut r = Router::new()
        .route("/api/v1/nodes", get(nodes_list::list_nodes))
        .route(
            "/api/v1/reasoners/{target}",
            direct_invocation::route(Kind::Reasoner),
        )
        .route(
            "/api/v1/skills/{target}",
            direct_invocation::route(Kind::Skill),
        )
        .route("/api/v1/memory/set", post(memory_kv::set))
        .route("/api/v1/memory/get", post(memory_kv::get))
        .route("/api/v1/memory/delete", post(memory_kv::delete))
        .route("/api/v1/memory/list", get(memory_kv::list))
        .route("/api/v1/registered-dids", get(did::registered_dids));
    for path in did::DISABLED {
        r = r.route(path, any(did::disabled));
    }
    r
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({ "status": "healthy" }))
}

/// Gin answers unknown routes and wrong methods alike with 404; we add a JSON body.
async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Json(json!({ "error": "not found" }))).into_response()
}

/// One debug line per request.
async fn log_request(req: Request, next: Next) -> Response {
    let (method, path) = (req.method().clone(), req.uri().path().to_owned());
    let start = Instant::now();
    let response = next.run(req).await;
    tracing::debug!(
        %method,
        path,
        status = response.status().as_u16(),
        elapsed_ms = start.elapsed().as_millis() as u64,
        "reference request"
    );
    response
}

/// A single path parameter whose rejection is a JSON 400, not axum's text.
pub struct PathParam(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for PathParam {
    type Rejection = super::error::ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(p)| PathParam(p))
            .map_err(|e| super::error::ApiError::plain(StatusCode::BAD_REQUEST, e.body_text()))
    }
}

impl PathParam {
    /// The `{run_id}` of a run route, trimmed; blank is v0.1.96's 400
    /// "run_id is required".
    pub fn run_id(self) -> Result<String, super::error::ApiError> {
        let run_id = self.0.trim().to_owned();
        if run_id.is_empty() {
            return Err(super::error::ApiError::plain(
                StatusCode::BAD_REQUEST,
                "run_id is required",
            ));
        }
        Ok(run_id)
    }
}
