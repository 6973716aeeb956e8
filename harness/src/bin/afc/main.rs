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
mod run;
mod serve;

use std::process::ExitCode;

use afc::cli::{Cli, Command};
use afc::report::{Event, Exit, Format};
use clap::Parser;

/// How `afc <what>` ended: its exit code; when it could not run, the cause
/// on stderr (and as an `error` event in JSON), exit 2.
fn ended(what: &str, format: Format, result: Result<Exit, String>) -> ExitCode {
    let e = match result {
        Ok(exit) => return exit.into(),
        Err(e) => e,
    };
    eprintln!("afc {what}: {e}");
    if format == Format::Json {
        afc::report::emit(&Event::error(&e));
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
    let human = Format::Human;
    match Cli::parse().command {
        Command::Serve(args) => ended("serve", human, serve::serve(&args)),
        Command::Check(args) => ended("check", human, check::check(&args)),
        Command::Run(args) => ended("run", args.output.format, run::run(&args)),
        Command::Record(args) => ended("record", human, run::record(&args)),
        Command::List(args) => ended("list", human, check::list(&args)),
        Command::Report(args) => ended("report", human, conformance::report(&args)),
        Command::Bench(args) => ended("bench", human, bench::run(&args)),
        Command::Fuzz(args) => ended("fuzz", human, fuzz::run(&args)),
    }
}
