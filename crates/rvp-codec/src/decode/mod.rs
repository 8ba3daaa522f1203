//! Incremental decoding of requests and responses from a caller-owned buffer.
//!
//! The decoders follow the shape of `tokio_util::codec::Decoder` without depending on it:
//! [`decode`](RequestDecoder::decode) consumes one complete message from the front of a
//! [`BytesMut`] and returns it, or returns `Ok(None)` and consumes nothing it will need
//! again when the buffer holds only part of one (incomplete input is never an error);
//! [`decode_eof`](RequestDecoder::decode_eof) is called once the peer has closed its side,
//! and completes a response whose body runs until the close.
//!
//! Framing is done in two phases, as hyper does: a resumable scan finds the end of the
//! head (re-scanning only the bytes that arrived since the last call), the head is split
//! off as one `Bytes` and parsed into typed parts that share its memory; then the body is
//! taken by `Content-Length`, de-chunked, or read until the connection closes.

mod chunked;
mod error;
mod head;
mod view;

use bytes::{Bytes, BytesMut};
use http::StatusCode;

pub use error::{DecodeError, Syntax};
pub use view::{Headers, RequestView, ResponseView};

use crate::syntax::bytes_equal;
use crate::{Config, Request, Response};
use chunked::{Chunked, Step};
use head::{Field, FieldIndex, ParseHead, RequestHead, ResponseHead};

/// Decodes requests, one after the other, from a byte stream.
///
/// ```
/// use bytes::BytesMut;
/// use rvp_codec::{Config, Method, RequestDecoder};
///
/// let mut decoder = RequestDecoder::new(Config::lenient());
/// let mut buf = BytesMut::from(&b"SUBSCRIBE /instmsg/aliases/alice HTTP/1.1\r\nContent-Len"[..]);
/// assert!(decoder.decode(&mut buf)?.is_none()); // needs more
///
/// buf.extend_from_slice(b"gth: 0\r\nNotification-Type: pragma/notify\r\n\r\nNOTIFY / HTTP/1.1\r\n");
/// let req = decoder.decode(&mut buf)?.expect("a whole request is buffered");
/// assert_eq!(req.method, Method::SUBSCRIBE);
/// assert_eq!(req.headers["notification-type"], "pragma/notify");
/// assert_eq!(&buf[..], b"NOTIFY / HTTP/1.1\r\n"); // the pipelined request stays
/// # Ok::<(), rvp_codec::DecodeError>(())
/// ```
///
/// After an error the byte stream can no longer be framed: answer with the error's
/// [`status`](DecodeError::status) and close the connection.
#[derive(Debug)]
pub struct RequestDecoder {
    framer: Framer<RequestHead>,
}

impl RequestDecoder {
    /// A decoder with the given configuration.
    pub fn new(config: Config) -> Self {
        Self {
            framer: Framer::new(config),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.framer.config
    }

    /// Decodes the next request from the front of `buf`, or returns `Ok(None)` if `buf`
    /// does not hold a complete one yet.
    ///
    /// The request is built from the same parse as [`decode_view`](Self::decode_view)
    /// gives: `http`'s header map and `Uri` are made for it. A caller that reads only
    /// some fields is faster with the view.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Request>, DecodeError> {
        if !self.framer.decode(buf, |h, _| request_framing(h))? {
            return Ok(None);
        }
        Ok(self.framer.take(view::request_from))
    }

