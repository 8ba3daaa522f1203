//! `X-MMS-IM-Format`: the font, effects, colour, charset and pitch of a text message.
//!
//! The header is MSN Messenger's: `KEY=VALUE` items separated by `; `. The draft
//! (section 11.1) shows `FN=Microsoft%20Sans%20Serif; EF=; CO=0; CS=0; PF=22`, Miranda
//! sends `FN=Tahoma; EF=; CO=0; CS=ee; PF=22` and librvp
//! `FN=MS%%20Shell%%20Dlg; EF=; CO=0; CS=0; PF=0`. The values follow the Windows
//! `LOGFONT`/`COLORREF` fields they come from:
//!
//! | key | meaning | syntax | decoded as |
//! |---|---|---|---|
//! | `FN` | font face name | percent-encoded UTF-8 | [`ImFormat::font`] |
//! | `EF` | effects | any of the letters `B` `I` `U` `S`, any order, may be empty | [`Effects`] |
//! | `CO` | colour | hex `BBGGRR` (a `COLORREF`), leading zeros optional: `ff` is red, `800000` navy | [`Colour`] |
//! | `CS` | GDI character set | hex byte: `0` ANSI, `1` default, `ee` (238) East European | [`ImFormat::charset`] |
//! | `PF` | pitch and family | hex byte (`lfPitchAndFamily`): `22` = `FF_SWISS` (0x20) + `VARIABLE_PITCH` (2), which is what Tahoma and MS Sans Serif are | [`ImFormat::pitch_family`] |
//! | `RL` | right-to-left text (MSN Messenger 6 and later) | `1` or `0` | [`ImFormat::right_to_left`] |
//!
//! `PF` is hexadecimal: read as decimal, `22` would be `FF_ROMAN` (a serif family),
//! which contradicts the sans-serif fonts it is always sent with.
//!
//! **Percent-decoding of `FN`.** `%XX` decodes to the byte `XX`, once. librvp writes its
//! template through `printf` twice and sends `MS%%20Shell%%20Dlg`; therefore a run of
//! several `%` before two hex digits decodes like a single one (`%%20` is a space, and
//! librvp's value is the font `MS Shell Dlg`). A `%` that is not followed (after the run)
//! by two hex digits is kept literally. The decoded bytes must be UTF-8. The encoder
//! escapes everything but ASCII letters, digits and `-_.!~*'()` as `%XX` (upper case), so
//! a font name containing `%` survives a round trip (`%25`).
//!
//! Keys are matched case-insensitively; every key is optional (a missing one takes the
//! value of [`ImFormat::new`]); a known key given twice is an error; unknown keys are kept
//! in order ([`ImFormat::extensions`]). Whitespace around `;` separates items; whitespace
//! around `=` is accepted only with [`Config::trim_text`].
//!
//! [`Config::trim_text`]: crate::Config::trim_text

use std::fmt;
use std::ops::{BitOr, BitOrAssign};

use super::MimeError;
use super::field::{
    InvalidText, find_byte, is_field_text, is_token, split_once_byte, trim_ows, trim_ows_end,
    trim_ows_start,
};
use super::guid::hex_digit;
use crate::Config;

/// The decoded `X-MMS-IM-Format` header.
///
/// ```
/// use rvp_codec::mime::{Colour, Effects, ImFormat};
///
/// let mut f = ImFormat::new("Microsoft Sans Serif");
/// f.effects = Effects::BOLD | Effects::ITALIC;
/// f.colour = Colour::rgb(0, 0, 0x80);
/// f.pitch_family = 0x22;
/// assert_eq!(
///     f.to_string(),
///     "FN=Microsoft%20Sans%20Serif; EF=BI; CO=800000; CS=0; PF=22"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ImFormat {
    /// Font face name (`FN`), percent-decoded. Empty means the receiver's default.
    pub font: String,
    /// Bold, italic, underline, strike-through (`EF`).
    pub effects: Effects,
    /// Text colour (`CO`).
    pub colour: Colour,
    /// GDI character set of the font (`CS`), for example `0` (ANSI) or `0xee`.
    pub charset: u8,
    /// `lfPitchAndFamily` of the font (`PF`): family in the high nibble, pitch in the low
    /// two bits. For example `0x22`.
    pub pitch_family: u8,
    /// Right-to-left text (`RL=1`); written only when set.
    pub right_to_left: bool,
    /// Unknown `KEY=VALUE` items, in order.
    pub extensions: Vec<FormatExtension>,
}

