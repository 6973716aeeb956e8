//! The wire between a real Python SDK agent and the control plane, recorded.
//!
//! A Python agent cannot use the scripted agents' recorder, and its own
//! execution context is the very thing under test, so the harness records the
//! wire instead of asking the agent. Two forwarding servers stand on either
//! side of the agent process:
//!
//! - the **control-plane side** is the agent's `AGENTFIELD_SERVER`. It forwards
//!   every request to the target, records each nested-call submit
//!   (`/api/v1/execute[/async]/…`) with its answer, as a scripted agent records
//!   its own, and in the registration replaces `base_url` with the agent
//!   side's address, remembering the agent's own;
//! - the **agent side** is what the target dispatches to. It records every
//!   `POST /reasoners|skills/{name}` (all headers, the body), then forwards it.
//!
//! Bytes pass unchanged in both directions; the one change is the registered
//! `base_url`, i.e. the address at which the target reaches the agent. So the
//! headers view of a Python agent is what arrived on the wire, never what the
//! SDK believes it received. A nested call is linked to its caller by the
//! contract's `X-Parent-Execution-ID` alone, never by an SDK's extra header.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{request::Parts, HeaderMap, HeaderName, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::Value;

use super::record::{Dispatch, OutCall, Recorder};
use crate::client::Client;

/// Largest body forwarded (the SDK's payloads are small).
const LIMIT: usize = 64 << 20;

/// What the control-plane side saw of the agent's registration.
#[derive(Clone, Debug)]
pub(crate) struct Registration {
    /// HTTP status the target answered.
    pub status: u16,
    /// The target's answer, for error messages.
    pub answer: String,
    /// No answer at all: the control plane could not be reached.
    pub unreachable: bool,
}

