//! [`MimeError`]: why a MIME payload does not decode, and where.

use http::StatusCode;

/// A MIME payload that does not decode.
///
/// Every variant says what is wrong and where: `line` is the 1-based line number in the
/// payload as handed to [`Payload::decode`](super::Payload::decode) (lines removed by
/// lenient re-indentation still count), `offset` a byte offset into the payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MimeError {
    /// A header line ends with a bare `\n` and [`Config::allow_bare_lf`] is off.
    ///
    /// [`Config::allow_bare_lf`]: crate::Config::allow_bare_lf
    #[error("MIME header line {line} ends with a bare LF, not CRLF")]
    BareLf {
        /// 1-based line number.
        line: usize,
    },
    /// A `\r` inside a header line that is not followed by `\n`.
    #[error("stray CR in MIME header line {line}")]
    BareCr {
        /// 1-based line number.
        line: usize,
    },
    /// The payload starts with a blank or indented line (the draft's indented examples)
    /// and [`Config::trim_text`] is off.
    ///
    /// [`Config::trim_text`]: crate::Config::trim_text
    #[error("MIME payload starts with whitespace at line {line}")]
    LeadingWhitespace {
        /// 1-based line number of the first whitespace-only or indented line.
        line: usize,
    },
    /// A header line starts with whitespace (obsolete line folding) and
    /// [`Config::relaxed_head_syntax`] is off, or the block starts with one.
    ///
    /// [`Config::relaxed_head_syntax`]: crate::Config::relaxed_head_syntax
    #[error("folded MIME header line {line}")]
    Folded {
        /// 1-based line number of the continuation line.
        line: usize,
    },
    /// A header line has no colon.
    #[error("MIME header line {line} has no colon")]
    MissingColon {
        /// 1-based line number.
        line: usize,
    },
    /// A header name is empty, is not a token, or is followed by whitespace before the
    /// colon (allowed by [`Config::relaxed_head_syntax`]).
    ///
    /// [`Config::relaxed_head_syntax`]: crate::Config::relaxed_head_syntax
    #[error("invalid MIME header name at line {line}")]
    InvalidName {
        /// 1-based line number.
        line: usize,
    },
    /// A header line is not valid UTF-8.
    #[error("MIME header line {line} is not UTF-8")]
    NonUtf8 {
        /// 1-based line number.
        line: usize,
    },
    /// A header value contains a control character (other than horizontal tab).
    #[error("control character in MIME header value at line {line}")]
    ControlCharacter {
        /// 1-based line number.
        line: usize,
    },
    /// A header block has more fields than [`Limits::max_headers`].
    ///
    /// [`Limits::max_headers`]: crate::Limits::max_headers
    #[error("MIME header block has more than {limit} fields")]
    TooManyFields {
        /// The limit that was exceeded.
        limit: usize,
    },
    /// A field that must appear at most once appears again.
    #[error("duplicate {name} field at line {line}")]
    DuplicateField {
        /// The field's name, as peers spell it.
        name: &'static str,
        /// 1-based line number of the repetition.
        line: usize,
    },
    /// A required field is missing: `Content-Type`, `MIME-Version` (strict only),
    /// `Invitation-Command` or `Invitation-Cookie`.
    #[error("missing {name} field")]
    MissingField {
        /// The field's name, as peers spell it.
        name: &'static str,
    },
    /// The value of a typed field does not parse (a GUID, number, address, boolean,
    /// `MIME-Version` other than `1.0`, or a malformed `Content-Type`).
    #[error("invalid {name} value at line {line}")]
    InvalidValue {
        /// The field's name, as peers spell it.
        name: &'static str,
        /// 1-based line number.
        line: usize,
    },
    /// A `Content-Type` of a known payload carries a parameter other than `charset`
    /// (ignored with [`Config::allow_known_typos`]).
    ///
    /// [`Config::allow_known_typos`]: crate::Config::allow_known_typos
    #[error("unexpected Content-Type parameter {parameter:?} at line {line}")]
    UnexpectedParameter {
        /// The parameter's name as received.
        parameter: String,
        /// 1-based line number.
        line: usize,
    },
    /// An `X-MMS-IM-Format` item does not parse.
    #[error("invalid X-MMS-IM-Format {} at line {line}", key.unwrap_or("item"))]
    InvalidImFormat {
        /// The key whose value is invalid or which appears twice (`FN`, `EF`, `CO`,
        /// `CS`, `PF` or `RL`), or `None` for an item that is not `KEY=VALUE`.
        key: Option<&'static str>,
        /// 1-based line number.
        line: usize,
    },
    /// `Invitation-Command` is not `INVITE`, `ACCEPT` or `CANCEL`.
    #[error("unknown Invitation-Command {command:?} at line {line}")]
    UnknownInvitationCommand {
        /// The command as received.
        command: String,
        /// 1-based line number.
        line: usize,
    },
    /// The `charset` of a text message is not one this codec decodes (UTF-8, US-ASCII,
    /// ISO-8859-1, windows-1252). Status `415`.
    #[error("unsupported charset {charset:?}")]
    UnsupportedCharset {
        /// The charset label as received.
        charset: String,
    },
    /// The body of a UTF-8 (or US-ASCII) text message is not valid UTF-8.
    #[error("text body is not valid UTF-8 at byte {offset} of the payload")]
    InvalidUtf8Body {
        /// Byte offset of the first invalid byte in the payload (after lenient
        /// re-indentation, if the payload was indented).
        offset: usize,
    },
    /// A typing notice, leave notice or invitation has a non-blank body (after its
    /// header blocks).
    #[error("unexpected body in {content_type} payload at line {line}")]
    UnexpectedBody {
        /// The payload's media type.
        content_type: &'static str,
        /// 1-based line number where the unexpected content starts.
        line: usize,
    },
}

impl MimeError {
    /// The status code to answer with: `431` for [`MimeError::TooManyFields`], `415`
    /// for [`MimeError::UnsupportedCharset`], `400` otherwise.
    pub fn status(&self) -> StatusCode {
        match self {
            MimeError::TooManyFields { .. } => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            MimeError::UnsupportedCharset { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}
