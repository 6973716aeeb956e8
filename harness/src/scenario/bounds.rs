//! What a scenario file may be, checked before the YAML is turned into a tree.
//!
//! The tree builders (marked-yaml's loader, our JSON conversion, the schema
//! validator) recurse once per nesting level, so a 15,000-deep block list
//! (`- - - … x`) overflowed the stack and aborted `afc check`. This pass reads
//! the file with yaml-rust2's event parser, which keeps its own stack on the
//! heap, and refuses what no scenario needs, naming the place: nesting deeper
//! than [`MAX_DEPTH`], a second YAML document (which the loader would silently
//! ignore), a file larger than [`MAX_BYTES`]. A syntax error is left to the
//! loader, which reports it with its own message and position.

use yaml_rust2::parser::{Event, Parser};

use super::yaml::{Pos, SyntaxError};

/// Deepest nesting of mappings and sequences a scenario may use. The deepest
/// real scenario nests 9 levels (steps → op → parallel → op → …); 64 leaves
/// room for any hand-written program while keeping every recursive stage far
/// from the stack's end.
pub const MAX_DEPTH: usize = 64;

/// Largest scenario file accepted: real ones are a few KiB.
pub const MAX_BYTES: usize = 4 * 1024 * 1024;

/// Most problems one file reports; the rest are counted, not listed, so an
/// unknown-key flood cannot print a line per key.
pub const MAX_PROBLEMS: usize = 100;

/// The text without a leading UTF-8 byte order mark, which editors on Windows
/// write and YAML 1.2 allows.
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Refuses a file that is too large, nests deeper than [`MAX_DEPTH`] or holds
/// more than one document. Never recurses, whatever the input.
pub fn check(text: &str) -> Result<(), SyntaxError> {
    if text.len() > MAX_BYTES {
        return Err(SyntaxError {
            pos: (1, 1),
            message: format!(
                "file is {} bytes; a scenario file may have at most {MAX_BYTES}",
                text.len()
            ),
        });
    }
    let mut parser = Parser::new_from_str(text);
    let (mut depth, mut documents) = (0usize, 0usize);
    loop {
        // A scan error is the loader's to report, with its own wording.
        let Ok((event, mark)) = parser.next_token() else {
            return Ok(());
        };
        // yaml-rust2 counts lines from 1 and columns from 0.
        let pos: Pos = (mark.line(), mark.col() + 1);
        match event {
            Event::StreamEnd => return Ok(()),
            Event::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    // A document begins a line; after `...` yaml-rust2 marks an
                    // implicit one a character late.
                    return Err(SyntaxError {
                        pos: (pos.0, 1),
                        message: "a second YAML document starts here; a scenario file holds \
                                  exactly one (remove the `---` line or split the file)"
                            .to_owned(),
                    });
                }
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(SyntaxError {
                        pos,
                        message: format!(
                            "nesting deeper than {MAX_DEPTH} levels of mappings and sequences"
                        ),
                    });
                }
            }
            Event::MappingEnd | Event::SequenceEnd => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> (Pos, String) {
        let e = check(text).expect_err("refused");
        (e.pos, e.message)
    }

    #[test]
    fn nesting_beyond_the_limit_is_refused_where_it_crosses() {
        let ok = format!("{}x", "- ".repeat(MAX_DEPTH));
        assert!(check(&ok).is_ok());
        let deep = format!("{}x", "- ".repeat(MAX_DEPTH + 1));
        assert_eq!(err(&deep).0, (1, 2 * MAX_DEPTH + 1));
        // yaml-rust2's scanner itself refuses more than 255 flow levels.
        let flow = format!("a:\n  b: {}{}", "[".repeat(200), "]".repeat(200));
        assert_eq!(err(&flow).0, (2, 6 + MAX_DEPTH - 2));
    }

    #[test]
    fn a_100000_deep_block_list_is_refused_without_overflow() {
        let text = format!("{}x\n", "- ".repeat(100_000));
        assert!(err(&text).1.contains("nesting deeper than 64"));
    }

    #[test]
    fn a_second_document_is_refused_at_its_start() {
        assert!(check("---\na: 1\n").is_ok());
        assert_eq!(err("a: 1\n---\nb: 2\n").0, (2, 1));
    }

    #[test]
    fn a_bom_is_dropped() {
        assert_eq!(strip_bom("\u{feff}a: 1"), "a: 1");
        assert_eq!(strip_bom("a: 1"), "a: 1");
    }
}
