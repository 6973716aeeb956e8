//! `afc run`, `afc record` and `afc list`: the suite from the command line,
//! through the same `afc::suite` code as `cargo test --test scenarios`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use std::time::Instant;

use afc::suite::{self, Case, CaseReport, Problem, Verdict};
use afc::target::{Choice, Target};
use clap::Args;

use crate::output::{self, Format, Progress};

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
    /// Writes the JUnit file and the `--html` page, where asked for.
    pub(crate) fn write_reports(
        &self,
        junit: Option<&Path>,
        reports: &[CaseReport],
        target: &Target,
    ) -> Result<(), String> {
        let write = |path: &Path, text: String| {
            std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
        };
        if let Some(path) = junit {
            write(path, afc::report::junit(reports, &target.kind))?;
        }
        if let Some(path) = &self.html {
            let page = afc::report::html(reports, &format!("{} ({})", target.kind, target.url));
            write(path, page)?;
        }
        Ok(())
    }

    pub(crate) fn target(&self) -> Result<Target, String> {
        let mut choice = Choice::from_env().map_err(|e| e.to_string())?;
        if self.url.is_some() || self.image.is_some() {
            choice.url = self.url.clone();
            choice.image = self.image.clone();
        }
        if self.profile.is_some() {
            choice.profile = self.profile.clone();
        }
        if self.agents.is_some() {
            choice.agents = self.agents.clone();
        }
        Target::start(&choice).map_err(|e| e.to_string())
    }

    /// The target, once it answered its health check (`afc run`'s exit 2 otherwise).
    pub(crate) fn healthy_target(&self) -> Result<Target, String> {
        let target = self.target()?;
        target.check_health().map_err(|e| e.to_string())?;
        Ok(target)
    }

    pub(crate) fn cases(&self) -> Result<Vec<Case>, String> {
        let matches = |name: &str, p: &str| {
            if self.exact {
                name == p
            } else {
                name.contains(p)
            }
        };
        let cases: Vec<Case> = suite::cases(&self.scenarios)?
            .into_iter()
            .filter(|c| self.filter.as_deref().is_none_or(|f| matches(&c.name, f)))
            .filter(|c| !self.skip.iter().any(|s| matches(&c.name, s)))
            .collect();
        if cases.is_empty() {
            let how = if self.exact { " exactly" } else { "" };
            let filter = self
                .filter
                .as_deref()
                .map_or_else(|| "any name".to_owned(), |f| format!("{f:?}"));
            let skip = if self.skip.is_empty() {
                String::new()
            } else {
                format!(" once --skip {:?} is left out", self.skip)
            };
            return Err(format!("no scenario matches {filter}{how}{skip}"));
        }
        Ok(cases)
    }
}

/// Sets an insta variable unless the user already did.
pub fn insta_default(key: &str, value: &str) {
    if std::env::var_os(key).is_none() {
        std::env::set_var(key, value);
    }
}

pub fn could_not_run(what: &str, e: String) -> ExitCode {
    eprintln!("afc {what}: {e}");
    ExitCode::from(2)
}

/// How `afc run` reports and when it stops.
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
    pub fuzz: crate::fuzz_pass::FuzzPassArgs,
}

pub(crate) fn run_with_progress(
    args: &SuiteArgs,
    target: &Target,
    goldens: &Path,
) -> Result<Vec<CaseReport>, String> {
    Ok(progress(&args.cases()?, target, goldens, args.jobs))
}

/// The line a run starts with.
pub fn header(scenarios: usize, target: &Target) -> String {
    format!(
        "{scenarios} scenarios against {} ({}), {} agents",
        target.kind,
        target.url,
        target.agents.label()
    )
}

/// Runs `cases` showing progress; failures are named as they happen.
pub fn progress(cases: &[Case], target: &Target, goldens: &Path, jobs: usize) -> Vec<CaseReport> {
    execute(cases, target, goldens, jobs, false, Format::Human)
}

