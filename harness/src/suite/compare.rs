//! `afc record`'s comparison: goldens recorded from another implementation
//! against the reference goldens, file by file, by snapshot contents (insta's
//! own comparison: the metadata header does not count).

use std::path::Path;

/// How a folder of recorded goldens compares with the reference goldens.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct GoldenComparison {
    /// `.snap` files recorded.
    pub recorded: usize,
    /// Recorded files whose contents equal the reference golden's.
    pub identical: usize,
    /// File names that differ from their reference golden.
    pub differ: Vec<String>,
    /// File names the reference has no golden for.
    pub new: Vec<String>,
}

/// Compares every `.snap` in `recorded` with the file of the same name in
/// `reference`, in name order.
pub fn compare_goldens(recorded: &Path, reference: &Path) -> std::io::Result<GoldenComparison> {
    let mut files: Vec<_> = std::fs::read_dir(recorded)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|f| f.extension().is_some_and(|e| e == "snap"))
        .collect();
    files.sort();
    let contents = |p: &Path| {
        insta::Snapshot::from_file(p)
            .ok()
            .map(|s| s.contents().clone())
    };
    let mut out = GoldenComparison {
        recorded: files.len(),
        ..GoldenComparison::default()
    };
    for file in &files {
        let name = file.file_name().unwrap_or_default();
        let golden = reference.join(name);
        let name = name.to_string_lossy().to_string();
        match (contents(file), contents(&golden)) {
            (Some(a), Some(b)) if a == b => out.identical += 1,
            (_, Some(_)) => out.differ.push(name),
            (_, None) => out.new.push(name),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(dir: &Path, name: &str, body: &str) {
        let text = format!("---\nsource: x\nexpression: y\n---\n{body}\n");
        std::fs::write(dir.join(name), text).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn contents_decide_and_headers_do_not() {
        let base = std::env::temp_dir().join(format!("afc-compare-{}", std::process::id()));
        let (rec, refd) = (base.join("rec"), base.join("ref"));
        for d in [&rec, &refd] {
            std::fs::create_dir_all(d).unwrap_or_else(|e| panic!("{e}"));
        }
        snap(&rec, "a@x.snap", "same: 1");
        std::fs::write(refd.join("a@x.snap"), "---\nsource: other\n---\nsame: 1\n")
            .unwrap_or_else(|e| panic!("{e}"));
        snap(&rec, "b@x.snap", "v: 2");
        snap(&refd, "b@x.snap", "v: 3");
        snap(&rec, "c@x.snap", "v: 4");
        std::fs::write(rec.join("notes.txt"), "ignored").unwrap_or_else(|e| panic!("{e}"));
        let c = compare_goldens(&rec, &refd).unwrap_or_else(|e| panic!("{e}"));
        let _ = std::fs::remove_dir_all(&base);
        assert_eq!(
            c,
            GoldenComparison {
                recorded: 3,
                identical: 1,
                differ: vec!["b@x.snap".into()],
                new: vec!["c@x.snap".into()],
            }
        );
    }
}
