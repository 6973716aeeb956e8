//! What `afc serve` refuses at start (issue 27): an unbounded duration flag
//! and a data dir it cannot trust. Each is a clear error and exit code 2,
//! before anything listens.

use std::process::Command;

/// Runs `afc serve` with `args` on an ephemeral port; its exit code and stderr.
/// Every case here must exit before it serves, so the call is bounded by
/// the refusal itself; a server that started instead is killed by the
/// caller's assertion failing on a missing exit (see `refused`).
fn refused(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_afc"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn afc serve");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut err = String::new();
            use std::io::Read;
            let _ = child
                .stderr
                .take()
                .expect("stderr")
                .read_to_string(&mut err);
            return (status.code(), err);
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "afc serve {args:?} was still running after 20 s: it started instead of refusing"
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn duration_flags_past_a_day_are_refused() {
    for flag in [
        "--agent-call-timeout",
        "--shutdown-timeout",
        "--header-read-timeout",
        "--body-read-timeout",
    ] {
        let (code, err) = refused(&[flag, "18446744073709551615"]);
        assert_eq!(code, Some(2), "{flag}: {err}");
        assert!(err.contains(flag), "{flag}: {err}");
    }
}
