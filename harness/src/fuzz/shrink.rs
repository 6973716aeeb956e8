//! Shrinking: a failing case is reduced one edit at a time (drop a step, drop
//! an op, split a parallel group, drop an override or a context, simplify an
//! input), keeping each edit while the case still fails, until no edit helps
//! or the budget of re-runs is spent (greedy delta debugging).
//!
//! Why not proptest's shrinking: its value trees shrink a value drawn from a
//! strategy, but a case's later steps are drawn from the model's state after
//! the earlier ones (they name executions that must exist), which no
//! strategy combinator expresses; a case here is small, and edits that break
//! a reference are simply rejected by the model.

use serde_json::json;

use super::case::{Callee, Case, CaseStep, Op};
use super::model::World;

/// Every single-edit reduction of `case`, smallest effect last.
fn edits(case: &Case) -> Vec<Case> {
    let mut out = Vec::new();
    // Steps, last first (the first step is the run everything else needs).
    for i in (1..case.steps.len()).rev() {
        // A step that starts a run goes with every step naming that run.
        if matches!(case.steps[i], CaseStep::Hold | CaseStep::Restart(_)) {
            out.push(drop_run(case, i));
            continue;
        }
        let mut c = case.clone();
        let removed = c.steps.remove(i);
        if matches!(removed, CaseStep::Down(_)) {
            if let Some(j) = (i..c.steps.len()).find(|&j| matches!(c.steps[j], CaseStep::Up(_))) {
                c.steps.remove(j);
            }
        }
        out.push(c);
    }
    // A node call replaced by the callee's own program: one reasoner and one level fewer.
    for n in 0..case.nodes.len() {
        for k in 0..case.nodes[n].ops.len() {
            if let Op::Call(cs) = &case.nodes[n].ops[k] {
                if let Callee::Node(callee) = cs.callee {
                    let mut c = case.clone();
                    let body = case.nodes[callee].ops.clone();
                    c.nodes[n].ops.splice(k..=k, body);
                    out.push(c);
                }
            }
        }
    }
    // Ops of each node.
    for n in 0..case.nodes.len() {
        for k in 0..case.nodes[n].ops.len() {
            let mut c = case.clone();
            c.nodes[n].ops.remove(k);
            out.push(c);
            if let Op::Par(cs) = &case.nodes[n].ops[k] {
                for m in 0..cs.len() {
                    let mut c = case.clone();
                    let mut rest = cs.clone();
                    rest.remove(m);
                    c.nodes[n].ops[k] = if rest.len() == 1 {
                        Op::Call(rest.remove(0))
                    } else {
                        Op::Par(rest)
                    };
                    out.push(c);
                }
                let mut c = case.clone();
                c.nodes[n]
                    .ops
                    .splice(k..=k, cs.iter().cloned().map(Op::Call));
                out.push(c);
            }
        }
    }
    // Overrides, contexts and inputs.
    for i in 0..case.steps.len() {
        let mut simpler = |f: &dyn Fn(&mut CaseStep) -> bool| {
            let mut c = case.clone();
            if f(&mut c.steps[i]) {
                out.push(c);
            }
        };
        simpler(&|s| match s {
            CaseStep::Restart(r) if r.input.is_some() || r.context.is_some() => {
                r.input = None;
                r.context = None;
                true
            }
            CaseStep::Raw(r) if r.context.is_some() => {
                r.context = None;
                true
            }
            CaseStep::Run { context, .. } => context.take().is_some(),
            _ => false,
        });
        simpler(&|s| match s {
            CaseStep::Restart(r) if r.scope.is_some() || r.reuse.is_some() || r.fork => {
                r.scope = None;
                r.reuse = None;
                r.fork = false;
                true
            }
            _ => false,
        });
    }
    for n in 0..case.nodes.len() {
        for k in 0..case.nodes[n].ops.len() {
            if let Op::Call(cs) = &case.nodes[n].ops[k] {
                if matches!(cs.callee, Callee::Leaf(_)) && cs.input != json!({"k": 1}) {
                    let mut c = case.clone();
                    if let Op::Call(cs) = &mut c.nodes[n].ops[k] {
                        cs.input = json!({"k": 1});
                    }
                    out.push(c);
                }
            }
        }
    }
    out
}

