//! Stand-in for the container target when afc is built without the
//! `container` feature (the default build leaves testcontainers out): asking
//! for an image is an error that says how to get the feature.

use std::time::Duration;

/// Never constructed without the `container` feature.
#[derive(Debug)]
pub enum Running {}

impl Running {
    /// Unreachable: no container can run in this build.
    pub fn restart(&self, _how: crate::scenario::ControlPlaneStop) -> Result<(), String> {
        match *self {}
    }

    /// Unreachable: no container can run in this build.
    pub fn last_logs(&self, _n: usize) -> String {
        match *self {}
    }
}

/// Always an error naming the missing feature.
pub fn start(
    image: &str,
    _port: u16,
    _deadline: Duration,
) -> Result<(String, Running, Duration), String> {
    Err(format!(
        "cannot start image {image}: afc was built without the `container` feature; \
         use `cargo test --features container` or `cargo run --features container --bin afc`"
    ))
}
