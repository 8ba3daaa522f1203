//! HTTP Digest answers (RFC 2617 MD5 with `qop=auth`, RFC 7616 SHA-256) and
//! the user-name forms RVP servers expect.

use md5::Md5;
use rvp_codec::header::{
    Algorithm, Authorization, DigestChallenge, DigestCredentials, ParamValue, Qop, WwwAuthenticate,
};
use sha2::{Digest, Sha256};

/// How the Digest `username` is written.
///
/// Exchange accepts the NT forms; the reference server accepts all four
/// (it stores one hash per form).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum UsernameForm {
    /// The alias alone: `alice`.
    #[default]
    Alias,
    /// The address: `alice@example.com`.
    Address,
    /// `NTDOMAIN\alias`, as Windows clients send.
    NtBackslash(String),
    /// `NTDOMAIN/alias`, as Miranda sends.
    NtSlash(String),
}

impl UsernameForm {
    /// The user name for `alias` in `domain`.
    pub fn username(&self, alias: &str, domain: &str) -> String {
        match self {
            UsernameForm::Alias => alias.to_owned(),
            UsernameForm::Address => format!("{alias}@{domain}"),
            UsernameForm::NtBackslash(nt) => format!("{nt}\\{alias}"),
            UsernameForm::NtSlash(nt) => format!("{nt}/{alias}"),
        }
    }
}

/// The challenge a client answers: the strongest Digest algorithm offered
/// (SHA-256 before MD5), its nonce and a nonce count.
#[derive(Clone, Debug)]
pub(crate) struct DigestState {
    challenge: DigestChallenge,
    nc: u32,
}

/// Why a challenge cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The server offered no Digest challenge we can answer.
    #[error("the server offers no usable Digest challenge (MD5 or SHA-256)")]
    NoUsableChallenge,
    /// The server refused the credentials (a `401` without `stale=true`).
    #[error("the server refused the credentials (wrong user name or password)")]
    Refused,
}

impl DigestState {
    /// Picks the challenge to answer from a `WWW-Authenticate` value.
    pub(crate) fn from_challenges(www: &WwwAuthenticate) -> Result<Self, AuthError> {
        let usable = |d: &DigestChallenge, want: &Algorithm| match &d.algorithm {
            None => *want == Algorithm::Md5,
            Some(a) => a == want,
        };
        let digests: Vec<&DigestChallenge> = www
            .0
            .iter()
            .filter_map(|c| match c {
                rvp_codec::header::Challenge::Digest(d) => Some(d),
                _ => None,
            })
            .collect();
        let pick = digests
            .iter()
            .find(|d| usable(d, &Algorithm::Sha256))
            .or_else(|| digests.iter().find(|d| usable(d, &Algorithm::Md5)))
            .ok_or(AuthError::NoUsableChallenge)?;
        Ok(Self {
            challenge: (*pick).clone(),
            nc: 0,
        })
    }

    /// Whether the challenge says the previous nonce merely expired.
    pub(crate) fn is_stale(www: &WwwAuthenticate) -> bool {
        www.digest().is_some_and(|d| d.stale) || www.0.iter().any(is_stale_challenge)
    }

    /// The `Authorization` for one request, with a fresh client nonce.
    pub(crate) fn authorize(
        &mut self,
        username: &str,
        password: &str,
        method: &str,
        uri: &str,
        cnonce: &str,
    ) -> Option<Authorization> {
        self.nc = self.nc.wrapping_add(1);
        let c = &self.challenge;
        let sha = c.algorithm == Some(Algorithm::Sha256);
        let h = |s: String| if sha { sha256_hex(&s) } else { md5_hex(&s) };
        let realm = c.realm.as_str();
        let nonce = c.nonce.as_str();
        let ha1 = h(format!("{username}:{realm}:{password}"));
        let ha2 = h(format!("{method}:{uri}"));
        let qop_auth = c.qop.is_empty() || c.qop.contains(&Qop::Auth);
        let use_qop = !c.qop.is_empty() && qop_auth;
        let nc = format!("{:08x}", self.nc);
        let response = if use_qop {
            h(format!("{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}"))
        } else {
            h(format!("{ha1}:{nonce}:{ha2}"))
        };
        let mut creds = DigestCredentials::new(
            ParamValue::new(username).ok()?,
            c.realm.clone(),
            c.nonce.clone(),
            ParamValue::new(uri).ok()?,
            ParamValue::new(&response).ok()?,
        );
        creds.algorithm = Some(if sha {
            Algorithm::Sha256
        } else {
            Algorithm::Md5
        });
        creds.opaque = c.opaque.clone();
        if use_qop {
            creds.qop = Some(Qop::Auth);
            creds.nc = Some(self.nc);
            creds.cnonce = Some(ParamValue::new(cnonce).ok()?);
        }
        Some(Authorization::Digest(creds))
    }
}

fn is_stale_challenge(c: &rvp_codec::header::Challenge) -> bool {
    matches!(c, rvp_codec::header::Challenge::Digest(d) if d.stale)
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn md5_hex(s: &str) -> String {
    hex(&Md5::digest(s.as_bytes()))
}

fn sha256_hex(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use rvp_codec::header::TypedHeader;

    fn www(value: &str) -> WwwAuthenticate {
        let v = http::HeaderValue::from_str(value).unwrap();
        WwwAuthenticate::decode(&mut std::iter::once(&v), &rvp_codec::Config::lenient()).unwrap()
    }

    /// RFC 2617 section 3.5's example, recomputed.
    #[test]
    fn rfc2617_md5_example() {
        let w = www(
            r#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
        );
        let mut d = DigestState::from_challenges(&w).unwrap();
        let Some(Authorization::Digest(c)) = d.authorize(
            "Mufasa",
            "Circle Of Life",
            "GET",
            "/dir/index.html",
            "0a4f113b",
        ) else {
            panic!("no credentials")
        };
        assert_eq!(c.response.as_str(), "6629fae49393a05397450978507c4ef1");
        assert_eq!(c.nc, Some(1));
    }

    /// RFC 7616 section 3.9.1's SHA-256 example.
    #[test]
    fn rfc7616_sha256_example_is_preferred() {
        let w = www(concat!(
            r#"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", "#,
            r#"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#
        ));
        let mut d = DigestState::from_challenges(&w).unwrap();
        let Some(Authorization::Digest(c)) = d.authorize(
            "Mufasa",
            "Circle of Life",
            "GET",
            "/dir/index.html",
            "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
        ) else {
            panic!("no credentials")
        };
        assert_eq!(c.algorithm, Some(Algorithm::Sha256));
        assert_eq!(
            c.response.as_str(),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
        );
    }

    #[test]
    fn username_forms() {
        assert_eq!(UsernameForm::Alias.username("a", "x.com"), "a");
        assert_eq!(UsernameForm::Address.username("a", "x.com"), "a@x.com");
        assert_eq!(
            UsernameForm::NtBackslash("DOM".into()).username("a", "x.com"),
            "DOM\\a"
        );
        assert_eq!(
            UsernameForm::NtSlash("DOM".into()).username("a", "x.com"),
            "DOM/a"
        );
    }

    #[test]
    fn stale_is_seen() {
        assert!(DigestState::is_stale(&www(
            r#"Digest realm="r", nonce="n", qop="auth", stale=true"#
        )));
        assert!(!DigestState::is_stale(&www(
            r#"Digest realm="r", nonce="n", qop="auth""#
        )));
    }
}
