//! Writing requests and responses.
//!
//! Encoding is infallible: every part of a [`Request`] or [`Response`] is valid by
//! construction. The encoder writes the strict, canonical form whatever the input looked
//! like: CRLF line endings, one space between start-line parts, header names in the
//! Title-Case real peers use (`RVP-Notifications-Version`, `Call-Back`,
//! `Subscription-Id`, `WWW-Authenticate`), and a `Content-Length` computed from the
//! body in place of any `Content-Length` or `Transfer-Encoding` the headers held.

use bytes::BufMut;
use http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
use http::{HeaderMap, HeaderName, StatusCode, Uri, Version};

use crate::{Request, Response};

impl Request {
    /// Appends the request's wire form to `out`.
    ///
    /// ```
    /// use rvp_codec::{Method, Request};
    ///
    /// let mut req = Request::new(Method::SUBSCRIBE, "/instmsg/aliases/bob".parse()?);
    /// req.headers.insert("notification-type", "update/propchange".parse()?);
    /// let mut out = Vec::new();
    /// req.encode(&mut out);
    /// assert_eq!(
    ///     out,
    ///     b"SUBSCRIBE /instmsg/aliases/bob HTTP/1.1\r\n\
    ///       Notification-Type: update/propchange\r\n\
    ///       Content-Length: 0\r\n\r\n"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn encode(&self, out: &mut impl BufMut) {
        out.put_slice(self.method.as_str().as_bytes());
        out.put_u8(b' ');
        put_target(&self.target, out);
        out.put_u8(b' ');
        out.put_slice(version_str(self.version));
        out.put_slice(b"\r\n");
        put_fields(&self.headers, out);
        put_content_length(self.body.len(), out);
        out.put_slice(b"\r\n");
        out.put_slice(&self.body);
    }

    /// The request's wire form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len_hint());
        self.encode(&mut out);
        out
    }

    fn encoded_len_hint(&self) -> usize {
        64 + self.headers.len() * 48 + self.body.len()
    }
}

impl Response {
    /// Appends the response's wire form to `out`.
    ///
    /// A `1xx`, `204` or `304` response carries neither `Content-Length` nor a body
    /// (RFC 9110 forbids both); the body of such a value is not written.
    ///
    /// ```
    /// use http::StatusCode;
    /// use rvp_codec::{ReasonPhrase, Response};
    ///
    /// let mut rsp = Response::new(StatusCode::OK).with_reason(ReasonPhrase::from_static("Successful"));
    /// rsp.headers.insert("rvp-notifications-version", "0.2".parse()?);
    /// assert_eq!(
    ///     rsp.to_bytes(),
    ///     b"HTTP/1.1 200 Successful\r\nRVP-Notifications-Version: 0.2\r\nContent-Length: 0\r\n\r\n"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn encode(&self, out: &mut impl BufMut) {
        out.put_slice(version_str(self.version));
        out.put_u8(b' ');
        out.put_slice(self.status.as_str().as_bytes());
        out.put_u8(b' ');
        match &self.reason {
            Some(r) => out.put_slice(r.as_bytes()),
            None => out.put_slice(self.status.canonical_reason().unwrap_or("").as_bytes()),
        }
        out.put_slice(b"\r\n");
        put_fields(&self.headers, out);
        let bodiless = bodiless(self.status);
        if !bodiless {
            put_content_length(self.body.len(), out);
        }
        out.put_slice(b"\r\n");
        if !bodiless {
            out.put_slice(&self.body);
        }
    }

    /// The response's wire form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.headers.len() * 48 + self.body.len());
        self.encode(&mut out);
        out
    }
}

fn bodiless(status: StatusCode) -> bool {
    status.is_informational()
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED
}

fn version_str(v: Version) -> &'static [u8] {
    if v == Version::HTTP_10 {
        b"HTTP/1.0"
    } else {
        b"HTTP/1.1"
    }
}

fn put_target(uri: &Uri, out: &mut impl BufMut) {
    if let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) {
        out.put_slice(scheme.as_bytes());
        out.put_slice(b"://");
        out.put_slice(authority.as_str().as_bytes());
        match uri.path_and_query() {
            Some(pq) if !pq.as_str().is_empty() => out.put_slice(pq.as_str().as_bytes()),
            _ => out.put_u8(b'/'),
        }
    } else if let Some(pq) = uri.path_and_query() {
        out.put_slice(pq.as_str().as_bytes());
    } else if let Some(authority) = uri.authority() {
        out.put_slice(authority.as_str().as_bytes());
    } else {
        out.put_u8(b'/');
    }
}

