//! The parser half of [`super`]: Go's `json.Unmarshal` into `interface{}`,
//! strict about syntax and lenient about string contents in Go's way.

use std::collections::BTreeMap;

use super::syntax_error::{Context, ParseError};
use super::GoValue;

/// Nesting limit. Go allows 10000; we stop earlier so a hostile body cannot
/// overflow a task's stack. Such a payload simply never matches.
const MAX_DEPTH: usize = 512;

/// Parses `bytes` the way Go's `json.Unmarshal` into `interface{}` does.
pub fn parse(bytes: &[u8]) -> Result<GoValue, ParseError> {
    let mut p = Parser { b: bytes, i: 0 };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    match p.peek() {
        None => Ok(v),
        Some(_) => Err(p.unexpected(Context::AfterTop)),
    }
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn unexpected(&self, context: Context) -> ParseError {
        match self.peek() {
            Some(byte) => ParseError::Unexpected {
                byte,
                context,
                offset: self.i,
            },
            None => ParseError::Eof,
        }
    }

    fn expect(&mut self, c: u8, context: Context) -> Result<(), ParseError> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.unexpected(context))
        }
    }

    /// `word` after its first byte, which [`Self::value`] has seen.
    fn literal(&mut self, word: &'static str, v: GoValue) -> Result<GoValue, ParseError> {
        self.i += 1;
        for &expecting in &word.as_bytes()[1..] {
            self.expect(expecting, Context::InLiteral { word, expecting })?;
        }
        Ok(v)
    }

    fn value(&mut self, depth: usize) -> Result<GoValue, ParseError> {
        if depth > MAX_DEPTH {
            return Err(ParseError::TooDeep);
        }
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(GoValue::String),
            Some(b't') => self.literal("true", GoValue::Bool(true)),
            Some(b'f') => self.literal("false", GoValue::Bool(false)),
            Some(b'n') => self.literal("null", GoValue::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.unexpected(Context::BeginValue)),
        }
    }

    fn object(&mut self, depth: usize) -> Result<GoValue, ParseError> {
        self.expect(b'{', Context::BeginValue)?;
        let mut map = BTreeMap::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(GoValue::Object(map));
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(self.unexpected(Context::BeginKey));
            }
            let key = self.string()?;
            self.ws();
            self.expect(b':', Context::AfterKey)?;
            self.ws();
            let v = self.value(depth + 1)?;
            // Go's decoder assigns map entries in order, so the last duplicate wins.
            map.insert(key, v);
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(GoValue::Object(map));
                }
                _ => return Err(self.unexpected(Context::AfterPair)),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<GoValue, ParseError> {
        self.expect(b'[', Context::BeginValue)?;
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(GoValue::Array(items));
        }
        loop {
            self.ws();
            items.push(self.value(depth + 1)?);
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(GoValue::Array(items));
                }
                _ => return Err(self.unexpected(Context::AfterElement)),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<GoValue, ParseError> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.unexpected(Context::InNumber)),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(self.unexpected(Context::AfterDecimalPoint));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(self.unexpected(Context::InExponent));
            }
        }
        // The slice holds only ASCII digits, signs, '.', 'e' and 'E'.
        let text = String::from_utf8_lossy(&self.b[start..self.i]).into_owned();
        // Rust's parser is correctly rounded, like Go's strconv.ParseFloat.
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(GoValue::Number(f)),
            _ => Err(ParseError::OutOfRange(text)),
        }
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let mut n = 0u32;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                _ => return Err(self.unexpected(Context::InUnicodeEscape)),
            };
            n = n * 16 + u32::from(d);
            self.i += 1;
        }
        Ok(n)
    }

    fn string(&mut self) -> Result<String, ParseError> {
        self.expect(b'"', Context::BeginValue)?;
        let mut buf: Vec<u8> = Vec::new();
        loop {
            match self.peek() {
                None => return Err(ParseError::Eof),
                Some(b'"') => {
                    self.i += 1;
                    // Go replaces each invalid UTF-8 sequence with U+FFFD.
                    return Ok(String::from_utf8_lossy(&buf).into_owned());
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = self.peek().ok_or(ParseError::Eof)?;
                    self.i += 1;
                    let ch = match c {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        byte => {
                            return Err(ParseError::Unexpected {
                                byte,
                                context: Context::InEscape,
                                offset: self.i - 1,
                            })
                        }
                    };
                    let mut tmp = [0u8; 4];
                    buf.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
                }
                Some(c) if c < 0x20 => return Err(self.unexpected(Context::InString)),
                Some(c) => {
                    buf.push(c);
                    self.i += 1;
                }
            }
        }
    }

    /// Decodes `XXXX` after `\u`, pairing surrogates; a lone one is U+FFFD as in Go.
    fn unicode_escape(&mut self) -> Result<char, ParseError> {
        let first = self.hex4()?;
        if (0xD800..0xDC00).contains(&first)
            && self.b.get(self.i) == Some(&b'\\')
            && self.b.get(self.i + 1) == Some(&b'u')
        {
            let save = self.i;
            self.i += 2;
            let second = self.hex4()?;
            if (0xDC00..0xE000).contains(&second) {
                let cp = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                return Ok(char::from_u32(cp).unwrap_or('\u{FFFD}'));
            }
            // Not a low surrogate: Go emits U+FFFD and re-reads the second escape.
            self.i = save;
            return Ok('\u{FFFD}');
        }
        Ok(char::from_u32(first).unwrap_or('\u{FFFD}'))
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    fn err(text: &str) -> String {
        parse(text.as_bytes()).unwrap_err().to_string()
    }

    #[test]
    fn syntax_errors_read_as_gos_scanner_prints_them() {
        let cases = [
            (
                "{not json",
                "invalid character 'n' looking for beginning of object key string",
            ),
            (
                "[1,]",
                "invalid character ']' looking for beginning of value",
            ),
            ("{\"a\" 1}", "invalid character '1' after object key"),
            (
                "{\"a\":1 x",
                "invalid character 'x' after object key:value pair",
            ),
            ("[1 2]", "invalid character '2' after array element"),
            ("{} {", "invalid character '{' after top-level value"),
            ("\"a\tb\"", "invalid character '\\t' in string literal"),
            ("\"\\q\"", "invalid character 'q' in string escape code"),
            (
                "\"\\u12g4\"",
                "invalid character 'g' in \\u hexadecimal character escape",
            ),
            ("-x", "invalid character 'x' in numeric literal"),
            (
                "1.e",
                "invalid character 'e' after decimal point in numeric literal",
            ),
            ("1e+", "unexpected end of JSON input"),
            (
                "1ex",
                "invalid character 'x' in exponent of numeric literal",
            ),
            (
                "tx",
                "invalid character 'x' in literal true (expecting 'r')",
            ),
            (
                "nulL",
                "invalid character 'L' in literal null (expecting 'l')",
            ),
            (
                "'a'",
                "invalid character '\\'' looking for beginning of value",
            ),
            (
                "{\"a\":1\"",
                "invalid character '\"' after object key:value pair",
            ),
            (
                "\u{1}",
                "invalid character '\\x01' looking for beginning of value",
            ),
            (
                "\u{e9}",
                "invalid character 'Ã' looking for beginning of value",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(err(text), want, "{text:?}");
        }
    }
}
