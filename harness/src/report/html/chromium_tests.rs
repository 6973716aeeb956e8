//! The page as a browser reads it: Debian's `chromium`, headless, parses a
//! generated page and dumps its DOM; the DOM must hold as many run boxes,
//! nodes and reused nodes as the observed model has, and the hostile text of
//! a scenario only as text. Without chromium the test says why and passes,
//! unless `AFC_REQUIRE_CHROMIUM=1` (as on CI), which makes that a failure.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::tests::restart_with_a_differing_view;
use super::{model, page};

/// How long one headless chromium may take to load and dump a page.
const DEADLINE: Duration = Duration::from_secs(90);

/// `AFC_CHROMIUM`, else `chromium` or `chromium-browser` on PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("AFC_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| [d.join("chromium"), d.join("chromium-browser")])
        .find(|p| p.is_file())
}

/// The DOM chromium builds from `file`, within [`DEADLINE`].
fn dump_dom(chromium: &Path, file: &Path, profile: &Path) -> String {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let output = runtime.block_on(async {
        let child = tokio::process::Command::new(chromium)
            .args(["--headless", "--no-sandbox", "--disable-gpu"])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("--dump-dom")
            .arg(format!("file://{}", file.display()))
            .kill_on_drop(true)
            .output();
        tokio::time::timeout(DEADLINE, child).await
    });
    let output = match output {
        Ok(Ok(o)) => o,
        Ok(Err(e)) => panic!("cannot start {}: {e}", chromium.display()),
        Err(_) => panic!(
            "{} did not dump the DOM of {} within {DEADLINE:?}",
            chromium.display(),
            file.display()
        ),
    };
    let dom = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success() && dom.contains("</html>"),
        "{} --dump-dom {}: {}; stderr: {}",
        chromium.display(),
        file.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    dom
}

#[test]
fn chromium_reads_the_runs_reused_nodes_and_lineage_the_model_has() {
    let Some(chromium) = chromium() else {
        let reason = "chromium not found (apt-get install chromium, or set AFC_CHROMIUM)";
        assert!(
            std::env::var("AFC_REQUIRE_CHROMIUM").as_deref() != Ok("1"),
            "AFC_REQUIRE_CHROMIUM=1 but {reason}"
        );
        eprintln!("skipped: {reason}");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let report = restart_with_a_differing_view();
    let observed = report.observed.clone().expect("the runs were observed");
    let mut hostile = super::tests::hostile_report();
    hostile.name = "zz/<b>bold?</b>".into();
    let file = dir.path().join("page.html");
    std::fs::write(&file, page(&[report, hostile.clone()], "embedded")).expect("page written");
    let dom = dump_dom(&chromium, &file, &dir.path().join("profile"));

    // What the model of the restart says, plus the hostile scenario's one run and node.
    let runs = model::runs(&observed);
    let nodes: usize = runs.iter().map(|r| r.execs.len()).sum();
    let reused = runs
        .iter()
        .flat_map(|r| &r.execs)
        .filter(|e| e.reused_from.is_some())
        .count();
    assert_eq!((runs.len(), nodes, reused), (2, 11, 3), "{runs:?}");
    assert_eq!(dom.matches(r#"<g class="run "#).count(), runs.len() + 1);
    assert_eq!(dom.matches(r#"<g class="node "#).count(), nodes + 1);
    assert_eq!(dom.matches(" reused\" data-exec=").count(), reused + 1);
    assert_eq!(dom.matches(r#"<path class="lineage restart""#).count(), 1);
    assert_eq!(dom.matches(r#"<table class="sides""#).count(), 2);
    // Each SVG was parsed as SVG, not as unknown HTML tags.
    assert_eq!(
        dom.matches(r#"<svg xmlns="http://www.w3.org/2000/svg" class="runs""#)
            .count(),
        2
    );
    // Hostile text stayed text: no element came from it.
    assert!(!dom.contains("<script"), "a script element was injected");
    assert!(!dom.contains("<b>bold?</b>"), "a <b> element was injected");
    assert!(dom.contains("&lt;b&gt;bold?&lt;/b&gt;"));
}