impl ImFormat {
    /// A format with this font, no effects, black, charset 0, pitch and family 0.
    pub fn new(font: impl Into<String>) -> Self {
        Self {
            font: font.into(),
            effects: Effects::NONE,
            colour: Colour::BLACK,
            charset: 0,
            pitch_family: 0,
            right_to_left: false,
            extensions: Vec::new(),
        }
    }

    /// Parses the header value; `line` is for errors.
    pub(crate) fn decode(value: &str, line: usize, config: &Config) -> Result<Self, MimeError> {
        let mut f = ImFormat::new("");
        let mut seen = [false; 6];
        let err = |key| MimeError::InvalidImFormat { key, line };
        // `value.split(';')`, by hand: the iterator adapters cost more than the items'
        // own parsing on this short value.
        let mut rest = Some(value);
        while let Some(r) = rest {
            let item = match find_byte(r, b';') {
                // `;` is ASCII: both halves are char boundaries.
                Some(i) => {
                    rest = Some(&r[i + 1..]);
                    &r[..i]
                }
                None => {
                    rest = None;
                    r
                }
            };
            let item = trim_ows(item);
            if item.is_empty() {
                continue;
            }
            let (key, val) = split_once_byte(item, b'=').ok_or_else(|| err(None))?;
            let (key, val) = if config.trim_text {
                (trim_ows_end(key), trim_ows_start(val))
            } else {
                (key, val)
            };
            let Some(index) = key_index(key) else {
                let ext = FormatExtension::new(key, val).map_err(|_| err(None))?;
                f.extensions.push(ext);
                continue;
            };
            let name = KEYS.get(index).copied();
            let slot = seen.get_mut(index).ok_or_else(|| err(name))?;
            if *slot {
                return Err(err(name));
            }
            *slot = true;
            match index {
                0 => f.font = percent_decode(val).ok_or_else(|| err(name))?,
                1 => f.effects = Effects::parse(val).ok_or_else(|| err(name))?,
                2 => {
                    let bgr = parse_hex(val, 8).ok_or_else(|| err(name))?;
                    f.colour = Colour::from_bgr(bgr).ok_or_else(|| err(name))?;
                }
                3 => f.charset = hex_u8(val).ok_or_else(|| err(name))?,
                4 => f.pitch_family = hex_u8(val).ok_or_else(|| err(name))?,
                _ => {
                    f.right_to_left = match val {
                        "1" => true,
                        "0" => false,
                        _ => return Err(err(name)),
                    }
                }
            }
        }
        Ok(f)
    }
}

const KEYS: [&str; 6] = ["FN", "EF", "CO", "CS", "PF", "RL"];

/// The index in [`KEYS`] of `key`, compared ignoring ASCII case (all keys are two
/// letters: one length test and a two-byte match).
fn key_index(key: &str) -> Option<usize> {
    let &[a, b] = key.as_bytes() else {
        return None;
    };
    Some(match [a.to_ascii_uppercase(), b.to_ascii_uppercase()] {
        [b'F', b'N'] => 0,
        [b'E', b'F'] => 1,
        [b'C', b'O'] => 2,
        [b'C', b'S'] => 3,
        [b'P', b'F'] => 4,
        [b'R', b'L'] => 5,
        _ => return None,
    })
}

impl fmt::Display for ImFormat {
    /// The header value in the order peers write it: `FN`, `EF`, `CO`, `CS`, `PF`, then
    /// `RL=1` when set and the extensions.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FN=")?;
        percent_encode(&self.font, f)?;
        write!(
            f,
            "; EF={}; CO={:x}; CS={:x}; PF={:x}",
            self.effects,
            self.colour.to_bgr(),
            self.charset,
            self.pitch_family
        )?;
        if self.right_to_left {
            f.write_str("; RL=1")?;
        }
        for e in &self.extensions {
            write!(f, "; {}={}", e.key, e.value)?;
        }
        Ok(())
    }
}

