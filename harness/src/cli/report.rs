//! `afc report`'s flags.

use std::path::PathBuf;

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
    pub fuzz: crate::cli::fuzz::FuzzPassArgs,
}
