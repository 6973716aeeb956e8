//! `afc list`: the scenarios and the rules they guard.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use afc::suite::{self, Case};

use crate::run::could_not_run;

/// `afc list`: every scenario with the rules it guards.
pub fn list(scenarios: &Path) -> ExitCode {
    let cases = match suite::cases(scenarios) {
        Ok(c) => c,
        Err(e) => return could_not_run("list", e.to_string()),
    };
    print_quietly(&listing(&cases, None));
    ExitCode::SUCCESS
}

/// The listing: a table as wide as the terminal (100 columns in a log),
/// the rules wrapped within it.
fn listing(cases: &[Case], width: Option<u16>) -> String {
    let mut table = afc::report::fitted_table(&["scenario", "guards"], width);
    for case in cases {
        let guards = match afc::scenario::load(&case.path) {
            Ok(s) => afc::report::clip(s.guards.trim_start_matches("guards: "), 160),
            Err(e) => format!("INVALID: {}", e.to_string().lines().next().unwrap_or("")),
        };
        table.add_row(vec![case.name.clone(), guards]);
    }
    format!("{}\n", table.trim_fmt())
}

/// Prints `text`; a closed pipe (`afc list | head`) ends it quietly.
fn print_quietly(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listing_fits_the_default_width_and_names_every_scenario() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
        let cases = suite::cases(&root).expect("the scenarios");
        let text = listing(&cases, Some(afc::report::DEFAULT_WIDTH));
        let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        assert!(
            widest <= usize::from(afc::report::DEFAULT_WIDTH),
            "{widest} columns:\n{text}"
        );
        for c in &cases {
            assert!(text.contains(&c.name), "{} missing", c.name);
        }
    }
}
