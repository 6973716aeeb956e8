//! `afc run` as a user meets it, through the built binary: a dead target is
//! exit 2 with the cause; a wrong golden is exit 1 with its diff in `.snap`
//! line numbers; `--format json`, `--fail-fast`, `--exact` and `--skip`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `afc` with the environment of a user who set nothing, in `dir`.
fn afc(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_afc"));
    c.args(args).current_dir(dir).env("RUST_LOG", "off");
    for var in [
        "AGENTFIELD_URL",
        "AGENTFIELD_IMAGE",
        "AGENTFIELD_API_KEY",
        "AFC_PROFILE",
        "AFC_AGENTS",
        "INSTA_UPDATE",
        "INSTA_OUTPUT",
        "INSTA_FORCE_PASS",
        "CLICOLOR_FORCE",
    ] {
        c.env_remove(var);
    }
    c
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

/// A suite of two scenarios (restart/fork_by_flag, restart/reuse_none) and
/// their goldens, with one line of fork_by_flag's lineage golden made wrong:
/// `reuse: succeeded-before` (line 15 of the .snap file) says `reuse: all`.
fn suite_with_a_wrong_golden() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenarios = dir.path().join("scenarios/restart");
    let snapshots = dir.path().join("snapshots");
    std::fs::create_dir_all(&scenarios).expect("scenarios dir");
    std::fs::create_dir_all(&snapshots).expect("snapshots dir");
    for name in ["fork_by_flag", "reuse_none"] {
        let file = format!("{name}.yaml");
        std::fs::copy(
            repo().join("scenarios/restart").join(&file),
            scenarios.join(&file),
        )
        .expect("copy scenario");
        for entry in std::fs::read_dir(repo().join("snapshots")).expect("goldens") {
            let path = entry.expect("entry").path();
            let golden = path.file_name().and_then(|f| f.to_str()).unwrap_or("");
            if golden.starts_with(&format!("{name}@")) && golden.ends_with(".snap") {
                std::fs::copy(&path, snapshots.join(golden)).expect("copy golden");
            }
        }
    }
    let lineage = snapshots.join("fork_by_flag@lineage.snap");
    let golden = std::fs::read_to_string(&lineage).expect("lineage golden");
    let line15 = golden.lines().nth(14).expect("15 lines");
    assert_eq!(line15, "    reuse: succeeded-before", "the golden changed");
    std::fs::write(&lineage, golden.replace(line15, "    reuse: all")).expect("write");
    dir
}

#[test]
fn a_dead_target_is_exit_2_with_the_cause_and_no_scenario_rows() {
    // Scenarios that would run (and fail) if the target were not checked first.
    let dir = suite_with_a_wrong_golden();
    // Nothing listens on port 9 of loopback.
    let out = afc(dir.path(), &["run", "--url", "http://127.0.0.1:9"])
        .output()
        .expect("afc runs");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stderr).trim(),
        "afc run: cannot reach the target: connection refused at http://127.0.0.1:9/api/v1/health"
    );
    assert_eq!(text(&out.stdout), "");
    let out = afc(
        dir.path(),
        &["run", "--url", "http://127.0.0.1:9", "--format", "json"],
    )
    .output()
    .expect("afc runs");
    assert_eq!(out.status.code(), Some(2));
    let event: Value = serde_json::from_str(text(&out.stdout).trim()).expect("one JSON line");
    assert_eq!(event["type"], "error");
    assert_eq!(event["exit_code"], 2);
    assert!(
        event["message"]
            .as_str()
            .is_some_and(|m| m.contains("connection refused")),
        "{event}"
    );
}

fn run(dir: &Path, extra: &[&str], ci: bool) -> Output {
    let mut c = afc(dir, &["run", "--jobs", "1"]);
    c.args(extra);
    if ci {
        c.env("CI", "true");
    } else {
        c.env_remove("CI");
    }
    c.output().expect("afc runs")
}

