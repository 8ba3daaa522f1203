//! `RVP-Notifications-Version` (draft section 8.2).

use std::fmt;

use super::InvalidValue;
use super::syntax::{self};

/// `RVP-Notifications-Version`: the version of the notifications protocol, which the
/// draft requires on every request and response.
///
/// Grammar: `1*DIGIT "." 1*DIGIT`, each number at most 65535. The draft's examples say
/// `1.0`; Miranda and librvp send `0.2` on every message (peers.md (e)), and a server
/// answers with the version the client used. Both are constants.
///
/// ```
/// use rvp_codec::header::NotificationsVersion;
///
/// let v: NotificationsVersion = "0.2".parse()?;
/// assert_eq!(v, NotificationsVersion::V0_2);
/// assert_eq!(NotificationsVersion::V1_0.to_string(), "1.0");
/// assert!("1".parse::<NotificationsVersion>().is_err());
/// # Ok::<(), rvp_codec::header::InvalidValue>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NotificationsVersion {
    /// The major version.
    pub major: u16,
    /// The minor version.
    pub minor: u16,
}

impl NotificationsVersion {
    /// `0.2`, what the real clients (Miranda, librvp, and so likely Windows Messenger)
    /// send.
    pub const V0_2: Self = Self::new(0, 2);
    /// `1.0`, what the draft's examples show.
    pub const V1_0: Self = Self::new(1, 0);

    /// A version from its two numbers.
    pub const fn new(major: u16, minor: u16) -> Self {
        Self { major, minor }
    }

    /// Parses a field value.
    pub fn from_bytes(s: &[u8]) -> Result<Self, InvalidValue> {
        // The usual value (`0.2`, `1.0`): a digit, a dot and a digit.
        if let [major @ b'0'..=b'9', b'.', minor @ b'0'..=b'9'] = *s {
            return Ok(Self::new(u16::from(major - b'0'), u16::from(minor - b'0')));
        }
        if s.is_empty() {
            return Err(InvalidValue::Empty);
        }
        let dot = match s.iter().position(|&b| b == b'.') {
            Some(dot) => dot,
            None => {
                // Report the first non-digit, or the missing ".minor".
                let offset = s
                    .iter()
                    .position(|b| !b.is_ascii_digit())
                    .unwrap_or(s.len());
                return Err(syntax::unexpected(s, offset));
            }
        };
        let (major, minor) = (&s[..dot], &s[dot + 1..]);
        let max = u64::from(u16::MAX);
        let number = |part: &[u8], base: usize| match syntax::parse_decimal(part, 0, max) {
            Ok(n) => Ok(u16::try_from(n).unwrap_or(u16::MAX)),
            Err(InvalidValue::Empty) => Err(syntax::unexpected(s, base)),
            Err(InvalidValue::UnexpectedByte { offset, byte }) => {
                Err(InvalidValue::UnexpectedByte {
                    offset: base + offset,
                    byte,
                })
            }
            Err(e) => Err(e),
        };
        Ok(Self {
            major: number(major, 0)?,
            minor: number(minor, dot + 1)?,
        })
    }
}

impl fmt::Display for NotificationsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

single_field_header!(
    NotificationsVersion,
    super::RVP_NOTIFICATIONS_VERSION,
    "RVP-Notifications-Version"
);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::Config;
    use crate::HeaderError;
    use crate::header::TypedHeader;
    use crate::header::strategy;
    use http::HeaderValue;
    use proptest::prelude::*;

    #[test]
    fn peers_and_draft() {
        // Miranda and librvp; the draft's examples (peers.md (d) 19), in both modes.
        for config in [Config::strict(), Config::lenient()] {
            for (s, v) in [
                ("0.2", NotificationsVersion::V0_2),
                ("1.0", NotificationsVersion::V1_0),
            ] {
                let value = HeaderValue::from_static(s);
                let got = NotificationsVersion::decode([&value].into_iter(), &config).unwrap();
                assert_eq!(got, v);
            }
        }
    }

    #[test]
    fn rejects() {
        use InvalidValue::*;
        for (s, e) in [
            ("", Empty),
            ("1", UnexpectedEnd { offset: 1 }),
            ("1.", UnexpectedEnd { offset: 2 }),
            (
                ".2",
                UnexpectedByte {
                    offset: 0,
                    byte: b'.',
                },
            ),
            (
                "1.0.1",
                UnexpectedByte {
                    offset: 3,
                    byte: b'.',
                },
            ),
            (
                "v1.0",
                UnexpectedByte {
                    offset: 0,
                    byte: b'v',
                },
            ),
            (
                "1.0 ",
                UnexpectedByte {
                    offset: 3,
                    byte: b' ',
                },
            ),
            ("65536.0", OutOfRange { min: 0, max: 65535 }),
        ] {
            assert_eq!(s.parse::<NotificationsVersion>(), Err(e), "{s:?}");
        }
        let a = HeaderValue::from_static("0.2");
        assert_eq!(
            NotificationsVersion::decode([&a, &a].into_iter(), &Config::lenient()),
            Err(HeaderError::Repeated {
                name: "RVP-Notifications-Version"
            })
        );
    }

    proptest! {
        #[test]
        fn round_trip(v in strategy::notifications_version()) {
            strategy::assert_round_trip(&v);
        }

        #[test]
        fn never_panics(s in proptest::collection::vec(any::<u8>(), 0..12)) {
            let _ = NotificationsVersion::from_bytes(&s);
        }
    }

    /// Three-byte values: every byte at each place, the other two from digits, `.` and
    /// the bytes next to the digits' range. The one-digit fast path gives what the
    /// general parse does (checked here by its rule: a digit, a dot, a digit).
    #[test]
    fn three_byte_values() {
        let others = b"0159./:";
        for place in 0..3 {
            for byte in 0..=u8::MAX {
                for &x in others {
                    for &y in others {
                        let mut rest = [x, y].into_iter();
                        let s: [u8; 3] = std::array::from_fn(|i| {
                            if i == place {
                                byte
                            } else {
                                rest.next().unwrap_or(x)
                            }
                        });
                        let expected = match s {
                            [a, b'.', c] if a.is_ascii_digit() && c.is_ascii_digit() => Some(
                                NotificationsVersion::new(u16::from(a - b'0'), u16::from(c - b'0')),
                            ),
                            _ => None,
                        };
                        assert_eq!(NotificationsVersion::from_bytes(&s).ok(), expected, "{s:?}");
                    }
                }
            }
        }
    }
}
