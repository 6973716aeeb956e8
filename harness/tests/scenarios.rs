//! One trial per scenario file under `scenarios/`, found at run time, so a
//! new file needs no Rust change. Every trial goes through
//! `afc::suite::run_case` against the target the environment names
//! (`AGENTFIELD_URL`, `AGENTFIELD_IMAGE`, else the embedded reference) and
//! compares each view with `snapshots/<scenario>@<view>.snap`. A broken file
//! fails only its own trial; a scenario the target's profile cannot run is
//! reported `ignored (reason)`, never passed nor failed, even with
//! `--include-ignored` (`afc::trial`); so is one with a Python SDK agent where
//! no interpreter can be had (`AFC_PYTHON`, `.venv`, else the pinned SDK
//! provisioned on first use under target/afc-python, unless `AFC_OFFLINE=1`),
//! unless `AFC_REQUIRE_PYTHON` is set, as on CI. `AFC_AGENTS`
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

use std::sync::Arc;

use afc::suite::repeat::{self, Plan};
use afc::suite::stopped::{self, Watch};
use afc::suite::{self, Verdict};
use afc::target::Target;
use libtest_mimic::{Arguments, Failed};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Scenarios at once with interpreter agents when `--test-threads` is not
/// given: they mostly wait on the SDK's polling and the agents' processes,
/// not on the harness (BENCHMARKS.md).
const INTERPRETER_THREADS: usize = 4;

fn main() {
    // Before any thread: refuse a forged pass on CI, and let afc, not insta,
    // print each view's diff once (afc::suite::insta_env).
    if let Err(e) = suite::insta_env::prepare() {
        eprintln!("error: {e}");
        std::process::exit(2);
    }
    let mut args = Arguments::from_args();
    // Messages name files as `scenarios/<topic>/<name>.yaml`, from the workspace root.
    std::env::set_current_dir(workspace()).expect("the workspace root exists");
    let cases = suite::cases(Path::new("scenarios")).unwrap_or_else(|e| panic!("{e}"));
    let target = Target::from_env().unwrap_or_else(|e| panic!("no target: {e}"));
    // Once per test binary, before any scenario: a dead or wrong target is one
    // line and one exit (2, as `afc run`), not a failure per scenario. `--list`
    // (nextest lists every binary first) asks nothing of the target.
    if !args.list {
        if let Err(e) = target.check_health() {
            eprintln!("error: {e}");
            drop(target);
            std::process::exit(2);
        }
    }
    // `AFC_TIER=fidelity`: the same views with every field at Exact, against
    // the v0.1.96 overlay where it differs (observe::normative).
    let tier = afc::observe::Tier::from_env().unwrap_or_else(|e| panic!("{e}"));
    if tier != afc::observe::Tier::Contract {
        eprintln!("tier: {}", tier.as_str());
    }
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
    // `--list` (nextest lists every binary first) installs nothing; a run
    // provisions the Python SDK for the first selected scenario that needs it.
    afc::agents::provision::set_plan_only(args.list);
    // A target that stops answering mid-run: the scenarios after it are
    // not run (ignored, with the reason), and one account closes the run.
    let watch = Arc::new(Watch::new());
    let trials = cases
        .into_iter()
        .map(|case| {
            let skip = afc::trial::selected(&args, &case.name)
                .then(|| afc::scenario::load(&case.path).ok())
                .flatten()
                .and_then(|s| suite::skip_reason(&s, &target));
            let (target, goldens, watch) = (target.clone(), goldens.clone(), watch.clone());
            afc::trial::skippable(&args, case.name.clone(), skip, move || {
                if let Some(reason) = watch.refuse() {
                    return Ok(Some(reason));
                }
                let folded = repeat::run_case(&case, &target, &goldens, plan, &|_| {});
                if watch.after(&folded.report, &target) {
                    eprintln!("{}: the target stopped answering after it", case.name);
                }
                let verdict = folded.report.verdict;
                match verdict {
                    Verdict::Passed => Ok(None),
                    // Found only now (e.g. provisioning failed): still ignored.
                    Verdict::Skipped(reason) | Verdict::NotRun(reason) => Ok(Some(reason)),
                    Verdict::Flaky {
                        ref differences,
                        ref problems,
                        ..
                    } => {
                        let mut text = vec![afc::report::first_line(&verdict)];
                        text.extend(repeat::summary(differences));
                        text.extend(suite::rendered(problems));
                        Err(Failed::from(text.join("\n")))
                    }
                    Verdict::Failed { problems, .. } => {
                        let mut text = suite::rendered(&problems).join("\n");
                        if let Some(logs) = target.container_logs(20) {
                            text.push_str("\nlast container log lines:\n");
                            text.push_str(&logs);
                        }
                        Err(Failed::from(text))
                    }
                }
            })
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    if let Some(stopped) = watch.stopped() {
        let logs = target.container_logs(20);
        let account = stopped::account(&stopped, watch.refused(), &target, logs);
        eprintln!("\nerror: {account}");
    }
    // The container (if any) is removed here, before the process exits.
    drop(target);
    conclusion.exit();
}
