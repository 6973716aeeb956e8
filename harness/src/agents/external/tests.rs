use super::*;

#[test]
fn kinds_parse_and_bad_ones_are_named() {
    assert_eq!("scripted".parse::<AgentKind>(), Ok(AgentKind::Scripted));
    let python = "python:serve".parse::<AgentKind>().expect("valid");
    assert_eq!(python.label(), "python:serve");
    let cmd = "command:/x/ts-agent".parse::<AgentKind>().expect("valid");
    assert_eq!(cmd.label(), "command:/x/ts-agent");
    let err = "pyhton".parse::<AgentKind>().expect_err("invalid");
    assert!(
        matches!(&err, AgentKindError::Unknown { given } if given == "pyhton"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "unknown agent kind \"pyhton\"; expected scripted, python, python:serve, \
         command:PATH or command:PATH:serve"
    );
    assert!(matches!(
        "command:".parse::<AgentKind>(),
        Err(AgentKindError::Unknown { .. })
    ));
}

#[test]
fn a_scenario_is_skipped_with_its_reason_by_the_agents_it_names() {
    let text = |not_with: &str| {
        format!(
            "not_with: {{{not_with}}}\nagents:\n  a:\n    reasoners: {{root: [{{return: {{}}}}]}}\n\
             steps:\n  - run: a.root\n"
        )
    };
    let any = crate::scenario::parse_str("s.yaml", "s", &text("interpreter: only afc answers 503"))
        .expect("valid");
    let serve = crate::scenario::parse_str("s.yaml", "s", &text("serve: inline agent_error rows"))
        .expect("valid");
    let functional = "command:/bin/true".parse::<AgentKind>().expect("valid");
    let served = "python:serve".parse::<AgentKind>().expect("valid");
    assert_eq!(AgentKind::Scripted.skip_reason(&any), Ok(None));
    assert_eq!(
        functional.skip_reason(&any),
        Ok(Some(
            "not with interpreter agents: only afc answers 503".into()
        ))
    );
    assert_eq!(
        served.skip_reason(&serve),
        Ok(Some(
            "not with serve agents: inline agent_error rows".into()
        ))
    );
    // Anything else asks the interpreter first: /bin/true describes nothing.
    assert!(matches!(
        functional.skip_reason(&serve),
        Err(DescribeError::Answer { .. })
    ));
}

#[test]
fn the_program_resolves_nodes_and_stubs_and_spells_every_step() {
    let text = "agents:\n  a:\n    reasoners:\n      root:\n\
                \x20       - call: b.work\n          input: {x: $input.x}\n          delay_ms: 5\n\
                \x20       - parallel: [{call: b.work, as: one}]\n          as: both\n\
                \x20       - llm: planner\n\
                \x20       - fail: 2\n          message: no\n\
                \x20       - fail: unless_replay\n\
                \x20       - sleep: 7\n\
                \x20       - return: {r: $work}\n\
                \x20 b:\n    reasoners: {work: [{return: {}}]}\n\
                llm:\n  planner: {reply: hi}\nsteps:\n  - run: a.root\n";
    let s = crate::scenario::parse_str("p.yaml", "p", text).expect("valid");
    let nodes = [("a".into(), "a-1".into()), ("b".into(), "b-2".into())].into();
    let llm = [("planner".into(), "http://127.0.0.1:9".into())].into();
    let p = program(&s, &nodes, &llm);
    let steps = &p["agents"]["a"]["reasoners"]["root"];
    assert_eq!(
        steps[0],
        json!({"call": {"agent": "b", "node_id": "b-2", "reasoner": "work",
            "input": {"x": "$input.x"}, "bind": "work", "sync": false, "delay_ms": 5}})
    );
    assert_eq!(steps[1]["parallel"]["bind"], "both");
    assert_eq!(steps[1]["parallel"]["calls"][0]["bind"], "one");
    assert_eq!(
        steps[2],
        json!({"llm": {"stub": "planner", "url": "http://127.0.0.1:9", "bind": "llm", "timeout_ms": 1000}})
    );
    assert_eq!(
        steps[3],
        json!({"fail": {"when": {"times": 2}, "message": "no", "status": 500}})
    );
    assert_eq!(steps[4]["fail"]["when"], "unless_replay");
    assert_eq!(steps[5], json!({"sleep": {"ms": 7}}));
    assert_eq!(steps[6], json!({"return": {"r": "$work"}}));
    assert_eq!(p["agents"]["b"]["node_id"], "b-2");
}
