//! `request: METHOD /path`: a raw request, for error rows.

use std::collections::BTreeMap;

use serde_json::Value;

use super::super::build::{body, headers, text};
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
