//! `RVP-From-Principal` (draft sections 6.7.2 and 8.2).

use std::fmt;

use http::uri::Authority;

use super::syntax::{self};
use super::{AbsoluteUrl, InvalidValue};

/// Longest server name accepted, in bytes (a DNS name is at most 253).
const MAX_SERVER_LEN: usize = 255;

/// `RVP-From-Principal`: where a request originates.
///
/// Typically the sender's logical URL (`http://im.acme.com/instmsg/aliases/bruceb`;
/// every request of librvp and Miranda carries its own). The draft also sends a bare
/// server name when a server notifies on its own behalf (`RVP-From-Principal:
/// im.example.com`, §6.6.1, peers.md (d) 9), and §6.7.2 lists such a presence-service
/// identifier as a valid principal identifier; it is accepted in every configuration as
/// [`FromPrincipal::Server`]. A value with `://` is read as a URL, anything else as a
/// server name (`host[:port]`, no user-info).
///
/// ```
/// use rvp_codec::header::FromPrincipal;
///
/// let p: FromPrincipal = "http://im.acme.com/instmsg/aliases/bruceb".parse()?;
/// assert!(matches!(&p, FromPrincipal::Url(u) if u.host() == "im.acme.com"));
///
/// let s: FromPrincipal = "im.example.com".parse()?;
/// assert!(matches!(&s, FromPrincipal::Server(a) if a.host() == "im.example.com"));
/// assert_eq!(s.to_string(), "im.example.com");
/// # Ok::<(), rvp_codec::header::InvalidValue>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FromPrincipal {
    /// A principal's URL.
    Url(AbsoluteUrl),
    /// A server (presence service) name, with an optional port.
    Server(Authority),
}

impl FromPrincipal {
    /// Parses a field value.
    pub fn from_bytes(s: &[u8]) -> Result<Self, InvalidValue> {
        // The usual value starts with `http://` or `https://`; anything with a `://`
        // is read as a URL.
        let url = super::url::http_scheme_len(s).is_some()
            || memchr::memchr_iter(b':', s).any(|i| s.get(i + 1..i + 3) == Some(b"//"));
        if url {
            return AbsoluteUrl::from_bytes(s).map(FromPrincipal::Url);
        }
        if s.is_empty() {
            return Err(InvalidValue::Empty);
        }
        if s.len() > MAX_SERVER_LEN {
            return Err(InvalidValue::TooLong {
                len: s.len(),
                max: MAX_SERVER_LEN,
            });
        }
        if let Some(offset) = s.iter().position(|&b| !b.is_ascii_graphic()) {
            return Err(syntax::unexpected(s, offset));
        }
        if let Some(offset) = s
            .iter()
            .position(|&b| matches!(b, b'@' | b'/' | b'?' | b'#'))
        {
            return Err(syntax::unexpected(s, offset));
        }
        let authority = Authority::try_from(s).map_err(|_| InvalidValue::InvalidHost)?;
        if authority.host().is_empty() || !super::url::valid_port(&authority) {
            return Err(InvalidValue::InvalidHost);
        }
        Ok(FromPrincipal::Server(authority))
    }

    /// The value as written.
    pub fn as_str(&self) -> &str {
        match self {
            FromPrincipal::Url(u) => u.as_str(),
            FromPrincipal::Server(a) => a.as_str(),
        }
    }

    /// The URL, when the principal is one.
    pub fn url(&self) -> Option<&AbsoluteUrl> {
        match self {
            FromPrincipal::Url(u) => Some(u),
            FromPrincipal::Server(_) => None,
        }
    }
}

impl From<AbsoluteUrl> for FromPrincipal {
    fn from(url: AbsoluteUrl) -> Self {
        FromPrincipal::Url(url)
    }
}

impl fmt::Display for FromPrincipal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

single_field_header!(
    FromPrincipal,
    super::RVP_FROM_PRINCIPAL,
    "RVP-From-Principal"
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

    fn decode(s: &'static str, config: &Config) -> Result<FromPrincipal, HeaderError> {
        let value = HeaderValue::from_static(s);
        FromPrincipal::decode([&value].into_iter(), config)
    }

    #[test]
    fn urls_from_peers_and_draft() {
        for config in [Config::strict(), Config::lenient()] {
            for s in [
                "http://example.com/instmsg/aliases/alice",
                "http://im.example.com:18207/instmsg/aliases/alice",
                "http://im.acme.com/instmsg/aliases/bruceb",
                "http://shipper.com/instmsg/aliases/bruceb",
            ] {
                let p = decode(s, &config).unwrap();
                assert_eq!(p.url().map(AbsoluteUrl::as_str), Some(s));
            }
        }
    }

    #[test]
    fn draft_server_name_accepted_in_both_modes() {
        // peers.md (d) 9: "RVP-From-Principal: im.example.com" (draft §6.6.1); §6.7.2
        // allows a presence-service identifier, also with a trailing dot.
        for config in [Config::strict(), Config::lenient()] {
            for s in ["im.example.com", "im.acme.com.", "128.1.1.11:80"] {
                let p = decode(s, &config).unwrap();
                assert!(matches!(&p, FromPrincipal::Server(_)), "{s}");
                assert_eq!(p.as_str(), s);
            }
        }
    }

    #[test]
    fn rejects() {
        use InvalidValue::*;
        for (s, e) in [
            ("", Empty),
            (
                "/instmsg/aliases/bob",
                UnexpectedByte {
                    offset: 0,
                    byte: b'/',
                },
            ),
            (
                "bob@example.com",
                UnexpectedByte {
                    offset: 3,
                    byte: b'@',
                },
            ),
            (
                "im example com",
                UnexpectedByte {
                    offset: 2,
                    byte: b' ',
                },
            ),
            (
                "http:/im.example.com",
                UnexpectedByte {
                    offset: 5,
                    byte: b'/',
                },
            ),
            ("ftp://im.example.com/", UnsupportedScheme),
            ("im.example.com:http", InvalidHost),
            (":80", InvalidHost),
        ] {
            assert_eq!(s.parse::<FromPrincipal>(), Err(e), "{s:?}");
        }
    }

    proptest! {
        #[test]
        fn round_trip(v in strategy::from_principal()) {
            strategy::assert_round_trip(&v);
        }
    }
}
