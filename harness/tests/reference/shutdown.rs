//! `afc serve` as a process (issue 12): SIGTERM with a client that sent half
//! a request head exits within `--shutdown-timeout`; a second signal exits at
//! once; listening beyond loopback without `--api-key` warns.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `afc serve` on an ephemeral port, with its URL's host:port.
fn serve(extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_afc"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("afc serve starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("a first line");
    let addr = line
        .trim()
        .rsplit("http://")
        .next()
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| panic!("afc serve printed no URL: {line:?}"))
        .to_owned();
    (child, addr)
}

fn signal(child: &Child, name: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .expect("kill runs")
        .success();
    assert!(ok, "kill -{name} delivered");
}

/// Waits for the process to exit; its exit code, or a panic naming the deadline.
fn exits_within(child: &mut Child, deadline: Duration, what: &str) -> Option<i32> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status.code();
        }
        if start.elapsed() > deadline {
            let _ = child.kill();
            panic!("{what}: afc serve still running after {deadline:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Two stalled clients, once the server holds them: one sent half a request
/// head; the other a whole head and half its body, so that its request is in
/// flight (a handler waits for the body) and only the deadline ends it.
fn stalled_client(addr: &str) -> [TcpStream; 2] {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Ha")
        .expect("write half a head");
    let mut b = TcpStream::connect(addr).expect("connect");
    b.write_all(b"POST /api/v1/executions/batch-status HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"exec")
        .expect("write a head and half a body");
    // Another full request answered proves the server is accepting and serving.
    let mut probe = TcpStream::connect(addr).expect("connect");
    probe
        .write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .expect("write");
    let mut answer = String::new();
    probe.read_to_string(&mut answer).expect("answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    [s, b]
}

#[test]
fn sigterm_with_a_stalled_client_exits_within_the_deadline() {
    let (mut child, addr) = serve(&["--shutdown-timeout", "1", "--header-read-timeout", "3600"]);
    let _held = stalled_client(&addr);
    signal(&child, "TERM");
    let code = exits_within(
        &mut child,
        Duration::from_secs(6),
        "one SIGTERM, 1 s deadline",
    );
    assert_eq!(code, Some(0));
}

#[test]
fn a_second_signal_exits_at_once() {
    let (mut child, addr) = serve(&[
        "--shutdown-timeout",
        "3600",
        "--header-read-timeout",
        "3600",
    ]);
    let _held = stalled_client(&addr);
    signal(&child, "TERM");
    let mut stderr = BufReader::new(child.stderr.take().expect("piped stderr"));
    let mut line = String::new();
    while !line.contains("shutting down") {
        line.clear();
        assert!(
            stderr.read_line(&mut line).expect("stderr") > 0,
            "no shutdown notice"
        );
    }
    assert!(
        child.try_wait().expect("try_wait").is_none(),
        "still draining"
    );
    signal(&child, "INT");
    let code = exits_within(&mut child, Duration::from_secs(5), "second signal");
    assert_eq!(code, Some(130));
}

#[test]
fn listening_beyond_loopback_without_a_key_warns() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_afc"))
        .args(["serve", "--listen", "0.0.0.0:0"])
        .env("RUST_LOG", "off")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("afc serve starts");
    let mut line = String::new();
    BufReader::new(child.stderr.take().expect("stderr"))
        .read_line(&mut line)
        .expect("a warning line");
    let _ = child.kill();
    let _ = child.wait();
    assert!(line.contains("WARNING: listening on 0.0.0.0:"), "{line}");
    assert!(line.contains("without --api-key"), "{line}");
}
