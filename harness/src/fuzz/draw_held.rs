//! The generator's held runs: a case may start one or two runs whose root
//! holds at its agent, and between its other steps move them by status
//! callbacks drawn from the protocol's transitions (allowed and refused,
//! canonical names and aliases) and try to save them as golden in whatever
//! state they are in. Every held run is left terminal: the reads wait for that.

use super::case::{Case, CaseStep, RestartPlan, HOLD};
use super::generate::{push, reuse_value, scope_value, Rng};
use super::model::{Status, World};
use super::status::SPELLINGS;

/// The held runs of a case being generated, and how many moves each has left.
#[derive(Debug, Default)]
pub struct HeldRuns {
    /// Runs still to start.
    to_start: usize,
    /// `(run alias, moves left)`.
    started: Vec<(String, usize)>,
}

impl HeldRuns {
    /// None, one or two held runs for this case.
    pub fn draw(rng: &mut Rng) -> HeldRuns {
        let to_start = if rng.chance(45) { 1 + rng.below(2) } else { 0 };
        HeldRuns {
            to_start,
            started: Vec::new(),
        }
    }

    /// At one point between the case's other steps: maybe start a held run,
    /// maybe move each started one once.
    pub fn step(&mut self, rng: &mut Rng, case: &mut Case, world: &mut World) {
        if self.to_start > 0 && rng.chance(50) {
            self.start(rng, case, world);
        }
        if !self.started.is_empty() && rng.chance(25) {
            self.restart(rng, case, world);
        }
        for k in 0..self.started.len() {
            if self.started[k].1 > 0 && rng.chance(60) {
                self.started[k].1 -= 1;
                let run = self.started[k].0.clone();
                moves(rng, case, world, &run);
            }
        }
    }

    /// At the end: every move left, then a terminal callback for a run not terminal.
    pub fn finish(&mut self, rng: &mut Rng, case: &mut Case, world: &mut World) {
        while self.to_start > 0 {
            self.start(rng, case, world);
        }
        for (run, left) in std::mem::take(&mut self.started) {
            for _ in 0..left {
                moves(rng, case, world, &run);
            }
            let status = root_status(world, &run);
            if !status.is_terminal() {
                // `waiting` may only end cancelled or failed (agent-protocol §3.3);
                // otherwise cancelled twice as often as timeout.
                let end: &[Status] = if status == Status::Waiting {
                    &[Status::Cancelled, Status::Failed]
                } else {
                    &[Status::Cancelled, Status::Timeout, Status::Cancelled]
                };
                let target = rng.pick(end);
                let status = spelling(rng, target);
                push(case, world, CaseStep::Callback { run, status });
            }
        }
    }

    /// A restart or fork of a held run, whatever its state (contract §1.3: no
    /// check on the source's status). Its new root holds again, so the new
    /// run is one more held run.
    fn restart(&mut self, rng: &mut Rng, case: &mut Case, world: &mut World) {
        let source = rng.pick(&self.started).0;
        let plan = RestartPlan {
            from: format!("{source}/h.{HOLD}"),
            scope: scope_value(rng),
            reuse: reuse_value(rng),
            fork: rng.chance(30),
            input: None,
            context: None,
        };
        let runs = world.runs.len();
        push(case, world, CaseStep::Restart(plan));
        if world.runs.len() > runs {
            let run = format!("run{}", world.runs.len());
            self.started.push((run, 1 + rng.below(3)));
        }
    }

    fn start(&mut self, rng: &mut Rng, case: &mut Case, world: &mut World) {
        self.to_start -= 1;
        push(case, world, CaseStep::Hold);
        let run = format!("run{}", world.runs.len());
        if rng.chance(60) {
            push(case, world, CaseStep::Golden(run.clone()));
        }
        self.started.push((run, 2 + rng.below(4)));
    }
}

fn root_status(world: &World, run: &str) -> Status {
    world.run_index(run).map_or(Status::Cancelled, |r| {
        world.execs[world.runs[r].root].status
    })
}

/// A callback drawn from the transitions out of the run's status now
/// (mostly allowed ones, some the guards refuse), and often a golden attempt
/// in the state it leaves the run in.
fn moves(rng: &mut Rng, case: &mut Case, world: &mut World, run: &str) {
    let step = callback(rng, world, run);
    push(case, world, step);
    if rng.chance(55) {
        push(case, world, CaseStep::Golden(run.to_string()));
    }
}

fn callback(rng: &mut Rng, world: &World, run: &str) -> CaseStep {
    use Status::*;
    let to: &[Status] = match root_status(world, run) {
        Running => &[
            Paused, Paused, Paused, Cancelled, Timeout, Running, Waiting, Waiting, Succeeded,
            Failed,
        ],
        Paused => &[Running, Running, Running, Cancelled, Timeout, Paused],
        Waiting => &[Running, Running, Cancelled, Failed, Paused, Timeout],
        // Out of a terminal status: refused back to a live one, allowed to another terminal one.
        Succeeded | Failed | Cancelled | Timeout => {
            &[Running, Paused, Cancelled, Timeout, Succeeded]
        }
    };
    let target = rng.pick(to);
    CaseStep::Callback {
        run: run.to_string(),
        status: spelling(rng, target),
    }
}

/// One of the spellings the protocol accepts for `status`.
fn spelling(rng: &mut Rng, status: Status) -> String {
    let all: Vec<&str> = SPELLINGS
        .iter()
        .filter(|(_, s)| *s == status)
        .map(|(name, _)| *name)
        .collect();
    rng.pick(&all).to_string()
}
