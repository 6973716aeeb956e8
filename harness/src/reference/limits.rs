//! Every bound of the reference in one place, each answered with the
//! contract's JSON error shape (`{"error": …}` plus the limit), so that a
//! client over a limit learns which one. New routes get the request limits
//! for free through [`json_limits`], which the router applies to every route.
//!
//! | bound | value | answer |
//! |---|---|---|
//! | request URI | [`MAX_URI_BYTES`] | 414 |
//! | request header fields | [`MAX_HEADER_COUNT`] fields, [`MAX_HEADER_BYTES`] | 431 |
//! | request body | [`MAX_BODY_BYTES`] | 413, at once for a larger `Content-Length` |
//! | time to send a request body | `Config::body_read_timeout` | 408 ([`read_body`]) |
//! | ids in one batch-status | [`MAX_BATCH_IDS`] | 400 |
//! | agent answer | `Config::max_agent_response_bytes` | the execution fails, `agent_response_too_large` |
//! | connections | `Config::max_connections` | 503 (`server`) |
//! | stored executions | `Config::max_executions`, default [`DEFAULT_MAX_EXECUTIONS`] | oldest finished runs evicted, else 503 |
//!
//! A request head beyond hyper's own parser limits (a URI over 64 KiB, a head
//! over ~400 KiB, more than twice [`MAX_HEADER_COUNT`] fields) is refused by
//! hyper itself with an empty 414/431 before any route sees it, and a head it
//! cannot parse (a control byte in a header) with an empty 400: hyper 1.x
//! offers no hook to write those bodies (README, threat model).

use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// Longest request URI (path and query) accepted.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Most header fields in one request.
pub const MAX_HEADER_COUNT: usize = 100;
/// Most bytes of header names and values in one request.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;
/// Largest request body. v0.1.96 (Gin) sets none on the execute routes; a
/// bound is still needed, and 64 MiB is far above any real input.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;
/// Most ids one batch-status request may ask for (its answer is ~60 bytes
/// per unknown id and a few hundred per known one).
pub const MAX_BATCH_IDS: usize = 10_000;
/// Default bound of the store: about 650 MiB of RSS at the ~3.2 KiB per
/// stored execution measured at 100,000 executions (BENCHMARKS.md), so a
/// days-long `afc serve` fits a small CI machine.
pub const DEFAULT_MAX_EXECUTIONS: usize = 200_000;
/// Default cap of one agent answer held in memory.
pub const DEFAULT_MAX_AGENT_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// Refuses an oversize URI or header section with JSON, and gives JSON bodies
/// to the 413 that the body limit answers with (axum's is plain text).
pub async fn json_limits(req: Request, next: Next) -> Response {
    let uri_len = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if uri_len > MAX_URI_BYTES {
        return too_large(
            StatusCode::URI_TOO_LONG,
            "request URI too long",
            MAX_URI_BYTES,
        );
    }
    let headers = req.headers();
    let header_bytes: usize = headers
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len())
        .sum();
    if headers.len() > MAX_HEADER_COUNT || header_bytes > MAX_HEADER_BYTES {
        let mut r = too_large(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "request header fields too large",
            MAX_HEADER_BYTES,
        );
        if let Ok(v) = axum::http::HeaderValue::from_str(&MAX_HEADER_COUNT.to_string()) {
            r.headers_mut().insert("x-max-header-fields", v);
        }
        return r;
    }
    let response = next.run(req).await;
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_json {
        return body_too_large();
    }
    response
}

/// Reads a request body whole, within `deadline` and [`MAX_BODY_BYTES`],
/// before any route sees it. A declared `Content-Length` over the cap is
/// refused before a byte is read (so `Expect: 100-continue` gets no
/// `100 Continue`); a body still incomplete at the deadline is answered 408.
/// Both close an HTTP/1 connection, whose unread body would otherwise follow.
pub async fn read_body(
    axum::extract::State(deadline): axum::extract::State<std::time::Duration>,
    req: Request,
    next: Next,
) -> Response {
    use futures::StreamExt;
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let h1 = req.version() < axum::http::Version::HTTP_2;
    let refuse = |r: Response| if h1 { closing(r) } else { r };
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return refuse(body_too_large());
    }
    let (parts, body) = req.into_parts();
    let read = async {
        let mut stream = body.into_data_stream();
        let mut out = Vec::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|_| false)?;
            if out.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(true);
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    };
    let bytes = match tokio::time::timeout(deadline, read).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(true)) => return refuse(body_too_large()),
        Ok(Err(false)) => {
            let body = json!({ "error": "request body could not be read" });
            return refuse((StatusCode::BAD_REQUEST, Json(body)).into_response());
        }
        Err(_) => {
            let body = json!({
                "error": "request body not received in time",
                "timeout_ms": deadline.as_millis() as u64,
            });
            return refuse((StatusCode::REQUEST_TIMEOUT, Json(body)).into_response());
        }
    };
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

fn body_too_large() -> Response {
    too_large(
        StatusCode::PAYLOAD_TOO_LARGE,
        "request body too large",
        MAX_BODY_BYTES,
    )
}

/// Marks an HTTP/1 answer as the connection's last.
fn closing(mut r: Response) -> Response {
    r.headers_mut().insert(
        axum::http::header::CONNECTION,
        axum::http::HeaderValue::from_static("close"),
    );
    r
}

/// The answer to new work when the store is full of active runs: 503, so
/// that a client retries later (`Config::max_executions`).
pub fn store_full(max: usize) -> super::error::ApiError {
    super::error::ApiError {
        status: StatusCode::SERVICE_UNAVAILABLE,
        body: json!({
            "error": format!("the control plane holds its maximum of {max} executions, all in runs still active"),
            "max_executions": max,
        }),
    }
}

/// v0.1.96's shape for its one size limit (`execution_logs.go`).
fn too_large(status: StatusCode, error: &str, max_bytes: usize) -> Response {
    (
        status,
        Json(json!({ "error": error, "max_bytes": max_bytes })),
    )
        .into_response()
}

/// Why an agent answer was not read whole.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The answer is larger than the cap.
    #[error("agent answer exceeds {max} bytes")]
    TooLarge {
        /// The cap.
        max: usize,
    },
    /// The transport failed mid-body.
    #[error(transparent)]
    Transport(#[from] reqwest::Error),
}

/// Reads a response body, stopping as soon as it passes `max` bytes, so an
/// oversize answer never sits in memory whole.
pub async fn read_capped(
    mut response: reqwest::Response,
    max: usize,
) -> Result<Vec<u8>, ReadError> {
    if response.content_length().is_some_and(|n| n > max as u64) {
        return Err(ReadError::TooLarge { max });
    }
    let mut out = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if out.len() + chunk.len() > max {
            return Err(ReadError::TooLarge { max });
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}
