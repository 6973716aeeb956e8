//! `afc bench`: the command line of `afc::bench`.

use afc::bench;
use afc::cli::bench::BenchArgs;
use afc::report::Exit;

/// `afc bench`: 0 when everything was measured, 1 with problems, 2 on I/O errors.
pub fn run(args: &BenchArgs) -> Result<Exit, String> {
    if args.plot.is_some() && !cfg!(feature = "plot") {
        return Err("--plot needs the `plot` feature \
             (cargo run --release --features plot --bin afc -- bench ...)"
            .into());
    }
    let report = match args.from.split_first() {
        None => bench::run(
            &args.options(),
            std::env::args().collect::<Vec<_>>().join(" "),
        ),
        Some((first, later)) => {
            let later = later.iter().map(|p| bench::read_report(p));
            bench::merge(bench::read_report(first)?, later.collect::<Result<_, _>>()?)
        }
    };
    bench::write_outputs(&report, args.out.as_deref(), args.plot.as_deref())?;
    Ok(Exit::failed_if(!report.problems.is_empty()))
}
