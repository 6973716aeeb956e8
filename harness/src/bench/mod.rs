//! `afc bench` and `cargo bench`: how fast a control plane restarts with full
//! reuse as the source run grows, what one nested hop costs next to the
//! loopback floor, how long the scenario suite takes, and the peak memory of
//! `afc serve` holding a large run and its restart.
//!
//! Every figure is a set of samples summarised as median, min and max; no
//! test asserts a time. Targets are the embedded reference (default) or any
//! control plane by URL, all measured in one run with one bench agent each.

mod agent;
mod hop;
mod output;
mod peak_rss;
#[cfg(feature = "plot")]
mod plot;
mod render;
mod restart;
mod suite_time;

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use agent::BenchAgent;
pub use output::{merge, read_report, write_outputs};
#[cfg(feature = "plot")]
pub use plot::plot_restart;
pub use render::markdown;

/// A control plane to measure.
#[derive(Clone, Debug)]
pub struct TargetSpec {
    /// Label in tables and the plot.
    pub name: String,
    /// Base URL; `None` is the embedded reference.
    pub url: Option<String>,
}

impl TargetSpec {
    /// `reference`, `reference-sqlite`, `URL` or `NAME=URL`.
    pub fn parse(s: &str) -> TargetSpec {
        let s = s.trim();
        if s == "reference" {
            return TargetSpec::reference();
        }
        if s == SQLITE_REFERENCE {
            return TargetSpec {
                name: SQLITE_REFERENCE.to_owned(),
                url: None,
            };
        }
        match s.split_once('=') {
            Some((name, url)) if !name.contains('/') => TargetSpec {
                name: name.to_owned(),
                url: Some(url.to_owned()),
            },
            _ => TargetSpec {
                name: s.to_owned(),
                url: Some(s.to_owned()),
            },
        }
    }

    /// The embedded reference control plane.
    pub fn reference() -> TargetSpec {
        TargetSpec {
            name: "reference".to_owned(),
            url: None,
        }
    }
}

/// The embedded reference on the SQLite store, in a temporary data dir.
pub const SQLITE_REFERENCE: &str = "reference-sqlite";

/// What to measure and how often.
#[derive(Clone, Debug)]
pub struct Options {
    /// Control planes, measured in this order.
    pub targets: Vec<TargetSpec>,
    /// API key for URL targets.
    pub api_key: Option<String>,
    /// Samples per figure.
    pub runs: usize,
    /// Children of the restart source run.
    pub sizes: Vec<usize>,
    /// Fan-out modes: `sequential`, `parallel`.
    pub modes: Vec<String>,
    /// Children in flight in the parallel fan-out.
    pub concurrency: usize,
    /// Hops of the chain.
    pub depth: usize,
    /// A size whose estimated time (source run plus restarts) exceeds this is skipped.
    pub budget: Duration,
    /// Measure restart scaling.
    pub restart: bool,
    /// Measure per-hop overhead and the floor.
    pub hop: bool,
    /// Time the scenario suite against the embedded reference: (scenarios, snapshots).
    pub suite: Option<(PathBuf, PathBuf)>,
    /// Measure the peak RSS of `afc serve` (this binary) at the largest size.
    pub afc_bin: Option<PathBuf>,
}

/// Median, min and max of a set of samples, in one unit.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Stats {
    /// Median (the mean of the two middle samples for an even count).
    pub median: f64,
    /// Smallest sample.
    pub min: f64,
    /// Largest sample.
    pub max: f64,
    /// Every sample, in measurement order.
    pub samples: Vec<f64>,
}

impl Stats {
    /// Summarises `samples`; all zero when empty.
    pub fn of(samples: Vec<f64>) -> Stats {
        let mut sorted = samples.clone();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        if n == 0 {
            return Stats::default();
        }
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        Stats {
            median,
            min: sorted[0],
            max: sorted[n - 1],
            samples,
        }
    }

    /// Every sample scaled by `k` (e.g. a total to a per-item time).
    pub fn scaled(&self, k: f64) -> Stats {
        Stats::of(self.samples.iter().map(|s| s * k).collect())
    }
}

/// One restart-scaling point: a target, a fan-out mode and a source size.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RestartPoint {
    /// Target label.
    pub target: String,
    /// `sequential` or `parallel`.
    pub mode: String,
    /// Children of the source run.
    pub n: usize,
    /// Building the source run (execute the root to its failed terminal status), ms.
    pub source_ms: Option<f64>,
    /// Restart request to the new root's terminal status, ms.
    pub restart_ms: Option<Stats>,
    /// `restart_ms` divided by the children reused, µs.
    pub per_reused_us: Option<Stats>,
    /// Children replayed in each restart (full reuse is n - 1).
    pub reused: Vec<u64>,
    /// Why the point has no figures (skipped, or a failure).
    pub note: Option<String>,
}

/// Per-hop figures of one target.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HopPoint {
    /// Target label.
    pub target: String,
    /// Chain depth.
    pub depth: usize,
    /// Whole chain divided by its depth, µs.
    pub per_hop_us: Option<Stats>,
    /// The loopback floor per hop (two bare round trips) in the same rounds, µs.
    pub floor_us: Option<Stats>,
    /// Why there is no figure.
    pub note: Option<String>,
}

/// Suite timing against the embedded reference.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SuiteTime {
    /// Scenarios run at once.
    pub jobs: usize,
    /// Wall time of the whole suite, s.
    pub total_s: Stats,
    /// Per scenario: name, median elapsed in ms, passed in every run.
    pub scenarios: Vec<(String, f64, bool)>,
}

