use super::wait::*;
use super::*;

fn pin(version: &str, venv: &str) -> Pinned {
    Pinned {
        version: version.to_string(),
        venv: venv.to_string(),
        traits: Vec::new(),
    }
}

/// A fake venv: `bin/python` exists (never run by these tests).
fn fake_venv(dir: &Path) {
    std::fs::create_dir_all(dir.join("bin")).unwrap();
    std::fs::write(dir.join("bin/python"), "").unwrap();
}

#[test]
fn the_default_version_is_the_first_pinned_line() {
    let pinned = pinned().expect("the list is in the repository");
    assert_eq!(default_version().unwrap(), pinned[0].version);
    assert_eq!(pinned[0].venv, ".venv");
}

#[test]
fn the_workspace_venv_wins_then_a_complete_cached_venv() {
    let root = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let p = pin("9.9.9", ".venv-x");
    // Nothing yet: the cached venv is the one to make.
    assert_eq!(
        locate(&p, root.path(), cache.path(), false).unwrap(),
        Located::Missing(cache.path().join("9.9.9"))
    );
    // A cached venv without its marker (an interrupted install) is not used.
    fake_venv(&cache.path().join("9.9.9"));
    assert!(matches!(
        locate(&p, root.path(), cache.path(), false).unwrap(),
        Located::Missing(_)
    ));
    std::fs::write(cache.path().join("9.9.9").join(MARKER), "").unwrap();
    assert_eq!(
        locate(&p, root.path(), cache.path(), false).unwrap(),
        Located::Ready(cache.path().join("9.9.9/bin/python"))
    );
    // The `.venv…` convention at the workspace root comes first.
    fake_venv(&root.path().join(".venv-x"));
    assert_eq!(
        locate(&p, root.path(), cache.path(), false).unwrap(),
        Located::Ready(root.path().join(".venv-x/bin/python"))
    );
}

#[test]
fn offline_never_makes_a_venv_and_says_where_it_looked() {
    let root = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let err = locate(&pin("9.9.9", ".venv"), root.path(), cache.path(), true)
        .expect_err("nothing to use offline");
    assert!(
        matches!(&err, ProvisionError::Offline { version, .. } if version == "9.9.9"),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("AFC_OFFLINE is set"), "{text}");
    assert!(
        text.contains(&cache.path().join("9.9.9").display().to_string()),
        "{text}"
    );
    // A ready venv is used offline too.
    fake_venv(&root.path().join(".venv"));
    assert!(matches!(
        locate(&pin("9.9.9", ".venv"), root.path(), cache.path(), true),
        Ok(Located::Ready(_))
    ));
}

#[test]
fn a_held_lock_is_waited_for_until_the_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("9.9.9.lock");
    let held = lock("9.9.9", &path, Duration::from_secs(1)).expect("free");
    let err = lock("9.9.9", &path, Duration::from_millis(300)).expect_err("held elsewhere");
    assert!(matches!(err, ProvisionError::LockTimeout { .. }), "{err:?}");
    assert!(err.to_string().contains("9.9.9.lock"), "{err}");
    // Released by its holder (another thread here, another process in use):
    // the waiter gets it.
    let (tx, rx) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
        tx.send(()).unwrap();
        lock("9.9.9", &path, Duration::from_secs(30)).map(|_| ())
    });
    rx.recv().unwrap();
    drop(held);
    waiter.join().unwrap().expect("acquired once released");
}

#[test]
fn a_venv_made_while_waiting_is_used_without_installing() {
    let cache = tempfile::tempdir().unwrap();
    let dir = cache.path().join("9.9.9");
    fake_venv(&dir);
    std::fs::write(dir.join(MARKER), "").unwrap();
    // No python3 or pip runs here: the marker says another process finished.
    assert_eq!(provision("9.9.9", &dir).unwrap(), dir.join("bin/python"));
}

#[test]
fn a_failing_missing_or_hanging_command_is_an_error_with_its_output() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("x.log");
    let deadline = Duration::from_secs(30);
    let err = run("9.9.9", "sh", &["-c"], "echo boom; exit 3", &log, deadline).unwrap_err();
    assert!(
        matches!(&err, ProvisionError::Command { outcome: CommandOutcome::Failed { status, tail, .. }, .. }
            if status.code() == Some(3) && tail == "boom"),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("exit status: 3") && text.contains("boom"),
        "{text}"
    );
    let err = run(
        "9.9.9",
        "/no/such/python3",
        &["-m", "venv"],
        "v",
        &log,
        deadline,
    );
    let err = err.unwrap_err();
    assert!(
        matches!(&err, ProvisionError::Command { outcome: CommandOutcome::NotStarted(_), command, .. }
            if command.starts_with("/no/such/python3 ")),
        "a missing interpreter is named: {err:?}"
    );
    assert!(err.to_string().contains("could not start"), "{err}");
    let short = Duration::from_secs(1);
    let err = run(
        "9.9.9",
        "sh",
        &["-c"],
        "echo slow; exec sleep 30",
        &log,
        short,
    )
    .unwrap_err();
    assert!(
        matches!(&err, ProvisionError::Command { outcome: CommandOutcome::Killed { deadline, .. }, .. }
            if *deadline == short),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("killed") && text.contains("slow"), "{text}");
}

#[test]
fn the_cache_is_in_the_target_directory_of_the_executable() {
    let t = tempfile::tempdir().unwrap();
    let target = t.path().join("target");
    std::fs::create_dir_all(target.join("debug/deps")).unwrap();
    let test_exe = target.join("debug/deps/scenarios-0123");
    assert_eq!(target_of(&test_exe), Some(target.clone()));
    assert_eq!(target_of(&target.join("debug/afc")), Some(target.clone()));
    assert_eq!(target_of(&t.path().join("bin/afc")), None);
    // The lock and log of a version sit next to its venv, dots and all.
    let dir = target.join("afc-python/0.1.96");
    assert_eq!(beside(&dir, "lock"), target.join("afc-python/0.1.96.lock"));
}