/// One Python agent's two sides and what they share.
pub(crate) struct Wire {
    /// Scenario agent name.
    pub agent: String,
    /// Where the target reaches the agent side.
    pub public_url: String,
    /// Node id → scenario agent name, to name call targets as scripted agents do.
    pub node_agents: BTreeMap<String, String>,
    /// The scenario's log, shared with the scripted agents.
    pub recorder: Recorder,
    /// The control plane under test.
    pub target: Client,
    http: reqwest::Client,
    /// The agent's own base URL, learnt from its registration.
    upstream: Mutex<Option<String>>,
    registration: Mutex<Option<Registration>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Wire {
    pub(crate) fn new(
        agent: &str,
        public_url: String,
        node_agents: BTreeMap<String, String>,
        recorder: Recorder,
        target: Client,
    ) -> Wire {
        Wire {
            agent: agent.to_string(),
            public_url,
            node_agents,
            recorder,
            target,
            // No idle connections: uvicorn closes a kept-alive connection
            // after 5 s idle, and a request sent on it just as it closes
            // fails with "connection closed before message completed", which
            // the agent side would answer 502 "unreachable" although the
            // agent is up (the flake of python/sdk_headers_deep's restart,
            // about 1 in 38 runs). A fresh loopback connection per request
            // costs microseconds and cannot be stale.
            http: reqwest::Client::builder()
                .no_proxy()
                .pool_max_idle_per_host(0)
                .connect_timeout(Duration::from_secs(10))
                .build()
                .expect("a plain reqwest client builds"),
            upstream: Mutex::new(None),
            registration: Mutex::new(None),
        }
    }

    /// The agent's own base URL, once it has registered.
    pub(crate) fn upstream(&self) -> Option<String> {
        lock(&self.upstream).clone()
    }

    /// The last registration seen, if any.
    pub(crate) fn registration(&self) -> Option<Registration> {
        lock(&self.registration).clone()
    }

    /// A GET to the agent itself (not recorded), to see whether it listens.
    pub(crate) async fn probe(&self, path: &str) -> Result<u16, ProbeError> {
        let base = self.upstream().ok_or(ProbeError::NotRegistered)?;
        let r = self
            .http
            .get(format!("{}{path}", base.trim_end_matches('/')))
            .timeout(Duration::from_secs(5))
            .send()
            .await?;
        Ok(r.status().as_u16())
    }
}

/// Why [`Wire::probe`] saw no answer.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ProbeError {
    /// The agent has not registered, so its address is unknown.
    #[error("not registered")]
    NotRegistered,
    /// No HTTP answer.
    #[error("{0}")]
    Http(#[from] reqwest::Error),
}

/// The agent side: what the target dispatches to.
pub(crate) fn agent_side(wire: Arc<Wire>) -> Router {
    Router::new().fallback(inbound).with_state(wire)
}

/// The control-plane side: the agent's `AGENTFIELD_SERVER`.
pub(crate) fn control_plane_side(wire: Arc<Wire>) -> Router {
    Router::new().fallback(outbound).with_state(wire)
}

fn lower_headers(h: &HeaderMap) -> BTreeMap<String, String> {
    h.iter()
        .filter_map(|(k, v)| {
            Some((
                k.as_str().to_ascii_lowercase(),
                v.to_str().ok()?.to_string(),
            ))
        })
        .collect()
}

fn json_or_text(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
}

fn bad_gateway(message: String) -> Response {
    (StatusCode::BAD_GATEWAY, message).into_response()
}

async fn inbound(State(w): State<Arc<Wire>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, LIMIT).await else {
        return bad_gateway("afc: unreadable request body".into());
    };
    let path = parts.uri.path();
    let name = path
        .strip_prefix("/reasoners/")
        .or_else(|| path.strip_prefix("/skills/"));
    if let (&Method::POST, Some(name)) = (&parts.method, name) {
        w.recorder.dispatch(Dispatch {
            agent: w.agent.clone(),
            reasoner: name.to_string(),
            headers: lower_headers(&parts.headers),
            body: json_or_text(&bytes),
        });
    }
    let Some(base) = w.upstream() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "afc: the Python agent has not registered yet",
        )
            .into_response();
    };
    match send(&w.http, &parts, bytes, &base, None).await {
        Ok(resp) => streamed(resp),
        Err(e) => bad_gateway(format!("afc: Python agent '{}' unreachable: {e}", w.agent)),
    }
}

async fn outbound(State(w): State<Arc<Wire>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(mut bytes) = axum::body::to_bytes(body, LIMIT).await else {
        return bad_gateway("afc: unreadable request body".into());
    };
    let path = parts.uri.path().to_string();
    let post = parts.method == Method::POST;
    let register = post && (path == "/api/v1/nodes/register" || path == "/api/v1/nodes");
    let mut own_url = None;
    if register {
        if let Ok(Value::Object(mut reg)) = serde_json::from_slice::<Value>(&bytes) {
            own_url = reg
                .get("base_url")
                .and_then(Value::as_str)
                .filter(|u| *u != w.public_url)
                .map(str::to_string);
            reg.insert("base_url".into(), Value::String(w.public_url.clone()));
            bytes = serde_json::to_vec(&reg).map_or(bytes, Bytes::from);
        }
    }
    let execute = path
        .strip_prefix("/api/v1/execute/")
        .filter(|_| post)
        .map(|t| t.strip_prefix("async/").unwrap_or(t).to_string());
    let request = (execute.is_some()).then(|| json_or_text(&bytes));
    let target = w.target.clone();
    let resp = match send(&w.http, &parts, bytes, target.base(), target.api_key()).await {
        Ok(r) => r,
        Err(e) => {
            let message = format!("afc: control plane unreachable: {e}");
            if register {
                *lock(&w.registration) = Some(Registration {
                    status: 502,
                    answer: message.clone(),
                    unreachable: true,
                });
            }
            return bad_gateway(message);
        }
    };
    if !register && execute.is_none() {
        return streamed(resp);
    }
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let answer = resp.bytes().await.unwrap_or_default();
    if register {
        if (200..300).contains(&status) {
            if let Some(url) = own_url {
                *lock(&w.upstream) = Some(url);
            }
        }
        *lock(&w.registration) = Some(Registration {
            status,
            answer: String::from_utf8_lossy(&answer).into_owned(),
            unreachable: false,
        });
    }
    if let (Some(t), Some(request)) = (execute, request) {
        let body = json_or_text(&answer);
        let header = |n: &str| {
            headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let (node, reasoner) = t.split_once('.').unwrap_or((&t, ""));
        let agent = w.node_agents.get(node).map_or(node, String::as_str);
        w.recorder.call(OutCall {
            // The caller is the contract's parent header (§4.3-4.4), the one
            // every SDK must send; `X-Execution-ID` is a Python SDK extra. A
            // wrong parent is thus recorded as sent and shows at the hop.
            from_execution: caller(&parts.headers),
            target: format!("{agent}.{reasoner}"),
            input: request.get("input").cloned().unwrap_or(Value::Null),
            child_execution: body
                .get("execution_id")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| header("x-execution-id")),
            replay_hit: header("x-agentfield-replay-hit"),
            status,
        });
    }
    let mut out = Response::new(Body::from(answer));
    *out.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    copy_headers(&headers, out.headers_mut());
    out
}

