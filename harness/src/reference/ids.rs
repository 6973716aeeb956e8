//! Execution and run identifiers in AgentField's format
//! (`exec_YYYYMMDD_HHMMSS_xxxxxxxx`, `run_…`; contract §10 item 21), so
//! clients that parse or display them see what the Go control plane makes.

const ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// A new execution id.
pub fn execution_id() -> String {
    make("exec")
}

/// A new run id.
pub fn run_id() -> String {
    make("run")
}

/// `<prefix>_<YYYYMMDD_HHMMSS>_<8 chars>`: also `wf_` and `req_` ids of the legacy routes.
pub fn make(prefix: &str) -> String {
    // Go uses the server's local time for the timestamp part.
    let stamp = chrono::Local::now().format("%Y%m%d_%H%M%S");
    // The thread-local generator: no system call per id.
    use rand::RngExt;
    let mut rng = rand::rng();
    let suffix: String = (0..8)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{prefix}_{stamp}_{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn well_formed(id: &str, prefix: &str) -> bool {
        let Some(rest) = id.strip_prefix(prefix).and_then(|r| r.strip_prefix('_')) else {
            return false;
        };
        let parts: Vec<&str> = rest.split('_').collect();
        parts.len() == 3
            && parts[0].len() == 8
            && parts[0].bytes().all(|b| b.is_ascii_digit())
            && parts[1].len() == 6
            && parts[1].bytes().all(|b| b.is_ascii_digit())
            && parts[2].len() == 8
            && parts[2]
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    }

    #[test]
    fn ids_follow_the_agentfield_format_and_differ() {
        let (a, b) = (execution_id(), execution_id());
        assert!(well_formed(&a, "exec"), "{a}");
        assert!(well_formed(&run_id(), "run"));
        assert_ne!(a, b);
    }
}
