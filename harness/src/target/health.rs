//! The check `afc run` and `cargo test --test scenarios` make once, before any scenario: the target answers
//! `GET /api/v1/health` with 200 and, when its body says, `"status":
//! "healthy"` (as the reference and AgentField v0.1.96 both answer). A target
//! that fails it is a run that could not happen (exit 2), never N failed rows.

use std::time::Duration;

/// How long the one health request may take.
pub const HEALTH_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a target cannot be tested.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum HealthError {
    /// No HTTP answer at all.
    #[error("cannot reach the target: {cause} at {url}")]
    Unreachable {
        /// The health URL.
        url: String,
        /// What the connection saw: `connection refused`, a timeout, a DNS error.
        cause: String,
    },
    /// An HTTP answer that is not a healthy one.
    #[error("the target is not healthy: {url} answered HTTP {status}: {body}")]
    Unhealthy {
        /// The health URL.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The body on one line, cut to 200 characters.
        body: String,
    },
    /// An answer that is not AgentField's JSON health answer (an HTML page,
    /// another service): named by its content type and title, never pasted.
    #[error(
        "the target is not an AgentField control plane: {url} answered HTTP {status} with {what}, \
         not a JSON health answer (is AGENTFIELD_URL / --url the control plane's address?)"
    )]
    NotAgentField {
        /// The health URL.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The content type, and an HTML page's title.
        what: String,
    },
}

/// An answer that is not JSON, in a few words: its content type and, for an
/// HTML page, its `<title>` (cut to 80 characters).
fn describe(content_type: Option<&str>, body: &str) -> String {
    let kind = content_type.unwrap_or("no content type");
    let lower = body.to_ascii_lowercase();
    let title = lower
        .find("<title>")
        .map(|start| start + "<title>".len())
        .and_then(|start| {
            let end = start + lower[start..].find("</title>")?;
            body.get(start..end)
        })
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|t| !t.is_empty());
    match title {
        Some(t) => format!("{kind} page \"{}\"", crate::text::clip(&t, 80)),
        None if body.trim().is_empty() => format!("{kind}, empty body"),
        None => format!("{kind} ({} bytes)", body.len()),
    }
}

/// The innermost cause of a transport error, in words a user recognises.
fn cause(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return format!("no answer within {HEALTH_TIMEOUT:?}");
    }
    let mut inner: &dyn std::error::Error = e;
    while let Some(next) = inner.source() {
        if let Some(io) = next.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return "connection refused".into(),
                std::io::ErrorKind::ConnectionReset => return "connection reset".into(),
                _ => {}
            }
        }
        inner = next;
    }
    inner.to_string()
}

/// Asks `base` (e.g. `http://127.0.0.1:8080`) for its health, sending
/// `api_key` as the runner does.
pub async fn check(base: &str, api_key: Option<&str>) -> Result<(), HealthError> {
    let url = format!("{}/api/v1/health", base.trim_end_matches('/'));
    let unreachable = |cause: String| HealthError::Unreachable {
        url: url.clone(),
        cause,
    };
    let http = reqwest::Client::builder()
        .timeout(HEALTH_TIMEOUT)
        .no_proxy()
        .build()
        .map_err(|e| unreachable(format!("cannot build an HTTP client: {e}")))?;
    let mut req = http.get(&url);
    if let Some(key) = api_key {
        req = req.header("X-API-Key", key);
    }
    let resp = req.send().await.map_err(|e| unreachable(cause(&e)))?;
    let status = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = resp.text().await.map_err(|e| unreachable(cause(&e)))?;
    let Some(json) = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .filter(serde_json::Value::is_object)
    else {
        return Err(HealthError::NotAgentField {
            url,
            status,
            what: describe(content_type.as_deref(), &text),
        });
    };
    let said = json
        .get("status")
        .and_then(|s| s.as_str())
        .map(str::to_owned);
    if status == 200 && said.as_deref().is_none_or(|s| s == "healthy") {
        return Ok(());
    }
    Err(HealthError::Unhealthy {
        url,
        status,
        body: crate::text::clip(&text.split_whitespace().collect::<Vec<_>>().join(" "), 200),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    #[tokio::test]
    async fn a_closed_port_is_connection_refused_with_the_url() {
        // Nothing listens on port 9 of loopback.
        let e = check("http://127.0.0.1:9", None)
            .await
            .expect_err("refused");
        assert_eq!(
            e.to_string(),
            "cannot reach the target: connection refused at http://127.0.0.1:9/api/v1/health"
        );
    }

    #[tokio::test]
    async fn only_a_healthy_answer_passes() {
        let server = MockServer::start().await;
        let answer = |code: u16, body: serde_json::Value| {
            Mock::given(method("GET"))
                .and(path("/api/v1/health"))
                .respond_with(ResponseTemplate::new(code).set_body_json(body))
        };
        answer(503, serde_json::json!({"status": "unhealthy"}))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        answer(200, serde_json::json!({"status": "degraded"}))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        answer(200, serde_json::json!({"status": "healthy"}))
            .mount(&server)
            .await;
        let url = server.uri();
        let first = check(&url, None).await;
        assert_eq!(
            first,
            Err(HealthError::Unhealthy {
                url: format!("{url}/api/v1/health"),
                status: 503,
                body: r#"{"status":"unhealthy"}"#.into()
            })
        );
        let second = check(&url, None).await.expect_err("degraded");
        assert!(second.to_string().contains("HTTP 200"), "{second}");
        check(&url, None).await.expect("healthy");
    }

    #[tokio::test]
    async fn an_html_page_is_named_not_pasted() {
        let server = MockServer::start().await;
        let page = format!(
            "<!doctype html><html><head><title>Welcome to nginx!</title></head><body>{}</body></html>",
            "x".repeat(5000)
        );
        Mock::given(method("GET"))
            .and(path("/api/v1/health"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(page, "text/html"))
            .mount(&server)
            .await;
        let e = check(&server.uri(), None)
            .await
            .expect_err("not AgentField");
        let text = e.to_string();
        assert!(
            text.starts_with("the target is not an AgentField control plane: ")
                && text.contains("HTTP 200 with text/html page \"Welcome to nginx!\""),
            "{text}"
        );
        assert!(!text.contains("<html>") && text.len() < 300, "{text}");
    }
}
