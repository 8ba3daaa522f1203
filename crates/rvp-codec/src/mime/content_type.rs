//! `Content-Type` parsing (private) and the charsets a text body may use.

use std::borrow::Cow;

use super::MimeError;
use super::field::{find_byte, is_tchar, is_token, split_once_byte, trim_ows_end, trim_ows_start};
use crate::Config;

/// Which payload a `Content-Type` selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Typing,
    Invitation,
    Leave,
    Unknown,
}

/// A parsed `Content-Type` value.
#[derive(Debug)]
pub(crate) struct ContentType<'a> {
    /// `type/subtype` as received.
    pub(crate) essence: &'a str,
    /// Parameters in order: name as received (without a typo dot), value unquoted.
    pub(crate) params: Vec<(&'a str, Cow<'a, str>)>,
}

const CONTENT_TYPE: &str = "Content-Type";

impl<'a> ContentType<'a> {
    /// Parses `type/subtype *(; name=value)`; `line` is for errors.
    ///
    /// Strict: no whitespace around `=`, values are tokens or quoted strings. With
    /// [`Config::trim_text`], whitespace around `=` is skipped; with
    /// [`Config::allow_known_typos`], a `.` right before a parameter name (the draft's
    /// `text/x-msmsgsinvite;.charset=UTF-8`) is dropped. Empty parameters (`;;`, a
    /// trailing `;`) are skipped.
    pub(crate) fn parse(value: &'a str, line: usize, config: &Config) -> Result<Self, MimeError> {
        let invalid = MimeError::InvalidValue {
            name: CONTENT_TYPE,
            line,
        };
        let (essence, mut rest) = match find_byte(value, b';') {
            Some(i) => (
                value.get(..i).unwrap_or_default(),
                value.get(i..).unwrap_or_default(),
            ),
            None => (value, ""),
        };
        let essence = trim_ows_end(essence);
        let Some((ty, sub)) = split_once_byte(essence, b'/') else {
            return Err(invalid);
        };
        if !is_token(ty) || !is_token(sub) {
            return Err(invalid);
        }
        let mut params = Vec::new();
        while let Some(after) = rest.strip_prefix(';') {
            let after = trim_ows_start(after);
            let after = match after.strip_prefix('.') {
                Some(a) if config.allow_known_typos => a,
                _ => after,
            };
            if after.is_empty() || after.starts_with(';') {
                rest = after;
                continue;
            }
            let name_len = after.bytes().take_while(|&b| is_tchar(b)).count();
            let (name, after) = after.split_at(name_len);
            if name.is_empty() {
                return Err(invalid);
            }
            let after = skip_ws_if(after, config.trim_text);
            let Some(after) = after.strip_prefix('=') else {
                return Err(invalid);
            };
            let after = skip_ws_if(after, config.trim_text);
            let (pvalue, after) = if let Some(quoted) = after.strip_prefix('"') {
                unquote(quoted).ok_or(invalid.clone())?
            } else {
                let n = after.bytes().take_while(|&b| is_tchar(b)).count();
                let (v, a) = after.split_at(n);
                if v.is_empty() {
                    return Err(invalid);
                }
                (Cow::Borrowed(v), a)
            };
            let after = trim_ows_start(after);
            if !after.is_empty() && !after.starts_with(';') {
                return Err(invalid);
            }
            params.push((name, pvalue));
            rest = after;
        }
        if !rest.is_empty() {
            return Err(invalid);
        }
        Ok(Self { essence, params })
    }

    /// The payload kind this media type selects.
    pub(crate) fn kind(&self, config: &Config) -> Kind {
        let e = self.essence;
        if e.eq_ignore_ascii_case("text/plain") {
            Kind::Text
        } else if e.eq_ignore_ascii_case("text/x-msmsgscontrol")
            || (config.allow_known_typos && e.eq_ignore_ascii_case("text/x-msmsscontrol"))
        {
            Kind::Typing
        } else if e.eq_ignore_ascii_case("text/x-msmsgsinvite") {
            Kind::Invitation
        } else if e.eq_ignore_ascii_case("text/x-imleave") {
            Kind::Leave
        } else {
            Kind::Unknown
        }
    }

