//! The exit codes of `afc`, one meaning each, the same for every command.
//!
//! Stability: these three codes and their meanings are part of afc's
//! interface (CI scripts branch on them); a new meaning gets a new code,
//! never an old one.

/// How an `afc` command ended, as its process exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: everything asked for ran and held (all scenarios passed, every file
    /// valid, every figure measured, the server shut down cleanly).
    Passed = 0,
    /// 1: it ran, and something failed (a scenario failed or was flaky, a
    /// file is invalid, a fuzz case failed, a conformance difference is
    /// unexplained, a measurement had problems, the server failed).
    Failed = 1,
    /// 2: it could not run (target unreachable or unhealthy, no scenario
    /// matched, bad arguments, a file that cannot be read or written).
    CouldNotRun = 2,
}

impl Exit {
    /// `Failed` when `failed`, else `Passed`.
    pub fn failed_if(failed: bool) -> Exit {
        if failed {
            Exit::Failed
        } else {
            Exit::Passed
        }
    }

    /// The number the process exits with (also the JSON `exit_code`).
    pub fn code(self) -> u8 {
        self as u8
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e.code())
    }
}

#[cfg(test)]
mod tests {
    use super::Exit;

    #[test]
    fn each_ending_has_its_documented_code() {
        assert_eq!(Exit::Passed.code(), 0);
        assert_eq!(Exit::Failed.code(), 1);
        assert_eq!(Exit::CouldNotRun.code(), 2);
        assert_eq!(Exit::failed_if(true), Exit::Failed);
        assert_eq!(Exit::failed_if(false), Exit::Passed);
    }
}
