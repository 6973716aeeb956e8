//! The suite names the TypeScript SDK's in-process same-node call (trait
//! `local_same_node_calls`, fixtures/agents/typescript/interpreter.mjs), as
//! `tests/sdk_bugs.rs` names 0.1.91's lost replay headers: it runs a correct
//! scenario with the real `@agentfield/sdk` through the TS interpreter and
//! asserts that afc fails it against the correct goldens, with differences
//! that name the hop that never reached the control plane and show why that
//! breaks the contract.
//!
//! `@agentfield/sdk` 0.1.96 runs `agent.call("<its own node>.<reasoner>")` in
//! process (sdk/typescript/src/agent/Agent.ts, `call`, its local branch): no
//! `/api/v1/execute`, so no execution row, no replay matching (contract §1.5
//! step 6, §3). Every successful nested call is an implicit checkpoint that a
//! restart reuses; this one is not, so a restart runs it (and pays its LLM
//! call) again.
//!
//! The SDK is not on the npm registry and CI cannot build it: without
//! `AFC_TS_SDK` (README.md, "Every scenario through the real SDK") the trial is `ignored
//! (reason)`, never passed. Trials match the verdict's data, never its text.
//! No golden is written for a buggy agent: insta runs with `INSTA_UPDATE=no`.

use std::path::{Path, PathBuf};

use afc::scenario::View;
use afc::suite::{self, Case, ChangedEntry, Leaf, Problem, Verdict};
use afc::target::Target;
use libtest_mimic::{Arguments, Failed};
use serde_json::Value;

/// The interpreter, from the workspace root.
const INTERPRETER: &str = "fixtures/agents/typescript/interpreter.mjs";

/// The scenario: research.root calls its own research.plan (an LLM step),
/// then helper.flaky on another node, which fails once; the restart from
/// helper.flaky must reuse plan.
const SCENARIO: &str = "restart/same_node_call_reused";

/// The same-node hop, and why its absence breaks the contract.
const LOCAL_HOP: &str = "run1/research.plan";
const WHY: &str = "a same-node call that never reaches the control plane is no execution: \
                   every successful nested call is an implicit checkpoint (contract §1.5 step 6, \
                   §3), and without one the restart runs it again instead of reusing it";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Why the trials cannot run here, if they cannot.
fn skip_reason() -> Option<String> {
    match std::env::var_os("AFC_TS_SDK") {
        Some(v) if !v.is_empty() => None,
        _ => Some(
            "AFC_TS_SDK is unset: the TypeScript SDK is built outside the repository \
             (README.md, \"Every scenario through the real SDK\")"
                .to_string(),
        ),
    }
}

/// Runs the scenario with the TS interpreter; the problems of its failed verdict.
fn run_ts(target: &Target) -> Result<Vec<Problem>, Failed> {
    let mut target = target.clone();
    target.agents = format!("command:{INTERPRETER}")
        .parse()
        .map_err(Failed::from)?;
    let path = PathBuf::from(format!("scenarios/{SCENARIO}.yaml"));
    let loaded = afc::scenario::load(&path).map_err(|e| e.to_string())?;
    let case = Case {
        name: SCENARIO.to_string(),
        path,
    };
    match suite::run_loaded(&case, loaded, &target, Path::new("snapshots")).verdict {
        Verdict::Failed { problems, .. } => Ok(problems),
        other => {
            Err(format!("{SCENARIO} with the TS SDK must fail ({WHY}); it was {other:?}").into())
        }
    }
}

/// The first changed entry of `view` among `problems`, with every problem
/// rendered for the message when there is none.
fn first_entry(problems: &[Problem], view: View) -> Result<(String, Vec<Leaf>), Failed> {
    let entry = problems.iter().find_map(|p| match p {
        Problem::ViewDiffers {
            view: v,
            first_entry,
            ..
        } if *v == view => Some(first_entry),
        _ => None,
    });
    match entry {
        Some(Some(ChangedEntry::Changed { key, leaves })) => Ok((key.clone(), leaves.clone())),
        other => {
            let all = suite::rendered(problems).join("\n");
            Err(format!(
                "the {} view should differ in an entry ({WHY}); it was {other:?} among:\n{all}",
                view.as_str()
            )
            .into())
        }
    }
}

/// The provenance view: in run1, what the golden has of the same-node hop is
/// missing now: the whole execution (no row), or, where a control plane makes
/// rows from the SDK's workflow events (v0.1.96, agent-protocol §3.5), the
/// caller's view of the call (no nested call for it ever passed the wire).
fn hop_never_reached_the_control_plane(problems: &[Problem]) -> Result<(), Failed> {
    let (key, leaves) = first_entry(problems, View::Provenance)?;
    let under_hop = |l: &Leaf| {
        let whole = l.path.len() == 2;
        let caller_view = l.path.get(2).is_some_and(|p| p == "caller_saw_replay_hit");
        l.path.first().is_some_and(|p| p == "executions")
            && l.path.get(1).is_some_and(|p| p == LOCAL_HOP)
            && (whole || caller_view)
            && l.golden.is_some()
            && l.got.is_none()
    };
    if key == "run1" && leaves.iter().any(under_hop) {
        Ok(())
    } else {
        Err(format!(
            "provenance should first differ in run1, {LOCAL_HOP} (or the call to it) golden \
             and missing now ({WHY}); it differs at {key}: {leaves:?}"
        )
        .into())
    }
}

/// The llm view: the restart called the planner stub again (0 calls in run2 in
/// the golden, 1 now): plan ran again instead of being reused.
fn restart_ran_it_again(problems: &[Problem]) -> Result<(), Failed> {
    let (key, leaves) = first_entry(problems, View::Llm)?;
    let expected = vec![Leaf {
        path: vec!["run2".to_string()],
        golden: Some(Value::from(0)),
        got: Some(Value::from(1)),
    }];
    if key == "planner" && leaves == expected {
        Ok(())
    } else {
        Err(format!(
            "the llm view should differ at planner › run2: 0 → 1 ({WHY}); it differs at \
             {key}: {leaves:?}"
        )
        .into())
    }
}

fn main() {
    let args = Arguments::from_args();
    std::env::set_current_dir(workspace()).expect("the workspace root exists");
    // Before any thread starts: a buggy agent records no golden.
    afc::suite::insta_env::expect_mismatches();
    let skip = skip_reason();
    let target = Target::from_env().unwrap_or_else(|e| panic!("no target: {e}"));
    let trial = {
        let target = target.clone();
        afc::trial::skippable(
            &args,
            "ts_sdk_same_node_call_fails_the_restart_golden".to_string(),
            skip,
            move || {
                let problems = run_ts(&target)?;
                hop_never_reached_the_control_plane(&problems)?;
                restart_ran_it_again(&problems)?;
                Ok(None)
            },
        )
    };
    let conclusion = libtest_mimic::run(&args, vec![trial]);
    drop(target);
    conclusion.exit();
}
