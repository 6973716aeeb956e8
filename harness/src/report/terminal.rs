//! What `afc run` prints at the end of a run for people: the table, each
//! failure's diff (coloured on a terminal), the fuzz pass's line, the totals
//! and where insta wrote `.snap.new` files.

use std::path::Path;
use std::time::Duration;

use super::{emit, Event, Exit, Format};
use crate::fuzz::pass::PassOutcome;
use crate::suite::repeat::{Plan, Repeated};
use crate::suite::{CaseReport, Problem, Verdict};
use crate::target::Target;

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

/// The fuzz pass's line in `afc run`'s human output.
pub fn fuzz_line(o: &PassOutcome) -> String {
    let verdict = if o.ok() { "passed" } else { "FAILED" };
    format!("\nfuzz pass {verdict}: {}\n", o.summary())
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

/// The end of `afc run`: the table, each failure's diff, the fuzz pass, the
/// totals, the `.snap.new` files written, and `logs` (the target's last log
/// lines) when something failed.
pub fn run_text(
    reports: &[CaseReport],
    fuzzed: Option<&PassOutcome>,
    wall: Duration,
    logs: impl FnOnce() -> Option<String>,
) -> String {
    let mut out = super::table(reports, None);
    for r in reports {
        if let Verdict::Failed { problems, .. } = &r.verdict {
            out.push_str(&format!(
                "\nFAILED {}:\n{}",
                r.name,
                problems_text(&crate::suite::rendered(problems))
            ));
        }
    }
    if let Some(o) = fuzzed {
        out.push_str(&fuzz_line(o));
    }
    out.push_str(&format!("\n{}\n", super::summary(reports, wall)));
    let pending = pending_snapshots(reports);
    if !pending.is_empty() {
        let files = if pending.len() == 1 { "file" } else { "files" };
        out.push_str(&format!(
            "{} .snap.new {files} written; review with cargo insta review (or diff each .snap with its .snap.new)\n",
            pending.len()
        ));
    }
    if super::totals(reports).any_failure() {
        if let Some(logs) = logs() {
            out.push_str(&format!("last container log lines:\n{logs}\n"));
        }
    }
    out
}

/// How a run went, for [`conclude`].
pub struct Ran<'a> {
    /// One report per scenario.
    pub reports: &'a [CaseReport],
    /// With `--repeat`: each scenario's runs, and the plan.
    pub repeated: Option<(&'a [Repeated], Plan)>,
    /// The fuzz pass, if one ran.
    pub fuzzed: Option<&'a PassOutcome>,
    /// Wall time of the run.
    pub wall: Duration,
}

/// The end of `afc run` on stdout: in JSON the fuzz event and the summary,
/// else the table, diffs and totals (the repeat table with `--repeat`); and
/// how the run exits: 1 when a scenario failed or was flaky, or the fuzz
/// pass failed.
pub fn conclude(ran: &Ran, format: Format, target: &Target) -> Exit {
    let totals = super::totals(ran.reports);
    let exit = Exit::failed_if(totals.any_failure() || ran.fuzzed.is_some_and(|o| !o.ok()));
    if format == Format::Json {
        if let Some(o) = ran.fuzzed {
            emit(&Event::fuzz(o));
        }
        let time = ran.reports.iter().map(|r| r.elapsed).sum();
        emit(&Event::summary(&totals, ran.wall, time, exit));
    } else if let Some((results, plan)) = ran.repeated {
        print!("{}", super::repeat::table(results, plan, ran.wall, None));
    } else {
        let logs = || target.container_logs(20);
        print!("{}", run_text(ran.reports, ran.fuzzed, ran.wall, logs));
    }
    exit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_are_indented_and_plain_without_a_terminal() {
        console::set_colors_enabled(false);
        let text = problems_text(&["view 'x' differs:\n    5       │-a: 1".into()]);
        assert_eq!(text, "  view 'x' differs:\n      5       │-a: 1\n");
    }
}
