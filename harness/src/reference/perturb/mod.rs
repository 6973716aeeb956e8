//! The neutrality self-check (issue 22): the reference with its incidental
//! behaviour perturbed, or with one contract value broken. Never on by
//! default; `AFC_PERTURB` (embedded) or `afc serve --perturb` turns it on.
//!
//! It is a layer beside the router (on every response) and a hook on the
//! dispatch transport (on what agents receive), so no rule of the reference
//! knows about it.
//!
//! `incidental` changes only what the contract leaves free. The list is
//! written from restart-replay-contract.md, not from afc's views, so that the
//! suite passing against it is an independent statement. Each item and the
//! section that makes it legitimate:
//!
//! | perturbation | why it is legitimate |
//! |---|---|
//! | the keys of every JSON object in another order (seeded, `AFC_PERTURB_SEED`), except an object with a key twice | JSON objects are unordered; Go's encoder sorts map keys, its structs keep field order (§3.4 canonicalisation compares sorted keys) |
//! | insignificant whitespace after every `:` and `,` | JSON |
//! | numbers and strings kept byte for byte | (not a perturbation: §3.6 copies results byte for byte) |
//! | an unknown key in every object the control plane shapes (not inside `result`, `input`, `context`, `error_details` or other data; not in the batch-status map, whose keys are ids) | §1.2 and §0: newer versions add fields; a reader must ignore keys it does not know |
//! | a zero count of a status not present in `status_counts` | §7.3 names the map, not which zero counts it lists |
//! | `restarted_as: {execution_id, run_id, at}` in a restarted source run's `lineage` (created if the run had none) on the DAG, the run list, the run detail and the golden answer | §5.1, §5.2, §5.3 (V-latest) |
//! | `restarted_as: {execution_id, run_id}` on `GET /api/v1/executions/{id}` and batch-status entries of a restarted source and root | §5.3, §7.1 (V-latest) |
//! | `retry_after: 1` in every 429/503 JSON body and a `Retry-After: 1` header (not on the pending-approval 503) | §1.3 steps 8 and 9 (V-latest) |
//! | an unknown agent or target answers the other version's `error_category` (`internal_error` ↔ `target_not_found`) | §1.3 table, §8 (v0.1.96 vs V-latest) |
//! | a full queue answers the other accepted category (`concurrency_limit` ↔ `queue_full`) | §1.3: "a conformance test should accept either" |
//! | every error text the contract does not fix rewritten; a text it fixes only up to a prefix keeps the prefix (`texts::TEXTS` lists the fixed ones) | §1.3, §3.7, §5.4, §7 give these texts; elsewhere (429/503 wording, Go decoder errors, routes outside the contract) the wording is an implementation's |
//! | free texts of reads rewritten: `error`, `error_message`, `root_error_message`, `webhook_error`, `display_name`, `current_task` | §7.1, §7.3, §1.4 name these fields but fix no wording |
//! | the DAG's node `started_at` / `completed_at` at UTC+02:00, the same instant | §7.2: v0.1.96 formats them "without converting to UTC" |
//! | `Content-Type: application/json; charset=utf-8` and an unknown response header | HTTP; Gin sends exactly that content type |
//! | an unknown header on every dispatch, the headers in another order, the body's keys in another order | §4.1 lists what is sent, not what else may be; the body is the input object |
//!
//! `contract:<name>` breaks one value the contract fixes (see
//! [`ContractBreak`]); the neutrality test names the scenarios that guard
//! each one. Breaks and `incidental` combine: `incidental,contract:<name>`.
//!
//! Bounds: a response body is edited only when its size is known and at
//! most [`MAX_EDITED_BYTES`] (the reference's own answers are bounded);
//! anything else passes untouched. The restarts remembered for
//! `restarted_as` are at most [`MAX_TRACKED`].

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

mod edit;
mod respond;
mod texts;
mod tree;

pub use respond::wrap;

/// Largest response body the layer rewrites; a larger one passes as it is.
pub const MAX_EDITED_BYTES: usize = 64 * 1024 * 1024;
/// Restarted runs and executions remembered for `restarted_as`.
pub const MAX_TRACKED: usize = 100_000;
/// The seed when `AFC_PERTURB_SEED` is unset.
pub const DEFAULT_SEED: u64 = 22;

/// One value the contract fixes, broken on purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ContractBreak {
    /// `lineage_reuse`: a lineage's `reuse` reads as another mode (§2.2, §5.2).
    LineageReuse,
    /// `drop_replay_hit`: no `X-AgentField-Replay-Hit` on a hit's answer (§3.6).
    DropReplayHit,
    /// `drop_replay_before`: `X-AgentField-Replay-Before-Execution-ID` is not
    /// forwarded to agents (§2.2, §3.7, §4.1).
    DropReplayBefore,
    /// `replay_reason_prefix`: a reused node's `status_reason` reads
    /// `replayed_from:<id>` instead of `replayed_from_execution:<id>` (§3.6, §8).
    ReplayReasonPrefix,
    /// `async_hit_status`: an async hit answers `status: queued`, not
    /// `succeeded` (§3.6).
    AsyncHitStatus,
    /// `agent_error_category`: an agent's 5xx answers `error_category:
    /// internal_error`, not `agent_error` (§4.1).
    AgentErrorCategory,
}

