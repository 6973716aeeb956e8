//! `afc record`: another implementation's goldens, written into a folder of
//! their own for review, never over the reference goldens.

use std::path::Path;
use std::process::ExitCode;

use afc::suite::{CaseReport, Verdict};

use crate::run::{could_not_run, insta_default, run_with_progress, SuiteArgs};

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
    let target = match args.healthy_target() {
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
    if let Err(e) = args.write_reports(None, &reports, &target) {
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
