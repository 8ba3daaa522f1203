//! Lexical building blocks shared by the typed headers (RFC 9110 section 5.6): tokens,
//! quoted strings, whitespace, decimal numbers, and the single-field rule.

use bytes::Bytes;
use http::HeaderValue;

use super::{HeaderError, InvalidValue};

pub(crate) use crate::syntax::is_tchar;

/// The characters of `token68` before its `=` padding (RFC 9110 section 11.2).
pub(crate) const fn is_token68_char(b: u8) -> bool {
    matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z')
}

/// A byte that may appear in a quoted string once unescaped: HTAB, SP, VCHAR, obs-text.
pub(crate) const fn is_text_byte(b: u8) -> bool {
    b == b'\t' || (b >= 0x20 && b != 0x7f)
}

/// Checks that `s` is a non-empty token, reporting the first offending byte.
pub(crate) fn check_token(s: &[u8]) -> Result<(), InvalidValue> {
    if s.is_empty() {
        return Err(InvalidValue::Empty);
    }
    match s.iter().position(|&b| !is_tchar(b)) {
        None => Ok(()),
        Some(offset) => Err(unexpected(s, offset)),
    }
}

/// The error for the byte at `offset` (or the end of the value when `offset` is past it).
pub(crate) fn unexpected(s: &[u8], offset: usize) -> InvalidValue {
    match s.get(offset) {
        Some(&byte) => InvalidValue::UnexpectedByte { offset, byte },
        None => InvalidValue::UnexpectedEnd { offset: s.len() },
    }
}

/// Parses `1*DIGIT` into a number in `min..=max`; leading zeros are allowed, but at most
/// 20 digits are read so that no input is expensive.
pub(crate) fn parse_decimal(s: &[u8], min: u64, max: u64) -> Result<u64, InvalidValue> {
    if s.is_empty() {
        return Err(InvalidValue::Empty);
    }
    // Up to 19 digits cannot overflow a `u64`: no check per digit but the digit's.
    if s.len() <= 19 {
        let mut n: u64 = 0;
        for (offset, &b) in s.iter().enumerate() {
            let digit = b.wrapping_sub(b'0');
            if digit > 9 {
                return Err(InvalidValue::UnexpectedByte { offset, byte: b });
            }
            n = n * 10 + u64::from(digit);
        }
        if n < min || n > max {
            return Err(InvalidValue::OutOfRange { min, max });
        }
        return Ok(n);
    }
    let mut n: u64 = 0;
    for (offset, &b) in s.iter().enumerate() {
        if !b.is_ascii_digit() {
            return Err(InvalidValue::UnexpectedByte { offset, byte: b });
        }
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(b - b'0')))
            .ok_or(InvalidValue::OutOfRange { min, max })?;
    }
    if n < min || n > max {
        return Err(InvalidValue::OutOfRange { min, max });
    }
    Ok(n)
}

