//! Principal entries and the validation of their fields.

use im_url::{Alias, Authority, Domain};

use super::credentials::{MAX_PASSWORD_LEN, StoredCredentials, UsernameKind};
use super::error::{DirectoryError, FieldError, Location};

/// Longest display name, in bytes.
pub const MAX_DISPLAY_NAME_LEN: usize = 256;
/// Longest e-mail address, in bytes (RFC 5321's path limit less the brackets).
pub const MAX_EMAIL_LEN: usize = 254;
/// Longest NT (NetBIOS) domain name, in characters.
pub const MAX_NT_DOMAIN_LEN: usize = 15;

/// One principal (user) of the directory.
///
/// Built with [`PrincipalEntry::from_password`] (validates and hashes) or read from a
/// directory file.
///
/// ```
/// use rvp_server::directory::{NewPrincipal, PrincipalEntry};
///
/// let e = PrincipalEntry::from_password(
///     NewPrincipal::new("Alice", "Example.COM").display_name("Alice Liddell"),
///     "secret",
/// )?;
/// assert_eq!(e.address(), "Alice@example.com");
/// assert_eq!(e.credentials.realm(), "example.com");
/// assert!(e.is_hosted_here());
/// # Ok::<(), rvp_server::directory::DirectoryError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PrincipalEntry {
    /// The alias, spelled as configured (lookups ignore ASCII case).
    pub alias: String,
    /// The IM domain, lower case.
    pub domain: String,
    /// The display name.
    pub display_name: Option<String>,
    /// The e-mail address.
    pub email: Option<String>,
    /// The authority (`host[:port]`) of the home server hosting this principal; `None`
    /// means this server.
    pub home_server: Option<String>,
    /// The password, as Digest hashes only.
    pub credentials: StoredCredentials,
}

impl PrincipalEntry {
    /// Validates `new` and derives the credentials from `password`.
    ///
    /// # Errors
    /// [`DirectoryError::InvalidField`] for a bad field, [`DirectoryError::Password`] for
    /// an empty or too long password or one with control characters.
    pub fn from_password(new: NewPrincipal, password: &str) -> Result<Self, DirectoryError> {
        check_password(password)?;
        let v = new.validate(&Location::default())?;
        let credentials = StoredCredentials::derive(
            &v.alias,
            &v.domain,
            &v.realm,
            v.nt_domain.as_deref(),
            password,
        );
        Ok(v.into_entry(credentials))
    }

    /// `alias@domain`.
    pub fn address(&self) -> String {
        format!("{}@{}", self.alias, self.domain)
    }

    /// Whether this server is the principal's home server.
    pub fn is_hosted_here(&self) -> bool {
        self.home_server.is_none()
    }

    /// The same principal with new credentials from `password` (same realm, same NT
    /// domain).
    ///
    /// # Errors
    /// [`DirectoryError::Password`] for an unusable password.
    pub fn with_password(&self, password: &str) -> Result<Self, DirectoryError> {
        check_password(password)?;
        let mut e = self.clone();
        e.credentials = StoredCredentials::derive(
            &self.alias,
            &self.domain,
            self.credentials.realm(),
            self.credentials.nt_domain(),
            password,
        );
        Ok(e)
    }
}

/// The fields of a principal to add, before validation.
///
/// ```
/// use rvp_server::directory::NewPrincipal;
///
/// let p = NewPrincipal::new("bob", "example.com")
///     .display_name("Bob")
///     .email("bob@example.com")
///     .home_server("im2.example.com:8080")
///     .nt_domain("CORP");
/// assert_eq!(p.nt_domain.as_deref(), Some("CORP"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewPrincipal {
    /// The alias (see [`im_url::Alias`]).
    pub alias: String,
    /// The IM domain (see [`im_url::Domain`]); stored lower case.
    pub domain: String,
    /// The display name.
    pub display_name: Option<String>,
    /// The e-mail address.
    pub email: Option<String>,
    /// The home server's authority, `host[:port]`; `None` for this server.
    pub home_server: Option<String>,
    /// The NT domain name, for the `NT\alias` and `NT/alias` user name forms.
    pub nt_domain: Option<String>,
    /// The Digest realm; `None` means the IM domain (what this server challenges with).
    pub realm: Option<String>,
}

