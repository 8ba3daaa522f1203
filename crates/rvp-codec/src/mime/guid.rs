//! [`Guid`] (`Application-GUID`, and the value of a `Session-Id`) and [`SessionId`].

use std::fmt;
use std::str::FromStr;

use super::field::{FieldValue, InvalidText};

/// A GUID in the registry format peers use: `{8-4-4-4-12 hex digits}`, braces required,
/// digits in either case.
///
/// Displayed in upper case with braces (`{9BCA3DAF-70A2-7372-6CA5-2A6002C7D16F}`); the
/// 128 bits are kept in the order they are written (the first hex digit is the most
/// significant nibble of [`Guid::as_u128`]).
///
/// ```
/// use rvp_codec::mime::Guid;
///
/// let g: Guid = "{5d3e02ab-6190-11d3-bbbb-00c04f795683}".parse()?;
/// assert_eq!(g, Guid::FILE_TRANSFER);
/// assert_eq!(g.to_string(), "{5D3E02AB-6190-11D3-BBBB-00C04F795683}");
/// assert!("79FC6B5-1234-1234-8A0-941F33CA4C90".parse::<Guid>().is_err());
/// # Ok::<(), rvp_codec::mime::InvalidText>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Guid(u128);

impl Guid {
    /// MSN file transfer (MSNFTP): `{5D3E02AB-6190-11d3-BBBB-00C04F795683}`.
    pub const FILE_TRANSFER: Guid = Guid(0x5D3E02AB_6190_11D3_BBBB_00C04F795683);
    /// NetMeeting, from the draft's invitation example (section 11.3):
    /// `{44BBA842-CC51-11CF-AAFA-00AA00B6015C}`.
    pub const NETMEETING: Guid = Guid(0x44BBA842_CC51_11CF_AAFA_00AA00B6015C);

    /// The GUID with these 128 bits.
    pub const fn from_u128(value: u128) -> Self {
        Self(value)
    }

    /// The 128 bits, first written digit most significant.
    pub const fn as_u128(self) -> u128 {
        self.0
    }

    /// Parses `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}` exactly (no surrounding
    /// whitespace).
    pub fn parse(s: &str) -> Result<Self, InvalidText> {
        const ERR: InvalidText = InvalidText::new("GUID ({8-4-4-4-12 hex digits})");
        let bytes = s.as_bytes();
        let [b'{', inner @ .., b'}'] = bytes else {
            return Err(ERR);
        };
        if inner.len() != 36 {
            return Err(ERR);
        }
        if [inner[8], inner[13], inner[18], inner[23]] != [b'-'; 4] {
            return Err(ERR);
        }
        // Table lookups without a branch per digit; one test at the end.
        let digits = inner[..8]
            .iter()
            .chain(&inner[9..13])
            .chain(&inner[14..18])
            .chain(&inner[19..23])
            .chain(&inner[24..]);
        let (value, bad) = digits.fold((0u128, 0u8), |(value, bad), &b| {
            let d = HEX_VALUE[usize::from(b)];
            ((value << 4) | u128::from(d & 0x0f), bad | d)
        });
        if bad & NOT_HEX != 0 {
            return Err(ERR);
        }
        Ok(Self(value))
    }

    /// Appends the upper-case braced form.
    pub(crate) fn encode(self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.to_string().as_bytes());
    }
}

/// Marks a byte that is not a hex digit in [`HEX_VALUE`].
const NOT_HEX: u8 = 0x80;

/// Every byte's hex digit value, or [`NOT_HEX`].
const HEX_VALUE: [u8; 256] = {
    let mut table = [NOT_HEX; 256];
    let mut b = 0;
    while b < 256 {
        if let Some(d) = hex_digit(b as u8) {
            table[b] = d;
        }
        b += 1;
    }
    table
};

/// The value of a hex digit.
pub(crate) const fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        write!(
            f,
            "{{{:08X}-{:04X}-{:04X}-{:04X}-{:012X}}}",
            (v >> 96) as u32,
            (v >> 80) as u16,
            (v >> 64) as u16,
            (v >> 48) as u16,
            v & 0xFFFF_FFFF_FFFF
        )
    }
}

