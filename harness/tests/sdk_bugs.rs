//! The suite catches the SDK bugs of agent-protocol §4.3: each trial runs a
//! correct scenario with a buggy agent and asserts that afc fails it against
//! the correct goldens, with a difference that names the hop and the header.
//! The trials match the verdict's data (the headers view's first changed
//! entry: its key, each differing header with its golden and its new value),
//! never its rendered text.
//!
//! - Scripted agents with the bug switched on (`bugs:` set on the loaded
//!   scenario, never in a file): `drop_replay_headers` (SDK <= 0.1.91) and
//!   `inherited_parent` (SDK <= 0.1.20).
//! - The real PyPI `agentfield==0.1.91`, from `.venv-0.1.91`, else provisioned
//!   on first use under target/afc-python, running the Python scenarios, and running the scripted scenarios'
//!   programs through the interpreter (`AFC_AGENTS=python`,
//!   fixtures/agents/PROTOCOL.md): its `app.call` does not forward the
//!   replay trio. Without that SDK these trials are `ignored (reason)`, never
//!   passed (and fail when `AFC_REQUIRE_PYTHON` is set, as on CI).
//!
//! No golden is written for a buggy agent: insta runs with `INSTA_UPDATE=no`.

use std::path::{Path, PathBuf};

use afc::scenario::{SdkBug, View};
use afc::suite::{self, Case, ChangedEntry, Leaf, Problem, Verdict};
use afc::target::Target;
use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::Value;

/// The SDK release without the replay headers (fixtures/agents/sdk-versions.txt).
const OLD_SDK: &str = "0.1.91";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `scenario` (under `scenarios/`) with `bugs` switched on in every
/// scripted agent; returns the problems of a failed verdict.
fn run_buggy(target: &Target, scenario: &str, bugs: &[SdkBug]) -> Result<Vec<Problem>, Failed> {
    run_with(target, scenario, bugs, "scripted")
}

/// As [`run_buggy`], with `agents` (`scripted` or an interpreter kind) playing the agents.
fn run_with(
    target: &Target,
    scenario: &str,
    bugs: &[SdkBug],
    agents: &str,
) -> Result<Vec<Problem>, Failed> {
    let mut target = target.clone();
    target.agents = agents.parse().map_err(Failed::from)?;
    let path = PathBuf::from(format!("scenarios/{scenario}.yaml"));
    let mut loaded = afc::scenario::load(&path).map_err(|e| e.to_string())?;
    for agent in loaded.agents.values_mut() {
        agent.bugs = bugs.to_vec();
    }
    let case = Case {
        name: scenario.to_string(),
        path,
    };
    let report = suite::run_loaded(&case, loaded, &target, Path::new("snapshots"));
    match report.verdict {
        Verdict::Failed { problems, .. } => Ok(problems),
        other => Err(format!(
            "{scenario} with {bugs:?}, {agents} agents, must fail, it was {other:?}"
        )
        .into()),
    }
}

/// Where the headers view must first differ from its golden: the hop's key,
/// and every header that differs there as (header, golden value, value now).
struct Hop {
    key: &'static str,
    headers: &'static [(&'static str, &'static str, &'static str)],
}

impl Hop {
    fn leaves(&self) -> Vec<Leaf> {
        let leaf = |&(header, golden, got): &(&str, &str, &str)| Leaf {
            path: vec![header.to_string()],
            golden: Some(Value::from(golden)),
            got: Some(Value::from(got)),
        };
        self.headers.iter().map(leaf).collect()
    }
}

/// `headers/three_levels_deep` with an SDK that drops the replay trio: the
/// restarted finish fails again, so only this hop is on both sides, and it
/// lost its replay source (scripted bug and SDK 0.1.91 interpreted alike).
const THREE_LEVELS_LOST_TRIO: Hop = Hop {
    key: "run2/leaf.work#2",
    headers: &[
        ("parent", "run2/mid.branch#2", "run2/mid.branch"),
        ("replay_source", "run1", "absent"),
        ("replay_before", "run1/leaf.finish", "absent"),
        ("replay_mode", "succeeded-before", "absent"),
    ],
};

/// `restart/restart_from_failed_child` with an SDK that drops the replay trio.
const RESTART_LOST_TRIO: Hop = Hop {
    key: "run2/research.synth",
    headers: &[
        ("replay_source", "run1", "absent"),
        ("replay_before", "run1/research.synth", "absent"),
        ("replay_mode", "succeeded-before", "absent"),
    ],
};

