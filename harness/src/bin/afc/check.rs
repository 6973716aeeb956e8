//! `afc check`: scenario files validated without running them.
//!
//! Every problem of every file as `file:line:col`, two files that would share
//! goldens, the goldens no scenario uses and the snapshotted views with no golden. Exit 0 when every file is valid
//! (unused goldens are then a warning), 1 on any problem (and on unused
//! goldens with `--strict`, as CI runs it), 2 when a path cannot be read.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

/// What `afc check` reads.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Scenario files and folders (searched for *.yaml and *.yml); default: the suite folder.
    pub paths: Vec<PathBuf>,
    /// The suite's folder of scenario files: the goldens are checked against it.
    #[arg(long, default_value = "scenarios")]
    pub scenarios: PathBuf,
    /// Folder of golden snapshots.
    #[arg(long, default_value = "snapshots")]
    pub snapshots: PathBuf,
    /// Goldens that no scenario uses, and snapshotted views with no golden, are errors, not warnings.
    #[arg(long)]
    pub strict: bool,
    /// Print only problems, not a line per valid file.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `afc check`.
pub fn check(args: &CheckArgs) -> ExitCode {
    let paths = if args.paths.is_empty() {
        vec![args.scenarios.clone()]
    } else {
        args.paths.clone()
    };
    let files = match afc::scenario::collect(&paths) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("afc check: {e}");
            return ExitCode::from(2);
        }
    };
    let mut ok = true;
    for clash in afc::scenario::duplicate_names(&files) {
        ok = false;
        println!("error: {clash}");
    }
    for f in &files {
        match afc::scenario::load(f) {
            Ok(_) if args.quiet => {}
            Ok(s) => println!("{}: ok ({} steps)", f.display(), s.steps.len()),
            Err(e) => {
                ok = false;
                print!("{e}");
            }
        }
    }
    ok &= goldens(args);
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Reports the goldens no scenario of the suite uses and the views that have
/// no golden; false if that fails the check.
fn goldens(args: &CheckArgs) -> bool {
    // Checking files outside a suite (no snapshots folder here) has no goldens to audit.
    if !args.snapshots.is_dir() || !args.scenarios.is_dir() {
        return true;
    }
    missing(args) & unused(args)
}

/// Reports the snapshotted views with no golden; false if that fails the check.
fn missing(args: &CheckArgs) -> bool {
    let missing = match afc::scenario::missing_goldens(&args.snapshots, &args.scenarios) {
        Ok(missing) => missing,
        Err(e) => {
            println!("error: goldens not checked: {e}");
            return false;
        }
    };
    if missing.is_empty() {
        return true;
    }
    let level = if args.strict { "error" } else { "warning" };
    println!(
        "{level}: {} golden(s) missing from {}: the suite fails these views with \"no golden\" \
         (run the scenario, read its .snap.new, then `cargo insta review`):",
        missing.len(),
        args.snapshots.display(),
    );
    for golden in &missing {
        println!("  {}", relative(golden, &args.snapshots).display());
    }
    !args.strict
}

/// Reports the goldens no scenario of the suite uses; false if that fails the check.
fn unused(args: &CheckArgs) -> bool {
    let unused = match afc::scenario::unused_goldens(&args.snapshots, &args.scenarios) {
        Ok(unused) => unused,
        Err(e) => {
            println!("error: goldens not checked: {e}");
            return false;
        }
    };
    if unused.is_empty() {
        return true;
    }
    let level = if args.strict { "error" } else { "warning" };
    println!(
        "{level}: {} golden(s) in {} that no scenario under {} uses \
         (delete them, or add the view to the scenario's `snapshot:` list):",
        unused.len(),
        args.snapshots.display(),
        args.scenarios.display()
    );
    for golden in &unused {
        println!("  {}", relative(golden, &args.snapshots).display());
    }
    !args.strict
}

fn relative<'a>(path: &'a Path, root: &Path) -> &'a Path {
    path.strip_prefix(root).unwrap_or(path)
}
