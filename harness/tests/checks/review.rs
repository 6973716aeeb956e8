//! Stock `cargo insta review|accept|pending-snapshots|test` find the goldens'
//! pending `.snap.new` files only inside a package folder: cargo-insta walks
//! each selected package's manifest folder and its targets' source folders
//! (cargo-insta `find_snapshot_roots`), and the workspace root is a virtual
//! manifest. `snapshots/` is therefore a workspace member of its own.

use std::path::Path;
use std::process::Command;

#[test]
fn the_goldens_folder_is_a_package_folder_cargo_insta_walks() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(&root)
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let goldens = root.join("snapshots").canonicalize().expect("snapshots/");
    let folders: Vec<_> = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter_map(|p| p["manifest_path"].as_str())
        .filter_map(|m| Path::new(m).parent().map(Path::to_path_buf))
        .collect();
    assert!(
        folders
            .iter()
            .any(|f| f.canonicalize().ok().as_ref() == Some(&goldens)),
        "no workspace package folder is {}: {folders:?}",
        goldens.display()
    );
}