fn parse_hex(s: &str, max_digits: usize) -> Option<u32> {
    if s.is_empty() || s.len() > max_digits {
        return None;
    }
    s.bytes()
        .try_fold(0u32, |acc, b| Some((acc << 4) | u32::from(hex_digit(b)?)))
}

fn hex_u8(s: &str) -> Option<u8> {
    parse_hex(s, 2).and_then(|v| u8::try_from(v).ok())
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    if find_byte(s, b'%').is_none() {
        return Some(s.to_owned());
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let run = bytes
                .get(i..)
                .unwrap_or_default()
                .iter()
                .take_while(|&&c| c == b'%')
                .count();
            let j = i + run;
            let hi = bytes.get(j).copied().and_then(hex_digit);
            let lo = bytes.get(j + 1).copied().and_then(hex_digit);
            if let (Some(hi), Some(lo)) = (hi, lo) {
                out.push((hi << 4) | lo);
                i = j + 2;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    String::from_utf8(out).ok()
}

fn percent_encode(s: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
            )
        {
            fmt::Write::write_char(f, char::from(b))?;
        } else {
            write!(f, "%{b:02X}")?;
        }
    }
    Ok(())
}

/// Text effects (`EF`): a set of bold, italic, underline and strike-through.
///
/// ```
/// use rvp_codec::mime::Effects;
///
/// let e = Effects::UNDERLINE | Effects::BOLD;
/// assert!(e.contains(Effects::BOLD));
/// assert!(!e.contains(Effects::ITALIC));
/// assert_eq!(e.to_string(), "BU");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Effects(u8);

impl Effects {
    /// No effect (`EF=`).
    pub const NONE: Effects = Effects(0);
    /// Bold (`B`).
    pub const BOLD: Effects = Effects(1);
    /// Italic (`I`).
    pub const ITALIC: Effects = Effects(2);
    /// Underline (`U`).
    pub const UNDERLINE: Effects = Effects(4);
    /// Strike-through (`S`).
    pub const STRIKETHROUGH: Effects = Effects(8);

    const LETTERS: [(u8, Effects); 4] = [
        (b'B', Effects::BOLD),
        (b'I', Effects::ITALIC),
        (b'U', Effects::UNDERLINE),
        (b'S', Effects::STRIKETHROUGH),
    ];

    /// Whether every effect in `other` is set.
    pub const fn contains(self, other: Effects) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether no effect is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Sets the effects in `other`.
    pub fn insert(&mut self, other: Effects) {
        self.0 |= other.0;
    }

    /// Clears the effects in `other`.
    pub fn remove(&mut self, other: Effects) {
        self.0 &= !other.0;
    }

    /// Upper-case letters in any order; a letter may repeat.
    fn parse(s: &str) -> Option<Effects> {
        s.bytes().try_fold(Effects::NONE, |acc, b| {
            let (_, e) = Self::LETTERS.iter().find(|(l, _)| *l == b)?;
            Some(acc | *e)
        })
    }
}

impl BitOr for Effects {
    type Output = Effects;
    fn bitor(self, rhs: Effects) -> Effects {
        Effects(self.0 | rhs.0)
    }
}

impl BitOrAssign for Effects {
    fn bitor_assign(&mut self, rhs: Effects) {
        self.0 |= rhs.0;
    }
}

impl fmt::Display for Effects {
    /// The letters in the order `B`, `I`, `U`, `S`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (letter, e) in Self::LETTERS {
            if self.contains(e) {
                fmt::Write::write_char(f, char::from(letter))?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Effects {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Effects({self})")
    }
}

/// A text colour (`CO`), written on the wire as the hex value of a Windows `COLORREF`,
/// `0xBBGGRR`, without leading zeros.
///
/// ```
/// use rvp_codec::mime::Colour;
///
/// assert_eq!(Colour::from_bgr(0xff), Some(Colour::rgb(0xff, 0, 0)));
/// assert_eq!(Colour::rgb(0, 0, 0x80).to_bgr(), 0x80_00_00);
/// assert_eq!(Colour::from_bgr(0x100_0000), None);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Colour {
    /// Red component.
    pub red: u8,
    /// Green component.
    pub green: u8,
    /// Blue component.
    pub blue: u8,
}

