//! `afc fuzz`: generated cases against one target (judged by the model) or
//! two (`--url A --url B`, judged against each other); failures are shrunk and
//! written as scenario files into `--out`, never into `scenarios/`. And the
//! `--fuzz N` pass of `afc run` and `afc report` (`afc::fuzz::pass`).

use afc::fuzz::keep::{self, Batch, Tally};
use afc::fuzz::pass;
use afc::report::fuzz_pass::FuzzPass;
use afc::report::Exit;
use afc::target::{Choice, Target};
use std::path::PathBuf;

/// Arguments of `afc fuzz`.
#[derive(clap::Args)]
pub struct FuzzArgs {
    /// How many cases.
    #[arg(long, default_value_t = 100)]
    cases: usize,
    /// First seed (case i uses seed + i); default: from the clock, printed.
    #[arg(long)]
    seed: Option<u64>,
    /// A running control plane; twice for differential mode. Default: the embedded reference.
    #[arg(long)]
    url: Vec<String>,
    /// Profile of the URL target(s).
    #[arg(long)]
    profile: Option<String>,
    /// Where shrunk failing cases are written.
    #[arg(long, default_value = "fuzz-out")]
    out: PathBuf,
    /// Cases run at once.
    #[arg(long, default_value_t = 8)]
    jobs: usize,
    /// Re-runs the shrinker may spend per failing case.
    #[arg(long, default_value_t = 150)]
    shrink_budget: usize,
    /// Shrink and write at most this many failing cases.
    #[arg(long, default_value_t = 3)]
    keep: usize,
}

// The `--fuzz N` pass's options.
#[derive(clap::Args, Clone, Debug)]
pub struct FuzzPassArgs {
    /// Also judge N generated cases (afc fuzz's model of the contract) against the target; 0: no pass.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub fuzz: usize,
    /// First seed of the fuzz pass (fixed by default, so a pass repeats).
    #[arg(long, value_name = "SEED", default_value_t = pass::DEFAULT_SEED)]
    pub fuzz_seed: u64,
    /// Seconds after which the fuzz pass starts no more cases.
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    pub fuzz_budget: u64,
}

impl FuzzPassArgs {
    /// The pass these flags ask for.
    pub fn pass(&self) -> FuzzPass {
        FuzzPass {
            cases: self.fuzz,
            seed: self.fuzz_seed,
            budget_secs: self.fuzz_budget,
        }
    }
}

fn target(url: Option<&String>, profile: Option<&String>) -> Result<Target, String> {
    Target::start(&Choice {
        url: url.cloned(),
        profile: url.and(profile.cloned()),
        container_port: 8080,
        ..Choice::default()
    })
    .map_err(|e| e.to_string())
}

/// Runs `afc fuzz`; 0 passed, 1 failures, 2 could not run.
pub fn run(args: &FuzzArgs) -> Result<Exit, String> {
    keep::refuse_scenarios(&args.out)?;
    if args.url.len() > 2 {
        return Err("at most two --url (differential mode)".into());
    }
    let targets: Vec<Target> = match args.url.as_slice() {
        [] => vec![target(None, None)?],
        urls => urls
            .iter()
            .map(|u| target(Some(u), args.profile.as_ref()))
            .collect::<Result<_, _>>()?,
    };
    let batch = Batch {
        seed: args.seed.unwrap_or_else(|| {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
            now.map_or(0, |d| d.as_secs())
        }),
        cases: args.cases,
        jobs: args.jobs,
        shrink_budget: args.shrink_budget,
        keep: args.keep,
        out: &args.out,
    };
    Ok(match batch.run(&targets, &|line| println!("{line}"))? {
        Tally {
            failed: 0,
            errors: 0,
            ..
        } => Exit::Passed,
        Tally { failed: 0, .. } => Exit::CouldNotRun,
        _ => Exit::Failed,
    })
}