impl NewPrincipal {
    /// A principal with only an alias and a domain.
    pub fn new(alias: impl Into<String>, domain: impl Into<String>) -> Self {
        Self {
            alias: alias.into(),
            domain: domain.into(),
            ..Self::default()
        }
    }

    /// Sets the display name.
    #[must_use]
    pub fn display_name(mut self, v: impl Into<String>) -> Self {
        self.display_name = Some(v.into());
        self
    }

    /// Sets the e-mail address.
    #[must_use]
    pub fn email(mut self, v: impl Into<String>) -> Self {
        self.email = Some(v.into());
        self
    }

    /// Sets the home server (`host[:port]`).
    #[must_use]
    pub fn home_server(mut self, v: impl Into<String>) -> Self {
        self.home_server = Some(v.into());
        self
    }

    /// Sets the NT domain name.
    #[must_use]
    pub fn nt_domain(mut self, v: impl Into<String>) -> Self {
        self.nt_domain = Some(v.into());
        self
    }

    /// Validates every field; `at` locates errors.
    pub(crate) fn validate(self, at: &Location) -> Result<Validated, DirectoryError> {
        let who = if self.domain.is_empty() {
            self.alias.clone()
        } else {
            format!("{}@{}", self.alias, self.domain)
        };
        let field_err = |field: &'static str| {
            let who = who.clone();
            move |source: FieldError| DirectoryError::InvalidField {
                at: at.clone(),
                principal: who,
                field,
                source,
            }
        };
        let alias = Alias::new(&self.alias)
            .map_err(FieldError::from)
            .map_err(field_err("alias"))?;
        let domain = Domain::new(&self.domain)
            .map_err(FieldError::from)
            .map_err(field_err("domain"))?
            .to_folded();
        let display_name = self
            .display_name
            .map(|v| check_text(&v, MAX_DISPLAY_NAME_LEN).map(|()| v))
            .transpose()
            .map_err(field_err("display_name"))?;
        let email = self
            .email
            .map(|v| check_email(&v).map(|()| v))
            .transpose()
            .map_err(field_err("email"))?;
        let home_server = self
            .home_server
            .map(|v| {
                Authority::parse(&v)
                    .map(|a| a.to_string())
                    .map_err(FieldError::from)
            })
            .transpose()
            .map_err(field_err("home_server"))?;
        let nt_domain = self
            .nt_domain
            .map(|v| check_nt_domain(&v).map(|()| v))
            .transpose()
            .map_err(field_err("nt_domain"))?;
        let realm = match self.realm {
            Some(r) => {
                check_text(&r, MAX_DISPLAY_NAME_LEN).map_err(field_err("realm"))?;
                if r.is_empty() {
                    return Err(field_err("realm")(FieldError::Empty));
                }
                r
            }
            None => domain.clone(),
        };
        Ok(Validated {
            alias: alias.as_str().to_owned(),
            domain,
            display_name,
            email,
            home_server,
            nt_domain,
            realm,
        })
    }
}

/// A [`NewPrincipal`] whose fields passed validation.
#[derive(Debug)]
pub(crate) struct Validated {
    pub(crate) alias: String,
    pub(crate) domain: String,
    pub(crate) display_name: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) home_server: Option<String>,
    pub(crate) nt_domain: Option<String>,
    pub(crate) realm: String,
}

impl Validated {
    pub(crate) fn into_entry(self, credentials: StoredCredentials) -> PrincipalEntry {
        PrincipalEntry {
            alias: self.alias,
            domain: self.domain,
            display_name: self.display_name,
            email: self.email,
            home_server: self.home_server,
            credentials,
        }
    }

    /// Whether `username` is one of the forms of this principal's name (exactly).
    pub(crate) fn is_own_username(&self, username: &str) -> bool {
        let kind = UsernameKind::of(username);
        kind.username(&self.alias, &self.domain, self.nt_domain.as_deref())
            .is_some_and(|u| u == username)
    }
}

/// Text without control characters, at most `max` bytes.
fn check_text(s: &str, max: usize) -> Result<(), FieldError> {
    if s.len() > max {
        return Err(FieldError::TooLong { len: s.len(), max });
    }
    match s.char_indices().find(|(_, c)| c.is_control()) {
        Some((index, _)) => Err(FieldError::ControlCharacter { index }),
        None => Ok(()),
    }
}

