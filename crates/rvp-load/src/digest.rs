//! Client-side HTTP Digest (RFC 2617, MD5 with `qop=auth`) as a long-lived
//! client does it: one challenge taken from a `401`, then the same nonce for
//! every later request with an incrementing nonce count, until the server
//! says `stale=true` (the nonce expired or was used up) and a new challenge
//! is taken.

use std::fmt::Write as _;

use md5::{Digest as _, Md5};
use rvp_codec::header::{
    Algorithm, Authorization, Challenge, DigestChallenge, DigestCredentials, ParamValue, Qop,
    WwwAuthenticate,
};

/// Why a `401` cannot be answered.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DigestError {
    /// The `401` offered no MD5 Digest challenge.
    #[error("no MD5 Digest challenge in the 401")]
    NoChallenge,
    /// A `401` to credentials, without `stale=true`: the password is wrong.
    #[error("credentials refused")]
    Refused,
}

/// The Digest state of one user towards one server.
///
/// ```
/// use rvp_load::DigestSession;
///
/// let s = DigestSession::new("u000001", "pw-u000001");
/// assert!(!s.has_challenge());
/// ```
#[derive(Clone, Debug)]
pub struct DigestSession {
    username: String,
    password: String,
    challenge: Option<DigestChallenge>,
    /// `hex(MD5(username:realm:password))` for the challenge's realm.
    ha1: String,
    nc: u32,
    cnonce_seq: u64,
}

impl DigestSession {
    /// A session for `username` with `password`, before any challenge.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            password: password.into(),
            challenge: None,
            ha1: String::new(),
            nc: 0,
            cnonce_seq: 0,
        }
    }

    /// Whether a challenge is held (requests carry credentials).
    pub fn has_challenge(&self) -> bool {
        self.challenge.is_some()
    }

    /// The nonce count of the last credentials made.
    pub fn nonce_count(&self) -> u32 {
        self.nc
    }

    /// Takes the challenge of a `401`. `sent_credentials` says whether the
    /// request that got it carried credentials: then only a `stale=true`
    /// challenge is a reason to try again.
    ///
    /// # Errors
    /// [`DigestError::Refused`] for a non-stale `401` to credentials,
    /// [`DigestError::NoChallenge`] when no MD5 challenge is offered.
    pub fn on_unauthorized(
        &mut self,
        www: &WwwAuthenticate,
        sent_credentials: bool,
    ) -> Result<(), DigestError> {
        let md5 = www.0.iter().find_map(|c| match c {
            Challenge::Digest(d) if matches!(d.algorithm, None | Some(Algorithm::Md5)) => Some(d),
            _ => None,
        });
        let Some(d) = md5 else {
            return Err(DigestError::NoChallenge);
        };
        if sent_credentials && !d.stale {
            return Err(DigestError::Refused);
        }
        let same_realm = self
            .challenge
            .as_ref()
            .is_some_and(|c| c.realm.as_str() == d.realm.as_str());
        if !same_realm {
            self.ha1 = md5_hex(&[
                self.username.as_bytes(),
                b":",
                d.realm.as_str().as_bytes(),
                b":",
                self.password.as_bytes(),
            ]);
        }
        self.challenge = Some(d.clone());
        self.nc = 0;
        Ok(())
    }

    /// The `Authorization` for one request (`method` and request target
    /// `uri`), with the next nonce count and a fresh client nonce; `None`
    /// before the first challenge.
    pub fn authorize(&mut self, method: &str, uri: &str) -> Option<Authorization> {
        let c = self.challenge.as_ref()?;
        self.nc = self.nc.wrapping_add(1);
        self.cnonce_seq = self.cnonce_seq.wrapping_add(1);
        let cnonce = format!("{:016x}{:08x}", rand::random::<u64>(), self.cnonce_seq);
        let nonce = c.nonce.as_str();
        let ha2 = md5_hex(&[method.as_bytes(), b":", uri.as_bytes()]);
        let use_qop = c.qop.contains(&Qop::Auth);
        let nc = format!("{:08x}", self.nc);
        let response = if use_qop {
            md5_hex(&[
                self.ha1.as_bytes(),
                b":",
                nonce.as_bytes(),
                b":",
                nc.as_bytes(),
                b":",
                cnonce.as_bytes(),
                b":auth:",
                ha2.as_bytes(),
            ])
        } else {
            md5_hex(&[
                self.ha1.as_bytes(),
                b":",
                nonce.as_bytes(),
                b":",
                ha2.as_bytes(),
            ])
        };
        let mut creds = DigestCredentials::new(
            ParamValue::new(&self.username).ok()?,
            c.realm.clone(),
            c.nonce.clone(),
            ParamValue::new(uri).ok()?,
            ParamValue::new(&response).ok()?,
        );
        creds.algorithm = Some(Algorithm::Md5);
        creds.opaque = c.opaque.clone();
        if use_qop {
            creds.qop = Some(Qop::Auth);
            creds.nc = Some(self.nc);
            creds.cnonce = Some(ParamValue::new(&cnonce).ok()?);
        }
        Some(Authorization::Digest(creds))
    }
}

