//! Stand-in for the container target when afc is built without the
//! `container` feature (the default build leaves testcontainers out): asking
//! for an image is an error that says how to get the feature.

use std::time::Duration;

use super::ContainerError;

/// Never constructed without the `container` feature.
#[derive(Debug)]
pub enum Running {}

impl Running {
    /// Unreachable: no container can run in this build.
    pub fn restart(&self, _how: crate::scenario::ControlPlaneStop) -> Result<(), ContainerError> {
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
) -> Result<(String, Running, Duration), ContainerError> {
    Err(ContainerError::NoFeature {
        image: image.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use crate::target::{Choice, ContainerError, Target, TargetError};

    #[test]
    fn an_image_without_the_feature_is_refused_by_kind_naming_the_feature() {
        let image = Choice {
            image: Some("afc-reference:dev".into()),
            ..Choice::default()
        };
        let e = Target::start(&image).expect_err("no container feature");
        assert!(
            matches!(&e, TargetError::Container(ContainerError::NoFeature { image })
                if image == "afc-reference:dev"),
            "{e:?}"
        );
        assert!(
            e.to_string().contains("`cargo test --features container`"),
            "{e}"
        );
    }
}
