//! The layer on every answer: headers, then (for a JSON body of known,
//! bounded size) the body, edited as [`super::edit`] says; it also remembers
//! each accepted restart for the `restarted_as` pointers of later reads.

use std::sync::Arc;

use axum::body::{Body, Bytes, HttpBody as _};
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::json;

use super::edit;
use super::tree::Node;
use super::{ContractBreak, Perturber, MAX_EDITED_BYTES};

/// `router` with the perturbation layered outside it; `router` itself when
/// nothing is perturbed.
pub fn wrap(router: Router, perturber: Arc<Perturber>) -> Router {
    if perturber.p.is_off() {
        return router;
    }
    router.layer(middleware::from_fn_with_state(perturber, layer))
}

/// The read a route answers, as far as `restarted_as` and the map of ids matter.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Route {
    Restart,
    AsyncExecute,
    ExecutionStatus,
    /// A status callback: the `error` it sends is remembered as relayed.
    StatusCallback,
    BatchStatus,
    Dag,
    RunList,
    RunDetail,
    Golden,
    Other,
}

fn route(method: &Method, path: &str) -> Route {
    let seg: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method.as_str(), seg.as_slice()) {
        ("POST", ["api", "v1" | "ui", ..]) if seg.last() == Some(&"restart") => Route::Restart,
        ("POST", ["api", "v1", "execute", "async", _]) => Route::AsyncExecute,
        ("POST", ["api", "v1", "executions", "batch-status"]) => Route::BatchStatus,
        ("GET", ["api", "v1", "executions", _]) => Route::ExecutionStatus,
        ("POST", ["api", "v1", "executions", _, "status"]) => Route::StatusCallback,
        ("GET", ["api", "ui", "v1", "workflows", _, "dag"]) => Route::Dag,
        ("GET", ["api", "ui", "v2", "workflow-runs"]) => Route::RunList,
        ("GET", ["api", "ui", "v2", "workflow-runs", _]) => Route::RunDetail,
        ("POST", ["api", "ui", "v2", "workflow-runs", _, "golden"]) => Route::Golden,
        _ => Route::Other,
    }
}

async fn layer(State(p): State<Arc<Perturber>>, req: Request, next: Next) -> Response {
    let route = route(req.method(), req.uri().path());
    let req = if route == Route::StatusCallback && p.p.incidental {
        let (parts, body) = req.into_parts();
        match axum::body::to_bytes(body, MAX_EDITED_BYTES).await {
            Ok(bytes) => {
                p.remember_relayed(&bytes);
                Request::from_parts(parts, Body::from(bytes))
            }
            Err(e) => {
                let error = format!("perturbation layer: cannot read the request: {e}");
                return (
                    StatusCode::BAD_REQUEST,
                    axum::Json(json!({ "error": error })),
                )
                    .into_response();
            }
        }
    } else {
        req
    };
    let response = next.run(req).await;
    let (mut parts, body) = response.into_parts();
    let status = parts.status;
    if p.p.breaks(ContractBreak::DropReplayHit) {
        parts.headers.remove("x-agentfield-replay-hit");
    }
    let json = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if p.p.incidental {
        parts.headers.insert(
            HeaderName::from_static("x-afc-perturbed"),
            HeaderValue::from_static("incidental"),
        );
        if json {
            parts.headers.insert(
                CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
        }
    }
    let bounded = body
        .size_hint()
        .upper()
        .is_some_and(|n| n <= MAX_EDITED_BYTES as u64);
    if !json || !bounded {
        return Response::from_parts(parts, body);
    }
    let bytes = match axum::body::to_bytes(body, MAX_EDITED_BYTES).await {
        Ok(b) => b,
        Err(e) => {
            let error = format!("perturbation layer: cannot read the answer: {e}");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                axum::Json(json!({ "error": error })),
            )
                .into_response();
        }
    };
    let Some(mut node) = std::str::from_utf8(&bytes).ok().and_then(Node::parse) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    p.edit(route, status, &mut node, &mut parts.headers);
    let mut text = String::with_capacity(bytes.len() + 256);
    node.write(&mut text);
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(Bytes::from(text)))
}