    /// Like [`decode`](Self::decode), but returns a borrowed [`RequestView`] of the
    /// request instead of building an owned [`Request`]: the same framing, limits and
    /// errors, without making an `http::HeaderMap` or `http::Uri`.
    ///
    /// The decoder keeps the request's bytes (shared with `buf`'s former front, not
    /// copied) until the next call; the view borrows them, so it must be dropped before
    /// the decoder is used again. Turn it into an owned request with
    /// [`RequestView::to_request`] to keep it longer.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use rvp_codec::header::SubscriptionLifetime;
    /// use rvp_codec::{Config, Method, RequestDecoder};
    ///
    /// let mut decoder = RequestDecoder::new(Config::lenient());
    /// let mut buf = BytesMut::from(&b"SUBSCRIBE /instmsg/aliases/bob HTTP/1.1\r\nSubscription-Lifetime: 14400\r\n\r\n"[..]);
    /// let view = decoder.decode_view(&mut buf)?.expect("a whole request");
    /// assert_eq!(view.method(), &Method::SUBSCRIBE);
    /// assert_eq!(view.target(), "/instmsg/aliases/bob");
    /// assert_eq!(view.typed_get::<SubscriptionLifetime>()?.map(|l| l.as_secs()), Some(14400));
    /// # Ok::<(), rvp_codec::Error>(())
    /// ```
    pub fn decode_view(
        &mut self,
        buf: &mut BytesMut,
    ) -> Result<Option<RequestView<'_>>, DecodeError> {
        if !self.framer.decode(buf, |h, _| request_framing(h))? {
            return Ok(None);
        }
        Ok(self.view())
    }

    /// The view of the message the framer has completed.
    fn view(&self) -> Option<RequestView<'_>> {
        let (head, body) = self.framer.message()?;
        Some(RequestView::new(head, body, &self.framer.config))
    }

    /// Like [`decode`](Self::decode), for the bytes left when the peer has closed the
    /// connection: `Ok(None)` if nothing (or only empty lines) is left,
    /// [`DecodeError::UnexpectedEof`] if a request was cut off.
    pub fn decode_eof(&mut self, buf: &mut BytesMut) -> Result<Option<Request>, DecodeError> {
        match self.decode(buf)? {
            Some(r) => Ok(Some(r)),
            // A request's body never runs until the close: `eof` completes nothing.
            None => self.framer.eof(buf).map(|_| None),
        }
    }

    /// Like [`decode_view`](Self::decode_view), for the bytes left when the peer has
    /// closed the connection (see [`decode_eof`](Self::decode_eof)).
    pub fn decode_view_eof(
        &mut self,
        buf: &mut BytesMut,
    ) -> Result<Option<RequestView<'_>>, DecodeError> {
        if self.decode_view(buf)?.is_none() {
            self.framer.eof(buf)?;
            return Ok(None);
        }
        Ok(self.view())
    }

    /// Whether the decoder holds a partly received request (its head is parsed and part
    /// of its body is awaited).
    pub fn is_mid_message(&self) -> bool {
        self.framer.is_mid_message()
    }
}

/// Decodes responses, one after the other, from a byte stream.
///
/// A response without `Content-Length` and `Transfer-Encoding` has a body that runs until
/// the peer closes the connection, as librvp answers NOTIFYs: [`decode`](Self::decode)
/// returns `Ok(None)` for it until [`decode_eof`](Self::decode_eof) is called.
///
/// ```
/// use bytes::BytesMut;
/// use http::StatusCode;
/// use rvp_codec::{Config, ResponseDecoder};
///
/// let mut decoder = ResponseDecoder::new(Config::lenient());
/// let mut buf = BytesMut::from(&b"HTTP/1.1 200 Successful\r\nRVP-Notifications-Version: 0.2\r\n\r\n"[..]);
/// assert!(decoder.decode(&mut buf)?.is_none()); // the body runs until close
/// let rsp = decoder.decode_eof(&mut buf)?.expect("complete at close");
/// assert_eq!(rsp.status, StatusCode::OK);
/// assert!(rsp.body.is_empty());
/// # Ok::<(), rvp_codec::DecodeError>(())
/// ```
#[derive(Debug)]
pub struct ResponseDecoder {
    framer: Framer<ResponseHead>,
    to_head: bool,
}