fn md5_hex(parts: &[&[u8]]) -> String {
    let mut h = Md5::new();
    for p in parts {
        h.update(p);
    }
    h.finalize()
        .iter()
        .fold(String::with_capacity(32), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use rvp_server::auth::{AuthError, DigestAuth, DigestConfig};
    use rvp_server::directory::{DigestAlgorithm, MemoryDirectory, NewPrincipal, PrincipalEntry};

    use super::*;

    fn server(max_uses: u32) -> (DigestAuth, MemoryDirectory) {
        let mut c = DigestConfig::default();
        c.algorithms = vec![DigestAlgorithm::Md5];
        c.max_uses_per_nonce = max_uses;
        c.rng_seed = Some(7);
        let dir = MemoryDirectory::new();
        dir.insert(
            PrincipalEntry::from_password(NewPrincipal::new("u000001", "localhost"), "pw").unwrap(),
        )
        .unwrap();
        (DigestAuth::new(c).unwrap(), dir)
    }

    fn creds(a: Authorization) -> DigestCredentials {
        match a {
            Authorization::Digest(d) => d,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_server_accepts_a_nonce_reused_with_increasing_counts() {
        let (auth, dir) = server(64);
        let now = Instant::now();
        let realm = ParamValue::new("localhost").unwrap();
        let mut s = DigestSession::new("u000001", "pw");
        assert!(s.authorize("SUBSCRIBE", "/x").is_none());
        s.on_unauthorized(&auth.challenge(now, &realm, false), false)
            .unwrap();
        for i in 1..=5u32 {
            let uri = format!("/instmsg/aliases/u000001?{i}");
            let c = creds(s.authorize("PROPFIND", &uri).unwrap());
            assert_eq!(c.nc, Some(i));
            auth.verify(now, "PROPFIND", &uri, &c, &dir, "localhost")
                .unwrap();
        }
        assert_eq!(auth.outstanding_nonces(), 1);
    }

    #[test]
    fn stale_renews_the_challenge_and_a_wrong_password_is_refused() {
        let (auth, dir) = server(2);
        let now = Instant::now();
        let realm = ParamValue::new("localhost").unwrap();
        let mut s = DigestSession::new("u000001", "pw");
        s.on_unauthorized(&auth.challenge(now, &realm, false), false)
            .unwrap();
        for _ in 0..2 {
            let c = creds(s.authorize("ACL", "/a").unwrap());
            auth.verify(now, "ACL", "/a", &c, &dir, "localhost")
                .unwrap();
        }
        let c = creds(s.authorize("ACL", "/a").unwrap());
        let e = auth
            .verify(now, "ACL", "/a", &c, &dir, "localhost")
            .unwrap_err();
        assert!(e.is_stale(), "{e:?}");
        // The server then answers 401 stale=true: a new nonce, counting from 1.
        s.on_unauthorized(&auth.challenge(now, &realm, true), true)
            .unwrap();
        let c = creds(s.authorize("ACL", "/a").unwrap());
        assert_eq!(c.nc, Some(1));
        auth.verify(now, "ACL", "/a", &c, &dir, "localhost")
            .unwrap();
        // A non-stale 401 after credentials means refused.
        assert_eq!(
            s.on_unauthorized(&auth.challenge(now, &realm, false), true),
            Err(DigestError::Refused)
        );
        let mut wrong = DigestSession::new("u000001", "not-pw");
        wrong
            .on_unauthorized(&auth.challenge(now, &realm, false), false)
            .unwrap();
        let c = creds(wrong.authorize("ACL", "/a").unwrap());
        assert!(matches!(
            auth.verify(now, "ACL", "/a", &c, &dir, "localhost"),
            Err(AuthError::BadCredentials { .. })
        ));
        let later = now + Duration::from_secs(301);
        let c = creds(s.authorize("ACL", "/a").unwrap());
        assert!(
            auth.verify(later, "ACL", "/a", &c, &dir, "localhost")
                .unwrap_err()
                .is_stale()
        );
    }

    #[test]
    fn a_401_without_md5_cannot_be_answered() {
        let mut s = DigestSession::new("a", "b");
        assert_eq!(
            s.on_unauthorized(&WwwAuthenticate(Vec::new()), false),
            Err(DigestError::NoChallenge)
        );
    }
}
