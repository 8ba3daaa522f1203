//! `d:multistatus`, the body of a 207 answer to PROPFIND, PROPPATCH and a property
//! SUBSCRIBE.
//!
//! ```text
//! <d:multistatus><d:response><d:href>http://im.example.com/instmsg/aliases/stevem</d:href>
//!   <d:propstat><d:prop><r:state><r:online/></r:state></d:prop>
//!   <d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>
//! ```
//!
//! Inside a `propstat`, an element with no content at all (`<d:displayname/>`) is a
//! property *name* ([`PropEntry::Name`], as listed under a `404` status); an element with
//! content is a value ([`PropEntry::Value`]).
//!
//! The `d:status` text is an HTTP status line: `HTTP/1.1 200 OK`. The draft's 207 example
//! writes `HTTP/1.1.200.Successful` (dots for spaces): strict decoding rejects it,
//! [`Config::relaxed_head_syntax`](crate::Config) reads it as `200` with reason
//! `Successful`. librvp needs the `href` to be the absolute principal URL for its
//! properties to apply (not checked here: an href is any non-empty text).

use std::fmt;

use http::StatusCode;

use super::name::PropName;
use super::property::Property;
use super::reader::{Elem, Ns, Reader, TextKind, required, set_once};
use super::{XmlError, writer};
use crate::Config;

/// The body of a 207 Multi-Status answer.
///
/// ```
/// use http::StatusCode;
/// use rvp_codec::Config;
/// use rvp_codec::xml::{MultiStatus, PropEntry, PropStat, Property, PropStatus, StatusResponse};
///
/// let ms = MultiStatus {
///     responses: vec![StatusResponse {
///         href: "http://example.com/instmsg/aliases/alice".into(),
///         propstats: vec![PropStat {
///             props: vec![PropEntry::Value(Property::DisplayName("Alice".into()))],
///             status: PropStatus::new(StatusCode::OK),
///         }],
///     }],
/// };
/// assert_eq!(MultiStatus::decode(&ms.to_bytes(), &Config::strict()).unwrap(), ms);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct MultiStatus {
    /// One `d:response` per resource.
    pub responses: Vec<StatusResponse>,
}

/// A `d:response`: the properties of one resource.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StatusResponse {
    /// `d:href`: the resource (a principal URL). Must not be empty nor start or end with whitespace to read back in strict mode.
    pub href: String,
    /// The `d:propstat` groups, each with one status.
    pub propstats: Vec<PropStat>,
}

/// A `d:propstat`: properties that share a status.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PropStat {
    /// The `d:prop` children.
    pub props: Vec<PropEntry>,
    /// The `d:status`.
    pub status: PropStatus,
}

/// A child of a `propstat`'s `d:prop`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PropEntry {
    /// A property with its value.
    Value(Property),
    /// A property name alone (an empty element), as listed with a `404` status.
    ///
    /// A [`PropEntry::Value`] whose text is empty is written as an empty element and
    /// so reads back as a `Name`.
    Name(PropName),
}

/// The HTTP status line in a `d:status`, such as `HTTP/1.1 404 Not Found`.
///
/// Encoding always writes `HTTP/1.1`; decoding accepts any `HTTP/x.y` version.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PropStatus {
    /// The status code.
    pub code: StatusCode,
    /// The reason phrase, free text (peers write `OK`, `Successful`, `Not Found`).
    /// Must not end with whitespace to read back in strict mode.
    pub reason: String,
}

impl PropStatus {
    /// The status with its canonical reason phrase (`OK`, `Not Found`).
    pub fn new(code: StatusCode) -> Self {
        Self {
            code,
            reason: code.canonical_reason().unwrap_or("").to_owned(),
        }
    }

    /// Parses a status line. `relaxed` also accepts `.` as the separator.
    fn parse(text: &str, relaxed: bool) -> Option<Self> {
        let is_sep = |b: u8| b == b' ' || (relaxed && b == b'.');
        let rest = text.strip_prefix("HTTP/")?;
        let major = rest.bytes().take_while(u8::is_ascii_digit).count();
        let rest = rest.get(major..)?.strip_prefix('.')?;
        let minor = rest.bytes().take_while(u8::is_ascii_digit).count();
        if major == 0 || minor == 0 {
            return None;
        }
        let rest = rest.get(minor..)?;
        if !rest.bytes().next().is_some_and(is_sep) {
            return None;
        }
        let digits = rest.get(1..4)?;
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let code = StatusCode::from_bytes(digits.as_bytes()).ok()?;
        let reason = match rest.get(4..)? {
            "" => "",
            tail => {
                if !tail.bytes().next().is_some_and(is_sep) {
                    return None;
                }
                tail.get(1..)?
            }
        };
        Some(Self {
            code,
            reason: reason.to_owned(),
        })
    }
}

impl fmt::Display for PropStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.reason.is_empty() {
            write!(f, "HTTP/1.1 {}", self.code.as_u16())
        } else {
            write!(f, "HTTP/1.1 {} {}", self.code.as_u16(), self.reason)
        }
    }
}

