//! Why a text is not JSON that Go would accept, in Go's own words: its
//! scanner's contexts and `quoteChar`, so a bind error reads as v0.1.96's.

/// Why a text is not JSON that Go would accept.
#[derive(Debug, thiserror::Error, PartialEq)]
#[non_exhaustive]
pub enum ParseError {
    /// The input ended inside a value.
    #[error("unexpected end of JSON input")]
    Eof,
    /// A byte that cannot start or continue a value here, in Go's words
    /// (`invalid character 'n' looking for beginning of object key string`).
    #[error("invalid character {} {context}", quote_byte(*.byte))]
    Unexpected {
        /// The offending byte.
        byte: u8,
        /// Where the scanner was (Go's scanner context).
        context: Context,
        /// Its offset in the input (Go's `SyntaxError.Offset` is one past it).
        offset: usize,
    },
    /// A number that does not fit a float64 (Go rejects these too).
    #[error("number {0} out of range")]
    OutOfRange(String),
    /// Nesting deeper than we are willing to recurse.
    #[error("exceeded max depth")]
    TooDeep,
}

/// Where the scanner stood when a byte did not fit: Go's scanner contexts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Context {
    /// Where a value must start.
    #[error("looking for beginning of value")]
    BeginValue,
    /// Where an object key must start.
    #[error("looking for beginning of object key string")]
    BeginKey,
    /// After a key, where `:` must follow.
    #[error("after object key")]
    AfterKey,
    /// After a member, where `,` or `}` must follow.
    #[error("after object key:value pair")]
    AfterPair,
    /// After an array element, where `,` or `]` must follow.
    #[error("after array element")]
    AfterElement,
    /// After the whole value, where only whitespace may follow.
    #[error("after top-level value")]
    AfterTop,
    /// A control byte inside a string.
    #[error("in string literal")]
    InString,
    /// A bad escape after `\\`.
    #[error("in string escape code")]
    InEscape,
    /// A bad hex digit after `\\u`.
    #[error("in \\u hexadecimal character escape")]
    InUnicodeEscape,
    /// After `-`, where a digit must follow.
    #[error("in numeric literal")]
    InNumber,
    /// After `.`, where a digit must follow.
    #[error("after decimal point in numeric literal")]
    AfterDecimalPoint,
    /// After `e`/`E` (and a sign), where a digit must follow.
    #[error("in exponent of numeric literal")]
    InExponent,
    /// Inside `true`, `false` or `null`, expecting the given byte next.
    #[error("in literal {} (expecting {})", .word, quote_byte(*.expecting))]
    InLiteral {
        /// The literal being read.
        word: &'static str,
        /// The byte it needs next.
        expecting: u8,
    },
}

/// Go's `quoteChar`: the byte as a rune in single quotes, `strconv.Quote`'s
/// escapes inside, with `'\''` and `'"'` special.
fn quote_byte(c: u8) -> String {
    let inner = match c {
        b'\'' => "\\'".to_owned(),
        b'"' => "\"".to_owned(),
        b'\\' => "\\\\".to_owned(),
        0x07 => "\\a".to_owned(),
        0x08 => "\\b".to_owned(),
        0x0c => "\\f".to_owned(),
        b'\n' => "\\n".to_owned(),
        b'\r' => "\\r".to_owned(),
        b'\t' => "\\t".to_owned(),
        0x0b => "\\v".to_owned(),
        0x00..=0x1f | 0x7f => format!("\\x{c:02x}"),
        // Go's string(rune(c)): Latin-1; its non-printables are \u-escaped.
        0x80..=0xa0 | 0xad => format!("\\u{c:04x}"),
        _ => char::from(c).to_string(),
    };
    format!("'{inner}'")
}