impl ContractBreak {
    /// Every break, for listings and tests.
    pub const ALL: [ContractBreak; 6] = [
        ContractBreak::LineageReuse,
        ContractBreak::DropReplayHit,
        ContractBreak::DropReplayBefore,
        ContractBreak::ReplayReasonPrefix,
        ContractBreak::AsyncHitStatus,
        ContractBreak::AgentErrorCategory,
    ];

    /// The name after `contract:`.
    pub fn name(self) -> &'static str {
        match self {
            ContractBreak::LineageReuse => "lineage_reuse",
            ContractBreak::DropReplayHit => "drop_replay_hit",
            ContractBreak::DropReplayBefore => "drop_replay_before",
            ContractBreak::ReplayReasonPrefix => "replay_reason_prefix",
            ContractBreak::AsyncHitStatus => "async_hit_status",
            ContractBreak::AgentErrorCategory => "agent_error_category",
        }
    }
}

/// What a control plane perturbs; the default perturbs nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Perturb {
    /// Perturb what the contract leaves free (the table above).
    pub incidental: bool,
    /// Seeds the key order, the unknown keys and the rewritten texts.
    pub seed: u64,
    /// Contract values broken on purpose.
    pub breaks: Vec<ContractBreak>,
}

/// A perturbation setting that names nothing known.
#[derive(Debug, thiserror::Error, PartialEq)]
#[non_exhaustive]
pub enum PerturbError {
    /// Neither `incidental` nor `contract:<name>` of a known break.
    #[error(
        "perturbation {0:?} is unknown; use off, incidental or contract:<name> \
         (names: {names}), comma-separated",
        names = ContractBreak::ALL.map(ContractBreak::name).join(", ")
    )]
    Unknown(String),
    /// `AFC_PERTURB_SEED` is not an unsigned integer.
    #[error("AFC_PERTURB_SEED={0:?} is not an unsigned integer")]
    Seed(String),
}

impl Perturb {
    /// Parses `off` (or blank), `incidental`, `contract:<name>`, or a comma
    /// list of the last two; `seed` defaults to [`DEFAULT_SEED`].
    pub fn parse(spec: &str, seed: Option<&str>) -> Result<Perturb, PerturbError> {
        let seed = match seed.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => s.parse().map_err(|_| PerturbError::Seed(s.to_owned()))?,
            None => DEFAULT_SEED,
        };
        let mut p = Perturb {
            seed,
            ..Perturb::default()
        };
        for part in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match part {
                "off" => {}
                "incidental" => p.incidental = true,
                _ => {
                    let named = part.strip_prefix("contract:").and_then(|n| {
                        ContractBreak::ALL
                            .into_iter()
                            .find(|b| b.name() == n.trim())
                    });
                    let Some(b) = named else {
                        return Err(PerturbError::Unknown(part.to_owned()));
                    };
                    if !p.breaks.contains(&b) {
                        p.breaks.push(b);
                    }
                }
            }
        }
        Ok(p)
    }

    /// `AFC_PERTURB` and `AFC_PERTURB_SEED`; off when unset.
    pub fn from_env() -> Result<Perturb, PerturbError> {
        let spec = std::env::var("AFC_PERTURB").unwrap_or_default();
        let seed = std::env::var("AFC_PERTURB_SEED").ok();
        Perturb::parse(&spec, seed.as_deref())
    }

    /// Whether nothing is perturbed.
    pub fn is_off(&self) -> bool {
        !self.incidental && self.breaks.is_empty()
    }

    fn breaks(&self, b: ContractBreak) -> bool {
        self.breaks.contains(&b)
    }
}

/// The perturbation of one running control plane, with what it remembers
/// of restarts (for `restarted_as`).
#[derive(Debug, Default)]
pub struct Perturber {
    p: Perturb,
    restarted: Mutex<Restarted>,
    /// Error texts agents sent in status callbacks: the control plane stores
    /// and shows them as sent (agent-protocol §3.3), so they are data, never
    /// rewritten. Bounded by [`MAX_RELAYED`].
    relayed: Mutex<HashSet<String>>,
}

/// At most this many relayed texts are remembered; later ones may be rewritten.
const MAX_RELAYED: usize = 100_000;

/// `restarted_as` values by source run and by restarted execution.
#[derive(Debug, Default)]
struct Restarted {
    runs: HashMap<String, serde_json::Value>,
    execs: HashMap<String, serde_json::Value>,
}

impl Perturber {
    /// The perturbation `p`, with nothing remembered yet.
    pub fn new(p: Perturb) -> Arc<Perturber> {
        Arc::new(Perturber {
            p,
            restarted: Mutex::default(),
            relayed: Mutex::default(),
        })
    }

