//! The names the harness gives the model's executions: the same rule as
//! `observe` (`runN/agent.reasoner#k`, `k` by depth, canonical input, then
//! the parent's key), so predictions and observations speak of the same rows.
//! Rows whose keys tie are numbered by creation order, which only timing
//! decides when causality does not order them: then the alias is open.

use std::collections::{BTreeMap, HashMap};

use super::model::World;
use super::replay::before;

/// `(execution index, alias)` for every execution of `run`.
pub fn aliases(w: &World, run: usize) -> Vec<(usize, String)> {
    named(w, run).0
}

/// Aliases, and whether any of them depends on timing.
pub fn named(w: &World, run: usize) -> (Vec<(usize, String)>, bool) {
    let members: Vec<usize> = (0..w.execs.len())
        .filter(|&i| w.execs[i].run == run)
        .collect();
    let mut memo = HashMap::new();
    let mut loose_memo = HashMap::new();
    let mut groups: BTreeMap<String, Vec<(String, usize)>> = BTreeMap::new();
    let mut loose: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for &i in &members {
        let key = order_key(w, run, i, &mut memo, 0, false);
        let e = &w.execs[i];
        loose
            .entry(format!("{}.{}", e.agent.name(), e.reasoner))
            .or_default()
            .push(order_key(w, run, i, &mut loose_memo, 0, true));
        let e = &w.execs[i];
        groups
            .entry(format!("{}.{}", e.agent.name(), e.reasoner))
            .or_default()
            .push((key, i));
    }
    let mut out = Vec::new();
    let mut open = false;
    let alias_run = run + 1;
    for (target, mut list) in groups {
        // Model index order is creation order; a tie is fixed only when causal.
        list.sort();
        for pair in list.windows(2) {
            if pair[0].0 == pair[1].0 && !before(&w.execs, pair[0].1, pair[1].1) {
                open = true;
            }
        }
        // A control plane may forward `1.0` as `1` (§3.4: bound as float64)
        // or as sent; rows whose keys differ only so, where one of them got
        // its input through such a forward, have an order the contract leaves open.
        let loose_keys = loose.get(&target).cloned().unwrap_or_default();
        let loose_of = |i: usize| {
            let pos = members_of(w, run, &target).iter().position(|&m| m == i);
            pos.and_then(|p| loose_keys.get(p).cloned())
        };
        for (a, (ka, ia)) in list.iter().enumerate() {
            for (kb, ib) in &list[a + 1..] {
                let either = w.execs[*ia].respelled || w.execs[*ib].respelled;
                if either && ka != kb && loose_of(*ia) == loose_of(*ib) {
                    open = true;
                }
            }
        }
        let numbered = list.len() > 1;
        for (k, (_, i)) in list.iter().enumerate() {
            let alias = if numbered {
                format!("run{alias_run}/{target}#{}", k + 1)
            } else {
                format!("run{alias_run}/{target}")
            };
            out.push((*i, alias));
        }
    }
    (out, open)
}

fn members_of(w: &World, run: usize, target: &str) -> Vec<usize> {
    (0..w.execs.len())
        .filter(|&i| {
            let e = &w.execs[i];
            e.run == run && format!("{}.{}", e.agent.name(), e.reasoner) == target
        })
        .collect()
}

fn order_key(
    w: &World,
    run: usize,
    i: usize,
    memo: &mut HashMap<usize, String>,
    guard: usize,
    loose: bool,
) -> String {
    if let Some(k) = memo.get(&i) {
        return k.clone();
    }
    let e = &w.execs[i];
    let parent_key = match e.parent {
        Some(p) if w.execs[p].run == run && guard < 64 => order_key(w, run, p, memo, guard + 1, loose),
        _ => String::new(),
    };
    let depth = if parent_key.is_empty() {
        0
    } else {
        parent_key
            .split('\u{1}')
            .next()
            .and_then(|d| d.parse::<usize>().ok())
            .map_or(0, |d| d + 1)
    };
    let input = if w.execs[i].dispatched.is_none() && e.parent.is_none() && !e.by_agent {
        // A restart root the agent never received (agent down): no input is known.
        if w.runs.iter().any(|r| r.root == i && r.lineage.is_some()) {
            serde_json::Value::Null
        } else {
            e.order_input.clone()
        }
    } else {
        e.order_input.clone()
    };
    let input = if loose {
        super::replay::canonical(&input)
    } else {
        crate::observe::canonical(&input)
    };
    let key = format!("{depth:04}\u{1}{input}\u{1}{parent_key}");
    memo.insert(i, key.clone());
    key
}

/// Depth of an execution: parent hops to its run's root.
pub fn depth(w: &World, i: usize) -> usize {
    let mut d = 0;
    let mut cur = w.execs[i].parent;
    while let Some(p) = cur {
        d += 1;
        cur = w.execs[p].parent;
    }
    d
}
