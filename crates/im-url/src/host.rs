//! Hosts (names and IP literals) and authorities (`host[:port]`).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use crate::address::Domain;
use crate::error::UrlError;

/// The host of a URL: a DNS name or an IP literal (callback URLs such as
/// `http://10.10.1.98:1051` use addresses).
///
/// Names compare case-insensitively, addresses by value. A name that happens to resolve to
/// an address is **not** equal to that address (addressing draft).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Host {
    /// A DNS name.
    Name(Domain),
    /// An IPv4 literal.
    Ipv4(Ipv4Addr),
    /// An IPv6 literal (written `[...]` in URLs).
    Ipv6(Ipv6Addr),
}

impl Host {
    /// Parses a name, a dotted IPv4 address, or a bracketed IPv6 literal `[::1]`.
    ///
    /// # Errors
    /// [`UrlError::Host`], [`UrlError::BadIpv6`] or [`UrlError::MissingHost`].
    pub fn parse(s: &str) -> Result<Self, UrlError> {
        if s.is_empty() {
            return Err(UrlError::MissingHost);
        }
        if let Some(inner) = s.strip_prefix('[') {
            let inner = inner.strip_suffix(']').ok_or(UrlError::BadIpv6)?;
            return inner
                .parse::<Ipv6Addr>()
                .map(Host::Ipv6)
                .map_err(|_| UrlError::BadIpv6);
        }
        if let Ok(v4) = s.parse::<Ipv4Addr>() {
            return Ok(Host::Ipv4(v4));
        }
        Domain::new(s).map(Host::Name).map_err(UrlError::Host)
    }

    /// The name, if this host is one.
    pub fn as_domain(&self) -> Option<&Domain> {
        match self {
            Host::Name(d) => Some(d),
            _ => None,
        }
    }

    /// The address, if this host is an IP literal.
    pub fn ip(&self) -> Option<IpAddr> {
        match self {
            Host::Name(_) => None,
            Host::Ipv4(a) => Some(IpAddr::V4(*a)),
            Host::Ipv6(a) => Some(IpAddr::V6(*a)),
        }
    }
}

impl From<Domain> for Host {
    fn from(d: Domain) -> Self {
        Host::Name(d)
    }
}

impl From<IpAddr> for Host {
    fn from(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(a) => Host::Ipv4(a),
            IpAddr::V6(a) => Host::Ipv6(a),
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Name(d) => d.fmt(f),
            Host::Ipv4(a) => a.fmt(f),
            Host::Ipv6(a) => write!(f, "[{a}]"),
        }
    }
}

impl FromStr for Host {
    type Err = UrlError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// `host[:port]`: the authority of a node URL, and the value of a `Host` header.
///
/// The port is kept as written (`None` when absent). Whether an explicit default port
/// equals an absent one depends on the scheme, so [`NodeUrl`](crate::NodeUrl) decides
/// that; `Authority` itself compares the port literally and the host case-insensitively.
///
/// ```
/// use im_url::Authority;
/// let a: Authority = "im.example.com:18207".parse()?;
/// assert_eq!(a.host().to_string(), "im.example.com");
/// assert_eq!(a.port(), Some(18207));
/// assert_eq!(a.port_or(80), 18207);
/// # Ok::<(), im_url::UrlError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Authority {
    host: Host,
    port: Option<u16>,
}

impl Authority {
    /// An authority from its parts.
    pub fn new(host: impl Into<Host>, port: Option<u16>) -> Self {
        Self {
            host: host.into(),
            port,
        }
    }

    /// Parses `host`, `host:port`, `[v6]` or `[v6]:port`.
    ///
    /// # Errors
    /// [`UrlError`] for a bad host or port; userinfo (`user@`) is refused.
    pub fn parse(s: &str) -> Result<Self, UrlError> {
        if s.contains('@') {
            return Err(UrlError::UserInfo);
        }
        let (host, port) = if s.starts_with('[') {
            match s.find(']') {
                Some(end) => {
                    let (h, rest) = s.split_at(end + 1);
                    match rest {
                        "" => (h, None),
                        _ => (h, Some(rest.strip_prefix(':').ok_or(UrlError::BadIpv6)?)),
                    }
                }
                None => return Err(UrlError::BadIpv6),
            }
        } else {
            match s.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (s, None),
            }
        };
        let port = match port {
            None => None,
            Some(p) => Some(parse_port(p)?),
        };
        Ok(Self {
            host: Host::parse(host)?,
            port,
        })
    }

    /// The host.
    pub fn host(&self) -> &Host {
        &self.host
    }

    /// The port as written, if any.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The port, or `default` when none was written.
    pub fn port_or(&self, default: u16) -> u16 {
        self.port.unwrap_or(default)
    }

    /// The same authority without an explicit port when it equals `default`.
    #[must_use]
    pub fn without_default_port(&self, default: u16) -> Self {
        Self {
            host: self.host.clone(),
            port: self.port.filter(|&p| p != default),
        }
    }
}

fn parse_port(p: &str) -> Result<u16, UrlError> {
    if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
        return Err(UrlError::BadPort);
    }
    p.parse().map_err(|_| UrlError::BadPort)
}

impl fmt::Display for Authority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.host.fmt(f)?;
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        Ok(())
    }
}

impl FromStr for Authority {
    type Err = UrlError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl From<Host> for Authority {
    fn from(host: Host) -> Self {
        Self { host, port: None }
    }
}

impl From<Domain> for Authority {
    fn from(d: Domain) -> Self {
        Self {
            host: Host::Name(d),
            port: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(
            Host::parse("10.10.1.98").unwrap(),
            Host::Ipv4(Ipv4Addr::new(10, 10, 1, 98))
        );
        assert_eq!(
            Host::parse("[::1]").unwrap(),
            Host::Ipv6(Ipv6Addr::LOCALHOST)
        );
        assert_eq!(Host::parse("[::1").unwrap_err(), UrlError::BadIpv6);
        assert_eq!(Host::parse("[zz]").unwrap_err(), UrlError::BadIpv6);
        assert!(matches!(Host::parse("a b"), Err(UrlError::Host(_))));
        assert_eq!(
            Host::parse("IM.Adatum.com").unwrap(),
            Host::parse("im.adatum.com").unwrap()
        );
        assert_eq!(Host::parse("[::1]").unwrap().to_string(), "[::1]");
    }

    #[test]
    fn authorities() {
        let a = Authority::parse("[::1]:8080").unwrap();
        assert_eq!(a.port(), Some(8080));
        assert_eq!(a.to_string(), "[::1]:8080");
        assert_eq!(Authority::parse("h:").unwrap_err(), UrlError::BadPort);
        assert_eq!(Authority::parse("h:65536").unwrap_err(), UrlError::BadPort);
        assert_eq!(Authority::parse("h:+80").unwrap_err(), UrlError::BadPort);
        assert_eq!(Authority::parse("u@h").unwrap_err(), UrlError::UserInfo);
        assert_eq!(Authority::parse("[::1]x").unwrap_err(), UrlError::BadIpv6);
        assert_eq!(
            Authority::parse("h:80").unwrap().without_default_port(80),
            Authority::parse("h").unwrap()
        );
    }
}