impl MultiStatus {
    /// Decodes a `multistatus` document.
    pub fn decode(bytes: &[u8], config: &Config) -> Result<Self, XmlError> {
        Reader::document(
            bytes,
            config,
            "DAV: multistatus",
            |r, root| r.is(root, Ns::Dav, "multistatus"),
            Self::read,
        )
    }

    pub(crate) fn read(reader: &mut Reader<'_>, _root: &Elem<'_>) -> Result<Self, XmlError> {
        let mut responses = Vec::new();
        while let Some(child) = reader.child("multistatus")? {
            if !reader.is(&child, Ns::Dav, "response") {
                return Err(Reader::unexpected("multistatus", &child));
            }
            responses.push(read_response(reader, &child)?);
        }
        Ok(Self { responses })
    }

    /// Appends the document (declaration, single line, final newline).
    pub fn encode(&self, out: &mut Vec<u8>) {
        writer::root_start(out, "d:multistatus");
        for response in &self.responses {
            writer::start(out, "d:response");
            writer::text_element(out, "d:href", &response.href);
            for propstat in &response.propstats {
                writer::start(out, "d:propstat");
                writer::start(out, "d:prop");
                for entry in &propstat.props {
                    match entry {
                        PropEntry::Value(prop) => prop.encode(out),
                        PropEntry::Name(name) => name.encode(out),
                    }
                }
                writer::end(out, "d:prop");
                writer::text_element(out, "d:status", &propstat.status.to_string());
                writer::end(out, "d:propstat");
            }
            writer::end(out, "d:response");
        }
        writer::root_end(out, "d:multistatus");
    }

    /// The encoded document.
    pub fn to_bytes(&self) -> bytes::Bytes {
        let mut out = Vec::new();
        self.encode(&mut out);
        out.into()
    }
}

fn read_response(reader: &mut Reader<'_>, elem: &Elem<'_>) -> Result<StatusResponse, XmlError> {
    const PARENT: &str = "response";
    let mut href = None;
    let mut propstats = Vec::new();
    while let Some(child) = reader.child(PARENT)? {
        if reader.is(&child, Ns::Dav, "href") {
            let value = reader
                .value(&child, "href", TextKind::Required)?
                .into_owned();
            set_once(&mut href, value, PARENT, "href", child.offset)?;
        } else if reader.is(&child, Ns::Dav, "propstat") {
            propstats.push(read_propstat(reader, &child)?);
        } else {
            return Err(Reader::unexpected(PARENT, &child));
        }
    }
    Ok(StatusResponse {
        href: required(href, PARENT, "href", elem.offset)?,
        propstats,
    })
}

fn read_propstat(reader: &mut Reader<'_>, elem: &Elem<'_>) -> Result<PropStat, XmlError> {
    const PARENT: &str = "propstat";
    let mut props = None;
    let mut status = None;
    while let Some(child) = reader.child(PARENT)? {
        if reader.is(&child, Ns::Dav, "prop") {
            let mut entries = Vec::new();
            while let Some(prop) = reader.child("prop")? {
                if reader.at_empty_end()? {
                    entries.push(PropEntry::Name(PropName::read(reader, &prop)?));
                } else {
                    entries.push(PropEntry::Value(Property::read(reader, &prop)?));
                }
            }
            set_once(&mut props, entries, PARENT, "prop", child.offset)?;
        } else if reader.is(&child, Ns::Dav, "status") {
            let relaxed = reader.config().relaxed_head_syntax;
            let text = reader.value(&child, "status", TextKind::Required)?;
            let value = PropStatus::parse(&text, relaxed).ok_or(XmlError::InvalidValue {
                element: "status",
                reason: "not an HTTP status line",
                offset: child.offset,
            })?;
            set_once(&mut status, value, PARENT, "status", child.offset)?;
        } else {
            return Err(Reader::unexpected(PARENT, &child));
        }
    }
    Ok(PropStat {
        props: required(props, PARENT, "prop", elem.offset)?,
        status: required(status, PARENT, "status", elem.offset)?,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn status_lines() {
        let ok = PropStatus::parse("HTTP/1.1 200 OK", false).unwrap();
        assert_eq!((ok.code, ok.reason.as_str()), (StatusCode::OK, "OK"));
        let nf = PropStatus::parse("HTTP/1.1 404 Not Found", false).unwrap();
        assert_eq!(nf.reason, "Not Found");
        assert_eq!(PropStatus::parse("HTTP/1.1 200", false).unwrap().reason, "");
        assert!(PropStatus::parse("HTTP/1.1.200.Successful", false).is_none());
        let draft = PropStatus::parse("HTTP/1.1.200.Successful", true).unwrap();
        assert_eq!(
            (draft.code, draft.reason.as_str()),
            (StatusCode::OK, "Successful")
        );
        for bad in [
            "",
            "HTTP/",
            "HTTP/1.1",
            "HTTP/1.1 20",
            "HTTP/1.1 2000",
            "HTTP/1.1 099 x",
            "http/1.1 200 OK",
            "HTTP/1.1 200OK",
        ] {
            assert!(PropStatus::parse(bad, true).is_none(), "{bad}");
        }
        assert_eq!(
            PropStatus::new(StatusCode::NOT_FOUND).to_string(),
            "HTTP/1.1 404 Not Found"
        );
    }
}
