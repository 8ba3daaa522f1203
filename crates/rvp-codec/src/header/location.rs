//! `Location` (RFC 9110 section 10.2.2), as RVP routers send it with `302`.

use std::fmt;

use http::header;

use super::{AbsoluteUrl, InvalidValue};

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

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

single_field_header!(Location, header::LOCATION, "Location");

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
