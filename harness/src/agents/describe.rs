//! The describe run of an interpreter (PROTOCOL.md §9, the capability
//! handshake): the command run once per mode with `AFC_DESCRIBE=1`, printing
//! what its SDK lacks and which known behaviours (traits) it has.
//!
//! It runs before any agent of a scenario starts, so that a scenario the
//! interpreter cannot play is skipped with the interpreter's own reason and
//! never half-runs. The answer is cached per command and mode for the process.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use serde::Deserialize;

use super::external::{Interpreter, Launcher};
use crate::scenario::Scenario;

/// How long a describe run may take.
pub const DESCRIBE_DEADLINE: Duration = Duration::from_secs(30);

pub use crate::scenario::{is_agent_capability, AGENT_CAPABILITIES};

/// What an interpreter said of itself.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct Description {
    /// The SDK it drives (`python`, `typescript`, …).
    #[serde(default)]
    pub sdk: String,
    /// That SDK's version.
    #[serde(default)]
    pub version: String,
    /// Capabilities it lacks, each with its reason.
    #[serde(default)]
    pub lacks: BTreeMap<String, String>,
    /// Known SDK behaviours a scenario's `not_with` may name.
    #[serde(default)]
    pub traits: Vec<String>,
}

/// A describe run that gave no description: an error, never a skip.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DescribeError {
    /// The command did not start.
    #[error("describe run of {command} ({mode} mode): cannot start it: {message}")]
    Spawn {
        /// The command, as shown.
        command: String,
        /// `functional` or `serve`.
        mode: String,
        /// The operating system's reason.
        message: String,
    },
    /// It did not exit within [`DESCRIBE_DEADLINE`].
    #[error("describe run of {command} ({mode} mode): not finished within {DESCRIBE_DEADLINE:?}, killed")]
    Timeout {
        /// The command, as shown.
        command: String,
        /// `functional` or `serve`.
        mode: String,
    },
    /// It exited non-zero, or printed no JSON object.
    #[error("describe run of {command} ({mode} mode): {what}; its output:\n{output}")]
    Answer {
        /// The command, as shown.
        command: String,
        /// `functional` or `serve`.
        mode: String,
        /// What was wrong (`exited with exit status: 1`, `no JSON object: …`).
        what: String,
        /// Its stdout and stderr, cut to the last lines.
        output: String,
    },
}

/// The variables of PROTOCOL.md §1 a describe run must not see.
const AGENT_ENV: &[&str] = &[
    "AFC_PROGRAM",
    "AFC_AGENT",
    "AFC_NODE_ID",
    "AFC_CP_URL",
    "AGENTFIELD_SERVER",
    "AFC_BARRIER_URL",
    "AGENT_CALLBACK_URL",
];

type Cache = Mutex<HashMap<(Vec<String>, String), Result<Description, DescribeError>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// `command` (program and arguments) described in `mode`, run at most once
/// per process for each pair (runs for other pairs wait their turn).
pub fn describe(command: &[PathBuf], mode: &str) -> Result<Description, DescribeError> {
    let key: Vec<String> = command.iter().map(|p| p.display().to_string()).collect();
    let mut cache = cache().lock().unwrap_or_else(|p| p.into_inner());
    if let Some(known) = cache.get(&(key.clone(), mode.to_string())) {
        return known.clone();
    }
    let (command, mode_owned) = (command.to_vec(), mode.to_string());
    // A thread of its own: the caller may be inside an async runtime.
    let answer = std::thread::spawn(move || run(&command, &mode_owned))
        .join()
        .unwrap_or_else(|_| {
            Err(DescribeError::Spawn {
                command: key.join(" "),
                mode: mode.to_string(),
                message: "the describe thread panicked".into(),
            })
        });
    cache.insert((key, mode.to_string()), answer.clone());
    answer
}

