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

pub use crate::scenario::{is_capability, CAPABILITIES};

/// A profile file could not be read, or is no valid profile.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileError {
    /// The file could not be read.
    #[error("profile {}: cannot read: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is no valid profile.
    #[error("profile {}: {source}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong in it.
        source: ProfileParseError,
    },
}

/// A profile's text is no valid profile.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileParseError {
    /// Not TOML, or a field that does not exist.
    #[error("{0}")]
    Toml(#[from] toml::de::Error),
    /// A capability afc does not know.
    #[error("unknown capability '{name}'; known: {}", known())]
    UnknownCapability {
        /// The name as written.
        name: String,
    },
}

/// Every capability, for a message.
fn known() -> String {
    CAPABILITIES
        .iter()
        .map(|(c, _)| *c)
        .collect::<Vec<_>>()
        .join(", ")
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

/// How a profile's reason begins when the lack is a version difference (a
/// behaviour newer than the release), not a bug: such a scenario is skipped
/// on that target, never run and failed, and needs no repro.
pub const VERSION_DIFFERENCE: &str = "not in this release";

impl Profile {
    /// Whether the target lacks `capability` because its release predates it.
    pub fn lacks_by_version(&self, capability: &str) -> bool {
        self.reason(capability)
            .is_some_and(|r| r.trim_start().starts_with(VERSION_DIFFERENCE))
    }

    /// This profile with only its version differences: what a target run for
    /// a report still skips (its bugs are run, to be shown failing).
    pub fn version_differences(&self) -> Profile {
        let lacks: BTreeMap<String, String> = self
            .lacks
            .iter()
            .filter(|(c, _)| self.lacks_by_version(c))
            .map(|(c, r)| (c.clone(), r.clone()))
            .collect();
        Profile {
            name: self.name.clone(),
            lacks,
            repro: BTreeMap::new(),
        }
    }

    /// The embedded reference's profile on `contract`: it lacks, by version,
    /// every capability that contract does not serve.
    pub fn reference(contract: crate::reference::contract::Contract) -> Profile {
        let mut p = Profile::complete("afc-reference");
        if contract != crate::reference::contract::Contract::default() {
            p.name = format!("afc-reference (contract {contract})");
        }
        for c in contract.lacks() {
            p.lacks.insert(
                c.to_owned(),
                format!("{VERSION_DIFFERENCE} (the reference serves contract {contract})"),
            );
        }
        p
    }

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
    pub fn load(name_or_path: &str, profiles: &Path) -> Result<Profile, ProfileError> {
        let path = if name_or_path.ends_with(".toml") {
            PathBuf::from(name_or_path)
        } else {
            profiles.join(format!("{name_or_path}.toml"))
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(source) => return Err(ProfileError::Read { path, source }),
        };
        Profile::parse(&text).map_err(|source| ProfileError::Invalid { path, source })
    }

    /// Parses a profile and checks that it names only known capabilities.
    pub fn parse(text: &str) -> Result<Profile, ProfileParseError> {
        let profile: Profile = toml::from_str(text)?;
        match profile
            .lacks
            .keys()
            .chain(profile.repro.keys())
            .find(|c| !is_capability(c))
        {
            Some(c) => Err(ProfileParseError::UnknownCapability { name: c.clone() }),
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
        assert!(
            matches!(&e, ProfileParseError::UnknownCapability { name } if name == "teleport"),
            "{e:?}"
        );
        assert!(
            e.to_string()
                .starts_with("unknown capability 'teleport'; known: "),
            "{e}"
        );
        let e = Profile::parse("name = \"x\"\nextra = 1\n").expect_err("unknown field");
        assert!(matches!(e, ProfileParseError::Toml(_)), "{e:?}");
    }

    #[test]
    fn v0_1_96_lacks_by_version_exactly_what_its_contract_does_not_serve() {
        use crate::reference::contract::Contract;
        use std::collections::BTreeSet;
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/profiles");
        let real = Profile::load("agentfield-v0.1.96", &dir).expect("profile");
        let by_version: BTreeSet<&str> = real
            .lacks
            .keys()
            .filter(|c| real.lacks_by_version(c))
            .map(String::as_str)
            .collect();
        let served: BTreeSet<&str> = Contract::V0_1_96.lacks().into_iter().collect();
        assert_eq!(by_version, served, "profile and contract drifted");
        let reference = Profile::reference(Contract::V0_1_96);
        for c in Contract::V0_1_96.lacks() {
            assert!(is_capability(c), "{c} is no scenario capability");
            assert!(reference.lacks_by_version(c), "{c}");
        }
        assert!(Profile::reference(Contract::Latest).lacks.is_empty());
        // A report still runs the bugs; it skips only the version differences.
        let skipped = real.version_differences();
        assert!(skipped.has("serve_mode_replay") && !skipped.has("forward_pointers"));
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
