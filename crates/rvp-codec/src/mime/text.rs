//! [`TextMessage`]: an instant message, `text/plain` (draft section 11.1).

use super::block::Known;
use super::content_type::Charset;
use super::field::{Field, encode_line};
use super::format::ImFormat;
use super::guid::SessionId;
use super::{MimeError, Parts};
use crate::Config;

/// An instant message: `Content-Type: text/plain; charset=UTF-8`, an optional
/// `X-MMS-IM-Format`, the conversation's `Session-Id`, and the text.
///
/// Encoded as (the order Messenger, Miranda and librvp use):
///
/// ```text
/// MIME-Version: 1.0
/// Content-Type: text/plain; charset=UTF-8
/// X-MMS-IM-Format: FN=MS%20Shell%20Dlg; EF=; CO=0; CS=0; PF=0
/// Session-Id: {9BCA3DAF-70A2-7372-6CA5-2A6002C7D16F}
/// <extra headers>
///
/// Hello
/// ```
///
/// The body is decoded from the `charset` parameter (UTF-8 when absent; also US-ASCII,
/// ISO-8859-1 and windows-1252) and always encoded as UTF-8. It is kept exactly: line
/// ends inside it are not converted, markup is not interpreted (librvp sends `<b>` and
/// `&` verbatim), and mojibake from a peer (librvp double-encodes non-ASCII text as
/// UTF-8) is not repaired.
///
/// ```
/// use rvp_codec::Config;
/// use rvp_codec::mime::{Payload, TextMessage};
///
/// let msg = TextMessage::new("Hello");
/// let mut wire = Vec::new();
/// Payload::Text(msg.clone()).encode(&mut wire);
/// assert_eq!(
///     wire,
///     b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nHello"
/// );
/// assert_eq!(Payload::decode(&wire, &Config::strict())?, Payload::Text(msg));
/// # Ok::<(), rvp_codec::mime::MimeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct TextMessage {
    /// The `X-MMS-IM-Format` header, if present.
    pub format: Option<ImFormat>,
    /// The `Session-Id` header, if present.
    pub session_id: Option<SessionId>,
    /// Other header fields, in order (written after the known ones). Names of the
    /// fields above (and `MIME-Version`, `Content-Type`) do not belong here: the
    /// encoding would not decode.
    pub extra_headers: Vec<Field>,
    /// The message text.
    pub body: String,
}

impl TextMessage {
    /// A message with this text and no other header.
    pub fn new(body: impl Into<String>) -> Self {
        Self {
            format: None,
            session_id: None,
            extra_headers: Vec::new(),
            body: body.into(),
        }
    }

    pub(crate) fn decode(mut parts: Parts<'_>, config: &Config) -> Result<Self, MimeError> {
        let charset = parts
            .content_type
            .charset(parts.content_type_line, config)?;
        let format = match parts.block.take_known(Known::ImFormat)? {
            Some(f) => Some(ImFormat::decode(&f.value, f.line, config)?),
            None => None,
        };
        let session_id = parts.session_id(config)?;
        let body_start = parts.block.rest;
        let body = match parts.block.text_from(body_start) {
            // The scan already checked that the body is UTF-8.
            Some(text) if charset == Charset::Utf8 => text.to_owned(),
            _ => charset.decode(
                parts.input.get(body_start..).unwrap_or_default(),
                body_start,
            )?,
        };
        Ok(Self {
            format,
            session_id,
            extra_headers: parts.block.into_extra()?,
            body,
        })
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n");
        if let Some(f) = &self.format {
            encode_line(out, "X-MMS-IM-Format", &f.to_string());
        }
        super::encode_tail(out, self.session_id.as_ref(), &self.extra_headers);
        out.extend_from_slice(self.body.as_bytes());
    }
}
