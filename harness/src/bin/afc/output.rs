//! What `afc run` shows while scenarios finish and at the end, in one of two
//! formats:
//!
//! - `human`: on a terminal a progress bar with each failure printed above it;
//!   in a log (stderr not a terminal) one line per scenario as it finishes.
//!   Then the table, each failure's diff (coloured when stdout is a terminal)
//!   and the summary, on stdout.
//! - `json`: one JSON object per line on stdout, `{"type":"scenario",…}` as
//!   each scenario finishes, then one `{"type":"summary",…}` (or a single
//!   `{"type":"error",…}` when the run could not happen). README "afc run
//!   --format json" is the schema.

use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;
use std::time::Duration;

use afc::report::Totals;
use afc::suite::{CaseReport, Verdict};
use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{json, Value};

/// How `afc run` reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Progress, a table, each failure's diff and a summary.
    #[default]
    Human,
    /// One JSON event per line on stdout (README: "afc run --format json").
    Json,
}

/// Progress of a run as scenarios finish; shared by the worker threads.
pub struct Progress {
    format: Format,
    bar: ProgressBar,
    /// stderr is not a terminal: a line per scenario instead of a bar.
    log: bool,
}

impl Progress {
    /// Starts showing progress of `total` scenarios; `header` says what runs where.
    pub fn start(format: Format, total: usize, header: &str) -> Progress {
        let log = !std::io::stderr().is_terminal();
        let bar = if format == Format::Json || log {
            ProgressBar::hidden()
        } else {
            let bar = ProgressBar::new(total as u64);
            bar.set_style(
                ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {elapsed} {msg}")
                    .expect("a valid template")
                    .progress_chars("=> "),
            );
            bar
        };
        if format == Format::Human {
            if log {
                eprintln!("{header}");
            } else {
                bar.println(header);
            }
        }
        Progress { format, bar, log }
    }

    /// One scenario finished: shown, and the bar moves by one.
    pub fn finished(&self, r: &CaseReport) {
        self.announce(r);
        self.bar.set_message(r.name.clone());
        self.bar.inc(1);
    }

    /// One scenario finished, shown without moving the bar (which counts
    /// repeated runs).
    pub fn finished_repeated(&self, r: &CaseReport) {
        self.announce(r);
    }

    fn announce(&self, r: &CaseReport) {
        match self.format {
            Format::Json => emit(&scenario_event(r)),
            Format::Human if self.log => {
                let detail = afc::report::first_line(&r.verdict);
                let sep = if detail.is_empty() { "" } else { ": " };
                eprintln!(
                    "{:<7} {} ({} ms){sep}{detail}",
                    word(&r.verdict),
                    r.name,
                    r.elapsed.as_millis()
                );
            }
            Format::Human => {
                if matches!(r.verdict, Verdict::Failed { .. } | Verdict::Flaky { .. }) {
                    self.bar.println(format!(
                        "{} {}: {}",
                        word(&r.verdict),
                        r.name,
                        afc::report::first_line(&r.verdict)
                    ));
                }
            }
        }
    }

    /// Moves the bar by `n` without a scenario finishing (repeated runs).
    pub fn advance(&self, n: u64, message: &str) {
        self.bar.set_message(message.to_owned());
        self.bar.inc(n);
    }

    /// The run is over: the bar goes away.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// The word of a verdict in tables and log lines; `not run` for a scenario
/// `--fail-fast` never started.
pub fn word(v: &Verdict) -> &'static str {
    match v {
        Verdict::Passed => "ok",
        Verdict::Failed { .. } => "FAILED",
        Verdict::Flaky { .. } => "FLAKY",
        Verdict::Skipped(r) if r == afc::suite::NOT_RUN => "not run",
        Verdict::Skipped(_) => "skipped",
    }
}

