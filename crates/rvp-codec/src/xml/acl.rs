//! `a:rvpacl`, the body of an ACL request (replace the ACL) and of its answer (read).
//!
//! ```text
//! <a:rvpacl><a:acl><a:inheritance>none</a:inheritance>
//!   <a:ace><a:principal><a:allprincipals/><a:credentials><a:assertion/><a:digest/><a:ntlm/></a:credentials></a:principal>
//!   <a:grant><a:send-to/><a:presence/></a:grant><a:deny/></a:ace></a:acl></a:rvpacl>
//! ```
//!
//! * The principal is `a:rvp-principal` (a URL or server name) or `a:allprincipals`
//!   (the draft's section 6.7.3). Like every URL, a padded `rvp-principal` is rejected in
//!   strict mode and trimmed with [`Config::trim_text`](crate::Config): the draft says a
//!   server "will never generate white space" there (its own example does) and strips
//!   it from what it receives, which is what the lenient configuration does. librvp writes
//!   `<a:rvp-principal>allprincipals</a:rvp-principal>`: that reads as
//!   [`AcePrincipal::AllPrincipals`] in every configuration. Encoding writes
//!   `<a:allprincipals/>`.
//! * A principal without `credentials`, or with an empty one, is
//!   [`XmlError::CredentialsNotSpecified`] (the draft: "400 credentials not specified").
//!   Credentials may be listed in any order (the draft's example is not in DTD order).
//! * `grant` and `deny` may be absent (no rights); encoding always writes both, as
//!   peers do.
//! * An empty `<a:rvpacl/>` (librvp accepts it as the answer to an ACL read) has no
//!   `acl`.
//! * [`Config::relaxed_namespaces`](crate::Config) accepts the ACL namespace written
//!   `http://schemas.Microsoft.com/rvp/acl` (the draft's SUBSCRIPTIONS example).

use std::fmt;

use super::reader::{Elem, Ns, Reader, TextKind, required, set_once};
use super::{XmlError, writer};
use crate::Config;

/// The body of an ACL request or answer.
///
/// ```
/// use rvp_codec::Config;
/// use rvp_codec::xml::{Ace, AcePrincipal, Acl, Credentials, Rights, RvpAcl};
///
/// let acl = RvpAcl {
///     acl: Some(Acl {
///         inheritance: Some("none".into()),
///         aces: vec![Ace {
///             principal: AcePrincipal::AllPrincipals,
///             credentials: Credentials::ASSERTION | Credentials::DIGEST | Credentials::NTLM,
///             grant: Rights::SEND_TO | Rights::PRESENCE,
///             deny: Rights::empty(),
///         }],
///     }),
/// };
/// assert_eq!(RvpAcl::decode(&acl.to_bytes(), &Config::strict()).unwrap(), acl);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct RvpAcl {
    /// The `a:acl`; `None` for an empty `<a:rvpacl/>`.
    pub acl: Option<Acl>,
}

/// An `a:acl`: access control entries.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Acl {
    /// `a:inheritance` (the draft shows `none` without defining it).
    pub inheritance: Option<String>,
    /// The entries, in order.
    pub aces: Vec<Ace>,
}

/// An `a:ace`: whom it concerns, with which credentials, and the rights granted and
/// denied.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ace {
    /// The principal.
    pub principal: AcePrincipal,
    /// The credentials the principal must present (never empty).
    pub credentials: Credentials,
    /// `a:grant`.
    pub grant: Rights,
    /// `a:deny`.
    pub deny: Rights,
}

/// Whom an [`Ace`] concerns.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AcePrincipal {
    /// `a:rvp-principal`: a principal URL or server name. Must not be empty nor start or end with whitespace to read back in strict mode. The text
    /// `allprincipals` reads back as [`AcePrincipal::AllPrincipals`].
    Url(String),
    /// `a:allprincipals` (or librvp's `<a:rvp-principal>allprincipals</a:rvp-principal>`).
    AllPrincipals,
}

