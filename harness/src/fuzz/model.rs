//! The model of the contract: it plays a case step by step the way a
//! conforming control plane and the scripted agents must, and records what
//! the reads must then show. It is written from the contract
//! (`restart-replay-contract.md` §1.3–§3.7, §5, §6), never from
//! `crate::reference`; the replay rules themselves are in `replay.rs`.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::case::{Agent, CallSpec, Case, CaseStep, Op, RawRequest, RestartPlan};
use super::replay::{lookup, Lookup, Plan};

/// Terminal status of a modelled execution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Finished well (or replayed).
    Succeeded,
    /// Failed.
    Failed,
}

/// One execution row.
#[derive(Clone, Debug)]
pub struct Exec {
    /// Model run index.
    pub run: usize,
    /// Hosting agent.
    pub agent: Agent,
    /// Reasoner name.
    pub reasoner: String,
    /// Parent execution.
    pub parent: Option<usize>,
    /// Input as sent.
    pub input: Value,
    /// Context as sent (roots and raw requests only).
    pub context: Option<Value>,
    /// What the alias order uses for it (`"step 0007"` for raw requests).
    pub order_input: Value,
    /// Terminal status.
    pub status: Status,
    /// The replay source(s): one, or several when the earliest is left open.
    pub hit: Vec<usize>,
    /// Executions whose rows were certainly created before this one.
    pub hb: BTreeSet<usize>,
    /// Executions certainly finished before this row was created.
    pub done: BTreeSet<usize>,
    /// The trio its replay lookup used, for a child row.
    pub looked_up: Option<Plan>,
    /// The trio the agent received, when it was dispatched.
    pub dispatched: Option<Plan>,
    /// Created by an agent's nested call (so the caller saw the hit header).
    pub by_agent: bool,
    /// Its input as the caller sends it when every forwarded body went
    /// through Go's float64 binding (`1.0` forwarded as `1`, §3.4).
    pub go_input: Value,
}

/// One run.
#[derive(Clone, Debug)]
pub struct Run {
    /// Root execution.
    pub root: usize,
    /// §5.2 lineage, as `key=value` text with execution indexes resolved later.
    pub lineage: Option<Lineage>,
    /// §5.4: a golden save succeeded.
    pub golden: bool,
}

/// §5.2 lineage of a restarted run.
#[derive(Clone, Debug)]
pub struct Lineage {
    /// `restart` or `fork` (§2.4).
    pub kind: &'static str,
    /// Source run.
    pub source_run: usize,
    /// Source execution.
    pub source_exec: usize,
    /// Restarted execution.
    pub restarted: usize,
    /// Requested reuse (normalised).
    pub reuse: String,
    /// Scope.
    pub scope: String,
}

/// What one step must answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// A run: its terminal root status.
    Run(Status),
    /// §1.4 restart 202, with the lineage it wrote; the new run's root status.
    Restart {
        /// The new run.
        run: usize,
        /// §2.2 `replay_mode`.
        mode: String,
        /// §2.2 `replay_before_execution_id`.
        before: Option<usize>,
        /// Root status.
        status: Status,
    },
    /// §5.4 golden: 200 or 409.
    Golden(u16),
    /// §3.6 / §3.7 direct execute: status, body status, hit source(s).
    Raw {
        /// HTTP status.
        code: u16,
        /// Body `status`.
        status: &'static str,
        /// `X-AgentField-Replay-Hit` (one of these).
        hit: Vec<usize>,
    },
    /// `down` / `up`.
    Nothing,
}

/// What one thread of calls knows at a point: rows certainly created, and
/// rows certainly finished, before it.
#[derive(Clone, Debug, Default)]
pub struct Seen {
    /// Created before.
    pub started: BTreeSet<usize>,
    /// Finished before.
    pub done: BTreeSet<usize>,
}

/// The model's state: every execution and run so far.
#[derive(Clone, Debug, Default)]
pub struct World {
    /// Executions, in the order the model created them.
    pub execs: Vec<Exec>,
    /// Runs, `run1` first.
    pub runs: Vec<Run>,
    /// Per step, what it must answer.
    pub answers: Vec<Answer>,
    /// Why the prediction is open, if it is.
    pub open: Vec<String>,
    stub_calls: Vec<u32>,
    down: BTreeSet<Agent>,
}