fn check_email(s: &str) -> Result<(), FieldError> {
    if s.is_empty() {
        return Err(FieldError::Empty);
    }
    check_text(s, MAX_EMAIL_LEN)?;
    if let Some((index, ch)) = s.char_indices().find(|(_, c)| c.is_whitespace()) {
        return Err(FieldError::InvalidCharacter { index, ch });
    }
    match s.rsplit_once('@') {
        Some((local, domain)) if !local.is_empty() && !domain.is_empty() => Ok(()),
        _ => Err(FieldError::NotEmail),
    }
}

/// An NT (NetBIOS) domain name: 1 to 15 ASCII letters, digits, `-`, `_` or `.`.
fn check_nt_domain(s: &str) -> Result<(), FieldError> {
    if s.is_empty() {
        return Err(FieldError::Empty);
    }
    if s.len() > MAX_NT_DOMAIN_LEN {
        return Err(FieldError::TooLong {
            len: s.len(),
            max: MAX_NT_DOMAIN_LEN,
        });
    }
    match s
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        Some((index, ch)) => Err(FieldError::InvalidCharacter { index, ch }),
        None => Ok(()),
    }
}

/// A usable password: 1 to [`MAX_PASSWORD_LEN`] bytes, no control characters.
pub(crate) fn check_password(p: &str) -> Result<(), DirectoryError> {
    let result = if p.is_empty() {
        Err(FieldError::Empty)
    } else {
        check_text(p, MAX_PASSWORD_LEN)
    };
    result.map_err(|source| DirectoryError::Password { source })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(e: DirectoryError) -> &'static str {
        match e {
            DirectoryError::InvalidField { field, .. } => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn valid_entry() {
        let e = PrincipalEntry::from_password(
            NewPrincipal::new("alice", "Example.com")
                .email("alice@example.com")
                .home_server("IM2.example.com:8080")
                .nt_domain("CORP"),
            "secret",
        )
        .unwrap();
        assert_eq!(e.domain, "example.com");
        assert_eq!(e.home_server.as_deref(), Some("IM2.example.com:8080"));
        assert_eq!(e.credentials.forms().len(), 4);
        assert!(!e.is_hosted_here());
        let e2 = e.with_password("other").unwrap();
        assert_ne!(e.credentials, e2.credentials);
        assert_eq!(e2.credentials.nt_domain(), Some("CORP"));
    }

    #[test]
    fn invalid_fields() {
        let bad = |p: NewPrincipal| field_of(PrincipalEntry::from_password(p, "pw").unwrap_err());
        assert_eq!(bad(NewPrincipal::new("a b", "example.com")), "alias");
        assert_eq!(bad(NewPrincipal::new("", "example.com")), "alias");
        assert_eq!(bad(NewPrincipal::new("a", "ex ample.com")), "domain");
        assert_eq!(bad(NewPrincipal::new("a", "x.com").email("nope")), "email");
        assert_eq!(bad(NewPrincipal::new("a", "x.com").email("a @x")), "email");
        assert_eq!(
            bad(NewPrincipal::new("a", "x.com").display_name("a\nb")),
            "display_name"
        );
        assert_eq!(
            bad(NewPrincipal::new("a", "x.com").home_server("h:99999")),
            "home_server"
        );
        assert_eq!(
            bad(NewPrincipal::new("a", "x.com").nt_domain("C\\D")),
            "nt_domain"
        );
        assert_eq!(
            bad(NewPrincipal::new("a", "x.com").nt_domain("ABCDEFGHIJKLMNOP")),
            "nt_domain"
        );
    }

    #[test]
    fn passwords() {
        let p = || NewPrincipal::new("a", "x.com");
        for pw in ["", "a\nb", &"x".repeat(MAX_PASSWORD_LEN + 1)] {
            assert!(matches!(
                PrincipalEntry::from_password(p(), pw),
                Err(DirectoryError::Password { .. })
            ));
        }
        assert!(PrincipalEntry::from_password(p(), "pässwörd with spaces").is_ok());
    }

    #[test]
    fn own_usernames() {
        let v = NewPrincipal::new("alice", "x.com")
            .nt_domain("CORP")
            .validate(&Location::default())
            .unwrap();
        for u in ["alice", "alice@x.com", "CORP\\alice", "CORP/alice"] {
            assert!(v.is_own_username(u), "{u}");
        }
        for u in ["bob", "alice@y.com", "OTHER\\alice", "Alice"] {
            assert!(!v.is_own_username(u), "{u}");
        }
    }
}
