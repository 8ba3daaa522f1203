//! Validated header text: [`FieldName`], [`FieldValue`] and [`Field`].
//!
//! The encoders write these verbatim, so they are checked once, when they are made:
//! a name is a token, a value is one line without control characters and without
//! surrounding whitespace. Decoding always yields valid ones.

use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

/// Text that is not a valid [`FieldName`], [`FieldValue`] or other validated payload
/// string; `what` names the rule that was broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid MIME {what}")]
pub struct InvalidText {
    what: &'static str,
}

impl InvalidText {
    pub(crate) const fn new(what: &'static str) -> Self {
        Self { what }
    }

    /// What was expected: for example `"header name (a token)"`.
    pub fn expected(&self) -> &'static str {
        self.what
    }
}

pub(crate) use crate::syntax::is_tchar;

/// Whether `s` is a non-empty token.
pub(crate) fn is_token(s: &str) -> bool {
    crate::syntax::is_token(s.as_bytes())
}

/// Whether `s` holds a control character (Unicode `Cc`: U+0000 to U+001F, U+007F to
/// U+009F) other than tab. Works on the UTF-8 bytes: U+0080 to U+009F are the only
/// sequences `C2 80` to `C2 9F`, and no other character's encoding holds a byte below
/// 0x20 or 0x7F.
pub(crate) fn has_control(s: &str) -> bool {
    let bytes = s.as_bytes();
    // Fast exit for the usual printable ASCII: a branch-free pass the compiler
    // vectorizes.
    let suspect = bytes.iter().fold(false, |acc, &b| {
        acc | ((b < 0x20) & (b != b'\t')) | (b >= 0x7F)
    });
    if !suspect {
        return false;
    }
    bytes.iter().enumerate().any(|(i, &b)| {
        (b < 0x20 && b != b'\t')
            || b == 0x7F
            || (b == 0xC2
                && bytes
                    .get(i + 1)
                    .is_some_and(|&n| (0x80..=0x9F).contains(&n)))
    })
}

/// The position of the ASCII byte `sep` in `s`: a plain loop, cheaper than the
/// generic pattern search on the short strings of header values.
pub(crate) fn find_byte(s: &str, sep: u8) -> Option<usize> {
    debug_assert!(sep.is_ascii());
    s.bytes().position(|b| b == sep)
}

