//! Property names: [`PropName`] (known RVP and DAV properties) and [`XmlName`] (any
//! other element, by namespace URI and local name).

use std::borrow::Cow;
use std::fmt;

use super::reader::{Elem, Ns, Reader, is_xml_name};
use super::{ACL_NS, DAV_NS, RVP_NS, XmlError, writer};

/// An element name outside the vocabulary this crate knows: namespace URI (empty for
/// no namespace) and local name.
///
/// Constructed with [`XmlName::new`], which guarantees that the name can be written
/// and read back as the same unknown name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct XmlName {
    namespace: String,
    local: String,
}

impl XmlName {
    /// A name in `namespace` (a URI, or `""` for no namespace) with local name `local`.
    ///
    /// Fails with [`XmlError::InvalidValue`] when `local` is not an XML name without a
    /// colon, or when it is a property this crate knows (such as `displayname`) in one
    /// of the three RVP namespaces (those are [`PropName`] variants).
    ///
    /// ```
    /// use rvp_codec::xml::XmlName;
    ///
    /// let name = XmlName::new("urn:example", "mood").unwrap();
    /// assert_eq!(name.local(), "mood");
    /// assert!(XmlName::new("DAV:", "displayname").is_err());
    /// assert!(XmlName::new("urn:example", "a b").is_err());
    /// ```
    pub fn new(namespace: impl Into<String>, local: impl Into<String>) -> Result<Self, XmlError> {
        let namespace = namespace.into();
        let local = local.into();
        let invalid = |reason| XmlError::InvalidValue {
            element: "prop",
            reason,
            offset: 0,
        };
        if !is_xml_name(&local) || local.contains(':') {
            return Err(invalid("property name is not an XML local name"));
        }
        if [DAV_NS, RVP_NS, ACL_NS].contains(&namespace.as_str()) && known(&local).is_some() {
            return Err(invalid("property name is a known property"));
        }
        Ok(Self { namespace, local })
    }

    /// The namespace URI, `""` for none.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The local name.
    pub fn local(&self) -> &str {
        &self.local
    }

    pub(crate) fn from_elem(elem: &Elem<'_>) -> Self {
        Self {
            namespace: elem.ns.uri().to_owned(),
            local: elem.local.to_owned(),
        }
    }

    /// The prefix this name is written with: `d:`, `r:`, `a:` for the three namespaces the
    /// root declares, none for no namespace, and for any other namespace a prefix declared
    /// on the element itself: `x:`, or `x0:`, `x1:`... when `content` (kept content written
    /// inside the element) uses `x:`. A prefix rather than a default-namespace declaration,
    /// and one the content does not use, so that the element's own declaration never
    /// changes what the content's names mean.
    fn prefix(&self, content: &str) -> Cow<'static, str> {
        match self.namespace.as_str() {
            DAV_NS => Cow::Borrowed("d:"),
            RVP_NS => Cow::Borrowed("r:"),
            ACL_NS => Cow::Borrowed("a:"),
            "" => Cow::Borrowed(""),
            _ if !content.contains("x:") => Cow::Borrowed("x:"),
            _ => {
                let free = (0u32..)
                    .map(|i| format!("x{i}:"))
                    .find(|p| !content.contains(p.as_str()))
                    .unwrap_or_default();
                Cow::Owned(free)
            }
        }
    }

    /// Appends the start tag (`<x/>` when `empty`), declaring the prefix when the
    /// namespace is not one of the three the root declares. `content` is what will be
    /// written inside the element (empty for an empty element).
    pub(crate) fn write_open(&self, out: &mut Vec<u8>, empty: bool, content: &str) {
        let prefix = self.prefix(content);
        out.push(b'<');
        out.extend_from_slice(prefix.as_bytes());
        out.extend_from_slice(self.local.as_bytes());
        if let Some(p) = prefix
            .strip_suffix(':')
            .filter(|p| !matches!(*p, "d" | "r" | "a"))
        {
            out.extend_from_slice(b" xmlns:");
            out.extend_from_slice(p.as_bytes());
            out.extend_from_slice(b"=\"");
            writer::escape(out, &self.namespace, true);
            out.push(b'"');
        }
        out.extend_from_slice(if empty { b"/>" } else { b">" });
    }

    /// Appends the end tag matching [`write_open`](Self::write_open) with the same
    /// `content`.
    pub(crate) fn write_close(&self, out: &mut Vec<u8>, content: &str) {
        out.extend_from_slice(b"</");
        out.extend_from_slice(self.prefix(content).as_bytes());
        out.extend_from_slice(self.local.as_bytes());
        out.push(b'>');
    }
}

impl fmt::Display for XmlName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{{}}}{}", self.namespace, self.local)
    }
}

/// The name of a property, as listed in a PROPFIND, a `remove` instruction or a
/// failed `propstat`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PropName {
    /// `r:state`, the presence state.
    State,
    /// `d:displayname`.
    DisplayName,
    /// `r:email`.
    Email,
    /// `r:mobile-state`.
    MobileState,
    /// `r:mobile-description`.
    MobileDescription,
    /// Any other property.
    Unknown(XmlName),
}

/// Which known property a local name is, with its proper namespace.
fn known(local: &str) -> Option<(PropName, Ns)> {
    Some(match local {
        "state" => (PropName::State, Ns::Rvp),
        "displayname" => (PropName::DisplayName, Ns::Dav),
        "email" => (PropName::Email, Ns::Rvp),
        "mobile-state" => (PropName::MobileState, Ns::Rvp),
        "mobile-description" => (PropName::MobileDescription, Ns::Rvp),
        _ => return None,
    })
}

impl PropName {
    /// The qualified name this crate writes (`r:state`), `None` for unknown names.
    pub(crate) fn qname(&self) -> Option<&'static str> {
        Some(match self {
            PropName::State => "r:state",
            PropName::DisplayName => "d:displayname",
            PropName::Email => "r:email",
            PropName::MobileState => "r:mobile-state",
            PropName::MobileDescription => "r:mobile-description",
            PropName::Unknown(_) => return None,
        })
    }

    /// Classifies an element (honouring `relaxed_namespaces`).
    pub(crate) fn of(reader: &Reader<'_>, elem: &Elem<'_>) -> PropName {
        if let Some((name, ns)) = known(elem.local)
            && reader.is(elem, ns, elem.local)
        {
            return name;
        }
        PropName::Unknown(XmlName::from_elem(elem))
    }

    /// Reads a property name element, ignoring any content.
    pub(crate) fn read(reader: &mut Reader<'_>, elem: &Elem<'_>) -> Result<PropName, XmlError> {
        let name = PropName::of(reader, elem);
        reader.skip()?;
        Ok(name)
    }

    /// Appends the name as an empty element.
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        match (self, self.qname()) {
            (PropName::Unknown(name), _) => name.write_open(out, true, ""),
            (_, Some(qname)) => writer::empty(out, qname),
            (_, None) => {}
        }
    }
}