    /// The charset of a known payload: the `charset` parameter (UTF-8 when absent).
    /// Strict decoding rejects any other parameter (so a misspelled `charset` is not
    /// silently ignored); with [`Config::allow_known_typos`] it is ignored.
    pub(crate) fn charset(&self, line: usize, config: &Config) -> Result<Charset, MimeError> {
        let mut charset = Charset::Utf8;
        let mut seen = false;
        for (name, value) in &self.params {
            if name.eq_ignore_ascii_case("charset") {
                if seen {
                    return Err(MimeError::InvalidValue {
                        name: CONTENT_TYPE,
                        line,
                    });
                }
                seen = true;
                charset = Charset::from_label(value)?;
            } else if !config.allow_known_typos {
                return Err(MimeError::UnexpectedParameter {
                    parameter: (*name).to_owned(),
                    line,
                });
            }
        }
        Ok(charset)
    }
}

fn skip_ws_if(s: &str, skip: bool) -> &str {
    if skip { trim_ows_start(s) } else { s }
}

/// Reads a quoted string after its opening quote: the unescaped content and the rest.
fn unquote(s: &str) -> Option<(Cow<'_, str>, &str)> {
    let mut out: Option<String> = None;
    let mut chars = s.char_indices();
    let mut start = 0;
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                let rest = s.get(i + 1..)?;
                return Some(match out {
                    Some(mut o) => {
                        o.push_str(s.get(start..i)?);
                        (Cow::Owned(o), rest)
                    }
                    None => (Cow::Borrowed(s.get(..i)?), rest),
                });
            }
            '\\' => {
                let o = out.get_or_insert_with(String::new);
                o.push_str(s.get(start..i)?);
                let (_, escaped) = chars.next()?;
                o.push(escaped);
                start = i + 1 + escaped.len_utf8();
            }
            _ => {}
        }
    }
    None
}

/// A charset a text body can be decoded from. Encoding always writes UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Charset {
    /// UTF-8; also used for US-ASCII, its subset.
    Utf8,
    /// ISO-8859-1: each byte is the code point of the same value.
    Latin1,
    /// windows-1252: ISO-8859-1 with printable characters in 0x80-0x9F.
    Windows1252,
}

impl Charset {
    fn from_label(label: &str) -> Result<Self, MimeError> {
        const UTF8: [&str; 4] = ["utf-8", "utf8", "us-ascii", "ascii"];
        const LATIN1: [&str; 6] = [
            "iso-8859-1",
            "iso_8859-1",
            "iso8859-1",
            "latin1",
            "l1",
            "iso-ir-100",
        ];
        const CP1252: [&str; 3] = ["windows-1252", "cp1252", "x-cp1252"];
        let is = |set: &[&str]| set.iter().any(|l| l.eq_ignore_ascii_case(label));
        if is(&UTF8) {
            Ok(Charset::Utf8)
        } else if is(&LATIN1) {
            Ok(Charset::Latin1)
        } else if is(&CP1252) {
            Ok(Charset::Windows1252)
        } else {
            Err(MimeError::UnsupportedCharset {
                charset: label.to_owned(),
            })
        }
    }

    /// Decodes `bytes`, which start at byte `offset` of the payload.
    pub(crate) fn decode(self, bytes: &[u8], offset: usize) -> Result<String, MimeError> {
        match self {
            Charset::Utf8 => match crate::syntax::from_utf8(bytes) {
                Ok(s) => Ok(s.to_owned()),
                Err(e) => Err(MimeError::InvalidUtf8Body {
                    offset: offset + e.valid_up_to(),
                }),
            },
            Charset::Latin1 => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
            Charset::Windows1252 => Ok(bytes.iter().map(|&b| cp1252(b)).collect()),
        }
    }
}

