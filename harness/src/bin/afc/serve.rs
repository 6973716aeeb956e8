//! `afc serve`: the reference control plane as a process, with every bound
//! of `afc::reference::limits` settable, a shutdown deadline, and a second
//! signal that exits at once.

use afc::cli::serve::ServeArgs;
use afc::reference::process::serve_until_signal;
use afc::report::Exit;

/// Serves until a signal; 0 after a clean or deadline-bounded shutdown, 1
/// when serving failed, 2 when it could not start.
pub fn serve(args: &ServeArgs) -> Result<Exit, String> {
    let config = args.config().map_err(|e| format!("--perturb: {e}"))?;
    if !config.perturb.is_off() {
        let perturb = &config.perturb;
        eprintln!("afc serve: perturbed for the neutrality self-check: {perturb:?}");
    }
    let storage = args.storage().map_err(|e| e.to_string())?;
    match serve_until_signal(&args.listen, config, storage) {
        Ok(()) => Ok(Exit::Passed),
        Err(e) if e.before_serving() => Err(e.to_string()),
        Err(e) => {
            eprintln!("afc serve: {e}");
            Ok(Exit::Failed)
        }
    }
}
