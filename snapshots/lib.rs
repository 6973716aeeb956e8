//! Empty on purpose: `snapshots/` holds the suite's goldens
//! (`<scenario>@<view>.snap`) and is a package only so that `cargo insta`
//! looks here for pending `.snap.new` files (see `Cargo.toml` beside this).
