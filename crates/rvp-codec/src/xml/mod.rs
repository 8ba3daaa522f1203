//! XML bodies: the DAV and RVP documents, as typed values.
//!
//! | root | type | carried by |
//! |---|---|---|
//! | `d:propfind` | [`PropFind`] | PROPFIND |
//! | `d:propertyupdate` | [`PropertyUpdate`] | PROPPATCH (and inside `propnotification`) |
//! | `d:multistatus` | [`MultiStatus`] | 207 answers |
//! | `r:notification` | [`Notification`] | NOTIFY: message, property change, foreign XML |
//! | `r:subscriptions` | [`Subscriptions`] | 200 answer to SUBSCRIPTIONS |
//! | `a:rvpacl` | [`RvpAcl`] | ACL request and answer |
//!
//! [`XmlBody::decode`] dispatches on the root element; each document type also has its
//! own `decode`. Every type has an infallible `encode(&self, out: &mut Vec<u8>)` and a
//! `to_bytes()`.
//!
//! # Reading
//!
//! Elements are matched by namespace URI and local name, never by prefix: any prefixes
//! and a default namespace work (librvp accepts `<notification
//! xmlns="http://schemas.microsoft.com/rvp/">`). The namespaces are `DAV:`
//! ([`DAV_NS`]), `http://schemas.microsoft.com/rvp/` ([`RVP_NS`]) and
//! `http://schemas.microsoft.com/rvp/acl/` ([`ACL_NS`]). Decoding streams the events of
//! the borrowed body straight into the typed values; no tree is built. The body must
//! be UTF-8 ([`XmlError::NotUtf8`]; a byte-order mark is allowed); an `encoding` in the
//! XML declaration is not consulted, as every RVP peer writes UTF-8. Whitespace
//! between elements is ignored; comments and processing instructions are skipped; a
//! DOCTYPE is rejected. Unknown elements are errors except where the vocabulary is open
//! (unknown properties, foreign notification content), which are kept verbatim.
//!
//! Limits: [`Limits::max_xml_depth`](crate::Limits) and
//! [`Limits::max_xml_elements`](crate::Limits) apply to every element, skipped content
//! included ([`XmlError::DepthLimit`], [`XmlError::ElementLimit`], both `400`).
//!
//! Text values: free text (display names, descriptions) keeps surrounding whitespace in
//! strict mode; tokens, numbers and URLs (hrefs, ids, timeouts, `mobile-state`, email)
//! with surrounding whitespace are rejected in strict mode. [`Config::trim_text`]
//! trims both. The `mime-data` payload is kept exactly (see [`Notification`]). No
//! XML line-end normalization is applied to any value: a carriage return in the body is
//! a carriage return in the value.
//!
//! # Writing
//!
//! Output is `<?xml version="1.0"?>` followed by the document on the same line, with
//! the prefixes `d:`, `r:` and `a:` (Miranda matches them literally), all three declared
//! on the root as every peer does, and a final `\n` as librvp writes. Text is escaped
//! (`&`, `<`, `>`; `"` in attributes; a carriage return as `&#13;`); `mime-data` is one
//! CDATA section, split as `]]]]><![CDATA[>` where the payload holds `]]>`. Characters
//! XML 1.0 cannot carry (controls other than tab, line feed and carriage return, and
//! U+FFFE, U+FFFF) are written as U+FFFD: such values do not round-trip, every other
//! value does (`decode(encode(v)) == v`), provided token fields (hrefs, ids) have no
//! surrounding whitespace and required ones are not empty.
//!
//! Content kept verbatim (an [`UnknownProperty`], [`ForeignXml`]) is made self-contained
//! when decoded: prefixes it uses that were declared on an ancestor are declared on its
//! top-level elements. One known gap: content kept from a lenient decode keeps the
//! mismatched end tags [`Config::relaxed_end_tags`] accepted, so re-encoding such a
//! value does not always give a well-formed document (the `xml_body` fuzz target checks
//! the decode-encode-decode fixed point for strict decodes only).
//!
//! # Lenience and the draft's errata
//!
//! Each item of peers.md (d1) that concerns XML, and what each configuration does:
//!
//! | erratum | strict | lenient |
//! |---|---|---|
//! | 1 `<?xml.version="1.0"?>` | rejected ([`SyntaxKind::InvalidDeclaration`]) | skipped before the root (`relaxed_head_syntax`) |
//! | 1 `HTTP/1.1.200.Successful` | rejected ([`XmlError::InvalidValue`]) | `200`, reason `Successful` (`relaxed_head_syntax`) |
//! | 2 `D:`/`Z:`/`A:` vs `d:`/`r:` prefixes | accepted (prefixes do not matter) | accepted |
//! | 4 bare and leased `state` | both accepted | both accepted |
//! | 5 `<D:propupdate>…</D:propertyupdate>` | rejected (unexpected root, mismatched end tag) | accepted as `propertyupdate` (`relaxed_end_tags`) |
//! | 6 `<Z:timeout>` in `leased-value` | rejected ([`XmlError::UnexpectedElement`]) | accepted (`relaxed_namespaces`) |
//! | 7 undeclared prefix `r:subscriptions` | rejected ([`XmlError::UndeclaredPrefix`]) | rejected: the element has no namespace |
//! | 7 unquoted `xmlns:Z=http://…` | rejected ([`SyntaxKind::InvalidAttribute`]) | rejected: not well-formed |
//! | 7 ACL namespace `http://schemas.Microsoft.com/rvp/acl` | its elements are not ACL elements | accepted (`relaxed_namespaces`) |
//! | 7 nested `<Z:subscriptions>` | rejected ([`XmlError::UnexpectedElement`]) | rejected: no configuration flag covers it |
//! | 7 `<A:rvp-principal>` for `</A:rvp-principal>` | rejected ([`XmlError::UnexpectedElement`] inside `rvp-principal`) | rejected: the document's nesting is lost |
//! | 7 children in varying order | accepted | accepted |
//! | 7 ` 456 ` padded values | rejected ([`XmlError::InvalidValue`]) | trimmed (`trim_text`) |
//! | 8 `<D:notification>` | rejected (unexpected root) | accepted (`relaxed_namespaces`) |
//! | 8 `<D:href>…</Z:href>` | rejected ([`SyntaxKind::MismatchedEndTag`]) | accepted (`relaxed_end_tags`) |
//! | 8 URLs wrapped over lines, padded text | rejected (padded href) | trimmed (`trim_text`); a line break *inside* a URL stays in the value |
//! | 8 indented MIME headers in CDATA | kept as is | kept as is (the MIME layer deals with them) |
//! | 10 `</ eventComment>` | rejected (mismatched end tag) | accepted as foreign content, kept verbatim (`relaxed_end_tags`) |
//! | 10 `<pAddress>` for `</pAddress>` | rejected | rejected: not well-formed |
//! | 10 two root `notification` elements | rejected ([`SyntaxKind::ContentAfterRoot`]) | rejected: one body, one document |
//! | 11 `<a:allprincipals/>` | accepted | accepted |
//! | 11 `<a:inheritance>none</a:inheritance>` | accepted, kept as text | accepted |
//! | 11 credentials not in DTD order | accepted | accepted |
//! | 11 principal URL with trailing `/` | accepted, kept | accepted, kept |
//! | 11 principal URLs padded with whitespace | rejected ([`XmlError::InvalidValue`]) | trimmed (`trim_text`; the draft says servers strip it) |
//! | 12 invalid DTD fragments | not applicable: no DTD is read | not applicable |
//!
//! Items 3 and 9 concern headers and prose only. Further lenience: `idle`, `invisible`
//! and other state names need [`Config::allow_extended_states`].

