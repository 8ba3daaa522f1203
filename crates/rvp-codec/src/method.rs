//! Request methods: RVP's own, the HTTP and WebDAV methods RVP servers must refuse, and
//! any other token as an extension.

use std::fmt;
use std::str::FromStr;

/// A request method.
///
/// The RVP methods, and the HTTP/WebDAV methods a server has to answer with `501` or
/// `405` (draft section 6.8), are associated constants; any other token is an extension
/// method, kept so that a server can answer it itself. Methods are case-sensitive
/// (`subscribe` is an extension method, not [`Method::SUBSCRIBE`]).
///
/// ```
/// use rvp_codec::Method;
///
/// let m: Method = "SUBSCRIBE".parse()?;
/// assert_eq!(m, Method::SUBSCRIBE);
/// assert!(m.is_rvp());
///
/// let x: Method = "BIND".parse()?;
/// assert!(x.is_extension());
/// assert_eq!(x.as_str(), "BIND");
/// # Ok::<(), rvp_codec::InvalidMethod>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Method(Inner);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Inner {
    Subscribe,
    Unsubscribe,
    Subscriptions,
    Propfind,
    Proppatch,
    Notify,
    Acl,
    Poll,
    Get,
    Head,
    Post,
    Put,
    Delete,
    Options,
    Copy,
    Move,
    Lock,
    Unlock,
    Extension(Box<str>),
}

/// Longest method token accepted; no method in use is longer than 13 bytes.
const MAX_METHOD_LEN: usize = 32;

impl Method {
    /// `SUBSCRIBE`: create or renew a subscription (draft section 6.1).
    pub const SUBSCRIBE: Method = Method(Inner::Subscribe);
    /// `UNSUBSCRIBE`: remove a subscription by id (section 6.2).
    pub const UNSUBSCRIBE: Method = Method(Inner::Unsubscribe);
    /// `SUBSCRIPTIONS`: list a node's subscriptions (section 6.3).
    pub const SUBSCRIPTIONS: Method = Method(Inner::Subscriptions);
    /// `PROPFIND`: read properties, `Depth: 0` only (section 6.4).
    pub const PROPFIND: Method = Method(Inner::Propfind);
    /// `PROPPATCH`: set properties, notably the leased `state` (section 6.5).
    pub const PROPPATCH: Method = Method(Inner::Proppatch);
    /// `NOTIFY`: an instant message or property notification (section 6.6).
    pub const NOTIFY: Method = Method(Inner::Notify);
    /// `ACL`: read (no body) or replace (with body) a node's access control list
    /// (section 6.7).
    pub const ACL: Method = Method(Inner::Acl);
    /// `POLL`: this project's polling extension (Exchange 2000 SP1 "Instant Message
    /// Polling" has no public wire description; see the server's documentation).
    pub const POLL: Method = Method(Inner::Poll);
    /// `GET` (unsupported by RVP servers: `501`).
    pub const GET: Method = Method(Inner::Get);
    /// `HEAD` (unsupported: `501`).
    pub const HEAD: Method = Method(Inner::Head);
    /// `POST` (unsupported: `501`).
    pub const POST: Method = Method(Inner::Post);
    /// `PUT` (unsupported: `501`).
    pub const PUT: Method = Method(Inner::Put);
    /// `DELETE`.
    pub const DELETE: Method = Method(Inner::Delete);
    /// `OPTIONS` (unsupported: `501`).
    pub const OPTIONS: Method = Method(Inner::Options);
    /// `COPY` (unsupported: `405`).
    pub const COPY: Method = Method(Inner::Copy);
    /// `MOVE` (unsupported: `405`).
    pub const MOVE: Method = Method(Inner::Move);
    /// `LOCK` (unsupported: `501`).
    pub const LOCK: Method = Method(Inner::Lock);
    /// `UNLOCK` (unsupported: `501`).
    pub const UNLOCK: Method = Method(Inner::Unlock);

