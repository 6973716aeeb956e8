//! Why the suite's cases could not be listed, as data; rendered at the edge
//! (`afc run` exits 2 with it, `cargo test --test scenarios` panics with it).

use std::path::PathBuf;

use crate::scenario::DiscoverError;

/// The suite has no cases to run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CasesError {
    /// Discovery failed: a folder could not be read, it holds no scenario
    /// file, or two files share a name.
    #[error("cannot read scenarios under {}: {source}", root.display())]
    Discover {
        /// The scenario root.
        root: PathBuf,
        /// Why.
        source: DiscoverError,
    },
    /// Discovery found no file: an empty suite is an error, never a pass.
    #[error("no scenario files under {}", .0.display())]
    Empty(PathBuf),
}

/// For callers that still carry errors as text (`bench`), until they are
/// converted: `?` renders the error there.
impl From<CasesError> for String {
    fn from(e: CasesError) -> String {
        e.to_string()
    }
}
