//! [`UnknownPayload`]: a payload of any other content type, preserved.

use super::field::{Field, FieldValue, encode_line};
use super::{MimeError, Parts};

/// A payload whose content type this codec does not interpret (for example Messenger's
/// `text/x-clientcaps`, or, in strict mode, the draft's misspelled
/// `text/x-msmsscontrol`), kept so that it can be inspected and re-encoded.
///
/// [`UnknownPayload::content_type`] is the `Content-Type` value as received (trimmed);
/// [`UnknownPayload::headers`] are all other header fields except `MIME-Version`, in
/// order (a `Session-Id` stays here, unparsed); the body is kept as raw bytes.
///
/// Encoded as `MIME-Version: 1.0`, `Content-Type`, the headers, an empty line and the
/// body. Values built by hand round-trip when the content type is a well-formed
/// `type/subtype` with parameters, not one of the known ones (those decode as their
/// own payload), and no header is named `MIME-Version` or `Content-Type`.
///
/// ```
/// use rvp_codec::Config;
/// use rvp_codec::mime::Payload;
///
/// let wire = b"MIME-Version: 1.0\r\nContent-Type: text/x-clientcaps\r\n\r\nClient-Name: X\r\n";
/// let Payload::Unknown(u) = Payload::decode(wire, &Config::strict())? else { panic!() };
/// assert_eq!(u.content_type.as_str(), "text/x-clientcaps");
/// assert_eq!(u.body, b"Client-Name: X\r\n");
/// let mut out = Vec::new();
/// Payload::Unknown(u).encode(&mut out);
/// assert_eq!(out, wire);
/// # Ok::<(), rvp_codec::mime::MimeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct UnknownPayload {
    /// The `Content-Type` value.
    pub content_type: FieldValue,
    /// The other header fields except `MIME-Version`, in order.
    pub headers: Vec<Field>,
    /// The body, as received.
    pub body: Vec<u8>,
}

impl UnknownPayload {
    /// A payload of this content type with no other header.
    pub fn new(content_type: FieldValue, body: impl Into<Vec<u8>>) -> Self {
        Self {
            content_type,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// The media type: the content type up to its first `;`, trimmed
    /// (`text/x-clientcaps`).
    pub fn media_type(&self) -> &str {
        let ct = self.content_type.as_str();
        ct.split(';').next().unwrap_or(ct).trim_end()
    }

    pub(crate) fn decode(parts: Parts<'_>, content_type: FieldValue) -> Result<Self, MimeError> {
        let body = parts
            .input
            .get(parts.block.rest..)
            .unwrap_or_default()
            .to_vec();
        Ok(Self {
            content_type,
            headers: parts.block.into_extra()?,
            body,
        })
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"MIME-Version: 1.0\r\n");
        encode_line(out, "Content-Type", &self.content_type);
        for h in &self.headers {
            h.encode(out);
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.body);
    }
}
