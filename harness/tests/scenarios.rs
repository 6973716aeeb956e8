//! One trial per scenario file under `scenarios/`, found at run time, so a
//! new file needs no Rust change. Every trial goes through
//! `afc::suite::run_case` against the target the environment names
//! (`AGENTFIELD_URL`, `AGENTFIELD_IMAGE`, else the embedded reference) and
//! compares each view with `snapshots/<scenario>@<view>.snap`. A broken file
//! fails only its own trial; a scenario the target's profile cannot run is
//! reported ignored, with the reason in its name, never passed; so is one
//! with a Python SDK agent where there is no interpreter (`AFC_PYTHON`,
//! `.venv`), unless `AFC_REQUIRE_PYTHON` is set, as on CI. `AFC_AGENTS`
//! (`python`, `python:serve`, `command:PATH`) runs every scenario's programs
//! with interpreter agents instead of the scripted ones, against the same
//! goldens (fixtures/agents/PROTOCOL.md).
//!
//! `AFC_REPEAT=N` runs each trial's scenario N times (`AFC_UNTIL_FAIL=1`: until
//! its first failure, at most N, 100 without `AFC_REPEAT`) and fails the trial
//! if any run failed; a flaky scenario (some runs passed) fails with
//! "flaky: passed k of N runs" and each distinct first difference. libtest has
//! only ok / FAILED / ignored, so flaky shows as FAILED; `afc run --repeat N`
//! has the FLAKY result and the counts in its table.

use std::path::{Path, PathBuf};

use afc::suite::repeat::{self, Plan};
use afc::suite::{self, Verdict};
use afc::target::Target;
use libtest_mimic::{Arguments, Failed, Trial};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Scenarios at once with interpreter agents when `--test-threads` is not
/// given: they mostly wait on the SDK's polling and the agents' processes,
/// not on the harness (BENCHMARKS.md).
const INTERPRETER_THREADS: usize = 4;

fn main() {
    let mut args = Arguments::from_args();
    // Messages name files as `scenarios/<topic>/<name>.yaml`, from the workspace root.
    std::env::set_current_dir(workspace()).expect("the workspace root exists");
    let cases = suite::cases(Path::new("scenarios")).unwrap_or_else(|e| panic!("{e}"));
    let target = Target::from_env().unwrap_or_else(|e| panic!("no target: {e}"));
    if let Some(startup) = target.startup {
        eprintln!("{} healthy after {startup:?}", target.kind);
    }
    if target.agents != afc::agents::AgentKind::Scripted {
        eprintln!(
            "agents: {} (fixtures/agents/PROTOCOL.md)",
            target.agents.label()
        );
        args.test_threads.get_or_insert(INTERPRETER_THREADS);
    }
    let goldens = PathBuf::from("snapshots");
    let plan = Plan::from_env().unwrap_or_else(|e| panic!("{e}"));
    let trials = cases
        .into_iter()
        .map(|case| {
            let skip = afc::scenario::load(&case.path)
                .ok()
                .and_then(|s| suite::skip_reason(&s, &target));
            let (target, goldens) = (target.clone(), goldens.clone());
            let trial = Trial::test(case.name.clone(), move || {
                let folded = repeat::run_case(&case, &target, &goldens, plan, &|_| {});
                let verdict = folded.report.verdict;
                match verdict {
                    Verdict::Passed => Ok(()),
                    Verdict::Skipped(reason) => Err(format!("skipped late: {reason}").into()),
                    Verdict::Flaky {
                        ref differences,
                        ref problems,
                        ..
                    } => {
                        let mut text = vec![afc::report::first_line(&verdict)];
                        text.extend(repeat::summary(differences));
                        text.extend(problems.iter().cloned());
                        Err(Failed::from(text.join("\n")))
                    }
                    Verdict::Failed { problems, .. } => {
                        let mut text = problems.join("\n");
                        if let Some(logs) = target.container_logs(20) {
                            text.push_str("\nlast container log lines:\n");
                            text.push_str(&logs);
                        }
                        Err(Failed::from(text))
                    }
                }
            });
            match skip {
                Some(reason) => trial
                    .with_kind(format!("skip: {reason}"))
                    .with_ignored_flag(true),
                None => trial,
            }
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    // The container (if any) is removed here, before the process exits.
    drop(target);
    conclusion.exit();
}