impl Perturber {
    fn edit(
        &self,
        route: Route,
        status: StatusCode,
        node: &mut Node,
        headers: &mut axum::http::HeaderMap,
    ) {
        if route == Route::Restart && status == StatusCode::ACCEPTED {
            self.remember_restart(node);
        }
        for b in self.p.breaks.clone() {
            if b == ContractBreak::AsyncHitStatus {
                let hit = route == Route::AsyncExecute
                    && status == StatusCode::ACCEPTED
                    && node.str_of("status").as_deref() == Some("succeeded");
                if hit {
                    node.set("status", Node::string("queued"));
                }
            } else {
                edit::break_values(node, b);
            }
        }
        if !self.p.incidental {
            return;
        }
        self.forward_pointers(route, node);
        let seed = self.p.seed;
        if status.is_client_error() || status.is_server_error() {
            let busy = matches!(status.as_u16(), 429 | 503)
                && node.str_of("error").as_deref() != Some("agent_pending_approval");
            if busy && matches!(node, Node::Object(_)) {
                if node.get("retry_after").is_none() {
                    node.set("retry_after", Node::Leaf("1".to_owned()));
                }
                if !headers.contains_key(RETRY_AFTER) {
                    headers.insert(RETRY_AFTER, HeaderValue::from_static("1"));
                }
            }
            edit::other_version_category(node);
            edit::error_texts(node, seed);
        }
        if route == Route::Dag {
            edit::offset_node_times(node);
        }
        edit::incidental(node, seed, route == Route::BatchStatus, &|t| {
            self.is_relayed(t)
        });
    }

    /// Remembers an accepted restart's pointers (§5.3): the source run's
    /// lineage `restarted_as` and the source's and root's `restarted_as`.
    fn remember_restart(&self, body: &Node) {
        let field = |k: &str| body.str_of(k).unwrap_or_default();
        let (exec, run, at) = (field("execution_id"), field("run_id"), field("created_at"));
        let source_run = field("source_run_id");
        if exec.is_empty() || run.is_empty() || source_run.is_empty() {
            return;
        }
        let execs = ["source_execution_id", "restarted_execution_id"]
            .into_iter()
            .map(field)
            .filter(|e| !e.is_empty())
            .collect();
        self.remember(
            source_run,
            execs,
            json!({"execution_id": exec, "run_id": run, "at": at}),
            json!({"execution_id": exec, "run_id": run}),
        );
    }

