//! `d:propfind`, the body of a PROPFIND request.
//!
//! ```text
//! <d:propfind><d:prop><d:displayname/></d:prop></d:propfind>
//! ```
//!
//! RVP servers require `Depth: 0` (a header, not checked here). DAV's `allprop` and
//! `propname` forms are read too; the draft mentions both ("all property values, or a
//! list of the names").

use super::name::PropName;
use super::property::read_names;
use super::reader::{Elem, Ns, Reader, required, set_once};
use super::{XmlError, writer};
use crate::Config;

/// The body of a PROPFIND request.
///
/// ```
/// use rvp_codec::Config;
/// use rvp_codec::xml::{PropFind, PropName};
///
/// let body = br#"<?xml version="1.0"?>
/// <d:propfind xmlns:d="DAV:"><d:prop><d:displayname/></d:prop></d:propfind>"#;
/// let find = PropFind::decode(body, &Config::strict()).unwrap();
/// assert_eq!(find, PropFind::Prop(vec![PropName::DisplayName]));
/// assert_eq!(PropFind::decode(&find.to_bytes(), &Config::strict()).unwrap(), find);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PropFind {
    /// `d:prop`: these properties.
    Prop(Vec<PropName>),
    /// `d:allprop`: every property.
    AllProp,
    /// `d:propname`: the names of all properties.
    PropName,
}

impl PropFind {
    /// Decodes a `propfind` document.
    pub fn decode(bytes: &[u8], config: &Config) -> Result<Self, XmlError> {
        Reader::document(
            bytes,
            config,
            "DAV: propfind",
            |r, root| r.is(root, Ns::Dav, "propfind"),
            Self::read,
        )
    }

    pub(crate) fn read(reader: &mut Reader<'_>, root: &Elem<'_>) -> Result<Self, XmlError> {
        const PARENT: &str = "propfind";
        let mut found = None;
        while let Some(child) = reader.child(PARENT)? {
            let value = if reader.is(&child, Ns::Dav, "prop") {
                PropFind::Prop(read_names(reader)?)
            } else if reader.is(&child, Ns::Dav, "allprop") {
                reader.expect_empty("allprop")?;
                PropFind::AllProp
            } else if reader.is(&child, Ns::Dav, "propname") {
                reader.expect_empty("propname")?;
                PropFind::PropName
            } else {
                return Err(Reader::unexpected(PARENT, &child));
            };
            set_once(&mut found, value, PARENT, "prop", child.offset)?;
        }
        required(found, PARENT, "prop", root.offset)
    }

    /// Appends the document (declaration, single line, final newline).
    pub fn encode(&self, out: &mut Vec<u8>) {
        writer::root_start(out, "d:propfind");
        match self {
            PropFind::Prop(names) => {
                writer::start(out, "d:prop");
                for name in names {
                    name.encode(out);
                }
                writer::end(out, "d:prop");
            }
            PropFind::AllProp => writer::empty(out, "d:allprop"),
            PropFind::PropName => writer::empty(out, "d:propname"),
        }
        writer::root_end(out, "d:propfind");
    }

    /// The encoded document.
    pub fn to_bytes(&self) -> bytes::Bytes {
        let mut out = Vec::new();
        self.encode(&mut out);
        out.into()
    }
}
