//! MIME payloads carried in a notification's `mime-data`: text messages, typing
//! notifications, application invitations and leave notices (draft section 11).
//!
//! The XML layer hands over the text content of `<r:mime-data>` (a CDATA section or
//! unescaped text) as bytes; [`Payload::decode`] turns it into a typed [`Payload`], and
//! [`Payload::encode`] writes the canonical form back: CRLF line ends, one space after
//! each colon (none before an empty value), the headers in the order real clients use
//! (`MIME-Version`, `Content-Type`, `X-MMS-IM-Format` or `TypingUser`, `Session-Id`,
//! then unknown fields), an empty line, and the body (for an invitation: its field
//! block and an empty line). For every value `v` that keeps the documented constraints
//! of its fields, `Payload::decode(&encoded(v), &config) == Ok(v)` (with
//! [`Config::lenient`] when `v` holds a [`SessionId::Malformed`]).
//!
//! The XML layer must hand the `mime-data` text over untrimmed (a text body's
//! whitespace is part of the message), and when writing, split a `]]>` of the payload
//! across CDATA sections (or escape it).
//!
//! ```
//! use rvp_codec::Config;
//! use rvp_codec::mime::{Payload, SessionId};
//!
//! let wire = b"MIME-Version: 1.0\r\n\
//!     Content-Type: text/plain; charset=UTF-8\r\n\
//!     X-MMS-IM-Format: FN=MS%20Shell%20Dlg; EF=; CO=0; CS=0; PF=0\r\n\
//!     Session-Id: {9BCA3DAF-70A2-7372-6CA5-2A6002C7D16F}\r\n\
//!     \r\n\
//!     Hello";
//! let payload = Payload::decode(wire, &Config::strict())?;
//! let Payload::Text(msg) = &payload else { panic!("not a text message") };
//! assert_eq!(msg.body, "Hello");
//! assert_eq!(msg.format.as_ref().map(|f| f.font.as_str()), Some("MS Shell Dlg"));
//! assert_eq!(
//!     payload.session_id().map(SessionId::to_string).as_deref(),
//!     Some("{9BCA3DAF-70A2-7372-6CA5-2A6002C7D16F}")
//! );
//!
//! let mut out = Vec::new();
//! payload.encode(&mut out);
//! assert_eq!(out, wire);
//! # Ok::<(), rvp_codec::mime::MimeError>(())
//! ```
//!
//! # Syntax
//!
//! A payload is a header block, an empty line, and a body. Header names are matched
//! case-insensitively (librvp lower-cases them); spaces and tabs around a value are
//! not part of it; a field the codec interprets may appear once. A block has at most
//! [`Limits::max_headers`] lines ([`MimeError::TooManyFields`], status 431). A block
//! may also end at the end of the input (the body is then empty). Every payload needs
//! `MIME-Version: 1.0` (a trailing comment is allowed) and a `Content-Type`, which
//! selects the variant:
//!
//! | `Content-Type` | variant |
//! |---|---|
//! | `text/plain` | [`Payload::Text`] ([`TextMessage`]) |
//! | `text/x-msmsgscontrol` | [`Payload::Typing`] ([`TypingNotice`]) |
//! | `text/x-msmsgsinvite` | [`Payload::Invitation`] ([`Invitation`]) |
//! | `text/x-imleave` | [`Payload::Leave`] ([`LeaveNotice`]) |
//! | anything else | [`Payload::Unknown`] ([`UnknownPayload`], preserved) |
//!
//! The `charset` parameter (UTF-8 when absent) must be UTF-8, US-ASCII, ISO-8859-1 or
//! windows-1252 ([`MimeError::UnsupportedCharset`], status 415, otherwise); it decides
//! how a text body is decoded, while header lines are always UTF-8.
//!
//! # Lenience
//!
//! [`Config::strict`] accepts the syntax above with CRLF line ends. Each lenience flag
//! of [`Config`] accepts one deviation of a real peer or of the draft:
//!
//! | flag | accepts | needed by |
//! |---|---|---|
//! | [`allow_bare_lf`](Config::allow_bare_lf) | header lines ending in `\n` | Miranda's heads; the draft's text |
//! | [`trim_text`](Config::trim_text) | a payload that starts with blank lines or indentation (undone, see below); whitespace around `=` in `Content-Type` parameters and `X-MMS-IM-Format` items | the draft's examples |
//! | [`relaxed_head_syntax`](Config::relaxed_head_syntax) | folded header lines (joined with one space), whitespace before a colon | the draft's wrapped lines |
//! | [`allow_known_typos`](Config::allow_known_typos) | `MIME-Version 1.0` without a colon; `text/x-msmsscontrol` as typing; `;.charset` (the dot is dropped) and other unknown `Content-Type` parameters of known types; a malformed `Session-Id` kept as [`SessionId::Malformed`] | the draft's section 11 |
//!
//! Undoing the draft's layout (with `trim_text`): whitespace-only lines at the start are
//! dropped; if the first header line is indented, up to that much leading whitespace is
//! removed from every line (header blocks and body), whitespace-only lines become empty,
//! and trailing whitespace at the end of the payload (the indentation before `]]>`) is
//! removed. Without `trim_text` such a payload is [`MimeError::LeadingWhitespace`].
//!
//! # The draft's errata (peers.md (d1))
//!
//! | erratum | strict | lenient |
//! |---|---|---|
//! | 8: §6.6.1 payload: first header right after `<![CDATA[`, every later line indented | [`MimeError::Folded`] at line 2 ([`MimeError::BareLf`] at line 1 with the draft's LF line ends) | re-indented: the same [`TextMessage`] as §11.1, body `LetÆs have lunch` (the draft's mojibake is valid UTF-8 and kept) |
//! | 8: §6.6.1 headers wrapped across lines (`Session-Id: {79FC61B5-1234-1234-` + newline + `8A10-…}`) | [`MimeError::Folded`] | still rejected, [`MimeError::MissingColon`]: the continuation lines start at the same column as the header lines, so they cannot be told from malformed headers; this is the draft's page layout, which the tests undo |
//! | 13: §11.2 `MIME-Version 1.0` | [`MimeError::MissingColon`] | accepted as `MIME-Version: 1.0` |
//! | 13: §11.2 `text/x-msmsscontrol` | decodes as [`Payload::Unknown`] (a well-formed, unknown type is preserved, not typed) | [`Payload::Typing`] |
//! | 13: §11.2 `Session-Id: {79FC6B5-1234-1234-8A0-941F33CA4C90}` | [`MimeError::InvalidValue`] | kept verbatim as [`SessionId::Malformed`] |
//! | 14: §11.3 `text/x-msmsgsinvite;.charset=UTF-8` | [`MimeError::UnexpectedParameter`] (`.charset`) | accepted as `charset=UTF-8` |
//! | 14: §11.3 empty line before the invitation fields | the expected structure | the expected structure |
//! | 15: §11.1 CDATA starts with a newline (and every line is indented) | [`MimeError::LeadingWhitespace`] | the newline and the indentation are dropped |
//!
//! With every flag set, the draft's three section 11 examples and the §6.6.1 message
//! (with the page wrapping undone, with or without the draft's trailing spaces) decode
//! (see the tests); with [`Config::strict`] each is rejected at its first erratum.
//!
//! [`Config`]: crate::Config
//! [`Config::strict`]: crate::Config::strict
//! [`Config::lenient`]: crate::Config::lenient
//! [`Limits::max_headers`]: crate::Limits::max_headers

