//! `afc report`: the suite on the embedded reference and on another
//! implementation (one column per agent kind, and the fidelity tier if
//! asked), written as CONFORMANCE.md, keeping its hand-written part.

use std::collections::BTreeSet;
use std::path::Path;

use super::fuzz_pass::FuzzPass;
use super::{Column, ReportError, Row};
use crate::suite::{self, Case, CaseReport};
use crate::target::{Choice, Profile, Target};

/// What `afc report` compares and where it writes.
pub struct Document<'a> {
    /// The other implementation.
    pub url: &'a str,
    /// Its profile: a name under fixtures/profiles/ or a .toml path.
    pub profile: &'a str,
    /// The document to write.
    pub out: &'a Path,
    /// Folder of scenario files.
    pub scenarios: &'a Path,
    /// Agent kinds, one column each.
    pub agents: &'a [String],
    /// Also a column of the scripted agents at the v0.1.96 fidelity tier.
    pub fidelity: bool,
    /// The fuzz pass on both targets, and its section.
    pub fuzz: FuzzPass,
}

/// How a [`Document`] runs the suite's cases against a target; the caller
/// shows progress.
pub type Runs<'a> = &'a dyn Fn(&[Case], &Target) -> Vec<CaseReport>;

/// What [`Document::write`] wrote.
pub struct Written {
    /// The document's totals line (`N scenarios: … agree`).
    pub summary: String,
    /// A difference is unexplained, or the fuzz pass failed on a target.
    pub failed: bool,
}

impl Document<'_> {
    /// Runs everything and writes the document.
    pub fn write(&self, runs: Runs) -> Result<Written, ReportError> {
        let profiles = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/profiles");
        let profile = Profile::load(self.profile, &profiles)?;
        let cases = suite::cases(self.scenarios)?;
        let rows: Vec<Row> = cases
            .iter()
            .map(|c| Row {
                name: c.name.clone(),
                requires: crate::scenario::load(&c.path)
                    .map(|s| s.requires)
                    .unwrap_or_default(),
            })
            .collect();
        let (embedded, other) = self.targets(&profile)?;
        let on_embedded = runs(&cases, &embedded);
        let doc = if self.agents.len() == 1 && self.agents[0] == "scripted" && !self.fidelity {
            let on_other = runs(&cases, &other);
            let command = format!("afc report --url URL --profile {}", self.profile);
            super::conformance(&rows, &on_embedded, &on_other, &profile, &command)
        } else {
            let columns = self.agent_columns(&cases, &other, runs)?;
            let command = format!(
                "afc report --url URL --profile {} --agents {}{}",
                self.profile,
                self.agents.join(","),
                if self.fidelity { " --fidelity" } else { "" }
            );
            super::conformance_by_agents(&rows, &on_embedded, &columns, &profile, &command)
        };
        let (doc, fuzz_failed) = self.with_fuzz_section(doc, &embedded, &other);
        let previous = std::fs::read_to_string(self.out).unwrap_or_default();
        let doc = keep_measured(doc, &previous);
        std::fs::write(self.out, &doc).map_err(|source| ReportError::Write {
            path: self.out.to_path_buf(),
            source,
        })?;
        let summary = doc
            .lines()
            .find(|l| l.contains(" scenarios: ") && l.contains(" agree"))
            .unwrap_or_default()
            .to_owned();
        Ok(Written {
            summary,
            // Both documents flag an unexplained difference the same way.
            failed: doc.contains("**UNEXPLAINED**") || fuzz_failed,
        })
    }

    /// `doc` with the fuzz pass's section (and its flags in the command
    /// line), and whether the pass failed on either target.
    fn with_fuzz_section(&self, doc: String, embedded: &Target, other: &Target) -> (String, bool) {
        let (Some(on_embedded), Some(on_other)) = (self.fuzz.run(embedded), self.fuzz.run(other))
        else {
            return (doc, false);
        };
        let failed = !on_embedded.ok() || !on_other.ok();
        let doc = match doc.find("`; do not edit by hand") {
            Some(at) => format!("{}{}{}", &doc[..at], self.fuzz.flags(), &doc[at..]),
            None => doc,
        };
        let columns = [
            ("embedded reference".to_owned(), on_embedded),
            (self.profile.to_owned(), on_other),
        ];
        (doc + &super::fuzz_pass::section(&columns), failed)
    }

    /// The embedded reference, and the other implementation. The other runs
    /// everything but what its release predates (its profile's version
    /// differences are skipped, never shown failing); it is restarted by
    /// AFC_RESTART_CMD, if set.
    fn targets(&self, profile: &Profile) -> Result<(Target, Target), crate::target::TargetError> {
        let embedded = Target::start(&Choice::default())?;
        let mut other = Target::start(&Choice {
            url: Some(self.url.to_string()),
            restart_cmd: std::env::var("AFC_RESTART_CMD")
                .ok()
                .filter(|c| !c.trim().is_empty()),
            ..Choice::default()
        })?;
        other.profile = profile.version_differences();
        Ok((embedded, other))
    }

    /// One column per agent kind: the suite on the other implementation with
    /// those agents.
    fn agent_columns(
        &self,
        cases: &[Case],
        other: &Target,
        runs: Runs,
    ) -> Result<Vec<Column>, ReportError> {
        let mut columns = Vec::new();
        for kind in self.agents {
            let mut target = other.clone();
            target.agents = kind.parse()?;
            columns.push(Column {
                agents: target.agents.label(),
                serve_rows: serve_rows(cases, kind),
                reports: runs(cases, &target),
            });
        }
        if self.fidelity {
            // The same scenarios with every field exact: how far the other
            // implementation is v0.1.96 bug for bug (the contract columns above
            // are what conformance means).
            suite::set_tier(Some(crate::observe::Tier::Fidelity));
            let mut target = other.clone();
            target.agents = crate::agents::AgentKind::Scripted;
            let reports = runs(cases, &target);
            suite::set_tier(None);
            columns.push(Column {
                agents: "scripted, v0.1.96 fidelity tier".to_string(),
                serve_rows: Default::default(),
                reports,
            });
        }
        Ok(columns)
    }
}

