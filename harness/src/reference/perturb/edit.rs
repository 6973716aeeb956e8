//! The edits on one JSON answer: incidental ones walk the whole tree (key
//! order, unknown keys, free texts), contract breaks change one value.

use rand::seq::SliceRandom;
use rand::SeedableRng;

use super::texts;
use super::tree::Node;
use super::ContractBreak;

/// Keys whose value is an agent's or a caller's data, not a shape of the
/// control plane: nothing is added inside them and no text is rewritten
/// (their keys may still be reordered).
const DATA_KEYS: &[&str] = &[
    "result",
    "input",
    "context",
    "error_details",
    "input_data",
    "output_data",
    "data",
    "value",
    "body",
    "headers",
    "metadata",
    "payload",
    "webhook",
    // A root's run metadata (V-ns, §5.1) is the caller's data, texts included.
    "run_metadata",
];

/// Free texts of reads: the contract names the field, never its wording
/// (§1.4 `webhook_error`, §7.1 `error`, §7.3 the summary's texts).
const FREE_TEXT_KEYS: &[&str] = &[
    "error",
    "error_message",
    "root_error_message",
    "webhook_error",
    "display_name",
    "current_task",
];

/// The statuses of §8, for a zero count `status_counts` did not list.
const STATUSES: &[&str] = &[
    "unknown",
    "pending",
    "queued",
    "waiting",
    "running",
    "paused",
    "succeeded",
    "failed",
    "cancelled",
    "timeout",
];

/// Reorders the keys of every object under `node` (data included).
pub fn shuffle_all(node: &mut Node, seed: u64) {
    match node {
        Node::Object(kids) => {
            for (_, v) in kids.iter_mut() {
                shuffle_all(v, seed);
            }
        }
        Node::Array(items) => items.iter_mut().for_each(|i| shuffle_all(i, seed)),
        Node::Leaf(_) => return,
    }
    shuffle(node, seed);
}

/// Reorders one object's keys, seeded by the seed and its keys, so that the
/// same shape always gets the same order; never the order it had.
fn shuffle(node: &mut Node, seed: u64) {
    if node.has_duplicate_keys() {
        return;
    }
    let Node::Object(kids) = node else { return };
    if kids.len() < 2 {
        return;
    }
    let keys: Vec<u8> = kids
        .iter()
        .flat_map(|(k, _)| k.bytes().chain([0]))
        .collect();
    let before: Vec<String> = kids.iter().map(|(k, _)| k.clone()).collect();
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(super::fnv(seed, &keys));
    kids.shuffle(&mut rng);
    if kids.iter().map(|(k, _)| k).eq(before.iter()) {
        kids.rotate_left(1);
    }
}

/// The incidental walk over a control-plane shape: an unknown key in every
/// object, free texts rewritten, then every object's keys reordered.
/// `map_of_ids` says `node` is keyed by ids (batch-status): no key is added
/// at its top.
/// `relayed` says a text is one an agent sent, kept as data.
pub fn incidental(node: &mut Node, seed: u64, map_of_ids: bool, relayed: &dyn Fn(&str) -> bool) {
    shape(node, seed, !map_of_ids, relayed);
    shuffle_all(node, seed);
}

fn shape(node: &mut Node, seed: u64, add_key: bool, relayed: &dyn Fn(&str) -> bool) {
    match node {
        Node::Array(items) => items.iter_mut().for_each(|i| shape(i, seed, true, relayed)),
        Node::Leaf(_) => {}
        Node::Object(kids) => {
            for (k, v) in kids.iter_mut() {
                if DATA_KEYS.contains(&k.as_str()) {
                    continue;
                }
                if k == "status_counts" {
                    zero_count(v);
                    continue;
                }
                if FREE_TEXT_KEYS.contains(&k.as_str()) {
                    if let Some(s) = v.as_str() {
                        if !relayed(&s) {
                            *v = Node::string(&texts::rewrite(&s, seed));
                        }
                        continue;
                    }
                }
                shape(v, seed, true, relayed);
            }
            if add_key {
                let name = format!("x_afc_{:04x}", super::fnv(seed, b"key") & 0xffff);
                let extra = serde_json::json!({"added_by": "afc perturb", "seed": seed});
                node.set(&name, Node::leaf(&extra));
            }
        }
    }
}

/// Adds a zero count for the first §8 status the map does not list.
fn zero_count(counts: &mut Node) {
    if !matches!(counts, Node::Object(_)) {
        return;
    }
    if let Some(s) = STATUSES.iter().find(|s| counts.get(s).is_none()) {
        counts.set(s, Node::Leaf("0".to_owned()));
    }
}

/// Rewrites an error answer's `message` and `details` as far as the
/// contract leaves them free (`error` is a free-text key of every walk);
/// `error_category` and codes stay.
pub fn error_texts(node: &mut Node, seed: u64) {
    for key in ["message", "details"] {
        if let Some(s) = node.get(key).and_then(Node::as_str) {
            node.set(key, Node::string(&texts::rewrite(&s, seed)));
        }
    }
}

