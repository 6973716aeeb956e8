//! Which control-plane texts the contract fixes, written from the contract
//! alone (restart-replay-contract.md), never from afc's views or goldens: a
//! text that matches a template here is kept (or keeps its prefix); every
//! other text the control plane writes is free and gets rewritten.
//!
//! `{}` in a template stands for a value (an id, a name; possibly empty, as
//! `agent '' not found` for a blank node). A text is
//! fixed when the contract gives it literally for the newest contract or for
//! every version alike; a v0.1.96-only wording (the 429 and LLM 503 texts,
//! Go's decoder errors) is free, as the newer versions write "…" there.

/// How much of a text the contract fixes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fixed {
    /// The whole text.
    Exact,
    /// The template's literal start; the rest is an implementation's wording.
    Prefix,
}

/// The contract's texts, each with the section that fixes it.
pub const TEXTS: &[(&str, Fixed, &str)] = &[
    ("execution_id is required", Fixed::Exact, "§1.3 step 1"),
    (
        "invalid request body: ",
        Fixed::Prefix,
        "§1.2, §1.3 step 2, §5.4",
    ),
    (
        "scope must be one of: workflow, execution",
        Fixed::Exact,
        "§1.3 step 3",
    ),
    (
        "reuse must be one of: succeeded-before, all-succeeded, none",
        Fixed::Exact,
        "§1.3 step 4",
    ),
    (
        "failed to load source execution",
        Fixed::Exact,
        "§1.3 step 5",
    ),
    ("execution {} not found", Fixed::Exact, "§1.3 step 5"),
    ("failed to load workflow root", Fixed::Exact, "§1.3 step 6"),
    ("run {} not found", Fixed::Exact, "§1.3 step 6"),
    (
        "async execution queue is full; retry later",
        Fixed::Exact,
        "§1.3 step 8",
    ),
    (
        "agent '{}' not found",
        Fixed::Exact,
        "§1.3 (writeExecutionError table)",
    ),
    (
        "target '{}' not found on agent '{}'",
        Fixed::Exact,
        "§1.3 (writeExecutionError table)",
    ),
    (
        "agent '{}' has no healthy versioned nodes",
        Fixed::Exact,
        "§1.3 (writeExecutionError table)",
    ),
    (
        "invalid target: target must be in format 'node_id.reasoner_name'",
        Fixed::Exact,
        "§1.3",
    ),
    (
        "agent_pending_approval",
        Fixed::Exact,
        "§1.3 (pending approval)",
    ),
    (
        "agent node '{}' is awaiting tag approval and cannot execute",
        Fixed::Exact,
        "§1.3",
    ),
    ("node_unavailable", Fixed::Exact, "§1.3, §3.8"),
    ("run_authority_unavailable", Fixed::Exact, "§1.1"),
    (
        "restart dispatch is disabled while outer run authority is required",
        Fixed::Exact,
        "§1.1",
    ),
    ("unsupported replay mode \"{}\"", Fixed::Exact, "§3.7"),
    ("query replay source run: ", Fixed::Prefix, "§3.7"),
    ("execution not found", Fixed::Exact, "§7.1"),
    ("failed to load execution: ", Fixed::Prefix, "§7.1"),
    (
        "workflowId or workflow_id is required",
        Fixed::Exact,
        "§7.2",
    ),
    ("failed to load workflow: ", Fixed::Prefix, "§7.2"),
    ("workflow not found", Fixed::Exact, "§7.2"),
    ("failed to query run summaries", Fixed::Exact, "§7.3"),
    ("workflow run not found", Fixed::Exact, "§7.4, §5.4"),
    ("run_id is required", Fixed::Exact, "§7.4, §5.4"),
    ("failed to query executions", Fixed::Exact, "§7.4"),
    (
        "workflow run metadata is not available for this storage backend",
        Fixed::Exact,
        "§5.4",
    ),
    ("failed to query run executions", Fixed::Exact, "§5.4"),
    (
        "only succeeded runs can be saved as golden",
        Fixed::Exact,
        "§5.4",
    ),
    ("failed to encode golden metadata", Fixed::Exact, "§5.4"),
    ("failed to save golden run", Fixed::Exact, "§5.4"),
    // agent-protocol.md: the status callback and what an agent's answer becomes.
    (
        "unsupported status '{}'",
        Fixed::Exact,
        "agent-protocol §3.3",
    ),
    (
        "failed to update execution: ",
        Fixed::Prefix,
        "agent-protocol §3.3",
    ),
    ("agent error ({}): ", Fixed::Prefix, "agent-protocol §3.4"),
    ("heartbeat received", Fixed::Exact, "agent-protocol §1"),
    (
        "Invalid JSON format: ",
        Fixed::Prefix,
        "agent-protocol §1.2",
    ),
    (
        "Invalid callback URL: ",
        Fixed::Prefix,
        "agent-protocol §1.2",
    ),
    ("node not found", Fixed::Exact, "agent-protocol §1"),
    // Routes outside both specs whose codes the project's rule table fixes
    // (scenarios/README.md, read from v0.1.96's handlers/memory.go).
    ("invalid_request", Fixed::Exact, "rule table: memory"),
    ("not_found", Fixed::Exact, "rule table: memory"),
    ("missing_scope", Fixed::Exact, "rule table: memory"),
    ("storage_error", Fixed::Exact, "rule table: memory"),
];

