//! The two waits of provisioning, each with a deadline and a message naming
//! what it waited for: another process's lock, and a command (`python3 -m
//! venv`, `pip install`) whose output goes to a log file.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::ProvisionError;

/// How a provisioning command went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CommandOutcome {
    /// Its log file could not be opened.
    #[error("cannot write its log {}: {source}", log.display())]
    Log {
        /// The log file.
        log: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// It could not be started.
    #[error("could not start: {0}")]
    NotStarted(#[source] std::io::Error),
    /// Its state could not be read.
    #[error("could not be awaited: {0}")]
    NotAwaited(#[source] std::io::Error),
    /// It passed its deadline and was killed.
    #[error("was still running after {deadline:?}, killed; its last output:\n{tail}")]
    Killed {
        /// The deadline.
        deadline: Duration,
        /// Its last lines of output.
        tail: String,
    },
    /// It exited unsuccessfully.
    #[error("failed ({status}); its last output ({}):\n{tail}", log.display())]
    Failed {
        /// How it exited.
        status: ExitStatus,
        /// Its log file.
        log: PathBuf,
        /// Its last lines of output.
        tail: String,
    },
}

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
    let fail = |outcome: CommandOutcome| ProvisionError::Command {
        version: version.to_string(),
        command: command.clone(),
        outcome,
    };
    let log_error = |source| {
        fail(CommandOutcome::Log {
            log: log.to_path_buf(),
            source,
        })
    };
    let out = OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(log_error)?;
    let err = out.try_clone().map_err(log_error)?;
    let mut child = Command::new(program.as_ref())
        .args(args)
        .arg(last.as_ref())
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| fail(CommandOutcome::NotStarted(e)))?;
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
                return Err(fail(CommandOutcome::Killed {
                    deadline,
                    tail: tail(log),
                }));
            }
            Err(e) => return Err(fail(CommandOutcome::NotAwaited(e))),
        }
    };
    if status.success() {
        Ok(())
    } else {
        Err(fail(CommandOutcome::Failed {
            status,
            log: log.to_path_buf(),
            tail: tail(log),
        }))
    }
}

fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(8)..].join("\n")
}
