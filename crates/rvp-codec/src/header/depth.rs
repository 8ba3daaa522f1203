//! `Depth` (RFC 4918 section 10.2; draft sections 6.4 and 8.1).

use std::fmt;

use super::InvalidValue;
use super::syntax::{self};

/// `Depth`: how far below the request target a WebDAV method applies.
///
/// Grammar (RFC 4918): `"0" / "1" / "infinity"`, the last in any letter case. RVP
/// requires `Depth: 0` on PROPFIND and answers `412` otherwise (draft §6.4); that check
/// belongs to the server, which can only make it if `1` and `infinity` parse.
///
/// ```
/// use rvp_codec::header::Depth;
///
/// assert_eq!("0".parse::<Depth>()?, Depth::Zero);
/// assert_eq!("Infinity".parse::<Depth>()?, Depth::Infinity);
/// assert_eq!(Depth::Infinity.to_string(), "infinity");
/// assert!("2".parse::<Depth>().is_err());
/// # Ok::<(), rvp_codec::header::InvalidValue>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Depth {
    /// `0`: the target only (the only depth RVP supports).
    Zero,
    /// `1`: the target and its direct members.
    One,
    /// `infinity`: the target and all its members.
    Infinity,
}

impl Depth {
    /// The value as written.
    pub const fn as_str(self) -> &'static str {
        match self {
            Depth::Zero => "0",
            Depth::One => "1",
            Depth::Infinity => "infinity",
        }
    }

    /// Parses a field value.
    pub fn from_bytes(s: &[u8]) -> Result<Self, InvalidValue> {
        match s {
            b"0" => Ok(Depth::Zero),
            b"1" => Ok(Depth::One),
            _ if s.eq_ignore_ascii_case(b"infinity") => Ok(Depth::Infinity),
            _ => {
                syntax::check_token(s)?;
                Err(InvalidValue::UnknownValue)
            }
        }
    }
}

impl fmt::Display for Depth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

single_field_header!(Depth, super::DEPTH, "Depth");

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::Config;
    use crate::header::TypedHeader;
    use crate::header::strategy;
    use http::HeaderValue;
    use proptest::prelude::*;

    #[test]
    fn values() {
        for config in [Config::strict(), Config::lenient()] {
            for (s, d) in [
                ("0", Depth::Zero),
                ("1", Depth::One),
                ("infinity", Depth::Infinity),
            ] {
                let value = HeaderValue::from_static(s);
                assert_eq!(Depth::decode([&value].into_iter(), &config).unwrap(), d);
            }
        }
    }

    #[test]
    fn rejects() {
        use InvalidValue::*;
        assert_eq!("".parse::<Depth>(), Err(Empty));
        assert_eq!("2".parse::<Depth>(), Err(UnknownValue));
        assert_eq!("00".parse::<Depth>(), Err(UnknownValue));
        assert_eq!(
            "0,1".parse::<Depth>(),
            Err(UnexpectedByte {
                offset: 1,
                byte: b','
            })
        );
    }

    proptest! {
        #[test]
        fn round_trip(v in strategy::depth()) {
            strategy::assert_round_trip(&v);
        }
    }
}
