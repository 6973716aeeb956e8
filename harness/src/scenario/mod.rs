//! Scenario files: the model, and loading with schema and semantic checks.

pub mod barriers;
mod bounds;
mod build;
mod capabilities;
mod discover;
mod goldens;
mod load;
pub mod model;
mod placeholders;
mod schema;
mod semantic;
mod steps;
mod suggest;
mod view;
pub(crate) mod yaml;

pub use capabilities::{is_agent_capability, is_capability, AGENT_CAPABILITIES, CAPABILITIES};
pub use discover::{
    collect, discover, duplicate_names, is_scenario_file, scenario_name, DiscoverError,
};
pub use goldens::{
    golden_variant, insta_suffix, missing_goldens, refused_golden, snapshot_file, unused_goldens,
    FIDELITY_OVERLAY, GOLDEN_VARIANTS,
};
pub use load::{load, parse_str, read_regular, LoadError, Problem, ReadError};
pub use model::*;
pub use placeholders::{body_placeholders, placeholders, whole_placeholder, NODE_PREFIX};
pub(crate) use steps::step_kinds;
pub use steps::*;
pub use view::View;