/// `s.split_once(sep)` for an ASCII `sep` (both halves start or end next to it, so at
/// char boundaries).
pub(crate) fn split_once_byte(s: &str, sep: u8) -> Option<(&str, &str)> {
    let i = find_byte(s, sep)?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// `s` without leading spaces and tabs (byte loop; both are ASCII, so the cut is a
/// char boundary).
pub(crate) fn trim_ows_start(s: &str) -> &str {
    let skip = s.bytes().take_while(|&b| b == b' ' || b == b'\t').count();
    s.get(skip..).unwrap_or_default()
}

/// `s` without trailing spaces and tabs.
pub(crate) fn trim_ows_end(s: &str) -> &str {
    let keep = s
        .bytes()
        .rposition(|b| b != b' ' && b != b'\t')
        .map_or(0, |i| i + 1);
    s.get(..keep).unwrap_or_default()
}

/// `s` without surrounding spaces and tabs.
pub(crate) fn trim_ows(s: &str) -> &str {
    trim_ows_end(trim_ows_start(s))
}

/// Whether `s` is a valid one-line value: no control characters other than tab, no
/// leading or trailing space or tab.
pub(crate) fn is_field_text(s: &str) -> bool {
    !has_control(s) && !s.starts_with([' ', '\t']) && !s.ends_with([' ', '\t'])
}

/// The name of a header field in a MIME payload: a token, kept in the letter case it
/// was received in (names are compared case-insensitively by the decoder).
///
/// ```
/// use rvp_codec::mime::FieldName;
///
/// let name = FieldName::new("Connectivity")?;
/// assert_eq!(name.as_str(), "Connectivity");
/// assert!(FieldName::new("Bad Name").is_err());
/// # Ok::<(), rvp_codec::mime::InvalidText>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldName(String);

impl FieldName {
    /// Checks that `name` is a token (RFC 7230 `tchar`s, at least one).
    pub fn new(name: impl Into<String>) -> Result<Self, InvalidText> {
        let name = name.into();
        if is_token(&name) {
            Ok(Self(name))
        } else {
            Err(InvalidText::new("header name (a token)"))
        }
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this name equals `other`, ignoring ASCII case.
    pub fn eq_ignore_case(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}

/// One line of header text: no control characters other than tab, no leading or
/// trailing whitespace (the decoder trims it). May be empty.
///
/// Used for free-text values such as `TypingUser`, `Application-Name` and unknown
/// fields.
///
/// ```
/// use rvp_codec::mime::FieldValue;
///
/// let v = FieldValue::new("alice@example.com")?;
/// assert_eq!(&*v, "alice@example.com");
/// assert!(FieldValue::new("two\r\nlines").is_err());
/// assert!(FieldValue::new(" padded").is_err());
/// # Ok::<(), rvp_codec::mime::InvalidText>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FieldValue(String);

impl FieldValue {
    /// Checks that `value` is one line of header text.
    pub fn new(value: impl Into<String>) -> Result<Self, InvalidText> {
        let value = value.into();
        if is_field_text(&value) {
            Ok(Self(value))
        } else {
            Err(InvalidText::new(
                "header value (one line, no control characters, no surrounding whitespace)",
            ))
        }
    }

    /// The value as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value as an owned `String`.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// An unknown header field, kept as received so that it is re-encoded.
///
/// ```
/// use rvp_codec::mime::Field;
///
/// let f = Field::new("Connectivity", "N")?;
/// assert_eq!(f.name().as_str(), "Connectivity");
/// assert_eq!(f.value().as_str(), "N");
/// # Ok::<(), rvp_codec::mime::InvalidText>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Field {
    name: FieldName,
    value: FieldValue,
}

impl Field {
    /// A field from a name and a value, each validated.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Result<Self, InvalidText> {
        Ok(Self {
            name: FieldName::new(name)?,
            value: FieldValue::new(value)?,
        })
    }

    /// A field from already validated parts.
    pub fn from_parts(name: FieldName, value: FieldValue) -> Self {
        Self { name, value }
    }

    /// The field's name.
    pub fn name(&self) -> &FieldName {
        &self.name
    }

    /// The field's value.
    pub fn value(&self) -> &FieldValue {
        &self.value
    }

    /// Appends `Name: value\r\n`.
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        encode_line(out, self.name.as_str(), self.value.as_str());
    }
}

/// Appends `name: value\r\n` (or `name:\r\n` for an empty value).
pub(crate) fn encode_line(out: &mut Vec<u8>, name: &str, value: &str) {
    out.extend_from_slice(name.as_bytes());
    out.push(b':');
    if !value.is_empty() {
        out.push(b' ');
        out.extend_from_slice(value.as_bytes());
    }
    out.extend_from_slice(b"\r\n");
}

macro_rules! text_impls {
    ($t:ident) => {
        impl Deref for $t {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }

        impl FromStr for $t {
            type Err = InvalidText;
            fn from_str(s: &str) -> Result<Self, InvalidText> {
                Self::new(s)
            }
        }

        impl TryFrom<String> for $t {
            type Error = InvalidText;
            fn try_from(s: String) -> Result<Self, InvalidText> {
                Self::new(s)
            }
        }

        impl TryFrom<&str> for $t {
            type Error = InvalidText;
            fn try_from(s: &str) -> Result<Self, InvalidText> {
                Self::new(s)
            }
        }

        impl PartialEq<str> for $t {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $t {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

text_impls!(FieldName);
text_impls!(FieldValue);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    /// The byte-level checks agree with their definitions on every character.
    #[test]
    fn byte_checks_match_char_definitions() {
        for b in 0..=127u8 {
            let s = char::from(b).to_string();
            assert_eq!(is_token(&s), is_tchar(b), "{b:#x}");
        }
        assert!(!is_token("\u{e9}"));
        let chars = ('\0'..='\u{3000}').chain(['\u{FEFF}', '\u{FFFD}', '\u{1F600}']);
        for c in chars {
            for s in [c.to_string(), format!("a{c}b"), format!("\u{e9}{c}")] {
                let expected = s.chars().any(|c| c.is_control() && c != '\t');
                assert_eq!(has_control(&s), expected, "{c:?}");
            }
        }
    }

    #[test]
    fn byte_splits_match_char_splits() {
        for s in [
            "",
            ";",
            "a",
            "a;b",
            ";a;;b;",
            "\u{e9};\u{1F600}=x;",
            "k=v=w",
            "=",
            "\u{e9}",
        ] {
            assert_eq!(split_once_byte(s, b'='), s.split_once('='), "{s:?}");
            assert_eq!(find_byte(s, b';'), s.find(';'), "{s:?}");
        }
    }

    #[test]
    fn ows_trims_match_char_trims() {
        for s in [
            "",
            " \t",
            "a",
            " a b\t",
            "\t\u{e9} ",
            " \u{3000}x\u{3000} ",
            "\r a \n",
        ] {
            assert_eq!(trim_ows(s), s.trim_matches([' ', '\t']), "{s:?}");
            assert_eq!(trim_ows_start(s), s.trim_start_matches([' ', '\t']));
            assert_eq!(trim_ows_end(s), s.trim_end_matches([' ', '\t']));
        }
    }

    #[test]
    fn names_are_tokens() {
        assert!(FieldName::new("Session-Id").is_ok());
        assert!(FieldName::new("").is_err());
        assert!(FieldName::new("a:b").is_err());
        assert!(FieldName::new("ä").is_err());
        assert!(FieldName::new("X-Y").unwrap().eq_ignore_case("x-y"));
    }

    #[test]
    fn values_are_one_trimmed_line() {
        assert!(FieldValue::new("").is_ok());
        assert!(FieldValue::new("a\tb ü").is_ok());
        assert!(FieldValue::new("a\nb").is_err());
        assert!(FieldValue::new("a\rb").is_err());
        assert!(FieldValue::new("a\u{0}").is_err());
        assert!(FieldValue::new("a ").is_err());
        assert!(FieldValue::new("\ta").is_err());
        assert!(FieldValue::new("a\u{85}").is_err());
    }

    #[test]
    fn encode_line_omits_space_for_empty_value() {
        let mut out = Vec::new();
        encode_line(&mut out, "Request-Data", "");
        Field::new("Connectivity", "N").unwrap().encode(&mut out);
        assert_eq!(out, b"Request-Data:\r\nConnectivity: N\r\n");
    }
}

#[cfg(test)]
mod control_tests {
    use super::has_control;

    #[test]
    fn has_control_matches_char_is_control() {
        for c in (0u32..0x300).filter_map(char::from_u32) {
            let s = format!("a{c}b");
            assert_eq!(has_control(&s), c.is_control() && c != '\t', "{:?}", c);
        }
        assert!(!has_control("é€😀 plain"));
    }
}
