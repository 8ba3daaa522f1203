//! `alias@domain` addresses, their two halves, and the comparison rules.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use crate::error::{AddressError, AliasError, DomainError};

/// Longest alias accepted, in bytes (the SMTP local-part limit of RFC 5321 §4.5.3.1.1, which
/// is also the longest Exchange alias).
pub const MAX_ALIAS_LEN: usize = 64;
/// Longest domain name accepted, in bytes, without a trailing dot (RFC 1035 §2.3.4: 255
/// octets on the wire is 253 characters of text).
pub const MAX_DOMAIN_LEN: usize = 253;
/// Longest label of a domain name, in bytes (RFC 1035 §2.3.4).
pub const MAX_LABEL_LEN: usize = 63;
/// Longest address accepted, in bytes: alias, `@`, domain.
pub const MAX_ADDRESS_LEN: usize = MAX_ALIAS_LEN + 1 + MAX_DOMAIN_LEN;

/// Is `b` allowed in an alias?
///
/// The alias set is the intersection of RFC 5322 `atext` (plus `.`) and the characters
/// RFC 3986 allows unescaped in a path segment, so an alias appears verbatim in a node URL
/// and the address <-> URL mapping needs no percent-encoding.
pub(crate) fn is_alias_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.' | b'_' | b'~' | b'!' | b'$' | b'&' | b'\'' | b'*' | b'+' | b'='
        )
}