impl ResponseDecoder {
    /// A decoder with the given configuration.
    pub fn new(config: Config) -> Self {
        Self {
            framer: Framer::new(config),
            to_head: false,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.framer.config
    }

    /// Tells the decoder that the next response answers a `HEAD` request, so it has no
    /// body whatever its headers say.
    pub fn expect_response_to_head(&mut self) {
        self.to_head = true;
    }

    /// Decodes the next response from the front of `buf`, or returns `Ok(None)` if `buf`
    /// does not hold a complete one yet.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Response>, DecodeError> {
        if !self.frame(buf)? {
            return Ok(None);
        }
        Ok(self.owned())
    }

    /// Like [`decode`](Self::decode), but returns a borrowed [`ResponseView`] instead of
    /// building an owned [`Response`]; the view borrows the decoder until the next call
    /// (see [`RequestDecoder::decode_view`]).
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use http::StatusCode;
    /// use rvp_codec::header::NotificationsVersion;
    /// use rvp_codec::{Config, ResponseDecoder};
    ///
    /// let mut decoder = ResponseDecoder::new(Config::lenient());
    /// let mut buf = BytesMut::from(&b"HTTP/1.1 200 Successful\r\nRVP-Notifications-Version: 0.2\r\nContent-Length: 0\r\n\r\n"[..]);
    /// let view = decoder.decode_view(&mut buf)?.expect("a whole response");
    /// assert_eq!(view.status(), StatusCode::OK);
    /// assert_eq!(view.reason(), Some(&b"Successful"[..]));
    /// assert_eq!(view.typed_get::<NotificationsVersion>()?, Some(NotificationsVersion::V0_2));
    /// # Ok::<(), rvp_codec::Error>(())
    /// ```
    pub fn decode_view(
        &mut self,
        buf: &mut BytesMut,
    ) -> Result<Option<ResponseView<'_>>, DecodeError> {
        if !self.frame(buf)? {
            return Ok(None);
        }
        Ok(self.viewed())
    }

    /// Like [`decode_view`](Self::decode_view), once the peer has closed the connection
    /// (see [`decode_eof`](Self::decode_eof)).
    pub fn decode_view_eof(
        &mut self,
        buf: &mut BytesMut,
    ) -> Result<Option<ResponseView<'_>>, DecodeError> {
        if self.decode_view(buf)?.is_some() || self.framer.eof(buf)? {
            return Ok(self.viewed());
        }
        Ok(None)
    }

    /// Frames the next response; `true` when one is complete.
    fn frame(&mut self, buf: &mut BytesMut) -> Result<bool, DecodeError> {
        let to_head = self.to_head;
        self.framer.decode(buf, |h, _| response_framing(h, to_head))
    }

    /// The owned form of the response the framer has completed.
    fn owned(&mut self) -> Option<Response> {
        self.to_head = false;
        self.framer.take(view::response_from)
    }

    /// The view of the response the framer has completed.
    fn viewed(&mut self) -> Option<ResponseView<'_>> {
        self.to_head = false;
        let (head, body) = self.framer.message()?;
        Some(ResponseView::new(head, body, &self.framer.config))
    }

    /// Like [`decode`](Self::decode), once the peer has closed the connection: completes a
    /// response whose body runs until the close; `Ok(None)` if nothing is left;
    /// [`DecodeError::UnexpectedEof`] if a response was cut off.
    pub fn decode_eof(&mut self, buf: &mut BytesMut) -> Result<Option<Response>, DecodeError> {
        if let Some(r) = self.decode(buf)? {
            return Ok(Some(r));
        }
        if self.framer.eof(buf)? {
            return Ok(self.owned());
        }
        Ok(None)
    }

    /// Whether the decoder holds a partly received response.
    pub fn is_mid_message(&self) -> bool {
        self.framer.is_mid_message()
    }
}

/// How the body of a message is delimited.
#[derive(Debug)]
enum Framing {
    /// Exactly this many bytes.
    Length(usize),
    /// The chunked transfer coding; the de-chunked body so far.
    Chunked(Chunked, BytesMut),
    /// Everything until the connection closes (responses only).
    UntilClose,
}

