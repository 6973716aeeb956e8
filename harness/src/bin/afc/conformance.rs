//! `afc report`: runs the suite on the embedded reference and on another
//! implementation and writes CONFORMANCE.md (`afc::report::document`).

use afc::cli::report::ReportArgs;
use afc::report::document::Document;
use afc::report::{Exit, Format};
use afc::suite::session::Session;

use crate::run::{execute, insta_default};

/// Writes CONFORMANCE.md; exit 1 when a difference is unexplained.
pub fn report(a: &ReportArgs) -> Result<Exit, String> {
    // A report reads the goldens; it never leaves .snap.new files beside them.
    insta_default("INSTA_UPDATE", "no");
    let document = Document {
        url: &a.url,
        profile: &a.profile,
        out: &a.out,
        scenarios: &a.scenarios,
        agents: &a.agents,
        fidelity: a.fidelity,
        fuzz: a.fuzz.pass(),
    };
    let suite = |cases: &[afc::suite::Case], target: &afc::target::Target| {
        let session = Session {
            target,
            goldens: &a.snapshots,
            jobs: a.jobs,
            fail_fast: false,
        };
        execute(&session, cases, Format::Human)
    };
    let written = document.write(&suite)?;
    println!("wrote {}: {}", a.out.display(), written.summary);
    Ok(Exit::failed_if(written.failed))
}