/// The execution a nested-call submit says it was made from: its
/// `X-Parent-Execution-ID` (contract §4.3), empty when absent.
fn caller(headers: &HeaderMap) -> String {
    headers
        .get("x-parent-execution-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Headers that belong to one connection, not to the message.
fn hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "host"
            | "connection"
            | "content-length"
            | "transfer-encoding"
            | "keep-alive"
            | "upgrade"
            | "proxy-connection"
            | "te"
            | "trailer"
    )
}

fn copy_headers(from: &HeaderMap, to: &mut HeaderMap) {
    for (k, v) in from {
        if !hop_by_hop(k) {
            to.append(k.clone(), v.clone());
        }
    }
}

async fn send(
    http: &reqwest::Client,
    parts: &Parts,
    body: Bytes,
    base: &str,
    api_key: Option<&str>,
) -> Result<reqwest::Response, reqwest::Error> {
    let tail = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut headers = HeaderMap::new();
    copy_headers(&parts.headers, &mut headers);
    let keyed = headers.contains_key("x-api-key") || headers.contains_key("authorization");
    let mut req = http
        .request(
            parts.method.clone(),
            format!("{}{tail}", base.trim_end_matches('/')),
        )
        .headers(headers);
    if let (Some(key), false) = (api_key, keyed) {
        req = req.header("X-API-Key", key);
    }
    req.body(body).send().await
}

/// A forwarded answer, its body streamed as it arrives (the SDK may hold an
/// event stream open).
fn streamed(resp: reqwest::Response) -> Response {
    let status = StatusCode::from_u16(resp.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut headers = HeaderMap::new();
    copy_headers(resp.headers(), &mut headers);
    let chunks = futures::stream::unfold(Some(resp), |state| async move {
        let mut resp = state?;
        match resp.chunk().await {
            Ok(Some(chunk)) => Some((Ok(chunk), Some(resp))),
            Ok(None) => None,
            Err(e) => Some((Err(e), None)),
        }
    });
    let mut out = Response::new(Body::from_stream(chunks));
    *out.status_mut() = status;
    *out.headers_mut() = headers;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_is_linked_by_the_parent_header_never_by_the_sdk_extra() {
        let mut h = HeaderMap::new();
        h.insert("x-execution-id", "exec_extra".parse().expect("ascii"));
        assert_eq!(caller(&h), "", "X-Execution-ID alone names no caller");
        h.insert(
            "x-parent-execution-id",
            "exec_parent".parse().expect("ascii"),
        );
        assert_eq!(caller(&h), "exec_parent");
    }
}
