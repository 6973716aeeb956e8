//! The run list's indexes against summaries sorted the slow way.

use std::cmp::Ordering;

use chrono::TimeZone;
use serde_json::Value;

use super::*;
use crate::reference::status::Status;
use crate::reference::store::in_memory::InMemoryStore;
use crate::reference::store::Store;
use crate::reference::summary::{run_summary, SummaryKind};

fn exec(id: usize, run: usize, parent: Option<usize>, second: i64) -> Execution {
    Execution {
        parent_execution_id: parent.map(|p| format!("e{p}")),
        agent_node_id: format!("agent{}", run % 3),
        session_id: Some(format!("s{}", run % 2)),
        started_at: Utc
            .timestamp_opt(1_700_000_000 + second, 0)
            .single()
            .expect("valid"),
        ..Execution::running(
            format!("e{id}"),
            format!("run{run:02}"),
            "n".to_owned(),
            format!("r{}", id % 4),
            "{}".to_owned(),
        )
    }
}

/// 12 runs with varied sizes, parents, start times (with ties) and final statuses.
fn populated() -> InMemoryStore {
    let store = InMemoryStore::new();
    let statuses = [
        "succeeded",
        "failed",
        "cancelled",
        "running",
        "timeout",
        "paused",
    ];
    let mut id = 0;
    for run in 0..12 {
        let root = id;
        for k in 0..(run % 5 + 1) {
            let parent = (k > 0).then_some(root);
            let second = ((run * 7 + k * 3) % 10) as i64;
            store
                .insert_execution(exec(id, run, parent, second))
                .expect("insert");
            let status = statuses[(id * 5 + run) % statuses.len()];
            store
                .update_execution(&format!("e{id}"), &mut |e| {
                    e.status = Status::normalize(status).expect("a canonical status");
                    Ok(())
                })
                .expect("update");
            id += 1;
        }
    }
    store
}

/// The list order computed the slow way: a summary per run, then sorted
/// as the route sorted before it had indexes.
fn oracle(
    store: &InMemoryStore,
    sort: RunSort,
    asc: bool,
    keep: &dyn Fn(&Value) -> bool,
) -> Vec<String> {
    let mut rows: Vec<Value> = store
        .run_ids()
        .expect("ids")
        .iter()
        .map(|r| {
            run_summary(
                r,
                &store.run_executions(r).expect("execs"),
                None,
                SummaryKind::List,
            )
        })
        .filter(|v| keep(v))
        .collect();
    let failed = |v: &Value| -> u64 {
        ["failed", "cancelled", "timeout"]
            .iter()
            .filter_map(|s| v["status_counts"][*s].as_u64())
            .sum()
    };
    let cmp = |a: &Value, b: &Value| -> Ordering {
        let o = match sort {
            RunSort::UpdatedAt => a["updated_at"].as_str().cmp(&b["updated_at"].as_str()),
            RunSort::StartedAt => a["started_at"].as_str().cmp(&b["started_at"].as_str()),
            RunSort::Status => a["status"].as_str().cmp(&b["status"].as_str()),
            RunSort::TotalExecutions => a["total_executions"]
                .as_u64()
                .cmp(&b["total_executions"].as_u64()),
            RunSort::ActiveExecutions => a["active_executions"]
                .as_u64()
                .cmp(&b["active_executions"].as_u64()),
            RunSort::FailedSteps => failed(a).cmp(&failed(b)),
        };
        o.then_with(|| a["run_id"].as_str().cmp(&b["run_id"].as_str()))
    };
    rows.sort_by(|a, b| if asc { cmp(a, b) } else { cmp(b, a) });
    rows.iter()
        .map(|v| v["run_id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn listed(
    store: &InMemoryStore,
    sort: RunSort,
    asc: bool,
    filter: RunFilter,
    offset: usize,
    limit: usize,
) -> RunPage {
    store
        .list_runs(&RunQuery {
            sort,
            asc,
            filter,
            offset,
            limit,
        })
        .expect("list")
}

#[test]
fn every_sort_order_matches_summaries_sorted_the_slow_way() {
    let store = populated();
    for sort in SORTS {
        for asc in [true, false] {
            let want = oracle(&store, sort, asc, &|_| true);
            let page = listed(&store, sort, asc, RunFilter::default(), 0, 100);
            assert_eq!(page.run_ids, want, "{sort:?} asc={asc}");
            assert_eq!(page.total, 12);
            let second = listed(&store, sort, asc, RunFilter::default(), 5, 5);
            assert_eq!(
                second.run_ids,
                want[5..10],
                "{sort:?} asc={asc}, page 2 of 5"
            );
        }
    }
}

#[test]
fn filters_match_the_summary_fields() {
    let store = populated();
    let by_status = RunFilter {
        status: Some("FAILED".to_owned()),
        ..RunFilter::default()
    };
    let want = oracle(&store, RunSort::UpdatedAt, false, &|v| {
        v["status"] == "failed"
    });
    assert!(!want.is_empty(), "the fixture has failed runs");
    let page = listed(&store, RunSort::UpdatedAt, false, by_status, 0, 100);
    assert_eq!((page.run_ids, page.total), (want.clone(), want.len()));

    let search = RunFilter {
        search: Some("agent1".to_owned()),
        ..RunFilter::default()
    };
    let want = oracle(&store, RunSort::StartedAt, true, &|v| {
        v["agent_id"] == "agent1"
    });
    let page = listed(&store, RunSort::StartedAt, true, search, 1, 2);
    assert_eq!(page.run_ids, want[1..3]);
    assert_eq!(page.total, want.len());

    let session = RunFilter {
        session_id: Some("s1".to_owned()),
        ..RunFilter::default()
    };
    let want = oracle(&store, RunSort::TotalExecutions, false, &|v| {
        v["session_id"] == "s1"
    });
    assert_eq!(
        listed(&store, RunSort::TotalExecutions, false, session, 0, 100).run_ids,
        want
    );
}
