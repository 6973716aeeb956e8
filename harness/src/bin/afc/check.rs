//! `afc check` (scenario files validated without running them: exit 0 when
//! every file is valid, unused goldens then a warning; 1 on any problem, and
//! on unused goldens with `--strict`, as CI runs it; 2 when a path cannot be
//! read) and `afc list` (the scenarios and the rules they guard; 2 when none
//! matches).

use std::io::Write as _;
use std::path::PathBuf;

use afc::report::{Exit, Format};
use clap::Args;

// What `afc check` reads.
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

// What `afc list` lists.
#[derive(Args, Debug)]
pub struct ListArgs {
    /// List only scenarios whose name (topic/name) contains this.
    pub filter: Option<String>,
    /// human: a table fitted to the terminal. json: one object per scenario per line.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Folder of scenario files.
    #[arg(long, default_value = "scenarios")]
    pub scenarios: PathBuf,
}

/// Runs `afc check`.
pub fn check(args: &CheckArgs) -> Result<Exit, String> {
    let paths = if args.paths.is_empty() {
        vec![args.scenarios.clone()]
    } else {
        args.paths.clone()
    };
    let check = afc::report::check::Check {
        paths: &paths,
        scenarios: &args.scenarios,
        snapshots: &args.snapshots,
        strict: args.strict,
        quiet: args.quiet,
    };
    let checked = check.run()?;
    print!("{}", checked.text);
    Ok(Exit::failed_if(!checked.ok))
}

/// `afc list [FILTER] [--format json]`.
pub fn list(args: &ListArgs) -> Result<Exit, String> {
    let filter = args.filter.as_deref();
    let cases = afc::suite::filter(afc::suite::cases(&args.scenarios)?, filter);
    if cases.is_empty() {
        let filter = filter.unwrap_or_default();
        return Err(format!("no scenario matches {filter:?}"));
    }
    let text = match args.format {
        Format::Human => afc::report::listing::listing(&cases, None),
        Format::Json => afc::report::listing::json_lines(&cases),
    };
    // A closed pipe (`afc list | head`) ends it quietly.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(Exit::Passed)
}
