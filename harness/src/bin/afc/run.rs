//! `afc run`, `afc record` and `afc list`: the suite from the command line,
//! through the same `afc::suite` code as `cargo test --test scenarios`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use afc::suite::{self, Case, CaseReport, Verdict};
use afc::target::{Choice, Target};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

/// Where the scenarios, goldens and target come from.
#[derive(Args, Clone, Debug)]
pub struct SuiteArgs {
    /// Run only scenarios whose name (topic/name) contains this.
    pub filter: Option<String>,
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
    /// Writes the `--html` page, if asked for.
    pub(crate) fn write_html(&self, reports: &[CaseReport], target: &Target) -> Result<(), String> {
        let Some(path) = &self.html else {
            return Ok(());
        };
        let page = afc::report::html(reports, &format!("{} ({})", target.kind, target.url));
        std::fs::write(path, page).map_err(|e| format!("cannot write {}: {e}", path.display()))
    }

    pub(crate) fn target(&self) -> Result<Target, String> {
        let mut choice = Choice::from_env()?;
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
        Target::start(&choice)
    }

    pub(crate) fn cases(&self) -> Result<Vec<Case>, String> {
        let cases = suite::filter(suite::cases(&self.scenarios)?, self.filter.as_deref());
        if cases.is_empty() {
            return Err(format!("no scenario matches {:?}", self.filter));
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

/// A golden mismatch is an insta panic, caught and reported as a verdict;
/// its message and backtrace would only tear the progress bar. Other panics
/// still print.
pub(crate) fn quiet_snapshot_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if !message.starts_with("snapshot assertion") {
            default(info);
        }
    }));
}

pub fn could_not_run(what: &str, e: String) -> ExitCode {
    eprintln!("afc {what}: {e}");
    ExitCode::from(2)
}

fn run_with_progress(
    args: &SuiteArgs,
    target: &Target,
    goldens: &Path,
) -> Result<Vec<CaseReport>, String> {
    Ok(progress(&args.cases()?, target, goldens, args.jobs))
}

/// Runs `cases` with a progress bar; failures are named as they happen.
pub fn progress(cases: &[Case], target: &Target, goldens: &Path, jobs: usize) -> Vec<CaseReport> {
    // Diffs would tear the progress bar; the table and the .snap.new files carry them.
    insta_default("INSTA_OUTPUT", "none");
    quiet_snapshot_panics();
    let bar = ProgressBar::new(cases.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {elapsed} {msg}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar.println(format!(
        "{} scenarios against {} ({}), {} agents",
        cases.len(),
        target.kind,
        target.url,
        target.agents.label()
    ));
    let done = |r: &CaseReport| {
        if let Verdict::Failed { .. } = r.verdict {
            bar.println(format!(
                "FAILED {}: {}",
                r.name,
                afc::report::first_line(&r.verdict)
            ));
        }
        bar.set_message(r.name.clone());
        bar.inc(1);
    };
    let reports = suite::run_all(cases, target, goldens, jobs, &done);
    bar.finish_and_clear();
    reports
}

/// `afc run`: progress, a summary table, optional JUnit; exit 0/1/2.
pub fn run(args: &SuiteArgs, snapshots: &Path, junit: Option<&Path>) -> ExitCode {
    let target = match args.target() {
        Ok(t) => t,
        Err(e) => return could_not_run("run", e),
    };
    let reports = match run_with_progress(args, &target, snapshots) {
        Ok(r) => r,
        Err(e) => return could_not_run("run", e),
    };
    print!("{}", afc::report::table(&reports, 70));
    for r in &reports {
        if let Verdict::Failed { problems, .. } = &r.verdict {
            println!("\n{}:\n  {}", r.name, problems.join("\n  "));
        }
    }
    let totals = afc::report::totals(&reports);
    if totals.any_failure() {
        println!(
            "\nreview the differences: cargo insta review (or diff each .snap with its .snap.new)"
        );
        if let Some(logs) = target.container_logs(20) {
            println!("last container log lines:\n{logs}");
        }
    }
    if let Some(path) = junit {
        let xml = afc::report::junit(&reports, &target.kind);
        if let Err(e) = std::fs::write(path, xml) {
            return could_not_run("run", format!("cannot write {}: {e}", path.display()));
        }
    }
    if let Err(e) = args.write_html(&reports, &target) {
        return could_not_run("run", e);
    }
    if totals.any_failure() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `afc record`: the goldens of another implementation, into their own folder.
pub fn record(args: &SuiteArgs, out: &Path, snapshots: &Path) -> ExitCode {
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same(out, snapshots) {
        return could_not_run(
            "record",
            format!(
                "refusing to record into the reference goldens {}; pick another --out",
                snapshots.display()
            ),
        );
    }
    if let Err(e) = std::fs::create_dir_all(out) {
        return could_not_run("record", format!("cannot create {}: {e}", out.display()));
    }
    let out = match out.canonicalize() {
        Ok(p) => p,
        Err(e) => return could_not_run("record", format!("{}: {e}", out.display())),
    };
    insta_default("INSTA_UPDATE", "always");
    let target = match args.target() {
        Ok(t) => t,
        Err(e) => return could_not_run("record", e),
    };
    let reports = match run_with_progress(args, &target, &out) {
        Ok(r) => r,
        Err(e) => return could_not_run("record", e),
    };
    let cmp = match afc::suite::compare_goldens(&out, snapshots) {
        Ok(c) => c,
        Err(e) => return could_not_run("record", format!("{}: {e}", out.display())),
    };
    println!(
        "recorded {} goldens of {} into {}",
        cmp.recorded,
        target.kind,
        out.display()
    );
    println!(
        "{} identical to {}, {} differ, {} new",
        cmp.identical,
        snapshots.display(),
        cmp.differ.len(),
        cmp.new.len()
    );
    for d in &cmp.differ {
        println!(
            "  differs: {d}  (diff {}/{d} {}/{d})",
            snapshots.display(),
            out.display()
        );
    }
    for n in &cmp.new {
        println!("  new:     {n}");
    }
    if let Err(e) = args.write_html(&reports, &target) {
        return could_not_run("record", e);
    }
    let failed: Vec<&CaseReport> = reports
        .iter()
        .filter(|r| {
            matches!(
                &r.verdict,
                Verdict::Failed {
                    first_diff: None,
                    ..
                }
            )
        })
        .collect();
    for r in &failed {
        println!(
            "  did not complete: {}: {}",
            r.name,
            afc::report::first_line(&r.verdict)
        );
    }
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `afc list`: every scenario with the rules it guards.
pub fn list(scenarios: &Path) -> ExitCode {
    let cases = match suite::cases(scenarios) {
        Ok(c) => c,
        Err(e) => return could_not_run("list", e),
    };
    let mut out = std::io::stdout().lock();
    for case in cases {
        let line = match afc::scenario::load(&case.path) {
            Ok(s) => format!("{:<45} {}", case.name, afc::report::clip(&s.guards, 110)),
            Err(e) => format!(
                "{:<45} INVALID: {}",
                case.name,
                e.to_string().lines().next().unwrap_or("")
            ),
        };
        // A closed pipe (`afc list | head`) ends the listing quietly.
        if writeln!(out, "{line}").is_err() {
            break;
        }
    }
    ExitCode::SUCCESS
}

/// `afc check`: every problem of every file, as file:line:col.
pub fn check(files: &[PathBuf]) -> ExitCode {
    let mut ok = true;
    for f in files {
        match afc::scenario::load(f) {
            Ok(s) => println!("{}: ok ({} steps)", f.display(), s.steps.len()),
            Err(e) => {
                ok = false;
                print!("{e}");
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
