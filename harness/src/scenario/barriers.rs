//! Barrier names: which programs hold where, which steps release what, and
//! the checks that keep a typo from holding a program until the deadline.

use std::collections::BTreeSet;

use super::load::Problems;
use super::model::{Op, Scenario};

/// Every barrier a program of `s` holds at (`wait:` ops and calls' `after:`).
pub fn waited(s: &Scenario) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for agent in s.agents.values() {
        for op in agent.reasoners.values().flatten() {
            match &op.value {
                Op::Wait(name) => {
                    names.insert(name.clone());
                }
                Op::Call(c) => names.extend(c.after.clone()),
                Op::Parallel { calls, .. } => {
                    names.extend(calls.iter().filter_map(|c| c.after.clone()));
                }
                _ => {}
            }
        }
    }
    names
}

/// Every barrier a step of `s` releases, with the step's index.
pub fn released(s: &Scenario) -> Vec<(usize, String)> {
    s.steps
        .iter()
        .enumerate()
        .flat_map(|(i, step)| {
            let names = step.value.kind().releases();
            names.iter().map(move |n| (i, n.clone()))
        })
        .collect()
}

/// The barriers of a scenario run: everything held at or released.
pub fn all(s: &Scenario) -> BTreeSet<String> {
    let mut names = waited(s);
    names.extend(released(s).into_iter().map(|(_, n)| n));
    names
}

/// A release must name a barrier some program holds at; holding at one that
/// no step releases is allowed (it holds until the scenario ends).
pub(crate) fn check(s: &Scenario, p: &mut Problems<'_>) {
    let waited = waited(s);
    for (i, name) in released(s) {
        if waited.contains(&name) {
            continue;
        }
        let known = if waited.is_empty() {
            "no program holds at a barrier (`wait: NAME` op or a call's `after: NAME`)".to_string()
        } else {
            format!(
                "programs hold at: {}",
                waited.iter().cloned().collect::<Vec<_>>().join(", ")
            )
        };
        p.at(
            &format!("{}/release", s.steps[i].ptr),
            format!("release of barrier '{name}', which no program holds at; {known}"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::{parse_str, AwaitDispatch, Run, RunWait, Step};
    use super::*;

    const HELD: &str = "agents:\n  a:\n    reasoners:\n      root:\n        - parallel:\n            - call: leaf\n              after: late\n        - wait: end\n      leaf:\n        - return: {}\n";

    #[test]
    fn programs_hold_at_waits_and_afters_and_steps_release_them() {
        let text = format!(
            "{HELD}steps:\n  - run: a.root\n    wait: dispatched\n  - await_dispatch: a.leaf\n    count: 2\n  - release: late\n  - await: run1\n    release: [end]\n"
        );
        let s = parse_str("b.yaml", "b", &text).expect("valid");
        assert_eq!(waited(&s), ["end", "late"].map(String::from).into());
        assert_eq!(released(&s), vec![(2, "late".into()), (3, "end".into())]);
        assert!(matches!(
            s.steps[0].value,
            Step::Run(Run {
                wait: RunWait::Dispatched,
                ..
            })
        ));
        assert!(matches!(
            &s.steps[1].value,
            Step::AwaitDispatch(AwaitDispatch { agent, reasoner, count: 2 }) if agent == "a" && reasoner == "leaf"
        ));
    }

    #[test]
    fn a_release_of_a_barrier_no_program_holds_at_is_an_error_at_its_line() {
        let text = format!("{HELD}steps:\n  - run: a.root\n  - release: lat\n");
        let e = parse_str("b.yaml", "b", &text).expect_err("typo");
        assert!(
            e.to_string().contains(
                "b.yaml:13:14: release of barrier 'lat', which no program holds at; programs hold at: end, late"
            ),
            "{e}"
        );
    }

    #[test]
    fn holding_at_a_barrier_nothing_releases_is_allowed_and_expect_needs_a_terminal_wait() {
        let text = format!("{HELD}steps:\n  - run: a.root\n    wait: dispatched\n");
        parse_str("b.yaml", "b", &text).expect("holds until the scenario ends");
        let text =
            format!("{HELD}steps:\n  - run: a.root\n    wait: dispatched\n    expect: failed\n");
        let e = parse_str("b.yaml", "b", &text).expect_err("expect without a terminal wait");
        assert!(
            e.to_string().contains("expect needs the run to be awaited"),
            "{e}"
        );
    }
}
