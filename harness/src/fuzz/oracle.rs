//! The oracle's verdict: the model's predictions and the observed views, both
//! turned into `key: value` lines, and the lines that differ. A prediction
//! may allow several values where the contract leaves the choice open
//! (§3.5 earliest among unordered candidates); then any of them passes.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use super::alias::{self, depth};
use super::case::{Case, CaseStep};
use super::model::{Answer, Status, World};
use crate::scenario::View;

/// Key → the values it may take.
pub type Expected = BTreeMap<String, Vec<String>>;
/// Key → the value observed.
pub type Observed = BTreeMap<String, String>;

fn st(s: Status) -> String {
    s.as_str().into()
}

/// §5.4: the body of a refused golden save.
const NOT_SUCCEEDED: &str = "only succeeded runs can be saved as golden";
/// agent-protocol §3.3: a rejected transition's error, as the contract tier's
/// responses view shows it: its fixed prefix (the rest is the implementation's
/// wording; `observe::normative`).
const NOT_UPDATED: &str = "<prefix \"failed to update execution: \">";

/// Every alias, final.
pub fn names(w: &World) -> HashMap<usize, String> {
    (0..w.runs.len())
        .flat_map(|r| alias::aliases(w, r))
        .collect()
}

/// What the reads must show after the whole case.
pub fn expected(case: &Case, w: &World) -> Expected {
    let al = names(w);
    let name = |i: usize| al.get(&i).cloned().unwrap_or_else(|| format!("#{i}"));
    let mut out: Expected = BTreeMap::new();
    expect_runs(w, &name, &mut out);
    expect_executions(w, &name, &mut out);
    expect_answers(case, w, &name, &mut out);
    out
}

fn run_name(r: usize) -> String {
    format!("run{}", r + 1)
}

/// Each run's status, lineage and golden.
fn expect_runs(w: &World, name: &dyn Fn(usize) -> String, out: &mut Expected) {
    for (r, run) in w.runs.iter().enumerate() {
        out.insert(format!("{} status", run_name(r)), vec![st(w.run_status(r))]);
        let lineage = run.lineage.as_ref().map_or("none".to_string(), |l| {
            format!(
                "kind={} source_run={} source_execution={} restarted={} reuse={} scope={}",
                l.kind,
                run_name(l.source_run),
                name(l.source_exec),
                name(l.restarted),
                l.reuse,
                l.scope
            )
        });
        out.insert(format!("{} lineage", run_name(r)), vec![lineage]);
        let golden = if run.golden { "saved" } else { "none" };
        out.insert(format!("{} golden", run_name(r)), vec![golden.into()]);
    }
}

/// Each execution's line (one per allowed reuse source) and its dispatch headers.
fn expect_executions(w: &World, name: &dyn Fn(usize) -> String, out: &mut Expected) {
    for (i, e) in w.execs.iter().enumerate() {
        let parent = e.parent.map_or("~".to_string(), name);
        let base = format!(
            "parent={parent} status={} depth={}",
            st(e.status),
            depth(w, i)
        );
        let lineage_run = w.runs[e.run]
            .lineage
            .as_ref()
            .map(|l| run_name(l.source_run));
        let values = if e.hit.is_empty() {
            vec![base]
        } else {
            e.hit
                .iter()
                .map(|&s| {
                    // §6: source_run_id is back-filled from the run's lineage only.
                    let mut line = format!(
                        "{base} reuse={} source_run={} reason=replayed_from_execution:{} duration=0 copy=true",
                        name(s),
                        lineage_run.clone().unwrap_or_else(|| "~".into()),
                        name(s)
                    );
                    if e.by_agent {
                        line.push_str(&format!(" seen={}", name(s)));
                    }
                    line
                })
                .collect()
        };
        out.insert(name(i), values);
        if let Some(p) = &e.dispatched {
            let line = format!(
                "run={} parent={parent} source={} before={} mode={}",
                run_name(e.run),
                p.source.map_or("absent".into(), run_name),
                p.before.map_or("absent".into(), name),
                p.mode.clone().unwrap_or_else(|| "absent".into())
            );
            out.insert(format!("{} dispatch", name(i)), vec![line]);
        }
    }
}