#[test]
fn a_wrong_golden_shows_its_diff_in_snap_line_numbers_and_exits_1() {
    let dir = suite_with_a_wrong_golden();
    let out = run(dir.path(), &["fork_by_flag"], true);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    // Not a terminal: one line per scenario as it finishes, no colour.
    assert!(
        stderr.contains("FAILED  restart/fork_by_flag (")
            && stderr.contains("ms): line 15 under run2: -reuse: all +reuse: succeeded-before"),
        "{stderr}"
    );
    assert!(!stdout.contains('\u{1b}'), "no colour in a log:\n{stdout}");
    assert!(stdout.contains("FAILED restart/fork_by_flag:\n  view 'lineage' differs from snapshots/fork_by_flag@lineage.snap (first changed entry: run2 › lineage › reuse: -all +succeeded-before):\n"), "{stdout}");
    assert!(
        stdout.contains("     15       │-    reuse: all\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("           15 │+    reuse: succeeded-before\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("     14    14 │     restarted_execution_id: run1/research.root\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("0 passed, 1 failed, 0 skipped; wall time "),
        "{stdout}"
    );
    assert!(stdout.contains("scenario time "), "{stdout}");
    // CI=true: insta writes no .snap.new, so no review hint.
    assert!(!stdout.contains("review"), "{stdout}");
    assert!(!dir
        .path()
        .join("snapshots/fork_by_flag@lineage.snap.new")
        .exists());

    // Outside CI insta leaves the .snap.new for review, and the hint says so.
    let out = run(dir.path(), &["fork_by_flag"], false);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(dir
        .path()
        .join("snapshots/fork_by_flag@lineage.snap.new")
        .exists());
    assert!(
        stdout.contains("new snapshot written: snapshots/fork_by_flag@lineage.snap.new\n")
            && stdout.contains("1 .snap.new file written; review with cargo insta review"),
        "{stdout}"
    );
}

#[test]
fn a_forged_pass_is_refused_on_ci_and_is_insta_s_own_off_ci() {
    let dir = suite_with_a_wrong_golden();
    let lineage = dir.path().join("snapshots/fork_by_flag@lineage.snap");
    let wrong = std::fs::read_to_string(&lineage).expect("golden");
    for (var, value) in [
        ("INSTA_FORCE_PASS", "1"),
        ("INSTA_UPDATE", "always"),
        ("INSTA_UPDATE", "force"),
    ] {
        let mut c = afc(dir.path(), &["run", "fork_by_flag", "--format", "json"]);
        let out = c
            .env("CI", "true")
            .env(var, value)
            .output()
            .expect("afc runs");
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{var}={value}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "afc run: refusing to run: CI is set and {var}={value} would"
            )),
            "{stderr}"
        );
        assert!(text(&out.stdout).contains(r#""exit_code":2"#));
        assert_eq!(std::fs::read_to_string(&lineage).expect("golden"), wrong);
    }
    // Off CI, as insta does: INSTA_FORCE_PASS=1 (what `cargo insta test`
    // sets) passes and leaves the .snap.new for `cargo insta review` ...
    let out = run_with(dir.path(), ("INSTA_FORCE_PASS", "1"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("INSTA_FORCE_PASS=1 passes it and leaves"));
    assert!(lineage.with_extension("snap.new").exists());
    assert_eq!(std::fs::read_to_string(&lineage).expect("golden"), wrong);
    // ... and INSTA_UPDATE=always (the override) rewrites the golden and passes.
    let out = run_with(dir.path(), ("INSTA_UPDATE", "always"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let now = std::fs::read_to_string(&lineage).expect("golden");
    assert!(now.contains("    reuse: succeeded-before\n"), "{now}");
    let out = run(dir.path(), &["fork_by_flag"], true);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

fn run_with(dir: &Path, (var, value): (&str, &str)) -> Output {
    let mut c = afc(dir, &["run", "--jobs", "1", "fork_by_flag"]);
    c.env_remove("CI")
        .env(var, value)
        .output()
        .expect("afc runs")
}

fn events(out: &Output) -> Vec<Value> {
    text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}")))
        .collect()
}

#[test]
fn json_fail_fast_exact_and_skip() {
    let dir = suite_with_a_wrong_golden();
    // One job, name order: fork_by_flag fails first; reuse_none never starts.
    let out = run(dir.path(), &["--format", "json", "--fail-fast"], true);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let ev = events(&out);
    assert_eq!(ev.len(), 3, "{ev:?}");
    assert_eq!(
        (ev[0]["name"].as_str(), ev[0]["result"].as_str()),
        (Some("restart/fork_by_flag"), Some("failed"))
    );
    assert_eq!(
        ev[0]["first_difference"],
        "line 15 under run2: -reuse: all +reuse: succeeded-before"
    );
    assert_eq!(
        (ev[1]["name"].as_str(), ev[1]["result"].as_str()),
        (Some("restart/reuse_none"), Some("not_run"))
    );
    assert_eq!(ev[2]["type"], "summary");
    assert_eq!(
        (ev[2]["failed"].as_u64(), ev[2]["not_run"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(ev[2]["exit_code"], 1);

    // Without --fail-fast both run; --skip leaves one out; exact names only.
    let out = run(dir.path(), &["--format", "json", "--skip", "fork"], true);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let ev = events(&out);
    assert_eq!(ev[0]["name"], "restart/reuse_none");
    assert_eq!(ev[0]["result"], "passed");
    assert_eq!(
        (ev[1]["passed"].as_u64(), ev[1]["exit_code"].as_u64()),
        (Some(1), Some(0))
    );
    let out = run(dir.path(), &["--exact", "restart/reuse"], true);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no scenario matches \"restart/reuse\" exactly"),
        "{}",
        text(&out.stderr)
    );
    let out = run(
        dir.path(),
        &["--exact", "restart/reuse_none", "--format", "json"],
        true,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(events(&out).len(), 2);
}

#[test]
fn readme_and_help_state_the_same_exit_codes() {
    let out = Command::new(env!("CARGO_BIN_EXE_afc"))
        .args(["run", "--help"])
        .output()
        .expect("afc runs");
    let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let help = words(&text(&out.stdout));
    let start = help
        .find("Before any scenario")
        .expect("the health sentence");
    let end = help[start..].find("written).").expect("the exit codes") + start + 9;
    let promise = &help[start..end];
    assert!(promise.contains("Exit codes: 0 all passed, 1 some failed, 2 could not run"));
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README");
    assert!(words(&readme).contains(promise), "README lacks: {promise}");
}
