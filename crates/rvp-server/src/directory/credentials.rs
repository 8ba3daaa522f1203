//! Stored Digest credentials: precomputed HA1 hashes, never the password.

use std::fmt;

use md5::Md5;
use rvp_codec::header::Algorithm;
use sha2::{Digest, Sha256};

/// Longest password [`StoredCredentials::derive`] accepts, in bytes.
pub const MAX_PASSWORD_LEN: usize = 1024;

/// The Digest hash algorithms this server implements: RFC 2617 `MD5` and RFC 7616
/// `SHA-256`. The session variants (`MD5-sess`, `SHA-256-sess`) are not implemented and
/// never offered (librvp's `MD5-sess` answers do not verify anyway).
///
/// ```
/// use rvp_codec::header::Algorithm;
/// use rvp_server::directory::DigestAlgorithm;
///
/// assert_eq!(DigestAlgorithm::from_codec(None), Some(DigestAlgorithm::Md5));
/// assert_eq!(DigestAlgorithm::from_codec(Some(&Algorithm::Sha256)), Some(DigestAlgorithm::Sha256));
/// assert_eq!(DigestAlgorithm::from_codec(Some(&Algorithm::Md5Sess)), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DigestAlgorithm {
    /// `MD5` (RFC 2617): the only algorithm librvp understands.
    Md5,
    /// `SHA-256` (RFC 7616).
    Sha256,
}

impl DigestAlgorithm {
    /// Both algorithms, MD5 first.
    pub const ALL: [DigestAlgorithm; 2] = [DigestAlgorithm::Md5, DigestAlgorithm::Sha256];

    /// The algorithm a credentials' `algorithm` parameter names (absent means MD5), or
    /// `None` when it is one this server does not implement.
    pub fn from_codec(algorithm: Option<&Algorithm>) -> Option<Self> {
        match algorithm {
            None | Some(Algorithm::Md5) => Some(DigestAlgorithm::Md5),
            Some(Algorithm::Sha256) => Some(DigestAlgorithm::Sha256),
            Some(_) => None,
        }
    }

    /// The codec's name for it.
    pub fn to_codec(self) -> Algorithm {
        match self {
            DigestAlgorithm::Md5 => Algorithm::Md5,
            DigestAlgorithm::Sha256 => Algorithm::Sha256,
        }
    }

    /// The name as RFC 7616 spells it (`MD5`, `SHA-256`).
    pub fn as_str(self) -> &'static str {
        match self {
            DigestAlgorithm::Md5 => "MD5",
            DigestAlgorithm::Sha256 => "SHA-256",
        }
    }

    /// The length of a hash in bytes (16 or 32).
    pub fn output_len(self) -> usize {
        match self {
            DigestAlgorithm::Md5 => 16,
            DigestAlgorithm::Sha256 => 32,
        }
    }

    /// `H(parts[0] ":" parts[1] ":" ...)`, the raw hash.
    pub(crate) fn hash_joined(self, parts: &[&[u8]]) -> Vec<u8> {
        fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut d = D::new();
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    d.update(b":");
                }
                d.update(p);
            }
            d.finalize().to_vec()
        }
        match self {
            DigestAlgorithm::Md5 => run::<Md5>(parts),
            DigestAlgorithm::Sha256 => run::<Sha256>(parts),
        }
    }
}

impl fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which of the user name forms real clients send a stored hash is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UsernameKind {
    /// The bare alias, `alice` (librvp without its `domain` option).
    Alias,
    /// `alice@example.com`.
    AliasAtDomain,
    /// `CORP\alice` (librvp with its `domain` option).
    NtBackslash,
    /// `CORP/alice` (Miranda).
    NtSlash,
}

impl UsernameKind {
    /// The user name of this form for `alias` in `domain`, with `nt_domain` for the NT
    /// forms (`None` when the form needs an NT domain and there is none).
    pub fn username(self, alias: &str, domain: &str, nt_domain: Option<&str>) -> Option<String> {
        match self {
            UsernameKind::Alias => Some(alias.to_owned()),
            UsernameKind::AliasAtDomain => Some(format!("{alias}@{domain}")),
            UsernameKind::NtBackslash => nt_domain.map(|nt| format!("{nt}\\{alias}")),
            UsernameKind::NtSlash => nt_domain.map(|nt| format!("{nt}/{alias}")),
        }
    }

