//! The small standard-harness integration tests, in one test binary so that
//! `cargo test FILTER` prints one block for them, not one per file: the
//! fuzzer against the reference, invalid scenario files, the review flow, the rule table, and
//! scenario files that test the loader's bounds.

mod fuzz;
mod invalid_scenarios;
mod layering;
mod review;
mod rule_table;
mod scenario_bounds;
