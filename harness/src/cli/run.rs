//! `afc run` and `afc record`'s flags: where the scenarios, goldens and
//! target come from, how a run reports and repeats, and the target and cases
//! they select.

use std::path::PathBuf;

use clap::Args;

use crate::cli::fuzz::FuzzPassArgs;
use crate::report::Format;
use crate::suite::repeat::Plan;
use crate::suite::session::Selection;
use crate::suite::Case;
use crate::target::{Choice, Target};

/// Where the scenarios, goldens and target come from.
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

/// How `afc run` reports and when it stops.
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

/// `afc run`'s arguments.
#[derive(Args)]
pub struct RunCommand {
    /// Where the scenarios, goldens and target come from.
    #[command(flatten)]
    pub suite: SuiteArgs,
    /// How the run reports and when it stops.
    #[command(flatten)]
    pub output: RunArgs,
    /// Folder of golden snapshots.
    #[arg(long, default_value = "snapshots")]
    pub snapshots: PathBuf,
    /// Write a JUnit XML report here.
    #[arg(long)]
    pub junit: Option<PathBuf>,
    /// How often each scenario runs.
    #[command(flatten)]
    pub repeat: RepeatArgs,
}

/// `afc record`'s arguments.
#[derive(Args)]
pub struct RecordArgs {
    /// Where the scenarios, goldens and target come from.
    #[command(flatten)]
    pub suite: SuiteArgs,
    /// Where the recorded goldens go (never the reference goldens).
    #[arg(long, default_value = "recorded")]
    pub out: PathBuf,
    /// The reference goldens to compare with.
    #[arg(long, default_value = "snapshots")]
    pub snapshots: PathBuf,
}

/// How often `afc run` runs each scenario.
#[derive(Args, Clone, Debug)]
pub struct RepeatArgs {
    /// Run each scenario N times; one that passes some runs and fails others is FLAKY, a failure.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub repeat: Option<u32>,
    /// Stop repeating a scenario at its first failure (at most --repeat runs; 100 without it).
    #[arg(long)]
    pub until_fail: bool,
}

impl RepeatArgs {
    /// The repeat plan these flags ask for; `None` runs each scenario once.
    pub fn plan(&self) -> Option<Plan> {
        Plan::from_flags(self.repeat, self.until_fail)
    }
}
