//! One trial per scenario file under `scenarios/`, found at run time, so a
//! new file needs no Rust change. A trial loads its file, runs it against the
//! target (`AGENTFIELD_URL`, else the embedded reference) and compares each
//! view with `snapshots/<scenario>@<view>.snap`. A broken file fails only its
//! own trial.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use libtest_mimic::{Arguments, Failed, Trial};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn main() {
    let args = Arguments::from_args();
    // Messages name files as `scenarios/<topic>/<name>.yaml`, from the workspace root.
    std::env::set_current_dir(workspace()).expect("the workspace root exists");
    let root = PathBuf::from("scenarios");
    let files = afc::scenario::discover(&root).unwrap_or_else(|e| panic!("{e}"));
    let trials = files
        .into_iter()
        .map(|path| {
            let name = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .with_extension("")
                .display()
                .to_string();
            Trial::test(name, move || run_one(&path))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

fn run_one(path: &Path) -> Result<(), Failed> {
    let scenario = afc::scenario::load(path).map_err(|e| e.to_string())?;
    let target = afc::target::Target::from_env()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let scenario = Arc::new(scenario);
    let outcome = runtime
        .block_on(afc::runner::run(scenario.clone(), &target))
        .map_err(|e| e.to_string())?;
    let mut problems = outcome.failures;
    for (view, value) in &outcome.views {
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(workspace().join("snapshots"));
        settings.set_prepend_module_to_snapshot(false);
        settings.set_snapshot_suffix(view.as_str());
        settings.set_input_file(path);
        settings.set_omit_expression(true);
        settings.set_description(scenario.guards.as_str());
        let name = scenario.name.as_str();
        let checked = catch_unwind(AssertUnwindSafe(|| {
            settings.bind(|| insta::assert_yaml_snapshot!(name, value));
        }));
        if checked.is_err() {
            problems.push(format!(
                "view '{}' differs from snapshots/{name}@{}.snap (diff above)",
                view.as_str(),
                view.as_str()
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
}
