//! Bytes to a validated [`Scenario`], in three stages:
//!
//! 1. parse YAML, keeping the position of every value and key (`yaml.rs`);
//! 2. validate against `fixtures/scenario.schema.json`, collecting every error;
//! 3. build the model (`build.rs`) and run the semantic checks (`semantic.rs`):
//!    unknown agents, reasoners, stubs and runs, bindings used before they exist.
//!
//! The promise: either every step and op carries a [`Location`], or a
//! [`LoadError`] lists every problem as `file:line:col: message`, so whoever
//! fixes the file sees all of it at once instead of one error per attempt.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use super::model::{Location, Scenario};
use super::yaml::{self, Positions};
use super::{bounds, build, schema, semantic};

/// Every problem found in one scenario file.
#[derive(Debug, thiserror::Error)]
pub struct LoadError {
    /// The file.
    pub file: Arc<str>,
    /// The problems, in file order.
    pub problems: Vec<Problem>,
}

/// One problem at one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where.
    pub loc: Location,
    /// What, quoting the bad value and, where cheap, the fix.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.loc, self.message)
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        writeln!(
            f,
            "{}: {n} problem{}",
            self.file,
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            writeln!(f, "{p}")?;
        }
        Ok(())
    }
}

/// Collects problems against one file's positions.
pub(crate) struct Problems<'a> {
    file: Arc<str>,
    positions: &'a Positions,
    list: Vec<Problem>,
    /// Places already explained by an earlier stage (see [`Problems::seal`]).
    explained: Vec<(usize, usize)>,
}

impl<'a> Problems<'a> {
    pub(crate) fn new(file: Arc<str>, positions: &'a Positions) -> Self {
        Problems {
            file,
            positions,
            list: Vec::new(),
            explained: Vec::new(),
        }
    }

    /// The problems found so far are root causes: a later check that lands on
    /// the same place (an unknown reasoner in a `call:` the schema already
    /// refused) would only repeat them, so it is not reported.
    pub(crate) fn seal(&mut self) {
        self.explained = self
            .list
            .iter()
            .map(|p| (p.loc.line, p.loc.column))
            .collect();
    }

    /// A problem at a location the model carries.
    pub(crate) fn at_loc(&mut self, loc: &Location, message: impl Into<String>) {
        if !self.explained.contains(&(loc.line, loc.column)) {
            self.list.push(Problem {
                loc: loc.clone(),
                message: message.into(),
            });
        }
    }

    pub(crate) fn loc(&self, pointer: &str) -> Location {
        let (line, column) = self.positions.of(pointer);
        Location {
            file: self.file.clone(),
            line,
            column,
        }
    }

    pub(crate) fn key_loc(&self, pointer: &str) -> Location {
        let (line, column) = self.positions.of_key(pointer);
        Location {
            file: self.file.clone(),
            line,
            column,
        }
    }

    pub(crate) fn at(&mut self, pointer: &str, message: impl Into<String>) {
        let loc = self.loc(pointer);
        self.at_loc(&loc, message);
    }

    pub(crate) fn at_key(&mut self, pointer: &str, message: impl Into<String>) {
        let loc = self.key_loc(pointer);
        self.at_loc(&loc, message);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    fn finish(mut self) -> Result<(), LoadError> {
        if self.list.is_empty() {
            return Ok(());
        }
        self.list
            .sort_by_key(|p| (p.loc.line, p.loc.column, p.message.clone()));
        self.list.dedup();
        if self.list.len() > bounds::MAX_PROBLEMS {
            let more = self.list.len() - bounds::MAX_PROBLEMS;
            self.list.truncate(bounds::MAX_PROBLEMS);
            let loc = self.list[bounds::MAX_PROBLEMS - 1].loc.clone();
            self.list.push(Problem {
                loc,
                message: format!(
                    "… and {more} more problems (only the first {} are listed)",
                    bounds::MAX_PROBLEMS
                ),
            });
        }
        Err(LoadError {
            file: self.file,
            problems: self.list,
        })
    }
}

/// Loads and validates one scenario file.
pub fn load(path: &Path) -> Result<Scenario, LoadError> {
    let file: Arc<str> = path.display().to_string().into();
    let refuse = |message: String| LoadError {
        file: file.clone(),
        problems: vec![Problem {
            loc: Location {
                file: file.clone(),
                line: 1,
                column: 1,
            },
            message,
        }],
    };
    let text = read_regular(path, bounds::MAX_BYTES).map_err(|e| refuse(e.to_string()))?;
    parse_str(&file, &super::scenario_name(path), &text)
}

/// Why a file the suite reads (a scenario, a golden) was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// Not a regular file: a FIFO would block the read forever, a device
    /// (`/dev/zero`) never ends.
    #[error("not a regular file (a FIFO, device or folder); only regular files are read")]
    NotRegular,
    /// Larger than the cap.
    #[error("invalid YAML: file is {size} bytes; a scenario file may have at most {max}")]
    TooLarge {
        /// Its size, or the cap plus one when it grew while read.
        size: u64,
        /// The cap.
        max: usize,
    },
    /// The file system refused.
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
}

/// Reads `path` whole if it is a regular file (after links) of at most `max`
/// bytes; checked before it is opened, and the read itself stops past `max`.
pub fn read_regular(path: &Path, max: usize) -> Result<String, ReadError> {
    use std::io::Read;
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular);
    }
    if meta.len() > max as u64 {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            max,
        });
    }
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(max as u64 + 1)
        .read_to_string(&mut text)?;
    if text.len() > max {
        return Err(ReadError::TooLarge {
            size: max as u64 + 1,
            max,
        });
    }
    Ok(text)
}

/// Validates scenario text; `file` names it in messages, `name` names the scenario.
pub fn parse_str(file: &str, name: &str, text: &str) -> Result<Scenario, LoadError> {
    let file: Arc<str> = file.into();
    let text = bounds::strip_bom(text);
    let (value, positions) = bounds::check(text)
        .and_then(|()| yaml::parse(text))
        .map_err(|e| LoadError {
            file: file.clone(),
            problems: vec![Problem {
                loc: Location {
                    file: file.clone(),
                    line: e.pos.0,
                    column: e.pos.1,
                },
                message: format!("invalid YAML: {}", e.message),
            }],
        })?;
    let mut problems = Problems::new(file.clone(), &positions);
    schema::check(&value, &mut problems);
    // The builder is tolerant, so the semantic checks still run on a file that
    // breaks the schema; only the builder's own complaints would then repeat
    // what the schema said, so they go to a scratch list.
    let mut scratch = Problems::new(file.clone(), &positions);
    let builder_problems = if problems.is_empty() {
        &mut problems
    } else {
        &mut scratch
    };
    let scenario = build::scenario(&value, name, guards(text), builder_problems);
    problems.seal();
    semantic::check(&scenario, &mut problems);
    problems.finish()?;
    Ok(scenario)
}

/// The leading comment lines: the rules the scenario guards.
fn guards(text: &str) -> String {
    text.lines()
        .take_while(|l| l.starts_with('#'))
        .map(|l| l.trim_start_matches('#').trim())
        .collect::<Vec<_>>()
        .join(" ")
}
