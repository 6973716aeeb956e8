//! `request: METHOD /path`: a raw request, for error rows; with `poll: true`
//! it is sent again until its answer holds `expect:` (a read awaited).

use std::collections::BTreeMap;

use serde_json::Value;

use super::super::build::{body, flag, headers, text};
use super::super::placeholders::body_placeholders;
use super::super::semantic::StepCheck;
use super::{status, ParseStep, Parsed, StepKind};
use crate::client::Body;
use crate::scenario::load::Problems;

/// A raw request, for error rows; `{alias}` in the path is replaced.
#[derive(Clone, Debug)]
pub struct Request {
    /// HTTP method.
    pub method: reqwest::Method,
    /// Path with `{alias}` / `{node:agent}` placeholders.
    pub path: String,
    /// Request body, if any.
    pub body: Option<Body>,
    /// Extra headers; values may hold `{alias}` placeholders.
    pub headers: BTreeMap<String, String>,
    /// Expected HTTP status.
    pub status: u16,
    /// What the answer must hold, beyond its status (`runner::expect`):
    /// a body subset and, under `headers`, response headers. For rules a
    /// view does not show (a capability-gated scenario's own assertion).
    pub expect: Option<Value>,
    /// `poll: true`: send it again until its status and `expect` hold,
    /// within the scenario's deadline, for a state that shows only for a
    /// while (the schema admits it only beside `expect`).
    pub poll: bool,
}

impl ParseStep for Request {
    fn parse(v: &Value, _ptr: &str, _p: &mut Problems<'_>) -> Parsed<Self> {
        let Some(line) = v.get("request") else {
            return Parsed::Absent;
        };
        let line = text(Some(line));
        let (method, path) = line.split_once(' ').unwrap_or(("GET", &line));
        Parsed::Step(Request {
            // The schema admits only GET, POST, PUT, PATCH and DELETE here.
            method: reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET),
            path: path.trim().to_string(),
            body: body(v),
            headers: headers(v),
            status: status(v, 200),
            expect: v.get("expect").cloned(),
            poll: flag(v.get("poll")),
        })
    }
}

impl StepKind for Request {
    fn check(&self, c: &mut StepCheck<'_, '_>) {
        let texts =
            std::iter::once(self.path.as_str()).chain(self.headers.values().map(String::as_str));
        c.placeholders(texts, "request");
        if let Some(Body::Json(b)) = &self.body {
            let wrapped: Vec<String> = body_placeholders(b)
                .iter()
                .map(|x| format!("{{{x}}}"))
                .collect();
            c.placeholders(wrapped.iter().map(String::as_str), "body");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::parse_str;
    use super::super::Step;

    const HEAD: &str = "agents:\n  a:\n    reasoners:\n      r:\n        - return: {}\nsteps:\n";

    fn requests(steps: &str) -> Vec<(bool, bool)> {
        let s = parse_str("p.yaml", "p", &format!("{HEAD}{steps}")).expect("valid");
        s.steps
            .iter()
            .filter_map(|s| match &s.value {
                Step::Request(r) => Some((r.poll, r.expect.is_some())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn poll_is_read_beside_expect_and_off_by_default() {
        let got = requests(
            "  - request: GET /api/v1/executions/x\n    status: 200\n    poll: true\n    expect: {status: running}\n  - request: GET /health\n    status: 200\n",
        );
        assert_eq!(got, vec![(true, true), (false, false)]);
    }

    #[test]
    fn poll_without_expect_is_refused_at_its_step() {
        let e = parse_str(
            "p.yaml",
            "p",
            &format!("{HEAD}  - request: GET /health\n    status: 200\n    poll: true\n"),
        )
        .expect_err("poll needs expect")
        .to_string();
        assert!(
            e.contains("p.yaml:7:5: 'poll' needs 'expect' beside it (at /steps/0)"),
            "{e}"
        );
    }
}