/// Runs `cases`, reporting each as it finishes in `format`; with `fail_fast`
/// no scenario starts after the first failure, and those never started are
/// reported (after the others) as not run.
fn execute(
    cases: &[Case],
    target: &Target,
    goldens: &Path,
    jobs: usize,
    fail_fast: bool,
    format: Format,
) -> Vec<CaseReport> {
    // Diffs would tear the progress bar; the failure section carries them.
    insta_default("INSTA_OUTPUT", "none");
    afc::suite::insta_env::quiet_snapshot_panics();
    let shown = Progress::start(format, cases.len(), &header(cases.len(), target));
    // A target that stops answering ends the run: one account, not a failure per scenario.
    let watch = suite::stopped::Watch::new();
    let stop = |r: &CaseReport| {
        watch.after(r, target) || (fail_fast && matches!(r.verdict, Verdict::Failed { .. }))
    };
    let results = suite::run_all_until(
        cases,
        jobs,
        &|case| suite::run_case(case, target, goldens),
        &|r| shown.finished(r),
        &stop,
    );
    let stopped = watch.stopped();
    let not_run = results.iter().filter(|r| r.is_none()).count();
    let reports: Vec<CaseReport> = results
        .into_iter()
        .zip(cases)
        .map(|(r, case)| {
            r.unwrap_or_else(|| {
                let r = match &stopped {
                    Some(s) => suite::stopped::not_run(case, s),
                    None => suite::not_run(case),
                };
                shown.finished(&r);
                r
            })
        })
        .collect();
    shown.finish();
    if let Some(s) = &stopped {
        let logs = target.container_logs(20);
        eprintln!(
            "afc run: {}",
            suite::stopped::account(s, not_run, target, logs)
        );
    }
    reports
}

/// The `.snap.new` files insta wrote during this run, as the problems name them.
fn pending_snapshots(reports: &[CaseReport]) -> Vec<&Path> {
    reports
        .iter()
        .filter_map(|r| match &r.verdict {
            Verdict::Failed { problems, .. } => Some(problems),
            _ => None,
        })
        .flat_map(|p| p.iter().filter_map(Problem::pending))
        .collect()
}

/// `afc run`: progress, a summary table, each failure's diff, optional
/// JUnit; exit 0 all passed, 1 some failed, 2 could not run.
pub fn run(args: &SuiteArgs, opts: &RunArgs, snapshots: &Path, junit: Option<&Path>) -> ExitCode {
    let format = opts.format;
    let tier = match &opts.tier {
        Some(name) => afc::observe::Tier::named(name),
        None => afc::observe::Tier::from_env(),
    };
    match tier {
        Ok(t) => suite::set_tier(Some(t)),
        Err(e) => return output::could_not_run(format, "run", &e.to_string()),
    }
    let target = match args.healthy_target() {
        Ok(t) => t,
        Err(e) => return output::could_not_run(format, "run", &e),
    };
    let cases = match args.cases() {
        Ok(c) => c,
        Err(e) => return output::could_not_run(format, "run", &e),
    };
    let started = Instant::now();
    let reports = execute(
        &cases,
        &target,
        snapshots,
        args.jobs,
        opts.fail_fast,
        format,
    );
    let fuzzed = opts.fuzz.run(&target);
    let wall = started.elapsed();
    let totals = afc::report::totals(&reports);
    if let Err(e) = args.write_reports(junit, &reports, &target) {
        return output::could_not_run(format, "run", &e);
    }
    let code = u8::from(totals.any_failure() || fuzzed.as_ref().is_some_and(|o| !o.ok()));
    if format == Format::Json {
        if let Some(o) = &fuzzed {
            output::emit(&crate::fuzz_pass::event(o));
        }
        let time = reports.iter().map(|r| r.elapsed).sum();
        output::emit(&output::summary_event(&totals, wall, time, code));
        return ExitCode::from(code);
    }
    let mut out = afc::report::table(&reports, None);
    for r in &reports {
        if let Verdict::Failed { problems, .. } = &r.verdict {
            out.push_str(&format!(
                "\nFAILED {}:\n{}",
                r.name,
                output::problems_text(&suite::rendered(problems))
            ));
        }
    }
    if let Some(o) = &fuzzed {
        out.push_str(&crate::fuzz_pass::line(o));
    }
    out.push_str(&format!("\n{}\n", afc::report::summary(&reports, wall)));
    let pending = pending_snapshots(&reports);
    if !pending.is_empty() {
        let files = if pending.len() == 1 { "file" } else { "files" };
        out.push_str(&format!(
            "{} .snap.new {files} written; review with cargo insta review (or diff each .snap with its .snap.new)\n",
            pending.len()
        ));
    }
    if totals.any_failure() {
        if let Some(logs) = target.container_logs(20) {
            out.push_str(&format!("last container log lines:\n{logs}\n"));
        }
    }
    print!("{out}");
    ExitCode::from(code)
}