/// The calls of `scenario` from an agent to its own node, as
/// `agent.caller -> agent.callee`.
fn same_node_calls(scenario: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    for (name, agent) in &scenario.agents {
        for (reasoner, ops) in &agent.reasoners {
            for op in ops {
                let calls: Vec<&crate::scenario::Call> = match &op.value {
                    crate::scenario::Op::Call(c) => vec![c],
                    crate::scenario::Op::Parallel { calls, .. } => calls.iter().collect(),
                    _ => vec![],
                };
                out.extend(
                    calls
                        .into_iter()
                        .filter(|c| &c.agent == name)
                        .map(|c| format!("{name}.{reasoner} -> {name}.{}", c.reasoner)),
                );
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Why a failed scenario may have failed by a known trait of `interp`'s SDK:
/// `local_same_node_calls` where the scenario calls an agent's own node.
/// Named with the failure, never a skip: such a call is no checkpoint.
pub(crate) fn known_trait_failure(interp: &Interpreter, scenario: &Scenario) -> Option<String> {
    let local = for_scenario(interp, scenario)
        .ok()?
        .into_iter()
        .find(|d| d.traits.iter().any(|t| t == "local_same_node_calls"))?;
    let calls = same_node_calls(scenario);
    (!calls.is_empty()).then(|| {
        format!(
            "{} {} declares local_same_node_calls: a call to the agent's own node ({}) runs \
             in process and never reaches the control plane, so that hop has no execution, \
             no dispatch and no replay; every successful app.call is an implicit \
             checkpoint (contract §1.5, §3), and a restart re-runs this one",
            local.sdk,
            local.version,
            calls.join(", ")
        )
    })
}

/// The command that starts `interp`'s processes.
fn command(interp: &Interpreter) -> Result<Vec<PathBuf>, DescribeError> {
    match &interp.launcher {
        Launcher::Command(path) => Ok(vec![path.clone()]),
        Launcher::Python => {
            let no = |message: String| DescribeError::Spawn {
                command: "the Python interpreter".into(),
                mode: "any".into(),
                message,
            };
            let python = super::python::interpreter().map_err(|e| no(e.to_string()))?;
            let script = super::external::python_script().map_err(|e| no(e.to_string()))?;
            Ok(vec![python, script])
        }
    }
}

/// The modes `scenario`'s interpreted agents run in.
fn modes(interp: &Interpreter, scenario: &Scenario) -> BTreeSet<&'static str> {
    scenario
        .agents
        .values()
        .filter(|a| a.python.is_none())
        .map(|a| super::external::mode(interp, a.mode))
        .collect()
}

/// The descriptions of `interp` in every mode `scenario`'s interpreted agents run in.
pub(crate) fn for_scenario(
    interp: &Interpreter,
    scenario: &Scenario,
) -> Result<Vec<Description>, DescribeError> {
    let modes = modes(interp, scenario);
    if modes.is_empty() {
        return Ok(Vec::new());
    }
    let command = command(interp)?;
    modes.into_iter().map(|m| describe(&command, m)).collect()
}

/// Why `scenario` is not played by `interp`, whose static traits are
/// `traits`: a trait (its describe run's too) named in `not_with`, an
/// `agent.<capability>` it lacks (with its reason), or no Python to run it.
pub(crate) fn skip_reason(
    interp: &Interpreter,
    traits: &[String],
    scenario: &Scenario,
) -> Result<Option<String>, DescribeError> {
    if scenario.agents.values().all(|a| a.python.is_some()) {
        return Ok(None);
    }
    let named = |t: &str| {
        scenario
            .not_with
            .get(t)
            .map(|reason| format!("not with {t} agents: {reason}"))
    };
    if let Some(reason) = traits.iter().find_map(|t| named(t)) {
        return Ok(Some(reason));
    }
    if interp.launcher == Launcher::Python && std::env::var_os("AFC_REQUIRE_PYTHON").is_none() {
        if let Err(e) = super::python::interpreter() {
            return Ok(Some(e.to_string()));
        }
    }
    let serve = modes(interp, scenario).contains("serve");
    for d in for_scenario(interp, scenario)? {
        // Serve mode is the 202 + status callback path: no scenario can run
        // it with an interpreter that cannot take that path.
        if let Some(why) = d.lacks.get("callback_mode").filter(|_| serve) {
            return Ok(Some(format!(
                "{} {} lacks agent.callback_mode (serve mode): {why}",
                d.sdk, d.version
            )));
        }
        if let Some(reason) = d.traits.iter().find_map(|t| named(t)) {
            return Ok(Some(reason));
        }
        let lacking = scenario
            .requires
            .iter()
            .filter_map(|need| need.strip_prefix("agent."))
            .find_map(|cap| d.lacks.get(cap).map(|why| (cap, why)));
        if let Some((cap, why)) = lacking {
            return Ok(Some(format!(
                "{} {} lacks agent.{cap}: {why}",
                d.sdk, d.version
            )));
        }
    }
    Ok(None)
}

fn run(command: &[PathBuf], mode: &str) -> Result<Description, DescribeError> {
    let shown = command
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(" ");
    let spawn_error = |message: String| DescribeError::Spawn {
        command: shown.clone(),
        mode: mode.to_string(),
        message,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| spawn_error(e.to_string()))?;
    let (program, args) = command
        .split_first()
        .ok_or_else(|| spawn_error("no command".into()))?;
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(args)
        .env("AFC_DESCRIBE", "1")
        .env("AFC_MODE", mode)
        .envs(super::python::PYTHON_ENV)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for name in AGENT_ENV {
        cmd.env_remove(name);
    }
    let output = runtime.block_on(async {
        let child = cmd.spawn().map_err(|e| spawn_error(e.to_string()))?;
        tokio::time::timeout(DESCRIBE_DEADLINE, child.wait_with_output())
            .await
            .map_err(|_| DescribeError::Timeout {
                command: shown.clone(),
                mode: mode.to_string(),
            })?
            .map_err(|e| spawn_error(e.to_string()))
    })?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let answer_error = |what: String| DescribeError::Answer {
        command: shown.clone(),
        mode: mode.to_string(),
        what,
        output: tail(&format!(
            "{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        )),
    };
    if !output.status.success() {
        return Err(answer_error(format!("exited with {}", output.status)));
    }
    parse(&stdout).map_err(answer_error)
}

/// The one JSON object of a describe run's stdout (its last non-empty line,
/// so that an SDK's own start-up chatter before it does no harm).
pub fn parse(stdout: &str) -> Result<Description, String> {
    let line = stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .ok_or_else(|| "printed nothing on stdout".to_string())?;
    serde_json::from_str::<Description>(line.trim())
        .map_err(|e| format!("no JSON description object ({e})"))
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_description_is_read_from_the_last_line_and_may_omit_lists() {
        let d = parse("starting\n{\"sdk\":\"typescript\",\"version\":\"0.1.96\",\"lacks\":{\"exact_numbers\":\"JS numbers\"}}\n")
            .expect("valid");
        assert_eq!(d.sdk, "typescript");
        assert_eq!(d.lacks["exact_numbers"], "JS numbers");
        assert!(d.traits.is_empty());
        assert!(parse("").is_err());
        assert!(parse("[1]").is_err());
    }

    #[test]
    fn a_failing_or_silent_command_is_an_error_naming_it() {
        let sh = |script: &str| vec![PathBuf::from("/bin/sh"), "-c".into(), script.into()];
        let e = describe(&sh("echo boom; exit 3"), "functional").expect_err("exit 3");
        assert!(
            matches!(&e, DescribeError::Answer { what, output, .. }
                if what.contains("exit status: 3") && output.contains("boom")),
            "{e:?}"
        );
        let e = describe(&sh("echo not json"), "serve").expect_err("no JSON");
        assert!(
            e.to_string()
                .contains("/bin/sh -c echo not json (serve mode)"),
            "{e}"
        );
        let ok = describe(
            &sh("test \"$AFC_DESCRIBE$AFC_MODE\" = 1serve && test -z \"$AFC_PROGRAM\" && echo '{\"traits\":[\"t\"]}'"),
            "serve",
        )
        .expect("described");
        assert_eq!(ok.traits, ["t"]);
    }
}
