//! `r:notification`, the body of a NOTIFY: an instant message, a property change, or
//! foreign XML.
//!
//! ```text
//! <r:notification><r:message>
//!   <r:notification-from><r:contact><d:href>URL</d:href><r:description>Name</r:description></r:contact></r:notification-from>
//!   <r:notification-to><r:contact><d:href>URL</d:href><r:description/></r:contact></r:notification-to>
//!   <r:msgbody><r:mime-data><![CDATA[MIME-Version: 1.0 …]]></r:mime-data></r:msgbody>
//! </r:message></r:notification>
//!
//! <r:notification><r:propnotification>
//!   <r:notification-from>…</r:notification-from><r:notification-to>…</r:notification-to>
//!   <d:propertyupdate><d:set><d:prop><r:state><r:online/></r:state></d:prop></d:set></d:propertyupdate>
//! </r:propnotification></r:notification>
//! ```
//!
//! * `mime-data` may be CDATA (one or several sections) or escaped text; both read the
//!   same. When it holds CDATA, whitespace-only text around the sections is layout and
//!   dropped. Its content is kept exactly, carriage returns included (the MIME payload
//!   is CRLF-delimited; XML line-end normalization is not applied). Encoding writes one
//!   CDATA section, split where the payload contains `]]>`.
//! * `r:description` is optional: librvp accepts contacts without one and writes
//!   `<r:description/>` when it knows no name (`Some("")`).
//! * The DTD allows any number of `notification-to`; all are kept.
//! * A notification whose first child is neither `message` nor `propnotification` (the
//!   draft's package-tracking example, section 6.6.1) is [`Notification::Foreign`]: the
//!   root's content is kept byte for byte and re-emitted verbatim, still within the
//!   depth and element limits.
//! * The draft writes the root as `<D:notification>` (in `DAV:`):
//!   [`Config::relaxed_namespaces`](crate::Config) accepts that.

use super::propertyupdate::PropertyUpdate;
use super::reader::{Elem, Ns, Reader, TextKind, required, set_once};
use super::{XmlError, writer};
use crate::{Config, Limits};

/// A `r:contact`: a principal URL and an optional description (display name).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Contact {
    /// `d:href`: the principal's URL. Must not be empty nor start or end with whitespace to read back in strict mode.
    pub href: String,
    /// `r:description`, free text; `Some("")` is written `<r:description/>`.
    pub description: Option<String>,
}

impl Contact {
    /// A contact with a description.
    pub fn new(href: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            href: href.into(),
            description: Some(description.into()),
        }
    }
}

/// An instant message (`r:message`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MessageNotification {
    /// `r:notification-from`.
    pub from: Contact,
    /// The `r:notification-to` contacts (several in a multi-party conversation).
    pub to: Vec<Contact>,
    /// `r:msgbody/r:mime-data`: the MIME payload (see [`crate::mime`]).
    pub mime_data: String,
}

/// A property change (`r:propnotification`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PropNotification {
    /// `r:notification-from`: whose properties changed.
    pub from: Contact,
    /// The `r:notification-to` contacts.
    pub to: Vec<Contact>,
    /// The change, with the state in its bare form.
    pub update: PropertyUpdate,
}

/// Foreign XML content of a notification, kept verbatim.
///
/// The content is written inside `<r:notification>` unchanged, so namespace prefixes it
/// uses must be `d`, `r`, `a` or declared inside it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ForeignXml {
    raw: String,
}

impl ForeignXml {
    /// Foreign content `raw`: a well-formed fragment whose first element is not an RVP
    /// `message` or `propnotification` (checked by decoding it with the strict
    /// configuration).
    ///
    /// ```
    /// use rvp_codec::xml::ForeignXml;
    ///
    /// let event = ForeignXml::new("<mEvent><eventType>DELIVERY</eventType></mEvent>").unwrap();
    /// assert!(event.as_str().starts_with("<mEvent>"));
    /// assert!(ForeignXml::new("<mEvent>").is_err());
    /// assert!(ForeignXml::new("no element").is_err());
    /// ```
    pub fn new(raw: impl Into<String>) -> Result<Self, XmlError> {
        let candidate = Notification::Foreign(Self { raw: raw.into() });
        let config = Config::strict().with_limits(Limits {
            max_xml_depth: usize::MAX,
            max_xml_elements: usize::MAX,
            ..Limits::new()
        });
        match Notification::decode(&candidate.to_bytes(), &config)? {
            decoded if decoded == candidate => match candidate {
                Notification::Foreign(foreign) => Ok(foreign),
                _ => Err(not_foreign()),
            },
            _ => Err(not_foreign()),
        }
    }

