//! `afc fuzz`: generated cases against one target (judged by the model) or
//! two (`--url A --url B`, judged against each other); failures are shrunk and
//! written as scenario files into `--out`, never into `scenarios/`. And the
//! `--fuzz N` pass of `afc run` and `afc report` (`afc::fuzz::pass`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use afc::fuzz::keep::{self, Tally};
use afc::fuzz::pass::{self, PassOutcome};
use afc::fuzz::{self, Case, Verdict};
use afc::report::{Exit, Format};
use afc::target::{Choice, Target};

use crate::could_not_run;

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

impl Default for FuzzPassArgs {
    fn default() -> Self {
        FuzzPassArgs {
            fuzz: 0,
            fuzz_seed: pass::DEFAULT_SEED,
            fuzz_budget: 120,
        }
    }
}

impl FuzzPassArgs {
    /// The pass against `target` (8 cases at once: each mostly waits on
    /// HTTP), when `--fuzz` asked for one.
    pub fn run(&self, target: &Target) -> Option<PassOutcome> {
        (self.fuzz > 0).then(|| {
            let budget = Duration::from_secs(self.fuzz_budget);
            pass::run(target, self.fuzz, self.fuzz_seed, budget, 8)
        })
    }

    /// The flags that repeat this pass, for a report's command line.
    pub fn flags(&self) -> String {
        if self.fuzz == 0 {
            return String::new();
        }
        format!(
            " --fuzz {} --fuzz-seed {} --fuzz-budget {}",
            self.fuzz, self.fuzz_seed, self.fuzz_budget
        )
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
pub fn run(args: &FuzzArgs) -> ExitCode {
    let cannot = |e: &str| could_not_run(Format::Human, "fuzz", e);
    if keep::inside_scenarios(&args.out) {
        let out = args.out.display();
        return cannot(&format!(
            "--out {out} is inside scenarios/; choose another folder"
        ));
    }
    if args.url.len() > 2 {
        return cannot("at most two --url (differential mode)");
    }
    let targets: Result<Vec<Target>, String> = match args.url.as_slice() {
        [] => target(None, None).map(|t| vec![t]),
        urls => urls
            .iter()
            .map(|u| target(Some(u), args.profile.as_ref()))
            .collect(),
    };
    let targets = match targets {
        Ok(t) => t,
        Err(e) => return cannot(&e),
    };
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    });
    let judge = |case: &Case| match targets.as_slice() {
        [a, b] => fuzz::compare(case, a, b),
        [t] => fuzz::check(case, t),
        _ => Verdict::Error("no target".into()),
    };
    let kinds: Vec<&str> = targets.iter().map(|t| t.kind.as_str()).collect();
    let (cases, vs) = (args.cases, kinds.join(" vs "));
    println!("afc fuzz: {cases} cases from seed {seed} on {vs}");
    let started = Instant::now();
    let (done, bad) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let progress = |case: &Case, v: &Verdict| {
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        let first = match v {
            Verdict::Failed(lines) => Some(("FAILED", lines.first().cloned().unwrap_or_default())),
            Verdict::Error(e) => Some(("ERROR", e.lines().next().unwrap_or_default().to_owned())),
            _ => None,
        };
        if let Some((word, line)) = first {
            bad.fetch_add(1, Ordering::Relaxed);
            println!("  seed {} {word}: {line}", case.seed);
        }
        if n.is_multiple_of(50) {
            println!(
                "  {n}/{cases} cases, {} failing",
                bad.load(Ordering::Relaxed)
            );
        }
    };
    let results = fuzz::run_many(seed, args.cases, args.jobs, &judge, &progress);
    let elapsed = started.elapsed().as_secs_f64();
    let t = Tally::of(&results);
    println!(
        "afc fuzz: {} passed, {} failed, {} errors, {} open (left to the clock) \
         in {elapsed:.1} s ({:.1} cases/s)",
        t.passed,
        t.failed,
        t.errors,
        t.open,
        results.len() as f64 / elapsed.max(1e-9)
    );
    for (case, verdict) in results.iter().filter(|(_, v)| v.failed()).take(args.keep) {
        match keep::keep(case, verdict, &judge, args.shrink_budget, &args.out) {
            Ok(k) => println!(
                "  seed {}: shrunk to {} reasoners, {} steps: {}",
                case.seed,
                k.reasoners,
                k.steps,
                k.path.display()
            ),
            Err(e) => return cannot(&e),
        }
    }
    match (t.failed, t.errors) {
        (0, 0) => Exit::Passed.into(),
        (0, _) => Exit::CouldNotRun.into(),
        _ => Exit::Failed.into(),
    }
}
