//! The one way the harness reaches a control plane: HTTP, through this thin
//! reqwest wrapper. The runner, the observers and the scripted agents all use
//! it, and none of them knows which implementation answers.

mod timeout;

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

pub use timeout::Timeout;

/// A request body: JSON, or raw text for malformed-input rows.
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    /// Sent as JSON.
    Json(Value),
    /// Sent as is, with a JSON content type.
    Raw(String),
}

/// A control plane at a base URL.
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    api_key: Option<String>,
}

/// A response: status, headers, and the body as JSON (non-JSON text becomes a JSON string).
#[derive(Clone, Debug)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// Parsed body.
    pub body: Value,
}

impl Response {
    /// A header's value, if present and text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    /// A string field of the body.
    pub fn str(&self, field: &str) -> Option<String> {
        self.body
            .get(field)
            .and_then(Value::as_str)
            .map(str::to_string)
    }
}

/// A request that did not get an HTTP answer. The message ends with the
/// root cause (e.g. "Connection refused"), which reqwest's own message hides.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// No answer: connection refused, reset, timed out, unreadable body.
    #[error("{method} {url}: {source}{}", cause(source))]
    Transport {
        /// The request's method.
        method: reqwest::Method,
        /// The full URL.
        url: String,
        /// What reqwest saw.
        #[source]
        source: reqwest::Error,
    },
    /// A header the caller asked for cannot be sent as given.
    #[error("{method} {url}: header {name:?} cannot be sent: {source}")]
    InvalidHeader {
        /// The request's method.
        method: reqwest::Method,
        /// The full URL.
        url: String,
        /// The header name as given.
        name: String,
        /// Why: an invalid name or value.
        source: HeaderError,
    },
}

/// Why a header cannot be sent as given.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderError {
    /// The name is no header name.
    #[error("{0}")]
    Name(#[from] reqwest::header::InvalidHeaderName),
    /// The value is no header value (a line break, a control character).
    #[error("{0}")]
    Value(#[from] reqwest::header::InvalidHeaderValue),
}

/// `: <innermost cause>` of a transport error, when it says more than the error.
fn cause(e: &reqwest::Error) -> String {
    let mut inner: &dyn std::error::Error = e;
    while let Some(next) = inner.source() {
        inner = next;
    }
    let text = inner.to_string();
    if text == e.to_string() {
        String::new()
    } else {
        format!(" ({text})")
    }
}

impl Client {
    /// A client for `base` (e.g. `http://127.0.0.1:8080`), sending `api_key` if given.
    pub fn new(base: &str, api_key: Option<String>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .no_proxy()
            .build()
            .expect("a reqwest client with default TLS-free settings builds");
        Client {
            http,
            base: base.trim_end_matches('/').to_string(),
            api_key,
        }
    }

    /// The same client, but opening a new connection for every request: for
    /// a scenario that restarts the control plane, where a kept-alive
    /// connection to the stopped process may be reused before its close is
    /// seen, and the request is reset (found by `afc run --repeat`: 4 of 100
    /// runs of controlplane/reuse_across_restart). Nothing else changes.
    pub fn fresh_connections(self) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .no_proxy()
            .pool_max_idle_per_host(0)
            .build()
            .expect("a reqwest client with default TLS-free settings builds");
        Client { http, ..self }
    }

    /// The base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The API key sent with every request, if any.
    pub fn api_key(&self) -> Option<&str> {
        self.api_key.as_deref()
    }

    /// Sends one request. `path` starts with `/`.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Body>,
        headers: &[(String, String)],
    ) -> Result<Response, ClientError> {
        let url = format!("{}{path}", self.base);
        let mut req = self.http.request(method.clone(), &url);
        if let Some(key) = &self.api_key {
            req = req.header("X-API-Key", key);
        }
        for (k, v) in headers {
            let invalid = |source: HeaderError| ClientError::InvalidHeader {
                method: method.clone(),
                url: url.clone(),
                name: k.clone(),
                source,
            };
            let name = HeaderName::try_from(k.as_str()).map_err(|e| invalid(e.into()))?;
            let value = HeaderValue::try_from(v.as_str()).map_err(|e| invalid(e.into()))?;
            req = req.header(name, value);
        }
        req = match body {
            Some(Body::Json(v)) => req.json(v),
            Some(Body::Raw(text)) => req
                .header("Content-Type", "application/json")
                .body(text.clone()),
            None => req,
        };
        let err = |source| ClientError::Transport {
            method: method.clone(),
            url: url.clone(),
            source,
        };
        let resp = req.send().await.map_err(err)?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.map_err(err)?;
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Ok(Response {
            status,
            headers,
            body,
        })
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Result<Response, ClientError> {
        self.send(reqwest::Method::GET, path, None, &[]).await
    }

    /// `POST path` with a JSON body.
    pub async fn post(&self, path: &str, body: Value) -> Result<Response, ClientError> {
        self.send(reqwest::Method::POST, path, Some(&Body::Json(body)), &[])
            .await
    }
}

