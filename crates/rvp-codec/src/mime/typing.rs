//! [`TypingNotice`]: "the user is typing", `text/x-msmsgscontrol` (draft section 11.2).

use super::block::Known;
use super::field::{Field, FieldValue, encode_line};
use super::guid::SessionId;
use super::{MimeError, Parts};
use crate::Config;

/// A typing notification: `Content-Type: text/x-msmsgscontrol`, `TypingUser`, the
/// conversation's `Session-Id`, and an empty body. Sent every few seconds while the user
/// types (4 s by Exchange 2000, 5 s by Miranda); there is no "stopped typing" payload.
///
/// `TypingUser` is the sender's sign-in name (`alice@example.com`), not a URL; librvp
/// also sends a variant without it, hence the `Option`. librvp adds `; charset=UTF-8`
/// to the content type; the encoder writes the bare form Messenger (as captured by
/// Miranda) and the draft use:
///
/// ```text
/// MIME-Version: 1.0
/// Content-Type: text/x-msmsgscontrol
/// TypingUser: alice@example.com
/// Session-Id: {9BCA3DAF-70A2-7372-6CA5-2A6002C7D16F}
///
/// ```
///
/// A body made only of whitespace and line ends is accepted and dropped; any other body
/// is [`MimeError::UnexpectedBody`].
///
/// ```
/// use rvp_codec::Config;
/// use rvp_codec::mime::{Payload, TypingNotice};
///
/// let wire = b"MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol; charset=UTF-8\r\n\
///              TypingUser: alice@example.com\r\n\r\n";
/// let Payload::Typing(t) = Payload::decode(wire, &Config::strict())? else { panic!() };
/// assert_eq!(t.typing_user.as_deref(), Some("alice@example.com"));
/// # Ok::<(), rvp_codec::mime::MimeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct TypingNotice {
    /// The `TypingUser` header: who is typing, verbatim.
    pub typing_user: Option<FieldValue>,
    /// The `Session-Id` header, if present.
    pub session_id: Option<SessionId>,
    /// Other header fields, in order (written after the known ones). Names of the
    /// fields above (and `MIME-Version`, `Content-Type`) do not belong here: the
    /// encoding would not decode.
    pub extra_headers: Vec<Field>,
}

impl TypingNotice {
    /// A notice that `user` is typing.
    pub fn new(user: FieldValue) -> Self {
        Self {
            typing_user: Some(user),
            ..Self::default()
        }
    }

    pub(crate) fn decode(mut parts: Parts<'_>, config: &Config) -> Result<Self, MimeError> {
        parts
            .content_type
            .charset(parts.content_type_line, config)?;
        let typing_user = match parts.block.take_known(Known::TypingUser)? {
            Some(f) => Some(f.to_field()?.value().clone()),
            None => None,
        };
        let session_id = parts.session_id(config)?;
        parts.expect_blank(
            parts.block.rest,
            parts.block.rest_line,
            "text/x-msmsgscontrol",
        )?;
        Ok(Self {
            typing_user,
            session_id,
            extra_headers: parts.block.into_extra()?,
        })
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol\r\n");
        if let Some(user) = &self.typing_user {
            encode_line(out, "TypingUser", user);
        }
        super::encode_tail(out, self.session_id.as_ref(), &self.extra_headers);
    }
}
