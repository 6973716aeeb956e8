//! The neutrality self-check (issue 22), the direction a test binary can
//! hold at all times: a reference with ONE contract value broken
//! (`AFC_PERTURB=contract:<name>`, `reference::perturb::ContractBreak`) must
//! fail the scenarios that guard that value, each with a difference in the
//! view named below. Each break gets a reference of its own, in this
//! process; only the named scenarios run, so the check stays small.
//!
//! The other direction, that the whole contract tier passes against the
//! incidental perturbation, is `AFC_PERTURB=incidental cargo test --test
//! scenarios` (`.ci/run`). So that passing there means something, the trial
//! `incidental_changes_what_is_free_and_keeps_what_is_fixed` shows that the
//! incidental reference really answers differently (another key order, an
//! unknown key, other free texts) while keeping the texts the contract fixes.
//!
//! No golden is written for a broken reference: insta runs with `INSTA_UPDATE=no`.

use std::path::{Path, PathBuf};

use afc::reference::perturb::{ContractBreak, Perturb};
use afc::scenario::View;
use afc::suite::{self, Case, Problem, Verdict};
use afc::target::{Choice, Target};
use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::{json, Value};

/// Each break, and the scenarios that guard it with the view that must
/// differ. Found by running the whole suite under each break; the ones
/// named are those whose `guards:` cite the broken section.
const GUARDS: &[(ContractBreak, &[(&str, View)])] = &[
    (
        ContractBreak::LineageReuse,
        &[
            ("matrix/execution_succeeded_before_restart", View::Lineage),
            ("matrix/workflow_none_restart", View::Lineage),
            ("lineage/reads_agree", View::Lineage),
            ("errors/restart_ui_mirror", View::Lineage),
        ],
    ),
    (
        ContractBreak::DropReplayHit,
        &[
            ("replay/async_hit_response", View::Responses),
            ("replay/root_never_replays", View::Responses),
            ("replay/multiplicity", View::Provenance),
        ],
    ),
    (
        ContractBreak::DropReplayBefore,
        &[
            ("headers/three_levels_deep", View::Headers),
            ("restart/restart_from_failed_child", View::Headers),
            ("matrix/workflow_succeeded_before_restart", View::Headers),
            ("replay/parallel_siblings_boundary", View::Provenance),
        ],
    ),
    (
        ContractBreak::ReplayReasonPrefix,
        &[
            ("restart/restart_from_failed_child", View::Provenance),
            ("replay/earliest_wins", View::Provenance),
        ],
    ),
    (
        ContractBreak::AsyncHitStatus,
        &[("replay/async_hit_response", View::Responses)],
    ),
    (
        ContractBreak::AgentErrorCategory,
        &[("faults/agent_5xx_mid_graph", View::Responses)],
    ),
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A reference of its own with `perturb`, on its own thread and runtime,
/// serving until the process ends; its URL.
fn reference(perturb: Perturb) -> Result<String, Failed> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let config = afc::reference::Config {
        perturb,
        ..afc::reference::Config::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    std::thread::Builder::new()
        .name("afc-perturbed-reference".into())
        .spawn(move || {
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                let forever = std::future::pending::<()>();
                if let Err(e) = afc::reference::serve(listener, config, forever).await {
                    eprintln!("perturbed reference stopped: {e}");
                }
            })
        })
        .map_err(|e| e.to_string())?;
    Ok(format!("http://{addr}"))
}

fn target(perturb: Perturb) -> Result<Target, Failed> {
    let choice = Choice {
        url: Some(reference(perturb)?),
        ..Choice::default()
    };
    Target::start(&choice).map_err(|e| Failed::from(e.to_string()))
}

