//! The placeholders of a request step (`{run1}`, `{run1/a.b}`, `{node:a}`):
//! found here, checked by `semantic`, replaced by the runner.

/// The placeholders a JSON request body carries: string leaves that are one
/// whole `{alias}` or `{node:agent}` (`"{run1/a.b}"`), in document order.
/// Text that merely contains braces is left alone.
pub fn body_placeholders(body: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![body];
    while let Some(v) = stack.pop() {
        match v {
            serde_json::Value::String(s) => out.extend(whole_placeholder(s)),
            serde_json::Value::Array(xs) => stack.extend(xs.iter().rev()),
            serde_json::Value::Object(m) => stack.extend(m.values().rev()),
            _ => {}
        }
    }
    out
}

/// `p` when `text` is exactly `{p}` with no other brace.
pub fn whole_placeholder(text: &str) -> Option<String> {
    let inner = text.strip_prefix('{')?.strip_suffix('}')?;
    (!inner.is_empty() && !inner.contains(['{', '}'])).then(|| inner.to_string())
}

/// `{node:research}` stands for the node id the agent `research` registered as.
pub const NODE_PREFIX: &str = "node:";

/// The `{alias}` and `{node:agent}` placeholders in a request path or header, in order.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push(rest[start + 1..start + len].to_string());
        rest = &rest[start + len + 1..];
    }
    out
}