#[derive(Debug)]
enum State {
    /// Looking for the end of the head; the bytes before `scanned` hold no head end.
    Head { scanned: usize },
    /// The head is parsed (in [`Framer::head`]); the body is being received. `offset` is
    /// the message offset of the next byte in the buffer (for error reports).
    Body { framing: Framing, offset: usize },
}

/// The framing state machine shared by both decoders.
///
/// A parsed head stays where it was parsed, in `head`, until the next head replaces
/// it: the decoders view it there or take it out, and it is not moved with the state
/// (a head is a few hundred bytes).
#[derive(Debug)]
struct Framer<H> {
    config: Config,
    state: State,
    /// The head of the message being received, or of the last one completed (or
    /// refused), until the next head is parsed.
    head: Option<H>,
    /// The body of the last message completed.
    body: Bytes,
    /// An empty field list whose capacity the next head reuses.
    spare: Vec<Field>,
}

impl<H: ParseHead> Framer<H> {
    fn new(config: Config) -> Self {
        Self {
            config,
            state: State::Head { scanned: 0 },
            head: None,
            body: Bytes::new(),
            spare: Vec::new(),
        }
    }

    /// The message completed by the last call of `decode` or `eof` that returned `true`.
    fn message(&self) -> Option<(&H, &Bytes)> {
        Some((self.head.as_ref()?, &self.body))
    }

    /// Takes the completed message out and gives `make` of it, keeping the head's field
    /// list for the next head.
    fn take<T>(&mut self, make: impl FnOnce(&H, Bytes) -> T) -> Option<T> {
        let made = make(self.head.as_ref()?, std::mem::take(&mut self.body));
        self.recycle();
        Some(made)
    }

    /// Gives the field list of the last head back for the next one.
    fn recycle(&mut self) {
        if let Some(head) = &mut self.head {
            self.spare = head.take_spare();
            self.head = None;
        }
        self.body = Bytes::new();
    }

    fn is_mid_message(&self) -> bool {
        matches!(self.state, State::Body { .. })
    }

    /// Frames the next message; `true` when one is complete ([`message`](Self::message)).
    fn decode(
        &mut self,
        buf: &mut BytesMut,
        framing: impl FnOnce(&H, &Config) -> Result<Framing, DecodeError>,
    ) -> Result<bool, DecodeError> {
        let result = self.step(buf, framing);
        if result.is_err() {
            self.state = State::Head { scanned: 0 };
        }
        result
    }

    fn step(
        &mut self,
        buf: &mut BytesMut,
        framing: impl FnOnce(&H, &Config) -> Result<Framing, DecodeError>,
    ) -> Result<bool, DecodeError> {
        if let State::Head { .. } = self.state {
            self.recycle();
        }
        if let State::Head { scanned } = &mut self.state {
            let limit = self.config.limits.max_head_size;
            let mut plain = None;
            let mut seen = head::Seen::default();
            if *scanned == 0 {
                skip_empty_lines(buf);
                // The first look at a message: a complete head of the usual form is
                // parsed in the same pass that finds its end.
                plain = head::parse_plain_head::<H>(buf, &self.config, &mut self.spare, &mut seen);
            }
            let (len, head) = if let Some((len, line)) = plain {
                let head_bytes = buf.split_to(len).freeze();
                let fields = std::mem::take(&mut self.spare);
                let index = FieldIndex::from_seen(head_bytes, fields, Vec::new(), seen);
                (len, self.head.insert(H::assemble(line, index)))
            } else {
                let Some(len) = find_head_end(buf, *scanned, limit) else {
                    if buf.len() > limit {
                        return Err(DecodeError::HeadTooLarge { limit });
                    }
                    *scanned = buf.len().saturating_sub(2);
                    return Ok(false);
                };
                if len > limit {
                    return Err(DecodeError::HeadTooLarge { limit });
                }
                let head_bytes = buf.split_to(len).freeze();
                let spare = std::mem::take(&mut self.spare);
                let head = head::parse_head::<H>(head_bytes, &self.config, spare)?;
                (len, self.head.insert(head))
            };
            let framing = framing(head, &self.config)?;
            if let Framing::Length(n) = framing
                && n > self.config.limits.max_body_size
            {
                return Err(DecodeError::BodyTooLarge {
                    limit: self.config.limits.max_body_size,
                });
            }
            self.state = State::Body {
                framing,
                offset: len,
            };
        }

        let State::Body { framing, offset } = &mut self.state else {
            return Ok(false);
        };
        let body = match framing {
            Framing::Length(n) => {
                if buf.len() < *n {
                    buf.reserve(*n - buf.len());
                    return Ok(false);
                }
                if *n == 0 {
                    // No body: no reference to the buffer to count.
                    Bytes::new()
                } else {
                    buf.split_to(*n).freeze()
                }
            }
            Framing::Chunked(chunked, body) => {
                match chunked.decode(buf, body, offset, &self.config)? {
                    Step::NeedMore => return Ok(false),
                    Step::Done => std::mem::take(body).freeze(),
                }
            }
            Framing::UntilClose => {
                if buf.len() > self.config.limits.max_body_size {
                    return Err(DecodeError::BodyTooLarge {
                        limit: self.config.limits.max_body_size,
                    });
                }
                return Ok(false);
            }
        };
        self.finish(body);
        Ok(true)
    }

