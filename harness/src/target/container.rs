//! A control plane in a container, started with testcontainers on the host
//! network (so it reaches the scripted agents on 127.0.0.1 and all traffic
//! stays on loopback), awaited on `GET /api/v1/health` under one deadline,
//! and removed when the last handle drops. Images are built locally, never
//! pulled by the suite: a missing image is an error that says so.

use std::io::BufRead;
use std::time::{Duration, Instant};

use testcontainers::runners::SyncRunner;
use testcontainers::{Container, GenericImage, ImageExt};

use super::ContainerError;

/// A running container; dropping it stops and removes it.
pub struct Running {
    container: Container<GenericImage>,
    /// The image, for messages.
    pub image: String,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "container {} ({})", self.container.id(), self.image)
    }
}

/// `name:tag` split at the tag colon (a registry port is not a tag).
fn name_and_tag(image: &str) -> (&str, &str) {
    match image.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => (name, tag),
        _ => (image, "latest"),
    }
}

/// Starts `image` listening on 127.0.0.1:`port` and waits until it is healthy.
/// Returns the base URL, the handle, and the time to healthy.
pub fn start(
    image: &str,
    port: u16,
    deadline: Duration,
) -> Result<(String, Running, Duration), ContainerError> {
    let started = Instant::now();
    let (name, tag) = name_and_tag(image);
    let listen = format!("127.0.0.1:{port}");
    let container = GenericImage::new(name, tag)
        .with_network("host")
        // The reference image reads AFC_LISTEN; the real control plane AGENTFIELD_PORT.
        .with_env_var("AFC_LISTEN", listen.clone())
        .with_env_var("AGENTFIELD_PORT", port.to_string())
        .start()
        .map_err(|source| ContainerError::Start {
            image: image.to_owned(),
            source: Box::new(source),
        })?;
    let running = Running {
        container,
        image: image.to_string(),
    };
    let url = format!("http://{listen}");
    wait_healthy(&url, &running, deadline)?;
    Ok((url, running, started.elapsed()))
}

fn wait_healthy(url: &str, running: &Running, deadline: Duration) -> Result<(), ContainerError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(ContainerError::Runtime)?;
    let client = crate::client::Client::new(url, None);
    let what = format!(
        "{} at {url} to answer GET /api/v1/health with 200",
        running.image
    );
    let waited = runtime.block_on(crate::client::poll(&what, deadline, || async {
        match client.get("/api/v1/health").await {
            Ok(r) if r.status == 200 => (Some(()), "200".to_string()),
            Ok(r) => (None, format!("status {}", r.status)),
            Err(e) => (None, e.to_string()),
        }
    }));
    waited.map_err(|timeout| ContainerError::Unhealthy {
        timeout,
        logs: running.last_logs(20),
    })
}

impl Running {
    /// Stops the container as `how` says (`docker stop` with a 10 s grace,
    /// or at once) and starts it again: same filesystem, same host network
    /// address. The caller waits for its health.
    pub fn restart(&self, how: crate::scenario::ControlPlaneStop) -> Result<(), ContainerError> {
        let grace = match how {
            crate::scenario::ControlPlaneStop::Graceful => 10,
            crate::scenario::ControlPlaneStop::Kill => 0,
        };
        self.container
            .stop_with_timeout(Some(grace))
            .map_err(|source| ContainerError::Stop {
                image: self.image.clone(),
                source: Box::new(source),
            })?;
        self.container
            .start()
            .map_err(|source| ContainerError::StartAgain {
                image: self.image.clone(),
                source: Box::new(source),
            })
    }

    /// The last `n` lines of the container's stdout and stderr.
    pub fn last_logs(&self, n: usize) -> String {
        let mut lines: Vec<String> = Vec::new();
        for stream in [self.container.stdout(false), self.container.stderr(false)] {
            lines.extend(stream.lines().map_while(Result::ok));
        }
        let skip = lines.len().saturating_sub(n);
        lines[skip..].join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::name_and_tag;

    #[test]
    fn image_names_split_at_the_tag_not_the_registry_port() {
        assert_eq!(name_and_tag("afc-reference:dev"), ("afc-reference", "dev"));
        assert_eq!(
            name_and_tag("localhost:5000/afc"),
            ("localhost:5000/afc", "latest")
        );
        assert_eq!(name_and_tag("afc"), ("afc", "latest"));
    }
}