/// The restart, golden and raw answers, by step.
fn expect_answers(case: &Case, w: &World, name: &dyn Fn(usize) -> String, out: &mut Expected) {
    for (k, (step, answer)) in case.steps.iter().zip(&w.answers).enumerate() {
        let key = format!("step {}", k + 1);
        match (step, answer) {
            (
                CaseStep::Restart(_),
                Answer::Restart {
                    run, mode, before, ..
                },
            ) => {
                let Some(l) = w.runs[*run].lineage.as_ref() else {
                    continue;
                };
                let line = format!(
                    "http=202 status=queued kind={} scope={} mode={mode} before={} restarted={} source={} source_run={}",
                    l.kind,
                    l.scope,
                    before.map_or("absent".into(), name),
                    name(l.restarted),
                    name(l.source_exec),
                    run_name(l.source_run)
                );
                out.insert(key, vec![line]);
            }
            (_, Answer::Golden(code)) => {
                // 200 answers the run's summary (status succeeded); 409 the error.
                let line = if *code == 200 {
                    format!("http={code} status=succeeded error=absent")
                } else {
                    format!("http={code} status=absent error={NOT_SUCCEEDED}")
                };
                out.insert(key, vec![line]);
            }
            (_, Answer::Callback { code, status }) => {
                // 200 answers the execution's view with its new status.
                let line = if *code == 200 {
                    format!("http={code} status={} error=absent", st(*status))
                } else {
                    format!("http={code} status=absent error={NOT_UPDATED}")
                };
                out.insert(key, vec![line]);
            }
            (_, Answer::Raw { code, status, hit }) => {
                let hits: Vec<String> = if hit.is_empty() {
                    vec!["absent".into()]
                } else {
                    hit.iter().map(|&h| name(h)).collect()
                };
                let lines = hits
                    .iter()
                    .map(|h| format!("http={code} status={status} hit={h}"))
                    .collect();
                out.insert(key, lines);
            }
            _ => {}
        }
    }
}

