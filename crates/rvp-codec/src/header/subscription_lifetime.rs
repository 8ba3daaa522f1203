//! `Subscription-Lifetime` (draft sections 6.1.2 and 8.2).

use std::fmt;
use std::time::Duration;

use super::InvalidValue;
use super::syntax::{self};

/// `Subscription-Lifetime`: in a SUBSCRIBE, the lease asked for; in the answer, the
/// lease granted (a server may shorten it). In seconds.
///
/// Grammar: `1*DIGIT`, at most `u32::MAX` (about 136 years). Clients ask for `14400`
/// (the draft, Miranda) or `14000` (librvp). The draft reads an answer without this
/// field as a permanent subscription, which Exchange refuses; that is the message
/// layer's concern.
///
/// ```
/// use std::time::Duration;
/// use rvp_codec::header::SubscriptionLifetime;
///
/// let l: SubscriptionLifetime = "14400".parse()?;
/// assert_eq!(l.as_duration(), Duration::from_secs(4 * 3600));
/// assert_eq!(SubscriptionLifetime::from_secs(14000).to_string(), "14000");
/// assert!("-1".parse::<SubscriptionLifetime>().is_err());
/// # Ok::<(), rvp_codec::header::InvalidValue>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubscriptionLifetime(u32);

impl SubscriptionLifetime {
    /// A lifetime of `secs` seconds.
    pub const fn from_secs(secs: u32) -> Self {
        Self(secs)
    }

    /// A lifetime from a duration, rounded down to whole seconds and capped at
    /// `u32::MAX` seconds.
    pub fn from_duration(d: Duration) -> Self {
        Self(u32::try_from(d.as_secs()).unwrap_or(u32::MAX))
    }

    /// The lifetime in seconds.
    pub const fn as_secs(self) -> u32 {
        self.0
    }

    /// The lifetime as a duration.
    pub const fn as_duration(self) -> Duration {
        Duration::from_secs(self.0 as u64)
    }

    /// Parses a field value.
    pub fn from_bytes(s: &[u8]) -> Result<Self, InvalidValue> {
        let n = syntax::parse_decimal(s, 0, u64::from(u32::MAX))?;
        Ok(Self(u32::try_from(n).unwrap_or(u32::MAX)))
    }
}

impl From<SubscriptionLifetime> for Duration {
    fn from(l: SubscriptionLifetime) -> Self {
        l.as_duration()
    }
}

impl fmt::Display for SubscriptionLifetime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

single_field_header!(
    SubscriptionLifetime,
    super::SUBSCRIPTION_LIFETIME,
    "Subscription-Lifetime"
);

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
    fn peer_values() {
        for config in [Config::strict(), Config::lenient()] {
            for (s, n) in [("14400", 14400), ("14000", 14000), ("0", 0), ("30", 30)] {
                let value = HeaderValue::from_static(s);
                let l = SubscriptionLifetime::decode([&value].into_iter(), &config).unwrap();
                assert_eq!(l.as_secs(), n);
            }
        }
    }

    #[test]
    fn rejects() {
        use InvalidValue::*;
        for (s, e) in [
            ("", Empty),
            (
                "-1",
                UnexpectedByte {
                    offset: 0,
                    byte: b'-',
                },
            ),
            (
                "1.5",
                UnexpectedByte {
                    offset: 1,
                    byte: b'.',
                },
            ),
            (
                "4294967296",
                OutOfRange {
                    min: 0,
                    max: 4294967295,
                },
            ),
            (
                "14400 seconds",
                UnexpectedByte {
                    offset: 5,
                    byte: b' ',
                },
            ),
        ] {
            assert_eq!(s.parse::<SubscriptionLifetime>(), Err(e), "{s:?}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(
            SubscriptionLifetime::from_duration(Duration::from_millis(1500)).as_secs(),
            1
        );
        assert_eq!(
            SubscriptionLifetime::from_duration(Duration::MAX).as_secs(),
            u32::MAX
        );
    }

    proptest! {
        #[test]
        fn round_trip(v in strategy::subscription_lifetime()) {
            strategy::assert_round_trip(&v);
        }
    }
}
