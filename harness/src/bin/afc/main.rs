//! `afc`: the command line of the conformance harness. Each command parses
//! its arguments, calls the library and prints; what it prints and its exit
//! code (`afc::report::Exit`: 0 passed, 1 failed, 2 could not run) are made
//! in the library.
//!
//! - `afc run [FILTER]`: the suite with progress, a summary table and JUnit;
//!   `--repeat N` / `--until-fail` find flaky scenarios;
//! - `afc record --out DIR`: another implementation's goldens, for review;
//! - `afc list [FILTER] [--format json]`: scenarios and the rules they guard;
//! - `afc check [PATH...]`: validate scenario files and folders;
//! - `afc serve`: the reference control plane, for SDK authors and as a target;
//! - `afc bench`: restart scaling, per-hop overhead, suite time, peak memory;
//! - `afc fuzz`: generated cases judged by a model of the contract, shrunk to scenario files.
//!
//! `cargo test` is the primary entry; `afc run` shares all its code.

mod bench;
mod check;
mod conformance;
mod fuzz;
mod repeat;
mod run;
mod serve;

use std::process::ExitCode;

use afc::report::{Event, Exit, Format};
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
    Run(run::RunCommand),
    /// Record a target's goldens into their own folder and compare them with the reference goldens.
    Record(run::RecordArgs),
    /// Run the suite on the embedded reference and on another implementation; write CONFORMANCE.md.
    Report(conformance::ReportArgs),
    /// List the scenarios and the rules they guard.
    List(check::ListArgs),
    /// Measure restart scaling, per-hop overhead, suite wall time and peak memory.
    Bench(bench::BenchArgs),
    /// Generated cases judged by a model of the contract (or two targets against each other).
    Fuzz(fuzz::FuzzArgs),
    /// Validate scenario files and folders without running them; report unused goldens.
    Check(check::CheckArgs),
}

/// `afc <what>` could not run: the cause on stderr (and as an `error` event
/// in JSON), exit 2.
fn could_not_run(format: Format, what: &str, e: &str) -> ExitCode {
    eprintln!("afc {what}: {e}");
    if format == Format::Json {
        afc::report::emit(&Event::error(e));
    }
    Exit::CouldNotRun.into()
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
        Command::Run(args) => run::run(&args),
        Command::Record(args) => run::record(&args),
        Command::List(args) => check::list(&args),
        Command::Report(args) => conformance::report(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Fuzz(args) => fuzz::run(&args),
    }
}
