//! What a target implements. A scenario may `require` capabilities; a target
//! whose profile lacks one reports that scenario skipped, with the reason,
//! never passed. Profiles live in `fixtures/profiles/<name>.toml` and exist
//! only for real upstream bugs or version differences, each with its spec
//! section:
//!
//! ```toml
//! name = "agentfield-v0.1.96"
//! [lacks]
//! serve_mode_replay = "agent-protocol §7.3: ..."
//! ```
//!
//! Without a profile a target is held to every capability: a URL target that
//! lacks one fails the scenario, which is the honest default.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Every capability a scenario may require, with what it means.
pub const CAPABILITIES: &[(&str, &str)] = &[
    (
        "serve_mode_replay",
        "a child that an SDK agent in serve mode reported through workflow events and \
         the status callback is replayed on restart (agent-protocol §7.3)",
    ),
    (
        "resume_paused_before_dispatch",
        "an execution paused by a status callback before it was dispatched is dispatched \
         once a `running` callback resumes it (agent-protocol §3.3)",
    ),
];

/// Whether `name` is a capability scenarios may require.
pub fn is_capability(name: &str) -> bool {
    CAPABILITIES.iter().any(|(c, _)| *c == name)
}

/// A target's declared capabilities.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Shown in skip reasons and reports.
    pub name: String,
    /// Capabilities the target does not implement, each with its reason.
    #[serde(default)]
    pub lacks: BTreeMap<String, String>,
    /// For each lacked capability, the minimal request sequence that shows it.
    #[serde(default)]
    pub repro: BTreeMap<String, String>,
}

impl Profile {
    /// A profile that implements everything (the reference, or an unprofiled URL).
    pub fn complete(name: &str) -> Profile {
        Profile {
            name: name.to_string(),
            lacks: BTreeMap::new(),
            repro: BTreeMap::new(),
        }
    }

    /// Whether the target implements `capability`.
    pub fn has(&self, capability: &str) -> bool {
        !self.lacks.contains_key(capability)
    }

    /// Why the target lacks `capability`, if it does.
    pub fn reason(&self, capability: &str) -> Option<&str> {
        self.lacks.get(capability).map(String::as_str)
    }

    /// Loads `AFC_PROFILE`-style names: a path to a `.toml` file, or a name
    /// under `<profiles>/`.
    pub fn load(name_or_path: &str, profiles: &Path) -> Result<Profile, String> {
        let path = if name_or_path.ends_with(".toml") {
            PathBuf::from(name_or_path)
        } else {
            profiles.join(format!("{name_or_path}.toml"))
        };
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("profile {}: cannot read: {e}", path.display()))?;
        Profile::parse(&text).map_err(|e| format!("profile {}: {e}", path.display()))
    }

    /// Parses a profile and checks that it names only known capabilities.
    pub fn parse(text: &str) -> Result<Profile, String> {
        let profile: Profile = toml::from_str(text).map_err(|e| e.to_string())?;
        match profile
            .lacks
            .keys()
            .chain(profile.repro.keys())
            .find(|c| !is_capability(c))
        {
            Some(c) => Err(format!(
                "unknown capability '{c}'; known: {}",
                CAPABILITIES
                    .iter()
                    .map(|(c, _)| *c)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            None => Ok(profile),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_lacks_what_it_lists_and_has_the_rest() {
        let p =
            Profile::parse("name = \"x\"\n[lacks]\nserve_mode_replay = \"§7.3\"\n").expect("valid");
        assert!(!p.has("serve_mode_replay"));
        assert_eq!(p.reason("serve_mode_replay"), Some("§7.3"));
        assert!(Profile::complete("ref").has("serve_mode_replay"));
    }

    #[test]
    fn unknown_capabilities_and_fields_are_errors() {
        let e = Profile::parse("name = \"x\"\n[lacks]\nteleport = \"no\"\n").expect_err("bad");
        assert!(e.contains("unknown capability 'teleport'"), "{e}");
        assert!(Profile::parse("name = \"x\"\nextra = 1\n").is_err());
    }

    #[test]
    fn the_shipped_profiles_parse() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/profiles");
        for entry in std::fs::read_dir(&dir).expect("fixtures/profiles exists") {
            let path = entry.expect("entry").path();
            Profile::load(&path.display().to_string(), &dir).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}
