//! Where a bench report goes: Markdown on stdout, the JSON report, the plot;
//! and reading reports back (`--from`) and merging them.

#[cfg(feature = "plot")]
use super::plot_restart;
use super::{markdown, Report, RestartPoint};

/// Prints the Markdown tables, and writes the JSON report and the plot when asked.
pub fn write_outputs(
    report: &Report,
    out: Option<&std::path::Path>,
    plot: Option<&std::path::Path>,
) -> Result<(), String> {
    print!("{}", markdown(report));
    if let Some(path) = out {
        let json = serde_json::to_string_pretty(report).map_err(|e| e.to_string())?;
        std::fs::write(path, json).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    if let Some(path) = plot {
        write_plot(report, path)?;
    }
    Ok(())
}

#[cfg(feature = "plot")]
fn write_plot(report: &Report, path: &std::path::Path) -> Result<(), String> {
    plot_restart(report, path)
}

#[cfg(not(feature = "plot"))]
fn write_plot(_report: &Report, path: &std::path::Path) -> Result<(), String> {
    Err(format!(
        "cannot write {}: afc was built without the `plot` feature \
         (cargo run --release --features plot --bin afc -- bench ...)",
        path.display()
    ))
}

/// Reads a report an earlier run wrote with `--out`.
pub fn read_report(path: &std::path::Path) -> Result<Report, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The first report, with each restart point that a later report measured
/// (same target, mode and N) taken from that report: supplementary runs fill
/// in points the first one skipped.
pub fn merge(mut first: Report, later: Vec<Report>) -> Report {
    for r in later {
        for p in r.restart.into_iter().filter(|p| p.restart_ms.is_some()) {
            let same = |q: &RestartPoint| q.target == p.target && q.mode == p.mode && q.n == p.n;
            match first.restart.iter_mut().find(|q| same(q)) {
                Some(q) => *q = p,
                None => first.restart.push(p),
            }
        }
    }
    first
}