fn text(v: Option<&Value>) -> String {
    match v {
        None => "absent".into(),
        Some(Value::Null) => "~".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The same lines, read from the runner's views.
pub fn observed(case: &Case, views: &[(View, Value)]) -> Observed {
    let mut out = Observed::new();
    for (view, value) in views {
        match (view, value) {
            (View::Provenance, Value::Object(runs)) => from_provenance(runs, &mut out),
            (View::Lineage, Value::Object(runs)) => from_lineage(runs, &mut out),
            (View::Headers, Value::Object(hops)) => from_headers(hops, &mut out),
            (View::Responses, Value::Array(list)) => from_responses(case, list, &mut out),
            _ => {}
        }
    }
    out
}

/// Each run's status and each execution's parent, status, depth and reuse.
fn from_provenance(runs: &Map<String, Value>, out: &mut Observed) {
    for (run, r) in runs {
        out.insert(format!("{run} status"), text(r.get("status")));
        for (alias, e) in r["executions"].as_object().into_iter().flatten() {
            let mut line = format!(
                "parent={} status={} depth={}",
                text(e.get("parent")),
                text(e.get("status")),
                text(e.get("depth"))
            );
            let reuse = e.get("reuse").filter(|r| !r.is_null());
            if let Some(r) = reuse {
                line.push_str(&format!(
                    " reuse={} source_run={} reason={} duration={} copy={}",
                    text(r.get("source_execution").or(Some(r))),
                    text(r.get("source_run")),
                    text(e.get("status_reason")),
                    text(e.get("duration_ms")),
                    text(e.get("result_is_source_copy"))
                ));
            }
            if let Some(seen) = e.get("caller_saw_replay_hit").filter(|s| !s.is_null()) {
                line.push_str(&format!(" seen={}", text(Some(seen))));
            }
            out.insert(alias.clone(), line);
        }
    }
}

/// Each run's lineage and golden.
fn from_lineage(runs: &Map<String, Value>, out: &mut Observed) {
    for (run, r) in runs {
        let l = r.get("lineage").filter(|l| !l.is_null());
        let line = l.map_or("none".to_string(), |l| {
            if l.get("kind").is_none() {
                return l.to_string(); // the read surfaces disagree
            }
            format!(
                "kind={} source_run={} source_execution={} restarted={} reuse={} scope={}",
                text(l.get("kind")),
                text(l.get("source_run_id")),
                text(l.get("source_execution_id")),
                text(l.get("restarted_execution_id")),
                text(l.get("reuse")),
                text(l.get("scope"))
            )
        });
        out.insert(format!("{run} lineage"), line);
        let g = r.get("golden").filter(|g| !g.is_null());
        let golden = g.map_or("none".to_string(), |g| {
            if g.get("saved_by").is_some() {
                "saved".into()
            } else {
                g.to_string()
            }
        });
        out.insert(format!("{run} golden"), golden);
    }
}

/// The replay headers each hop received.
fn from_headers(hops: &Map<String, Value>, out: &mut Observed) {
    for (alias, h) in hops {
        let line = |h: &Value| {
            format!(
                "run={} parent={} source={} before={} mode={}",
                text(h.get("run")),
                text(h.get("parent")),
                text(h.get("replay_source")),
                text(h.get("replay_before")),
                text(h.get("replay_mode"))
            )
            .replace("parent=absent", "parent=~")
        };
        let v = match h {
            Value::Array(list) => list.iter().map(line).collect::<Vec<_>>().join(" | "),
            one => line(one),
        };
        out.insert(format!("{alias} dispatch"), v);
    }
}

/// The restart, golden and raw answers, by step.
fn from_responses(case: &Case, list: &[Value], out: &mut Observed) {
    let steps = case.rendered_steps();
    for r in list {
        let label = text(r.get("step"));
        let Some(n) = label
            .strip_prefix("step ")
            .and_then(|s| s.split(':').next())
            .and_then(|s| s.parse::<usize>().ok())
            .and_then(|n| steps.get(n.checked_sub(1)?).copied().flatten())
            .map(|i| i + 1)
        else {
            continue;
        };
        let b = &r["body"];
        let line = match case.steps.get(n - 1) {
                Some(CaseStep::Restart(_)) => format!(
                    "http={} status={} kind={} scope={} mode={} before={} restarted={} source={} source_run={}",
                    text(r.get("status")),
                    text(b.get("status")),
                    text(b.get("kind")),
                    text(b.get("scope")),
                    text(b.get("replay_mode")),
                    text(b.get("replay_before_execution_id")),
                    text(b.get("restarted_execution_id")),
                    text(b.get("source_execution_id")),
                    text(b.get("source_run_id"))
                ),
                Some(CaseStep::Golden(_) | CaseStep::Callback { .. }) => format!(
                    "http={} status={} error={}",
                    text(r.get("status")),
                    text(b.get("status")),
                    text(b.get("error"))
                ),
                Some(CaseStep::Raw(_)) => format!(
                    "http={} status={} hit={}",
                    text(r.get("status")),
                    text(b.get("status")),
                    text(r.pointer("/headers/x-agentfield-replay-hit"))
                ),
                _ => continue,
            };
        out.insert(format!("step {n}"), line);
    }
}

/// The differing lines, `-key: expected` then `+key: observed`.
pub fn differences(expected: &Expected, observed: &Observed) -> Vec<String> {
    let mut keys: Vec<&String> = expected.keys().chain(observed.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for k in keys {
        let want = expected.get(k);
        let got = observed.get(k);
        if let (Some(w), Some(g)) = (want, got) {
            if w.contains(g) {
                continue;
            }
        }
        out.push(format!(
            "-{k}: {}",
            want.map_or("(nothing)".to_string(), |w| w.join(" OR "))
        ));
        out.push(format!("+{k}: {}", got.map_or("(nothing)", String::as_str)));
    }
    out
}
