//! The two waits of provisioning, each with a deadline and a message naming
//! what it waited for: another process's lock, and a command (`python3 -m
//! venv`, `pip install`) whose output goes to a log file.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::ProvisionError;

/// Takes the exclusive lock on `path`, waiting at most `deadline` for the
/// process that holds it (one line on stderr when it has to wait).
pub fn lock(version: &str, path: &Path, deadline: Duration) -> Result<File, ProvisionError> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|source| ProvisionError::Io {
            version: version.to_string(),
            path: path.display().to_string(),
            source,
        })?;
    let started = Instant::now();
    let mut told = false;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(TryLockError::WouldBlock) if started.elapsed() < deadline => {
                if !told {
                    eprintln!(
                        "afc: waiting up to {deadline:?} for another process provisioning \
                         agentfield=={version} (lock {})",
                        path.display()
                    );
                    told = true;
                }
                std::thread::sleep(Duration::from_millis(100).min(deadline));
            }
            Err(TryLockError::WouldBlock) => {
                return Err(ProvisionError::LockTimeout {
                    version: version.to_string(),
                    lock: path.display().to_string(),
                    waited: started.elapsed(),
                })
            }
            Err(TryLockError::Error(source)) => {
                return Err(ProvisionError::Io {
                    version: version.to_string(),
                    path: path.display().to_string(),
                    source,
                })
            }
        }
    }
}

/// Runs `program args… last`, its output appended to `log`, killed at `deadline`.
pub(super) fn run(
    version: &str,
    program: impl AsRef<std::ffi::OsStr>,
    args: &[&str],
    last: impl AsRef<std::ffi::OsStr>,
    log: &Path,
    deadline: Duration,
) -> Result<(), ProvisionError> {
    let command = format!(
        "{} {} {}",
        Path::new(program.as_ref()).display(),
        args.join(" "),
        Path::new(last.as_ref()).display()
    );
    let fail = |outcome: String| ProvisionError::Command {
        version: version.to_string(),
        command: command.clone(),
        outcome,
    };
    let out = OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(|e| fail(format!("cannot write its log {}: {e}", log.display())))?;
    let err = out
        .try_clone()
        .map_err(|e| fail(format!("cannot write its log {}: {e}", log.display())))?;
    let mut child = Command::new(program.as_ref())
        .args(args)
        .arg(last.as_ref())
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| fail(format!("could not start: {e}")))?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < deadline => {
                std::thread::sleep(Duration::from_millis(100));
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(fail(format!(
                    "was still running after {deadline:?}, killed; its last output:\n{}",
                    tail(log)
                )));
            }
            Err(e) => return Err(fail(format!("could not be awaited: {e}"))),
        }
    };
    if status.success() {
        Ok(())
    } else {
        Err(fail(format!(
            "failed ({status}); its last output ({}):\n{}",
            log.display(),
            tail(log)
        )))
    }
}

fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(8)..].join("\n")
}
