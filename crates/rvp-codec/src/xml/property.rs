//! Property values: [`Property`] and [`UnknownProperty`].
//!
//! | element | value |
//! |---|---|
//! | `r:state` | [`StateProperty`] |
//! | `d:displayname` | free text |
//! | `r:email` | token (no surrounding whitespace in strict mode) |
//! | `r:mobile-state` | `0` or `1` |
//! | `r:mobile-description` | free text |
//! | anything else | [`UnknownProperty`]: name and raw content, re-emitted verbatim |
//!
//! Free text keeps surrounding whitespace in strict mode (the draft's
//! `<D:displayname>  Steve Morgan  </D:displayname>` is the value with its padding) and
//! is trimmed with [`Config::trim_text`](crate::Config).

use super::name::{PropName, XmlName};
use super::reader::{Elem, Reader, TextKind};
use super::state::StateProperty;
use super::{XmlError, writer};
use crate::{Config, Limits};

/// A property with its value, as set by PROPPATCH or reported in a `propstat`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Property {
    /// `r:state`.
    State(StateProperty),
    /// `d:displayname`.
    DisplayName(String),
    /// `r:email`.
    Email(String),
    /// `r:mobile-state`: whether the principal's mobile is online (`1`).
    MobileState(bool),
    /// `r:mobile-description`, e.g. a phone number.
    MobileDescription(String),
    /// Any other property, kept so that it re-encodes.
    Unknown(UnknownProperty),
}

/// A property this crate does not interpret: its name and its content as it appeared
/// in the body (markup included), re-emitted byte for byte.
///
/// The content is written inside the element unchanged. When it is decoded, prefixes the
/// content uses but that were declared on an ancestor (the original root, say) are
/// declared on its top-level elements, so that it stays well-formed wherever it is
/// written; content built with [`UnknownProperty::new`] must use `d`, `r`, `a` or declare
/// its prefixes itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnknownProperty {
    name: XmlName,
    raw: String,
}

impl UnknownProperty {
    /// A property `name` whose content is the XML fragment `raw` (text and elements).
    ///
    /// Fails when `raw` is not a well-formed fragment (checked by decoding it with the
    /// strict configuration).
    ///
    /// ```
    /// use rvp_codec::xml::{UnknownProperty, XmlName};
    ///
    /// let name = XmlName::new("urn:example", "mood").unwrap();
    /// let p = UnknownProperty::new(name.clone(), "happy &amp; <b>bold</b>").unwrap();
    /// assert_eq!(p.raw(), "happy &amp; <b>bold</b>");
    /// assert!(UnknownProperty::new(name, "<b>").is_err());
    /// ```
    pub fn new(name: XmlName, raw: impl Into<String>) -> Result<Self, XmlError> {
        let candidate = Self {
            name,
            raw: raw.into(),
        };
        let mut body = Vec::new();
        writer::root_start(&mut body, "d:prop");
        candidate.encode(&mut body);
        writer::root_end(&mut body, "d:prop");
        let config = Config::strict().with_limits(Limits {
            max_xml_depth: usize::MAX,
            max_xml_elements: usize::MAX,
            ..Limits::new()
        });
        let mut reader = Reader::new(&body, &config)?;
        let _root = reader.root()?;
        let Some(elem) = reader.child("prop")? else {
            return Err(invalid_raw());
        };
        let start = reader.content_start();
        let raw = reader.raw_from(start)?;
        if raw != candidate.raw || reader.child("prop")?.is_some() {
            return Err(invalid_raw());
        }
        let _ = elem;
        reader.finish()?;
        Ok(candidate)
    }

    /// The property's name.
    pub fn name(&self) -> &XmlName {
        &self.name
    }

    /// The content, verbatim.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        if self.raw.is_empty() {
            self.name.write_open(out, true, "");
        } else {
            self.name.write_open(out, false, &self.raw);
            out.extend_from_slice(self.raw.as_bytes());
            self.name.write_close(out, &self.raw);
        }
    }
}

fn invalid_raw() -> XmlError {
    XmlError::InvalidValue {
        element: "prop",
        reason: "raw property content is not a well-formed XML fragment",
        offset: 0,
    }
}

impl Property {
    /// The property's name.
    pub fn name(&self) -> PropName {
        match self {
            Property::State(_) => PropName::State,
            Property::DisplayName(_) => PropName::DisplayName,
            Property::Email(_) => PropName::Email,
            Property::MobileState(_) => PropName::MobileState,
            Property::MobileDescription(_) => PropName::MobileDescription,
            Property::Unknown(p) => PropName::Unknown(p.name.clone()),
        }
    }

    /// Reads the property element `elem` (already started) with its value.
    pub(crate) fn read(reader: &mut Reader<'_>, elem: &Elem<'_>) -> Result<Property, XmlError> {
        Ok(match PropName::of(reader, elem) {
            PropName::State => Property::State(StateProperty::read(reader, elem)?),
            PropName::DisplayName => Property::DisplayName(
                reader
                    .value(elem, "displayname", TextKind::Free)?
                    .into_owned(),
            ),
            PropName::Email => {
                Property::Email(reader.value(elem, "email", TextKind::Token)?.into_owned())
            }
            PropName::MobileState => {
                match &*reader.value(elem, "mobile-state", TextKind::Required)? {
                    "0" => Property::MobileState(false),
                    "1" => Property::MobileState(true),
                    _ => {
                        return Err(XmlError::InvalidValue {
                            element: "mobile-state",
                            reason: "neither 0 nor 1",
                            offset: elem.offset,
                        });
                    }
                }
            }
            PropName::MobileDescription => Property::MobileDescription(
                reader
                    .value(elem, "mobile-description", TextKind::Free)?
                    .into_owned(),
            ),
            PropName::Unknown(name) => {
                let start = reader.content_start();
                let raw = reader.fragment_from(start)?;
                Property::Unknown(UnknownProperty { name, raw })
            }
        })
    }

    /// Appends the property element.
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Property::State(state) => state.encode(out),
            Property::DisplayName(text) => writer::text_element(out, "d:displayname", text),
            Property::Email(text) => writer::text_element(out, "r:email", text),
            Property::MobileState(on) => {
                writer::text_element(out, "r:mobile-state", if *on { "1" } else { "0" });
            }
            Property::MobileDescription(text) => {
                writer::text_element(out, "r:mobile-description", text);
            }
            Property::Unknown(p) => p.encode(out),
        }
    }
}

/// Reads the children of a `prop` element as property values.
pub(crate) fn read_props(reader: &mut Reader<'_>) -> Result<Vec<Property>, XmlError> {
    let mut props = Vec::new();
    while let Some(child) = reader.child("prop")? {
        props.push(Property::read(reader, &child)?);
    }
    Ok(props)
}

/// Reads the children of a `prop` element as property names.
pub(crate) fn read_names(reader: &mut Reader<'_>) -> Result<Vec<PropName>, XmlError> {
    let mut names = Vec::new();
    while let Some(child) = reader.child("prop")? {
        names.push(PropName::read(reader, &child)?);
    }
    Ok(names)
}
