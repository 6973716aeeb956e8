//! The model of the contract: it plays a case step by step the way a
//! conforming control plane and the scripted agents must, and records what
//! the reads must then show. It is written from the contract
//! (`restart-replay-contract.md` §1.3–§3.7, §5, §6), never from
//! `crate::reference`; the replay rules themselves are in `replay.rs`.

use std::collections::BTreeSet;

use serde_json::Value;

use super::case::{Agent, CallSpec, Case, CaseStep, Op};
use super::replay::{lookup, Lookup, Plan};
pub use super::status::Status;

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
    /// Its root is `h.hold`, moved only by status callbacks.
    pub held: bool,
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
    /// agent-protocol §3.3 status callback: 200 with the new status, or the
    /// rejected transition's 500 `failed to update execution: …`.
    Callback {
        /// HTTP status.
        code: u16,
        /// The canonical status the row has after it.
        status: Status,
    },
    /// `down` / `up`, and a held run's start (no terminal status to expect).
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
        if let Some(r) = w.unsettled() {
            return Err(Invalid {
                step: case.steps.len(),
                what: format!("run{} is left running: the reads would wait for it", r + 1),
            });
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
                    held: false,
                });
                self.execs[root].run = self.runs.len() - 1;
                let status = self.dispatch(case, root, Plan::default(), &mut Seen::default());
                Answer::Run(status)
            }
            CaseStep::Restart(r) => self.restart(case, r).map_err(bad)?,
            CaseStep::Golden(run) => {
                let run = self.run_index(run).map_err(bad)?;
                // §5.4: only a run whose derived status is succeeded is saved;
                // 409 writes nothing.
                let ok = self.run_status(run) == Status::Succeeded;
                self.runs[run].golden |= ok;
                Answer::Golden(if ok { 200 } else { 409 })
            }
            CaseStep::Hold => self.hold(case),
            CaseStep::Callback { run, status } => self.callback(run, status).map_err(bad)?,
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

    /// The model index of run alias `runN`.
    pub fn run_index(&self, alias: &str) -> Result<usize, String> {
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

    pub(super) fn new_exec(
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
    pub(super) fn settled(&self, upto: usize) -> Seen {
        let all: BTreeSet<usize> = (0..upto).collect();
        Seen {
            started: all.clone(),
            done: all,
        }
    }

    /// Dispatches `e` under `plan` and plays its program; `known` grows by
    /// every row the program created. Returns the terminal status.
    pub(super) fn dispatch(
        &mut self,
        case: &Case,
        e: usize,
        plan: Plan,
        known: &mut Seen,
    ) -> Status {
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
        if agent == Agent::H {
            return Status::Running; // `h.hold` waits at a barrier nothing releases
        }
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
        let input = super::request::render(&c.input, parent_input);
        let go_input = super::request::render(
            &c.input,
            &super::request::go_numbers(&self.execs[parent].go_input),
        );
        let x = self.new_exec(agent, reasoner, Some(parent), input, None);
        self.execs[x].by_agent = true;
        self.execs[x].go_input = go_input;
        // §3.7 the agent forwards the trio it received, as received.
        self.child(case, x, plan.clone(), known) == Status::Succeeded
    }

    /// A child row: replay lookup, then a hit or a dispatch.
    pub(super) fn child(&mut self, case: &Case, x: usize, plan: Plan, known: &mut Seen) -> Status {
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
}