    /// Completes the message with `body`.
    fn finish(&mut self, body: Bytes) {
        self.body = body;
        self.state = State::Head { scanned: 0 };
    }

    /// Handles the end of the stream after `decode` returned `Ok(false)`; `true` when
    /// that completes a message (a response whose body runs until the close).
    fn eof(&mut self, buf: &mut BytesMut) -> Result<bool, DecodeError> {
        match &self.state {
            State::Head { .. } => {
                skip_empty_lines(buf);
                if buf.is_empty() {
                    Ok(false)
                } else {
                    Err(DecodeError::UnexpectedEof)
                }
            }
            State::Body {
                framing: Framing::UntilClose,
                ..
            } => {
                let body = buf.split().freeze();
                self.finish(body);
                Ok(true)
            }
            State::Body { .. } => {
                self.state = State::Head { scanned: 0 };
                Err(DecodeError::UnexpectedEof)
            }
        }
    }
}

/// Drops empty lines before a start line (RFC 9112 section 2.2: a server should ignore
/// at least one; clients that add CRLF after a body need it).
fn skip_empty_lines(buf: &mut BytesMut) {
    let n = buf
        .iter()
        .take_while(|&&b| b == b'\r' || b == b'\n')
        .count();
    if n > 0 {
        let _ = buf.split_to(n);
    }
}

/// The length of the head at the front of `buf` (through its empty line), searching from
/// `from` and no further than `limit` (plus the line ending).
fn find_head_end(buf: &[u8], from: usize, limit: usize) -> Option<usize> {
    let window = &buf[..buf.len().min(limit.saturating_add(4))];
    let ends_head = |lf: usize| match window.get(lf + 1) {
        Some(b'\n') => Some(lf + 2),
        Some(b'\r') if window.get(lf + 2) == Some(&b'\n') => Some(lf + 3),
        _ => None,
    };
    // Eight bytes at a time (heads are short: a search call per line costs more).
    let rest = window.get(from..)?;
    let mut words = rest.chunks_exact(8);
    for (n, word) in words.by_ref().enumerate() {
        let Ok(word) = <[u8; 8]>::try_from(word) else {
            break;
        };
        let mut candidates = bytes_equal(u64::from_le_bytes(word), b'\n');
        while candidates != 0 {
            let at = (candidates.trailing_zeros() / 8) as usize;
            // The lowest mark is exact, the ones above it may not be: check each.
            if word[at] == b'\n'
                && let Some(end) = ends_head(from + n * 8 + at)
            {
                return Some(end);
            }
            candidates &= candidates - 1;
        }
    }
    let tail_start = window.len() - words.remainder().len();
    (tail_start..window.len())
        .filter(|&i| window[i] == b'\n')
        .find_map(ends_head)
}