/// The case cannot be played: a step names something that does not exist.
#[derive(Debug, thiserror::Error)]
#[error("step {step}: {what}")]
pub struct Invalid {
    /// 1-based step.
    pub step: usize,
    /// What is missing.
    pub what: String,
}

impl World {
    /// Plays every step of `case`.
    pub fn play(case: &Case) -> Result<World, Invalid> {
        let mut w = World {
            stub_calls: vec![0; case.stubs.len()],
            ..World::default()
        };
        for (i, s) in case.steps.iter().enumerate() {
            w.apply(case, i + 1, s)?;
        }
        Ok(w)
    }

    /// Plays one step (`n` is its 1-based number).
    pub fn apply(&mut self, case: &Case, n: usize, step: &CaseStep) -> Result<(), Invalid> {
        if self.stub_calls.len() < case.stubs.len() {
            self.stub_calls.resize(case.stubs.len(), 0);
        }
        let bad = |what: String| Invalid { step: n, what };
        let answer = match step {
            CaseStep::Run { input, context } => {
                let (agent, reasoner) = case.callee(super::case::Callee::Node(0));
                let root = self.new_exec(agent, reasoner, None, input.clone(), context.clone());
                self.runs.push(Run {
                    root,
                    lineage: None,
                    golden: false,
                });
                self.execs[root].run = self.runs.len() - 1;
                let status = self.dispatch(case, root, Plan::default(), &mut Seen::default());
                Answer::Run(status)
            }
            CaseStep::Restart(r) => self.restart(case, r).map_err(bad)?,
            CaseStep::Golden(run) => {
                let run = self.run_index(run).map_err(bad)?;
                let ok = self.run_status(run) == Status::Succeeded;
                self.runs[run].golden |= ok;
                Answer::Golden(if ok { 200 } else { 409 })
            }
            CaseStep::Raw(r) => self.raw(case, n, r).map_err(bad)?,
            CaseStep::Down(a) => {
                self.down.insert(*a);
                Answer::Nothing
            }
            CaseStep::Up(a) => {
                self.down.remove(a);
                Answer::Nothing
            }
        };
        self.answers.push(answer);
        Ok(())
    }

    /// §7.2 derived status: any failed execution fails the run (all are terminal).
    pub fn run_status(&self, run: usize) -> Status {
        if self
            .execs
            .iter()
            .any(|e| e.run == run && e.status == Status::Failed)
        {
            Status::Failed
        } else {
            Status::Succeeded
        }
    }

