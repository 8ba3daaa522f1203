//! `Subscription-Id` (draft sections 6.1.1 and 8.2).

use std::fmt;

use super::InvalidValue;
use super::syntax::{self};

/// Longest subscription id accepted, in bytes.
const MAX_LEN: usize = 64;

/// `Subscription-Id`: the id a presence service gives a subscription, quoted back in
/// renewals, UNSUBSCRIBE and NOTIFY.
///
/// An opaque token (RFC 9110 `token`, 1 to 64 bytes), compared exactly. The draft calls
/// it "a number" (§6.1.1) but its own example is `9A504` (§6.6.1, peers.md (d) 10), and
/// Miranda keeps it as a string; librvp writes it with `%d`. Examples: `98210`, `79`,
/// `1234`, `9A504`, `1003`. A server minting ids can use [`From<u64>`].
///
/// ```
/// use rvp_codec::header::SubscriptionId;
///
/// let id: SubscriptionId = "9A504".parse()?;
/// assert_eq!(id.as_str(), "9A504");
/// assert_eq!(id.to_u64(), None);
/// assert_eq!(SubscriptionId::from(98210).to_string(), "98210");
/// assert_eq!(SubscriptionId::from(1003).to_u64(), Some(1003));
/// assert!("98 210".parse::<SubscriptionId>().is_err());
/// # Ok::<(), rvp_codec::header::InvalidValue>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubscriptionId(Box<str>);

impl SubscriptionId {
    /// The longest id accepted, in bytes.
    pub const MAX_LEN: usize = MAX_LEN;

    /// Parses a field value.
    pub fn from_bytes(s: &[u8]) -> Result<Self, InvalidValue> {
        if s.len() > MAX_LEN {
            return Err(InvalidValue::TooLong {
                len: s.len(),
                max: MAX_LEN,
            });
        }
        syntax::check_token(s)?;
        let s = std::str::from_utf8(s).map_err(|e| InvalidValue::NotUtf8 {
            offset: e.valid_up_to(),
        })?;
        Ok(Self(s.into()))
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id as a number, when it is one (all digits, fitting in a `u64`).
    pub fn to_u64(&self) -> Option<u64> {
        syntax::parse_decimal(self.0.as_bytes(), 0, u64::MAX).ok()
    }
}

impl From<u64> for SubscriptionId {
    fn from(n: u64) -> Self {
        Self(n.to_string().into())
    }
}

impl fmt::Debug for SubscriptionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for SubscriptionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

single_field_header!(SubscriptionId, super::SUBSCRIPTION_ID, "Subscription-Id");

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
    fn draft_and_peer_ids() {
        // Draft examples, including the non-numeric 9A504 (peers.md (d) 10), and
        // librvp's 1002/1003: accepted in both modes.
        for config in [Config::strict(), Config::lenient()] {
            for s in [
                "98210", "79", "1234", "456", "6656", "9A504", "1002", "1003",
            ] {
                let value = HeaderValue::from_str(s).unwrap();
                let id = SubscriptionId::decode([&value].into_iter(), &config).unwrap();
                assert_eq!(id.as_str(), s);
            }
        }
    }

    #[test]
    fn rejects() {
        use InvalidValue::*;
        assert_eq!("".parse::<SubscriptionId>(), Err(Empty));
        assert_eq!(
            "98 210".parse::<SubscriptionId>(),
            Err(UnexpectedByte {
                offset: 2,
                byte: b' '
            })
        );
        assert_eq!(
            "{abc}".parse::<SubscriptionId>(),
            Err(UnexpectedByte {
                offset: 0,
                byte: b'{'
            })
        );
        assert_eq!(
            "1".repeat(65).parse::<SubscriptionId>(),
            Err(TooLong { len: 65, max: 64 })
        );
        assert_eq!(
            SubscriptionId::decode([].into_iter(), &Config::strict()),
            Err(HeaderError::Missing {
                name: "Subscription-Id"
            })
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(SubscriptionId::from(0).as_str(), "0");
        assert_eq!(SubscriptionId::from(u64::MAX).to_u64(), Some(u64::MAX));
        assert_eq!("007".parse::<SubscriptionId>().unwrap().to_u64(), Some(7));
    }

    proptest! {
        #[test]
        fn round_trip(v in strategy::subscription_id()) {
            strategy::assert_round_trip(&v);
        }

        #[test]
        fn never_panics(s in proptest::collection::vec(any::<u8>(), 0..80)) {
            let _ = SubscriptionId::from_bytes(&s);
        }
    }
}
