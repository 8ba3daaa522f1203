//! RVP messages: requests and responses with their heads and bodies.

use bytes::Bytes;
use http::{HeaderMap, StatusCode, Uri, Version};
use std::fmt;

use crate::Method;

/// An RVP request: method, request target, version, header fields and body.
///
/// The body is the message body with any transfer coding removed; the framing headers
/// (`Content-Length`, `Transfer-Encoding`) stay in [`headers`](Request::headers) as they
/// were received, and the encoder rewrites them from the body.
///
/// ```
/// use rvp_codec::{Method, Request};
///
/// let req = Request::new(Method::SUBSCRIBE, "/instmsg/aliases/alice".parse()?);
/// assert_eq!(req.target.path(), "/instmsg/aliases/alice");
/// assert!(req.body.is_empty());
/// # Ok::<(), http::uri::InvalidUri>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The request target, in origin form (`/instmsg/aliases/bob`) or absolute form
    /// (`http://im.example.com/instmsg/aliases/bob`); both occur on the wire.
    pub target: Uri,
    /// The protocol version: HTTP/1.1, or HTTP/1.0 from old peers.
    pub version: Version,
    /// The header fields.
    pub headers: HeaderMap,
    /// The body, de-chunked.
    pub body: Bytes,
}

impl Request {
    /// A request with HTTP/1.1, no header fields and an empty body.
    pub fn new(method: Method, target: Uri) -> Self {
        Self {
            method,
            target,
            version: Version::HTTP_11,
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }

    /// Replaces the body.
    #[must_use]
    pub fn with_body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    /// Replaces the header fields.
    #[must_use]
    pub fn with_headers(mut self, headers: HeaderMap) -> Self {
        self.headers = headers;
        self
    }
}

/// An RVP response: status, reason phrase, version, header fields and body.
///
/// ```
/// use http::StatusCode;
/// use rvp_codec::{ReasonPhrase, Response};
///
/// let rsp = Response::new(StatusCode::OK).with_reason(ReasonPhrase::from_static("Successful"));
/// assert_eq!(rsp.reason().as_bytes(), b"Successful");
/// assert_eq!(Response::new(StatusCode::MULTI_STATUS).reason().as_bytes(), b"Multi-Status");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Response {
    /// The status code.
    pub status: StatusCode,
    /// The reason phrase as received, if any. Peers send free text (`200 Successful`,
    /// `302 Object moved`); never base a decision on it.
    pub reason: Option<ReasonPhrase>,
    /// The protocol version.
    pub version: Version,
    /// The header fields.
    pub headers: HeaderMap,
    /// The body, de-chunked.
    pub body: Bytes,
}

impl Response {
    /// A response with HTTP/1.1, the canonical reason phrase, no header fields and an
    /// empty body.
    pub fn new(status: StatusCode) -> Self {
        Self {
            status,
            reason: None,
            version: Version::HTTP_11,
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }

    /// Replaces the reason phrase.
    #[must_use]
    pub fn with_reason(mut self, reason: ReasonPhrase) -> Self {
        self.reason = Some(reason);
        self
    }

    /// Replaces the body.
    #[must_use]
    pub fn with_body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    /// Replaces the header fields.
    #[must_use]
    pub fn with_headers(mut self, headers: HeaderMap) -> Self {
        self.headers = headers;
        self
    }

    /// The reason phrase to write: the received or set one, else the canonical phrase of
    /// the status code (empty for codes without one).
    pub fn reason(&self) -> ReasonPhrase {
        match &self.reason {
            Some(r) => r.clone(),
            None => ReasonPhrase(Bytes::from_static(
                self.status.canonical_reason().unwrap_or("").as_bytes(),
            )),
        }
    }
}

/// A reason phrase: horizontal tabs, spaces, visible ASCII and `obs-text` (bytes 0x80 and
/// above), as RFC 9112 allows.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ReasonPhrase(Bytes);

impl ReasonPhrase {
    /// Validates and wraps a reason phrase.
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Result<Self, InvalidReasonPhrase> {
        let bytes = bytes.into();
        match bytes.iter().position(|&b| !is_reason_byte(b)) {
            None => Ok(Self(bytes)),
            Some(offset) => Err(InvalidReasonPhrase { offset }),
        }
    }

    /// Wraps a constant reason phrase.
    ///
    /// # Panics
    ///
    /// When `s` has a byte a reason phrase cannot hold (a control character other than
    /// tab); meant for literals.
    pub const fn from_static(s: &'static str) -> Self {
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            assert!(is_reason_byte(b[i]), "invalid reason phrase byte");
            i += 1;
        }
        Self(Bytes::from_static(b))
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The phrase as text; `obs-text` bytes that are not UTF-8 become U+FFFD.
    pub fn to_str_lossy(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }
}

pub(crate) const fn is_reason_byte(b: u8) -> bool {
    b == b'\t' || b == b' ' || (b >= 0x21 && b != 0x7f)
}

impl fmt::Debug for ReasonPhrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_str_lossy(), f)
    }
}

impl fmt::Display for ReasonPhrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_str_lossy())
    }
}

/// A reason phrase with a control character.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid byte in reason phrase at offset {offset}")]
pub struct InvalidReasonPhrase {
    /// Offset of the first invalid byte.
    pub offset: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_phrase_validation() {
        assert!(ReasonPhrase::from_bytes(&b"Object moved"[..]).is_ok());
        assert!(ReasonPhrase::from_bytes(&b" credentials not specified"[..]).is_ok());
        assert!(ReasonPhrase::from_bytes(&b"caf\xc3\xa9"[..]).is_ok());
        assert_eq!(
            ReasonPhrase::from_bytes(&b"bad\r\n"[..])
                .unwrap_err()
                .offset,
            3
        );
    }

    #[test]
    fn canonical_reason_when_unset() {
        assert_eq!(
            Response::new(StatusCode::NOT_FOUND).reason().as_bytes(),
            b"Not Found"
        );
        let r = Response::new(StatusCode::OK).with_reason(ReasonPhrase::from_static("Successful"));
        assert_eq!(r.reason().to_string(), "Successful");
    }
}
