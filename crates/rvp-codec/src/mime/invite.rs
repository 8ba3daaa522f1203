//! [`Invitation`]: application invitations, `text/x-msmsgsinvite` (draft section 11.3).

use std::fmt;
use std::net::IpAddr;

use super::block::{self, Block, RawField};
use super::field::{Field, FieldValue, InvalidText, encode_line, is_token};
use super::guid::{Guid, SessionId};
use super::{MimeError, Parts};
use crate::Config;

/// An application invitation (file transfer, NetMeeting, ...) or the answer to one.
///
/// The payload has two header blocks: the MIME headers (`Content-Type:
/// text/x-msmsgsinvite; charset=UTF-8`, `Session-Id`), an empty line, then the
/// invitation fields, then (optionally) an empty line. Only whitespace may follow.
///
/// The draft's NetMeeting invitation, and what Messenger (via Miranda) and librvp send
/// for MSN file transfer (MSNFTP):
///
/// ```text
/// Application-Name: File Transfer                       INVITE
/// Application-GUID: {5D3E02AB-6190-11d3-BBBB-00C04F795683}
/// Invitation-Command: INVITE
/// Invitation-Cookie: 3
/// Application-File: notes.txt
/// Application-FileSize: 1234
///
/// Invitation-Command: ACCEPT                            receiver accepts
/// Invitation-Cookie: 3
/// Launch-Application: FALSE
/// Request-Data: IP-Address:
///
/// Invitation-Command: ACCEPT                            sender's connection data
/// Invitation-Cookie: 3
/// IP-Address: 192.0.2.1
/// Port: 6891
/// AuthCookie: 12345
///
/// Invitation-Command: CANCEL                            rejection or time-out
/// Invitation-Cookie: 3
/// Cancel-Code: REJECT
/// ```
///
/// Every field but the command and the cookie is optional; the encoder writes the
/// present ones in the order above, then [`Invitation::extra_fields`] (for example
/// Messenger's `Connectivity` and `Sender-Connect`) in their order. Field names are
/// case-insensitive; a known field given twice is an error.
///
/// `Application-GUID` is written in upper case, except [`Guid::FILE_TRANSFER`], which is
/// written as Messenger spells it (`{5D3E02AB-6190-11d3-BBBB-00C04F795683}`), in case a
/// peer compares it as a string.
///
/// ```
/// use rvp_codec::Config;
/// use rvp_codec::mime::{CancelCode, Invitation, InvitationCommand, Payload};
///
/// let mut cancel = Invitation::new(InvitationCommand::Cancel, 3);
/// cancel.cancel_code = Some(CancelCode::Reject);
/// let mut wire = Vec::new();
/// Payload::Invitation(cancel.clone()).encode(&mut wire);
/// assert!(wire.ends_with(b"\r\n\r\nInvitation-Command: CANCEL\r\nInvitation-Cookie: 3\r\nCancel-Code: REJECT\r\n\r\n"));
/// assert_eq!(Payload::decode(&wire, &Config::strict())?, Payload::Invitation(cancel));
/// # Ok::<(), rvp_codec::mime::MimeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Invitation {
    /// The `Session-Id` header of the first block, if present.
    pub session_id: Option<SessionId>,
    /// Other fields of the first (MIME) block, in order (not `MIME-Version`,
    /// `Content-Type` or `Session-Id`).
    pub extra_headers: Vec<Field>,
    /// `Application-Name`: `File Transfer`, `NetMeeting.3.01`, ...
    pub application_name: Option<FieldValue>,
    /// `Application-GUID`: which application ([`Guid::FILE_TRANSFER`],
    /// [`Guid::NETMEETING`], ...).
    pub application_guid: Option<Guid>,
    /// `Invitation-Command`.
    pub command: InvitationCommand,
    /// `Invitation-Cookie`: the number that ties an invitation to its answers.
    pub cookie: u32,
    /// `Application-File`: the offered file's name.
    pub application_file: Option<FieldValue>,
    /// `Application-FileSize`: the offered file's size in bytes.
    pub application_file_size: Option<u64>,
    /// `IP-Address`: where the sender listens for the MSNFTP connection.
    pub ip_address: Option<IpAddr>,
    /// `Port`: the MSNFTP listening port.
    pub port: Option<u16>,
    /// `AuthCookie`: the number the MSNFTP `USR` command must carry.
    pub auth_cookie: Option<u32>,
    /// `Launch-Application`: `TRUE` or `FALSE`.
    pub launch_application: Option<bool>,
    /// `Request-Data`: names the fields the receiver asks for (`IP-Address:`).
    pub request_data: Option<FieldValue>,
    /// `Cancel-Code`: why an invitation was cancelled.
    pub cancel_code: Option<CancelCode>,
    /// Other fields of the invitation block, in order (not the names of the fields
    /// above: the encoding would not decode).
    pub extra_fields: Vec<Field>,
}

