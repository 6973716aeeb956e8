//! Wall time of the whole scenario suite against the embedded reference,
//! through [`crate::suite::run_all`] with as many jobs as `cargo test` uses
//! (one per core), and each scenario's own elapsed time.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use super::{Stats, SuiteTime};
use crate::suite::{self, Verdict};
use crate::target::Target;

/// Runs the suite `runs` times (after one untimed run that warms the reference).
pub fn measure(scenarios: &Path, snapshots: &Path, runs: usize) -> Result<SuiteTime, String> {
    // A benchmark never writes `.snap.new` files or prints diffs.
    for (k, v) in [("INSTA_UPDATE", "no"), ("INSTA_OUTPUT", "none")] {
        if std::env::var_os(k).is_none() {
            std::env::set_var(k, v);
        }
    }
    let cases = suite::cases(scenarios)?;
    let target = Target::start(&Default::default()).map_err(|e| e.to_string())?;
    let jobs = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut totals = Vec::new();
    let mut per: BTreeMap<String, (Vec<f64>, bool)> = BTreeMap::new();
    for round in 0..=runs {
        let t0 = Instant::now();
        let reports = suite::run_all(&cases, &target, snapshots, jobs, &|_| {});
        let wall = t0.elapsed().as_secs_f64();
        if round == 0 {
            continue;
        }
        totals.push(wall);
        for r in reports {
            let e = per.entry(r.name).or_insert((Vec::new(), true));
            e.0.push(r.elapsed.as_secs_f64() * 1e3);
            e.1 &= r.verdict == Verdict::Passed;
        }
    }
    let total_s = Stats::of(totals);
    let failed = per.values().filter(|(_, ok)| !ok).count();
    eprintln!(
        "suite: {} scenarios, {jobs} jobs, {:.2} s [{:.2}–{:.2}], {failed} not passed",
        cases.len(),
        total_s.median,
        total_s.min,
        total_s.max
    );
    let scenarios = per
        .into_iter()
        .map(|(name, (ms, ok))| (name, Stats::of(ms).median, ok))
        .collect();
    Ok(SuiteTime {
        jobs,
        total_s,
        scenarios,
    })
}