impl fmt::Debug for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Guid({self})")
    }
}

impl FromStr for Guid {
    type Err = InvalidText;
    fn from_str(s: &str) -> Result<Self, InvalidText> {
        Self::parse(s)
    }
}

/// The `Session-Id` of a conversation: the GUID every payload of one conversation
/// carries.
///
/// Strict decoding accepts only a well-formed [`Guid`]. The draft's typing example
/// (section 11.2) carries `{79FC6B5-1234-1234-8A0-941F33CA4C90}`, which has too few
/// digits; with [`Config::allow_known_typos`] such a value is kept verbatim as
/// [`SessionId::Malformed`], so that a reply can echo it. The encoder writes a
/// `Malformed` value back unchanged (which a strict decoder then rejects).
///
/// ```
/// use rvp_codec::mime::{Guid, SessionId};
///
/// let id = SessionId::from(Guid::from_u128(0x9BCA3DAF_70A2_7372_6CA5_2A6002C7D16F));
/// assert_eq!(id.to_string(), "{9BCA3DAF-70A2-7372-6CA5-2A6002C7D16F}");
/// assert_eq!(id.guid(), Some(Guid::from_u128(0x9BCA3DAF_70A2_7372_6CA5_2A6002C7D16F)));
/// ```
///
/// [`Config::allow_known_typos`]: crate::Config::allow_known_typos
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum SessionId {
    /// A well-formed GUID.
    Guid(Guid),
    /// A value that is not a GUID, kept as received (lenient decoding only). Values
    /// that parse as a [`Guid`] decode as [`SessionId::Guid`] instead.
    Malformed(FieldValue),
}

impl SessionId {
    /// The GUID, unless the value is malformed.
    pub fn guid(&self) -> Option<Guid> {
        match self {
            SessionId::Guid(g) => Some(*g),
            SessionId::Malformed(_) => None,
        }
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        match self {
            SessionId::Guid(g) => g.encode(out),
            SessionId::Malformed(v) => out.extend_from_slice(v.as_bytes()),
        }
    }
}

impl From<Guid> for SessionId {
    fn from(g: Guid) -> Self {
        SessionId::Guid(g)
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionId::Guid(g) => fmt::Display::fmt(g, f),
            SessionId::Malformed(v) => f.write_str(v),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn parses_and_displays_upper_case() {
        let g = Guid::parse("{9bca3daf-70a2-7372-6ca5-2a6002c7d16f}").unwrap();
        assert_eq!(g.as_u128(), 0x9BCA3DAF_70A2_7372_6CA5_2A6002C7D16F);
        assert_eq!(g.to_string(), "{9BCA3DAF-70A2-7372-6CA5-2A6002C7D16F}");
        assert_eq!(
            Guid::from_u128(0).to_string(),
            "{00000000-0000-0000-0000-000000000000}"
        );
        assert_eq!(
            Guid::from_u128(u128::MAX).to_string(),
            "{FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF}"
        );
    }

    #[test]
    fn known_guids() {
        assert_eq!(
            Guid::NETMEETING,
            Guid::parse("{44BBA842-CC51-11CF-AAFA-00AA00B6015C}").unwrap()
        );
        assert_eq!(
            Guid::FILE_TRANSFER,
            Guid::parse("{5D3E02AB-6190-11d3-BBBB-00C04F795683}").unwrap()
        );
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "{}",
            "{79FC6B5-1234-1234-8A0-941F33CA4C90}",
            "9BCA3DAF-70A2-7372-6CA5-2A6002C7D16F",
            "{9BCA3DAF-70A2-7372-6CA5-2A6002C7D16F",
            "{9BCA3DAF-70A2-7372-6CA5-2A6002C7D16G}",
            "{9BCA3DAF+70A2-7372-6CA5-2A6002C7D16F}",
            "{9BCA3DAF-70A2-7372-6CA52A6002C7D16F0}",
            " {9BCA3DAF-70A2-7372-6CA5-2A6002C7D16F}",
            "{9BCA3DAF-70A2-7372-6CA5-2A6002C7D1ä}",
        ] {
            assert!(Guid::parse(bad).is_err(), "{bad:?}");
        }
    }
}
