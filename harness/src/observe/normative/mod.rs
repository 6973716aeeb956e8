//! The one table of assertion strengths: for every field a view reads, what
//! the contract fixes about it (`Exact`, with the section), a fixed prefix, that
//! it is there or non-empty, a set of values versions legitimately differ on
//! (each with its §0 tag), or nothing. Views read fields only through it, field
//! by field in the table's order, so a target's key order and the keys the
//! contract does not name never reach a golden.
//!
//! The contract tier (default) renders each field at its strength, and a golden
//! shows the strength (`details: <present>`). The fidelity tier
//! (`AFC_TIER=fidelity`, `afc run --tier fidelity`) renders the same views with
//! every field at `Exact`: the exact texts of AgentField v0.1.96, kept as an
//! overlay only where they differ from the contract golden.

mod table;
mod texts;

use serde_json::{json, Map, Value};

use super::Aliases;

pub use table::*;
use texts::prefix_len;
pub use texts::{matches, text_strength, CATEGORY_BY_TEXT, TEXTS};

/// How strongly a golden asserts one field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strength {
    /// The contract fixes the value (the section that does).
    Exact(&'static str),
    /// The contract fixes the text's start (the prefix, `<x>` placeholders
    /// allowed; the section).
    Prefix(&'static str, &'static str),
    /// An RFC3339 timestamp (the section): its format is fixed, its value is the clock's.
    Timestamp(&'static str),
    /// The field is there (not null); its value is free.
    Present,
    /// The field is a non-empty string, list or object; its value is free.
    NonEmpty,
    /// Any of these values (each with the §0 tag of the version that gives it).
    OneOf(&'static [(&'static str, &'static str)]),
    /// Never shown in the contract tier, whatever it holds.
    Ignored,
}

/// How a field's strength is decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// One strength for every value.
    Is(Strength),
    /// An error text: the strength of the first [`TEXTS`] pattern it matches,
    /// else `otherwise` (free text the contract does not fix).
    Text {
        /// The strength of a text no pattern matches.
        otherwise: Strength,
    },
}

/// One field of a surface.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// The JSON key.
    pub name: &'static str,
    /// Its strength.
    pub rule: Rule,
}

pub(crate) const fn exact(name: &'static str, cite: &'static str) -> Field {
    Field {
        name,
        rule: Rule::Is(Strength::Exact(cite)),
    }
}

pub(crate) const fn at(name: &'static str, strength: Strength) -> Field {
    Field {
        name,
        rule: Rule::Is(strength),
    }
}

/// The tier a view is rendered for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tier {
    /// What every conforming implementation must do (`snapshots/`).
    #[default]
    Contract,
    /// The exact texts of AgentField v0.1.96 (every field at `Exact`), an
    /// overlay in `snapshots/fidelity/agentfield-v0.1.96/`.
    Fidelity,
}

/// `AFC_TIER` names no tier.
#[derive(Debug, thiserror::Error)]
#[error("tier {0:?} (AFC_TIER, --tier) is not a tier; use contract (default) or fidelity")]
pub struct TierError(pub String);

impl Tier {
    /// The environment variable that selects the tier (`afc run --tier` sets it).
    pub const ENV: &'static str = "AFC_TIER";

    /// The tier `AFC_TIER` names (`contract` when unset or blank).
    pub fn from_env() -> Result<Tier, TierError> {
        Tier::named(&std::env::var(Tier::ENV).unwrap_or_default())
    }

    /// The tier of a name (`contract`, `fidelity`; blank = contract).
    pub fn named(name: &str) -> Result<Tier, TierError> {
        match name.trim() {
            "" | "contract" => Ok(Tier::Contract),
            "fidelity" => Ok(Tier::Fidelity),
            other => Err(TierError(other.to_string())),
        }
    }

    /// `contract` or `fidelity`.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Contract => "contract",
            Tier::Fidelity => "fidelity",
        }
    }
}

/// A field's strength for this value.
pub fn strength(rule: &Rule, value: &Value) -> Strength {
    match rule {
        Rule::Is(s) => *s,
        Rule::Text { otherwise } => match value.as_str() {
            Some(t) => text_strength(t, *otherwise),
            None => *otherwise,
        },
    }
}

/// A value at a strength, as the golden shows it; `None` = not shown. A value
/// that does not meet its strength is shown as it is, so the diff names it.
pub fn render(tier: Tier, strength: Strength, value: &Value) -> Option<Value> {
    if tier == Tier::Fidelity {
        return Some(match strength {
            Strength::Timestamp(_) => timestamp(value),
            _ => sorted(value),
        });
    }
    Some(match strength {
        Strength::Exact(_) => sorted(value),
        Strength::Timestamp(_) => timestamp(value),
        // The prefix as the text filled its placeholders (`agent error (500): `).
        Strength::Prefix(p, _) => match value.as_str().and_then(|t| Some((t, prefix_len(p, t)?))) {
            Some((t, len)) => json!(format!("<prefix {:?}>", &t[..len])),
            None => sorted(value),
        },
        Strength::Present if !value.is_null() => json!("<present>"),
        Strength::NonEmpty if non_empty(value) => json!("<non-empty>"),
        Strength::OneOf(values) => match values.iter().find(|(v, _)| value == *v) {
            Some(_) => {
                let all: Vec<String> = values
                    .iter()
                    .map(|(v, tag)| format!("{v} ({tag})"))
                    .collect();
                json!(format!("<one of {}>", all.join(" | ")))
            }
            None => sorted(value),
        },
        Strength::Ignored => return None,
        Strength::Present | Strength::NonEmpty => sorted(value),
    })
}

fn non_empty(v: &Value) -> bool {
    match v {
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
        Value::Null => false,
        _ => true,
    }
}

/// One field of `obj`, aliased, at its strength (`None`: absent or not shown).
pub fn field(tier: Tier, f: &Field, obj: &Value, al: &Aliases) -> Option<Value> {
    let v = al.value(obj.get(f.name)?);
    render(tier, strength(&f.rule, &v), &v)
}

/// An object built field by field in the table's order: only the table's
/// fields, each at its strength. A non-object (null, or another shape) is
/// shown as it is, so a missing or malformed object is itself a diff.
pub fn object(tier: Tier, fields: &[Field], obj: &Value, al: &Aliases) -> Value {
    if !obj.is_object() {
        return sorted(&al.value(obj));
    }
    let mut out = Map::new();
    for f in fields {
        if let Some(v) = field(tier, f, obj, al) {
            out.insert(f.name.to_string(), v);
        }
    }
    Value::Object(out)
}

/// `<rfc3339>` for a valid timestamp, so goldens hold on any clock.
pub fn timestamp(v: &Value) -> Value {
    match v.as_str() {
        Some(t) if chrono::DateTime::parse_from_rfc3339(t).is_ok() => json!("<rfc3339>"),
        Some(t) => json!(format!("not RFC3339: {t}")),
        None => v.clone(),
    }
}

/// A data value (a result, an input) with every object's keys sorted: JSON
/// objects are unordered (RFC 8259), so a target's key order never shows.
pub fn sorted(v: &Value) -> Value {
    match v {
        Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted(&m[k])))
                    .collect(),
            )
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests;