/// What the contract fixes of `text`: `Some(len)` keeps its first `len`
/// bytes (all of them for an exact text), `None` leaves it free.
pub fn fixed_part(text: &str) -> Option<usize> {
    TEXTS.iter().find_map(|(template, how, _)| match how {
        Fixed::Exact => matches(template, text).then_some(text.len()),
        Fixed::Prefix => prefix_len(template, text),
    })
}

/// How many bytes of `text` a prefix `template` covers, each `{}` standing
/// for some value (as `agent error ({}): `), if `text` starts with it.
fn prefix_len(template: &str, text: &str) -> Option<usize> {
    let mut parts = template.split("{}");
    let first = parts.next()?;
    let mut at = text.strip_prefix(first).map(|_| first.len())?;
    for lit in parts {
        if lit.is_empty() {
            continue;
        }
        at += text[at..].find(lit)? + lit.len();
    }
    Some(at)
}

/// Whether `text` is `template` with each `{}` some value.
fn matches(template: &str, text: &str) -> bool {
    let mut parts = template.split("{}");
    let Some(first) = parts.next() else {
        return false;
    };
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (i, lit) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let at = if last {
            rest.len()
                .checked_sub(lit.len())
                .filter(|&at| rest.is_char_boundary(at) && rest[at..] == **lit)
        } else {
            rest.find(lit)
        };
        match at {
            Some(at) => rest = &rest[at + lit.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

/// `text` with what the contract leaves free replaced by another wording,
/// the same for the same text and seed, never empty.
pub fn rewrite(text: &str, seed: u64) -> String {
    let keep = fixed_part(text).unwrap_or(0);
    if keep == text.len() {
        return text.to_owned();
    }
    let tag = super::fnv(seed, text.as_bytes());
    format!("{}afc-perturbed wording {tag:016x}", &text[..keep])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_texts_stay_prefixes_keep_their_start_and_free_texts_change() {
        for kept in [
            "execution exec_1 not found",
            "target 'x' not found on agent 'n'",
            "unsupported replay mode \"Succeeded-Before\"",
            "only succeeded runs can be saved as golden",
        ] {
            assert_eq!(rewrite(kept, 1), kept);
        }
        let bind = rewrite("invalid request body: EOF", 1);
        assert!(
            bind.starts_with("invalid request body: afc-perturbed"),
            "{bind}"
        );
        let agent = rewrite("agent error (500): Internal Server Error", 1);
        assert!(
            agent.starts_with("agent error (500): afc-perturbed"),
            "{agent}"
        );
        let free = "agent research has reached max concurrent executions (1)";
        assert_ne!(rewrite(free, 1), free);
        assert_eq!(rewrite(free, 1), rewrite(free, 1));
        assert_ne!(rewrite(free, 1), rewrite(free, 2));
        assert!(!matches("execution {} not found", "execution  not found x"));
        assert!(matches("agent '{}' not found", "agent '' not found"));
        assert!(!matches("agent '{}' not found", "agent 'x' not found!"));
    }
}
