//! `afc check` (scenario files validated without running them: exit 0 when
//! every file is valid, unused goldens then a warning; 1 on any problem, and
//! on unused goldens with `--strict`, as CI runs it; 2 when a path cannot be
//! read) and `afc list` (the scenarios and the rules they guard; 2 when none
//! matches).

use std::io::Write as _;

use afc::cli::check::{CheckArgs, ListArgs};
use afc::report::{Exit, Format};

/// Runs `afc check`.
pub fn check(args: &CheckArgs) -> Result<Exit, String> {
    let paths = args.paths();
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
