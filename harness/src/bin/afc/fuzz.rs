//! `afc fuzz`: generated cases against one target (judged by the model) or
//! two (`--url A --url B`, judged against each other); failures are shrunk and
//! written as scenario files into `--out`, never into `scenarios/`.

use afc::cli::fuzz::FuzzArgs;
use afc::fuzz::keep::{self, Batch, Tally};
use afc::report::Exit;
use afc::target::{Choice, Target};

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