/// Runs each guard against a reference with `b` broken; each must fail,
/// among its problems a difference in the named view.
fn guards_fail(b: ContractBreak, guards: &[(&str, View)]) -> Result<(), Failed> {
    let target = target(Perturb {
        breaks: vec![b],
        ..Perturb::default()
    })?;
    let mut wrong = Vec::new();
    for (scenario, view) in guards {
        let case = Case {
            name: scenario.to_string(),
            path: PathBuf::from(format!("scenarios/{scenario}.yaml")),
        };
        let report = suite::run_case(&case, &target, Path::new("snapshots"));
        let problems = match report.verdict {
            Verdict::Failed { problems, .. } => problems,
            other => {
                wrong.push(format!("{scenario}: must fail, it was {other:?}"));
                continue;
            }
        };
        let in_view = problems
            .iter()
            .any(|p| matches!(p, Problem::ViewDiffers { view: v, .. } if v == view));
        if !in_view {
            let all = suite::rendered(&problems).join("\n  ");
            wrong.push(format!(
                "{scenario}: failed, but not in the {} view:\n  {all}",
                view.as_str()
            ));
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n").into())
    }
}

/// The same requests to a plain and an incidental reference: what the
/// contract fixes is equal, what it leaves free differs.
fn incidental_changes_what_is_free() -> Result<(), Failed> {
    let plain = target(Perturb::default())?.client();
    let perturbed =
        target(Perturb::parse("incidental", None).map_err(|e| e.to_string())?)?.client();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let ask = |c: afc::client::Client,
                   method: &'static str,
                   path: &'static str,
                   body: Option<Value>| async move {
            let r = match (method, body) {
                ("GET", _) => c.get(path).await,
                (_, Some(b)) => c.post(path, b).await,
                (_, None) => {
                    let raw = afc::client::Body::Raw("[".into());
                    c.send(reqwest::Method::POST, path, Some(&raw), &[]).await
                }
            };
            r.map_err(|e| Failed::from(e.to_string()))
        };
        let known = |v: &Value| -> Value {
            let mut v = v.clone();
            if let Some(m) = v.as_object_mut() {
                m.retain(|k, _| !k.starts_with("x_afc_"));
            }
            v
        };
        let keys = |v: &Value| -> Vec<String> {
            v.as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default()
        };
        let restart = "/api/v1/executions/nope/restart";
        // A text the contract fixes (§1.3 step 3) is kept; an unknown key is added.
        let (a, b) = (
            ask(
                plain.clone(),
                "POST",
                restart,
                Some(json!({"scope": "bad"})),
            )
            .await?,
            ask(
                perturbed.clone(),
                "POST",
                restart,
                Some(json!({"scope": "bad"})),
            )
            .await?,
        );
        check(
            a.status == 400 && b.status == 400,
            "both answer 400",
            &a.body,
            &b.body,
        )?;
        check(
            known(&b.body) == a.body,
            "the fixed answer is kept",
            &a.body,
            &b.body,
        )?;
        check(
            keys(&b.body).len() > keys(&a.body).len(),
            "an unknown key is added",
            &a.body,
            &b.body,
        )?;
        check(
            b.header("x-afc-perturbed").is_some(),
            "the unknown header",
            &a.body,
            &b.body,
        )?;
        // A prefix the contract fixes (§1.3 step 2) is kept, the decoder's words are not.
        let (a, b) = (
            ask(plain.clone(), "POST", restart, None).await?,
            ask(perturbed.clone(), "POST", restart, None).await?,
        );
        let (ea, eb) = (
            a.str("error").unwrap_or_default(),
            b.str("error").unwrap_or_default(),
        );
        let prefix = "invalid request body: ";
        check(
            ea.starts_with(prefix) && eb.starts_with(prefix) && ea != eb,
            "the bind error keeps its prefix and gets other words",
            &a.body,
            &b.body,
        )?;
        // A read: same values, another key order.
        let (a, b) = (
            ask(plain, "GET", "/api/ui/v2/workflow-runs", None).await?,
            ask(perturbed, "GET", "/api/ui/v2/workflow-runs", None).await?,
        );
        check(
            known(&b.body) == a.body,
            "the same values",
            &a.body,
            &b.body,
        )?;
        let order: Vec<String> = keys(&b.body)
            .into_iter()
            .filter(|k| !k.starts_with("x_afc_"))
            .collect();
        check(
            order != keys(&a.body),
            "another key order",
            &a.body,
            &b.body,
        )
    })
}

fn check(ok: bool, what: &str, plain: &Value, perturbed: &Value) -> Result<(), Failed> {
    if ok {
        Ok(())
    } else {
        Err(format!("incidental perturbation: expected {what}; plain answered {plain}, perturbed {perturbed}").into())
    }
}

fn main() {
    let args = Arguments::from_args();
    std::env::set_current_dir(workspace()).expect("the workspace root exists");
    // Before any thread starts: a broken reference records no golden.
    afc::suite::insta_env::expect_mismatches();
    let mut trials: Vec<Trial> = GUARDS
        .iter()
        .map(|&(b, guards)| {
            let name = format!("contract_{}_fails_its_guards", b.name());
            Trial::test(name, move || guards_fail(b, guards))
        })
        .collect();
    trials.push(Trial::test(
        "incidental_changes_what_is_free_and_keeps_what_is_fixed",
        incidental_changes_what_is_free,
    ));
    trials.push(Trial::test("every_break_has_guards", || {
        let missing: Vec<&str> = ContractBreak::ALL
            .iter()
            .filter(|b| !GUARDS.iter().any(|(g, s)| g == *b && !s.is_empty()))
            .map(|b| b.name())
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!("breaks without a guarding scenario: {missing:?}").into())
        }
    }));
    libtest_mimic::run(&args, trials).exit();
}
