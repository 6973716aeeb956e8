//! `afc`'s command line as data: the clap argument structs of every command,
//! with their help texts, and their conversions to the library's config
//! types. The binary only parses [`Cli`], dispatches and prints (as nextest
//! keeps its CLI in a library and its `main.rs` tiny).

pub mod bench;
pub mod check;
pub mod fuzz;
pub mod report;
pub mod run;
pub mod serve;

use clap::{Parser, Subcommand};

/// `afc`'s arguments: one subcommand.
#[derive(Parser)]
#[command(
    name = "afc",
    version,
    about = "Conformance harness for AgentField restart, fork and replay reuse"
)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands of `afc`; each variant's doc is its `--help` summary.
#[derive(Subcommand)]
pub enum Command {
    /// Serve the reference control plane until SIGINT or SIGTERM (the newest
    /// AgentField contract by default; `--contract v0.1.96` for that release).
    Serve(serve::ServeArgs),
    /// Run the suite: progress, summary table, each failure's diff, optional JUnit file.
    ///
    /// Before any scenario the target must answer GET /api/v1/health as healthy.
    /// Exit codes: 0 all passed, 1 some failed, 2 could not run (target unreachable
    /// or unhealthy, no scenario matched, a file that cannot be written).
    Run(run::RunCommand),
    /// Record a target's goldens into their own folder and compare them with the reference goldens.
    Record(run::RecordArgs),
    /// Run the suite on the embedded reference and on another implementation; write CONFORMANCE.md.
    Report(report::ReportArgs),
    /// List the scenarios and the rules they guard.
    List(check::ListArgs),
    /// Measure restart scaling, per-hop overhead, suite wall time and peak memory.
    Bench(bench::BenchArgs),
    /// Generated cases judged by a model of the contract (or two targets against each other).
    Fuzz(fuzz::FuzzArgs),
    /// Validate scenario files and folders without running them; report unused goldens.
    Check(check::CheckArgs),
}
