//! `afc run --html FILE`: one self-contained page of a suite run, to look at
//! what happened instead of reading YAML: per scenario its result; per run
//! its DAG as inline SVG, reused executions dashed and naming their source;
//! arrows from each run to the runs restarted or forked from it; the headers
//! every hop received; for a failure the golden and the actual side by side.
//!
//! Failing scenarios come first; a node a differing view differs on is
//! outlined red and marked ≠ (differs.rs), a failed one shows its error.
//! model.rs reads the observed views (aliased, as in the goldens), layout.rs
//! places a run's executions, svg.rs draws them, sides.rs aligns a differing
//! view's golden and actual, page.rs writes the document.
//! Everything shown comes from scenario files and a target under test, so
//! every text and attribute goes through [`esc`], quick-xml's escaping (the
//! five characters that matter in HTML text and quoted attributes).

mod differs;
mod layout;
mod model;
mod page;
mod sides;
mod svg;

#[cfg(test)]
mod chromium_tests;
#[cfg(test)]
mod tests;

use std::borrow::Cow;

pub use page::page;

/// `text` safe inside an HTML or SVG element and a double-quoted attribute.
fn esc(text: &str) -> Cow<'_, str> {
    quick_xml::escape::escape(text)
}