mod acl;
mod error;
mod fragment;
mod multistatus;
mod name;
mod notification;
mod property;
mod propertyupdate;
mod propfind;
mod reader;
mod state;
mod subscriptions;
mod token;
mod writer;

#[cfg(test)]
pub(crate) mod strategy;
#[cfg(test)]
mod tests;

pub use acl::{Ace, AcePrincipal, Acl, Credentials, Rights, RvpAcl};
pub use error::{SyntaxKind, XmlError};
pub use multistatus::{MultiStatus, PropEntry, PropStat, PropStatus, StatusResponse};
pub use name::{PropName, XmlName};
pub use notification::{Contact, ForeignXml, MessageNotification, Notification, PropNotification};
pub use property::{Property, UnknownProperty};
pub use propertyupdate::{PropertyUpdate, UpdateOp};
pub use propfind::PropFind;
pub use state::{LeasedValue, State, StateProperty, StateToken, StateValue};
pub use subscriptions::{SubscriptionEntry, Subscriptions};

use crate::Config;
use reader::{Ns, Reader};

/// The `DAV:` namespace (written with the prefix `d`).
pub const DAV_NS: &str = "DAV:";
/// The RVP namespace (written with the prefix `r`).
pub const RVP_NS: &str = "http://schemas.microsoft.com/rvp/";
/// The RVP ACL namespace (written with the prefix `a`).
pub const ACL_NS: &str = "http://schemas.microsoft.com/rvp/acl/";

