//! `afc`: the command line of the conformance harness.
//!
//! - `afc run [FILTER]`: the suite with progress, a summary table and JUnit;
//!   `--repeat N` / `--until-fail` find flaky scenarios (`repeat.rs`);
//! - `afc record --out DIR`: another implementation's goldens, for review;
//! - `afc list [FILTER] [--format json]`: scenarios and the rules they guard;
//! - `afc check [PATH...]`: validate scenario files and folders, every problem as
//!   file:line:col, and report goldens no scenario uses (`check.rs`);
//! - `afc serve`: the reference control plane, for SDK authors and as a target;
//! - `afc bench`: restart scaling, per-hop overhead, suite time, peak memory;
//! - `afc fuzz`: generated cases judged by a model of the contract, shrunk to scenario files.
//!
//! `cargo test` is the primary entry; `afc run` shares all its code.
//! Exit codes: 0 all passed, 1 some failed, 2 could not run (`afc run --help`).

mod bench;
mod check;
mod conformance;
mod fuzz;
mod fuzz_pass;
mod list;
mod output;
mod record;
mod repeat;
mod run;
mod serve;

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
    /// Serve the reference control plane until SIGINT or SIGTERM (the newest
    /// AgentField contract by default; `--contract v0.1.96` for that release).
    Serve(serve::ServeArgs),
    /// Run the suite: progress, summary table, each failure's diff, optional JUnit file.
    ///
    /// Before any scenario the target must answer GET /api/v1/health as healthy.
    /// Exit codes: 0 all passed, 1 some failed, 2 could not run (target unreachable
    /// or unhealthy, no scenario matched, a file that cannot be written).
    Run {
        #[command(flatten)]
        suite: run::SuiteArgs,
        #[command(flatten)]
        output: run::RunArgs,
        /// Folder of golden snapshots.
        #[arg(long, default_value = "snapshots")]
        snapshots: PathBuf,
        /// Write a JUnit XML report here.
        #[arg(long)]
        junit: Option<PathBuf>,
        #[command(flatten)]
        repeat: repeat::RepeatArgs,
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
    Report(conformance::ReportArgs),
    /// List the scenarios and the rules they guard.
    List {
        /// List only scenarios whose name (topic/name) contains this.
        filter: Option<String>,
        /// human: a table fitted to the terminal. json: one object per scenario per line.
        #[arg(long, value_enum, default_value_t = output::Format::Human)]
        format: output::Format,
        /// Folder of scenario files.
        #[arg(long, default_value = "scenarios")]
        scenarios: PathBuf,
    },
    /// Measure restart scaling, per-hop overhead, suite wall time and peak memory.
    Bench(bench::BenchArgs),
    /// Generated cases judged by a model of the contract (or two targets against each other).
    Fuzz(fuzz::FuzzArgs),
    /// Validate scenario files and folders without running them; report unused goldens.
    Check(check::CheckArgs),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        // Logs never mix with what a command prints (`afc run --format json`).
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Serve(args) => serve::serve(&args),
        Command::Check(args) => check::check(&args),
        Command::Run {
            suite,
            output,
            snapshots,
            junit,
            repeat,
        } => match afc::suite::insta_env::prepare() {
            Err(e) => output::could_not_run(output.format, "run", &e.to_string()),
            Ok(()) => match repeat.plan() {
                Some(plan) => repeat::run(&suite, &output, &snapshots, junit.as_deref(), plan),
                None => run::run(&suite, &output, &snapshots, junit.as_deref()),
            },
        },
        Command::Record {
            suite,
            out,
            snapshots,
        } => record::record(&suite, &out, &snapshots),
        Command::List {
            scenarios,
            filter,
            format,
        } => list::list(&scenarios, filter.as_deref(), format),
        Command::Report(args) => conformance::report(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Fuzz(args) => fuzz::run(&args),
    }
}
