//! `release: NAME`: lets every program held at a barrier go on.

use serde_json::Value;

use super::{named, ParseStep, Parsed, StepKind};
use crate::scenario::load::Problems;

/// Release a barrier: every program holding at it goes on.
#[derive(Clone, Debug)]
pub struct Release {
    /// The barrier's name.
    pub name: String,
}

impl ParseStep for Release {
    fn parse(v: &Value, _ptr: &str, _p: &mut Problems<'_>) -> Parsed<Self> {
        named(v, "release", |name| Release { name })
    }
}

impl StepKind for Release {
    fn releases(&self) -> &[String] {
        std::slice::from_ref(&self.name)
    }
}