/// Any RVP XML body, by its root element.
///
/// ```
/// use rvp_codec::Config;
/// use rvp_codec::xml::{Notification, XmlBody};
///
/// let body = br#"<notification xmlns="http://schemas.microsoft.com/rvp/" xmlns:d="DAV:"><message><notification-from><contact><d:href>http://example.com/instmsg/aliases/bob</d:href></contact></notification-from><msgbody><mime-data>MIME-Version: 1.0</mime-data></msgbody></message></notification>"#;
/// let XmlBody::Notification(Notification::Message(message)) = XmlBody::decode(body, &Config::strict()).unwrap() else {
///     panic!("not a message");
/// };
/// assert_eq!(message.from.href, "http://example.com/instmsg/aliases/bob");
/// assert_eq!(message.mime_data, "MIME-Version: 1.0");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum XmlBody {
    /// `d:propfind`.
    PropFind(PropFind),
    /// `d:propertyupdate`.
    PropertyUpdate(PropertyUpdate),
    /// `d:multistatus`.
    MultiStatus(MultiStatus),
    /// `r:notification`.
    Notification(Notification),
    /// `r:subscriptions`.
    Subscriptions(Subscriptions),
    /// `a:rvpacl`.
    RvpAcl(RvpAcl),
}

impl XmlBody {
    /// Decodes any of the documents, chosen by the root element.
    pub fn decode(bytes: &[u8], config: &Config) -> Result<Self, XmlError> {
        let mut reader = Reader::new(bytes, config)?;
        let root = reader.root()?;
        let r = &mut reader;
        let body = if r.is(&root, Ns::Dav, "propfind") {
            XmlBody::PropFind(PropFind::read(r, &root)?)
        } else if PropertyUpdate::is_root(r, &root) {
            XmlBody::PropertyUpdate(PropertyUpdate::read(r, &root)?)
        } else if r.is(&root, Ns::Dav, "multistatus") {
            XmlBody::MultiStatus(MultiStatus::read(r, &root)?)
        } else if r.is(&root, Ns::Rvp, "notification") {
            XmlBody::Notification(Notification::read(r, &root)?)
        } else if r.is(&root, Ns::Rvp, "subscriptions") {
            XmlBody::Subscriptions(Subscriptions::read(r, &root)?)
        } else if r.is(&root, Ns::Acl, "rvpacl") {
            XmlBody::RvpAcl(RvpAcl::read(r, &root)?)
        } else {
            return Err(XmlError::UnexpectedRoot {
                expected: "an RVP document",
                found: root.qname.to_owned(),
                offset: root.offset,
            });
        };
        reader.finish()?;
        Ok(body)
    }

    /// Appends the document (declaration, single line, final newline).
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            XmlBody::PropFind(doc) => doc.encode(out),
            XmlBody::PropertyUpdate(doc) => doc.encode(out),
            XmlBody::MultiStatus(doc) => doc.encode(out),
            XmlBody::Notification(doc) => doc.encode(out),
            XmlBody::Subscriptions(doc) => doc.encode(out),
            XmlBody::RvpAcl(doc) => doc.encode(out),
        }
    }

    /// The encoded document.
    pub fn to_bytes(&self) -> bytes::Bytes {
        let mut out = Vec::new();
        self.encode(&mut out);
        out.into()
    }
}