/// Among `problems`, the headers view must differ from its golden, its first
/// changed entry being `hop`'s, and the headers that differ there exactly
/// `hop`'s. The body a hop received may differ too (a hop that lost the
/// trio can be another call than the golden's under the same key); that is
/// a consequence, not what a trial is about.
fn differs_at(problems: &[Problem], hop: &Hop) -> Result<(), Failed> {
    let headers = problems.iter().find_map(|p| match p {
        Problem::ViewDiffers {
            view: View::Headers,
            first_entry,
            ..
        } => Some(first_entry),
        _ => None,
    });
    let Some(entry) = headers else {
        let all = suite::rendered(problems).join("\n");
        return Err(format!("no headers difference among:\n{all}").into());
    };
    let expected = hop.leaves();
    match entry {
        Some(ChangedEntry::Changed { key, leaves }) if key == hop.key => {
            let differing: Vec<Leaf> = leaves
                .iter()
                .filter(|l| l.path.first().is_some_and(|p| p != "body"))
                .cloned()
                .collect();
            if differing == expected {
                Ok(())
            } else {
                let msg = format!(
                    "{key}: the differing headers should be {expected:?}, they are {differing:?}"
                );
                Err(msg.into())
            }
        }
        other => Err(format!(
            "the headers view should first differ at {}, it did at {other:?}",
            hop.key
        )
        .into()),
    }
}

fn main() {
    let args = Arguments::from_args();
    std::env::set_current_dir(workspace()).expect("the workspace root exists");
    // Before any thread starts: a buggy agent records no golden.
    afc::suite::insta_env::expect_mismatches();
    let python_trials = [
        "sdk_0_1_91_fails_the_python_headers_golden",
        "sdk_0_1_91_fails_the_python_restart_golden",
        "sdk_0_1_91_interpreted_fails_the_headers_golden",
        "sdk_0_1_91_interpreted_fails_the_restart_golden",
    ]
    .map(String::from);
    // `.venv-0.1.91`, else provisioned on first use; on CI (AFC_REQUIRE_PYTHON)
    // a missing SDK fails these trials instead of skipping them.
    let (skip, old_sdk) = afc::trial::python_sdk(&args, &python_trials, Some(OLD_SDK));
    if let Ok(python) = &old_sdk {
        std::env::set_var("AFC_PYTHON", python);
    }
    let target = Target::from_env().unwrap_or_else(|e| panic!("no target: {e}"));
    let scripted = |name: &str, scenario: &'static str, bug: SdkBug, hop: Hop| {
        let target = target.clone();
        Trial::test(name, move || {
            let problems = run_buggy(&target, scenario, &[bug])?;
            differs_at(&problems, &hop)
        })
    };
    let real = |name: &str, scenario: &'static str, hop: Hop| {
        let (target, old_sdk) = (target.clone(), old_sdk.clone());
        afc::trial::skippable(&args, name.to_string(), skip.clone(), move || {
            old_sdk?;
            let problems = run_buggy(&target, scenario, &[])?;
            differs_at(&problems, &hop).map(|()| None)
        })
    };
    // The scripted scenarios' programs, run by the 0.1.91 SDK through the interpreter.
    let interpreted = |name: &str, scenario: &'static str, hop: Hop| {
        let (target, old_sdk) = (target.clone(), old_sdk.clone());
        afc::trial::skippable(&args, name.to_string(), skip.clone(), move || {
            old_sdk?;
            let problems = run_with(&target, scenario, &[], "python")?;
            differs_at(&problems, &hop).map(|()| None)
        })
    };
    let trials = vec![
        scripted(
            "scripted_drop_replay_headers_fails_the_headers_golden",
            "headers/three_levels_deep",
            SdkBug::DropReplayHeaders,
            THREE_LEVELS_LOST_TRIO,
        ),
        scripted(
            "scripted_drop_replay_headers_fails_the_restart_golden",
            "restart/restart_from_failed_child",
            SdkBug::DropReplayHeaders,
            RESTART_LOST_TRIO,
        ),
        scripted(
            "scripted_inherited_parent_fails_the_headers_golden",
            "headers/three_levels_deep",
            SdkBug::InheritedParent,
            // The root has no parent to inherit, so none reaches any hop below it.
            Hop {
                key: "run1/leaf.finish",
                headers: &[("parent", "run1/mid.branch", "absent")],
            },
        ),
        real(
            "sdk_0_1_91_fails_the_python_headers_golden",
            "python/sdk_headers_deep",
            Hop {
                key: "run2/deep.branch#1",
                headers: &[
                    ("replay_source", "run1", "absent"),
                    ("replay_before", "run1/deep.finish", "absent"),
                    ("replay_mode", "succeeded-before", "absent"),
                ],
            },
        ),
        real(
            "sdk_0_1_91_fails_the_python_restart_golden",
            "python/sdk_restart_functional",
            Hop {
                key: "run2/research.child#2",
                headers: &[
                    ("replay_source", "run1", "absent"),
                    ("replay_before", "run1/research.grandchild", "absent"),
                    ("replay_mode", "succeeded-before", "absent"),
                ],
            },
        ),
        interpreted(
            "sdk_0_1_91_interpreted_fails_the_headers_golden",
            "headers/three_levels_deep",
            THREE_LEVELS_LOST_TRIO,
        ),
        interpreted(
            "sdk_0_1_91_interpreted_fails_the_restart_golden",
            "restart/restart_from_failed_child",
            RESTART_LOST_TRIO,
        ),
    ];
    let conclusion = libtest_mimic::run(&args, trials);
    drop(target);
    conclusion.exit();
}
