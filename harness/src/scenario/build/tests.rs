//! Tests of building the model from a checked document.
use super::super::{parse_str, PythonMode};

const PY: &str = "agents:\n  research:\n    python: fixtures/agents/python/research.py\n";

#[test]
fn a_python_agent_has_a_script_a_mode_and_any_reasoner() {
    let text = format!("{PY}    mode: serve\nsteps:\n  - run: research.anything\n");
    let s = parse_str("p.yaml", "p", &text).expect("valid");
    let py = s.agents["research"].python.as_ref().expect("python agent");
    assert_eq!(py.script, "fixtures/agents/python/research.py");
    assert_eq!(py.mode, PythonMode::Serve);
    assert_eq!(py.loc.line, 3);
    let text = format!("{PY}steps:\n  - run: research.root\n");
    let s = parse_str("p.yaml", "p", &text).expect("valid");
    assert_eq!(
        s.agents["research"].python.as_ref().map(|p| p.mode),
        Some(PythonMode::Functional)
    );
}

#[test]
fn a_python_agent_takes_no_program_and_no_scripted_mode() {
    for extra in [
        "    reasoners: {root: [{return: {}}]}\n",
        "    mode: inline\n",
    ] {
        let text = format!("{PY}{extra}steps:\n  - run: research.root\n");
        let e = parse_str("p.yaml", "p", &text).expect_err("invalid");
        assert!(e.to_string().contains("p.yaml:"), "{e}");
    }
}
