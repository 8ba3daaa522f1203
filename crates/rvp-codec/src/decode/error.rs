//! Framing and head-syntax errors.

use http::StatusCode;
use std::fmt;

/// Why a message could not be framed or its head could not be parsed.
///
/// Incomplete input is never an error: the decoders return `Ok(None)` until a whole
/// message is buffered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The head (or a chunked trailer section) is larger than
    /// [`Limits::max_head_size`](crate::Limits::max_head_size).
    #[error("message head larger than {limit} bytes")]
    HeadTooLarge {
        /// The limit in force.
        limit: usize,
    },
    /// More header fields than [`Limits::max_headers`](crate::Limits::max_headers).
    #[error("more than {limit} header fields")]
    TooManyHeaders {
        /// The limit in force.
        limit: usize,
    },
    /// The body is larger than [`Limits::max_body_size`](crate::Limits::max_body_size).
    #[error("body larger than {limit} bytes")]
    BodyTooLarge {
        /// The limit in force.
        limit: usize,
    },
    /// The head or the chunked framing breaks the syntax.
    #[error("malformed {what} at byte {offset}")]
    Syntax {
        /// Which part of the syntax.
        what: Syntax,
        /// Offset of the offending byte from the start of the message.
        offset: usize,
    },
    /// A `Content-Length` that is not a decimal number, or several that differ.
    #[error("invalid Content-Length")]
    InvalidContentLength,
    /// Both `Content-Length` and `Transfer-Encoding`: refused, as the combination is the
    /// classic request-smuggling vector.
    #[error("both Content-Length and Transfer-Encoding")]
    ConflictingFraming,
    /// A transfer coding other than `chunked`, or `chunked` not last.
    #[error("unsupported transfer coding")]
    UnsupportedTransferCoding,
    /// An HTTP version other than 1.0 and 1.1.
    #[error("unsupported HTTP version")]
    UnsupportedVersion,
    /// The peer closed the connection in the middle of a message.
    #[error("connection closed before the message was complete")]
    UnexpectedEof,
}

impl DecodeError {
    /// The status code a server answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            DecodeError::HeadTooLarge { .. } | DecodeError::TooManyHeaders { .. } => {
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
            }
            DecodeError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            DecodeError::UnsupportedTransferCoding => StatusCode::NOT_IMPLEMENTED,
            DecodeError::UnsupportedVersion => StatusCode::HTTP_VERSION_NOT_SUPPORTED,
            DecodeError::Syntax { .. }
            | DecodeError::InvalidContentLength
            | DecodeError::ConflictingFraming
            | DecodeError::UnexpectedEof => StatusCode::BAD_REQUEST,
        }
    }
}

/// The part of the message syntax a [`DecodeError::Syntax`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Syntax {
    /// The method token.
    Method,
    /// The request target.
    RequestTarget,
    /// The `HTTP/x.y` token.
    Version,
    /// The request line's structure (spaces, end of line).
    RequestLine,
    /// The status line's structure.
    StatusLine,
    /// The three-digit status code.
    StatusCode,
    /// The reason phrase.
    ReasonPhrase,
    /// A header field name (empty, a non-token byte, or whitespace before the colon).
    HeaderName,
    /// A header field value (a control character).
    HeaderValue,
    /// A header line without a colon.
    HeaderLine,
    /// A header line folded onto the next (obsolete line folding).
    ObsFold,
    /// A line ended by a bare LF.
    LineEnding,
    /// A chunk-size line.
    ChunkSize,
    /// The CRLF after a chunk's data.
    ChunkEnd,
}

impl fmt::Display for Syntax {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Syntax::Method => "method",
            Syntax::RequestTarget => "request target",
            Syntax::Version => "HTTP version",
            Syntax::RequestLine => "request line",
            Syntax::StatusLine => "status line",
            Syntax::StatusCode => "status code",
            Syntax::ReasonPhrase => "reason phrase",
            Syntax::HeaderName => "header name",
            Syntax::HeaderValue => "header value",
            Syntax::HeaderLine => "header line",
            Syntax::ObsFold => "folded header line",
            Syntax::LineEnding => "line ending",
            Syntax::ChunkSize => "chunk size",
            Syntax::ChunkEnd => "chunk terminator",
        })
    }
}
