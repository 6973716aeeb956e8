//! `afc fuzz`: generated cases against one target (judged by the model) or
//! two (`--url A --url B`, judged against each other); failures are shrunk and
//! written as scenario files into `--out`, never into `scenarios/`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use afc::fuzz::{self, Case, Verdict};
use afc::target::{Choice, Target};

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
    if inside_scenarios(&args.out) {
        eprintln!(
            "afc fuzz: --out {} is inside scenarios/; choose another folder",
            args.out.display()
        );
        return ExitCode::from(2);
    }
    if args.url.len() > 2 {
        eprintln!("afc fuzz: at most two --url (differential mode)");
        return ExitCode::from(2);
    }
    let targets: Result<Vec<Target>, String> = if args.url.is_empty() {
        target(None, None).map(|t| vec![t])
    } else {
        args.url
            .iter()
            .map(|u| target(Some(u), args.profile.as_ref()))
            .collect()
    };
    let targets = match targets {
        Ok(t) => t,
        Err(e) => {
            eprintln!("afc fuzz: {e}");
            return ExitCode::from(2);
        }
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
    println!(
        "afc fuzz: {} cases from seed {seed} on {}",
        args.cases,
        kinds.join(" vs ")
    );
    let started = Instant::now();
    let done_count = AtomicUsize::new(0);
    let bad = AtomicUsize::new(0);
    let progress = |case: &Case, v: &Verdict| {
        let n = done_count.fetch_add(1, Ordering::Relaxed) + 1;
        match v {
            Verdict::Failed(lines) => {
                bad.fetch_add(1, Ordering::Relaxed);
                println!(
                    "  seed {} FAILED: {}",
                    case.seed,
                    lines.first().cloned().unwrap_or_default()
                );
            }
            Verdict::Error(e) => {
                bad.fetch_add(1, Ordering::Relaxed);
                println!(
                    "  seed {} ERROR: {}",
                    case.seed,
                    e.lines().next().unwrap_or_default()
                );
            }
            _ => {}
        }
        if n.is_multiple_of(50) {
            println!(
                "  {n}/{} cases, {} failing",
                args.cases,
                bad.load(Ordering::Relaxed)
            );
        }
    };
    let results = fuzz::run_many(seed, args.cases, args.jobs, &judge, &progress);
    let elapsed = started.elapsed();
    let count = |f: &dyn Fn(&Verdict) -> bool| results.iter().filter(|(_, v)| f(v)).count();
    let passed = count(&|v| *v == Verdict::Passed);
    let open = count(&|v| matches!(v, Verdict::Open(_)));
    let failed = count(&|v| v.failed());
    let errors = count(&|v| matches!(v, Verdict::Error(_)));
    println!(
        "afc fuzz: {passed} passed, {failed} failed, {errors} errors, {open} open (left to the clock) \
         in {:.1} s ({:.1} cases/s)",
        elapsed.as_secs_f64(),
        results.len() as f64 / elapsed.as_secs_f64().max(1e-9)
    );
    for (case, verdict) in results.iter().filter(|(_, v)| v.failed()).take(args.keep) {
        if let Err(e) = keep(args, case, verdict, &judge) {
            eprintln!("afc fuzz: {e}");
            return ExitCode::from(2);
        }
    }
    match (failed, errors) {
        (0, 0) => ExitCode::SUCCESS,
        (0, _) => ExitCode::from(2),
        _ => ExitCode::from(1),
    }
}

fn keep(
    args: &FuzzArgs,
    case: &Case,
    verdict: &Verdict,
    judge: &(dyn Fn(&Case) -> Verdict + Sync),
) -> Result<(), String> {
    let fails = |c: &Case| judge(c).failed();
    let small = fuzz::shrink::shrink(case, &fails, args.shrink_budget);
    let lines = match judge(&small) {
        Verdict::Failed(lines) => lines,
        _ => match verdict {
            Verdict::Failed(lines) => lines.clone(),
            _ => Vec::new(),
        },
    };
    let header = format!(
        "guards: found by `afc fuzz --seed {} --cases 1`, shrunk from {} to {} reasoners and \
         {} to {} steps.\nReview against the contract before promoting into scenarios/.\n\
         Differing lines (-model or first target, +observed):\n{}",
        case.seed,
        case.reasoner_count(),
        small.reasoner_count(),
        case.steps.len(),
        small.steps.len(),
        lines.join("\n")
    );
    let yaml = fuzz::to_yaml(&small, &header)?;
    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    let path = args.out.join(format!("fuzz_{}.yaml", case.seed));
    std::fs::write(&path, yaml).map_err(|e| format!("{}: {e}", path.display()))?;
    println!(
        "  seed {}: shrunk to {} reasoners, {} steps: {}",
        case.seed,
        small.reasoner_count(),
        small.steps.len(),
        path.display()
    );
    Ok(())
}

fn inside_scenarios(out: &Path) -> bool {
    let abs = std::path::absolute(out).unwrap_or_else(|_| out.to_path_buf());
    abs.components().any(|c| c.as_os_str() == "scenarios")
}
