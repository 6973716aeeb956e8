//! Tests of the semantic checks.
use crate::scenario::{parse_str, Run, Step};

const AGENTS: &str = "agents:\n  research:\n    reasoners:\n      root:\n        - return: {}\n";

fn problems(steps: &str) -> Vec<String> {
    let text = format!("{AGENTS}steps:\n{steps}");
    match parse_str("t.yaml", "t", &text) {
        Ok(_) => Vec::new(),
        Err(e) => e.problems.iter().map(|p| p.message.clone()).collect(),
    }
}

#[test]
fn node_placeholders_name_declared_agents() {
    let ok = "  - run: research.root\n    headers: {X-Session-ID: \"s-{node:research}\"}\n  - request: POST /api/v1/execute/{node:research}.root\n    headers: {X-Run-ID: \"{run1}\"}\n    status: 400\n";
    assert_eq!(problems(ok), Vec::<String>::new());
    let bad = "  - run: research.root\n  - request: POST /api/v1/execute/{node:nobody}.root\n    status: 400\n";
    assert_eq!(
        problems(bad),
        vec!["unknown agent 'nobody' in {node:nobody}; known: research".to_string()]
    );
    let early = "  - run: research.root\n    headers: {X-Run-ID: \"{run1}\"}\n";
    assert_eq!(problems(early).len(), 1);
}

#[test]
fn a_raw_restart_body_replaces_the_body_fields() {
    let text = format!("{AGENTS}steps:\n  - run: research.root\n  - restart: run1/research.root\n    raw_body: \"\"\n");
    let s = parse_str("t.yaml", "t", &text).expect("valid");
    let Step::Restart(r) = &s.steps[1].value else {
        panic!("a restart")
    };
    assert_eq!(r.raw_body.as_deref(), Some(""));
    let Step::Run(Run { headers, .. }) = &s.steps[0].value else {
        panic!("a run")
    };
    assert!(headers.is_empty());
    let bad = "  - run: research.root\n  - fork: run1/research.root\n    scope: execution\n    raw_body: \"{}\"\n";
    let found = problems(bad);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].contains("fork"), "{found:?}");
    assert!(
        found[1].contains("'scope' is ignored next to raw_body"),
        "{found:?}"
    );
}

#[test]
fn call_delays_load() {
    let text = "agents:\n  research:\n    reasoners:\n      root:\n        - parallel:\n            - {call: leaf, input: {n: 1}}\n            - {call: leaf, input: {n: 2}, delay_ms: 250}\n      leaf:\n        - return: {}\nsteps:\n  - run: research.root\n";
    let s = parse_str("t.yaml", "t", text).unwrap_or_else(|e| panic!("{e}"));
    let crate::scenario::Op::Parallel { calls, .. } =
        &s.agents["research"].reasoners["root"][0].value
    else {
        panic!("first op is the fan-out")
    };
    let delays: Vec<u64> = calls.iter().map(|c| c.delay_ms).collect();
    assert_eq!(delays, [0, 250]);
}

#[test]
fn a_body_leaf_that_is_one_placeholder_must_name_something_made_before() {
    let ok = "  - run: research.root\n  - request: POST /api/v1/executions/batch-status\n    body: {execution_ids: [\"{run1/research.root}\", \"a {brace} in text\"]}\n    status: 200\n";
    assert_eq!(problems(ok), Vec::<String>::new());
    let later = "  - run: research.root\n  - request: POST /api/v1/executions/batch-status\n    body: {execution_ids: [\"{run2/research.root}\"]}\n    status: 200\n";
    let found = problems(later);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("run2"), "{found:?}");
    assert_eq!(
        crate::scenario::body_placeholders(
            &serde_json::json!({"a": ["{run1}", "x{run2}"], "b": {"c": "{node:r}"}})
        ),
        vec!["run1".to_string(), "node:r".to_string()]
    );
}

#[test]
fn runs_are_made_by_runs_accepted_restarts_and_follows_only() {
    let made = "  - run: research.root\n  - restart: run1/research.root\n  - follow: run2\n  - await: run3\n";
    assert_eq!(problems(made), Vec::<String>::new());
    let refused = "  - run: research.root\n  - restart: run1/research.root\n    status: 404\n  - await: run2\n";
    let found = problems(refused);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("'run2' does not exist yet: 1 run(s)"),
        "{found:?}"
    );
    let others = "  - run: research.root\n  - golden: run1\n  - await: run1\n  - down: research\n  - up: research\n  - await: run2\n";
    assert_eq!(problems(others).len(), 1, "{:?}", problems(others));
}
