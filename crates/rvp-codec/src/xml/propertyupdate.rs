//! `d:propertyupdate`, the body of a PROPPATCH request and the payload of a
//! `propnotification`.
//!
//! ```text
//! <d:propertyupdate><d:set><d:prop><r:state>…</r:state></d:prop></d:set>
//!   <d:remove><d:prop><r:email/></d:prop></d:remove></d:propertyupdate>
//! ```
//!
//! Instructions keep their document order (DAV applies them in order). The draft's
//! PROPPATCH example opens the root as `<D:propupdate>` and closes it as
//! `</D:propertyupdate>`: strict decoding rejects both the name and the mismatch;
//! [`Config::relaxed_end_tags`](crate::Config) accepts `propupdate` as the root name
//! and the mismatched end tag.

use super::name::PropName;
use super::property::{Property, read_names, read_props};
use super::reader::{Elem, Ns, Reader, required, set_once};
use super::{XmlError, writer};
use crate::Config;

/// One instruction of a [`PropertyUpdate`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UpdateOp {
    /// `d:set`: set these properties to these values.
    Set(Vec<Property>),
    /// `d:remove`: remove these properties.
    Remove(Vec<PropName>),
}

/// The body of a PROPPATCH request: set and remove instructions, in order.
///
/// ```
/// use rvp_codec::Config;
/// use rvp_codec::xml::{Property, PropertyUpdate, State, StateProperty};
///
/// let update = PropertyUpdate::set(vec![Property::State(StateProperty::leased(
///     State::Online,
///     State::Offline,
///     1200,
/// ))]);
/// let bytes = update.to_bytes();
/// assert!(bytes.starts_with(b"<?xml version=\"1.0\"?><d:propertyupdate xmlns:d=\"DAV:\""));
/// assert_eq!(PropertyUpdate::decode(&bytes, &Config::strict()).unwrap(), update);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PropertyUpdate {
    /// The instructions, in document order.
    pub ops: Vec<UpdateOp>,
}

impl PropertyUpdate {
    /// A single `set` instruction.
    pub fn set(props: Vec<Property>) -> Self {
        Self {
            ops: vec![UpdateOp::Set(props)],
        }
    }

    /// Every property set by the `set` instructions, in order.
    pub fn set_props(&self) -> impl Iterator<Item = &Property> {
        self.ops.iter().flat_map(|op| match op {
            UpdateOp::Set(props) => props.as_slice(),
            UpdateOp::Remove(_) => &[],
        })
    }

    /// Decodes a `propertyupdate` document.
    pub fn decode(bytes: &[u8], config: &Config) -> Result<Self, XmlError> {
        Reader::document(
            bytes,
            config,
            "DAV: propertyupdate",
            |r, root| Self::is_root(r, root),
            Self::read,
        )
    }

    /// Whether `elem` is a `propertyupdate` (or, leniently, the draft's `propupdate`).
    pub(crate) fn is_root(reader: &Reader<'_>, elem: &Elem<'_>) -> bool {
        reader.is(elem, Ns::Dav, "propertyupdate")
            || (reader.config().relaxed_end_tags && reader.is(elem, Ns::Dav, "propupdate"))
    }

    pub(crate) fn read(reader: &mut Reader<'_>, _root: &Elem<'_>) -> Result<Self, XmlError> {
        const PARENT: &str = "propertyupdate";
        let mut ops = Vec::new();
        while let Some(child) = reader.child(PARENT)? {
            let set = reader.is(&child, Ns::Dav, "set");
            if !set && !reader.is(&child, Ns::Dav, "remove") {
                return Err(Reader::unexpected(PARENT, &child));
            }
            let parent = if set { "set" } else { "remove" };
            let mut op = None;
            while let Some(prop) = reader.child(parent)? {
                if !reader.is(&prop, Ns::Dav, "prop") {
                    return Err(Reader::unexpected(parent, &prop));
                }
                let value = if set {
                    UpdateOp::Set(read_props(reader)?)
                } else {
                    UpdateOp::Remove(read_names(reader)?)
                };
                set_once(&mut op, value, parent, "prop", prop.offset)?;
            }
            ops.push(required(op, parent, "prop", child.offset)?);
        }
        Ok(Self { ops })
    }

    /// Appends the `d:propertyupdate` element (no declaration).
    pub(crate) fn encode_element(&self, out: &mut Vec<u8>) {
        writer::start(out, "d:propertyupdate");
        self.encode_content(out);
        writer::end(out, "d:propertyupdate");
    }

    fn encode_content(&self, out: &mut Vec<u8>) {
        for op in &self.ops {
            match op {
                UpdateOp::Set(props) => {
                    writer::start(out, "d:set");
                    writer::start(out, "d:prop");
                    for prop in props {
                        prop.encode(out);
                    }
                    writer::end(out, "d:prop");
                    writer::end(out, "d:set");
                }
                UpdateOp::Remove(names) => {
                    writer::start(out, "d:remove");
                    writer::start(out, "d:prop");
                    for name in names {
                        name.encode(out);
                    }
                    writer::end(out, "d:prop");
                    writer::end(out, "d:remove");
                }
            }
        }
    }

    /// Appends the document (declaration, single line, final newline).
    pub fn encode(&self, out: &mut Vec<u8>) {
        writer::root_start(out, "d:propertyupdate");
        self.encode_content(out);
        writer::root_end(out, "d:propertyupdate");
    }

    /// The encoded document.
    pub fn to_bytes(&self) -> bytes::Bytes {
        let mut out = Vec::new();
        self.encode(&mut out);
        out.into()
    }
}