mod block;
mod content_type;
mod error;
mod field;
mod format;
mod guid;
mod invite;
mod leave;
mod text;
mod typing;
mod unknown;

#[cfg(test)]
pub(crate) mod strategy;
#[cfg(test)]
mod tests;

pub use error::MimeError;
pub use field::{Field, FieldName, FieldValue, InvalidText};
pub use format::{Colour, Effects, FormatExtension, ImFormat};
pub use guid::{Guid, SessionId};
pub use invite::{CancelCode, CancelCodeExtension, Invitation, InvitationCommand};
pub use leave::LeaveNotice;
pub use text::TextMessage;
pub use typing::TypingNotice;
pub use unknown::UnknownPayload;

use block::{Block, Known};
use content_type::{ContentType, Kind};

use crate::Config;

/// A decoded MIME payload of a `mime-data` element.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Payload {
    /// An instant message (`text/plain`).
    Text(TextMessage),
    /// A typing notification (`text/x-msmsgscontrol`).
    Typing(TypingNotice),
    /// An application invitation or answer (`text/x-msmsgsinvite`).
    Invitation(Invitation),
    /// A participant left a multi-party conversation (`text/x-imleave`).
    Leave(LeaveNotice),
    /// Any other content type, preserved.
    Unknown(UnknownPayload),
}

