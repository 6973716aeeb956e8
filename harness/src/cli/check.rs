//! `afc check` and `afc list`'s flags.

use std::path::PathBuf;

use clap::Args;

use crate::report::Format;

/// What `afc check` reads.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Scenario files and folders (searched for *.yaml and *.yml); default: the suite folder.
    pub paths: Vec<PathBuf>,
    /// The suite's folder of scenario files: the goldens are checked against it.
    #[arg(long, default_value = "scenarios")]
    pub scenarios: PathBuf,
    /// Folder of golden snapshots.
    #[arg(long, default_value = "snapshots")]
    pub snapshots: PathBuf,
    /// Goldens that no scenario uses, and snapshotted views with no golden, are errors, not warnings.
    #[arg(long)]
    pub strict: bool,
    /// Print only problems, not a line per valid file.
    #[arg(long, short)]
    pub quiet: bool,
}

/// What `afc list` lists.
#[derive(Args, Debug)]
pub struct ListArgs {
    /// List only scenarios whose name (topic/name) contains this.
    pub filter: Option<String>,
    /// human: a table fitted to the terminal. json: one object per scenario per line.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Folder of scenario files.
    #[arg(long, default_value = "scenarios")]
    pub scenarios: PathBuf,
}

impl CheckArgs {
    /// The files and folders to check: those given, else the suite folder.
    pub fn paths(&self) -> Vec<PathBuf> {
        if self.paths.is_empty() {
            vec![self.scenarios.clone()]
        } else {
            self.paths.clone()
        }
    }
}
