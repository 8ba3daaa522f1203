//! Borrowed views of decoded messages: the head's parts and fields as slices of the
//! received bytes, typed headers parsed from them on request.

use std::{fmt, iter};

use bytes::Bytes;
use http::{StatusCode, Uri, Version};

use super::head::{self, Field, FieldIndex, Lookup, RequestHead, ResponseHead};
use crate::header::{HeaderError, TypedHeader};
use crate::{Config, Method, Request, Response};

/// A decoded request, borrowed from the decoder that framed it
/// ([`RequestDecoder::decode_view`](crate::RequestDecoder::decode_view)).
///
/// Everything is read from the received bytes on demand: the target is a `&str`
/// (parsed into an [`http::Uri`] only by [`uri`](Self::uri)), header fields are looked up
/// in a small index by case-insensitive name, and typed headers are parsed from the raw
/// value when asked for ([`typed_get`](Self::typed_get)), with the decoder's
/// [`Config`]. No `http::HeaderMap` is built. The view accepts and refuses exactly the
/// messages [`RequestDecoder::decode`](crate::RequestDecoder::decode) does, with the
/// same errors, and [`to_request`](Self::to_request) gives the request `decode` would
/// have returned.
///
/// ```
/// use bytes::BytesMut;
/// use rvp_codec::header::{CallBack, NotificationType};
/// use rvp_codec::{Config, RequestDecoder};
///
/// let wire = b"SUBSCRIBE /instmsg/aliases/alice HTTP/1.1\r\nHost: example.com\r\n\
///              Notification-Type: pragma/notify\r\nCall-Back: http://127.0.0.1:34635\r\n\r\n";
/// let mut decoder = RequestDecoder::new(Config::lenient());
/// let mut buf = BytesMut::from(&wire[..]);
/// let view = decoder.decode_view(&mut buf)?.expect("a whole request");
///
/// assert_eq!(view.headers().get("HOST"), Some(&b"example.com"[..]));
/// assert_eq!(view.typed_get::<NotificationType>()?, Some(NotificationType::PRAGMA_NOTIFY));
/// let call_back: CallBack = view.typed_require()?;
/// assert_eq!(call_back.url().port(), Some(34635));
/// assert!(view.body().is_empty());
///
/// let owned = view.to_request();
/// assert_eq!(owned.target, view.uri());
/// # Ok::<(), rvp_codec::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct RequestView<'a> {
    head: &'a RequestHead,
    body: &'a Bytes,
    config: &'a Config,
}

impl<'a> RequestView<'a> {
    pub(super) fn new(head: &'a RequestHead, body: &'a Bytes, config: &'a Config) -> Self {
        Self { head, body, config }
    }

    /// The method.
    pub fn method(&self) -> &'a Method {
        &self.head.method
    }

    /// The request target as received, in origin form (`/instmsg/aliases/bob`) or
    /// absolute form (`http://im.example.com/instmsg/aliases/bob`). The decoder has
    /// checked that [`uri`](Self::uri) can parse it.
    pub fn target(&self) -> &'a str {
        self.head.target_str()
    }

    /// The request target parsed into an [`http::Uri`] (sharing the received bytes).
    pub fn uri(&self) -> Uri {
        self.head.uri()
    }

    /// The protocol version: HTTP/1.1, or HTTP/1.0 from old peers.
    pub fn version(&self) -> Version {
        self.head.version
    }

    /// The header fields.
    pub fn headers(&self) -> Headers<'a> {
        Headers {
            index: &self.head.fields,
        }
    }

    /// The body, de-chunked.
    pub fn body(&self) -> &'a [u8] {
        self.body
    }

    /// The body as shared bytes (no copy).
    pub fn body_bytes(&self) -> Bytes {
        self.body.clone()
    }

    /// The configuration the request was decoded with, which
    /// [`typed_get`](Self::typed_get) and [`typed_require`](Self::typed_require) use.
    pub fn config(&self) -> &'a Config {
        self.config
    }

    /// Decodes header `H` from its fields with the decoder's configuration; `Ok(None)`
    /// when the request has no field of that name.
    #[inline]
    pub fn typed_get<H: TypedHeader>(&self) -> Result<Option<H>, HeaderError> {
        self.headers().typed_get_with(self.config)
    }

    /// Decodes header `H`, which must be present, with the decoder's configuration.
    #[inline]
    pub fn typed_require<H: TypedHeader>(&self) -> Result<H, HeaderError> {
        self.headers().typed_require_with(self.config)
    }

    /// The owned request, as [`RequestDecoder::decode`](crate::RequestDecoder::decode)
    /// returns it (builds the `http::HeaderMap` and `Uri`; the body is shared).
    pub fn to_request(&self) -> Request {
        request_from(self.head, self.body.clone())
    }
}

