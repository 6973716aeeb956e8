//! Scenario files: the model, and loading with schema and semantic checks.

pub mod barriers;
mod bounds;
mod build;
mod capabilities;
mod load;
pub mod model;
mod semantic;
mod view;
pub(crate) mod yaml;

pub use capabilities::{is_capability, CAPABILITIES};
pub use load::{discover, load, parse_str, LoadError, Problem};
pub use model::*;
pub use semantic::{placeholders, NODE_PREFIX};
pub use view::View;
