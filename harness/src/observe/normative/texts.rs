//! The error texts the contracts fix, and the `error_category` values
//! versions legitimately differ on; any other text is free.

use super::Strength;

/// `error_category` values versions legitimately differ on, by the error
/// text that goes with them (§1.3: a gone agent or target).
pub const CATEGORY_BY_TEXT: &[(&str, Strength)] = &[
    ("agent '<node>' not found", GONE_TARGET),
    ("target '<name>' not found on agent '<node>'", GONE_TARGET),
    ("async execution queue is full; retry later", QUEUE_FULL),
];

const GONE_TARGET: Strength =
    Strength::OneOf(&[("internal_error", "V639"), ("target_not_found", "V-latest")]);

const QUEUE_FULL: Strength = Strength::OneOf(&[
    ("concurrency_limit", "V639"),
    ("queue_full", "V-latest (docs/api/EXECUTE.md)"),
]);

/// Error texts the contracts fix: a pattern (`<x>` stands for any text, a
/// final `…` makes it a prefix) and the section that fixes it. A text no
/// pattern matches is free: its field's `otherwise` strength applies.
pub const TEXTS: &[(&str, &str)] = &[
    ("execution_id is required", "§1.3"),
    ("node_unavailable", "§1.3 (V-latest: the dispatchable gate)"),
    (
        "invalid request body: …",
        "§1.2, §1.3, §5.4, agent-protocol §2",
    ),
    ("scope must be one of: workflow, execution", "§1.3"),
    (
        "reuse must be one of: succeeded-before, all-succeeded, none",
        "§1.3",
    ),
    ("failed to load source execution", "§1.3"),
    ("execution <id> not found", "§1.3"),
    ("failed to load workflow root", "§1.3"),
    ("run <id> not found", "§1.3"),
    ("agent '<node>' not found", "§1.3, agent-protocol §2"),
    (
        "target '<name>' not found on agent '<node>'",
        "§1.3, agent-protocol §2",
    ),
    (
        "invalid target: target must be in format 'node_id.reasoner_name'",
        "§1.3, agent-protocol §2",
    ),
    ("agent '<node>' has no healthy versioned nodes", "§1.3"),
    ("agent_pending_approval", "§1.3, agent-protocol §2"),
    ("async execution queue is full; retry later", "§1.3"),
    ("unsupported replay mode \"<mode>\"", "§3.7"),
    ("run_id is required", "§5.4, §7.4"),
    (
        "workflow run metadata is not available for this storage backend",
        "§5.4",
    ),
    ("failed to query run executions", "§5.4"),
    ("workflow run not found", "§5.4, §7.4"),
    ("only succeeded runs can be saved as golden", "§5.4"),
    ("failed to encode golden metadata", "§5.4"),
    ("failed to save golden run", "§5.4"),
    ("execution not found", "§7.1"),
    ("workflowId or workflow_id is required", "§7.2"),
    ("workflow not found", "§7.2"),
    ("failed to query executions", "§7.4"),
    ("unsupported status '<status>'", "agent-protocol §3.3"),
    ("failed to update execution: …", "agent-protocol §3.3"),
    ("agent error (<status>): …", "agent-protocol §3.4"),
    ("heartbeat received", "agent-protocol §1 (heartbeat)"),
    ("Invalid JSON format: …", "agent-protocol §1.2"),
    ("Invalid callback URL: …", "agent-protocol §1.2"),
    (
        "node not found",
        "agent-protocol §1 (heartbeat); rule table: issue 14 node reads",
    ),
    // v0.1.96's memory `ErrorResponse.error` codes (issue 14; rule table).
    (
        "invalid_request",
        "rule table: issue 14 memory (handlers/memory.go)",
    ),
    (
        "not_found",
        "rule table: issue 14 memory (handlers/memory.go)",
    ),
    (
        "missing_scope",
        "rule table: issue 14 memory (handlers/memory.go)",
    ),
    (
        "storage_error",
        "rule table: issue 14 memory (handlers/memory.go)",
    ),
];

/// The strength of an error text: the first [`TEXTS`] pattern it matches
/// (exact, or the matched prefix), else `otherwise`.
pub fn text_strength(text: &str, otherwise: Strength) -> Strength {
    for (pattern, cite) in TEXTS {
        if let Some(prefix) = pattern.strip_suffix('…') {
            if prefix_len(prefix, text).is_some() {
                return Strength::Prefix(prefix, cite);
            }
        } else if matches(pattern, text) {
            return Strength::Exact(cite);
        }
    }
    otherwise
}

/// Whether `text` is `pattern` with each `<x>` standing for any text.
pub fn matches(pattern: &str, text: &str) -> bool {
    match pattern.find('<') {
        None => pattern == text,
        Some(open) => {
            let Some(close) = pattern[open..].find('>') else {
                return pattern == text;
            };
            let (lit, rest) = (&pattern[..open], &pattern[open + close + 1..]);
            let Some(tail) = text.strip_prefix(lit) else {
                return false;
            };
            (0..=tail.len())
                .filter(|i| tail.is_char_boundary(*i))
                .any(|i| matches(rest, &tail[i..]))
        }
    }
}

/// The length of the shortest start of `text` that matches `pattern` (with
/// `<x>` placeholders).
pub(super) fn prefix_len(pattern: &str, text: &str) -> Option<usize> {
    let Some(open) = pattern.find('<') else {
        return text.starts_with(pattern).then_some(pattern.len());
    };
    let Some(close) = pattern[open..].find('>') else {
        return text.starts_with(pattern).then_some(pattern.len());
    };
    let (lit, rest) = (&pattern[..open], &pattern[open + close + 1..]);
    let tail = text.strip_prefix(lit)?;
    (0..=tail.len())
        .filter(|i| tail.is_char_boundary(*i))
        .find_map(|i| prefix_len(rest, &tail[i..]).map(|n| lit.len() + i + n))
}