/// The scenarios whose scripted agents run as SDK servers under `kind`: every
/// scripted agent for a `:serve` kind, else those declared async or serve.
pub fn serve_rows(cases: &[Case], kind: &str) -> BTreeSet<String> {
    cases
        .iter()
        .filter(|c| {
            let Ok(s) = crate::scenario::load(&c.path) else {
                return false;
            };
            let scripted = |a: &&crate::scenario::AgentSpec| a.python.is_none();
            let all = kind.ends_with(":serve") && s.agents.values().any(|a| scripted(&a));
            let declared = s
                .agents
                .values()
                .filter(scripted)
                .any(|a| a.mode != crate::scenario::AgentMode::Inline);
            kind != "scripted" && (all || declared)
        })
        .map(|c| c.name.clone())
        .collect()
}

/// The line after which the document is written by hand (repeat counts,
/// restart-command runs: what one report run cannot measure); a new report
/// keeps everything from it on.
pub const HAND_WRITTEN: &str = "<!-- measured by hand below this line; `afc report` keeps it -->";

/// `doc`, followed by the hand-written part of `previous`, if it has one.
pub fn keep_measured(mut doc: String, previous: &str) -> String {
    if let Some(at) = previous.find(HAND_WRITTEN) {
        if !doc.ends_with('\n') {
            doc.push('\n');
        }
        doc.push('\n');
        doc.push_str(&previous[at..]);
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::{keep_measured, HAND_WRITTEN};

    #[test]
    fn the_hand_written_part_survives_a_new_report_and_nothing_else_does() {
        let old = format!("# old table\n| a | failed |\n{HAND_WRITTEN}\n## Determinism\n30/30\n");
        let new = keep_measured("# new table\n| a | passed |\n".to_owned(), &old);
        assert_eq!(
            new,
            format!("# new table\n| a | passed |\n\n{HAND_WRITTEN}\n## Determinism\n30/30\n")
        );
        let plain = keep_measured("# t\n".to_owned(), "# old\n");
        assert_eq!(plain, "# t\n");
    }
}
