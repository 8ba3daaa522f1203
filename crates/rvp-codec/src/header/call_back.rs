//! `Call-Back` (draft sections 6.1.4 and 8.2).

use std::fmt;

use super::{AbsoluteUrl, InvalidValue};

/// `Call-Back`: where the notifications of a new subscription go.
///
/// An [`AbsoluteUrl`]: either the client's own listener (`http://10.10.1.98:1051`,
/// librvp's `http://127.0.0.1:34635`, no path) for the login subscription, or the
/// subscriber's logical URL (`http://im.acme.com/instmsg/aliases/bruceb`) for property
/// subscriptions, so that notifications are routed through its home server. The text
/// is kept exactly as received. The draft's prose writes `http:// 198.176.154.132:1234`
/// with a space (§6.1.4); that is rejected in every configuration: it is not a URL,
/// and guessing a callback address is unsafe.
///
/// ```
/// use rvp_codec::header::CallBack;
///
/// let cb: CallBack = "http://10.10.1.98:1051".parse()?;
/// assert_eq!(cb.url().port(), Some(1051));
/// assert_eq!(cb.to_string(), "http://10.10.1.98:1051");
/// assert!("10.10.1.98:1051".parse::<CallBack>().is_err());
/// # Ok::<(), rvp_codec::header::InvalidValue>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CallBack(pub AbsoluteUrl);

impl CallBack {
    /// The URL.
    pub fn url(&self) -> &AbsoluteUrl {
        &self.0
    }

    /// Parses a field value.
    #[inline]
    pub fn from_bytes(s: &[u8]) -> Result<Self, InvalidValue> {
        AbsoluteUrl::from_bytes(s).map(Self)
    }
}

impl From<AbsoluteUrl> for CallBack {
    fn from(url: AbsoluteUrl) -> Self {
        Self(url)
    }
}

impl fmt::Display for CallBack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

single_field_header!(CallBack, super::CALL_BACK, "Call-Back");

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
    fn peer_and_draft_values() {
        for config in [Config::strict(), Config::lenient()] {
            for s in [
                "http://10.10.1.98:1051",
                "http://127.0.0.1:34635",
                "http://example.com/instmsg/aliases/alice",
                "http://198.176.154.132:1234",
                "http://im.acme.com/instmsg/aliases/bruceb",
                "http://shipper.com:5150/",
            ] {
                let value = HeaderValue::from_static(s);
                let cb = CallBack::decode([&value].into_iter(), &config).unwrap();
                assert_eq!(cb.url().as_str(), s);
                let mut out = Vec::new();
                cb.encode(&mut out);
                assert_eq!(out, [value]);
            }
        }
    }

    #[test]
    fn draft_prose_with_space_is_rejected_in_both_modes() {
        // Draft §6.1.4: "the Call-Back of http:// 198.176.154.132:1234".
        let value = HeaderValue::from_static("http:// 198.176.154.132:1234");
        for config in [Config::strict(), Config::lenient()] {
            assert_eq!(
                CallBack::decode([&value].into_iter(), &config),
                Err(HeaderError::Invalid {
                    name: "Call-Back",
                    reason: InvalidValue::UnexpectedByte {
                        offset: 7,
                        byte: b' '
                    },
                })
            );
        }
    }

    proptest! {
        #[test]
        fn round_trip(v in strategy::call_back()) {
            strategy::assert_round_trip(&v);
        }
    }
}