/// The JSON event of one finished (or never started) scenario.
pub fn scenario_event(r: &CaseReport) -> Value {
    let result = match &r.verdict {
        Verdict::Passed => "passed",
        Verdict::Failed { .. } => "failed",
        Verdict::Flaky { .. } => "flaky",
        Verdict::Skipped(reason) if reason == afc::suite::NOT_RUN => "not_run",
        Verdict::Skipped(_) => "skipped",
    };
    let mut e = json!({
        "type": "scenario",
        "name": r.name,
        "result": result,
        "time_ms": r.elapsed.as_millis() as u64,
    });
    match &r.verdict {
        Verdict::Passed => {}
        Verdict::Skipped(reason) => e["reason"] = json!(reason),
        Verdict::Failed {
            problems,
            first_diff,
        } => {
            e["first_difference"] = json!(first_diff);
            e["problems"] = json!(afc::suite::rendered(problems));
        }
        Verdict::Flaky {
            passed,
            failed,
            differences,
            problems,
        } => {
            e["passed_runs"] = json!(passed);
            e["failed_runs"] = json!(failed);
            e["first_difference"] = json!(differences.first().map(|d| &d.line));
            e["problems"] = json!(afc::suite::rendered(problems));
        }
    }
    e
}

/// The final JSON event.
pub fn summary_event(t: &Totals, wall: Duration, scenario_time: Duration, exit: u8) -> Value {
    json!({
        "type": "summary",
        "passed": t.passed,
        "failed": t.failed,
        "flaky": t.flaky,
        "skipped": t.skipped,
        "not_run": t.not_run,
        "wall_ms": wall.as_millis() as u64,
        "scenario_ms": scenario_time.as_millis() as u64,
        "exit_code": exit,
    })
}

/// Writes one event as one line on stdout.
pub fn emit(event: &Value) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{event}");
    let _ = out.flush();
}

/// The run could not happen: the cause on stderr (and as an `error` event in
/// JSON), exit 2.
pub fn could_not_run(format: Format, what: &str, e: &str) -> ExitCode {
    eprintln!("afc {what}: {e}");
    if format == Format::Json {
        emit(&json!({"type": "error", "message": e, "exit_code": 2}));
    }
    ExitCode::from(2)
}

/// A failure's problems for the terminal: indented, the diff lines coloured
/// (red golden, green new) when stdout is a terminal that takes colours.
pub fn problems_text(problems: &[String]) -> String {
    let colours = console::colors_enabled();
    let mut out = String::new();
    for line in problems.iter().flat_map(|p| p.lines()) {
        let sign = line
            .split_once('│')
            .and_then(|(_, rest)| rest.chars().next());
        let shown = match sign {
            Some('-') if colours => console::style(line).red().to_string(),
            Some('+') if colours => console::style(line).green().to_string(),
            _ if colours && line.starts_with("view '") => console::style(line).bold().to_string(),
            _ => line.to_string(),
        };
        out.push_str("  ");
        out.push_str(&shown);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_event_is_one_line_of_json_with_its_result() {
        let failed = CaseReport {
            name: "replay/b".into(),
            verdict: Verdict::Failed {
                problems: vec![afc::suite::Problem::ViewDiffers {
                    view: afc::scenario::View::Provenance,
                    golden: "x.snap".into(),
                    first_entry: None,
                    diff: Some("   5       │-a: 1".into()),
                    pending: None,
                }],
                first_diff: Some("line 5: -a: 1 +a: 2".into()),
            },
            elapsed: Duration::from_millis(7),
            observed: None,
        };
        let e = scenario_event(&failed);
        let line = e.to_string();
        assert!(!line.contains('\n'), "{line}");
        let back: Value = serde_json::from_str(&line).expect("parses");
        assert_eq!(back["result"], "failed");
        assert_eq!(back["first_difference"], "line 5: -a: 1 +a: 2");
        assert_eq!(back["time_ms"], 7);
        assert_eq!(
            back["problems"],
            json!(["view 'provenance' differs from x.snap:\n   5       │-a: 1"])
        );
        let not_run = afc::suite::not_run(&afc::suite::Case {
            name: "t/z".into(),
            path: "z.yaml".into(),
        });
        assert_eq!(scenario_event(&not_run)["result"], "not_run");
        assert_eq!(word(&not_run.verdict), "not run");
    }

    #[test]
    fn problems_are_indented_and_plain_without_a_terminal() {
        console::set_colors_enabled(false);
        let text = problems_text(&["view 'x' differs:\n    5       │-a: 1".into()]);
        assert_eq!(text, "  view 'x' differs:\n      5       │-a: 1\n");
    }
}