/// The other version's category where versions differ (§1.3): an unknown
/// agent or target is `internal_error` (v0.1.96) or `target_not_found`
/// (V-latest); a full queue is `concurrency_limit` or `queue_full`. The older
/// category becomes the newer one, never the other way: a target that serves
/// the newer behaviour declares it (a capability its scenarios require), so
/// answering the older category there would break its contract, not vary it.
pub fn other_version_category(node: &mut Node) {
    let (Some(error), Some(category)) = (node.str_of("error"), node.str_of("error_category"))
    else {
        return;
    };
    let unknown_target = error.starts_with("agent '") && error.ends_with("' not found")
        || error.starts_with("target '") && error.contains("' not found on agent '");
    let queue_full = error == "async execution queue is full; retry later";
    let other = match category.as_str() {
        "internal_error" if unknown_target => "target_not_found",
        "concurrency_limit" if queue_full => "queue_full",
        _ => return,
    };
    node.set("error_category", Node::string(other));
}

/// The DAG's node timestamps (`started_at`, `completed_at`) written with
/// another UTC offset, the same instant: v0.1.96 formats them "without
/// converting to UTC" (§7.2), so a reader must take any offset.
pub fn offset_node_times(node: &mut Node) {
    match node {
        Node::Array(items) => items.iter_mut().for_each(offset_node_times),
        Node::Leaf(_) => {}
        Node::Object(kids) => {
            for (k, v) in kids.iter_mut() {
                if DATA_KEYS.contains(&k.as_str()) {
                    continue;
                }
                let t = matches!(k.as_str(), "started_at" | "completed_at")
                    .then(|| v.as_str())
                    .flatten()
                    .and_then(|s| chrono::DateTime::parse_from_rfc3339(&s).ok());
                match (t, chrono::FixedOffset::east_opt(2 * 3600)) {
                    (Some(t), Some(east)) => {
                        let shifted = t.with_timezone(&east);
                        let text = shifted.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false);
                        *v = Node::string(&text);
                    }
                    _ => offset_node_times(v),
                }
            }
        }
    }
}

/// Applies a value break everywhere in `node` (outside data).
pub fn break_values(node: &mut Node, b: ContractBreak) {
    let Node::Object(kids) = node else {
        if let Node::Array(items) = node {
            items.iter_mut().for_each(|i| break_values(i, b));
        }
        return;
    };
    for (k, v) in kids.iter_mut() {
        if DATA_KEYS.contains(&k.as_str()) {
            continue;
        }
        match (b, k.as_str()) {
            (ContractBreak::LineageReuse, "lineage") => {
                if let Some(reuse) = v.str_of("reuse") {
                    let other = match reuse.as_str() {
                        "succeeded-before" => "all-succeeded",
                        _ => "succeeded-before",
                    };
                    v.set("reuse", Node::string(other));
                }
            }
            (ContractBreak::ReplayReasonPrefix, "status_reason") => {
                if let Some(id) = v.as_str().and_then(|s| {
                    s.strip_prefix("replayed_from_execution:")
                        .map(str::to_owned)
                }) {
                    *v = Node::string(&format!("replayed_from:{id}"));
                }
            }
            (ContractBreak::AgentErrorCategory, "error_category") => {
                if v.as_str().as_deref() == Some("agent_error") {
                    *v = Node::string("internal_error");
                }
            }
            _ => break_values(v, b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(n: &Node) -> String {
        let mut s = String::new();
        n.write(&mut s);
        s
    }

    #[test]
    fn the_incidental_walk_leaves_data_alone_and_every_shape_reordered() {
        let body = r#"{"run_id":"r","status":"failed","error":"boom","status_counts":{"failed":1},
            "result":{"b":1.0,"a":"boom"},"lineage":{"kind":"restart","reuse":"none"}}"#;
        let mut n = Node::parse(body).unwrap();
        incidental(&mut n, 3, false, &|_| false);
        let v: serde_json::Value = serde_json::from_str(&text(&n)).unwrap();
        assert_eq!(v["result"], serde_json::json!({"b": 1.0, "a": "boom"}));
        assert!(text(&n).contains("1.0"));
        assert_ne!(v["error"], "boom");
        assert_eq!(
            v["status_counts"],
            serde_json::json!({"failed": 1, "unknown": 0})
        );
        assert_eq!(v["lineage"].as_object().unwrap().len(), 3);
        assert_eq!(v.as_object().unwrap().len(), 7);
        let Node::Object(kids) = &n else { panic!() };
        assert_ne!(kids[0].0, "run_id");
    }

    #[test]
    fn dag_times_move_to_another_offset_and_stay_the_same_instant() {
        let mut n = Node::parse(
            r#"{"timeline":[{"started_at":"2026-06-09T12:00:00Z","result":{"started_at":"x"}}]}"#,
        )
        .unwrap();
        offset_node_times(&mut n);
        assert_eq!(
            text(&n),
            r#"{"timeline": [{"started_at": "2026-06-09T14:00:00+02:00", "result": {"started_at": "x"}}]}"#
        );
    }

    #[test]
    fn a_break_changes_exactly_its_value() {
        let mut n = Node::parse(
            r#"{"lineage":{"reuse":"none"},"status_reason":"replayed_from_execution:e1","error_category":"agent_error"}"#,
        )
        .unwrap();
        for b in [
            ContractBreak::LineageReuse,
            ContractBreak::ReplayReasonPrefix,
            ContractBreak::AgentErrorCategory,
        ] {
            break_values(&mut n, b);
        }
        assert_eq!(
            text(&n),
            r#"{"lineage": {"reuse": "succeeded-before"}, "status_reason": "replayed_from:e1", "error_category": "internal_error"}"#
        );
    }
}
