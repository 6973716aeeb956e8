//! `afc report`: runs the suite on the embedded reference and on another
//! implementation and writes CONFORMANCE.md.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use afc::report::Row;
use afc::suite;
use afc::target::{Choice, Profile, Target};

use crate::run::{could_not_run, insta_default, progress};

/// `afc report`: the suite on the embedded reference and on another
/// implementation, written as CONFORMANCE.md.
#[derive(clap::Args)]
pub struct ReportArgs {
    /// The other implementation.
    #[arg(long)]
    pub url: String,
    /// Its profile: a name under fixtures/profiles/ or a .toml path.
    #[arg(long)]
    pub profile: String,
    /// The document to write.
    #[arg(long, default_value = "CONFORMANCE.md")]
    pub out: PathBuf,
    /// Folder of scenario files.
    #[arg(long, default_value = "scenarios")]
    pub scenarios: PathBuf,
    /// Folder of golden snapshots.
    #[arg(long, default_value = "snapshots")]
    pub snapshots: PathBuf,
    /// Scenarios run at once.
    #[arg(long, default_value_t = 2)]
    pub jobs: usize,
    /// Agent kinds, one column each (scripted, python, python:serve, command:PATH).
    #[arg(long, value_delimiter = ',', default_value = "scripted")]
    pub agents: Vec<String>,
    /// Also run the scripted agents at the v0.1.96 fidelity tier (every field
    /// exact, snapshots/fidelity/agentfield-v0.1.96/), as its own column.
    #[arg(long)]
    pub fidelity: bool,
    /// The bounded fixed-seed fuzz pass on both targets, and its section (issue 28).
    #[command(flatten)]
    pub fuzz: crate::fuzz_pass::FuzzPassArgs,
}

/// Writes CONFORMANCE.md; exit 1 when a difference is unexplained.
pub fn report(a: &ReportArgs) -> ExitCode {
    // A report reads the goldens; it never leaves .snap.new files beside them.
    insta_default("INSTA_UPDATE", "no");
    match write_report(a) {
        Ok(code) | Err(code) => code,
    }
}

/// Exit 2, naming what could not be done.
fn cannot(e: impl std::fmt::Display) -> ExitCode {
    could_not_run("report", e.to_string())
}