    /// The form of a user name as sent: a `\`, else a `/`, else an `@` decides, as in
    /// [`rvp_codec::header::UsernameForm::parse`].
    pub fn of(username: &str) -> Self {
        if username.contains('\\') {
            UsernameKind::NtBackslash
        } else if username.contains('/') {
            UsernameKind::NtSlash
        } else if username.contains('@') {
            UsernameKind::AliasAtDomain
        } else {
            UsernameKind::Alias
        }
    }

    /// A short name for logs and listings (`alias`, `alias@domain`, `NT\alias`,
    /// `NT/alias`).
    pub fn as_str(self) -> &'static str {
        match self {
            UsernameKind::Alias => "alias",
            UsernameKind::AliasAtDomain => "alias@domain",
            UsernameKind::NtBackslash => "NT\\alias",
            UsernameKind::NtSlash => "NT/alias",
        }
    }
}

/// The hashes stored for one user name form.
#[derive(Clone, PartialEq, Eq)]
pub struct CredentialForm {
    username: Box<str>,
    kind: UsernameKind,
    md5: [u8; 16],
    sha256: [u8; 32],
}

impl CredentialForm {
    /// Hashes kept as they are (read from a directory file).
    pub fn from_hashes(username: &str, md5: [u8; 16], sha256: [u8; 32]) -> Self {
        Self {
            username: username.into(),
            kind: UsernameKind::of(username),
            md5,
            sha256,
        }
    }

    /// The user name exactly as a client must send it.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// Which form it is.
    pub fn kind(&self) -> UsernameKind {
        self.kind
    }

    /// `HA1 = H(username ":" realm ":" password)` for `algorithm`, raw bytes.
    pub fn ha1(&self, algorithm: DigestAlgorithm) -> &[u8] {
        match algorithm {
            DigestAlgorithm::Md5 => &self.md5,
            DigestAlgorithm::Sha256 => &self.sha256,
        }
    }
}

impl fmt::Debug for CredentialForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The hashes are password equivalents for Digest: never shown.
        f.debug_struct("CredentialForm")
            .field("username", &self.username)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// A principal's password, stored only as precomputed Digest `HA1` hashes, as Windows'
/// WDigest package stores them: `H(username ":" realm ":" password)` for MD5 (RFC 2617)
/// and SHA-256 (RFC 7616), for each user name form a real client sends:
///
/// * `alias` (librvp);
/// * `alias@domain`;
/// * with an NT domain name configured, `NTDOMAIN\alias` (librvp's `domain` option) and
///   `NTDOMAIN/alias` (Miranda).
///
/// The realm is the IM domain name: librvp is challenged with `realm="example.com"` for
/// `alice@example.com`. An HA1 is password-equivalent for Digest (whoever has it can
/// answer challenges), so `Debug` never shows the hashes and the directory file must be
/// protected like a password file; but the password itself cannot be recovered from it
/// and does not work for other schemes.
///
/// User names are matched exactly (the hash covers the exact string sent), so
/// `Alice` does not find the hashes of `alice`.
///
/// ```
/// use rvp_server::directory::{DigestAlgorithm, StoredCredentials};
///
/// let c = StoredCredentials::derive("Mufasa", "testrealm.example", "testrealm@host.com", Some("CORP"), "Circle Of Life");
/// // RFC 2617 section 3.5: HA1 of Mufasa:testrealm@host.com:Circle Of Life.
/// let ha1 = c.ha1(DigestAlgorithm::Md5, "Mufasa").unwrap();
/// assert_eq!(ha1.iter().map(|b| format!("{b:02x}")).collect::<String>(), "939e7578ed9e3c518a452acee763bce9");
/// assert!(c.ha1(DigestAlgorithm::Sha256, r"CORP\Mufasa").is_some());
/// assert!(c.ha1(DigestAlgorithm::Md5, "mufasa").is_none());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct StoredCredentials {
    realm: Box<str>,
    nt_domain: Option<Box<str>>,
    forms: Vec<CredentialForm>,
}

