//! `Location` (RFC 9110 section 10.2.2), as RVP routers send it with `302`.

use std::fmt;
use std::str::FromStr;

use http::{HeaderName, HeaderValue, header};

use super::syntax::{self, header_value};
use super::{AbsoluteUrl, HeaderError, InvalidValue, TypedHeader};
use crate::Config;

/// `Location`: where a router sends a client with `302 Object moved`, the physical URL of
/// the principal on its home server
/// (`http://imhome1.domain2.com/instmsg/local/im.domain2.com/instmsg/aliases/kevinf`).
///
/// An [`AbsoluteUrl`]. RFC 9110 also allows a relative reference, but an RVP redirect
/// moves the request to another server, and librvp reconnects to the host of the
/// `Location`; a relative reference is therefore rejected
/// ([`InvalidValue::NotAbsoluteUrl`]).
///
/// ```
/// use rvp_codec::header::Location;
///
/// let l: Location = "http://other.example.net:18215/instmsg/aliases/alice".parse()?;
/// assert_eq!(l.url().host(), "other.example.net");
/// assert_eq!(l.url().uri().path(), "/instmsg/aliases/alice");
/// # Ok::<(), rvp_codec::header::InvalidValue>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Location(pub AbsoluteUrl);

impl Location {
    /// The URL.
    pub fn url(&self) -> &AbsoluteUrl {
        &self.0
    }

    /// Parses a field value.
    pub fn from_bytes(s: &[u8]) -> Result<Self, InvalidValue> {
        AbsoluteUrl::from_bytes(s).map(Self)
    }
}

impl From<AbsoluteUrl> for Location {
    fn from(url: AbsoluteUrl) -> Self {
        Self(url)
    }
}

impl FromStr for Location {
    type Err = InvalidValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_bytes(s.as_bytes())
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl TypedHeader for Location {
    const NAME: HeaderName = header::LOCATION;
    const TITLE: &'static str = "Location";

    fn decode<'a, I>(values: I, _config: &Config) -> Result<Self, HeaderError>
    where
        I: Iterator<Item = &'a HeaderValue>,
    {
        let value = syntax::required(values, Self::TITLE)?;
        Self::from_bytes(value.as_bytes()).map_err(|reason| HeaderError::Invalid {
            name: Self::TITLE,
            reason,
        })
    }

    fn encode<E: Extend<HeaderValue>>(&self, values: &mut E) {
        values.extend([header_value(self.0.as_str().to_owned())]);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::header::strategy;
    use proptest::prelude::*;

    #[test]
    fn redirect_targets() {
        for config in [Config::strict(), Config::lenient()] {
            for s in [
                "http://other.example.net:18215/instmsg/aliases/alice",
                "http://imhome1.domain2.com/instmsg/local/im.domain2.com/instmsg/aliases/kevinf",
                "http://hurricane/instmsg/aliases/bob",
            ] {
                let value = HeaderValue::from_static(s);
                let l = Location::decode([&value].into_iter(), &config).unwrap();
                assert_eq!(l.url().as_str(), s);
            }
        }
    }

    #[test]
    fn rejects() {
        assert_eq!(
            "/instmsg/aliases/alice".parse::<Location>(),
            Err(InvalidValue::NotAbsoluteUrl)
        );
        let a = HeaderValue::from_static("http://a.example/");
        assert_eq!(
            Location::decode([&a, &a].into_iter(), &Config::strict()),
            Err(HeaderError::Repeated { name: "Location" })
        );
    }

    proptest! {
        #[test]
        fn round_trip(v in strategy::location()) {
            strategy::assert_round_trip(&v);
        }
    }
}