const COMMAND: &str = "Invitation-Command";
const COOKIE: &str = "Invitation-Cookie";

impl Invitation {
    /// An invitation block with only a command and a cookie.
    pub fn new(command: InvitationCommand, cookie: u32) -> Self {
        Self {
            session_id: None,
            extra_headers: Vec::new(),
            application_name: None,
            application_guid: None,
            command,
            cookie,
            application_file: None,
            application_file_size: None,
            ip_address: None,
            port: None,
            auth_cookie: None,
            launch_application: None,
            request_data: None,
            cancel_code: None,
            extra_fields: Vec::new(),
        }
    }

    pub(crate) fn decode(mut parts: Parts<'_>, config: &Config) -> Result<Self, MimeError> {
        parts
            .content_type
            .charset(parts.content_type_line, config)?;
        let session_id = parts.session_id(config)?;
        let mut fields = block::scan(parts.input, parts.block.rest, parts.block.rest_line, config)?;
        parts.expect_blank(fields.rest, fields.rest_line, "text/x-msmsgsinvite")?;

        let command = match fields.take(COMMAND)? {
            Some(f) => InvitationCommand::decode(&f)?,
            None => return Err(MimeError::MissingField { name: COMMAND }),
        };
        let cookie = match fields.take(COOKIE)? {
            Some(f) => number(&f, COOKIE)?,
            None => return Err(MimeError::MissingField { name: COOKIE }),
        };
        let mut inv = Invitation::new(command, cookie);
        inv.session_id = session_id;
        inv.application_name = text(&mut fields, "Application-Name")?;
        inv.application_guid = typed(&mut fields, "Application-GUID", |v| Guid::parse(v).ok())?;
        inv.application_file = text(&mut fields, "Application-File")?;
        inv.application_file_size = typed(&mut fields, "Application-FileSize", parse_u64)?;
        inv.ip_address = typed(&mut fields, "IP-Address", |v| v.parse().ok())?;
        inv.port = typed(&mut fields, "Port", |v| {
            parse_u64(v).and_then(|n| u16::try_from(n).ok())
        })?;
        inv.auth_cookie = typed(&mut fields, "AuthCookie", |v| {
            parse_u64(v).and_then(|n| u32::try_from(n).ok())
        })?;
        inv.launch_application = typed(&mut fields, "Launch-Application", |v| {
            if v.eq_ignore_ascii_case("TRUE") {
                Some(true)
            } else if v.eq_ignore_ascii_case("FALSE") {
                Some(false)
            } else {
                None
            }
        })?;
        inv.request_data = text(&mut fields, "Request-Data")?;
        inv.cancel_code = typed(&mut fields, "Cancel-Code", |v| CancelCode::new(v).ok())?;
        inv.extra_fields = fields.into_extra()?;
        inv.extra_headers = parts.block.into_extra()?;
        Ok(inv)
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(
            b"MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsinvite; charset=UTF-8\r\n",
        );
        super::encode_tail(out, self.session_id.as_ref(), &self.extra_headers);
        if let Some(v) = &self.application_name {
            encode_line(out, "Application-Name", v);
        }
        if let Some(g) = self.application_guid {
            let text = if g == Guid::FILE_TRANSFER {
                FILE_TRANSFER_SPELLING.to_owned()
            } else {
                g.to_string()
            };
            encode_line(out, "Application-GUID", &text);
        }
        encode_line(out, COMMAND, self.command.as_str());
        encode_line(out, COOKIE, &self.cookie.to_string());
        if let Some(v) = &self.application_file {
            encode_line(out, "Application-File", v);
        }
        if let Some(n) = self.application_file_size {
            encode_line(out, "Application-FileSize", &n.to_string());
        }
        if let Some(ip) = self.ip_address {
            encode_line(out, "IP-Address", &ip.to_string());
        }
        if let Some(n) = self.port {
            encode_line(out, "Port", &n.to_string());
        }
        if let Some(n) = self.auth_cookie {
            encode_line(out, "AuthCookie", &n.to_string());
        }
        if let Some(b) = self.launch_application {
            encode_line(out, "Launch-Application", if b { "TRUE" } else { "FALSE" });
        }
        if let Some(v) = &self.request_data {
            encode_line(out, "Request-Data", v);
        }
        if let Some(c) = &self.cancel_code {
            encode_line(out, "Cancel-Code", c.as_str());
        }
        for f in &self.extra_fields {
            f.encode(out);
        }
        out.extend_from_slice(b"\r\n");
    }
}

