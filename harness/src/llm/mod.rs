//! LLM stubs: one wiremock `MockServer` per scenario, one OpenAI-compatible
//! `POST /<stub>/v1/chat/completions` per declared stub, and its Responses
//! API twin `POST /<stub>/v1/responses` (an SDK's "openai" provider may call
//! either; both count as calls of the stub). What a stub answers
//! is a program a step may change mid-scenario; how often it was called comes
//! from the server's own request log, which is how a scenario proves that
//! reuse saved LLM calls.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::scenario::LlmProgram;

/// The running stubs of one scenario.
pub struct LlmStubs {
    server: MockServer,
    programs: BTreeMap<String, Arc<Mutex<State>>>,
}

struct State {
    program: LlmProgram,
    /// Calls answered under the current program, for `fail_first`.
    answered: u32,
}

/// The OpenAI API paths a stub answers, under `/<stub>/v1`.
const PATHS: [&str; 2] = ["chat/completions", "responses"];

/// A stub's answer on one of [`PATHS`]: `responses` selects the Responses API's shape.
struct Programmed(Arc<Mutex<State>>, bool);

impl Respond for Programmed {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut state = match self.0.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        state.answered += 1;
        let p = &state.program;
        let failing = match p.fail_first {
            Some(n) => state.answered <= n,
            None => p.status.is_some_and(|s| s >= 400),
        };
        let mut t = if failing {
            let status = p.status.unwrap_or(500);
            let mut t = ResponseTemplate::new(status)
                .set_body_json(json!({"error": {"message": "programmed failure", "code": status}}));
            if let Some(secs) = p.retry_after {
                t = t.insert_header("Retry-After", secs.to_string().as_str());
            }
            t
        } else if self.1 {
            ResponseTemplate::new(200).set_body_json(json!({
                "id": "resp-afc",
                "object": "response",
                // Fixed, so no view depends on a clock; SDK clients read it
                // (the TS SDK's AI library fails on a response without it).
                "created_at": 1_767_225_600,
                "status": "completed",
                "model": "afc-stub",
                "output": [{"type": "message", "id": "msg-afc", "status": "completed",
                            "role": "assistant",
                            "content": [{"type": "output_text", "text": p.reply,
                                         "annotations": []}]}],
                "usage": {"input_tokens": 1, "output_tokens": 1, "total_tokens": 2}
            }))
        } else {
            ResponseTemplate::new(200).set_body_json(json!({
                "id": "chatcmpl-afc",
                "object": "chat.completion",
                "created": 1_767_225_600,
                "model": "afc-stub",
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": p.reply}}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
            }))
        };
        if let Some(ms) = p.delay_ms {
            t = t.set_delay(Duration::from_millis(ms));
        }
        t
    }
}

impl LlmStubs {
    /// Starts one server holding every stub.
    pub async fn start(programs: &BTreeMap<String, LlmProgram>) -> Self {
        let server = MockServer::start().await;
        let mut states = BTreeMap::new();
        for (name, program) in programs {
            let state = Arc::new(Mutex::new(State {
                program: program.clone(),
                answered: 0,
            }));
            for api in PATHS {
                Mock::given(method("POST"))
                    .and(path(format!("/{name}/v1/{api}")))
                    .respond_with(Programmed(state.clone(), api == "responses"))
                    .named(format!("LLM stub '{name}' ({api})"))
                    .mount(&server)
                    .await;
            }
            states.insert(name.clone(), state);
        }
        LlmStubs {
            server,
            programs: states,
        }
    }

    /// The OpenAI-compatible base URL of one stub (ends in `/v1`).
    pub fn base_url(&self, stub: &str) -> String {
        format!("{}/{stub}/v1", self.server.uri())
    }

    /// Replaces a stub's program; its `fail_first` count starts again.
    pub fn set(&self, stub: &str, program: LlmProgram) -> bool {
        let Some(state) = self.programs.get(stub) else {
            return false;
        };
        let mut state = match state.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        state.program = program;
        state.answered = 0;
        true
    }

    /// Calls received so far, per stub (every declared stub appears).
    pub async fn counts(&self) -> BTreeMap<String, usize> {
        let requests = self.server.received_requests().await.unwrap_or_default();
        self.programs
            .keys()
            .map(|name| {
                let ours = PATHS.map(|api| format!("/{name}/v1/{api}"));
                let calls = requests
                    .iter()
                    .filter(|r| ours.contains(&r.url.path().to_string()));
                (name.clone(), calls.count())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_stub_answers_chat_and_responses_and_counts_both() {
        let program: LlmProgram = serde_json::from_value(json!({"reply": "hi"})).expect("valid");
        let stubs = LlmStubs::start(&[("planner".to_string(), program)].into()).await;
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client");
        let post = |api: &str| {
            http.post(format!("{}/{api}", stubs.base_url("planner")))
                .json(&json!({"model": "afc-stub", "input": "x"}))
                .send()
        };
        let chat: serde_json::Value = post("chat/completions")
            .await
            .expect("sent")
            .json()
            .await
            .expect("json");
        assert_eq!(chat["choices"][0]["message"]["content"], "hi");
        let resp: serde_json::Value = post("responses")
            .await
            .expect("sent")
            .json()
            .await
            .expect("json");
        assert_eq!(resp["output"][0]["content"][0]["text"], "hi");
        assert!(resp["created_at"].is_u64(), "{resp}");
        assert_eq!(stubs.counts().await["planner"], 2);
    }
}
