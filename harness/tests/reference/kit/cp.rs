//! The control plane under test: a reference started in-process, plus a thin client.

use afc::reference::{serve, Config};
use reqwest::header::HeaderMap as ReqHeaders;
use serde_json::Value;
use tokio::sync::oneshot;

use super::eventually;

/// A reply from the control plane.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: ReqHeaders,
    /// Body as JSON (`Value::Null` when empty or not JSON).
    pub body: Value,
}

impl Reply {
    /// A response header as a string.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// A string field of the body, or a panic naming the whole body.
    pub fn str(&self, field: &str) -> String {
        self.body[field]
            .as_str()
            .unwrap_or_else(|| panic!("field {field} missing in {}", self.body))
            .to_owned()
    }
}

/// One running reference control plane; stops when dropped.
pub struct Cp {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// Client used by the tests.
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for Cp {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

impl Cp {
    /// Starts a control plane with the default config.
    pub async fn start() -> Self {
        Self::with_config(Config::default()).await
    }

    /// Starts a control plane serving `contract`, otherwise the default config.
    pub async fn on(contract: afc::reference::contract::Contract) -> Self {
        Self::with_config(Config {
            contract,
            ..Config::default()
        })
        .await
    }

    /// Starts a control plane with `config`.
    pub async fn with_config(config: Config) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("bound address");
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = serve(listener, config, async move {
                let _ = rx.await;
            })
            .await;
        });
        Self {
            url: format!("http://{addr}"),
            client: reqwest::Client::new(),
            stop: Some(tx),
        }
    }

    /// A client for a control plane that runs elsewhere (a child process, say).
    pub fn at(url: &str) -> Self {
        Self {
            url: url.trim_end_matches('/').to_owned(),
            client: reqwest::Client::new(),
            stop: None,
        }
    }

    async fn finish(resp: reqwest::Response) -> Reply {
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.expect("read body");
        Reply {
            status,
            headers,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        }
    }

    /// POSTs raw bytes with extra headers.
    pub async fn post_raw(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<reqwest::Body>,
    ) -> Reply {
        let mut req = self.client.post(format!("{}{path}", self.url)).body(body);
        req = req.header("content-type", "application/json");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Self::finish(req.send().await.expect("POST reaches the control plane")).await
    }

    /// POSTs a JSON body with extra headers.
    pub async fn post(&self, path: &str, headers: &[(&str, &str)], body: Value) -> Reply {
        self.post_raw(path, headers, body.to_string()).await
    }

    /// GETs a path.
    pub async fn get(&self, path: &str) -> Reply {
        let resp = self
            .client
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("GET reaches the control plane");
        Self::finish(resp).await
    }

    /// Waits until an execution reaches a terminal status and returns its view.
    pub async fn wait_terminal(&self, exec_id: &str) -> Value {
        eventually(&format!("execution {exec_id} to be terminal"), || async {
            let r = self.get(&format!("/api/v1/executions/{exec_id}")).await;
            match r.body["status"].as_str() {
                Some("succeeded" | "failed" | "cancelled" | "timeout") => Ok(r.body),
                _ => Err(r.body.to_string()),
            }
        })
        .await
    }

    /// Sync execute with headers.
    pub async fn execute(&self, target: &str, headers: &[(&str, &str)], body: Value) -> Reply {
        self.post(&format!("/api/v1/execute/{target}"), headers, body)
            .await
    }

    /// Async execute with headers.
    pub async fn execute_async(
        &self,
        target: &str,
        headers: &[(&str, &str)],
        body: Value,
    ) -> Reply {
        self.post(&format!("/api/v1/execute/async/{target}"), headers, body)
            .await
    }
}