/// Execution statuses after which nothing changes.
pub fn is_terminal(status: &str) -> bool {
    matches!(status, "succeeded" | "failed" | "cancelled" | "timeout")
}

/// Polls `probe` until it yields a value or `deadline` passes. The probe also
/// says what it saw, so that the timeout error names what was awaited and the
/// last state seen. The pause doubles from 2 ms to at most 50 ms (backon).
pub async fn poll<T, F, Fut>(what: &str, deadline: Duration, mut probe: F) -> Result<T, Timeout>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = (Option<T>, String)>,
{
    use backon::Retryable as _;
    let end = std::time::Instant::now() + deadline;
    let attempt = || {
        let seen = probe();
        async move {
            match seen.await {
                (Some(v), _) => Ok(v),
                (None, seen) => Err(seen),
            }
        }
    };
    attempt
        .retry(POLL_BACKOFF)
        .when(|_| std::time::Instant::now() < end)
        .await
        .map_err(|seen| Timeout {
            what: what.to_owned(),
            deadline,
            seen,
        })
}

/// How [`poll`] paces its probes: 2 ms, doubling to 50 ms, until its deadline.
const POLL_BACKOFF: backon::ExponentialBuilder = backon::ExponentialBuilder::new()
    .with_min_delay(Duration::from_millis(2))
    .with_max_delay(Duration::from_millis(50))
    .with_factor(2.0)
    .without_max_times();

/// Waits for an execution to reach a terminal status; returns the status view.
pub async fn terminal(
    client: &Client,
    what: &str,
    execution: &str,
    deadline: Duration,
) -> Result<Response, Timeout> {
    let path = format!("/api/v1/executions/{execution}");
    poll(what, deadline, || async {
        match client.get(&path).await {
            Ok(r) if r.status == 200 => {
                let status = r.str("status").unwrap_or_default();
                let seen = format!("status {status:?}");
                (is_terminal(&status).then_some(r), seen)
            }
            Ok(r) => (None, format!("HTTP {} {}", r.status, r.body)),
            Err(e) => (None, e.to_string()),
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn poll_returns_the_first_value_or_names_what_it_saw_last_at_its_deadline() {
        let mut n = 0;
        let got = poll("three probes", Duration::from_secs(5), || {
            n += 1;
            let seen = n;
            async move { ((seen == 3).then_some(seen), format!("probe {seen}")) }
        })
        .await;
        assert_eq!(got, Ok(3));
        let mut n = 0;
        let started = std::time::Instant::now();
        let err = poll::<(), _, _>("nothing", Duration::from_millis(30), || {
            n += 1;
            let seen = n;
            async move { (None, format!("probe {seen}")) }
        })
        .await
        .expect_err("never");
        assert!(started.elapsed() >= Duration::from_millis(30));
        assert_eq!(
            err,
            Timeout {
                what: "nothing".into(),
                deadline: Duration::from_millis(30),
                seen: format!("probe {n}"),
            },
            "the last probe was {n}"
        );
        assert_eq!(
            err.to_string(),
            format!("waiting for nothing: not within 30ms; last seen: probe {n}")
        );
    }

    #[tokio::test]
    async fn an_unsendable_header_is_an_error_not_dropped() {
        // Nothing listens on port 9 of loopback, and nothing is sent: the
        // header is refused before the request leaves.
        let client = Client::new("http://127.0.0.1:9", None);
        for (name, value, bad_name) in [("bad name", "v", true), ("x-ok", "line\nbreak", false)] {
            let headers = [(name.to_string(), value.to_string())];
            let r = client.send(reqwest::Method::GET, "/", None, &headers).await;
            assert!(
                matches!(&r, Err(ClientError::InvalidHeader { name: n, source, .. })
                    if n == name && matches!(source, HeaderError::Name(_)) == bad_name),
                "{r:?}"
            );
        }
    }
}