/// The character of a windows-1252 byte (unassigned bytes map to the C1 control of
/// the same value, as the WHATWG Encoding Standard does).
fn cp1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '\u{20AC}', '\u{81}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{8D}',
        '\u{017D}', '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}',
        '\u{2013}', '\u{2014}', '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}',
        '\u{9D}', '\u{017E}', '\u{0178}',
    ];
    match b {
        0x80..=0x9F => HIGH
            .get(usize::from(b - 0x80))
            .copied()
            .unwrap_or(char::from(b)),
        _ => char::from(b),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn params(ct: &ContentType<'_>) -> Vec<(String, String)> {
        ct.params
            .iter()
            .map(|(n, v)| ((*n).to_owned(), v.to_string()))
            .collect()
    }

    #[test]
    fn parses_essence_and_params() {
        let s = Config::strict();
        let ct = ContentType::parse("text/plain; charset=UTF-8", 2, &s).unwrap();
        assert_eq!(ct.essence, "text/plain");
        assert_eq!(params(&ct), [("charset".into(), "UTF-8".into())]);
        assert_eq!(ct.kind(&s), Kind::Text);
        assert_eq!(ct.charset(2, &s).unwrap(), Charset::Utf8);

        let ct = ContentType::parse("Text/X-MSMSGSCONTROL", 1, &s).unwrap();
        assert_eq!(ct.kind(&s), Kind::Typing);
        assert!(ct.params.is_empty());

        let ct = ContentType::parse(r#"a/b;x="q \"v\"";y=1;"#, 1, &s).unwrap();
        assert_eq!(
            params(&ct),
            [("x".into(), r#"q "v""#.into()), ("y".into(), "1".into())]
        );
        assert_eq!(ct.kind(&s), Kind::Unknown);
    }

    #[test]
    fn rejects_malformed() {
        let s = Config::lenient();
        for bad in [
            "text",
            "text/",
            "/plain",
            "te xt/plain",
            "text/plain; =x",
            "text/plain; a",
            "text/plain; a=",
            "text/plain; a=\"open",
            "text/plain; a=b c",
            "text/plain x",
        ] {
            assert_eq!(
                ContentType::parse(bad, 3, &s).unwrap_err(),
                MimeError::InvalidValue {
                    name: "Content-Type",
                    line: 3
                },
                "{bad:?}"
            );
        }
    }

    #[test]
    fn typo_dot_before_parameter() {
        let value = "text/x-msmsgsinvite;.charset=UTF-8";
        let strict = ContentType::parse(value, 2, &Config::strict()).unwrap();
        assert_eq!(
            strict.charset(2, &Config::strict()).unwrap_err(),
            MimeError::UnexpectedParameter {
                parameter: ".charset".into(),
                line: 2
            }
        );
        let lenient = ContentType::parse(value, 2, &Config::lenient()).unwrap();
        assert_eq!(params(&lenient), [("charset".into(), "UTF-8".into())]);
        assert_eq!(lenient.kind(&Config::lenient()), Kind::Invitation);
    }

    #[test]
    fn typo_control_type() {
        let ct = ContentType::parse("text/x-msmsscontrol", 1, &Config::strict()).unwrap();
        assert_eq!(ct.kind(&Config::strict()), Kind::Unknown);
        assert_eq!(ct.kind(&Config::lenient()), Kind::Typing);
    }

    #[test]
    fn whitespace_around_equals_needs_trim_text() {
        let value = "text/plain; charset = UTF-8";
        assert!(ContentType::parse(value, 1, &Config::strict()).is_err());
        let ct = ContentType::parse(value, 1, &Config::lenient()).unwrap();
        assert_eq!(params(&ct), [("charset".into(), "UTF-8".into())]);
    }

    #[test]
    fn charsets() {
        let s = Config::strict();
        let cs = |v: &str| ContentType::parse(v, 1, &s).unwrap().charset(1, &s);
        assert_eq!(cs("text/plain").unwrap(), Charset::Utf8);
        assert_eq!(cs("text/plain; charset=us-ascii").unwrap(), Charset::Utf8);
        assert_eq!(
            cs("text/plain; charset=\"ISO-8859-1\"").unwrap(),
            Charset::Latin1
        );
        assert_eq!(
            cs("text/plain; charset=Windows-1252").unwrap(),
            Charset::Windows1252
        );
        assert_eq!(
            cs("text/plain; charset=koi8-r").unwrap_err(),
            MimeError::UnsupportedCharset {
                charset: "koi8-r".into()
            }
        );
        assert!(cs("text/plain; charset=utf-8; charset=utf-8").is_err());
        assert!(cs("text/plain; format=flowed").is_err());
        let l = Config::lenient();
        let ct = ContentType::parse("text/plain; format=flowed", 1, &l).unwrap();
        assert_eq!(ct.charset(1, &l).unwrap(), Charset::Utf8);
    }

    #[test]
    fn decodes_bodies() {
        assert_eq!(Charset::Utf8.decode("äö".as_bytes(), 0).unwrap(), "äö");
        assert_eq!(
            Charset::Utf8.decode(b"ab\xe4", 10).unwrap_err(),
            MimeError::InvalidUtf8Body { offset: 12 }
        );
        assert_eq!(Charset::Latin1.decode(b"\xe4\x80", 0).unwrap(), "ä\u{80}");
        assert_eq!(
            Charset::Windows1252
                .decode(b"Let\x92s \x80\x81\xff", 0)
                .unwrap(),
            "Let\u{2019}s \u{20AC}\u{81}ÿ"
        );
    }
}
