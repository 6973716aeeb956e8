//! Peak RSS (resident memory) of `afc serve` as its own process: start it, read VmHWM,
//! build an N-child source run (parallel fan-out), restart it once with full
//! reuse, read VmHWM and VmRSS again, stop it.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

use super::agent::BenchAgent;
use super::{node_id, Options, PeakRss, Stats, TargetSpec};
use crate::client::Client;

/// `VmHWM` and `VmRSS` of a process, KiB.
fn vm(pid: u32) -> Result<(u64, u64), String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("/proc/{pid}/status: {e}"))?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("no {name} in /proc/{pid}/status"))
    };
    Ok((field("VmHWM:")?, field("VmRSS:")?))
}

/// `runs` fresh `afc serve` processes, each measured by [`measure_one`].
pub async fn measure(
    bin: &Path,
    n: usize,
    concurrency: usize,
    runs: usize,
) -> Result<PeakRss, String> {
    let mib = |kib: u64| kib as f64 / 1024.0;
    let (mut startup, mut hwm, mut rss, mut reused) = (vec![], vec![], vec![], vec![]);
    for _ in 0..runs {
        let (s, h, r, k) = measure_one(bin, n, concurrency).await?;
        eprintln!(
            "afc serve n={n}: VmHWM {:.1} MiB (startup {:.1} MiB), VmRSS {:.1} MiB",
            mib(h),
            mib(s),
            mib(r)
        );
        startup.push(mib(s));
        hwm.push(mib(h));
        rss.push(mib(r));
        reused.push(k);
    }
    Ok(PeakRss {
        n,
        startup_mib: Stats::of(startup),
        hwm_mib: Stats::of(hwm),
        rss_mib: Stats::of(rss),
        reused,
    })
}

/// Runs `bin serve` and measures it holding an `n`-child run and its restart:
/// (startup VmHWM, final VmHWM, final VmRSS, children reused), KiB.
async fn measure_one(
    bin: &Path,
    n: usize,
    concurrency: usize,
) -> Result<(u64, u64, u64, u64), String> {
    let mut child = tokio::process::Command::new(bin)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start {} serve: {e}", bin.display()))?;
    let pid = child.id().ok_or("afc serve exited at once")?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let url = tokio::time::timeout(Duration::from_secs(30), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(i) = line.find("http://") {
                return Some(line[i..].trim().to_owned());
            }
        }
        None
    })
    .await
    .ok()
    .flatten()
    .ok_or("afc serve printed no URL")?;
    // Keep draining so the child never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let (startup_hwm_kib, _) = vm(pid)?;

    let agent = BenchAgent::start(&url, None, &node_id("afcmem")).await?;
    let client = Client::new(&url, None);
    let opts = Options {
        targets: Vec::new(),
        api_key: None,
        runs: 1,
        sizes: vec![n],
        modes: vec!["parallel".to_owned()],
        concurrency,
        depth: 0,
        budget: Duration::MAX,
        restart: true,
        hop: false,
        suite: None,
        afc_bin: None,
    };
    let spec = TargetSpec {
        name: "afc serve".to_owned(),
        url: Some(url.clone()),
    };
    let p = super::restart::measure_one(&spec, &agent, &client, "parallel", n, &opts).await;
    if let Some(note) = p.note {
        return Err(note);
    }
    let (hwm_kib, rss_kib) = vm(pid)?;
    let _ = child.kill().await;
    let reused = p.reused.first().copied().unwrap_or(0);
    Ok((startup_hwm_kib, hwm_kib, rss_kib, reused))
}