impl fmt::Debug for RequestView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestView")
            .field("method", self.method())
            .field("target", &self.target())
            .field("version", &self.version())
            .field("headers", &self.headers())
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// A decoded response, borrowed from the decoder that framed it
/// ([`ResponseDecoder::decode_view`](crate::ResponseDecoder::decode_view)); the response
/// counterpart of [`RequestView`].
///
/// ```
/// use bytes::BytesMut;
/// use http::StatusCode;
/// use rvp_codec::header::Location;
/// use rvp_codec::{Config, ResponseDecoder};
///
/// let mut decoder = ResponseDecoder::new(Config::lenient());
/// let mut buf = BytesMut::from(&b"HTTP/1.1 302 Object moved\r\nLocation: http://im2.example.com/instmsg/aliases/bob\r\nContent-Length: 0\r\n\r\n"[..]);
/// let view = decoder.decode_view(&mut buf)?.expect("a whole response");
/// assert_eq!(view.status(), StatusCode::FOUND);
/// let location: Location = view.typed_require()?;
/// assert_eq!(location.url().host(), "im2.example.com");
/// assert_eq!(view.to_response().reason().as_bytes(), b"Object moved");
/// # Ok::<(), rvp_codec::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct ResponseView<'a> {
    head: &'a ResponseHead,
    body: &'a Bytes,
    config: &'a Config,
}

impl<'a> ResponseView<'a> {
    pub(super) fn new(head: &'a ResponseHead, body: &'a Bytes, config: &'a Config) -> Self {
        Self { head, body, config }
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.head.status
    }

    /// The reason phrase as received (tabs, spaces, visible ASCII and `obs-text`), if
    /// the status line has one. Peers send free text; never base a decision on it.
    pub fn reason(&self) -> Option<&'a [u8]> {
        self.head.reason_bytes()
    }

    /// The protocol version.
    pub fn version(&self) -> Version {
        self.head.version
    }

    /// The header fields.
    pub fn headers(&self) -> Headers<'a> {
        Headers {
            index: &self.head.fields,
        }
    }

    /// The body, de-chunked.
    pub fn body(&self) -> &'a [u8] {
        self.body
    }

    /// The body as shared bytes (no copy).
    pub fn body_bytes(&self) -> Bytes {
        self.body.clone()
    }

    /// The configuration the response was decoded with.
    pub fn config(&self) -> &'a Config {
        self.config
    }

    /// Decodes header `H` with the decoder's configuration; `Ok(None)` when absent.
    #[inline]
    pub fn typed_get<H: TypedHeader>(&self) -> Result<Option<H>, HeaderError> {
        self.headers().typed_get_with(self.config)
    }

    /// Decodes header `H`, which must be present, with the decoder's configuration.
    #[inline]
    pub fn typed_require<H: TypedHeader>(&self) -> Result<H, HeaderError> {
        self.headers().typed_require_with(self.config)
    }

    /// The owned response, as [`ResponseDecoder::decode`](crate::ResponseDecoder::decode)
    /// returns it.
    pub fn to_response(&self) -> Response {
        response_from(self.head, self.body.clone())
    }
}

impl fmt::Debug for ResponseView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseView")
            .field("status", &self.status())
            .field("reason", &self.reason().map(String::from_utf8_lossy))
            .field("version", &self.version())
            .field("headers", &self.headers())
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// The header fields of a [`RequestView`] or [`ResponseView`]: names and values as
/// received, in order, looked up by case-insensitive name.
///
/// Values are the field-value bytes without surrounding whitespace (HTAB, SP, visible
/// ASCII, `obs-text`); a folded field (accepted with
/// [`Config::relaxed_head_syntax`](crate::Config::relaxed_head_syntax)) has its lines
/// joined with one space. Lookups scan the fields: a message has a handful.
///
/// ```
/// use bytes::BytesMut;
/// use rvp_codec::{Config, RequestDecoder};
///
/// let mut decoder = RequestDecoder::new(Config::strict());
/// let mut buf = BytesMut::from(&b"ACL / HTTP/1.1\r\nX-A: 1\r\nHost: h\r\nx-a: 2\r\n\r\n"[..]);
/// let view = decoder.decode_view(&mut buf)?.expect("complete");
/// let headers = view.headers();
/// assert_eq!(headers.len(), 3);
/// assert_eq!(headers.get("x-a"), Some(&b"1"[..]));
/// assert_eq!(headers.get_all("X-A").collect::<Vec<_>>(), [&b"1"[..], &b"2"[..]]);
/// assert!(!headers.contains("content-length"));
/// let names: Vec<&str> = headers.iter().map(|(name, _)| name).collect();
/// assert_eq!(names, ["X-A", "Host", "x-a"]);
/// # Ok::<(), rvp_codec::DecodeError>(())
/// ```
#[derive(Clone, Copy)]
pub struct Headers<'a> {
    index: &'a FieldIndex,
}