    /// Remembers the `error` text of a status callback's body.
    fn remember_relayed(&self, body: &[u8]) {
        let Ok(serde_json::Value::Object(m)) = serde_json::from_slice(body) else {
            return;
        };
        if let Some(serde_json::Value::String(e)) = m.get("error") {
            let mut set = self.relayed.lock().unwrap_or_else(|e| e.into_inner());
            if set.len() < MAX_RELAYED {
                set.insert(e.clone());
            }
        }
    }

    /// Whether `text` is one an agent sent (see [`Perturber::remember_relayed`]).
    fn is_relayed(&self, text: &str) -> bool {
        self.relayed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(text)
    }

    /// The headers and body of a dispatch, as an agent receives them.
    pub fn outgoing(
        &self,
        headers: &[(&str, &str)],
        body: String,
    ) -> (Vec<(String, String)>, String) {
        let mut out: Vec<(String, String)> = headers
            .iter()
            .filter(|(n, _)| {
                !(self.p.breaks(ContractBreak::DropReplayBefore)
                    && n.eq_ignore_ascii_case("X-AgentField-Replay-Before-Execution-ID"))
            })
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        if !self.p.incidental {
            return (out, body);
        }
        out.push((
            "X-Afc-Perturbed".to_owned(),
            format!("seed-{}", self.p.seed),
        ));
        out.reverse();
        let body = match tree::Node::parse(&body) {
            Some(mut node) => {
                edit::shuffle_all(&mut node, self.p.seed);
                let mut text = String::with_capacity(body.len() + 16);
                node.write(&mut text);
                text
            }
            None => body,
        };
        (out, body)
    }

    fn remember(
        &self,
        source_run: String,
        execs: Vec<String>,
        run_ptr: serde_json::Value,
        exec_ptr: serde_json::Value,
    ) {
        let mut r = self.restarted.lock().unwrap_or_else(|p| p.into_inner());
        if r.runs.len() < MAX_TRACKED {
            r.runs.insert(source_run, run_ptr);
        }
        for e in execs {
            if r.execs.len() < MAX_TRACKED {
                r.execs.insert(e, exec_ptr.clone());
            }
        }
    }

    fn run_pointer(&self, run: &str) -> Option<serde_json::Value> {
        let r = self.restarted.lock().unwrap_or_else(|p| p.into_inner());
        r.runs.get(run).cloned()
    }

    fn exec_pointer(&self, exec: &str) -> Option<serde_json::Value> {
        let r = self.restarted.lock().unwrap_or_else(|p| p.into_inner());
        r.execs.get(exec).cloned()
    }
}

/// FNV-1a of `bytes` under `seed`: stable across runs and Rust releases,
/// unlike std's hasher, so a seed means the same perturbation everywhere.
pub(crate) fn fnv(seed: u64, bytes: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325_u64 ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse_and_unknown_names_are_refused_with_the_list() {
        assert!(Perturb::parse("", None).unwrap().is_off());
        assert!(Perturb::parse("off", None).unwrap().is_off());
        let p = Perturb::parse("incidental, contract:lineage_reuse", Some("7")).unwrap();
        assert!(p.incidental);
        assert_eq!(p.seed, 7);
        assert_eq!(p.breaks, vec![ContractBreak::LineageReuse]);
        assert_eq!(
            Perturb::parse("incidental", None).unwrap().seed,
            DEFAULT_SEED
        );
        let e = Perturb::parse("contract:nope", None).unwrap_err();
        assert_eq!(e, PerturbError::Unknown("contract:nope".into()));
        assert!(e.to_string().contains("drop_replay_hit"), "{e}");
        assert_eq!(
            Perturb::parse("incidental", Some("x")).unwrap_err(),
            PerturbError::Seed("x".into())
        );
    }

    #[test]
    fn a_dispatch_gets_an_unknown_header_and_reordered_keys_but_the_same_values() {
        let p =
            Perturber::new(Perturb::parse("incidental,contract:drop_replay_before", None).unwrap());
        let headers = [
            ("X-Run-ID", "r"),
            ("X-AgentField-Replay-Before-Execution-ID", "e"),
            ("X-AgentField-Replay-Mode", "none"),
        ];
        let (h, body) = p.outgoing(&headers, r#"{"a":1.0,"b":2,"c":{"x":1,"y":2}}"#.into());
        assert!(h.iter().any(|(n, _)| n == "X-Afc-Perturbed"));
        assert!(!h.iter().any(|(n, _)| n.contains("Before")));
        assert!(h.iter().any(|(n, v)| n == "X-Run-ID" && v == "r"));
        assert_ne!(body, r#"{"a": 1.0, "b": 2, "c": {"x": 1, "y": 2}}"#);
        let a: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            a,
            serde_json::json!({"a": 1.0, "b": 2, "c": {"x": 1, "y": 2}})
        );
        assert!(body.contains("1.0"), "{body}");
    }
}
