//! A report as Markdown tables: median with [min–max], ratios next to them.

use std::fmt::Write as _;

use super::{Report, RestartPoint, Stats};

/// `median [min–max]` with `digits` decimals.
fn cell(s: &Stats, digits: usize) -> String {
    format!("{:.d$} [{:.d$}–{:.d$}]", s.median, s.min, s.max, d = digits)
}

/// Decimals that keep about three significant digits.
fn digits(v: f64) -> usize {
    match v.abs() {
        x if x >= 100.0 => 0,
        x if x >= 10.0 => 1,
        _ => 2,
    }
}

fn auto(s: &Stats) -> String {
    cell(s, digits(s.median))
}

/// Target labels in order of first appearance.
fn targets(report: &Report) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let names = report.hops.iter().map(|h| &h.target);
    for name in names.chain(report.restart.iter().map(|p| &p.target)) {
        if !out.contains(name) {
            out.push(name.clone());
        }
    }
    out
}

fn restart_cells(p: Option<&RestartPoint>) -> (String, String) {
    let Some(p) = p else {
        return ("–".into(), "–".into());
    };
    match (&p.restart_ms, &p.per_reused_us) {
        (Some(r), Some(c)) => {
            let full = p.n.saturating_sub(1) as u64;
            let mut time = auto(r);
            if p.reused.iter().any(|&k| k != full) {
                let _ = write!(time, " (reused {:?} of {full})", p.reused);
            }
            (time, auto(c))
        }
        _ => (
            format!("not measured: {}", p.note.as_deref().unwrap_or("-")),
            "–".into(),
        ),
    }
}

/// The whole report as Markdown.
pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let names = targets(report);
    let _ = writeln!(out, "Command: `{}`\n", report.command);
    for m in &report.machine {
        let _ = writeln!(out, "- {m}");
    }
    let _ = writeln!(
        out,
        "\n{} samples per figure; each cell is median [min–max].\n",
        report.runs
    );
    if !report.restart.is_empty() {
        restart_table(&mut out, report, &names);
    }
    if !report.hops.is_empty() {
        hop_table(&mut out, report);
    }
    if let Some(s) = &report.suite {
        let _ = writeln!(
            out,
            "### Scenario suite (embedded reference, {} jobs)\n\nWall time of `afc::suite::run_all` over {} scenarios: **{} s**.\n",
            s.jobs,
            s.scenarios.len(),
            auto(&s.total_s)
        );
        let mut slow = s.scenarios.clone();
        slow.sort_by(|a, b| b.1.total_cmp(&a.1));
        let _ = writeln!(
            out,
            "| slowest scenarios | median ms | passed |\n|---|---:|---|"
        );
        for (name, ms, ok) in slow.iter().take(8) {
            let _ = writeln!(out, "| {name} | {ms:.0} | {ok} |");
        }
        let sum: f64 = s.scenarios.iter().map(|x| x.1).sum();
        let _ = writeln!(out, "\nSum of per-scenario medians: {:.2} s.\n", sum / 1e3);
    }
    if let Some(m) = &report.memory {
        let _ = writeln!(
            out,
            "### Peak memory of `afc serve` (one fresh process per sample)\n\n| source run | reused per restart | VmHWM at startup, MiB | VmHWM after source run + restart, MiB | VmRSS at end, MiB |\n|---:|---:|---:|---:|---:|\n| {} children | {:?} | {} | {} | {} |\n",
            m.n,
            m.reused,
            auto(&m.startup_mib),
            auto(&m.hwm_mib),
            auto(&m.rss_mib)
        );
    }
    for p in &report.problems {
        let _ = writeln!(out, "- problem: {p}");
    }
    out
}

fn restart_table(out: &mut String, report: &Report, names: &[String]) {
    let _ = writeln!(
        out,
        "### Restart with full reuse (restart request → new root terminal)\n"
    );
    let mut head = String::from("| fan-out | N |");
    let mut rule = String::from("|---|---:|");
    for n in names {
        let _ = write!(head, " {n}: restart ms | {n}: µs per reused child |");
        rule.push_str("---:|---:|");
    }
    if names.len() > 1 {
        for n in &names[1..] {
            let _ = write!(head, " {n} / {} |", names[0]);
            rule.push_str("---:|");
        }
    }
    let _ = writeln!(out, "{head}\n{rule}");
    let mut keys: Vec<(String, usize)> = Vec::new();
    for p in &report.restart {
        let k = (p.mode.clone(), p.n);
        if p.n > 0 && !keys.contains(&k) {
            keys.push(k);
        }
    }
    keys.sort_by_key(|(mode, n)| (mode != "sequential", *n));
    for (mode, n) in keys {
        let find = |t: &str| {
            report
                .restart
                .iter()
                .find(|p| p.target == t && p.mode == mode && p.n == n)
        };
        let mut row = format!("| {mode} | {n} |");
        for t in names {
            let (time, per) = restart_cells(find(t));
            let _ = write!(row, " {time} | {per} |");
        }
        let median = |t: &str| {
            find(t)
                .and_then(|p| p.restart_ms.as_ref())
                .map(|s| s.median)
        };
        if names.len() > 1 {
            for t in &names[1..] {
                match (median(t), median(&names[0])) {
                    (Some(a), Some(b)) if b > 0.0 => {
                        let _ = write!(row, " {:.d$}× |", a / b, d = digits(a / b));
                    }
                    _ => row.push_str(" – |"),
                }
            }
        }
        let _ = writeln!(out, "{row}");
    }
    out.push('\n');
}

fn hop_table(out: &mut String, report: &Report) {
    let depth = report.hops.first().map_or(0, |h| h.depth);
    let _ = writeln!(
        out,
        "### Per-hop overhead (chain of depth {depth}, sync nested calls)\n\nThe floor is two round trips to a bare axum echo on loopback, measured in rounds alternating with the chain's.\n\n| target | µs per hop | floor µs per hop | × floor |\n|---|---:|---:|---:|"
    );
    for h in &report.hops {
        match (&h.per_hop_us, &h.floor_us) {
            (Some(s), Some(f)) => {
                let ratio = s.median / f.median;
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {ratio:.1}× |",
                    h.target,
                    auto(s),
                    auto(f)
                );
            }
            _ => {
                let note = h.note.as_deref().unwrap_or("-");
                let _ = writeln!(out, "| {} | not measured: {note} | – | – |", h.target);
            }
        }
    }
    out.push('\n');
}