fn put_fields(headers: &HeaderMap, out: &mut impl BufMut) {
    for (name, value) in headers {
        if name == CONTENT_LENGTH || name == TRANSFER_ENCODING {
            continue;
        }
        put_name(name, out);
        out.put_slice(b": ");
        out.put_slice(value.as_bytes());
        out.put_slice(b"\r\n");
    }
}

fn put_content_length(len: usize, out: &mut impl BufMut) {
    out.put_slice(b"Content-Length: ");
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = len;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.put_slice(&digits[i..]);
    out.put_slice(b"\r\n");
}

/// Writes a header name in the Title-Case peers use: each `-`-separated word capitalised,
/// `RVP` and `WWW` in capitals (`rvp-hop-count` -> `RVP-Hop-Count`).
fn put_name(name: &HeaderName, out: &mut impl BufMut) {
    for (i, word) in name.as_str().split('-').enumerate() {
        if i > 0 {
            out.put_u8(b'-');
        }
        let w = word.as_bytes();
        if w == b"rvp" || w == b"www" {
            for &b in w {
                out.put_u8(b.to_ascii_uppercase());
            }
        } else if let Some((&first, rest)) = w.split_first() {
            out.put_u8(first.to_ascii_uppercase());
            out.put_slice(rest);
        }
    }
}

/// The Title-Case form of a header name, as the encoder writes it.
///
/// ```
/// use http::header::{HeaderName, WWW_AUTHENTICATE};
///
/// assert_eq!(rvp_codec::title_case(&HeaderName::from_static("rvp-from-principal")), "RVP-From-Principal");
/// assert_eq!(rvp_codec::title_case(&HeaderName::from_static("call-back")), "Call-Back");
/// assert_eq!(rvp_codec::title_case(&WWW_AUTHENTICATE), "WWW-Authenticate");
/// ```
pub fn title_case(name: &HeaderName) -> String {
    let mut out = Vec::with_capacity(name.as_str().len());
    put_name(name, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Method, ReasonPhrase};
    use http::HeaderValue;

    #[test]
    fn title_case_names() {
        for (lower, title) in [
            ("rvp-notifications-version", "RVP-Notifications-Version"),
            ("subscription-id", "Subscription-Id"),
            ("subscription-lifetime", "Subscription-Lifetime"),
            ("notification-type", "Notification-Type"),
            ("rvp-ack-type", "RVP-Ack-Type"),
            ("content-type", "Content-Type"),
            ("www-authenticate", "WWW-Authenticate"),
            ("host", "Host"),
            ("x-", "X-"),
        ] {
            assert_eq!(title_case(&HeaderName::from_static(lower)), title);
        }
    }

    #[test]
    fn framing_headers_are_rewritten() {
        let mut req = Request::new(
            Method::NOTIFY,
            Uri::from_static("http://im.example.com/instmsg/aliases/bob"),
        );
        req.headers
            .insert(CONTENT_LENGTH, HeaderValue::from_static("999"));
        req.headers
            .insert(TRANSFER_ENCODING, HeaderValue::from_static("chunked"));
        req.body = bytes::Bytes::from_static(b"abc");
        assert_eq!(
            req.to_bytes(),
            b"NOTIFY http://im.example.com/instmsg/aliases/bob HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
        );
    }

    #[test]
    fn absolute_target_without_path() {
        let req = Request::new(Method::NOTIFY, Uri::from_static("http://127.0.0.1:4000"));
        assert!(
            req.to_bytes()
                .starts_with(b"NOTIFY http://127.0.0.1:4000/ HTTP/1.1\r\n")
        );
    }

    #[test]
    fn bodiless_statuses() {
        let rsp = Response::new(StatusCode::NO_CONTENT).with_body("ignored");
        assert_eq!(rsp.to_bytes(), b"HTTP/1.1 204 No Content\r\n\r\n");
        let rsp = Response::new(StatusCode::from_u16(299).unwrap())
            .with_reason(ReasonPhrase::from_static(""));
        assert_eq!(
            rsp.to_bytes(),
            b"HTTP/1.1 299 \r\nContent-Length: 0\r\n\r\n"
        );
    }

    #[test]
    fn content_length_digits() {
        for n in [0usize, 7, 10, 1234, usize::MAX] {
            let mut out = Vec::new();
            put_content_length(n, &mut out);
            assert_eq!(out, format!("Content-Length: {n}\r\n").into_bytes());
        }
    }
}
