//! Errors the reference answers with, each mapped to the status and JSON body
//! that AgentField v0.1.96 documents for it.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// Failure categories of v0.1.96 (`handlers/execution_guards.go`); the same
/// string is a failed row's `status_reason` and a reply's `error_category`.
pub const INTERNAL_ERROR: &str = "internal_error";

/// An HTTP error answer: status plus JSON body, built by the route that knows
/// which body the contract prescribes.
#[derive(Debug, thiserror::Error)]
#[error("{status}: {body}")]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The JSON body, exactly as the contract tables spell it.
    pub body: Value,
}

impl ApiError {
    /// `{"error": message}`, the shape of most read and restart errors.
    pub fn plain(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            body: json!({ "error": message.into() }),
        }
    }

    /// `{"error", "error_category"}`, the shape of every pre-dispatch execute error.
    pub fn categorized(status: StatusCode, message: impl Into<String>, category: &str) -> Self {
        Self {
            status,
            body: json!({ "error": message.into(), "error_category": category }),
        }
    }

    /// An untyped execute error: Go's `classifyRawError` maps it to 400 `internal_error`.
    pub fn untyped(message: impl Into<String>) -> Self {
        Self::categorized(StatusCode::BAD_REQUEST, message, INTERNAL_ERROR)
    }

    /// A store failure; the body names the operation the way the Go handler does.
    pub fn storage(message: impl Into<String>) -> Self {
        Self::plain(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // A refusal that says when to retry says it in the header too, with
        // the same value (V-adm / V-latest: `Retry-After` matches `retry_after`).
        let retry = self.body.get("retry_after").and_then(Value::as_u64);
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(secs) = retry {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}
