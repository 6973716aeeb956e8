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

/// A running `afc serve --data-dir`; SIGKILLed when dropped.
struct Serving {
    child: std::process::Child,
    url: String,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `afc serve` on `dir` and waits (20 s at most) for its address.
fn serve(dir: &std::path::Path) -> Serving {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_afc"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .expect("spawn afc serve");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if let Some(url) = line.strip_prefix("afc reference control plane listening on ") {
                let _ = tx.send(url.to_owned());
            }
        }
    });
    let url = rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("afc serve printed no address within 20 s");
    Serving { child, url }
}

fn post(url: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let r = reqwest::Client::new()
            .post(url)
            .header("X-Session-ID", "s1")
            .json(&body)
            .send()
            .await
            .expect("send");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or_default())
    })
}

#[test]
fn key_value_memory_survives_a_kill_and_restart_with_a_data_dir() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = serve(dir.path());
    for i in 0..20 {
        let set = serde_json::json!({"key": format!("k{i}"), "data": {"i": i}});
        let (status, body) = post(&format!("{}/api/v1/memory/set", first.url), set);
        assert_eq!(status, 200, "{body}");
    }
    drop(first); // SIGKILL
    let second = serve(dir.path());
    for i in 0..20 {
        let get = serde_json::json!({"key": format!("k{i}"), "scope": "session"});
        let (status, body) = post(&format!("{}/api/v1/memory/get", second.url), get);
        assert_eq!(
            (status, body["data"].clone()),
            (200, serde_json::json!({"i": i}))
        );
    }
}

#[test]
fn a_second_afc_serve_on_one_data_dir_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let _first = serve(dir.path());
    let d = dir.path().to_str().expect("utf-8 path");
    let (code, err) = refused(&["--data-dir", d]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("is in use by another afc serve"), "{err}");
}

#[test]
fn an_empty_database_beside_its_wal_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("afc.sqlite3"), b"").expect("db");
    std::fs::write(dir.path().join("afc.sqlite3-wal"), [7u8; 4096]).expect("wal");
    let d = dir.path().to_str().expect("utf-8 path");
    let (code, err) = refused(&["--data-dir", d]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("is empty but its WAL"), "{err}");
}

#[test]
fn a_wal_deleted_after_a_kill_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = serve(dir.path());
    let reg = serde_json::json!({"id": "n", "base_url": "http://127.0.0.1:9"});
    let (status, body) = post(&format!("{}/api/v1/nodes/register", first.url), reg);
    assert_eq!(status, 201, "{body}");
    drop(first); // SIGKILL: the WAL holds the registration
    std::fs::remove_file(dir.path().join("afc.sqlite3-wal")).expect("the WAL was there");
    let d = dir.path().to_str().expect("utf-8 path");
    let (code, err) = refused(&["--data-dir", d]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("WAL") && err.contains("is missing"), "{err}");
}

#[test]
fn a_read_only_data_dir_is_refused() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = tempfile::tempdir().expect("tempdir");
    let probe = dir.path().join("probe");
    std::fs::write(&probe, b"").expect("probe");
    if std::fs::metadata(&probe).expect("probe").uid() == 0 {
        eprintln!("skipped: running as root, for whom no mode makes a dir read-only");
        return;
    }
    std::fs::remove_file(&probe).expect("probe");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let d = dir.path().to_str().expect("utf-8 path");
    let (code, err) = refused(&["--data-dir", d]);
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("is not writable"), "{err}");
}