impl<'a> Headers<'a> {
    /// The number of fields (a name occurring twice counts twice).
    pub fn len(&self) -> usize {
        self.index.fields.len()
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.index.fields.is_empty()
    }

    /// Every field as `(name as received, value)`, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a [u8])> + use<'a> {
        let index = self.index;
        index.fields.iter().map(move |f| {
            // Names are token characters, hence ASCII.
            let name = std::str::from_utf8(index.name(f)).unwrap_or_default();
            (name, index.value(f))
        })
    }

    /// The value of the first field named `name` (any letter case).
    pub fn get(&self, name: &str) -> Option<&'a [u8]> {
        self.get_all(name).next()
    }

    /// The values of every field named `name` (any letter case), in order.
    pub fn get_all<'n>(&self, name: &'n str) -> impl Iterator<Item = &'a [u8]> + use<'a, 'n> {
        self.named(name.as_bytes())
    }

    /// Whether a field named `name` (any letter case) is present.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Decodes header `H` with the given configuration; `Ok(None)` when there is no
    /// field of that name.
    #[inline]
    pub fn typed_get_with<H: TypedHeader>(
        &self,
        config: &Config,
    ) -> Result<Option<H>, HeaderError> {
        let known = const { head::known(H::TITLE.as_bytes()) };
        if let Some(found) = self.lookup(known) {
            return match found {
                Some(value) => H::decode_bytes(iter::once(value), config).map(Some),
                None => Ok(None),
            };
        }
        let name = H::NAME;
        let mut values = self.matching(name.as_str().as_bytes(), known).peekable();
        if values.peek().is_none() {
            return Ok(None);
        }
        H::decode_bytes(values, config).map(Some)
    }

    /// Decodes header `H`, which must be present, with the given configuration.
    #[inline]
    pub fn typed_require_with<H: TypedHeader>(&self, config: &Config) -> Result<H, HeaderError> {
        let known = const { head::known(H::TITLE.as_bytes()) };
        if let Some(Some(value)) = self.lookup(known) {
            return H::decode_bytes(iter::once(value), config);
        }
        let name = H::NAME;
        H::decode_bytes(self.matching(name.as_str().as_bytes(), known), config)
    }

    /// The one field with the [`head::known`] name `known` from the parser's index:
    /// `Some(None)` when there is none, `Some(Some(value))` when there is exactly one,
    /// `None` when the name is not a known one or has several fields.
    ///
    /// Every header of this crate has a known name (a header's `TITLE` is its `NAME`
    /// in another letter case), so its lookup looks at no other field.
    #[inline]
    fn lookup(&self, known: u8) -> Option<Option<&'a [u8]>> {
        if known == 0 {
            return None;
        }
        match self.index.lookup(known) {
            Lookup::Absent => Some(None),
            Lookup::One(value) => Some(Some(value)),
            Lookup::Several => None,
        }
    }

    fn named<'n>(&self, name: &'n [u8]) -> impl Iterator<Item = &'a [u8]> + use<'a, 'n> {
        // `known` expects a token; a name that is not one matches no field.
        let known = if crate::syntax::is_token(name) {
            head::known(name)
        } else {
            0
        };
        self.matching(name, known)
    }

    /// The values of the fields named `name`, whose [`head::known`] number is `known`:
    /// a known name is matched by that number, recorded when the field was parsed.
    fn matching<'n>(
        &self,
        name: &'n [u8],
        known: u8,
    ) -> impl Iterator<Item = &'a [u8]> + use<'a, 'n> {
        let index = self.index;
        index
            .fields
            .iter()
            .filter(move |f: &&Field| {
                if known != 0 {
                    f.known == known
                } else {
                    f.known == 0 && index.name(f).eq_ignore_ascii_case(name)
                }
            })
            .map(move |f| index.value(f))
    }
}

impl fmt::Debug for Headers<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.iter().map(|(n, v)| (n, String::from_utf8_lossy(v))))
            .finish()
    }
}

/// The owned request of a parsed head.
pub(super) fn request_from(head: &RequestHead, body: Bytes) -> Request {
    Request {
        method: head.method.clone(),
        target: head.uri(),
        version: head.version,
        headers: head.fields.to_header_map(),
        body,
    }
}

/// The owned response of a parsed head.
pub(super) fn response_from(head: &ResponseHead, body: Bytes) -> Response {
    Response {
        status: head.status,
        reason: head.reason_phrase(),
        version: head.version,
        headers: head.fields.to_header_map(),
        body,
    }
}
