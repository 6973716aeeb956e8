//! `afc run --repeat N` and `--until-fail`: each scenario run N times (or
//! until its first failure), then one row per scenario (`afc::report::repeat`).

use std::process::ExitCode;
use std::time::Instant;

use afc::report::{Event, Exit, Format, Progress};
use afc::suite::repeat::{Plan, Repeated, UNTIL_FAIL_DEFAULT};
use afc::suite::session::Session;
use clap::Args;

use crate::could_not_run;
use crate::run::{insta_default, RunCommand};

// How often `afc run` runs each scenario.
#[derive(Args, Clone, Debug, Default)]
pub struct RepeatArgs {
    /// Run each scenario N times; one that passes some runs and fails others is FLAKY, a failure.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub repeat: Option<u32>,
    /// Stop repeating a scenario at its first failure (at most --repeat runs; 100 without it).
    #[arg(long)]
    pub until_fail: bool,
}

impl RepeatArgs {
    /// The plan, or `None` for a single ordinary run.
    pub fn plan(&self) -> Option<Plan> {
        let times = match (self.repeat, self.until_fail) {
            (None, false) | (Some(1), false) => return None,
            (None, true) => UNTIL_FAIL_DEFAULT,
            (Some(n), _) => n as usize,
        };
        Some(Plan {
            times,
            until_fail: self.until_fail,
        })
    }
}

/// Runs the suite as `plan` says; prints the table; writes JUnit; exit 0/1/2.
pub fn run(args: &RunCommand, plan: Plan) -> ExitCode {
    let format = args.output.format;
    let (target, cases) = match args.suite.start() {
        Ok(t) => t,
        Err(e) => return could_not_run(format, "run", &e),
    };
    insta_default("INSTA_OUTPUT", "none");
    afc::suite::insta_env::quiet_snapshot_panics();
    let started = Instant::now();
    let against = format!("{} ({})", target.kind, target.url);
    let header = afc::report::repeat::header(cases.len(), plan, &against);
    // The bar counts runs; the JSON events and log lines, scenarios.
    let shown = Progress::start(format, cases.len() * plan.times, &header);
    let session = Session {
        target: &target,
        goldens: &args.snapshots,
        jobs: args.suite.jobs,
        fail_fast: args.output.fail_fast,
    };
    let done = |r: &Repeated| {
        // Runs --until-fail did not make still count as done.
        shown.advance((plan.times - r.runs) as u64, &r.report.name);
        shown.finished_repeated(&r.report);
    };
    let results = session.run_repeated(&cases, plan, &|r| shown.advance(1, &r.name), &done);
    shown.finish();
    let wall = started.elapsed();
    let reports: Vec<_> = results.iter().map(|r| r.report.clone()).collect();
    let html = args.suite.html.as_deref();
    if let Err(e) = afc::report::write_files(args.junit.as_deref(), html, &reports, &target) {
        return could_not_run(format, "run", &e);
    }
    let totals = afc::report::totals(&reports);
    let exit = Exit::failed_if(totals.any_failure());
    if format == Format::Json {
        let time = reports.iter().map(|r| r.elapsed).sum();
        afc::report::emit(&Event::summary(&totals, wall, time, exit));
    } else {
        print!("{}", afc::report::repeat::table(&results, plan, wall, None));
    }
    exit.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_follows_the_flags() {
        let args = |repeat, until_fail| RepeatArgs { repeat, until_fail };
        assert_eq!(args(None, false).plan(), None);
        assert_eq!(args(Some(1), false).plan(), None);
        let plan = |times, until_fail| Some(Plan { times, until_fail });
        assert_eq!(args(Some(20), false).plan(), plan(20, false));
        assert_eq!(args(None, true).plan(), plan(100, true));
        assert_eq!(args(Some(5), true).plan(), plan(5, true));
    }
}
