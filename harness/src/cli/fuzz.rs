//! `afc fuzz`'s flags, and the `--fuzz N` pass flags of `afc run` and `afc report`.

use std::path::PathBuf;

use crate::fuzz::pass;
use crate::report::fuzz_pass::FuzzPass;

/// Arguments of `afc fuzz`.
#[derive(clap::Args)]
pub struct FuzzArgs {
    /// How many cases.
    #[arg(long, default_value_t = 100)]
    pub cases: usize,
    /// First seed (case i uses seed + i); default: from the clock, printed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// A running control plane; twice for differential mode. Default: the embedded reference.
    #[arg(long)]
    pub url: Vec<String>,
    /// Profile of the URL target(s).
    #[arg(long)]
    pub profile: Option<String>,
    /// Where shrunk failing cases are written.
    #[arg(long, default_value = "fuzz-out")]
    pub out: PathBuf,
    /// Cases run at once.
    #[arg(long, default_value_t = 8)]
    pub jobs: usize,
    /// Re-runs the shrinker may spend per failing case.
    #[arg(long, default_value_t = 150)]
    pub shrink_budget: usize,
    /// Shrink and write at most this many failing cases.
    #[arg(long, default_value_t = 3)]
    pub keep: usize,
}

/// The `--fuzz N` pass's options.
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