    /// The content, verbatim.
    pub fn as_str(&self) -> &str {
        &self.raw
    }
}

fn not_foreign() -> XmlError {
    XmlError::InvalidValue {
        element: "notification",
        reason: "foreign content reads back as an RVP message or property notification",
        offset: 0,
    }
}

/// The body of a NOTIFY request.
///
/// ```
/// use rvp_codec::Config;
/// use rvp_codec::xml::{Contact, MessageNotification, Notification};
///
/// let im = Notification::Message(MessageNotification {
///     from: Contact::new("http://example.com/instmsg/aliases/alice", "alice"),
///     to: vec![Contact::new("http://example.com/instmsg/aliases/bob", "")],
///     mime_data: "MIME-Version: 1.0\r\n\r\nHi ]]> & bye".into(),
/// });
/// let bytes = im.to_bytes();
/// assert!(bytes.windows(5).any(|w| w == b"]]]]>"));
/// assert_eq!(Notification::decode(&bytes, &Config::strict()).unwrap(), im);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Notification {
    /// An instant message.
    Message(MessageNotification),
    /// A property change.
    PropNotification(PropNotification),
    /// Anything else, kept verbatim.
    Foreign(ForeignXml),
}

impl Notification {
    /// Decodes a `notification` document.
    pub fn decode(bytes: &[u8], config: &Config) -> Result<Self, XmlError> {
        Reader::document(
            bytes,
            config,
            "RVP notification",
            |r, root| r.is(root, Ns::Rvp, "notification"),
            Self::read,
        )
    }

    pub(crate) fn read(reader: &mut Reader<'_>, root: &Elem<'_>) -> Result<Self, XmlError> {
        const PARENT: &str = "notification";
        let content_start = reader.content_start();
        let Some(first) = reader.child(PARENT)? else {
            return Err(XmlError::MissingElement {
                parent: PARENT,
                missing: "message",
                offset: root.offset,
            });
        };
        let value = if reader.is(&first, Ns::Rvp, "message") {
            Notification::Message(read_message(reader, &first)?)
        } else if reader.is(&first, Ns::Rvp, "propnotification") {
            Notification::PropNotification(read_propnotification(reader, &first)?)
        } else {
            reader.skip()?;
            let raw = reader.fragment_from(content_start)?;
            return Ok(Notification::Foreign(ForeignXml { raw }));
        };
        if let Some(extra) = reader.child(PARENT)? {
            return Err(Reader::unexpected(PARENT, &extra));
        }
        Ok(value)
    }

    /// Appends the document (declaration, single line, final newline).
    pub fn encode(&self, out: &mut Vec<u8>) {
        writer::root_start(out, "r:notification");
        match self {
            Notification::Message(message) => {
                writer::start(out, "r:message");
                encode_parties(out, &message.from, &message.to);
                writer::start(out, "r:msgbody");
                writer::start(out, "r:mime-data");
                writer::cdata(out, &message.mime_data);
                writer::end(out, "r:mime-data");
                writer::end(out, "r:msgbody");
                writer::end(out, "r:message");
            }
            Notification::PropNotification(notification) => {
                writer::start(out, "r:propnotification");
                encode_parties(out, &notification.from, &notification.to);
                notification.update.encode_element(out);
                writer::end(out, "r:propnotification");
            }
            Notification::Foreign(foreign) => out.extend_from_slice(foreign.raw.as_bytes()),
        }
        writer::root_end(out, "r:notification");
    }

    /// The encoded document.
    pub fn to_bytes(&self) -> bytes::Bytes {
        let mut out = Vec::new();
        self.encode(&mut out);
        out.into()
    }
}

fn encode_parties(out: &mut Vec<u8>, from: &Contact, to: &[Contact]) {
    writer::start(out, "r:notification-from");
    encode_contact(out, from);
    writer::end(out, "r:notification-from");
    for contact in to {
        writer::start(out, "r:notification-to");
        encode_contact(out, contact);
        writer::end(out, "r:notification-to");
    }
}

fn encode_contact(out: &mut Vec<u8>, contact: &Contact) {
    writer::start(out, "r:contact");
    writer::text_element(out, "d:href", &contact.href);
    match contact.description.as_deref() {
        Some("") => writer::empty(out, "r:description"),
        Some(text) => writer::text_element(out, "r:description", text),
        None => {}
    }
    writer::end(out, "r:contact");
}

/// `from`, `to` and the rest, shared by `message` and `propnotification`.
struct Parties {
    from: Option<Contact>,
    to: Vec<Contact>,
}

