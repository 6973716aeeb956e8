//! `afc`: the command line of the conformance harness.
//!
//! - `afc run [FILTER]`: the suite with progress, a summary table and JUnit;
//! - `afc record --out DIR`: another implementation's goldens, for review;
//! - `afc list`: scenarios and the rules they guard;
//! - `afc check FILE...`: validate scenario files, every problem as file:line:col;
//! - `afc serve`: the reference control plane, for SDK authors and as a target;
//! - `afc bench`: restart scaling, per-hop overhead, suite time, peak memory;
//! - `afc fuzz`: generated cases judged by a model of the contract, shrunk to scenario files.
//!
//! `cargo test` is the primary entry; `afc run` shares all its code.
//! Exit codes: 0 passed, 1 failures, 2 could not run.

mod bench;
mod conformance;
mod fuzz;
mod run;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "afc",
    version,
    about = "Conformance harness for AgentField restart, fork and replay reuse"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the reference control plane until SIGINT or SIGTERM.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "AFC_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Require this API key on every /api/* request (X-API-Key or Bearer).
        #[arg(long, env = "AFC_API_KEY")]
        api_key: Option<String>,
        /// In-flight dispatches allowed per agent node (0: unlimited), as v0.1.96's setting.
        #[arg(long, env = "AGENTFIELD_MAX_CONCURRENT_PER_AGENT", default_value_t = 0)]
        max_concurrent_per_agent: usize,
    },
    /// Run the suite: progress, summary table, optional JUnit file.
    Run {
        #[command(flatten)]
        suite: run::SuiteArgs,
        /// Folder of golden snapshots.
        #[arg(long, default_value = "snapshots")]
        snapshots: PathBuf,
        /// Write a JUnit XML report here.
        #[arg(long)]
        junit: Option<PathBuf>,
    },
    /// Record a target's goldens into their own folder and compare them with the reference goldens.
    Record {
        #[command(flatten)]
        suite: run::SuiteArgs,
        /// Where the recorded goldens go (never the reference goldens).
        #[arg(long, default_value = "recorded")]
        out: PathBuf,
        /// The reference goldens to compare with.
        #[arg(long, default_value = "snapshots")]
        snapshots: PathBuf,
    },
    /// Run the suite on the embedded reference and on another implementation; write CONFORMANCE.md.
    Report {
        /// The other implementation.
        #[arg(long)]
        url: String,
        /// Its profile: a name under fixtures/profiles/ or a .toml path.
        #[arg(long)]
        profile: String,
        /// The document to write.
        #[arg(long, default_value = "CONFORMANCE.md")]
        out: PathBuf,
        /// Folder of scenario files.
        #[arg(long, default_value = "scenarios")]
        scenarios: PathBuf,
        /// Folder of golden snapshots.
        #[arg(long, default_value = "snapshots")]
        snapshots: PathBuf,
        /// Scenarios run at once.
        #[arg(long, default_value_t = 2)]
        jobs: usize,
    },
    /// List the scenarios and the rules they guard.
    List {
        /// Folder of scenario files.
        #[arg(long, default_value = "scenarios")]
        scenarios: PathBuf,
    },
    /// Measure restart scaling, per-hop overhead, suite wall time and peak memory.
    Bench(bench::BenchArgs),
    /// Generated cases judged by a model of the contract (or two targets against each other).
    Fuzz(fuzz::FuzzArgs),
    /// Validate scenario files without running them.
    Check {
        /// Scenario files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    match Cli::parse().command {
        Command::Serve {
            listen,
            api_key,
            max_concurrent_per_agent,
        } => serve(
            &listen,
            afc::reference::Config {
                api_key,
                max_concurrent_per_agent,
                ..Default::default()
            },
        ),
        Command::Check { files } => check(&files),
        Command::Run {
            suite,
            snapshots,
            junit,
        } => run::run(&suite, &snapshots, junit.as_deref()),
        Command::Record {
            suite,
            out,
            snapshots,
        } => run::record(&suite, &out, &snapshots),
        Command::List { scenarios } => run::list(&scenarios),
        Command::Report {
            url,
            profile,
            out,
            scenarios,
            snapshots,
            jobs,
        } => conformance::report(&conformance::ReportArgs {
            url: &url,
            profile: &profile,
            scenarios: &scenarios,
            snapshots: &snapshots,
            out: &out,
            jobs,
        }),
        Command::Bench(args) => bench::run(&args),
        Command::Fuzz(args) => fuzz::run(&args),
    }
}

fn check(files: &[PathBuf]) -> ExitCode {
    let mut ok = true;
    for f in files {
        match afc::scenario::load(f) {
            Ok(s) => println!("{}: ok ({} steps)", f.display(), s.steps.len()),
            Err(e) => {
                ok = false;
                print!("{e}");
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn serve(listen: &str, config: afc::reference::Config) -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("afc serve: cannot start a runtime: {e}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(async {
        let listener = match tokio::net::TcpListener::bind(listen).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("afc serve: cannot listen on {listen}: {e}");
                return ExitCode::from(2);
            }
        };
        match listener.local_addr() {
            Ok(addr) => println!("afc reference control plane listening on http://{addr}"),
            Err(e) => eprintln!("afc serve: {e}"),
        }
        match afc::reference::serve(listener, config, shutdown_signal()).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("afc serve: {e}");
                ExitCode::from(1)
            }
        }
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