impl Colour {
    /// Black, `CO=0`.
    pub const BLACK: Colour = Colour::rgb(0, 0, 0);

    /// A colour from its components.
    pub const fn rgb(red: u8, green: u8, blue: u8) -> Self {
        Self { red, green, blue }
    }

    /// A colour from a `COLORREF` value `0xBBGGRR`; `None` above `0xFFFFFF`.
    pub const fn from_bgr(bgr: u32) -> Option<Self> {
        if bgr > 0xFF_FF_FF {
            return None;
        }
        let [red, green, blue, _] = bgr.to_le_bytes();
        Some(Self { red, green, blue })
    }

    /// The `COLORREF` value `0xBBGGRR`.
    pub const fn to_bgr(self) -> u32 {
        u32::from_le_bytes([self.red, self.green, self.blue, 0])
    }
}

/// An unknown `KEY=VALUE` item of `X-MMS-IM-Format`, kept for re-encoding.
///
/// The key is a token other than the known keys (`FN`, `EF`, `CO`, `CS`, `PF`, `RL`, in
/// any case); the value is one line of text without `;` or surrounding whitespace.
///
/// ```
/// use rvp_codec::mime::FormatExtension;
///
/// let e = FormatExtension::new("XX", "1")?;
/// assert_eq!((e.key(), e.value()), ("XX", "1"));
/// assert!(FormatExtension::new("CO", "1").is_err());
/// # Ok::<(), rvp_codec::mime::InvalidText>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct FormatExtension {
    key: String,
    value: String,
}