/// Body framing of a request: `Transfer-Encoding: chunked`, `Content-Length`, or none.
fn request_framing(head: &RequestHead) -> Result<Framing, DecodeError> {
    Ok(declared_framing(&head.fields)?.unwrap_or(Framing::Length(0)))
}

/// Body framing of a response (RFC 9112 section 6.3).
fn response_framing(head: &ResponseHead, to_head: bool) -> Result<Framing, DecodeError> {
    let s = head.status;
    if to_head
        || s.is_informational()
        || s == StatusCode::NO_CONTENT
        || s == StatusCode::NOT_MODIFIED
    {
        return Ok(Framing::Length(0));
    }
    Ok(declared_framing(&head.fields)?.unwrap_or(Framing::UntilClose))
}

fn declared_framing(fields: &FieldIndex) -> Result<Option<Framing>, DecodeError> {
    let seen = &fields.framing;
    if !seen.transfer_encoding {
        // The usual case: the field parser has read `Content-Length` already.
        return match seen.content_length {
            None => Ok(None),
            Some(Some(n)) => Ok(Some(Framing::Length(n))),
            Some(None) => Err(DecodeError::InvalidContentLength),
        };
    }
    let named = |name: &'static [u8]| {
        fields
            .fields
            .iter()
            .filter(move |f| fields.name(f).eq_ignore_ascii_case(name))
            .map(|f| fields.value(f))
    };
    let mut te = named(b"transfer-encoding").peekable();
    let mut cl = named(b"content-length").peekable();
    if te.peek().is_some() {
        if cl.peek().is_some() {
            return Err(DecodeError::ConflictingFraming);
        }
        let mut codings = te
            .flat_map(|v| v.split(|&b| b == b','))
            .map(trim)
            .peekable();
        while let Some(coding) = codings.next() {
            let last = codings.peek().is_none();
            if !(last && coding.eq_ignore_ascii_case(b"chunked")) {
                return Err(DecodeError::UnsupportedTransferCoding);
            }
        }
        return Ok(Some(Framing::Chunked(Chunked::Size, BytesMut::new())));
    }
    match cl.peek() {
        None => Ok(None),
        Some(_) => content_length(cl, None)
            .map(|n| Some(Framing::Length(n)))
            .ok_or(DecodeError::InvalidContentLength),
    }
}

/// The body length `Content-Length` field values declare, given the `known` one of
/// earlier values: `None` when an item is not a length or two disagree (or when
/// `values` is empty and nothing is known).
pub(super) fn content_length<'a>(
    values: impl Iterator<Item = &'a [u8]>,
    known: Option<usize>,
) -> Option<usize> {
    let mut length = known;
    let mut values = values.peekable();
    // The usual value, digits only, without the splitting and trimming.
    if let Some(n) = values.peek().and_then(|v| parse_length(v)) {
        if length.is_some_and(|l| l != n) {
            return None;
        }
        values.next();
        length = Some(n);
    }
    for item in values.flat_map(|v| v.split(|&b| b == b',')).map(trim) {
        let n = parse_length(item)?;
        if length.is_some_and(|l| l != n) {
            return None;
        }
        length = Some(n);
    }
    length
}

fn trim(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(start, |e| e + 1);
    &s[start..end]
}

fn parse_length(s: &[u8]) -> Option<usize> {
    if s.is_empty() || s.len() > 19 {
        return None;
    }
    s.iter().try_fold(0usize, |n, &b| {
        if b.is_ascii_digit() {
            n.checked_mul(10)?.checked_add(usize::from(b - b'0'))
        } else {
            None
        }
    })
}

#[cfg(test)]
mod agree;
#[cfg(test)]
mod tests;
