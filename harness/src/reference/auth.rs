//! API-key gate of agent-protocol §6.1: off without a key; with one, every
//! `/api/*` route except health needs `X-API-Key` or `Authorization: Bearer`.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use subtle::ConstantTimeEq;

use super::state::{header, Shared};

/// Compares a presented key with the configured one in time that does not
/// depend on where they differ, so the key cannot be guessed byte by byte
/// from response times. (The length still shows; keys are not secret in length.)
fn same_key(presented: &str, key: &str) -> bool {
    presented.as_bytes().ct_eq(key.as_bytes()).into()
}

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
    let ok = header(headers, "x-api-key").is_some_and(|k| same_key(&k, key))
        | bearer.is_some_and(|b| same_key(&b, key));
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

#[cfg(test)]
mod tests {
    use super::same_key;

    #[test]
    fn keys_match_only_when_equal() {
        assert!(same_key("secret", "secret"));
        assert!(!same_key("secreT", "secret"));
        assert!(!same_key("secre", "secret"));
        assert!(!same_key("", "secret"));
    }
}
