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
    let mut go_memo = HashMap::new();
    let mut groups: BTreeMap<String, Vec<(String, usize)>> = BTreeMap::new();
    for &i in &members {
        let key = order_key(w, run, i, &mut memo, 0, false);
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
        // A control plane may forward `1.0` as sent or as `1` (§3.4: bound as
        // float64); when the two spellings order the group differently, the
        // contract leaves the numbering open.
        let mut go: Vec<(String, usize)> = list
            .iter()
            .map(|(_, i)| (order_key(w, run, *i, &mut go_memo, 0, true), *i))
            .collect();
        go.sort();
        if go.iter().map(|(_, i)| i).ne(list.iter().map(|(_, i)| i)) {
            open = true;
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

fn order_key(
    w: &World,
    run: usize,
    i: usize,
    memo: &mut HashMap<usize, String>,
    guard: usize,
    go: bool,
) -> String {
    if let Some(k) = memo.get(&i) {
        return k.clone();
    }
    let e = &w.execs[i];
    let parent_key = match e.parent {
        Some(p) if w.execs[p].run == run && guard < 64 => order_key(w, run, p, memo, guard + 1, go),
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
    let restart_root =
        e.parent.is_none() && w.runs.iter().any(|r| r.root == i && r.lineage.is_some());
    // What `observe` orders by: a run or raw request's own key, the input the
    // caller sent, or for a restart root the body its agent received (none if down).
    let input = if restart_root {
        match (&e.dispatched, go) {
            (None, _) => serde_json::Value::Null,
            (Some(_), true) => super::request::go_numbers(&e.input),
            (Some(_), false) => e.input.clone(),
        }
    } else if go && e.by_agent {
        e.go_input.clone()
    } else {
        e.order_input.clone()
    };
    let input = crate::observe::canonical(&input);
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
