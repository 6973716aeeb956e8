//! "Did you mean …?": the closest known name to a misspelt one.
//!
//! strsim's optimal string alignment distance (Damerau-Levenshtein with each
//! substring edited once) counts a swapped pair of letters as one edit, the
//! most common typo (`inptu`). A name is suggested only when it is close:
//! at most a third of the longer name differs, so `fly` suggests nothing
//! instead of the least unlike step kind.

/// The known name closest to `bad`, if one is close enough to be what was meant.
pub(crate) fn closest<'a>(bad: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let bad_folded = fold(bad);
    known
        .into_iter()
        .filter(|k| *k != bad)
        .map(|k| (strsim::osa_distance(&bad_folded, &fold(k)), k))
        .filter(|(d, k)| *d <= bad.chars().count().max(k.chars().count()) / 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// `; did you mean 'X'?` or nothing.
pub(crate) fn did_you_mean<'a>(bad: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    closest(bad, known).map_or_else(String::new, |k| format!("; did you mean '{k}'?"))
}

/// Case and the `-`/`_` spelling do not count as differences: `Succeeded_Before`
/// is one edit from nothing, so it finds `succeeded-before`.
fn fold(name: &str) -> String {
    name.to_lowercase().replace('_', "-")
}

#[cfg(test)]
mod tests {
    use super::*;

    const REUSE: [&str; 3] = ["succeeded-before", "all-succeeded", "none"];

    #[test]
    fn typos_swaps_and_the_other_separator_find_the_name() {
        assert_eq!(closest("succeded-before", REUSE), Some("succeeded-before"));
        assert_eq!(closest("succeeded_before", REUSE), Some("succeeded-before"));
        assert_eq!(closest("All-Succeeded", REUSE), Some("all-succeeded"));
        assert_eq!(closest("inptu", ["input", "as", "call"]), Some("input"));
        assert_eq!(closest("rnu", ["run", "restart"]), Some("run"));
    }

    #[test]
    fn a_far_name_suggests_nothing() {
        assert_eq!(closest("cached", REUSE), None);
        assert_eq!(closest("fly", ["run", "restart", "fork", "up"]), None);
        assert_eq!(did_you_mean("nne", REUSE), "; did you mean 'none'?");
        assert_eq!(did_you_mean("zzz", REUSE), "");
    }
}
