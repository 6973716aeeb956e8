//! LLM stubs: one wiremock `MockServer` per scenario, one OpenAI-compatible
//! `POST /<stub>/v1/chat/completions` per declared stub. What a stub answers
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

struct Programmed(Arc<Mutex<State>>);

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
        } else {
            ResponseTemplate::new(200).set_body_json(json!({
                "id": "chatcmpl-afc",
                "object": "chat.completion",
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
            Mock::given(method("POST"))
                .and(path(format!("/{name}/v1/chat/completions")))
                .respond_with(Programmed(state.clone()))
                .named(format!("LLM stub '{name}'"))
                .mount(&server)
                .await;
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
                let p = format!("/{name}/v1/chat/completions");
                (
                    name.clone(),
                    requests.iter().filter(|r| r.url.path() == p).count(),
                )
            })
            .collect()
    }
}
