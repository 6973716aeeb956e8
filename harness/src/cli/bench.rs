//! `afc bench`'s flags and the `crate::bench::Options` they make.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::bench::{Options, TargetSpec};

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

impl BenchArgs {
    /// The measurements these flags ask for; `afc_bin` is this process's
    /// executable when memory is measured.
    pub fn options(&self) -> Options {
        let has = |m: &str| self.only.iter().any(|o| o == m);
        Options {
            targets: self.urls.iter().map(|u| TargetSpec::parse(u)).collect(),
            api_key: self.api_key.clone(),
            runs: self.runs.max(1),
            sizes: self.sizes.clone(),
            modes: self.modes.clone(),
            concurrency: self.concurrency.max(1),
            depth: self.depth.max(1),
            budget: Duration::from_secs(self.budget_secs),
            restart: has("restart"),
            hop: has("hop"),
            suite: has("suite").then(|| (self.scenarios.clone(), self.snapshots.clone())),
            afc_bin: has("memory")
                .then(std::env::current_exe)
                .and_then(Result::ok),
        }
    }
}