impl StoredCredentials {
    /// Derives the hashes of every form from a password. The password is not kept.
    ///
    /// `domain` is the IM domain (for `alias@domain`), `realm` the Digest realm (the IM
    /// domain name, normally), `nt_domain` the NT domain name, if any. Callers check the
    /// password length against [`MAX_PASSWORD_LEN`]; this function hashes whatever it is
    /// given.
    pub fn derive(
        alias: &str,
        domain: &str,
        realm: &str,
        nt_domain: Option<&str>,
        password: &str,
    ) -> Self {
        let kinds = [
            UsernameKind::Alias,
            UsernameKind::AliasAtDomain,
            UsernameKind::NtBackslash,
            UsernameKind::NtSlash,
        ];
        let forms = kinds
            .into_iter()
            .filter_map(|kind| kind.username(alias, domain, nt_domain))
            .map(|username| {
                let parts: [&[u8]; 3] =
                    [username.as_bytes(), realm.as_bytes(), password.as_bytes()];
                let md5 = DigestAlgorithm::Md5.hash_joined(&parts);
                let sha256 = DigestAlgorithm::Sha256.hash_joined(&parts);
                let mut m = [0u8; 16];
                let mut s = [0u8; 32];
                m.copy_from_slice(&md5);
                s.copy_from_slice(&sha256);
                CredentialForm::from_hashes(&username, m, s)
            })
            .collect();
        Self {
            realm: realm.into(),
            nt_domain: nt_domain.map(Into::into),
            forms,
        }
    }

    /// Credentials from hashes kept elsewhere (a directory file).
    pub fn from_forms(realm: &str, nt_domain: Option<&str>, forms: Vec<CredentialForm>) -> Self {
        Self {
            realm: realm.into(),
            nt_domain: nt_domain.map(Into::into),
            forms,
        }
    }

    /// Whether `password` is the password these hashes were derived from: the hashes
    /// of the first user name form are derived again from `password` and compared (in
    /// time that does not depend on where they differ). `false` without any form.
    ///
    /// ```
    /// use rvp_server::directory::StoredCredentials;
    ///
    /// let stored = StoredCredentials::derive("alice", "localhost", "localhost", None, "pw-1");
    /// assert!(stored.matches_password("pw-1"));
    /// assert!(!stored.matches_password("pw-2"));
    /// ```
    pub fn matches_password(&self, password: &str) -> bool {
        let Some(form) = self.forms.first() else {
            return false;
        };
        let parts: [&[u8]; 3] = [
            form.username.as_bytes(),
            self.realm.as_bytes(),
            password.as_bytes(),
        ];
        let md5 = DigestAlgorithm::Md5.hash_joined(&parts);
        let sha256 = DigestAlgorithm::Sha256.hash_joined(&parts);
        let differs = md5
            .iter()
            .chain(&sha256)
            .zip(form.md5.iter().chain(&form.sha256))
            .fold(0u8, |acc, (x, y)| acc | (x ^ y));
        md5.len() == form.md5.len() && sha256.len() == form.sha256.len() && differs == 0
    }

    /// The realm the hashes were computed for.
    pub fn realm(&self) -> &str {
        &self.realm
    }

    /// The NT domain name the NT forms use, if any.
    pub fn nt_domain(&self) -> Option<&str> {
        self.nt_domain.as_deref()
    }

    /// The stored form for `username`, matched exactly.
    pub fn form(&self, username: &str) -> Option<&CredentialForm> {
        self.forms.iter().find(|f| &*f.username == username)
    }

    /// `HA1` for `algorithm` and the user name exactly as sent, raw bytes.
    pub fn ha1(&self, algorithm: DigestAlgorithm, username: &str) -> Option<&[u8]> {
        self.form(username).map(|f| f.ha1(algorithm))
    }

    /// Every stored form.
    pub fn forms(&self) -> &[CredentialForm] {
        &self.forms
    }
}

impl fmt::Debug for StoredCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredCredentials")
            .field("realm", &self.realm)
            .field("nt_domain", &self.nt_domain)
            .field("forms", &self.forms)
            .finish()
    }
}

