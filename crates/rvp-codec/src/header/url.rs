//! Absolute `http`/`https` URLs, as `Call-Back`, `RVP-From-Principal` and `Location`
//! carry them.

use std::fmt;
use std::str::FromStr;

use http::Uri;

use super::InvalidValue;

/// Longest URL accepted, in bytes. Real RVP URLs are under 100 bytes.
const MAX_URL_LEN: usize = 2048;

/// An absolute URL with scheme `http` or `https` and a host, without user-info or
/// fragment: the form of principal URLs (`http://im.acme.com/instmsg/aliases/bruceb`)
/// and of client callbacks (`http://10.10.1.98:1051`).
///
/// The text is kept exactly as received and written back unchanged (librvp's
/// `http://127.0.0.1:34635` has no trailing `/`, and stays so); [`uri`](Self::uri) gives
/// the parsed form. Two URLs are equal when their texts are.
///
/// ```
/// use rvp_codec::header::AbsoluteUrl;
///
/// let url: AbsoluteUrl = "http://10.10.1.98:1051".parse()?;
/// assert_eq!(url.as_str(), "http://10.10.1.98:1051");
/// assert_eq!(url.host(), "10.10.1.98");
/// assert_eq!(url.port(), Some(1051));
/// assert_eq!(url.uri().path(), "/");
///
/// assert!("im.example.com".parse::<AbsoluteUrl>().is_err());
/// assert!("ftp://example.com/".parse::<AbsoluteUrl>().is_err());
/// # Ok::<(), rvp_codec::header::InvalidValue>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AbsoluteUrl {
    text: Box<str>,
    uri: Uri,
}

impl AbsoluteUrl {
    /// Parses and validates a URL.
    pub fn from_bytes(s: &[u8]) -> Result<Self, InvalidValue> {
        if s.is_empty() {
            return Err(InvalidValue::Empty);
        }
        if s.len() > MAX_URL_LEN {
            return Err(InvalidValue::TooLong {
                len: s.len(),
                max: MAX_URL_LEN,
            });
        }
        if let Some(offset) = s.iter().position(|&b| !b.is_ascii_graphic()) {
            return Err(super::syntax::unexpected(s, offset));
        }
        if s.contains(&b'#') {
            return Err(InvalidValue::NotAbsoluteUrl);
        }
        let uri = Uri::try_from(s).map_err(|_| InvalidValue::NotAbsoluteUrl)?;
        let scheme = uri.scheme_str().ok_or(InvalidValue::NotAbsoluteUrl)?;
        if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
            return Err(InvalidValue::UnsupportedScheme);
        }
        let authority = uri.authority().ok_or(InvalidValue::NotAbsoluteUrl)?;
        if !plain_authority(authority.as_str().as_bytes()) {
            return Err(InvalidValue::NotAbsoluteUrl);
        }
        // Checked above: every byte is visible ASCII.
        let text = std::str::from_utf8(s)
            .map_err(|e| InvalidValue::NotUtf8 {
                offset: e.valid_up_to(),
            })?
            .into();
        Ok(Self { text, uri })
    }

    /// The URL as received.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The parsed URL.
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    /// The host: a DNS name, an IPv4 address, or an IPv6 address in brackets.
    pub fn host(&self) -> &str {
        self.uri.host().unwrap_or_default()
    }

    /// The explicit port, if any.
    pub fn port(&self) -> Option<u16> {
        self.uri.port_u16()
    }

    /// Whether the scheme is `https`.
    pub fn is_https(&self) -> bool {
        self.uri
            .scheme_str()
            .is_some_and(|s| s.eq_ignore_ascii_case("https"))
    }
}

/// Whether an authority has no port, or a port that is a number up to 65535 (`http`
/// drops a port it cannot read instead of failing).
pub(crate) fn valid_port(authority: &http::uri::Authority) -> bool {
    let has_port_text = authority.as_str().len() > authority.host().len();
    !has_port_text || authority.port_u16().is_some()
}

