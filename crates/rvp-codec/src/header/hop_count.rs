//! `RVP-Hop-Count` (draft sections 6.6 and 8.2).

use std::fmt;
use std::num::NonZeroU8;

use super::InvalidValue;
use super::syntax::{self};

/// `RVP-Hop-Count`: how many hops, counting the sender of the NOTIFY, produced this
/// request. 1-based: `1` client to server, `2` server to server, `3` server to client.
///
/// Grammar: `1*DIGIT`, from 1 to 255 (`0` is [`InvalidValue::OutOfRange`]). The draft
/// also puts it on a response and sends `2` to a client callback (peers.md (d) 9, 10);
/// the value is read all the same, and where the field belongs is left to the message
/// layer.
///
/// ```
/// use rvp_codec::header::HopCount;
///
/// let h: HopCount = "1".parse()?;
/// assert_eq!(h, HopCount::CLIENT_TO_SERVER);
/// assert_eq!(h.next(), Some(HopCount::SERVER_TO_SERVER));
/// assert_eq!(HopCount::new(3), Some(HopCount::SERVER_TO_CLIENT));
/// assert!("0".parse::<HopCount>().is_err());
/// # Ok::<(), rvp_codec::header::InvalidValue>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HopCount(NonZeroU8);

impl HopCount {
    /// `1`: a client's own NOTIFY to its server.
    pub const CLIENT_TO_SERVER: Self = Self(NonZeroU8::MIN);
    /// `2`: a server forwarding to another server.
    pub const SERVER_TO_SERVER: Self = Self(NonZeroU8::MIN.saturating_add(1));
    /// `3`: a server delivering to a client's callback.
    pub const SERVER_TO_CLIENT: Self = Self(NonZeroU8::MIN.saturating_add(2));

    /// A hop count; `None` for 0.
    pub const fn new(n: u8) -> Option<Self> {
        match NonZeroU8::new(n) {
            Some(n) => Some(Self(n)),
            None => None,
        }
    }

    /// The count.
    pub const fn get(self) -> u8 {
        self.0.get()
    }

    /// The count for the next hop; `None` past 255.
    pub const fn next(self) -> Option<Self> {
        match self.0.checked_add(1) {
            Some(n) => Some(Self(n)),
            None => None,
        }
    }

    /// Parses a field value.
    pub fn from_bytes(s: &[u8]) -> Result<Self, InvalidValue> {
        let n = syntax::parse_decimal(s, 1, u64::from(u8::MAX))?;
        u8::try_from(n)
            .ok()
            .and_then(Self::new)
            .ok_or(InvalidValue::OutOfRange {
                min: 1,
                max: u64::from(u8::MAX),
            })
    }
}

impl fmt::Display for HopCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

single_field_header!(HopCount, super::RVP_HOP_COUNT, "RVP-Hop-Count");

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
    fn draft_values() {
        // 1 from librvp and the draft's IM NOTIFY; 2 on the draft's server-to-client
        // NOTIFY and 1 on its response (peers.md (d) 9, 10): all read in both modes.
        for config in [Config::strict(), Config::lenient()] {
            for (s, n) in [("1", 1), ("2", 2), ("3", 3), ("255", 255), ("01", 1)] {
                let value = HeaderValue::from_static(s);
                assert_eq!(
                    HopCount::decode([&value].into_iter(), &config)
                        .unwrap()
                        .get(),
                    n
                );
            }
        }
    }

    #[test]
    fn rejects() {
        use InvalidValue::*;
        let range = OutOfRange { min: 1, max: 255 };
        assert_eq!("0".parse::<HopCount>(), Err(range.clone()));
        assert_eq!("256".parse::<HopCount>(), Err(range));
        assert_eq!("".parse::<HopCount>(), Err(Empty));
        assert_eq!(
            "+1".parse::<HopCount>(),
            Err(UnexpectedByte {
                offset: 0,
                byte: b'+'
            })
        );
        assert_eq!(HopCount::new(255).and_then(HopCount::next), None);
    }

    proptest! {
        #[test]
        fn round_trip(v in strategy::hop_count()) {
            strategy::assert_round_trip(&v);
        }
    }
}
