//! Broken scenario files yield one `file:line:col` message per problem, all at
//! once, each naming its field and, where one is close, the value meant; the
//! messages themselves are reviewed as snapshots. `afc check` is tried as a
//! user runs it: on folders, with clashing names and with stale goldens.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The rendered problems of a fixture under fixtures/invalid/.
fn problems(fixture: &str) -> String {
    std::env::set_current_dir(workspace()).expect("workspace");
    let path = PathBuf::from("fixtures/invalid").join(fixture);
    afc::scenario::load(&path)
        .expect_err("the fixture is broken on purpose")
        .to_string()
}

#[test]
fn broken_scenario_reports_every_problem_with_its_position() {
    insta::assert_snapshot!(problems("broken_scenario.yaml"), @"
    fixtures/invalid/broken_scenario.yaml: 13 problems
    fixtures/invalid/broken_scenario.yaml:2:12: unknown capability 'teleport'; known: serve_mode_replay, resume_paused_before_dispatch, parallel_registration, admission_before_persistence, target_not_found_category, node_unavailable_gate, forward_pointers, run_metadata, instance_scoped_reap, resume_interrupted_runs, async_queue_bound, agent_concurrency_limit, agent_restart_wait, agent_client_error, agent.callback_mode, agent.llm_retry_switch, agent.llm_timeout, agent.exact_numbers, agent.did_off
    fixtures/invalid/broken_scenario.yaml:5:11: unknown mode 'sideways'; known: inline, async, serve (at /agents/research/mode)
    fixtures/invalid/broken_scenario.yaml:8:17: unknown reasoner 'plannr' on agent 'research'; did you mean 'plan'? known: plan, root
    fixtures/invalid/broken_scenario.yaml:10:11: unknown field 'inptu'; did you mean 'input'? (at /agents/research/reasoners/root/1)
    fixtures/invalid/broken_scenario.yaml:11:23: '$nothing' names no earlier binding; known: input, plan, plannr
    fixtures/invalid/broken_scenario.yaml:13:16: unknown LLM stub 'missing_stub'; known: planner
    fixtures/invalid/broken_scenario.yaml:14:11: an op needs exactly one of: call, parallel, llm, fail, sleep, wait, return; this one has sleep and call
    fixtures/invalid/broken_scenario.yaml:20:13: unknown terminal status 'finished'; known: succeeded, failed, cancelled, timeout (at /steps/0/expect)
    fixtures/invalid/broken_scenario.yaml:21:14: 'run2' does not exist yet: 1 run(s) were created before this step
    fixtures/invalid/broken_scenario.yaml:22:13: 'run7' does not exist yet: 2 run(s) were created before this step
    fixtures/invalid/broken_scenario.yaml:23:11: unknown agent 'nobody'; known: research
    fixtures/invalid/broken_scenario.yaml:24:5: unknown step kind 'fly'; a step needs exactly one of: run, restart, fork, await, golden, request, down, up, reregister, follow, set_llm, release, await_dispatch, restart_control_plane
    fixtures/invalid/broken_scenario.yaml:25:24: unknown view 'pictures'; known: provenance, lineage, headers, llm, responses (at /snapshot/1)
    ");
}

#[test]
fn a_misspelt_value_of_any_vocabulary_is_refused_with_the_value_meant() {
    insta::assert_snapshot!(problems("vocabulary.yaml"), @r#"
    fixtures/invalid/vocabulary.yaml: 14 problems
    fixtures/invalid/vocabulary.yaml:5:11: unknown mode 'asynk'; did you mean 'async'? known: inline, async, serve (at /agents/research/mode)
    fixtures/invalid/vocabulary.yaml:6:12: unknown SDK bug 'inherited_parnet'; did you mean 'inherited_parent'? known: inherited_parent, drop_replay_headers (at /agents/research/bugs/0)
    fixtures/invalid/vocabulary.yaml:10:11: unknown op kind 'retrun'; did you mean 'return'? an op needs exactly one of: call, parallel, llm, fail, sleep, wait, return
    fixtures/invalid/vocabulary.yaml:12:17: unknown fail 'alwyas'; did you mean 'always'? known: always, once, unless_replay, a number (at /agents/research/reasoners/plan/0/fail)
    fixtures/invalid/vocabulary.yaml:15:11: unknown mode 'serv'; did you mean 'serve'? known: functional, serve (at /agents/py/mode)
    fixtures/invalid/vocabulary.yaml:18:11: unknown wait 'dispached'; did you mean 'dispatched'? known: dispatched, true, false (at /steps/0/wait)
    fixtures/invalid/vocabulary.yaml:20:12: unknown reuse 'succeded-before'; did you mean 'succeeded-before'? known: succeeded-before, all-succeeded, none, "" (at /steps/1/reuse)
    fixtures/invalid/vocabulary.yaml:21:12: unknown scope 'Workflow'; did you mean 'workflow'? known: workflow, execution, "" (at /steps/1/scope)
    fixtures/invalid/vocabulary.yaml:23:12: unknown reuse 'succeeded_before'; did you mean 'succeeded-before'? known: succeeded-before, all-succeeded, none, "" (at /steps/2/reuse)
    fixtures/invalid/vocabulary.yaml:24:13: unknown terminal status 'succeded'; did you mean 'succeeded'? known: succeeded, failed, cancelled, timeout (at /steps/2/expect)
    fixtures/invalid/vocabulary.yaml:25:28: unknown restart_control_plane 'kil'; did you mean 'kill'? known: graceful, kill (at /steps/3/restart_control_plane)
    fixtures/invalid/vocabulary.yaml:26:5: unknown step kind 'rnu'; did you mean 'run'? a step needs exactly one of: run, restart, fork, await, golden, request, down, up, reregister, follow, set_llm, release, await_dispatch, restart_control_plane
    fixtures/invalid/vocabulary.yaml:28:5: unknown field 'relase'; did you mean 'release'? (at /steps/5)
    fixtures/invalid/vocabulary.yaml:29:24: unknown view 'lineages'; did you mean 'lineage'? known: provenance, lineage, headers, llm, responses (at /snapshot/1)
    "#);
}

#[test]
fn a_mistake_is_reported_once_not_again_as_what_follows_from_it() {
    insta::assert_snapshot!(problems("knock_on.yaml"), @r#"
    fixtures/invalid/knock_on.yaml: 8 problems
    fixtures/invalid/knock_on.yaml:5:12: 5 is not of type "string" (at /requires/0)
    fixtures/invalid/knock_on.yaml:5:15: unknown capability 'teleprt'; known: serve_mode_replay, resume_paused_before_dispatch, parallel_registration, admission_before_persistence, target_not_found_category, node_unavailable_gate, forward_pointers, run_metadata, instance_scoped_reap, resume_interrupted_runs, async_queue_bound, agent_concurrency_limit, agent_restart_wait, agent_client_error, agent.callback_mode, agent.llm_retry_switch, agent.llm_timeout, agent.exact_numbers, agent.did_off
    fixtures/invalid/knock_on.yaml:11:17: "Plan" does not match "^([a-z][a-z0-9_]*\.)?[a-z][a-z0-9_]*$" (at /agents/research/reasoners/root/1/call)
    fixtures/invalid/knock_on.yaml:12:11: unknown op kind 'retrun'; did you mean 'return'? an op needs exactly one of: call, parallel, llm, fail, sleep, wait, return
    fixtures/invalid/knock_on.yaml:17:20: 5 is not of type "string" (at /llm/planner/reply)
    fixtures/invalid/knock_on.yaml:17:31: "500" is not of type "integer" (at /llm/planner/status)
    fixtures/invalid/knock_on.yaml:20:5: unknown step kind 'restrat'; did you mean 'restart'? a step needs exactly one of: run, restart, fork, await, golden, request, down, up, reregister, follow, set_llm, release, await_dispatch, restart_control_plane
    fixtures/invalid/knock_on.yaml:22:13: 'run3' does not exist yet: 1 run(s) were created before this step
    "#);
}

#[test]
fn a_bom_is_accepted_and_a_second_document_is_refused_at_its_line() {
    let one =
        "agents:\n  a:\n    reasoners:\n      root: [{return: {}}]\nsteps:\n  - run: a.root\n";
    let dir = tempfile::tempdir().expect("temp dir");
    let bom = dir.path().join("bom.yaml");
    std::fs::write(&bom, format!("\u{feff}{one}")).expect("write");
    afc::scenario::load(&bom).unwrap_or_else(|e| panic!("{e}"));
    for (text, line) in [
        (format!("{one}---\n{one}"), 7),
        (format!("{one}...\n{one}"), 8),
    ] {
        let e = afc::scenario::parse_str("two.yaml", "two", &text).expect_err("two documents");
        assert_eq!(e.problems.len(), 1, "{e}");
        assert_eq!(
            (e.problems[0].loc.line, e.problems[0].loc.column),
            (line, 1),
            "{e}"
        );
        assert!(
            e.problems[0].message.contains("second YAML document"),
            "{e}"
        );
    }
}

#[test]
fn every_scenario_file_loads() {
    let root = workspace().join("scenarios");
    for path in afc::scenario::discover(&root).expect("scenarios exist") {
        if let Err(e) = afc::scenario::load(&path) {
            panic!("{e}");
        }
    }
}

const VALID: &str = "agents:\n  a:\n    reasoners:\n      root: [{return: {}}]\nsteps:\n  - run: a.root\nsnapshot: [provenance]\n";

/// A suite folder: scenarios/ with the given files, snapshots/ with the given goldens.
fn suite(files: &[(&str, &str)], goldens: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let path = dir.path().join("scenarios").join(name);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    std::fs::create_dir_all(dir.path().join("snapshots")).expect("mkdir");
    for g in goldens {
        std::fs::write(dir.path().join("snapshots").join(g), "---\n").expect("write");
    }
    dir
}

/// `afc check ARGS` in `dir`: exit code and stdout + stderr.
fn afc_check(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_afc"))
        .arg("check")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("afc runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn afc_check_walks_folders_for_yaml_and_yml_and_exits_by_the_worst_problem() {
    let dir = suite(
        &[
            ("restart/basic.yaml", VALID),
            ("replay/other.yml", VALID),
            (
                "replay/bad.yaml",
                &VALID.replace("run: a.root", "run: a.roo"),
            ),
        ],
        &["basic@provenance.snap", "other@provenance.snap"],
    );
    let (code, out) = afc_check(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("scenarios/replay/other.yml: ok (1 steps)"),
        "{out}"
    );
    assert!(out.contains("scenarios/restart/basic.yaml: ok"), "{out}");
    assert!(
        out.contains("scenarios/replay/bad.yaml:6:10: unknown reasoner 'roo' on agent 'a'"),
        "{out}"
    );
    let (code, out) = afc_check(
        dir.path(),
        &["scenarios/restart", "scenarios/replay/other.yml"],
    );
    assert_eq!(code, 0, "{out}");
    let (code, out) = afc_check(dir.path(), &["scenarios/missing"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("cannot read scenarios/missing"), "{out}");
}

#[test]
fn afc_check_refuses_one_name_in_two_topics_naming_both_files() {
    let dir = suite(
        &[("restart/basic.yaml", VALID), ("replay/basic.yaml", VALID)],
        &["basic@provenance.snap"],
    );
    let (code, out) = afc_check(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "error: scenarios/replay/basic.yaml and scenarios/restart/basic.yaml are both scenario 'basic'"
        ),
        "{out}"
    );
    assert_eq!(
        out.matches("are both scenario").count(),
        1,
        "reported once: {out}"
    );
    let e = afc::scenario::discover(&dir.path().join("scenarios"))
        .expect_err("the suite refuses it too");
    assert!(
        matches!(e, afc::scenario::DiscoverError::DuplicateName { .. }),
        "{e}"
    );
}

#[test]
fn afc_check_warns_of_unused_goldens_and_fails_on_them_only_when_strict() {
    let dir = suite(
        &[("restart/basic.yaml", VALID)],
        &[
            "basic@provenance.snap",
            "basic@headers.snap",
            "renamed@provenance.snap",
        ],
    );
    let (code, out) = afc_check(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("warning: 2 golden(s) in snapshots that no scenario under scenarios uses"),
        "{out}"
    );
    assert!(
        out.contains("  basic@headers.snap\n  renamed@provenance.snap\n"),
        "{out}"
    );
    let (code, out) = afc_check(dir.path(), &["--strict"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("error: 2 golden(s)"), "{out}");
}

#[test]
fn afc_check_warns_of_a_missing_golden_and_fails_on_it_when_strict() {
    let dir = suite(&[("restart/basic.yaml", VALID)], &[]);
    let (code, out) = afc_check(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("warning: 1 golden(s) missing from snapshots")
            && out.contains("  basic@provenance.snap\n"),
        "{out}"
    );
    let (code, out) = afc_check(dir.path(), &["--strict"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("error: 1 golden(s) missing"), "{out}");
}
