//! `afc bench`: the command line of `afc::bench`.

use std::path::PathBuf;
use std::time::Duration;

use afc::bench::{self, Options, TargetSpec};
use afc::report::Exit;
use clap::Args;

/// What `afc bench` measures and where the results go.
#[derive(Args, Clone, Debug)]
pub struct BenchArgs {
    /// Control plane to measure: `reference` (the embedded one, in memory),
    /// `reference-sqlite` (embedded, on SQLite), a URL, or NAME=URL; repeat to compare.
    #[arg(long = "url", default_value = "reference")]
    pub urls: Vec<String>,
    /// API key for URL targets.
    #[arg(long, env = "AGENTFIELD_API_KEY")]
    pub api_key: Option<String>,
    /// Samples per figure.
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// Children of the restart source run.
    #[arg(long, value_delimiter = ',', default_value = "100,1000,10000")]
    pub sizes: Vec<usize>,
    /// Fan-out modes of the restart source run.
    #[arg(long, value_delimiter = ',', default_value = "sequential,parallel",
          value_parser = ["sequential", "parallel"])]
    pub modes: Vec<String>,
    /// Children in flight in the parallel fan-out.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Depth of the per-hop chain.
    #[arg(long, default_value_t = 50)]
    pub depth: usize,
    /// Skip a restart size whose estimated time exceeds this many seconds.
    #[arg(long, default_value_t = 600)]
    pub budget_secs: u64,
    /// Measurements to run.
    #[arg(long, value_delimiter = ',', default_value = "restart,hop,suite,memory",
          value_parser = ["restart", "hop", "suite", "memory"])]
    pub only: Vec<String>,
    /// Write the full report (every sample) as JSON.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write the restart-scaling plot (SVG; needs the `plot` feature).
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// Render reports written earlier with --out instead of measuring; restart
    /// points measured in later files fill in those the first one lacks.
    #[arg(long)]
    pub from: Vec<PathBuf>,
    /// Folder of scenario files (suite timing).
    #[arg(long, default_value = "scenarios")]
    pub scenarios: PathBuf,
    /// Folder of goldens (suite timing).
    #[arg(long, default_value = "snapshots")]
    pub snapshots: PathBuf,
}

/// `afc bench`: 0 when everything was measured, 1 with problems, 2 on I/O errors.
pub fn run(args: &BenchArgs) -> Result<Exit, String> {
    if args.plot.is_some() && !cfg!(feature = "plot") {
        return Err("--plot needs the `plot` feature \
             (cargo run --release --features plot --bin afc -- bench ...)"
            .into());
    }
    let report = match args.from.split_first() {
        None => bench::run(
            &options(args),
            std::env::args().collect::<Vec<_>>().join(" "),
        ),
        Some((first, later)) => {
            let later = later.iter().map(|p| bench::read_report(p));
            bench::merge(bench::read_report(first)?, later.collect::<Result<_, _>>()?)
        }
    };
    bench::write_outputs(&report, args.out.as_deref(), args.plot.as_deref())?;
    Ok(Exit::failed_if(!report.problems.is_empty()))
}

fn options(args: &BenchArgs) -> Options {
    let has = |m: &str| args.only.iter().any(|o| o == m);
    Options {
        targets: args.urls.iter().map(|u| TargetSpec::parse(u)).collect(),
        api_key: args.api_key.clone(),
        runs: args.runs.max(1),
        sizes: args.sizes.clone(),
        modes: args.modes.clone(),
        concurrency: args.concurrency.max(1),
        depth: args.depth.max(1),
        budget: Duration::from_secs(args.budget_secs),
        restart: has("restart"),
        hop: has("hop"),
        suite: has("suite").then(|| (args.scenarios.clone(), args.snapshots.clone())),
        afc_bin: has("memory")
            .then(std::env::current_exe)
            .and_then(Result::ok),
    }
}
