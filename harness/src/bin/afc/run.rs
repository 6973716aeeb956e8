//! `afc run` and `afc record`: the suite from the command line, through the
//! same `afc::suite` code as `cargo test --test scenarios`.

use std::path::PathBuf;
use std::time::Instant;

use afc::report::{Exit, Format};
use afc::suite::repeat::Plan;
use afc::suite::session::{Selection, Session};
use afc::suite::{Case, CaseReport};
use afc::target::{Choice, Target};
use clap::Args;

use crate::fuzz::FuzzPassArgs;

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
#[derive(Args, Clone, Debug)]
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

// How often `afc run` runs each scenario.
#[derive(Args, Clone, Debug)]
pub struct RepeatArgs {
    /// Run each scenario N times; one that passes some runs and fails others is FLAKY, a failure.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub repeat: Option<u32>,
    /// Stop repeating a scenario at its first failure (at most --repeat runs; 100 without it).
    #[arg(long)]
    pub until_fail: bool,
}

/// Sets an insta variable unless the user already did.
pub fn insta_default(key: &str, value: &str) {
    if std::env::var_os(key).is_none() {
        std::env::set_var(key, value);
    }
}

/// Runs `cases` once each, showing progress in `format`.
pub fn execute(session: &Session, cases: &[Case], format: Format) -> Vec<CaseReport> {
    quiet_insta();
    afc::report::run_shown(session, cases, format)
}

/// Diffs would tear the progress bar; the failure section carries them.
fn quiet_insta() {
    insta_default("INSTA_OUTPUT", "none");
    afc::suite::insta_env::quiet_snapshot_panics();
}

/// `afc run`: exit 0 all passed, 1 some failed, 2 could not run.
pub fn run(args: &RunCommand) -> Result<Exit, String> {
    afc::suite::insta_env::prepare().map_err(|e| e.to_string())?;
    let plan = Plan::from_flags(args.repeat.repeat, args.repeat.until_fail);
    let tier = match &args.output.tier {
        Some(name) => afc::observe::Tier::named(name),
        None => afc::observe::Tier::from_env(),
    };
    afc::suite::set_tier(Some(tier.map_err(|e| e.to_string())?));
    let (target, cases) = args.suite.start()?;
    let started = Instant::now();
    let session = Session {
        target: &target,
        goldens: &args.snapshots,
        jobs: args.suite.jobs,
        fail_fast: args.output.fail_fast,
    };
    let format = args.output.format;
    let (reports, repeated) = match plan {
        None => (execute(&session, &cases, format), Vec::new()),
        Some(plan) => {
            quiet_insta();
            let results = afc::report::repeat_shown(&session, &cases, plan, format);
            (results.iter().map(|r| r.report.clone()).collect(), results)
        }
    };
    // The fuzz pass follows a single run (a repeated run has none).
    let fuzzed = plan
        .is_none()
        .then(|| args.output.fuzz.pass().run(&target))
        .flatten();
    let wall = started.elapsed();
    let html = args.suite.html.as_deref();
    afc::report::write_files(args.junit.as_deref(), html, &reports, &target)?;
    let ran = afc::report::terminal::Ran {
        reports: &reports,
        repeated: plan.map(|p| (repeated.as_slice(), p)),
        fuzzed: fuzzed.as_ref(),
        wall,
    };
    Ok(afc::report::terminal::conclude(&ran, format, &target))
}

/// `afc record`: the goldens of another implementation, into their own folder.
pub fn record(args: &RecordArgs) -> Result<Exit, String> {
    let out = afc::report::record::record_folder(&args.out, &args.snapshots)?;
    insta_default("INSTA_UPDATE", "always");
    let (target, cases) = args.suite.start()?;
    let session = Session {
        target: &target,
        goldens: &out,
        jobs: args.suite.jobs,
        fail_fast: false,
    };
    let reports = execute(&session, &cases, Format::Human);
    let cmp = afc::report::record::compare(&out, &args.snapshots)?;
    let text = afc::report::record::record_text(&cmp, &target.kind, &out, &args.snapshots);
    print!("{text}");
    afc::report::write_files(None, args.suite.html.as_deref(), &reports, &target)?;
    let incomplete = afc::report::record::incomplete_text(&reports);
    print!("{incomplete}");
    Ok(Exit::failed_if(!incomplete.is_empty()))
}
