//! Trials for the libtest-mimic test binaries (`tests/scenarios.rs`,
//! `tests/sdk_bugs.rs`, `tests/python_sdk*.rs`) that `cargo test` and
//! `cargo nextest run` drive alike.
//!
//! A skip is never a pass and never a failure: a trial that cannot run here
//! (a profile's missing capability, no Python interpreter, …) reports
//! `ignored (reason)` when it runs, so `--include-ignored` cannot turn it into
//! a failure and the reason stands after `ignored`, not in front of the name.
//! It carries libtest's `ignored` flag only where selection needs the flag:
//! for `--list` (nextest lists `--list --format terse --ignored` and leaves
//! those out of a default run) and for `--ignored`.

use std::path::PathBuf;

use libtest_mimic::{Arguments, Completion, Failed, Trial};

/// A trial that runs `test` unless `skip` says why it cannot run here; `test`
/// may still find out at run time that it cannot (`Ok(Some(reason))`).
pub fn skippable<F>(args: &Arguments, name: String, skip: Option<String>, test: F) -> Trial
where
    F: FnOnce() -> Result<Option<String>, Failed> + Send + 'static,
{
    let flagged = skip.is_some() && (args.list || args.ignored);
    Trial::ignorable_test(name, move || match skip {
        Some(reason) => Ok(Completion::ignored_with(reason)),
        None => Ok(match test()? {
            None => Completion::Completed,
            Some(reason) => Completion::ignored_with(reason),
        }),
    })
    .with_ignored_flag(flagged)
}

/// Whether `args` (filter, `--exact`, `--skip`) select the trial `name`;
/// `--list` selects every trial. Work that only a selected trial needs, such
/// as provisioning its Python SDK, is done only for one.
pub fn selected(args: &Arguments, name: &str) -> bool {
    if args.list {
        return true;
    }
    let probe = Arguments {
        ignored: false,
        ..args.clone()
    };
    !probe.is_filtered_out(&Trial::test(name, || Ok(())))
}

/// The Python SDK interpreter for the trials `names`, and the skip reason
/// when there is none: `version` (a pinned `agentfield` version), else the
/// default interpreter (`AFC_PYTHON`, `.venv`, else provisioned on first
/// use). Nothing is provisioned for `--list` or when none of `names` is
/// selected. With `AFC_REQUIRE_PYTHON` (CI) a missing interpreter is no
/// skip: the trials fail with the cause.
pub fn python_sdk(
    args: &Arguments,
    names: &[String],
    version: Option<&str>,
) -> (Option<String>, Result<PathBuf, String>) {
    crate::agents::provision::set_plan_only(args.list);
    if !names.iter().any(|n| selected(args, n)) {
        return (None, Err("not selected".to_string()));
    }
    // The edge: the cause becomes a skip reason, or a trial's failure text.
    let python = match version {
        Some(v) => crate::agents::provision::python_for(v).map_err(|e| e.to_string()),
        None => crate::agents::python::interpreter().map_err(|e| e.to_string()),
    };
    let required = std::env::var_os("AFC_REQUIRE_PYTHON").is_some();
    let skip = python.as_ref().err().filter(|_| !required).cloned();
    (skip, python)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(cli: &[&str]) -> Arguments {
        use clap::Parser;
        Arguments::parse_from(std::iter::once("t").chain(cli.iter().copied()))
    }

    fn trials(args: &Arguments) -> Vec<Trial> {
        vec![
            skippable(args, "a/passes".into(), None, || Ok(None)),
            skippable(args, "a/skipped".into(), Some("no python".into()), || {
                Err("a skipped trial must not run".into())
            }),
            skippable(args, "b/skipped_late".into(), None, || {
                Ok(Some("found out at run time".into()))
            }),
            skippable(args, "b/fails".into(), None, || Err("broken".into())),
        ]
    }

    /// Runs the trials with `cli`; the conclusion and what libtest-mimic printed.
    fn run(cli: &[&str]) -> (libtest_mimic::Conclusion, String) {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log");
        let log_arg = log.to_str().unwrap();
        let mut all = vec![
            "--test-threads",
            "1",
            "--color",
            "never",
            "--logfile",
            log_arg,
        ];
        all.extend(cli);
        let a = args(&all);
        let c = libtest_mimic::run(&a, trials(&a));
        (c, std::fs::read_to_string(&log).unwrap())
    }

    /// The result printed for trial `name`, after its padded name.
    fn line<'a>(log: &'a str, name: &str) -> &'a str {
        let prefix = format!("test {name} ");
        log.lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .map_or("<no line>", str::trim_start)
    }

    #[test]
    fn a_skip_is_ignored_with_its_reason_with_or_without_include_ignored() {
        for cli in [
            &["--skip", "fails"][..],
            &["--skip", "fails", "--include-ignored"],
        ] {
            let (c, log) = run(cli);
            assert_eq!(
                (c.num_failed, c.num_ignored, c.num_passed),
                (0, 2, 1),
                "{cli:?}"
            );
            assert_eq!(line(&log, "a/skipped"), "... ignored (no python)", "{log}");
            let late = "... ignored (found out at run time)";
            assert_eq!(line(&log, "b/skipped_late"), late, "{log}");
        }
        // `--ignored`: only the known skip, still ignored with its reason.
        let (c, log) = run(&["--ignored"]);
        assert_eq!((c.num_failed, c.num_ignored, c.num_passed), (0, 1, 0));
        assert_eq!(line(&log, "a/skipped"), "... ignored (no python)", "{log}");
        // A failing trial still fails.
        assert_eq!(run(&["fails"]).0.num_failed, 1);
    }

    #[test]
    fn only_known_skips_carry_the_ignored_flag_and_only_for_list_and_ignored() {
        let flags = |cli: &[&str]| -> Vec<bool> {
            trials(&args(cli))
                .iter()
                .map(Trial::has_ignored_flag)
                .collect()
        };
        assert_eq!(flags(&[]), [false; 4]);
        assert_eq!(flags(&["--include-ignored"]), [false; 4]);
        assert_eq!(flags(&["--list"]), [false, true, false, false]);
        assert_eq!(flags(&["--ignored"]), [false, true, false, false]);
    }

    #[test]
    fn selection_follows_filter_exact_and_skip() {
        assert!(selected(&args(&[]), "a/passes"));
        assert!(selected(&args(&["a/"]), "a/passes"));
        assert!(!selected(&args(&["b/"]), "a/passes"));
        assert!(selected(&args(&["--exact", "a/passes"]), "a/passes"));
        assert!(!selected(&args(&["--exact", "a/pass"]), "a/passes"));
        assert!(!selected(&args(&["--skip", "pass"]), "a/passes"));
        assert!(selected(&args(&["--ignored"]), "a/passes"));
        assert!(selected(&args(&["--list", "b/"]), "a/passes"));
    }
}
