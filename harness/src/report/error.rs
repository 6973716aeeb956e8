//! Why a command's report could not be made: data here, rendered once by the
//! `afc` binary as `afc <command>: <error>` with exit 2.

use std::path::PathBuf;

/// Why a report, a recording or a check could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A folder could not be created.
    #[error("cannot create {}: {source}", path.display())]
    Create {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A path could not be resolved or read.
    #[error("{}: {source}", path.display())]
    Path {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// `afc record --out` named the reference goldens themselves.
    #[error(
        "refusing to record into the reference goldens {}; pick another --out",
        .0.display()
    )]
    IntoReference(PathBuf),
    /// The profile could not be loaded.
    #[error(transparent)]
    Profile(#[from] crate::target::ProfileError),
    /// The scenarios could not be found.
    #[error(transparent)]
    Cases(#[from] crate::suite::CasesError),
    /// Scenario files or folders could not be read.
    #[error(transparent)]
    Discover(#[from] crate::scenario::DiscoverError),
    /// A target could not be started.
    #[error(transparent)]
    Target(#[from] crate::target::TargetError),
    /// An agent kind is unknown.
    #[error(transparent)]
    Agents(#[from] crate::agents::AgentKindError),
}

/// Rendered at the edge (`afc`'s `ended`).
impl From<ReportError> for String {
    fn from(e: ReportError) -> String {
        e.to_string()
    }
}