    /// Adds the remembered `restarted_as` wherever this route reads a
    /// restarted run's lineage or a restarted execution's status.
    fn forward_pointers(&self, route: Route, node: &mut Node) {
        let run_lineage = |run: &mut Node, id_key: &str| {
            let ptr = run.str_of(id_key).and_then(|id| self.run_pointer(&id));
            if let Some(ptr) = ptr {
                match run.get_mut("lineage") {
                    Some(l @ Node::Object(_)) => l.set("restarted_as", Node::leaf(&ptr)),
                    _ => run.set("lineage", Node::leaf(&json!({ "restarted_as": ptr }))),
                }
            }
        };
        let exec_status = |e: &mut Node| {
            if let Some(ptr) = e
                .str_of("execution_id")
                .and_then(|id| self.exec_pointer(&id))
            {
                e.set("restarted_as", Node::leaf(&ptr));
            }
        };
        match route {
            Route::Dag => run_lineage(node, "root_workflow_id"),
            Route::Golden => run_lineage(node, "run_id"),
            Route::RunDetail => {
                if let Some(run) = node.get_mut("run") {
                    run_lineage(run, "run_id");
                }
            }
            Route::RunList => {
                if let Some(Node::Array(runs)) = node.get_mut("runs") {
                    runs.iter_mut().for_each(|r| run_lineage(r, "run_id"));
                }
            }
            Route::ExecutionStatus => exec_status(node),
            Route::BatchStatus => {
                if let Node::Object(entries) = node {
                    entries.iter_mut().for_each(|(_, e)| exec_status(e));
                }
            }
            Route::Restart | Route::AsyncExecute | Route::StatusCallback | Route::Other => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_answer_gets_retry_after_but_pending_approval_does_not() {
        let p = Perturber::new(super::super::Perturb::parse("incidental", None).unwrap());
        let busy = r#"{"error":"agent a has reached max concurrent executions (1)","error_category":"concurrency_limit"}"#;
        let mut node = Node::parse(busy).unwrap();
        let mut headers = axum::http::HeaderMap::new();
        p.edit(
            Route::Other,
            StatusCode::TOO_MANY_REQUESTS,
            &mut node,
            &mut headers,
        );
        assert_eq!(node.get("retry_after"), Some(&Node::Leaf("1".into())));
        assert_eq!(
            node.str_of("error_category").as_deref(),
            Some("concurrency_limit")
        );
        assert_ne!(
            node.str_of("error").as_deref(),
            Some("agent a has reached max concurrent executions (1)")
        );
        assert_eq!(
            headers.get(RETRY_AFTER).map(|v| v.as_bytes()),
            Some(&b"1"[..])
        );
        let pending = r#"{"error":"agent_pending_approval","message":"agent node 'a' is awaiting tag approval and cannot execute","error_category":"agent_error"}"#;
        let mut node = Node::parse(pending).unwrap();
        let mut headers = axum::http::HeaderMap::new();
        p.edit(
            Route::Other,
            StatusCode::SERVICE_UNAVAILABLE,
            &mut node,
            &mut headers,
        );
        assert_eq!(node.get("retry_after"), None);
        assert!(headers.get(RETRY_AFTER).is_none());
        let expected = Node::parse(pending).unwrap();
        for key in ["error", "message", "error_category"] {
            assert_eq!(
                node.str_of(key),
                expected.str_of(key),
                "{key} is fixed by §1.3"
            );
        }
    }

    #[test]
    fn a_restart_leaves_forward_pointers_on_the_source_run_and_executions() {
        let p = Perturber::new(super::super::Perturb::parse("incidental", None).unwrap());
        let accepted = r#"{"execution_id":"e2","run_id":"r2","created_at":"2026-06-09T12:00:00Z",
            "source_execution_id":"e1b","source_run_id":"r1","restarted_execution_id":"e1a"}"#;
        p.remember_restart(&Node::parse(accepted).unwrap());
        let mut list =
            Node::parse(r#"{"runs":[{"run_id":"r1","lineage":null},{"run_id":"r2"}]}"#).unwrap();
        p.forward_pointers(Route::RunList, &mut list);
        let v: serde_json::Value = serde_json::from_str(&{
            let mut t = String::new();
            list.write(&mut t);
            t
        })
        .unwrap();
        let ptr = json!({"execution_id": "e2", "run_id": "r2", "at": "2026-06-09T12:00:00Z"});
        assert_eq!(v["runs"][0]["lineage"], json!({ "restarted_as": ptr }));
        assert_eq!(v["runs"][1].get("lineage"), None);
        for id in ["e1a", "e1b"] {
            let mut status = Node::parse(&json!({"execution_id": id}).to_string()).unwrap();
            p.forward_pointers(Route::ExecutionStatus, &mut status);
            assert_eq!(
                status.get("restarted_as"),
                Some(&Node::leaf(&json!({"execution_id": "e2", "run_id": "r2"})))
            );
        }
    }

    #[test]
    fn routes_are_told_apart_by_method_and_shape() {
        let get = Method::GET;
        let post = Method::POST;
        assert_eq!(
            route(&post, "/api/v1/executions/e1/restart"),
            Route::Restart
        );
        assert_eq!(
            route(&post, "/api/ui/v1/executions/e1/restart"),
            Route::Restart
        );
        assert_eq!(
            route(&post, "/api/v1/execute/async/a.b"),
            Route::AsyncExecute
        );
        assert_eq!(route(&post, "/api/v1/execute/a.b"), Route::Other);
        assert_eq!(route(&get, "/api/v1/executions/e1"), Route::ExecutionStatus);
        assert_eq!(
            route(&post, "/api/v1/executions/batch-status"),
            Route::BatchStatus
        );
        assert_eq!(route(&get, "/api/ui/v1/workflows/r1/dag"), Route::Dag);
        assert_eq!(route(&get, "/api/ui/v2/workflow-runs"), Route::RunList);
        assert_eq!(route(&get, "/api/ui/v2/workflow-runs/r1"), Route::RunDetail);
        assert_eq!(
            route(&post, "/api/ui/v2/workflow-runs/r1/golden"),
            Route::Golden
        );
    }
}