fn write_report(a: &ReportArgs) -> Result<ExitCode, ExitCode> {
    let profiles = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/profiles");
    let profile = Profile::load(&a.profile, &profiles).map_err(cannot)?;
    let cases = suite::cases(&a.scenarios).map_err(cannot)?;
    let rows: Vec<Row> = cases
        .iter()
        .map(|c| Row {
            name: c.name.clone(),
            requires: afc::scenario::load(&c.path)
                .map(|s| s.requires)
                .unwrap_or_default(),
        })
        .collect();
    let (embedded, other) = targets(a, &profile).map_err(cannot)?;
    let on_embedded = progress(&cases, &embedded, &a.snapshots, a.jobs);
    let doc = if a.agents.len() == 1 && a.agents[0] == "scripted" && !a.fidelity {
        let on_other = progress(&cases, &other, &a.snapshots, a.jobs);
        let command = format!("afc report --url URL --profile {}", a.profile);
        afc::report::conformance(&rows, &on_embedded, &on_other, &profile, &command)
    } else {
        let columns = agent_columns(a, &cases, &other)?;
        let command = format!(
            "afc report --url URL --profile {} --agents {}{}",
            a.profile,
            a.agents.join(","),
            if a.fidelity { " --fidelity" } else { "" }
        );
        afc::report::conformance_by_agents(&rows, &on_embedded, &columns, &profile, &command)
    };
    let (doc, fuzz_failed) = with_fuzz_section(a, doc, &embedded, &other);
    let previous = std::fs::read_to_string(&a.out).unwrap_or_default();
    let doc = keep_measured(doc, &previous);
    std::fs::write(&a.out, &doc)
        .map_err(|e| cannot(format!("cannot write {}: {e}", a.out.display())))?;
    let summary = doc
        .lines()
        .find(|l| l.contains(" scenarios: ") && l.contains(" agree"))
        .unwrap_or_default();
    println!("wrote {}: {summary}", a.out.display());
    // Both documents flag an unexplained difference the same way.
    Ok(if doc.contains("**UNEXPLAINED**") || fuzz_failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `doc` with the `--fuzz` pass's section (and its flags in the command
/// line), and whether the pass failed on either target.
fn with_fuzz_section(
    a: &ReportArgs,
    doc: String,
    embedded: &Target,
    other: &Target,
) -> (String, bool) {
    let (Some(on_embedded), Some(on_other)) = (a.fuzz.run(embedded), a.fuzz.run(other)) else {
        return (doc, false);
    };
    let failed = !on_embedded.ok() || !on_other.ok();
    let doc = match doc.find("`; do not edit by hand") {
        Some(at) => format!("{}{}{}", &doc[..at], a.fuzz.flags(), &doc[at..]),
        None => doc,
    };
    let columns = [
        ("embedded reference".to_owned(), on_embedded),
        (a.profile.clone(), on_other),
    ];
    (doc + &crate::fuzz_pass::section(&columns), failed)
}

/// The embedded reference, and the other implementation. The other runs
/// everything but what its release predates (its profile's version
/// differences are skipped, never shown failing); it is restarted by
/// AFC_RESTART_CMD, if set.
fn targets(
    a: &ReportArgs,
    profile: &Profile,
) -> Result<(Target, Target), afc::target::TargetError> {
    let embedded = Target::start(&Choice::default())?;
    let mut other = Target::start(&Choice {
        url: Some(a.url.to_string()),
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
    a: &ReportArgs,
    cases: &[suite::Case],
    other: &Target,
) -> Result<Vec<afc::report::Column>, ExitCode> {
    let mut columns = Vec::new();
    for kind in &a.agents {
        let mut target = other.clone();
        target.agents = kind.parse().map_err(cannot)?;
        columns.push(afc::report::Column {
            agents: target.agents.label(),
            serve_rows: serve_rows(cases, kind),
            reports: progress(cases, &target, &a.snapshots, a.jobs),
        });
    }
    if a.fidelity {
        // The same scenarios with every field exact: how far the other
        // implementation is v0.1.96 bug for bug (the contract columns above
        // are what conformance means).
        suite::set_tier(Some(afc::observe::Tier::Fidelity));
        let mut target = other.clone();
        target.agents = afc::agents::AgentKind::Scripted;
        let reports = progress(cases, &target, &a.snapshots, a.jobs);
        suite::set_tier(None);
        columns.push(afc::report::Column {
            agents: "scripted, v0.1.96 fidelity tier".to_string(),
            serve_rows: Default::default(),
            reports,
        });
    }
    Ok(columns)
}

/// The scenarios whose scripted agents run as SDK servers under `kind`: every
/// scripted agent for a `:serve` kind, else those declared async or serve.
fn serve_rows(cases: &[suite::Case], kind: &str) -> std::collections::BTreeSet<String> {
    cases
        .iter()
        .filter(|c| {
            let Ok(s) = afc::scenario::load(&c.path) else {
                return false;
            };
            let scripted = |a: &&afc::scenario::AgentSpec| a.python.is_none();
            let all = kind.ends_with(":serve") && s.agents.values().any(|a| scripted(&a));
            let declared = s
                .agents
                .values()
                .filter(scripted)
                .any(|a| a.mode != afc::scenario::AgentMode::Inline);
            kind != "scripted" && (all || declared)
        })
        .map(|c| c.name.clone())
        .collect()
}

/// The line after which the document is written by hand (repeat counts,
/// restart-command runs: what one report run cannot measure); a new report
/// keeps everything from it on.
const HAND_WRITTEN: &str = "<!-- measured by hand below this line; `afc report` keeps it -->";

/// `doc`, followed by the hand-written part of `previous`, if it has one.
fn keep_measured(mut doc: String, previous: &str) -> String {
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