fn lower_cmp(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

fn lower_hash<H: Hasher>(s: &str, state: &mut H) {
    for b in s.bytes() {
        state.write_u8(b.to_ascii_lowercase());
    }
    // A terminator, so that ("ab", "c") and ("a", "bc") hash differently in tuples.
    state.write_u8(0xff);
}

/// The user part of an address: `JoBrown` in `JoBrown@adatum.com`.
///
/// # Rules
/// - 1 to [`MAX_ALIAS_LEN`] bytes of ASCII letters, digits and `- . _ ~ ! $ & ' * + =`;
///   no leading, trailing or doubled `.` (RFC 5322 dot-atom).
/// - Aliases name directory objects, so they compare **case-insensitively** (ASCII), like
///   Active Directory names; the original spelling is kept for display.
///   `Eq`, `Hash` and `Ord` all follow that rule.
///
/// ```
/// use im_url::Alias;
/// let a: Alias = "JoBrown".parse()?;
/// assert_eq!(a, "jobrown".parse::<Alias>()?);
/// assert_eq!(a.to_string(), "JoBrown");
/// assert!("Jo Brown".parse::<Alias>().is_err());
/// # Ok::<(), im_url::AliasError>(())
/// ```
#[derive(Clone)]
pub struct Alias(String);

impl Alias {
    /// Parses and validates an alias.
    ///
    /// # Errors
    /// [`AliasError`] names the rule that failed.
    pub fn new(s: &str) -> Result<Self, AliasError> {
        if s.is_empty() {
            return Err(AliasError::Empty);
        }
        if s.len() > MAX_ALIAS_LEN {
            return Err(AliasError::TooLong {
                len: s.len(),
                max: MAX_ALIAS_LEN,
            });
        }
        if let Some((index, ch)) = s.char_indices().find(|&(_, c)| !c.is_ascii()) {
            return Err(AliasError::NonAscii { index, ch });
        }
        if let Some((index, b)) = s.bytes().enumerate().find(|&(_, b)| !is_alias_byte(b)) {
            return Err(AliasError::IllegalChar {
                index,
                ch: char::from(b),
            });
        }
        if s.starts_with('.') || s.ends_with('.') || s.contains("..") {
            return Err(AliasError::BadDot);
        }
        Ok(Self(s.to_owned()))
    }

    /// The alias as given (original case).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The alias folded to ASCII lower case: the form equality is decided on.
    pub fn to_folded(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

impl fmt::Display for Alias {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Alias {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Alias({:?})", self.0)
    }
}

impl FromStr for Alias {
    type Err = AliasError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl AsRef<str> for Alias {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq for Alias {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}
impl Eq for Alias {}
impl Hash for Alias {
    fn hash<H: Hasher>(&self, state: &mut H) {
        lower_hash(&self.0, state);
    }
}
impl PartialOrd for Alias {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Alias {
    fn cmp(&self, other: &Self) -> Ordering {
        lower_cmp(&self.0, &other.0)
    }
}

/// A DNS host or domain name: `adatum.com`, `im.adatum.com`, `imhomeserver1`.
///
/// # Rules
/// - ASCII only. **IDNA policy:** this crate does no IDNA mapping; an internationalised
///   name must be given in its A-label form (`xn--...`), which is what DNS carries. A
///   non-ASCII character is rejected with [`DomainError::NonAscii`].
/// - Labels of 1 to [`MAX_LABEL_LEN`] letters, digits and hyphens, not starting or ending
///   with a hyphen (RFC 1123 §2.1); at most [`MAX_DOMAIN_LEN`] bytes; no trailing dot.
///   Single-label names (`imhomeserver1`, as in the Exchange white paper) are accepted.
///   An all-numeric last label is refused, so an IPv4 literal never parses as a name.
/// - Compared **case-insensitively** (RFC 4343); the original spelling is kept for display.
///
/// ```
/// use im_url::Domain;
/// let d: Domain = "Adatum.COM".parse()?;
/// assert_eq!(d, "adatum.com".parse::<Domain>()?);
/// assert_eq!(d.to_string(), "Adatum.COM");
/// assert!("bücher.example".parse::<Domain>().is_err());
/// assert!("xn--bcher-kva.example".parse::<Domain>().is_ok());
/// # Ok::<(), im_url::DomainError>(())
/// ```
#[derive(Clone)]
pub struct Domain(String);

impl Domain {
    /// Parses and validates a domain name.
    ///
    /// # Errors
    /// [`DomainError`] names the rule that failed.
    pub fn new(s: &str) -> Result<Self, DomainError> {
        if s.is_empty() {
            return Err(DomainError::Empty);
        }
        if s.len() > MAX_DOMAIN_LEN {
            return Err(DomainError::TooLong {
                len: s.len(),
                max: MAX_DOMAIN_LEN,
            });
        }
        if let Some((index, ch)) = s.char_indices().find(|&(_, c)| !c.is_ascii()) {
            return Err(DomainError::NonAscii { index, ch });
        }
        let mut offset = 0;
        let mut last = "";
        for label in s.split('.') {
            if label.is_empty() {
                return Err(DomainError::EmptyLabel { index: offset });
            }
            if label.len() > MAX_LABEL_LEN {
                return Err(DomainError::LabelTooLong {
                    index: offset,
                    len: label.len(),
                    max: MAX_LABEL_LEN,
                });
            }
            if let Some((i, b)) = label
                .bytes()
                .enumerate()
                .find(|&(_, b)| !(b.is_ascii_alphanumeric() || b == b'-'))
            {
                return Err(DomainError::IllegalChar {
                    index: offset + i,
                    ch: char::from(b),
                });
            }
            if label.starts_with('-') || label.ends_with('-') {
                return Err(DomainError::HyphenAtLabelEdge { index: offset });
            }
            offset += label.len() + 1;
            last = label;
        }
        if last.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DomainError::NumericTopLabel);
        }
        Ok(Self(s.to_owned()))
    }

    /// The name as given (original case).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name folded to ASCII lower case: the form equality is decided on.
    pub fn to_folded(&self) -> String {
        self.0.to_ascii_lowercase()
    }

    /// The SRV owner name for RVP in this domain: `_rvp._tcp.<domain>` (white paper,
    /// scenario 1 step 2).
    ///
    /// ```
    /// let d: im_url::Domain = "adatum.com".parse()?;
    /// assert_eq!(d.rvp_srv_name(), "_rvp._tcp.adatum.com");
    /// # Ok::<(), im_url::DomainError>(())
    /// ```
    pub fn rvp_srv_name(&self) -> String {
        format!("_rvp._tcp.{}", self.0)
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Domain({:?})", self.0)
    }
}

impl FromStr for Domain {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl AsRef<str> for Domain {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq for Domain {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}
impl Eq for Domain {}
impl Hash for Domain {
    fn hash<H: Hasher>(&self, state: &mut H) {
        lower_hash(&self.0, state);
    }
}
impl PartialOrd for Domain {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Domain {
    fn cmp(&self, other: &Self) -> Ordering {
        lower_cmp(&self.0, &other.0)
    }
}

/// An IM address, `alias@domain`: `JoBrown@adatum.com`.
///
/// The domain is the user's mail (or IM) domain; it is where the SRV lookup
/// `_rvp._tcp.<domain>` starts, and it is **not** necessarily the host of the user's
/// logical URL (`im.adatum.com`): see [`Address::logical_url`].
///
/// Equality, hashing and ordering compare the alias and the domain case-insensitively
/// (see [`Alias`], [`Domain`]); `Display` keeps the spelling that was parsed. The order is
/// by domain first, then alias.
///
/// ```
/// use im_url::Address;
/// let a: Address = "JoBrown@adatum.com".parse()?;
/// assert_eq!(a.alias().as_str(), "JoBrown");
/// assert_eq!(a.domain().as_str(), "adatum.com");
/// assert_eq!(a, "jobrown@ADATUM.com".parse()?);
/// assert_eq!(a.to_string(), "JoBrown@adatum.com");
/// # Ok::<(), im_url::AddressError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Address {
    alias: Alias,
    domain: Domain,
}

impl Address {
    /// Builds an address from its validated parts.
    pub fn new(alias: Alias, domain: Domain) -> Self {
        Self { alias, domain }
    }

    /// Parses `alias@domain`.
    ///
    /// # Errors
    /// [`AddressError`]: no `@`, more than one `@`, too long, or an invalid half.
    pub fn parse(s: &str) -> Result<Self, AddressError> {
        if s.len() > MAX_ADDRESS_LEN {
            return Err(AddressError::TooLong {
                len: s.len(),
                max: MAX_ADDRESS_LEN,
            });
        }
        let (alias, domain) = s.split_once('@').ok_or(AddressError::MissingAt)?;
        if let Some(i) = domain.find('@') {
            return Err(AddressError::ExtraAt {
                index: alias.len() + 1 + i,
            });
        }
        let alias = Alias::new(alias).map_err(AddressError::Alias)?;
        let domain = Domain::new(domain).map_err(AddressError::Domain)?;
        Ok(Self { alias, domain })
    }

    /// The alias (user part).
    pub fn alias(&self) -> &Alias {
        &self.alias
    }

    /// The domain part.
    pub fn domain(&self) -> &Domain {
        &self.domain
    }

    /// Splits the address into its parts.
    pub fn into_parts(self) -> (Alias, Domain) {
        (self.alias, self.domain)
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.alias, self.domain)
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({:?})", self.to_string())
    }
}

impl FromStr for Address {
    type Err = AddressError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl PartialOrd for Address {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Address {
    fn cmp(&self, other: &Self) -> Ordering {
        self.domain
            .cmp(&other.domain)
            .then_with(|| self.alias.cmp(&other.alias))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::DefaultHasher;

    fn hash_of<T: Hash>(t: &T) -> u64 {
        let mut h = DefaultHasher::new();
        t.hash(&mut h);
        h.finish()
    }

    #[test]
    fn white_paper_addresses_parse() {
        for s in [
            "JoBrown@adatum.com",
            "KariHensien@adatum.com",
            "andyo@domain1.com",
        ] {
            let a = Address::parse(s).unwrap();
            assert_eq!(a.to_string(), s);
        }
    }

    #[test]
    fn comparison_is_case_insensitive_and_display_keeps_case() {
        let a = Address::parse("JoBrown@Adatum.com").unwrap();
        let b = Address::parse("jobrown@adatum.COM").unwrap();
        assert_eq!(a, b);
        assert_eq!(hash_of(&a), hash_of(&b));
        assert_eq!(a.cmp(&b), Ordering::Equal);
        assert_eq!(a.to_string(), "JoBrown@Adatum.com");
    }

    #[test]
    fn address_errors_are_specific() {
        assert_eq!(Address::parse("nobody"), Err(AddressError::MissingAt));
        assert_eq!(
            Address::parse("a@b@c"),
            Err(AddressError::ExtraAt { index: 3 })
        );
        assert_eq!(
            Address::parse("@adatum.com"),
            Err(AddressError::Alias(AliasError::Empty))
        );
        assert_eq!(
            Address::parse("jo@"),
            Err(AddressError::Domain(DomainError::Empty))
        );
        assert_eq!(
            Address::parse("jo brown@x.com"),
            Err(AddressError::Alias(AliasError::IllegalChar {
                index: 2,
                ch: ' '
            }))
        );
        assert!(matches!(
            Address::parse(&"a".repeat(400)),
            Err(AddressError::TooLong { len: 400, .. })
        ));
    }

    #[test]
    fn alias_rules() {
        assert!(Alias::new(&"a".repeat(64)).is_ok());
        assert_eq!(
            Alias::new(&"a".repeat(65)),
            Err(AliasError::TooLong { len: 65, max: 64 })
        );
        assert_eq!(Alias::new(".a"), Err(AliasError::BadDot));
        assert_eq!(Alias::new("a."), Err(AliasError::BadDot));
        assert_eq!(Alias::new("a..b"), Err(AliasError::BadDot));
        assert!(Alias::new("jo.brown").is_ok());
        assert!(Alias::new("o'neil+im").is_ok());
        for bad in ["a/b", "a?b", "a#b", "a%b", "a:b", "a@b", "a;b", "a,b"] {
            assert!(
                matches!(
                    Alias::new(bad),
                    Err(AliasError::IllegalChar { index: 1, .. })
                ),
                "{bad}"
            );
        }
        assert_eq!(
            Alias::new("jö"),
            Err(AliasError::NonAscii { index: 1, ch: 'ö' })
        );
    }

    #[test]
    fn domain_rules() {
        assert!(Domain::new("imhomeserver1").is_ok());
        assert!(Domain::new("im.adatum.com").is_ok());
        assert_eq!(
            Domain::new("a..b"),
            Err(DomainError::EmptyLabel { index: 2 })
        );
        assert_eq!(
            Domain::new("adatum.com."),
            Err(DomainError::EmptyLabel { index: 11 })
        );
        assert_eq!(
            Domain::new("-a.com"),
            Err(DomainError::HyphenAtLabelEdge { index: 0 })
        );
        assert_eq!(
            Domain::new("a_b.com"),
            Err(DomainError::IllegalChar { index: 1, ch: '_' })
        );
        assert_eq!(Domain::new("10.1.2.3"), Err(DomainError::NumericTopLabel));
        let long_label = "a".repeat(64);
        assert!(matches!(
            Domain::new(&long_label),
            Err(DomainError::LabelTooLong { len: 64, .. })
        ));
        let long = ["a".repeat(63).as_str(); 5].join(".");
        assert!(matches!(
            Domain::new(&long),
            Err(DomainError::TooLong { .. })
        ));
        assert_eq!(
            Domain::new("bücher.de"),
            Err(DomainError::NonAscii { index: 1, ch: 'ü' })
        );
    }

    #[test]
    fn order_is_domain_then_alias() {
        let mut v: Vec<Address> = ["b@a.com", "A@b.com", "a@a.com"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        v.sort();
        let shown: Vec<String> = v.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["a@a.com", "b@a.com", "A@b.com"]);
    }
}