impl FormatExtension {
    /// Validates an item.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Result<Self, InvalidText> {
        let (key, value) = (key.into(), value.into());
        if !is_token(&key) || KEYS.iter().any(|k| k.eq_ignore_ascii_case(&key)) {
            return Err(InvalidText::new(
                "X-MMS-IM-Format key (a token other than FN EF CO CS PF RL)",
            ));
        }
        if !is_field_text(&value) || value.contains(';') {
            return Err(InvalidText::new("X-MMS-IM-Format value (one line, no ';')"));
        }
        Ok(Self { key, value })
    }

    /// The key as received.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The value as received.
    pub fn value(&self) -> &str {
        &self.value
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn key_index_matches_keys_ignoring_case() {
        for key in [
            "FN", "fn", "Ef", "co", "CS", "pF", "rl", "F", "FNX", "", "\u{e9}", "XX",
        ] {
            let expected = KEYS.iter().position(|k| k.eq_ignore_ascii_case(key));
            assert_eq!(key_index(key), expected, "{key:?}");
        }
    }

    fn strict(v: &str) -> Result<ImFormat, MimeError> {
        ImFormat::decode(v, 3, &Config::strict())
    }

    #[test]
    fn draft_value() {
        let f = strict("FN=Microsoft%20Sans%20Serif; EF=; CO=0; CS=0; PF=22").unwrap();
        assert_eq!(f.font, "Microsoft Sans Serif");
        assert_eq!(f.effects, Effects::NONE);
        assert_eq!(f.colour, Colour::BLACK);
        assert_eq!(f.charset, 0);
        assert_eq!(f.pitch_family, 0x22);
        assert!(!f.right_to_left);
        assert_eq!(
            f.to_string(),
            "FN=Microsoft%20Sans%20Serif; EF=; CO=0; CS=0; PF=22"
        );
    }

    #[test]
    fn miranda_value() {
        let f = strict("FN=Tahoma; EF=; CO=0; CS=ee; PF=22").unwrap();
        assert_eq!(f.font, "Tahoma");
        assert_eq!(f.charset, 0xee);
        assert_eq!(f.to_string(), "FN=Tahoma; EF=; CO=0; CS=ee; PF=22");
    }

    #[test]
    fn librvp_double_escaped_font() {
        let f = strict("FN=MS%%20Shell%%20Dlg; EF=; CO=0; CS=0; PF=0").unwrap();
        assert_eq!(f.font, "MS Shell Dlg");
        assert_eq!(f.to_string(), "FN=MS%20Shell%20Dlg; EF=; CO=0; CS=0; PF=0");
    }

    #[test]
    fn unescaped_spaces_in_font_names() {
        let f = strict("FN=Courier New; EF=B").unwrap();
        assert_eq!(f.font, "Courier New");
        assert_eq!(f.to_string(), "FN=Courier%20New; EF=B; CO=0; CS=0; PF=0");
    }

    #[test]
    fn percent_edge_cases() {
        assert_eq!(percent_decode("100%").unwrap(), "100%");
        assert_eq!(percent_decode("a%zz%2").unwrap(), "a%zz%2");
        assert_eq!(percent_decode("%25%41").unwrap(), "%A");
        assert_eq!(percent_decode("%E2%82%AC").unwrap(), "€");
        assert!(percent_decode("%FF").is_none());
        let mut f = ImFormat::new("50% ;=ü");
        f.effects = Effects::STRIKETHROUGH;
        let s = f.to_string();
        assert_eq!(s, "FN=50%25%20%3B%3D%C3%BC; EF=S; CO=0; CS=0; PF=0");
        assert_eq!(strict(&s).unwrap(), f);
    }

    #[test]
    fn effects_and_colour() {
        let f = strict("FN=Arial; EF=SUIB; CO=800000; CS=1; PF=31; RL=1").unwrap();
        assert_eq!(
            f.effects,
            Effects::BOLD | Effects::ITALIC | Effects::UNDERLINE | Effects::STRIKETHROUGH
        );
        assert_eq!(f.colour, Colour::rgb(0, 0, 0x80));
        assert!(f.right_to_left);
        assert_eq!(
            f.to_string(),
            "FN=Arial; EF=BIUS; CO=800000; CS=1; PF=31; RL=1"
        );
        assert_eq!(
            strict("CO=000000ff").unwrap().colour,
            Colour::rgb(0xff, 0, 0)
        );
        assert_eq!(strict("EF=BB").unwrap().effects, Effects::BOLD);
        let mut e = Effects::BOLD | Effects::ITALIC;
        e.remove(Effects::BOLD);
        e |= Effects::UNDERLINE;
        assert_eq!(e.to_string(), "IU");
    }

    #[test]
    fn missing_keys_and_extensions() {
        let f = strict("fn=X; Foo=bar baz;; ").unwrap();
        assert_eq!(f.font, "X");
        assert_eq!(
            f.extensions,
            [FormatExtension::new("Foo", "bar baz").unwrap()]
        );
        assert_eq!(f.to_string(), "FN=X; EF=; CO=0; CS=0; PF=0; Foo=bar baz");
        assert_eq!(strict("").unwrap(), ImFormat::new(""));
    }

    #[test]
    fn invalid_items() {
        let cases: [(&str, Option<&'static str>); 13] = [
            ("FN", None),
            ("FN=a; FN=b", Some("FN")),
            ("EF=b", Some("EF")),
            ("EF=X", Some("EF")),
            ("CO=", Some("CO")),
            ("CO=1000000", Some("CO")),
            ("CO=g", Some("CO")),
            ("CS=100", Some("CS")),
            ("PF=-1", Some("PF")),
            ("RL=2", Some("RL")),
            ("FN=%C3", Some("FN")),
            ("CO= 0", Some("CO")),
            ("A B=1", None),
        ];
        for (value, key) in cases {
            assert_eq!(
                strict(value).unwrap_err(),
                MimeError::InvalidImFormat { key, line: 3 },
                "{value:?}"
            );
        }
    }

    #[test]
    fn whitespace_around_equals_with_trim_text() {
        let f = ImFormat::decode("FN = Tahoma; CO= ff", 1, &Config::lenient()).unwrap();
        assert_eq!(f.font, "Tahoma");
        assert_eq!(f.colour, Colour::rgb(0xff, 0, 0));
    }

    #[test]
    fn extension_validation() {
        assert!(FormatExtension::new("rl", "1").is_err());
        assert!(FormatExtension::new("X", "a;b").is_err());
        assert!(FormatExtension::new("X", " a").is_err());
        assert!(FormatExtension::new("", "a").is_err());
        assert!(FormatExtension::new("X", "").is_ok());
    }
}