/// Whether an authority (as `http` parsed it) has no user-info, a non-empty host and, if
/// a port is written, a valid one: the checks of [`valid_port`] plus the `@` and empty
/// host checks, in one pass over the bytes instead of `http`'s splitting.
fn plain_authority(a: &[u8]) -> bool {
    if a.is_empty() || memchr::memchr(b'@', a).is_some() {
        return false;
    }
    let host_end = if a[0] == b'[' {
        match memchr::memchr(b']', a) {
            Some(close) => close + 1,
            None => return false,
        }
    } else {
        memchr::memrchr(b':', a).unwrap_or(a.len())
    };
    if host_end == 0 {
        return false;
    }
    match &a[host_end..] {
        [] => true,
        [b':', digits @ ..] => {
            !digits.is_empty()
                && digits.len() <= 5
                && digits.iter().all(u8::is_ascii_digit)
                && digits
                    .iter()
                    .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))
                    <= u32::from(u16::MAX)
        }
        _ => false,
    }
}

impl FromStr for AbsoluteUrl {
    type Err = InvalidValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_bytes(s.as_bytes())
    }
}

impl TryFrom<Uri> for AbsoluteUrl {
    type Error = InvalidValue;

    fn try_from(uri: Uri) -> Result<Self, Self::Error> {
        Self::from_bytes(uri.to_string().as_bytes())
    }
}

impl fmt::Debug for AbsoluteUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.text, f)
    }
}

impl fmt::Display for AbsoluteUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    #[test]
    fn plain_authority_agrees_with_http() {
        for a in [
            "a",
            "a:80",
            "a:",
            "a:65535",
            "a:65536",
            "a:0",
            "[::1]",
            "[::1]:80",
            "[::1]:",
            "127.0.0.1:34635",
            "im.example.com",
            "u@h",
            "u:p@h:1",
            "h:8x",
            "h:123456",
        ] {
            let Ok(auth) = a.parse::<http::uri::Authority>() else {
                continue;
            };
            let old =
                !auth.as_str().contains('@') && !auth.host().is_empty() && super::valid_port(&auth);
            assert_eq!(super::plain_authority(a.as_bytes()), old, "{a}");
        }
    }

    use super::*;

    #[test]
    fn accepts_peer_urls() {
        for s in [
            "http://10.10.1.98:1051",
            "http://127.0.0.1:34635",
            "http://im.acme.com/instmsg/aliases/bruceb",
            "http://shipper.com:5150/",
            "http://imhome1.domain2.com/instmsg/local/im.domain2.com/instmsg/aliases/kevinf",
            "https://im.example.com:18207/instmsg/aliases/alice",
            "HTTP://IM.EXAMPLE.COM/x?y=1",
            "http://[::1]:8080/",
        ] {
            let url: AbsoluteUrl = s.parse().unwrap();
            assert_eq!(url.as_str(), s);
            assert_eq!(url.to_string(), s);
        }
    }

    #[test]
    fn rejects() {
        use InvalidValue::*;
        for (s, e) in [
            ("", Empty),
            ("im.example.com", NotAbsoluteUrl),
            ("/instmsg/aliases/bob", NotAbsoluteUrl),
            (
                "http:// 198.176.154.132:1234",
                UnexpectedByte {
                    offset: 7,
                    byte: b' ',
                },
            ),
            ("http://a.com/#frag", NotAbsoluteUrl),
            ("http://user@a.com/", NotAbsoluteUrl),
            ("http://a.com:99999/", NotAbsoluteUrl),
            ("ftp://a.com/", UnsupportedScheme),
            ("mailto:bob@example.com", NotAbsoluteUrl),
            (
                "http://a.com/caf\u{e9}",
                UnexpectedByte {
                    offset: 16,
                    byte: 0xc3,
                },
            ),
        ] {
            assert_eq!(s.parse::<AbsoluteUrl>(), Err(e), "{s}");
        }
        let long = format!("http://a.com/{}", "x".repeat(MAX_URL_LEN));
        assert!(matches!(long.parse::<AbsoluteUrl>(), Err(TooLong { .. })));
    }

    #[test]
    fn from_uri() {
        let u: Uri = "http://a.com".parse().unwrap();
        assert_eq!(AbsoluteUrl::try_from(u).unwrap().as_str(), "http://a.com/");
    }
}