    fn run_index(&self, alias: &str) -> Result<usize, String> {
        alias
            .strip_prefix("run")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n >= 1 && *n <= self.runs.len())
            .map(|n| n - 1)
            .ok_or_else(|| format!("no run {alias}"))
    }

    /// The execution an alias names now.
    pub fn resolve(&self, alias: &str) -> Result<usize, String> {
        let (run, _) = alias
            .split_once('/')
            .ok_or_else(|| format!("{alias} is not an execution alias"))?;
        let run = self.run_index(run)?;
        super::alias::aliases(self, run)
            .into_iter()
            .find(|(_, a)| a == alias)
            .map(|(i, _)| i)
            .ok_or_else(|| format!("no execution {alias}"))
    }

    fn new_exec(
        &mut self,
        agent: Agent,
        reasoner: String,
        parent: Option<usize>,
        input: Value,
        context: Option<Value>,
    ) -> usize {
        // Every row created so far by an earlier step precedes it; within a
        // step, callers pass what their thread knows.
        let run = parent.map_or(self.runs.len().saturating_sub(1), |p| self.execs[p].run);
        self.execs.push(Exec {
            run,
            agent,
            reasoner,
            parent,
            order_input: input.clone(),
            go_input: input.clone(),
            input,
            context,
            status: Status::Succeeded,
            hit: Vec::new(),
            hb: BTreeSet::new(),
            done: BTreeSet::new(),
            looked_up: None,
            dispatched: None,
            by_agent: false,
        });
        self.execs.len() - 1
    }

    /// The executions of earlier steps: all certainly created and finished.
    fn settled(&self, upto: usize) -> Seen {
        let all: BTreeSet<usize> = (0..upto).collect();
        Seen {
            started: all.clone(),
            done: all,
        }
    }

    /// Dispatches `e` under `plan` and plays its program; `known` grows by
    /// every row the program created. Returns the terminal status.
    fn dispatch(&mut self, case: &Case, e: usize, plan: Plan, known: &mut Seen) -> Status {
        if known.started.is_empty() {
            *known = self.settled(e);
        }
        self.execs[e].hb = known.started.clone();
        self.execs[e].done = known.done.clone();
        known.started.insert(e);
        let status = self.program(case, e, plan, known);
        self.execs[e].status = status;
        known.done.insert(e);
        status
    }

    fn program(&mut self, case: &Case, e: usize, plan: Plan, known: &mut Seen) -> Status {
        let agent = self.execs[e].agent;
        if self.down.contains(&agent) {
            // agent-protocol §3.4: the dispatch cannot reach it.
            return Status::Failed;
        }
        self.execs[e].dispatched = Some(plan.clone());
        let name = self.execs[e].reasoner.clone();
        let input = self.execs[e].input.clone();
        let Some(node) = name.strip_prefix('n').and_then(|i| i.parse::<usize>().ok()) else {
            return Status::Succeeded; // a leaf only returns
        };
        let ops = case
            .nodes
            .get(node)
            .map(|n| n.ops.clone())
            .unwrap_or_default();
        for op in ops {
            let ok = match op {
                Op::Call(c) => self.call(case, e, &c, &input, &plan, known),
                Op::Par(cs) => {
                    let base = known.clone();
                    let mut ok = true;
                    for c in &cs {
                        let mut k = base.clone();
                        ok &= self.call(case, e, c, &input, &plan, &mut k);
                        known.started.extend(k.started);
                        known.done.extend(k.done);
                    }
                    ok
                }
                // The scripted `unless_replay` fault: fails without a Source header.
                Op::Fail(_) => plan.source.is_some(),
                Op::Llm(s) => {
                    self.stub_calls[s] += 1;
                    self.stub_calls[s] > 1
                }
            };
            if !ok {
                return Status::Failed;
            }
        }
        Status::Succeeded
    }

    fn call(
        &mut self,
        case: &Case,
        parent: usize,
        c: &CallSpec,
        parent_input: &Value,
        plan: &Plan,
        known: &mut Seen,
    ) -> bool {
        let (agent, reasoner) = case.callee(c.callee);
        let input = render(&c.input, parent_input);
        let go_input = render(&c.input, &go_numbers(&self.execs[parent].go_input));
        let x = self.new_exec(agent, reasoner, Some(parent), input, None);
        self.execs[x].by_agent = true;
        self.execs[x].go_input = go_input;
        // §3.7 the agent forwards the trio it received, as received.
        self.child(case, x, plan.clone(), known) == Status::Succeeded
    }

    /// A child row: replay lookup, then a hit or a dispatch.
    fn child(&mut self, case: &Case, x: usize, plan: Plan, known: &mut Seen) -> Status {
        self.execs[x].hb = known.started.clone();
        self.execs[x].done = known.done.clone();
        self.execs[x].looked_up = Some(plan.clone());
        match lookup(&self.execs, x, &plan) {
            Lookup::Hit(s) => self.hit(x, vec![s], known),
            Lookup::HitOneOf(ss) => self.hit(x, ss, known),
            Lookup::Miss => self.dispatch(case, x, plan, known),
            Lookup::Open(why) => {
                self.open.push(why);
                self.dispatch(case, x, plan, known)
            }
            Lookup::Error => {
                self.open
                    .push("unsupported replay mode leaves the row running".into());
                Status::Failed
            }
        }
    }

    fn hit(&mut self, x: usize, sources: Vec<usize>, known: &mut Seen) -> Status {
        known.started.insert(x);
        known.done.insert(x);
        self.execs[x].hit = sources;
        Status::Succeeded
    }

    fn restart(&mut self, case: &Case, r: &RestartPlan) -> Result<Answer, String> {
        let source = self.resolve(&r.from)?;
        let scope = r.scope.clone().unwrap_or_else(|| "workflow".into());
        let reuse = r.reuse.clone().unwrap_or_else(|| "succeeded-before".into());
        let src_run = self.execs[source].run;
        // §2.1: workflow scope re-runs the run's root.
        let restarted = if scope == "execution" {
            source
        } else {
            self.runs[src_run].root
        };
        // §2.2 header plan.
        let mut plan = Plan {
            source: Some(src_run),
            before: Some(source),
            mode: Some(reuse.clone()),
        };
        if reuse == "none" {
            plan.source = None;
            plan.before = None;
        } else if scope == "execution" && reuse == "succeeded-before" {
            plan.mode = Some("all-succeeded".into());
            plan.before = None;
        }
        // §2.3 input and context; §2.4 kind.
        let stored = &self.execs[restarted];
        let input = match &r.input {
            Some(v) if !v.is_null() => v.clone(),
            _ => stored.input.clone(),
        };
        let context = match &r.context {
            Some(v) if !v.is_null() => Some(v.clone()),
            _ => stored.context.clone(),
        };
        let fork = r.fork
            || r.input.as_ref().is_some_and(|v| !v.is_null())
            || r.context.as_ref().is_some_and(|v| !v.is_null());
        let (agent, reasoner) = (stored.agent, stored.reasoner.clone());
        self.runs.push(Run {
            root: usize::MAX,
            lineage: Some(Lineage {
                kind: if fork { "fork" } else { "restart" },
                source_run: src_run,
                source_exec: source,
                restarted,
                reuse: reuse.clone(),
                scope,
            }),
            golden: false,
        });
        let root = self.new_exec(agent, reasoner, None, input, context);
        let run = self.runs.len() - 1;
        self.runs[run].root = root;
        let status = self.dispatch(case, root, plan.clone(), &mut Seen::default());
        Ok(Answer::Restart {
            run,
            mode: plan.mode.unwrap_or_default(),
            before: plan.before,
            status,
        })
    }

    fn raw(&mut self, case: &Case, n: usize, r: &RawRequest) -> Result<Answer, String> {
        let _ = self.run_index(&r.run)?;
        let parent = self.resolve(&r.parent)?;
        let plan = Plan {
            source: r.source.as_deref().map(|s| self.run_index(s)).transpose()?,
            before: r.before.as_deref().map(|b| self.resolve(b)).transpose()?,
            mode: r.mode.clone(),
        };
        let x = self.new_exec(
            r.agent,
            r.reasoner.clone(),
            Some(parent),
            r.input.clone(),
            r.context.clone(),
        );
        self.execs[x].order_input = json!(format!("step {n:04}"));
        let before_lookup = self.execs.len() - 1;
        let mut known = self.settled(before_lookup);
        let status = self.child(case, x, plan, &mut known);
        let hit = self.execs[x].hit.clone();
        let code = match (r.sync, status) {
            (false, _) => 202,
            (true, Status::Succeeded) => 200,
            (true, Status::Failed) => 502,
        };
        let body = if !hit.is_empty() || (r.sync && status == Status::Succeeded) {
            "succeeded"
        } else if r.sync {
            "failed"
        } else {
            "queued"
        };
        Ok(Answer::Raw {
            code,
            status: body,
            hit,
        })
    }
}

/// The scripted agents' template rule for the one binding a case uses:
/// `"$input"` and `"$input.path"` name the caller's input (or part of it,
/// `null` when missing).
fn render(t: &Value, input: &Value) -> Value {
    match t {
        Value::String(s) if s == "$input" => input.clone(),
        Value::String(s) if s.starts_with("$input.") => s["$input.".len()..]
            .split('.')
            .try_fold(input, |v, k| v.get(k))
            .cloned()
            .unwrap_or(Value::Null),
        Value::Array(a) => Value::Array(a.iter().map(|x| render(x, input)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), render(v, input)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A value as Go's float64 binding re-spells it: integral numbers without a fraction.
pub fn go_numbers(v: &Value) -> Value {
    match v {
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9e15 => Value::from(f as i64),
            _ => v.clone(),
        },
        Value::Array(a) => Value::Array(a.iter().map(go_numbers).collect()),
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, x)| (k.clone(), go_numbers(x))).collect())
        }
        other => other.clone(),
    }
}
