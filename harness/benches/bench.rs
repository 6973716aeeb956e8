//! `cargo bench`: the same measurements as `afc bench`, with small defaults
//! (one restart size of 100, 3 samples, chain of 50) against the embedded
//! reference. `AFC_BENCH_SIZES=100,1000` and `AFC_BENCH_RUNS=5` widen it.

use std::path::Path;
use std::time::Duration;

use afc::bench::{self, Options, TargetSpec};

fn env_list(name: &str, default: &[usize]) -> Vec<usize> {
    std::env::var(name)
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .filter(|v: &Vec<usize>| !v.is_empty())
        .unwrap_or_else(|| default.to_vec())
}

fn main() {
    // `cargo bench` passes `--bench`; a libtest filter has no meaning here.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    // Scenario messages and goldens are named from the workspace root, as in the suite.
    std::env::set_current_dir(&root).expect("the workspace root exists");
    let opts = Options {
        targets: vec![TargetSpec::reference()],
        api_key: None,
        runs: env_list("AFC_BENCH_RUNS", &[3])[0].max(1),
        sizes: env_list("AFC_BENCH_SIZES", &[100]),
        modes: vec!["sequential".into(), "parallel".into()],
        concurrency: 32,
        depth: 50,
        budget: Duration::from_secs(600),
        restart: true,
        hop: true,
        suite: Some(("scenarios".into(), "snapshots".into())),
        afc_bin: Some(env!("CARGO_BIN_EXE_afc").into()),
    };
    let report = bench::run(&opts, "cargo bench --bench bench".to_owned());
    if let Err(e) = bench::write_outputs(&report, None, None) {
        eprintln!("{e}");
        std::process::exit(2);
    }
    if !report.problems.is_empty() {
        std::process::exit(1);
    }
}
