//! `afc run` and `afc record`: the suite from the command line, through the
//! same `afc::suite` code as `cargo test --test scenarios`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use afc::report::{Event, Exit, Format, Progress};
use afc::suite::session::{Selection, Session};
use afc::suite::{Case, CaseReport};
use afc::target::{Choice, Target};
use clap::Args;

use crate::could_not_run;
use crate::fuzz::FuzzPassArgs;
use crate::repeat::RepeatArgs;

// Where the scenarios, goldens and target come from.
#[derive(Args, Clone, Debug)]
pub struct SuiteArgs {
    /// Run only scenarios whose name (topic/name) contains this.
    pub filter: Option<String>,
    /// FILTER and --skip match the whole name (topic/name), not a part of it.
    #[arg(long)]
    pub exact: bool,
    /// Leave out scenarios whose name contains PATTERN (the whole name with --exact); repeatable.
    #[arg(long, value_name = "PATTERN")]
    pub skip: Vec<String>,
    /// A running control plane (default: AGENTFIELD_URL, else the embedded reference).
    #[arg(long, conflicts_with = "image")]
    pub url: Option<String>,
    /// An image to start with testcontainers on the host network (default: AGENTFIELD_IMAGE).
    #[arg(long)]
    pub image: Option<String>,
    /// Target profile: a name under fixtures/profiles/ or a .toml path (default: AFC_PROFILE).
    #[arg(long)]
    pub profile: Option<String>,
    /// Agents that play the scenarios: scripted, python, python:serve,
    /// command:PATH[:serve] (fixtures/agents/PROTOCOL.md; default: AFC_AGENTS).
    #[arg(long)]
    pub agents: Option<String>,
    /// Scenarios run at once.
    #[arg(long, default_value_t = 2)]
    pub jobs: usize,
    /// Folder of scenario files.
    #[arg(long, default_value = "scenarios")]
    pub scenarios: PathBuf,
    /// Write one self-contained HTML page here: results, each run's DAG with reuse and lineage, headers per hop.
    #[arg(long)]
    pub html: Option<PathBuf>,
}

impl SuiteArgs {
    /// The target (flags over the environment), once it answered its health
    /// check, and the selected cases.
    pub fn start(&self) -> Result<(Target, Vec<Case>), String> {
        let mut choice = Choice::from_env().map_err(|e| e.to_string())?;
        if self.url.is_some() || self.image.is_some() {
            choice.url = self.url.clone();
            choice.image = self.image.clone();
        }
        choice.profile = self.profile.clone().or(choice.profile);
        choice.agents = self.agents.clone().or(choice.agents);
        let target = Target::start(&choice).map_err(|e| e.to_string())?;
        target.check_health().map_err(|e| e.to_string())?;
        let selection = Selection {
            filter: self.filter.clone(),
            skip: self.skip.clone(),
            exact: self.exact,
        };
        Ok((target, selection.cases(&self.scenarios)?))
    }
}

// How `afc run` reports and when it stops.
#[derive(Args, Clone, Debug, Default)]
pub struct RunArgs {
    /// Start no scenario after the first failure; those not started are reported as not run.
    #[arg(long)]
    pub fail_fast: bool,
    /// human: progress, table, diffs, summary. json: one JSON event per line on
    /// stdout (README "afc run --format json").
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// contract (default): each field at its strength, against snapshots/.
    /// fidelity: every field exact, against the v0.1.96 overlay
    /// (snapshots/fidelity/agentfield-v0.1.96/) where it differs. Default: AFC_TIER.
    #[arg(long)]
    pub tier: Option<String>,
    /// The bounded fixed-seed fuzz pass after the scenarios (issue 28).
    #[command(flatten)]
    pub fuzz: FuzzPassArgs,
}

// `afc run`'s arguments.
#[derive(Args)]
pub struct RunCommand {
    #[command(flatten)]
    pub suite: SuiteArgs,
    #[command(flatten)]
    pub output: RunArgs,
    /// Folder of golden snapshots.
    #[arg(long, default_value = "snapshots")]
    pub snapshots: PathBuf,
    /// Write a JUnit XML report here.
    #[arg(long)]
    pub junit: Option<PathBuf>,
    #[command(flatten)]
    pub repeat: RepeatArgs,
}

