//! A deliberately broken scenario file yields one `file:line:col` message per
//! problem, all at once; the messages themselves are reviewed as a snapshot.

use std::path::Path;

#[test]
fn broken_scenario_reports_every_problem_with_its_position() {
    std::env::set_current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("..")).expect("workspace");
    let err = afc::scenario::load(Path::new("fixtures/invalid/broken_scenario.yaml"))
        .expect_err("the fixture is broken on purpose");
    insta::assert_snapshot!(err.to_string(), @r#"
    fixtures/invalid/broken_scenario.yaml: 15 problems
    fixtures/invalid/broken_scenario.yaml:2:12: unknown capability 'teleport'; known: serve_mode_replay, resume_paused_before_dispatch
    fixtures/invalid/broken_scenario.yaml:5:11: "sideways" is not one of "inline", "async" or "serve" (at /agents/research/mode)
    fixtures/invalid/broken_scenario.yaml:8:17: unknown reasoner 'plannr' on agent 'research'; known: plan, root
    fixtures/invalid/broken_scenario.yaml:10:11: unknown field 'inptu' (at /agents/research/reasoners/root/1)
    fixtures/invalid/broken_scenario.yaml:11:23: '$nothing' names no earlier binding; known: input, plan, plannr
    fixtures/invalid/broken_scenario.yaml:13:16: unknown LLM stub 'missing_stub'; known: planner
    fixtures/invalid/broken_scenario.yaml:14:11: an op needs exactly one of: call, parallel, llm, fail, sleep, wait, return
    fixtures/invalid/broken_scenario.yaml:14:11: unknown field 'sleep' (at /agents/research/reasoners/plan/1)
    fixtures/invalid/broken_scenario.yaml:15:11: unknown field 'call' (at /agents/research/reasoners/plan/1)
    fixtures/invalid/broken_scenario.yaml:20:13: "finished" is not one of "succeeded", "failed" or 2 other candidates (at /steps/0/expect)
    fixtures/invalid/broken_scenario.yaml:21:14: 'run2' does not exist yet: 1 run(s) were created before this step
    fixtures/invalid/broken_scenario.yaml:22:13: 'run7' does not exist yet: 2 run(s) were created before this step
    fixtures/invalid/broken_scenario.yaml:23:11: unknown agent 'nobody'; known: research
    fixtures/invalid/broken_scenario.yaml:24:5: a step needs exactly one of: run, restart, fork, await, golden, request, down, up, set_llm, release, await_dispatch, restart_control_plane
    fixtures/invalid/broken_scenario.yaml:25:24: "pictures" is not one of "provenance", "lineage" or 3 other candidates (at /snapshot/1)
    "#);
}

#[test]
fn every_scenario_file_loads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    for path in afc::scenario::discover(&root).expect("scenarios exist") {
        if let Err(e) = afc::scenario::load(&path) {
            panic!("{e}");
        }
    }
}