macro_rules! bitset {
    (
        $(#[$meta:meta])* $name:ident($repr:ty) {
            $($(#[$fmeta:meta])* $flag:ident = $bit:expr, $elem:literal;)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct $name($repr);

        impl $name {
            $($(#[$fmeta])* pub const $flag: Self = Self(1 << $bit);)*
            const ALL_FLAGS: &'static [(Self, &'static str)] = &[$((Self::$flag, $elem)),*];

            /// The empty set.
            pub const fn empty() -> Self {
                Self(0)
            }

            /// Whether the set is empty.
            pub const fn is_empty(self) -> bool {
                self.0 == 0
            }

            /// Whether every member of `other` is in `self`.
            pub const fn contains(self, other: Self) -> bool {
                self.0 & other.0 == other.0
            }

            /// Adds the members of `other`.
            pub fn insert(&mut self, other: Self) {
                self.0 |= other.0;
            }

            /// Removes the members of `other`.
            pub fn remove(&mut self, other: Self) {
                self.0 &= !other.0;
            }

            /// The element names of the members, in canonical order.
            pub fn names(self) -> impl Iterator<Item = &'static str> {
                Self::ALL_FLAGS
                    .iter()
                    .filter(move |(flag, _)| self.contains(*flag))
                    .map(|(_, name)| *name)
            }

            /// The member named by an element's local name.
            pub fn from_name(name: &str) -> Option<Self> {
                Self::ALL_FLAGS
                    .iter()
                    .find(|(_, n)| *n == name)
                    .map(|(flag, _)| *flag)
            }

            fn encode(self, out: &mut Vec<u8>) {
                for name in self.names() {
                    out.extend_from_slice(b"<a:");
                    out.extend_from_slice(name.as_bytes());
                    out.extend_from_slice(b"/>");
                }
            }
        }

        impl std::ops::BitOr for $name {
            type Output = Self;
            fn bitor(self, rhs: Self) -> Self {
                Self(self.0 | rhs.0)
            }
        }

        impl std::ops::BitOrAssign for $name {
            fn bitor_assign(&mut self, rhs: Self) {
                self.0 |= rhs.0;
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_set().entries(self.names()).finish()
            }
        }
    };
}

bitset! {
    /// A set of access rights (draft section 6.7.1): the WebDAV `read`, `write`,
    /// `readacl`, `writeacl`, `all` and RVP's own.
    Rights(u16) {
        /// `read`.
        READ = 0, "read";
        /// `write`.
        WRITE = 1, "write";
        /// `readacl`.
        READ_ACL = 2, "readacl";
        /// `writeacl`.
        WRITE_ACL = 3, "writeacl";
        /// `all`.
        ALL = 4, "all";
        /// `send-to`: may NOTIFY the node.
        SEND_TO = 5, "send-to";
        /// `presence`: may see presence.
        PRESENCE = 6, "presence";
        /// `list`: may list properties.
        LIST = 7, "list";
        /// `receive-from`: may receive notifications.
        RECEIVE_FROM = 8, "receive-from";
        /// `subscriptions`: may list subscriptions.
        SUBSCRIPTIONS = 9, "subscriptions";
        /// `subscribe-others`: may subscribe with unrecognized callbacks.
        SUBSCRIBE_OTHERS = 10, "subscribe-others";
    }
}

bitset! {
    /// The credentials a principal must present (draft section 6.7.2.1): any of
    /// `ntlm`, `digest`, `assertion`, `internal`, or `any`.
    Credentials(u8) {
        /// `ntlm`.
        NTLM = 0, "ntlm";
        /// `digest`.
        DIGEST = 1, "digest";
        /// `assertion`: no proof of identity needed.
        ASSERTION = 2, "assertion";
        /// `internal`: an out-of-band mechanism of the server.
        INTERNAL = 3, "internal";
        /// `any` valid credentials.
        ANY = 4, "any";
    }
}

impl RvpAcl {
    /// Decodes an `rvpacl` document.
    pub fn decode(bytes: &[u8], config: &Config) -> Result<Self, XmlError> {
        Reader::document(
            bytes,
            config,
            "RVP ACL rvpacl",
            |r, root| r.is(root, Ns::Acl, "rvpacl"),
            Self::read,
        )
    }

    pub(crate) fn read(reader: &mut Reader<'_>, _root: &Elem<'_>) -> Result<Self, XmlError> {
        let mut acl = None;
        while let Some(child) = reader.child("rvpacl")? {
            if !reader.is(&child, Ns::Acl, "acl") {
                return Err(Reader::unexpected("rvpacl", &child));
            }
            let value = read_acl(reader)?;
            set_once(&mut acl, value, "rvpacl", "acl", child.offset)?;
        }
        Ok(Self { acl })
    }

    /// Appends the document (declaration, single line, final newline).
    pub fn encode(&self, out: &mut Vec<u8>) {
        writer::root_start(out, "a:rvpacl");
        if let Some(acl) = &self.acl {
            writer::start(out, "a:acl");
            if let Some(inheritance) = &acl.inheritance {
                writer::text_element(out, "a:inheritance", inheritance);
            }
            for ace in &acl.aces {
                writer::start(out, "a:ace");
                writer::start(out, "a:principal");
                match &ace.principal {
                    AcePrincipal::Url(url) => writer::text_element(out, "a:rvp-principal", url),
                    AcePrincipal::AllPrincipals => writer::empty(out, "a:allprincipals"),
                }
                writer::start(out, "a:credentials");
                ace.credentials.encode(out);
                writer::end(out, "a:credentials");
                writer::end(out, "a:principal");
                for (qname, rights) in [("a:grant", ace.grant), ("a:deny", ace.deny)] {
                    if rights.is_empty() {
                        writer::empty(out, qname);
                    } else {
                        writer::start(out, qname);
                        rights.encode(out);
                        writer::end(out, qname);
                    }
                }
                writer::end(out, "a:ace");
            }
            writer::end(out, "a:acl");
        }
        writer::root_end(out, "a:rvpacl");
    }

    /// The encoded document.
    pub fn to_bytes(&self) -> bytes::Bytes {
        let mut out = Vec::new();
        self.encode(&mut out);
        out.into()
    }
}

fn read_acl(reader: &mut Reader<'_>) -> Result<Acl, XmlError> {
    const PARENT: &str = "acl";
    let mut inheritance = None;
    let mut aces = Vec::new();
    while let Some(child) = reader.child(PARENT)? {
        if reader.is(&child, Ns::Acl, "inheritance") {
            let value = reader
                .value(&child, "inheritance", TextKind::Token)?
                .into_owned();
            set_once(&mut inheritance, value, PARENT, "inheritance", child.offset)?;
        } else if reader.is(&child, Ns::Acl, "ace") {
            aces.push(read_ace(reader, &child)?);
        } else {
            return Err(Reader::unexpected(PARENT, &child));
        }
    }
    Ok(Acl { inheritance, aces })
}

fn read_ace(reader: &mut Reader<'_>, elem: &Elem<'_>) -> Result<Ace, XmlError> {
    const PARENT: &str = "ace";
    let (mut principal, mut grant, mut deny) = (None, None, None);
    while let Some(child) = reader.child(PARENT)? {
        if reader.is(&child, Ns::Acl, "principal") {
            let value = read_principal(reader, &child)?;
            set_once(&mut principal, value, PARENT, "principal", child.offset)?;
        } else if reader.is(&child, Ns::Acl, "grant") {
            let value = read_set(reader, "grant", Rights::from_name)?;
            set_once(&mut grant, value, PARENT, "grant", child.offset)?;
        } else if reader.is(&child, Ns::Acl, "deny") {
            let value = read_set(reader, "deny", Rights::from_name)?;
            set_once(&mut deny, value, PARENT, "deny", child.offset)?;
        } else {
            return Err(Reader::unexpected(PARENT, &child));
        }
    }
    let (principal, credentials) = required(principal, PARENT, "principal", elem.offset)?;
    Ok(Ace {
        principal,
        credentials,
        grant: grant.unwrap_or_default(),
        deny: deny.unwrap_or_default(),
    })
}

fn read_principal(
    reader: &mut Reader<'_>,
    elem: &Elem<'_>,
) -> Result<(AcePrincipal, Credentials), XmlError> {
    const PARENT: &str = "principal";
    let (mut who, mut credentials) = (None, None);
    while let Some(child) = reader.child(PARENT)? {
        if reader.is(&child, Ns::Acl, "rvp-principal") {
            let url = reader.value(&child, "rvp-principal", TextKind::Required)?;
            let value = if url == "allprincipals" {
                AcePrincipal::AllPrincipals
            } else {
                AcePrincipal::Url(url.into_owned())
            };
            set_once(&mut who, value, PARENT, "rvp-principal", child.offset)?;
        } else if reader.is(&child, Ns::Acl, "allprincipals") {
            reader.expect_empty("allprincipals")?;
            set_once(
                &mut who,
                AcePrincipal::AllPrincipals,
                PARENT,
                "rvp-principal",
                child.offset,
            )?;
        } else if reader.is(&child, Ns::Acl, "credentials") {
            let value = read_set(reader, "credentials", Credentials::from_name)?;
            set_once(&mut credentials, value, PARENT, "credentials", child.offset)?;
        } else {
            return Err(Reader::unexpected(PARENT, &child));
        }
    }
    let who = required(who, PARENT, "rvp-principal", elem.offset)?;
    match credentials {
        Some(credentials) if !credentials.is_empty() => Ok((who, credentials)),
        _ => Err(XmlError::CredentialsNotSpecified {
            offset: elem.offset,
        }),
    }
}

/// Reads a list of empty elements naming set members.
fn read_set<T: Copy + std::ops::BitOrAssign + Default>(
    reader: &mut Reader<'_>,
    parent: &'static str,
    member: fn(&str) -> Option<T>,
) -> Result<T, XmlError> {
    let mut set = T::default();
    while let Some(child) = reader.child(parent)? {
        let flag = match member(child.local) {
            Some(flag) if reader.is(&child, Ns::Acl, child.local) => flag,
            _ => return Err(Reader::unexpected(parent, &child)),
        };
        reader.expect_empty(parent)?;
        set |= flag;
    }
    Ok(set)
}