// `afc record`'s arguments.
#[derive(Args)]
pub struct RecordArgs {
    #[command(flatten)]
    pub suite: SuiteArgs,
    /// Where the recorded goldens go (never the reference goldens).
    #[arg(long, default_value = "recorded")]
    pub out: PathBuf,
    /// The reference goldens to compare with.
    #[arg(long, default_value = "snapshots")]
    pub snapshots: PathBuf,
}

/// Sets an insta variable unless the user already did.
pub fn insta_default(key: &str, value: &str) {
    if std::env::var_os(key).is_none() {
        std::env::set_var(key, value);
    }
}

/// Runs `cases` once each, showing progress in `format`.
pub fn execute(session: &Session, cases: &[Case], format: Format) -> Vec<CaseReport> {
    // Diffs would tear the progress bar; the failure section carries them.
    insta_default("INSTA_OUTPUT", "none");
    afc::suite::insta_env::quiet_snapshot_panics();
    let header = afc::report::run_header(cases.len(), session.target);
    let shown = Progress::start(format, cases.len(), &header);
    let ran = session.run(cases, &|r| shown.finished(r));
    shown.finish();
    if let Some(account) = ran.stopped_account(session.target) {
        eprintln!("afc run: {account}");
    }
    ran.reports
}

/// `afc run`: exit 0 all passed, 1 some failed, 2 could not run.
pub fn run(args: &RunCommand) -> ExitCode {
    let format = args.output.format;
    let cannot = |e: &str| could_not_run(format, "run", e);
    if let Err(e) = afc::suite::insta_env::prepare() {
        return cannot(&e.to_string());
    }
    if let Some(plan) = args.repeat.plan() {
        return crate::repeat::run(args, plan);
    }
    let tier = match &args.output.tier {
        Some(name) => afc::observe::Tier::named(name),
        None => afc::observe::Tier::from_env(),
    };
    match tier {
        Ok(t) => afc::suite::set_tier(Some(t)),
        Err(e) => return cannot(&e.to_string()),
    }
    let (target, cases) = match args.suite.start() {
        Ok(t) => t,
        Err(e) => return cannot(&e),
    };
    let started = Instant::now();
    let session = Session {
        target: &target,
        goldens: &args.snapshots,
        jobs: args.suite.jobs,
        fail_fast: args.output.fail_fast,
    };
    let reports = execute(&session, &cases, format);
    let fuzzed = args.output.fuzz.run(&target);
    let wall = started.elapsed();
    let html = args.suite.html.as_deref();
    if let Err(e) = afc::report::write_files(args.junit.as_deref(), html, &reports, &target) {
        return cannot(&e);
    }
    let totals = afc::report::totals(&reports);
    let exit = Exit::failed_if(totals.any_failure() || fuzzed.as_ref().is_some_and(|o| !o.ok()));
    if format == Format::Json {
        if let Some(o) = &fuzzed {
            afc::report::emit(&Event::fuzz(o));
        }
        let time = reports.iter().map(|r| r.elapsed).sum();
        afc::report::emit(&Event::summary(&totals, wall, time, exit));
    } else {
        let logs = || target.container_logs(20);
        print!(
            "{}",
            afc::report::terminal::run_text(&reports, fuzzed.as_ref(), wall, logs)
        );
    }
    exit.into()
}

/// `afc record`: the goldens of another implementation, into their own folder.
pub fn record(args: &RecordArgs) -> ExitCode {
    let cannot = |e: &str| could_not_run(Format::Human, "record", e);
    let out = match afc::report::record::record_folder(&args.out, &args.snapshots) {
        Ok(p) => p,
        Err(e) => return cannot(&e),
    };
    insta_default("INSTA_UPDATE", "always");
    let (target, cases) = match args.suite.start() {
        Ok(t) => t,
        Err(e) => return cannot(&e),
    };
    let session = Session {
        target: &target,
        goldens: &out,
        jobs: args.suite.jobs,
        fail_fast: false,
    };
    let reports = execute(&session, &cases, Format::Human);
    let cmp = match afc::suite::compare_goldens(&out, &args.snapshots) {
        Ok(c) => c,
        Err(e) => return cannot(&format!("{}: {e}", out.display())),
    };
    let text = afc::report::record::record_text(&cmp, &target.kind, &out, &args.snapshots);
    print!("{text}");
    if let Err(e) = afc::report::write_files(None, args.suite.html.as_deref(), &reports, &target) {
        return cannot(&e);
    }
    let incomplete = afc::report::record::incomplete_text(&reports);
    print!("{incomplete}");
    Exit::failed_if(!incomplete.is_empty()).into()
}