/// `case` without the run that step `at` starts: the steps naming it go (and
/// the runs those start, in turn), and later runs are renumbered (runs are
/// numbered in the order steps start them).
fn drop_run(case: &Case, at: usize) -> Case {
    let starts = |s: &CaseStep| {
        matches!(
            s,
            CaseStep::Run { .. } | CaseStep::Restart(_) | CaseStep::Hold
        )
    };
    let run_of = |alias: &str| -> Option<(usize, usize)> {
        let digits: String = alias
            .strip_prefix("run")?
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        Some((digits.parse().ok()?, 3 + digits.len()))
    };
    let aliases = |s: &CaseStep| -> Vec<String> {
        match s {
            CaseStep::Golden(run) | CaseStep::Callback { run, .. } => vec![run.clone()],
            CaseStep::Restart(r) => vec![r.from.clone()],
            CaseStep::Raw(r) => [
                Some(&r.run),
                Some(&r.parent),
                r.source.as_ref(),
                r.before.as_ref(),
            ]
            .into_iter()
            .flatten()
            .cloned()
            .collect(),
            _ => Vec::new(),
        }
    };
    // Which steps go, and which runs with them.
    let mut gone_runs = Vec::new();
    let mut keep = vec![true; case.steps.len()];
    let mut runs = 0;
    for (i, step) in case.steps.iter().enumerate() {
        let names_gone = aliases(step)
            .iter()
            .any(|a| run_of(a).is_some_and(|(n, _)| gone_runs.contains(&n)));
        keep[i] = i != at && !names_gone;
        if starts(step) {
            runs += 1;
            if !keep[i] {
                gone_runs.push(runs);
            }
        }
    }
    let renumber = |alias: &mut String| {
        if let Some((n, len)) = run_of(alias) {
            let shift = gone_runs.iter().filter(|&&g| g < n).count();
            *alias = format!("run{}{}", n - shift, &alias[len..]);
        }
    };
    let mut c = case.clone();
    c.steps = Vec::new();
    for (step, _) in case.steps.iter().zip(&keep).filter(|(_, k)| **k) {
        let mut step = step.clone();
        match &mut step {
            CaseStep::Golden(run) | CaseStep::Callback { run, .. } => renumber(run),
            CaseStep::Restart(r) => renumber(&mut r.from),
            CaseStep::Raw(r) => {
                renumber(&mut r.run);
                renumber(&mut r.parent);
                for alias in [&mut r.source, &mut r.before].into_iter().flatten() {
                    renumber(alias);
                }
            }
            _ => {}
        }
        c.steps.push(step);
    }
    c
}

/// The smallest case reachable from `case` by edits that keep `fails` true,
/// spending at most `budget` calls of `fails`.
pub fn shrink(case: &Case, fails: &dyn Fn(&Case) -> bool, mut budget: usize) -> Case {
    let mut current = case.clone();
    'outer: loop {
        for candidate in edits(&current) {
            // An edit that leaves a step naming a missing row is no case at all.
            if World::play(&candidate).is_err() {
                continue;
            }
            if budget == 0 {
                break 'outer;
            }
            budget -= 1;
            if fails(&candidate) {
                current = candidate;
                continue 'outer;
            }
        }
        break;
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shrinks_to_what_the_predicate_needs() {
        // "Fails" while some node still calls a leaf: the rest goes.
        let calls_leaf = |c: &Case| {
            c.nodes.iter().any(|n| {
                n.ops.iter().any(|o| match o {
                    Op::Call(cs) => matches!(cs.callee, Callee::Leaf(_)),
                    Op::Par(cs) => cs.iter().any(|x| matches!(x.callee, Callee::Leaf(_))),
                    _ => false,
                })
            })
        };
        let case = (0..200)
            .map(super::super::generate)
            .find(|c| c.steps.len() > 2 && c.nodes.len() > 2 && calls_leaf(c))
            .expect("a seed below 200 gives a case with three nodes, three steps and a leaf call");
        let small = shrink(&case, &calls_leaf, 500);
        assert!(calls_leaf(&small));
        assert_eq!(small.steps.len(), 1, "every step but the run goes");
        let ops: usize = small.nodes.iter().map(|n| n.ops.len()).sum();
        assert_eq!(
            ops, 1,
            "one leaf call is all the predicate needs: {small:?}"
        );
    }

    #[test]
    fn a_held_run_goes_whole_and_later_runs_are_renumbered() {
        // A seed whose held run starts before some other run does.
        let (case, at) = (0..400)
            .map(super::super::generate)
            .find_map(|c| {
                let at = c.steps.iter().position(|s| matches!(s, CaseStep::Hold))?;
                let later = c.steps[at..]
                    .iter()
                    .any(|s| matches!(s, CaseStep::Restart(_)));
                later.then_some((c, at))
            })
            .expect("a seed below 400 starts a held run before a restart");
        let before = World::play(&case).expect("plays");
        let small = drop_run(&case, at);
        let after = World::play(&small).expect("the case without its held run still plays");
        assert_eq!(after.runs.len(), before.runs.len() - 1);
        assert!(
            after.runs.iter().all(|r| !r.held)
                || small.steps.iter().any(|s| matches!(s, CaseStep::Hold))
        );
        let held_moves = |c: &Case| {
            c.steps
                .iter()
                .filter(|s| matches!(s, CaseStep::Callback { .. }))
                .count()
        };
        assert!(
            held_moves(&small) < held_moves(&case),
            "its callbacks went with it"
        );
    }
}