impl Parties {
    /// Reads `child` if it is a `notification-from`/`-to`; `false` if it is neither.
    fn read(
        &mut self,
        reader: &mut Reader<'_>,
        parent: &'static str,
        child: &Elem<'_>,
    ) -> Result<bool, XmlError> {
        if reader.is(child, Ns::Rvp, "notification-from") {
            let contact = read_contact_holder(reader, "notification-from", child)?;
            set_once(
                &mut self.from,
                contact,
                parent,
                "notification-from",
                child.offset,
            )?;
        } else if reader.is(child, Ns::Rvp, "notification-to") {
            self.to
                .push(read_contact_holder(reader, "notification-to", child)?);
        } else {
            return Ok(false);
        }
        Ok(true)
    }
}

fn read_message(reader: &mut Reader<'_>, elem: &Elem<'_>) -> Result<MessageNotification, XmlError> {
    const PARENT: &str = "message";
    let mut parties = Parties {
        from: None,
        to: Vec::new(),
    };
    let mut mime_data = None;
    while let Some(child) = reader.child(PARENT)? {
        if parties.read(reader, PARENT, &child)? {
            continue;
        }
        if !reader.is(&child, Ns::Rvp, "msgbody") {
            return Err(Reader::unexpected(PARENT, &child));
        }
        let mut data = None;
        while let Some(inner) = reader.child("msgbody")? {
            if !reader.is(&inner, Ns::Rvp, "mime-data") {
                return Err(Reader::unexpected("msgbody", &inner));
            }
            let text = reader.cdata_text("mime-data")?.into_owned();
            set_once(&mut data, text, "msgbody", "mime-data", inner.offset)?;
        }
        let data = required(data, "msgbody", "mime-data", child.offset)?;
        set_once(&mut mime_data, data, PARENT, "msgbody", child.offset)?;
    }
    Ok(MessageNotification {
        from: required(parties.from, PARENT, "notification-from", elem.offset)?,
        to: parties.to,
        mime_data: required(mime_data, PARENT, "msgbody", elem.offset)?,
    })
}

fn read_propnotification(
    reader: &mut Reader<'_>,
    elem: &Elem<'_>,
) -> Result<PropNotification, XmlError> {
    const PARENT: &str = "propnotification";
    let mut parties = Parties {
        from: None,
        to: Vec::new(),
    };
    let mut update = None;
    while let Some(child) = reader.child(PARENT)? {
        if parties.read(reader, PARENT, &child)? {
            continue;
        }
        if !PropertyUpdate::is_root(reader, &child) {
            return Err(Reader::unexpected(PARENT, &child));
        }
        let value = PropertyUpdate::read(reader, &child)?;
        set_once(&mut update, value, PARENT, "propertyupdate", child.offset)?;
    }
    Ok(PropNotification {
        from: required(parties.from, PARENT, "notification-from", elem.offset)?,
        to: parties.to,
        update: required(update, PARENT, "propertyupdate", elem.offset)?,
    })
}

/// Reads a `notification-from`/`notification-to`: exactly one `contact`.
fn read_contact_holder(
    reader: &mut Reader<'_>,
    parent: &'static str,
    elem: &Elem<'_>,
) -> Result<Contact, XmlError> {
    let mut contact = None;
    while let Some(child) = reader.child(parent)? {
        if !reader.is(&child, Ns::Rvp, "contact") {
            return Err(Reader::unexpected(parent, &child));
        }
        let value = read_contact(reader, &child)?;
        set_once(&mut contact, value, parent, "contact", child.offset)?;
    }
    required(contact, parent, "contact", elem.offset)
}

fn read_contact(reader: &mut Reader<'_>, elem: &Elem<'_>) -> Result<Contact, XmlError> {
    const PARENT: &str = "contact";
    let mut href = None;
    let mut description = None;
    while let Some(child) = reader.child(PARENT)? {
        if reader.is(&child, Ns::Dav, "href") {
            let value = reader
                .value(&child, "href", TextKind::Required)?
                .into_owned();
            set_once(&mut href, value, PARENT, "href", child.offset)?;
        } else if reader.is(&child, Ns::Rvp, "description") {
            let value = reader
                .value(&child, "description", TextKind::Free)?
                .into_owned();
            set_once(&mut description, value, PARENT, "description", child.offset)?;
        } else {
            return Err(Reader::unexpected(PARENT, &child));
        }
    }
    Ok(Contact {
        href: required(href, PARENT, "href", elem.offset)?,
        description,
    })
}