/// Lower-case hex of `bytes`.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

/// Decodes exactly `N` bytes of hex (either case).
pub(crate) fn from_hex<const N: usize>(s: &str) -> Option<[u8; N]> {
    let bytes = s.as_bytes();
    if bytes.len() != N * 2 {
        return None;
    }
    let nibble = |b: u8| -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    };
    let mut out = [0u8; N];
    for (o, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        let (hi, lo) = match pair {
            [hi, lo] => (nibble(*hi)?, nibble(*lo)?),
            _ => return None,
        };
        *o = (hi << 4) | lo;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc2617_ha1() {
        let c = StoredCredentials::derive(
            "Mufasa",
            "host.com",
            "testrealm@host.com",
            None,
            "Circle Of Life",
        );
        let ha1 = c.ha1(DigestAlgorithm::Md5, "Mufasa").unwrap();
        assert_eq!(to_hex(ha1), "939e7578ed9e3c518a452acee763bce9");
        assert_eq!(c.forms().len(), 2);
        assert!(c.ha1(DigestAlgorithm::Md5, "CORP\\Mufasa").is_none());
    }

    #[test]
    fn rfc7616_sha256_ha1() {
        // RFC 7616 section 3.9.1: HA1 = SHA-256("Mufasa:http-auth@example.org:Circle of Life").
        let c = StoredCredentials::derive(
            "Mufasa",
            "example.org",
            "http-auth@example.org",
            None,
            "Circle of Life",
        );
        let got = to_hex(c.ha1(DigestAlgorithm::Sha256, "Mufasa").unwrap());
        let want = to_hex(&Sha256::digest(
            b"Mufasa:http-auth@example.org:Circle of Life",
        ));
        assert_eq!(got, want);
    }

    #[test]
    fn every_form() {
        let c = StoredCredentials::derive(
            "alice",
            "example.com",
            "example.com",
            Some("CORP"),
            "secret",
        );
        let names: Vec<_> = c.forms().iter().map(|f| (f.username(), f.kind())).collect();
        assert_eq!(
            names,
            [
                ("alice", UsernameKind::Alias),
                ("alice@example.com", UsernameKind::AliasAtDomain),
                ("CORP\\alice", UsernameKind::NtBackslash),
                ("CORP/alice", UsernameKind::NtSlash),
            ]
        );
        for f in c.forms() {
            let want = Md5::digest(format!("{}:example.com:secret", f.username()).as_bytes());
            assert_eq!(f.ha1(DigestAlgorithm::Md5), want.as_slice());
        }
        assert_eq!(c.realm(), "example.com");
        assert_eq!(c.nt_domain(), Some("CORP"));
    }

    #[test]
    fn debug_hides_hashes() {
        let c = StoredCredentials::derive("alice", "example.com", "example.com", None, "secret");
        let ha1 = to_hex(c.ha1(DigestAlgorithm::Md5, "alice").unwrap());
        let debug = format!("{c:?}");
        assert!(!debug.contains(&ha1), "{debug}");
        assert!(debug.contains("alice@example.com"));
    }

    #[test]
    fn hex_round_trip() {
        let bytes = [0u8, 1, 0xab, 0xff];
        assert_eq!(to_hex(&bytes), "0001abff");
        assert_eq!(from_hex::<4>("0001ABff"), Some(bytes));
        assert_eq!(from_hex::<4>("0001abf"), None);
        assert_eq!(from_hex::<4>("0001abfg"), None);
        assert_eq!(from_hex::<1>("é"), None);
    }

    #[test]
    fn algorithms() {
        assert_eq!(
            DigestAlgorithm::from_codec(Some(&Algorithm::Md5)),
            Some(DigestAlgorithm::Md5)
        );
        assert_eq!(
            DigestAlgorithm::from_codec(Some(&Algorithm::Sha256Sess)),
            None
        );
        for a in DigestAlgorithm::ALL {
            assert_eq!(DigestAlgorithm::from_codec(Some(&a.to_codec())), Some(a));
            assert_eq!(a.hash_joined(&[b"x"]).len(), a.output_len());
        }
    }
}