impl Payload {
    /// Decodes the content of a `mime-data` element.
    ///
    /// Never panics; allocation is bounded by the input's size. See the
    /// [module documentation](self) for the syntax and the lenience `config` selects.
    pub fn decode(bytes: &[u8], config: &Config) -> Result<Payload, MimeError> {
        let prepared = block::prepare(bytes, config)?;
        let input: &[u8] = &prepared.bytes;
        let mut head = block::scan(input, 0, 1 + prepared.skipped_lines, config)?;
        match head.take_known(Known::MimeVersion)? {
            Some(v) if is_mime_1_0(&v.value) => {}
            Some(v) => {
                return Err(MimeError::InvalidValue {
                    name: "MIME-Version",
                    line: v.line,
                });
            }
            None => {
                return Err(MimeError::MissingField {
                    name: "MIME-Version",
                });
            }
        }
        let Some(ct) = head.take_known(Known::ContentType)? else {
            return Err(MimeError::MissingField {
                name: "Content-Type",
            });
        };
        let content_type = ContentType::parse(&ct.value, ct.line, config)?;
        let kind = content_type.kind(config);
        let parts = Parts {
            input,
            block: head,
            content_type,
            content_type_line: ct.line,
        };
        Ok(match kind {
            Kind::Text => Payload::Text(TextMessage::decode(parts, config)?),
            Kind::Typing => Payload::Typing(TypingNotice::decode(parts, config)?),
            Kind::Invitation => Payload::Invitation(Invitation::decode(parts, config)?),
            Kind::Leave => Payload::Leave(LeaveNotice::decode(parts, config)?),
            Kind::Unknown => {
                // Only an unknown payload keeps its `Content-Type` text. The scanner
                // already checked the name (a token) and the value (trimmed, no control
                // characters), so for the other kinds this conversion could not fail.
                let raw_content_type = ct.to_field()?.value().clone();
                Payload::Unknown(UnknownPayload::decode(parts, raw_content_type)?)
            }
        })
    }

    /// Appends the canonical encoding (see the [module documentation](self)).
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Payload::Text(p) => p.encode(out),
            Payload::Typing(p) => p.encode(out),
            Payload::Invitation(p) => p.encode(out),
            Payload::Leave(p) => p.encode(out),
            Payload::Unknown(p) => p.encode(out),
        }
    }

    /// The canonical encoding in a new buffer.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// The conversation's `Session-Id`, if the payload has a typed one (an
    /// [`UnknownPayload`] keeps its headers untyped).
    pub fn session_id(&self) -> Option<&SessionId> {
        match self {
            Payload::Text(p) => p.session_id.as_ref(),
            Payload::Typing(p) => p.session_id.as_ref(),
            Payload::Invitation(p) => p.session_id.as_ref(),
            Payload::Leave(p) => p.session_id.as_ref(),
            Payload::Unknown(_) => None,
        }
    }
}

impl From<TextMessage> for Payload {
    fn from(p: TextMessage) -> Self {
        Payload::Text(p)
    }
}

impl From<TypingNotice> for Payload {
    fn from(p: TypingNotice) -> Self {
        Payload::Typing(p)
    }
}

impl From<Invitation> for Payload {
    fn from(p: Invitation) -> Self {
        Payload::Invitation(p)
    }
}

impl From<LeaveNotice> for Payload {
    fn from(p: LeaveNotice) -> Self {
        Payload::Leave(p)
    }
}

impl From<UnknownPayload> for Payload {
    fn from(p: UnknownPayload) -> Self {
        Payload::Unknown(p)
    }
}

/// `1.0`, optionally followed by an RFC 2045 comment.
fn is_mime_1_0(v: &str) -> bool {
    match v.strip_prefix("1.0") {
        Some("") => true,
        Some(rest) => rest.starts_with([' ', '\t']) && rest.trim_start().starts_with('('),
        None => false,
    }
}

/// A payload after its first header block, handed to the variant's decoder.
#[derive(Debug)]
pub(crate) struct Parts<'a> {
    /// The (prepared) payload.
    input: &'a [u8],
    /// The first header block, without `MIME-Version` and `Content-Type`.
    block: Block<'a>,
    content_type: ContentType<'a>,
    content_type_line: usize,
}

impl Parts<'_> {
    /// Takes and parses `Session-Id`.
    fn session_id(&mut self, config: &Config) -> Result<Option<SessionId>, MimeError> {
        let Some(f) = self.block.take_known(Known::SessionId)? else {
            return Ok(None);
        };
        match Guid::parse(&f.value) {
            Ok(g) => Ok(Some(SessionId::Guid(g))),
            Err(_) if config.allow_known_typos => {
                Ok(Some(SessionId::Malformed(f.to_field()?.value().clone())))
            }
            Err(_) => Err(MimeError::InvalidValue {
                name: "Session-Id",
                line: f.line,
            }),
        }
    }

    /// Checks that everything from byte `from` (line `line`) on is whitespace.
    fn expect_blank(
        &self,
        from: usize,
        line: usize,
        content_type: &'static str,
    ) -> Result<(), MimeError> {
        let rest = self.input.get(from..).unwrap_or_default();
        match rest
            .iter()
            .position(|&b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        {
            None => Ok(()),
            Some(i) => Err(MimeError::UnexpectedBody {
                content_type,
                line: block::line_of(self.input, from, line, from + i),
            }),
        }
    }
}

/// Appends `Session-Id` (if any), the extra fields and the empty line.
fn encode_tail(out: &mut Vec<u8>, session_id: Option<&SessionId>, extra: &[Field]) {
    if let Some(id) = session_id {
        out.extend_from_slice(b"Session-Id: ");
        id.encode(out);
        out.extend_from_slice(b"\r\n");
    }
    for f in extra {
        f.encode(out);
    }
    out.extend_from_slice(b"\r\n");
}