/// How Messenger and librvp write [`Guid::FILE_TRANSFER`].
const FILE_TRANSFER_SPELLING: &str = "{5D3E02AB-6190-11d3-BBBB-00C04F795683}";

/// A decimal number: ASCII digits only.
fn parse_u64(v: &str) -> Option<u64> {
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse().ok()
}

fn number(f: &RawField<'_>, name: &'static str) -> Result<u32, MimeError> {
    parse_u64(&f.value)
        .and_then(|n| u32::try_from(n).ok())
        .ok_or(MimeError::InvalidValue { name, line: f.line })
}

fn text(fields: &mut Block<'_>, name: &'static str) -> Result<Option<FieldValue>, MimeError> {
    match fields.take(name)? {
        Some(f) => Ok(Some(f.to_field()?.value().clone())),
        None => Ok(None),
    }
}

fn typed<T>(
    fields: &mut Block<'_>,
    name: &'static str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<Option<T>, MimeError> {
    match fields.take(name)? {
        Some(f) => parse(&f.value)
            .map(Some)
            .ok_or(MimeError::InvalidValue { name, line: f.line }),
        None => Ok(None),
    }
}

/// The `Invitation-Command` of an invitation payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InvitationCommand {
    /// `INVITE`: the offer.
    Invite,
    /// `ACCEPT`: the receiver accepts, or the sender sends connection data.
    Accept,
    /// `CANCEL`: rejection, time-out or cancellation ([`Invitation::cancel_code`]).
    Cancel,
}

impl InvitationCommand {
    /// The command as written: `INVITE`, `ACCEPT` or `CANCEL`.
    pub const fn as_str(self) -> &'static str {
        match self {
            InvitationCommand::Invite => "INVITE",
            InvitationCommand::Accept => "ACCEPT",
            InvitationCommand::Cancel => "CANCEL",
        }
    }

    /// Matches ASCII case-insensitively.
    fn decode(f: &RawField<'_>) -> Result<Self, MimeError> {
        [Self::Invite, Self::Accept, Self::Cancel]
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(&f.value))
            .ok_or_else(|| MimeError::UnknownInvitationCommand {
                command: f.value.to_string(),
                line: f.line,
            })
    }
}

impl fmt::Display for InvitationCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `Cancel-Code` of a `CANCEL`: `REJECT` and `TIMEOUT` (sent by Miranda and
/// librvp), or any other token, kept as an extension (Messenger also uses `FTTIMEOUT`,
/// `OUTBANDCANCEL`, `FAIL` and `REJECT_NOT_INSTALLED`).
///
/// ```
/// use rvp_codec::mime::CancelCode;
///
/// assert_eq!(CancelCode::new("REJECT")?, CancelCode::Reject);
/// let other = CancelCode::new("OUTBANDCANCEL")?;
/// assert_eq!(other.as_str(), "OUTBANDCANCEL");
/// # Ok::<(), rvp_codec::mime::InvalidText>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CancelCode {
    /// `REJECT`: the receiver declined.
    Reject,
    /// `TIMEOUT`: nobody answered in time.
    Timeout,
    /// Any other code; made by [`CancelCode::new`], never equal to a known one.
    Other(CancelCodeExtension),
}

/// A cancel code other than `REJECT` and `TIMEOUT` (see [`CancelCode::new`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CancelCodeExtension(String);

impl CancelCodeExtension {
    /// The code as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl CancelCode {
    /// The code for a token: `REJECT` and `TIMEOUT` (exact case) are the known
    /// variants, any other token is [`CancelCode::Other`].
    pub fn new(code: &str) -> Result<Self, InvalidText> {
        match code {
            "REJECT" => Ok(CancelCode::Reject),
            "TIMEOUT" => Ok(CancelCode::Timeout),
            _ if is_token(code) => Ok(CancelCode::Other(CancelCodeExtension(code.to_owned()))),
            _ => Err(InvalidText::new("cancel code (a token)")),
        }
    }

    /// The code as written.
    pub fn as_str(&self) -> &str {
        match self {
            CancelCode::Reject => "REJECT",
            CancelCode::Timeout => "TIMEOUT",
            CancelCode::Other(c) => c.as_str(),
        }
    }
}

impl fmt::Display for CancelCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
