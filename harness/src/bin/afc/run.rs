//! `afc run` and `afc record`: the suite from the command line, through the
//! same `afc::suite` code as `cargo test --test scenarios`.

use std::time::Instant;

use afc::cli::run::{RecordArgs, RunCommand};
use afc::report::{Exit, Format};
use afc::suite::session::Session;
use afc::suite::{Case, CaseReport};

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
    let plan = args.repeat.plan();
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
