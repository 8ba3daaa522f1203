//! [`LeaveNotice`]: a participant left a multi-party conversation, `text/x-imleave`.

use super::field::Field;
use super::guid::SessionId;
use super::{MimeError, Parts};
use crate::Config;

/// A leave notification (sent by librvp when the user closes a multi-party
/// conversation): `Content-Type: text/x-imleave; charset=UTF-8`, the conversation's
/// `Session-Id`, and an empty body. The draft has no payload for this; it only answers
/// later messages of a left conversation with `500`.
///
/// ```text
/// MIME-Version: 1.0
/// Content-Type: text/x-imleave; charset=UTF-8
/// Session-Id: {9BCA3DAF-70A2-7372-6CA5-2A6002C7D16F}
///
/// ```
///
/// A body made only of whitespace and line ends is accepted and dropped; any other body
/// is [`MimeError::UnexpectedBody`].
///
/// ```
/// use rvp_codec::Config;
/// use rvp_codec::mime::{Guid, LeaveNotice, Payload};
///
/// let leave = LeaveNotice::new(Guid::from_u128(7).into());
/// let mut wire = Vec::new();
/// Payload::Leave(leave.clone()).encode(&mut wire);
/// assert_eq!(Payload::decode(&wire, &Config::strict())?, Payload::Leave(leave));
/// # Ok::<(), rvp_codec::mime::MimeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct LeaveNotice {
    /// The `Session-Id` header, if present.
    pub session_id: Option<SessionId>,
    /// Other header fields, in order (written after the known ones). Names of the
    /// fields above (and `MIME-Version`, `Content-Type`) do not belong here: the
    /// encoding would not decode.
    pub extra_headers: Vec<Field>,
}

impl LeaveNotice {
    /// A notice that the sender left conversation `session_id`.
    pub fn new(session_id: SessionId) -> Self {
        Self {
            session_id: Some(session_id),
            extra_headers: Vec::new(),
        }
    }

    pub(crate) fn decode(mut parts: Parts<'_>, config: &Config) -> Result<Self, MimeError> {
        parts
            .content_type
            .charset(parts.content_type_line, config)?;
        let session_id = parts.session_id(config)?;
        parts.expect_blank(parts.block.rest, parts.block.rest_line, "text/x-imleave")?;
        Ok(Self {
            session_id,
            extra_headers: parts.block.into_extra()?,
        })
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(
            b"MIME-Version: 1.0\r\nContent-Type: text/x-imleave; charset=UTF-8\r\n",
        );
        super::encode_tail(out, self.session_id.as_ref(), &self.extra_headers);
    }
}
