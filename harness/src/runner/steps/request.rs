//! `request: METHOD /path`: a raw request with its placeholders replaced; its
//! status and (optionally) a subset of its answer are checked, and the answer
//! is kept for the responses view. With `poll: true` it is sent again (the
//! client's short backoff between tries) until both hold, within the
//! scenario's deadline; on expiry the error names the request awaited and the
//! last answer seen.

use serde_json::{json, Value};

use super::super::{Expectation, Runner, StepError};
use super::Execute;
use crate::client::{Body, Response};
use crate::scenario::{Location, Request};

impl Execute for Request {
    async fn execute(&self, r: &mut Runner, n: usize, loc: &Location) -> Result<(), StepError> {
        let path = r.substitute(&self.path).await?;
        let hs = r.substitute_headers(&self.headers).await?;
        let body = r.substitute_body(self.body.as_ref()).await?;
        let want = match &self.expect {
            Some(want) => Some(
                match r.substitute_body(Some(&Body::Json(want.clone()))).await? {
                    Some(Body::Json(v)) => v,
                    _ => want.clone(),
                },
            ),
            None => None,
        };
        let resp = match (&want, self.poll) {
            (Some(want), true) => {
                let what = format!(
                    "{} {path} to answer HTTP {} with {want}",
                    self.method, self.status
                );
                let client = &r.client;
                let (method, at, body, hs) = (&self.method, path.as_str(), body.as_ref(), &hs);
                let status = self.status;
                crate::client::poll(&what, r.deadline, || async move {
                    match client.send(method.clone(), at, body, hs).await {
                        Ok(a) if holds(status, want, &a).is_empty() => (Some(a), String::new()),
                        Ok(a) => (None, format!("HTTP {} {}", a.status, a.body)),
                        Err(e) => (None, e.to_string()),
                    }
                })
                .await
                .map_err(StepError::Deadline)?
            }
            _ => {
                r.client
                    .send(self.method.clone(), &path, body.as_ref(), &hs)
                    .await?
            }
        };
        if let Some((exec, key)) = request_execution(n, path.as_str(), &resp) {
            r.root_inputs.insert(exec, key);
        }
        r.expect_status(loc, self.status, &resp);
        if let Some(want) = want {
            let differences = super::super::expect::mismatches(&want, &resp);
            if !differences.is_empty() {
                r.fail(loc, Expectation::Answer { want, differences });
            }
        }
        // Labelled with the path as written in the scenario, aliases and all.
        let label = format!("step {n}: {} {}", self.method, self.path);
        // A batch status read is a POST (§7.1).
        let read = self.method == reqwest::Method::GET
            || path.starts_with("/api/v1/executions/batch-status");
        r.keep_as(label, resp, read);
        Ok(())
    }
}

/// How an answer differs from what a polled request awaits: its status,
/// then each difference from `want` (empty when it holds).
fn holds(status: u16, want: &Value, a: &Response) -> Vec<String> {
    if a.status != status {
        return vec![format!("status: expected {status}, saw {}", a.status)];
    }
    super::super::expect::mismatches(want, a)
}

/// The execution an execute request created, with the key that orders it
/// among same-named executions: the step that sent it, so requests are
/// numbered in the order they were written, whatever their bodies.
fn request_execution(n: usize, path: &str, r: &Response) -> Option<(String, Value)> {
    if !path.starts_with("/api/v1/execute/") {
        return None;
    }
    let exec = r
        .str("execution_id")
        .or_else(|| r.header("x-execution-id"))?;
    Some((exec, json!(format!("step {n:04}"))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderMap;

    fn answer(body: Value) -> Response {
        Response {
            status: 200,
            headers: HeaderMap::new(),
            body,
        }
    }

    #[test]
    fn execute_requests_are_keyed_by_step() {
        let r = answer(json!({"execution_id": "exec_1"}));
        let got = request_execution(4, "/api/v1/execute/n.r", &r);
        assert_eq!(got, Some(("exec_1".to_string(), json!("step 0004"))));
        let mut failed = answer(json!({"error": "agent error (500): x"}));
        failed
            .headers
            .insert("x-execution-id", "exec_2".parse().expect("header"));
        let got = request_execution(12, "/api/v1/execute/async/n.r", &failed);
        assert_eq!(got, Some(("exec_2".to_string(), json!("step 0012"))));
    }

    #[test]
    fn other_requests_create_no_execution() {
        let r = answer(json!({"execution_id": "exec_1"}));
        assert_eq!(
            request_execution(1, "/api/v1/executions/x/restart", &r),
            None
        );
        let none = answer(json!({"error": "agent 'n' not found"}));
        assert_eq!(request_execution(1, "/api/v1/execute/n.r", &none), None);
    }
}