    /// Parses a method token (RFC 9110 `token`: visible ASCII except delimiters).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, InvalidMethod> {
        let inner = match bytes {
            b"SUBSCRIBE" => Inner::Subscribe,
            b"UNSUBSCRIBE" => Inner::Unsubscribe,
            b"SUBSCRIPTIONS" => Inner::Subscriptions,
            b"PROPFIND" => Inner::Propfind,
            b"PROPPATCH" => Inner::Proppatch,
            b"NOTIFY" => Inner::Notify,
            b"ACL" => Inner::Acl,
            b"POLL" => Inner::Poll,
            b"GET" => Inner::Get,
            b"HEAD" => Inner::Head,
            b"POST" => Inner::Post,
            b"PUT" => Inner::Put,
            b"DELETE" => Inner::Delete,
            b"OPTIONS" => Inner::Options,
            b"COPY" => Inner::Copy,
            b"MOVE" => Inner::Move,
            b"LOCK" => Inner::Lock,
            b"UNLOCK" => Inner::Unlock,
            _ => {
                if bytes.is_empty()
                    || bytes.len() > MAX_METHOD_LEN
                    || !bytes.iter().all(|&b| is_tchar(b))
                {
                    return Err(InvalidMethod { _priv: () });
                }
                // All tchars are ASCII, so this cannot fail.
                let s = std::str::from_utf8(bytes).map_err(|_| InvalidMethod { _priv: () })?;
                Inner::Extension(s.into())
            }
        };
        Ok(Method(inner))
    }

    /// The method token.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Inner::Subscribe => "SUBSCRIBE",
            Inner::Unsubscribe => "UNSUBSCRIBE",
            Inner::Subscriptions => "SUBSCRIPTIONS",
            Inner::Propfind => "PROPFIND",
            Inner::Proppatch => "PROPPATCH",
            Inner::Notify => "NOTIFY",
            Inner::Acl => "ACL",
            Inner::Poll => "POLL",
            Inner::Get => "GET",
            Inner::Head => "HEAD",
            Inner::Post => "POST",
            Inner::Put => "PUT",
            Inner::Delete => "DELETE",
            Inner::Options => "OPTIONS",
            Inner::Copy => "COPY",
            Inner::Move => "MOVE",
            Inner::Lock => "LOCK",
            Inner::Unlock => "UNLOCK",
            Inner::Extension(s) => s,
        }
    }

    /// Whether this is one of the RVP methods a server implements: the seven of the
    /// draft plus this project's [`Method::POLL`].
    pub fn is_rvp(&self) -> bool {
        matches!(
            self.0,
            Inner::Subscribe
                | Inner::Unsubscribe
                | Inner::Subscriptions
                | Inner::Propfind
                | Inner::Proppatch
                | Inner::Notify
                | Inner::Acl
                | Inner::Poll
        )
    }

    /// Whether this is a method no constant names.
    pub fn is_extension(&self) -> bool {
        matches!(self.0, Inner::Extension(_))
    }
}

use crate::syntax::is_tchar;

impl fmt::Debug for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Method {
    type Err = InvalidMethod;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_bytes(s.as_bytes())
    }
}

impl AsRef<str> for Method {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<&Method> for http::Method {
    fn from(m: &Method) -> Self {
        match m.0 {
            Inner::Get => http::Method::GET,
            Inner::Head => http::Method::HEAD,
            Inner::Post => http::Method::POST,
            Inner::Put => http::Method::PUT,
            Inner::Delete => http::Method::DELETE,
            Inner::Options => http::Method::OPTIONS,
            // Every token we accept is a valid http::Method.
            _ => http::Method::from_bytes(m.as_str().as_bytes()).unwrap_or(http::Method::GET),
        }
    }
}

impl From<Method> for http::Method {
    fn from(m: Method) -> Self {
        (&m).into()
    }
}

impl TryFrom<&http::Method> for Method {
    type Error = InvalidMethod;

    fn try_from(m: &http::Method) -> Result<Self, Self::Error> {
        Self::from_bytes(m.as_str().as_bytes())
    }
}

/// A method token that is empty, too long, or has a character outside RFC 9110 `tchar`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid method token")]
pub struct InvalidMethod {
    _priv: (),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_methods_round_trip() {
        for m in [
            Method::SUBSCRIBE,
            Method::UNSUBSCRIBE,
            Method::SUBSCRIPTIONS,
            Method::PROPFIND,
            Method::PROPPATCH,
            Method::NOTIFY,
            Method::ACL,
            Method::POLL,
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::OPTIONS,
            Method::COPY,
            Method::MOVE,
            Method::LOCK,
            Method::UNLOCK,
        ] {
            let parsed: Method = m.as_str().parse().unwrap();
            assert_eq!(parsed, m);
            assert!(!parsed.is_extension());
            let h: http::Method = (&m).into();
            assert_eq!(h.as_str(), m.as_str());
            assert_eq!(Method::try_from(&h).unwrap(), m);
        }
    }

    #[test]
    fn rvp_methods() {
        assert!(Method::NOTIFY.is_rvp());
        assert!(Method::POLL.is_rvp());
        assert!(!Method::GET.is_rvp());
        assert!(!Method::COPY.is_rvp());
    }

    #[test]
    fn extension_and_case() {
        let m: Method = "subscribe".parse().unwrap();
        assert!(m.is_extension());
        assert_ne!(m, Method::SUBSCRIBE);
        assert_eq!(m.to_string(), "subscribe");
    }

    #[test]
    fn invalid_tokens() {
        for bad in [
            "",
            "SUB SCRIBE",
            "NOTIFY\r",
            "(X)",
            "MÉTHODE",
            &"X".repeat(33),
        ] {
            assert!(bad.parse::<Method>().is_err(), "{bad:?}");
        }
        assert!("X".repeat(32).parse::<Method>().is_ok());
    }
}
