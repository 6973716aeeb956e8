//! `afc report`: runs the suite on the embedded reference and on another
//! implementation and writes CONFORMANCE.md (`afc::report::document`).

use std::path::PathBuf;

use afc::report::document::Document;
use afc::report::{Exit, Format};
use afc::suite::session::Session;

use crate::run::{execute, insta_default};

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
    pub fuzz: crate::fuzz::FuzzPassArgs,
}

/// Writes CONFORMANCE.md; exit 1 when a difference is unexplained.
pub fn report(a: &ReportArgs) -> Result<Exit, String> {
    // A report reads the goldens; it never leaves .snap.new files beside them.
    insta_default("INSTA_UPDATE", "no");
    let document = Document {
        url: &a.url,
        profile: &a.profile,
        out: &a.out,
        scenarios: &a.scenarios,
        agents: &a.agents,
        fidelity: a.fidelity,
        fuzz: a.fuzz.pass(),
    };
    let suite = |cases: &[afc::suite::Case], target: &afc::target::Target| {
        let session = Session {
            target,
            goldens: &a.snapshots,
            jobs: a.jobs,
            fail_fast: false,
        };
        execute(&session, cases, Format::Human)
    };
    let written = document.write(&suite)?;
    println!("wrote {}: {}", a.out.display(), written.summary);
    Ok(Exit::failed_if(written.failed))
}