/// The one field value of a header that must occur at most once.
///
/// `Ok(None)` when there is no field; [`HeaderError::Repeated`] when there are several.
pub(crate) fn single<T, I>(mut values: I, name: &'static str) -> Result<Option<T>, HeaderError>
where
    I: Iterator<Item = T>,
{
    let first = values.next();
    if first.is_some() && values.next().is_some() {
        return Err(HeaderError::Repeated { name });
    }
    Ok(first)
}

/// Like [`single`], but a missing field is [`HeaderError::Missing`].
pub(crate) fn required<T, I>(values: I, name: &'static str) -> Result<T, HeaderError>
where
    I: Iterator<Item = T>,
{
    single(values, name)?.ok_or(HeaderError::Missing { name })
}

/// The header value `v` displays as, written into a buffer sized for the usual short
/// value at once (`to_string` would grow it step by step).
pub(crate) fn display_value(v: &impl std::fmt::Display) -> HeaderValue {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(48);
    // Writing into a `String` cannot fail.
    let _ = write!(s, "{v}");
    header_value(s)
}

/// Wraps text built by an encoder into a header value.
///
/// Encoders only build values from validated parts (tokens, URLs, escaped quoted
/// strings), so the conversion cannot fail; should an invariant be broken anyway, debug
/// builds assert and release builds write an empty value rather than panic.
pub(crate) fn header_value(s: String) -> HeaderValue {
    match HeaderValue::from_maybe_shared(Bytes::from(s)) {
        Ok(v) => v,
        Err(_) => {
            debug_assert!(false, "encoder built an invalid header value");
            HeaderValue::from_static("")
        }
    }
}

/// Appends `s` as a quoted string, escaping `"` and `\`.
pub(crate) fn write_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

/// A cursor over a field value for the list and parameter grammars.
#[derive(Debug)]
pub(crate) struct Cursor<'a> {
    s: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(s: &'a [u8]) -> Self {
        Self { s, pos: 0 }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn input(&self) -> &'a [u8] {
        self.s
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    pub(crate) fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.s.get(self.pos.saturating_add(ahead)).copied()
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }

    pub(crate) fn bump(&mut self) {
        if self.pos < self.s.len() {
            self.pos += 1;
        }
    }

    pub(crate) fn set_pos(&mut self, pos: usize) {
        self.pos = pos.min(self.s.len());
    }

    /// Skips spaces and tabs; returns how many were skipped.
    pub(crate) fn skip_ows(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// The error for the byte under the cursor (or the end).
    pub(crate) fn unexpected(&self) -> InvalidValue {
        unexpected(self.s, self.pos)
    }

    /// Reads `1*tchar`; `None` (cursor unmoved) when there is none.
    pub(crate) fn token(&mut self) -> Option<&'a str> {
        let start = self.pos;
        while self.peek().is_some_and(is_tchar) {
            self.pos += 1;
        }
        let bytes = self.s.get(start..self.pos)?;
        if bytes.is_empty() {
            return None;
        }
        // tchar is ASCII, so this cannot fail.
        std::str::from_utf8(bytes).ok()
    }

    /// Reads `1*token68-char *"="`; `None` (cursor unmoved) when there is none.
    pub(crate) fn token68(&mut self) -> Option<&'a str> {
        let start = self.pos;
        while self.peek().is_some_and(is_token68_char) {
            self.pos += 1;
        }
        if self.pos == start {
            return None;
        }
        while self.peek() == Some(b'=') {
            self.pos += 1;
        }
        std::str::from_utf8(self.s.get(start..self.pos)?).ok()
    }

    /// Reads a quoted string, the cursor on its opening `"`.
    ///
    /// Only `\"` and `\\` are quoted-pairs; any other backslash is kept literally (see
    /// the module docs of [`crate::header`] for why).
    pub(crate) fn quoted(&mut self) -> Result<String, InvalidValue> {
        if self.peek() != Some(b'"') {
            return Err(self.unexpected());
        }
        self.pos += 1;
        let content_start = self.pos;
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => {
                    return Err(InvalidValue::UnexpectedEnd {
                        offset: self.s.len(),
                    });
                }
                Some(b'"') => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') if matches!(self.peek_at(1), Some(b'"' | b'\\')) => {
                    out.extend(self.peek_at(1));
                    self.pos += 2;
                }
                Some(b) if is_text_byte(b) => {
                    out.push(b);
                    self.pos += 1;
                }
                Some(_) => return Err(self.unexpected()),
            }
        }
        // Escapes are ASCII, so the raw content is UTF-8 exactly when the unescaped
        // text is; checking the raw content gives the offset in the field value.
        let raw = self
            .s
            .get(content_start..self.pos.saturating_sub(1))
            .unwrap_or_default();
        if let Err(e) = std::str::from_utf8(raw) {
            return Err(InvalidValue::NotUtf8 {
                offset: content_start + e.valid_up_to(),
            });
        }
        String::from_utf8(out).map_err(|e| InvalidValue::NotUtf8 {
            offset: content_start + e.utf8_error().valid_up_to(),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn decimal() {
        assert_eq!(parse_decimal(b"0014400", 0, u64::MAX), Ok(14400));
        assert_eq!(parse_decimal(b"", 0, 9), Err(InvalidValue::Empty));
        assert_eq!(
            parse_decimal(b"1x", 0, 9),
            Err(InvalidValue::UnexpectedByte {
                offset: 1,
                byte: b'x'
            })
        );
        assert_eq!(
            parse_decimal(b"99999999999999999999999", 0, u64::MAX),
            Err(InvalidValue::OutOfRange {
                min: 0,
                max: u64::MAX
            })
        );
        assert_eq!(
            parse_decimal(b"0", 1, 9),
            Err(InvalidValue::OutOfRange { min: 1, max: 9 })
        );
    }

    /// What `parse_decimal` must give: the first non-digit, else the number (in 128
    /// bits, which no test input overflows) against the bounds.
    fn decimal_reference(s: &[u8], min: u64, max: u64) -> Result<u64, InvalidValue> {
        if s.is_empty() {
            return Err(InvalidValue::Empty);
        }
        let mut n: u128 = 0;
        for (offset, &b) in s.iter().enumerate() {
            if !b.is_ascii_digit() {
                // The checked loop reports an overflow met before the byte.
                if n > u128::from(u64::MAX) {
                    return Err(InvalidValue::OutOfRange { min, max });
                }
                return Err(InvalidValue::UnexpectedByte { offset, byte: b });
            }
            n = n * 10 + u128::from(b - b'0');
        }
        match u64::try_from(n) {
            Ok(n) if n >= min && n <= max => Ok(n),
            _ => Err(InvalidValue::OutOfRange { min, max }),
        }
    }

    proptest::proptest! {
        /// Numbers of up to 30 digits (around the 19 that a `u64` always holds, and the
        /// 20 of its largest values), with an odd byte anywhere or not, in bounds or not.
        #[test]
        fn decimal_agrees_with_reference(
            digits in "[0-9]{0,30}",
            odd in proptest::option::of((proptest::arbitrary::any::<proptest::sample::Index>(), proptest::arbitrary::any::<u8>())),
            min in proptest::prop_oneof![proptest::strategy::Just(0u64), proptest::arbitrary::any::<u64>()],
            max in proptest::prop_oneof![proptest::strategy::Just(u64::MAX), proptest::arbitrary::any::<u64>()],
        ) {
            let mut s = digits.into_bytes();
            if let Some((at, byte)) = odd.filter(|_| !s.is_empty()) {
                let i = at.index(s.len());
                s[i] = byte;
            }
            proptest::prop_assert_eq!(parse_decimal(&s, min, max), decimal_reference(&s, min, max));
        }
    }

    #[test]
    fn decimal_at_the_limits() {
        for s in [
            "18446744073709551615",
            "18446744073709551616",
            "9999999999999999999",
            "0000000000000000000000001",
        ] {
            assert_eq!(
                parse_decimal(s.as_bytes(), 0, u64::MAX),
                decimal_reference(s.as_bytes(), 0, u64::MAX),
                "{s}"
            );
        }
    }

    #[test]
    fn quoted_strings() {
        let q = |s: &str| Cursor::new(s.as_bytes()).quoted();
        assert_eq!(q(r#""abc""#).unwrap(), "abc");
        assert_eq!(q(r#""a\"b""#).unwrap(), "a\"b");
        assert_eq!(q(r#""a\\b""#).unwrap(), "a\\b");
        // A backslash before anything else stays literal (librvp's CORP\alice).
        assert_eq!(q(r#""CORP\alice""#).unwrap(), "CORP\\alice");
        assert_eq!(q("\"caf\u{e9}\"").unwrap(), "caf\u{e9}");
        assert_eq!(q(r#""abc"#), Err(InvalidValue::UnexpectedEnd { offset: 4 }));
        assert_eq!(
            q(r#""ab\""#),
            Err(InvalidValue::UnexpectedEnd { offset: 5 })
        );
        assert_eq!(
            Cursor::new(b"\"a\x01\"").quoted(),
            Err(InvalidValue::UnexpectedByte { offset: 2, byte: 1 })
        );
        assert_eq!(
            Cursor::new(b"\"ab\xff\"").quoted(),
            Err(InvalidValue::NotUtf8 { offset: 3 })
        );
    }

    #[test]
    fn quoting_round_trips() {
        for s in ["", "plain", "a\"b", "CORP\\alice", "trailing\\"] {
            let mut out = String::new();
            write_quoted(&mut out, s);
            assert_eq!(Cursor::new(out.as_bytes()).quoted().unwrap(), s);
        }
    }

    #[test]
    fn single_rule() {
        let a = HeaderValue::from_static("a");
        let b = HeaderValue::from_static("b");
        assert_eq!(single([&a].into_iter(), "X").unwrap(), Some(&a));
        assert_eq!(
            single(std::iter::empty::<&HeaderValue>(), "X").unwrap(),
            None
        );
        assert_eq!(
            single([&a, &b].into_iter(), "X"),
            Err(HeaderError::Repeated { name: "X" })
        );
        assert_eq!(
            required(std::iter::empty::<&HeaderValue>(), "X"),
            Err(HeaderError::Missing { name: "X" })
        );
    }
}
