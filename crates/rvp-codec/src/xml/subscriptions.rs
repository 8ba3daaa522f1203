//! `r:subscriptions`, the body of a `200` answer to SUBSCRIPTIONS.
//!
//! ```text
//! <r:subscriptions><r:subscription><r:subscription-id>456</r:subscription-id>
//!   <d:href>http://im.example.com/instmsg/aliases/bruceb</d:href>
//!   <a:principal><a:rvp-principal>http://im.example.com/instmsg/aliases/bruceb</a:rvp-principal></a:principal>
//!   <d:timeout>4789</d:timeout></r:subscription></r:subscriptions>
//! ```
//!
//! These are the names Miranda matches literally (`r:subscriptions/r:subscription/
//! r:subscription-id/d:timeout/a:principal/a:rvp-principal`); librvp needs the answer's
//! root local name to be `subscriptions`. The children of a `subscription` may come in
//! any order (the draft's own two entries differ). The draft calls these "new RVP XML
//! elements" in section 6.3 but lists some under `DAV:` in section 10:
//! [`Config::relaxed_namespaces`](crate::Config) accepts each in any of the three
//! namespaces. The subscription id is an opaque token (the draft has `9A504`).
//! Padded values (the draft's ` 456 `, its indented URLs) are rejected in strict mode
//! and trimmed with [`Config::trim_text`](crate::Config).

use super::reader::{Elem, Ns, Reader, TextKind, required, set_once};
use super::{XmlError, writer};
use crate::Config;

/// The body of a SUBSCRIPTIONS answer: the watchers of a node.
///
/// ```
/// use rvp_codec::Config;
/// use rvp_codec::xml::{SubscriptionEntry, Subscriptions};
///
/// let list = Subscriptions {
///     items: vec![SubscriptionEntry {
///         id: "456".into(),
///         href: Some("http://im.example.com/instmsg/aliases/bruceb".into()),
///         principal: Some("http://im.example.com/instmsg/aliases/bruceb".into()),
///         timeout_secs: 4789,
///     }],
/// };
/// assert_eq!(Subscriptions::decode(&list.to_bytes(), &Config::strict()).unwrap(), list);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Subscriptions {
    /// One entry per subscription.
    pub items: Vec<SubscriptionEntry>,
}

/// One `r:subscription`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SubscriptionEntry {
    /// `r:subscription-id`, an opaque token. Must not be empty nor start or end with whitespace to read back in strict mode.
    pub id: String,
    /// `d:href`: the subscriber's URL, when known (the draft: "if available").
    /// Must not be empty nor start or end with whitespace to read back in strict mode.
    pub href: Option<String>,
    /// `a:principal/a:rvp-principal`: the subscribing principal. Must not be empty nor start or end with whitespace to read back in strict mode.
    pub principal: Option<String>,
    /// `d:timeout`: seconds left.
    pub timeout_secs: u32,
}

impl Subscriptions {
    /// Decodes a `subscriptions` document.
    pub fn decode(bytes: &[u8], config: &Config) -> Result<Self, XmlError> {
        Reader::document(
            bytes,
            config,
            "RVP subscriptions",
            |r, root| r.is(root, Ns::Rvp, "subscriptions"),
            Self::read,
        )
    }

    pub(crate) fn read(reader: &mut Reader<'_>, _root: &Elem<'_>) -> Result<Self, XmlError> {
        let mut items = Vec::new();
        while let Some(child) = reader.child("subscriptions")? {
            if !reader.is(&child, Ns::Rvp, "subscription") {
                return Err(Reader::unexpected("subscriptions", &child));
            }
            items.push(read_entry(reader, &child)?);
        }
        Ok(Self { items })
    }

    /// Appends the document (declaration, single line, final newline).
    pub fn encode(&self, out: &mut Vec<u8>) {
        writer::root_start(out, "r:subscriptions");
        for item in &self.items {
            writer::start(out, "r:subscription");
            writer::text_element(out, "r:subscription-id", &item.id);
            if let Some(href) = &item.href {
                writer::text_element(out, "d:href", href);
            }
            if let Some(principal) = &item.principal {
                writer::start(out, "a:principal");
                writer::text_element(out, "a:rvp-principal", principal);
                writer::end(out, "a:principal");
            }
            writer::text_element(out, "d:timeout", &item.timeout_secs.to_string());
            writer::end(out, "r:subscription");
        }
        writer::root_end(out, "r:subscriptions");
    }

    /// The encoded document.
    pub fn to_bytes(&self) -> bytes::Bytes {
        let mut out = Vec::new();
        self.encode(&mut out);
        out.into()
    }
}

fn read_entry(reader: &mut Reader<'_>, elem: &Elem<'_>) -> Result<SubscriptionEntry, XmlError> {
    const PARENT: &str = "subscription";
    let (mut id, mut href, mut principal, mut timeout) = (None, None, None, None);
    while let Some(child) = reader.child(PARENT)? {
        if reader.is(&child, Ns::Rvp, "subscription-id") {
            let value = reader.value(&child, "subscription-id", TextKind::Required)?;
            set_once(
                &mut id,
                value.into_owned(),
                PARENT,
                "subscription-id",
                child.offset,
            )?;
        } else if reader.is(&child, Ns::Dav, "href") {
            let value = reader
                .value(&child, "href", TextKind::Required)?
                .into_owned();
            set_once(&mut href, value, PARENT, "href", child.offset)?;
        } else if reader.is(&child, Ns::Acl, "principal") {
            let mut inner = None;
            while let Some(p) = reader.child("principal")? {
                if !reader.is(&p, Ns::Acl, "rvp-principal") {
                    return Err(Reader::unexpected("principal", &p));
                }
                let value = reader.value(&p, "rvp-principal", TextKind::Required)?;
                set_once(
                    &mut inner,
                    value.into_owned(),
                    "principal",
                    "rvp-principal",
                    p.offset,
                )?;
            }
            let value = required(inner, "principal", "rvp-principal", child.offset)?;
            set_once(&mut principal, value, PARENT, "principal", child.offset)?;
        } else if reader.is(&child, Ns::Dav, "timeout") {
            let secs = reader.number(&child, "timeout")?;
            set_once(&mut timeout, secs, PARENT, "timeout", child.offset)?;
        } else {
            return Err(Reader::unexpected(PARENT, &child));
        }
    }
    Ok(SubscriptionEntry {
        id: required(id, PARENT, "subscription-id", elem.offset)?,
        href,
        principal,
        timeout_secs: required(timeout, PARENT, "timeout", elem.offset)?,
    })
}
