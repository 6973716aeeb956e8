//! The request of contract §4.1 a dispatch sends: where (the node's
//! invocation URL, `<base>/execute` for a serverless node, else
//! `<base>/reasoners|skills/<name>`) and what (the input, or a serverless
//! node's envelope). Read again for a second dispatch after an agent restart,
//! as upstream's `newAgentRequest` is.

use serde_json::json;

use super::canonical::{self, GoValue};
use super::model::{Execution, Node, TargetType};
use super::payload::{decode_stored, input_body};

/// Where `exec` is dispatched on `node` (`buildAgentURL`).
pub fn target_url(node: &Node, exec: &Execution) -> String {
    let base = node.base_url.trim_end_matches('/');
    if !node.invocation_url.is_empty() {
        node.invocation_url.clone()
    } else if node.deployment_type == "serverless" {
        format!("{base}/execute")
    } else {
        let kind = match exec.target_type {
            TargetType::Reasoner => "reasoners",
            TargetType::Skill => "skills",
        };
        format!("{base}/{kind}/{}", exec.reasoner_id)
    }
}

/// What `exec`'s dispatch to `node` carries.
pub fn request_body(node: &Node, exec: &Execution) -> String {
    if node.deployment_type == "serverless" {
        serverless_body(exec)
    } else {
        input_body(&exec.input_payload)
    }
}

/// The envelope a serverless agent receives; keys appear only when set.
pub fn serverless_body(exec: &Execution) -> String {
    let (input, _) = decode_stored(&exec.input_payload);
    let mut ctx = json!({
        "execution_id": exec.execution_id,
        "run_id": exec.run_id,
        "workflow_id": exec.run_id,
    });
    for (k, v) in [
        ("parent_execution_id", &exec.parent_execution_id),
        ("session_id", &exec.session_id),
        ("actor_id", &exec.actor_id),
    ] {
        if let Some(v) = v {
            ctx[k] = json!(v);
        }
    }
    let mut body = json!({
        "path": format!("/execute/{}", exec.reasoner_id),
        "target": exec.reasoner_id,
        "reasoner": exec.reasoner_id,
        "type": exec.target_type.as_str(),
        "input": canonical::to_json(&GoValue::Object(input)),
        "execution_context": ctx,
    });
    if exec.target_type == TargetType::Skill {
        body["skill"] = json!(exec.reasoner_id);
    }
    body.to_string()
}
