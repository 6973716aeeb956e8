//! API-key gate of agent-protocol §6.1: off without a key; with one, every
//! `/api/*` route except health needs `X-API-Key` or `Authorization: Bearer`.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::state::{header, Shared};

/// Rejects unauthenticated `/api/*` requests with v0.1.96's 401 body.
pub async fn require_api_key(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let Some(key) = state.config.api_key.as_deref() else {
        return next.run(req).await;
    };
    let path = req.uri().path();
    if !path.starts_with("/api/") || path.starts_with("/api/v1/health") {
        return next.run(req).await;
    }
    let headers = req.headers();
    let bearer = header(headers, "authorization")
        .and_then(|v| v.strip_prefix("Bearer ").map(|t| t.trim().to_owned()));
    let ok = header(headers, "x-api-key").as_deref() == Some(key) || bearer.as_deref() == Some(key);
    if ok {
        return next.run(req).await;
    }
    let body = json!({
        "error": "unauthorized",
        "message": "invalid or missing API key. Provide via X-API-Key header or Authorization: Bearer <token>",
        "help": {
            "header": "X-API-Key: <your-api-key>",
            "bearer": "Authorization: Bearer <your-api-key>",
        },
    });
    (StatusCode::UNAUTHORIZED, Json(body)).into_response()
}