/// Peak memory of `afc serve` holding a source run and its restart, one
/// fresh process per sample.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PeakRss {
    /// Children of the source run.
    pub n: usize,
    /// VmHWM right after startup, MiB.
    pub startup_mib: Stats,
    /// VmHWM after the source run and its restart, MiB.
    pub hwm_mib: Stats,
    /// VmRSS at the end, MiB.
    pub rss_mib: Stats,
    /// Children reused by each restart.
    pub reused: Vec<u64>,
}

/// Everything one `afc bench` run measured.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Report {
    /// `uptime` before and after, `nproc`, `uname -srm`.
    pub machine: Vec<String>,
    /// The command line.
    pub command: String,
    /// Samples per figure.
    pub runs: usize,
    /// Parallel fan-out concurrency.
    pub concurrency: usize,
    /// Restart scaling.
    pub restart: Vec<RestartPoint>,
    /// Per-hop overhead per target.
    pub hops: Vec<HopPoint>,
    /// Suite timing.
    pub suite: Option<SuiteTime>,
    /// Peak RSS of `afc serve`.
    pub memory: Option<PeakRss>,
    /// Problems that did not stop the run.
    pub problems: Vec<String>,
}

/// A short machine description: load, cores, kernel.
pub fn machine_line() -> String {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let load = read("/proc/loadavg");
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let kernel = read("/proc/sys/kernel/osrelease");
    format!(
        "load average {} | {cores} cores | Linux {}",
        load.join(", "),
        kernel.trim()
    )
}

/// Runs every measurement `opts` asks for, printing progress to stderr.
/// Blocking: it owns its runtimes.
pub fn run(opts: &Options, command: String) -> Report {
    let mut report = Report {
        command,
        runs: opts.runs,
        concurrency: opts.concurrency,
        ..Report::default()
    };
    report.machine.push(format!("start: {}", machine_line()));
    if let Some((scenarios, snapshots)) = &opts.suite {
        match suite_time::measure(scenarios, snapshots, opts.runs) {
            Ok(s) => report.suite = Some(s),
            Err(e) => report.problems.push(format!("suite: {e}")),
        }
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            report.problems.push(format!("cannot start a runtime: {e}"));
            return report;
        }
    };
    runtime.block_on(async {
        for spec in &opts.targets {
            // Kept until this target is measured: a SQLite reference stops when dropped.
            let embedded = match (&spec.url, spec.name.as_str()) {
                (Some(u), _) => Ok((u.clone(), None)),
                (None, SQLITE_REFERENCE) => {
                    crate::target::Target::embedded_sqlite().map(|t| (t.url.clone(), Some(t)))
                }
                (None, _) => {
                    crate::target::Target::start(&Default::default()).map(|t| (t.url, None))
                }
            };
            let (url, _private) = match embedded {
                Ok(e) => e,
                Err(e) => {
                    report.problems.push(format!("{}: {e}", spec.name));
                    continue;
                }
            };
            let key = spec.url.as_ref().and(opts.api_key.clone());
            if opts.hop {
                report
                    .hops
                    .push(hop::measure(spec, &url, key.clone(), opts).await);
            }
            if opts.restart {
                let points = restart::measure(spec, &url, key, opts).await;
                report.restart.extend(points);
            }
        }
        if let Some(bin) = &opts.afc_bin {
            let n = opts.sizes.iter().copied().max().unwrap_or(10_000);
            match peak_rss::measure(bin, n, opts.concurrency, opts.runs).await {
                Ok(m) => report.memory = Some(m),
                Err(e) => report.problems.push(format!("memory: {e}")),
            }
        }
    });
    report.machine.push(format!("end: {}", machine_line()));
    report
}

/// A node id no other run uses (no dots: targets split on the first one).
fn node_id(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_take_the_middle_and_the_extremes() {
        let s = Stats::of(vec![3.0, 1.0, 2.0]);
        assert_eq!((s.median, s.min, s.max), (2.0, 1.0, 3.0));
        assert_eq!(s.samples, vec![3.0, 1.0, 2.0]);
        assert_eq!(Stats::of(vec![4.0, 1.0, 2.0, 3.0]).median, 2.5);
        assert_eq!(Stats::of(vec![]).median, 0.0);
        assert_eq!(Stats::of(vec![2.0, 4.0]).scaled(0.5).max, 2.0);
    }

    #[test]
    fn merge_fills_in_measured_points_only() {
        let point = |n, ms: Option<f64>| RestartPoint {
            target: "real".into(),
            mode: "sequential".into(),
            n,
            source_ms: None,
            restart_ms: ms.map(|m| Stats::of(vec![m])),
            per_reused_us: None,
            reused: vec![],
            note: ms.is_none().then(|| "skipped".into()),
        };
        let first = Report {
            restart: vec![point(1, Some(1.0)), point(2, None)],
            ..Report::default()
        };
        let later = Report {
            restart: vec![point(2, Some(9.0)), point(3, None)],
            ..Report::default()
        };
        let merged = merge(first, vec![later]);
        let ns: Vec<(usize, bool)> = merged
            .restart
            .iter()
            .map(|p| (p.n, p.restart_ms.is_some()))
            .collect();
        assert_eq!(ns, vec![(1, true), (2, true)]);
    }

    #[test]
    fn targets_parse_as_reference_url_or_named_url() {
        assert!(TargetSpec::parse("reference").url.is_none());
        let t = TargetSpec::parse("real=http://127.0.0.1:1");
        assert_eq!(
            (t.name.as_str(), t.url.as_deref()),
            ("real", Some("http://127.0.0.1:1"))
        );
        let t = TargetSpec::parse("http://h:1/x=y");
        assert_eq!(t.url.as_deref(), Some("http://h:1/x=y"));
    }
}
