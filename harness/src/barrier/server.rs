//! The barriers over HTTP, for agents in any process or language.
//!
//! Protocol (agents receive the base URL as `AFC_BARRIER_URL`, e.g.
//! `http://127.0.0.1:41234/barriers`):
//!
//! `GET {AFC_BARRIER_URL}/{name}` holds until the barrier is released, then
//! answers `200 {"barrier": name, "released": true}` (at once if it already
//! was). If nobody releases it within its hold deadline ([`super::hold_deadline`]) it answers
//! `504 {"barrier": name, "error": "barrier 'name' was not released within N ms
//! (released so far: …)"}`; a name the scenario does not declare answers
//! `404 {"barrier": name, "error": "no barrier 'name' in this scenario; known: …"}`.
//! The agent fails its reasoner with the `error` text on anything but 200, and
//! must not put a client timeout shorter than that on it.
//! Only loopback: the server binds 127.0.0.1.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::{BarrierError, Barriers};

/// The HTTP face of one scenario's barriers; dropping it stops listening.
pub struct BarrierServer {
    url: String,
    stop: Option<oneshot::Sender<()>>,
}

impl BarrierServer {
    /// Serves `barriers` on 127.0.0.1 at a free port.
    pub async fn start(barriers: Barriers) -> std::io::Result<BarrierServer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/barriers", listener.local_addr()?);
        let app = Router::new()
            .route("/barriers/{name}", get(wait))
            .with_state(barriers);
        let (stop, stopped) = oneshot::channel::<()>();
        crate::serving::serve_until(listener, app, stopped, "barrier server");
        Ok(BarrierServer {
            url,
            stop: Some(stop),
        })
    }

    /// The base URL agents append `/{name}` to (`AFC_BARRIER_URL`).
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for BarrierServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn wait(
    State(barriers): State<Barriers>,
    Path(name): Path<String>,
) -> (StatusCode, Json<serde_json::Value>) {
    match barriers.wait(&name).await {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({"barrier": name, "released": true})),
        ),
        Err(e) => {
            let status = match e {
                BarrierError::Unknown { .. } => StatusCode::NOT_FOUND,
                BarrierError::Deadline { .. } => StatusCode::GATEWAY_TIMEOUT,
            };
            (
                status,
                Json(json!({"barrier": name, "error": e.to_string()})),
            )
        }
    }
}

/// A hold over HTTP that did not end in a release, as the agent side sees it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum HoldError {
    /// No answer from the barrier server.
    #[error("barrier '{name}': {source}")]
    Transport {
        /// The barrier.
        name: String,
        /// What reqwest saw.
        source: reqwest::Error,
    },
    /// The server refused the hold: 404 for an unknown barrier, 504 for one
    /// not released in time; `error` is its message, when the body had one.
    #[error("{}", refused(.name, *.status, .error.as_deref()))]
    Refused {
        /// The barrier.
        name: String,
        /// The HTTP status.
        status: u16,
        /// The body's `error`, the server's [`BarrierError`] as text.
        error: Option<String>,
    },
}

/// The server's message, else the status.
fn refused(name: &str, status: u16, error: Option<&str>) -> String {
    error.map_or_else(|| format!("barrier '{name}': HTTP {status}"), str::to_owned)
}

/// Holds at `name` through `url` (the scripted agents' side of the protocol).
pub(crate) async fn wait_over_http(
    http: &reqwest::Client,
    url: &str,
    name: &str,
) -> Result<(), HoldError> {
    let resp = http
        .get(format!("{url}/{name}"))
        .send()
        .await
        .map_err(|source| HoldError::Transport {
            name: name.to_owned(),
            source,
        })?;
    if resp.status() == reqwest::StatusCode::OK {
        return Ok(());
    }
    let status = resp.status().as_u16();
    let body: serde_json::Value = resp.json().await.unwrap_or_default();
    Err(HoldError::Refused {
        name: name.to_owned(),
        status,
        error: body
            .get("error")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn one_get_holds_until_the_release_and_errors_are_json_with_the_name() {
        let barriers = Barriers::new(["go", "never"], Duration::from_millis(200));
        let server = BarrierServer::start(barriers.clone()).await.expect("bind");
        assert!(server.url().starts_with("http://127.0.0.1:"));
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client");
        let held = tokio::spawn({
            let (http, url) = (http.clone(), server.url().to_string());
            async move { wait_over_http(&http, &url, "go").await }
        });
        // Only the release lets it through: the wait is still pending here.
        tokio::task::yield_now().await;
        assert!(!held.is_finished());
        barriers.release("go").expect("known");
        held.await.expect("joined").expect("released");

        let r = http
            .get(format!("{}/go", server.url()))
            .send()
            .await
            .expect("sent");
        assert_eq!(r.status().as_u16(), 200);
        let body: serde_json::Value = r.json().await.expect("json");
        assert_eq!(body, json!({"barrier": "go", "released": true}));

        let r = http
            .get(format!("{}/nope", server.url()))
            .send()
            .await
            .expect("sent");
        assert_eq!(r.status().as_u16(), 404);
        let body: serde_json::Value = r.json().await.expect("json");
        assert_eq!(
            body["error"],
            "no barrier 'nope' in this scenario; known: go, never"
        );

        let e = wait_over_http(&http, server.url(), "never")
            .await
            .expect_err("deadline");
        assert!(
            matches!(&e, HoldError::Refused { name, status: 504, error: Some(_) } if name == "never"),
            "{e:?}"
        );
        let e = e.to_string();
        assert!(
            e.starts_with("barrier 'never' was not released within 200 ms"),
            "{e}"
        );
        assert!(e.ends_with("(released so far: go)"), "{e}");
        let e = wait_over_http(&http, server.url(), "nope")
            .await
            .expect_err("unknown");
        assert!(
            matches!(&e, HoldError::Refused { status: 404, .. }),
            "{e:?}"
        );
    }
}
