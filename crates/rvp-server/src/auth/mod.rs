//! HTTP Digest authentication (RFC 2617 MD5, RFC 7616 SHA-256) for the server side.
//!
//! [`DigestAuth`] issues challenges ([`DigestAuth::challenge`]) and checks the
//! credentials that answer them ([`DigestAuth::verify`]) against a
//! [`Directory`]'s stored HA1 hashes. It is sans-IO: every call takes `now`, randomness
//! comes from a seedable RNG ([`DigestConfig::rng_seed`]), and its state (the nonces) is
//! behind a mutex, so one `DigestAuth` serves all the server's tasks.
//!
//! # The challenge
//!
//! One `Digest` challenge per offered algorithm, all with the same fresh nonce and
//! `qop="auth"`: MD5 first, without an `algorithm` parameter (absent means MD5), exactly
//! the form librvp was observed to answer (`Digest realm="example.com", nonce="…",
//! qop="auth"`); then `algorithm=SHA-256`. librvp understands only MD5 and, worse, reads
//! the parameters of every challenge in turn (the last `algorithm` wins), so a 401
//! carrying a SHA-256 challenge at all makes it fail ("Server asked for unknown algorithm
//! 'SHA-256'"): the server therefore offers SHA-256 only when configured to
//! (`[auth] offer-sha256`, default off). RFC 7616 clients pick the strongest they
//! support whatever the order. Session variants (`-sess`) are not offered (librvp's
//! `MD5-sess` answers do not verify as RFC 2617 anyway), nor `auth-int`, nor `userhash`.
//!
//! # What is checked
//!
//! In this order (the first failure is returned):
//!
//! 1. the shape: no `userhash`; an offered algorithm; `qop` absent (RFC 2069, if
//!    [`DigestConfig::allow_rfc2069`]) or `auth` with `nc` and `cnonce`; `cnonce` at most
//!    [`MAX_CNONCE_LEN`] bytes; `uri` equal to the request target. These are `400`.
//! 2. the user: the alias of the user name ([`UsernameForm`]) is looked up in the
//!    domain; the hash for the exact user name sent and the algorithm must be stored; the
//!    realm must be the one the hashes were made for; the response must match (compared
//!    in constant time). All failures are one [`AuthError::BadCredentials`] (`401`), with
//!    the cause for the log; an unknown user costs the same hashing as a known one.
//! 3. the nonce: issued by this `DigestAuth` for this realm, not expired, same `opaque`,
//!    used fewer than [`DigestConfig::max_uses_per_nonce`] times. An unknown, expired or
//!    used-up nonce with a correct response is [`AuthError::Stale`] (`401 stale=true`: the
//!    client retries with the new nonce without asking its user).
//! 4. replay: `qop=auth` credentials are accepted once per (nonce, nc, cnonce); RFC 2069
//!    credentials once per nonce. The nonce count is **not** required to increase: both
//!    real clients keep `nc=00000001` and send a fresh cnonce each time.
//!
//! ## The `uri` parameter
//!
//! It must equal the request target the server received, byte for byte; or, when one of
//! the two is in absolute form (`http://host/path`) and the other in origin form
//! (`/path`), the path and query of the absolute one must equal the other. That
//! tolerates a client or proxy that rewrote the request line between forms, while the
//! resource covered stays the same (the host is the server's own business: it routes on
//! it). Two different absolute forms never match.
//!
//! # Example
//!
//! ```
//! use std::time::Instant;
//! use rvp_codec::header::{DigestCredentials, ParamValue, Qop};
//! use rvp_server::auth::{DigestAuth, DigestConfig};
//! use rvp_server::directory::{MemoryDirectory, NewPrincipal, PrincipalEntry};
//!
//! let dir = MemoryDirectory::new();
//! dir.insert(PrincipalEntry::from_password(NewPrincipal::new("alice", "example.com"), "secret")?)?;
//! let mut config = DigestConfig::default();
//! config.rng_seed = Some(7);
//! let auth = DigestAuth::new(config)?;
//!
//! let now = Instant::now();
//! let realm = ParamValue::new("example.com")?;
//! let challenge = auth.challenge(now, &realm, false);
//! let nonce = challenge.digest().unwrap().nonce.clone();
//! # use md5::{Digest, Md5};
//! # let h = |s: String| Md5::digest(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect::<String>();
//! # let ha1 = h("alice:example.com:secret".into());
//! # let ha2 = h("SUBSCRIBE:/instmsg/aliases/alice".into());
//! # let response = ParamValue::new(&h(format!("{ha1}:{}:00000001:abc:auth:{ha2}", nonce.as_str())))?;
//!
//! // ... the client answers ...
//! let mut creds = DigestCredentials::new(
//!     ParamValue::new("alice")?, realm, nonce,
//!     ParamValue::new("/instmsg/aliases/alice")?, response,
//! );
//! creds.qop = Some(Qop::Auth);
//! creds.nc = Some(1);
//! creds.cnonce = Some(ParamValue::new("abc")?);
//! let ok = auth.verify(now, "SUBSCRIBE", "/instmsg/aliases/alice", &creds, &dir, "example.com")?;
//! assert_eq!(ok.entry.alias, "alice");
//! // The same credentials again are a replay.
//! assert!(auth.verify(now, "SUBSCRIBE", "/instmsg/aliases/alice", &creds, &dir, "example.com").is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
mod nonce;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use rvp_codec::header::{
    Challenge, DigestChallenge, DigestCredentials, ParamValue, Qop, UsernameForm, WwwAuthenticate,
};

use crate::directory::{DigestAlgorithm, Directory, PrincipalEntry, UsernameKind, to_hex};
pub use error::{AuthError, CredentialsFailure, DigestConfigError, Rejection, StaleReason};
use nonce::{NonceTable, NonceUse};

/// Longest `cnonce` accepted, in bytes (real clients send 26 or 32).
pub const MAX_CNONCE_LEN: usize = 256;

/// Random bytes in a nonce (written as twice as many hex digits).
const NONCE_BYTES: usize = 16;

/// The settings of a [`DigestAuth`].
///
/// ```
/// use std::time::Duration;
/// use rvp_server::auth::DigestConfig;
/// use rvp_server::directory::DigestAlgorithm;
///
/// let mut c = DigestConfig::default();
/// assert_eq!(c.algorithms, [DigestAlgorithm::Md5, DigestAlgorithm::Sha256]);
/// assert_eq!(c.nonce_lifetime, Duration::from_secs(300));
/// c.algorithms = vec![DigestAlgorithm::Md5]; // librvp only
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DigestConfig {
    /// The algorithms offered, one challenge each, in this order (default MD5, then
    /// SHA-256: see the [module docs](self) on why MD5 comes first).
    pub algorithms: Vec<DigestAlgorithm>,
    /// How long a nonce is good for (default 300 s).
    pub nonce_lifetime: Duration,
    /// Most nonces remembered (default 10,000); issuing one more forgets the oldest.
    pub max_outstanding_nonces: usize,
    /// Most credentials accepted per nonce (default 64); then the nonce is stale.
    pub max_uses_per_nonce: u32,
    /// Send a random `opaque` with each challenge and require it back (default off:
    /// whether librvp echoes it was not observed).
    pub opaque: bool,
    /// Accept RFC 2069 credentials (no `qop`), once per nonce (default on: librvp sends
    /// them to a challenge without `qop`).
    pub allow_rfc2069: bool,
    /// Seed of the nonce generator; `None` (default) seeds from the operating system.
    /// Set it only in tests: nonces must be unpredictable.
    pub rng_seed: Option<u64>,
}

impl Default for DigestConfig {
    fn default() -> Self {
        Self {
            algorithms: DigestAlgorithm::ALL.to_vec(),
            nonce_lifetime: Duration::from_secs(300),
            max_outstanding_nonces: 10_000,
            max_uses_per_nonce: 64,
            opaque: false,
            allow_rfc2069: true,
            rng_seed: None,
        }
    }
}

/// Credentials that passed [`DigestAuth::verify`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Verified {
    /// The authenticated principal.
    pub entry: Arc<PrincipalEntry>,
    /// The algorithm the client used.
    pub algorithm: DigestAlgorithm,
    /// The user name form the client sent.
    pub username_form: UsernameKind,
}

/// Server-side HTTP Digest: issues challenges, verifies credentials, remembers nonces.
///
/// Thread-safe (`Send + Sync`); share it in an `Arc`. See the [module docs](self) for
/// what is checked and an example.
#[derive(Debug)]
pub struct DigestAuth {
    config: DigestConfig,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    rng: StdRng,
    nonces: NonceTable,
}

impl Default for DigestAuth {
    fn default() -> Self {
        let config = DigestConfig::default();
        Self::with_valid_config(config)
    }
}

impl DigestAuth {
    /// A `DigestAuth` with `config`.
    ///
    /// # Errors
    /// [`DigestConfigError`] when no algorithm is offered, one is offered twice, or a
    /// limit is zero.
    pub fn new(config: DigestConfig) -> Result<Self, DigestConfigError> {
        if config.algorithms.is_empty() {
            return Err(DigestConfigError::NoAlgorithms);
        }
        for (i, a) in config.algorithms.iter().enumerate() {
            if config.algorithms.get(..i).is_some_and(|s| s.contains(a)) {
                return Err(DigestConfigError::DuplicateAlgorithm(*a));
            }
        }
        if config.max_outstanding_nonces == 0 {
            return Err(DigestConfigError::Zero {
                field: "max_outstanding_nonces",
            });
        }
        if config.max_uses_per_nonce == 0 {
            return Err(DigestConfigError::Zero {
                field: "max_uses_per_nonce",
            });
        }
        if config.nonce_lifetime.is_zero() {
            return Err(DigestConfigError::Zero {
                field: "nonce_lifetime",
            });
        }
        Ok(Self::with_valid_config(config))
    }

    fn with_valid_config(config: DigestConfig) -> Self {
        let rng = match config.rng_seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_os_rng(),
        };
        let nonces = NonceTable::new(config.max_outstanding_nonces, config.max_uses_per_nonce);
        Self {
            config,
            state: Mutex::new(State { rng, nonces }),
        }
    }

    /// The settings.
    pub fn config(&self) -> &DigestConfig {
        &self.config
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The `WWW-Authenticate` challenges of a `401` for `realm` (the IM domain): one per
    /// offered algorithm, sharing one fresh nonce, with `qop="auth"`, and `stale=true`
    /// when `stale` (the credentials were right but the nonce was not; see
    /// [`AuthError::is_stale`]).
    ///
    /// ```
    /// use std::time::Instant;
    /// use http::HeaderMap;
    /// use rvp_codec::header::{HeaderMapExt, ParamValue};
    /// use rvp_server::auth::DigestAuth;
    ///
    /// let auth = DigestAuth::default();
    /// let mut headers = HeaderMap::new();
    /// headers.typed_insert(auth.challenge(Instant::now(), &ParamValue::new("example.com")?, false));
    /// let values: Vec<_> = headers.get_all("www-authenticate").iter().collect();
    /// assert_eq!(values.len(), 2);
    /// assert!(values[0].to_str()?.starts_with(r#"Digest realm="example.com", nonce=""#));
    /// assert!(values[1].to_str()?.contains("algorithm=SHA-256"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn challenge(&self, now: Instant, realm: &ParamValue, stale: bool) -> WwwAuthenticate {
        let expires = now + self.config.nonce_lifetime;
        let (nonce, opaque) = {
            let mut state = self.lock();
            let state = &mut *state;
            let mut nonce = random_hex(&mut state.rng);
            // 128 random bits do not collide; if they ever did, draw again rather than
            // hand out a nonce twice.
            while state.nonces.contains(&nonce) {
                nonce = random_hex(&mut state.rng);
            }
            let opaque = self.config.opaque.then(|| random_hex(&mut state.rng));
            state
                .nonces
                .insert(now, &nonce, realm.as_str(), opaque.as_deref(), expires);
            (nonce, opaque)
        };
        // Hex digits are always a valid parameter value.
        let nonce = ParamValue::new(&nonce).unwrap_or_default();
        let opaque = opaque.and_then(|o| ParamValue::new(&o).ok());
        let challenges = self
            .config
            .algorithms
            .iter()
            .map(|&algorithm| {
                let mut c = DigestChallenge::new(realm.clone(), nonce.clone());
                c.algorithm = match algorithm {
                    DigestAlgorithm::Md5 => None,
                    other => Some(other.to_codec()),
                };
                c.opaque = opaque.clone();
                c.stale = stale;
                Challenge::Digest(c)
            })
            .collect();
        WwwAuthenticate(challenges)
    }

    /// Forgets the nonces that expired at `now` (also done by every
    /// [`challenge`](Self::challenge)).
    pub fn purge_expired(&self, now: Instant) {
        self.lock().nonces.purge(now);
    }

    /// How many nonces are remembered.
    pub fn outstanding_nonces(&self) -> usize {
        self.lock().nonces.len()
    }

    /// Checks Digest `credentials` sent with a request for `method` and `request_uri`
    /// (the request target as received) to a principal of `domain`, against
    /// `directory`; on success the nonce use is recorded, so the same credentials are
    /// refused next time. See the [module docs](self) for the checks and their order.
    ///
    /// # Errors
    /// [`AuthError`]; [`AuthError::rejection`] says whether to answer `401` (and with
    /// `stale=true`) or `400`.
    pub fn verify(
        &self,
        now: Instant,
        method: &str,
        request_uri: &str,
        credentials: &DigestCredentials,
        directory: &dyn Directory,
        domain: &str,
    ) -> Result<Verified, AuthError> {
        let c = credentials;
        // 1. Shape.
        if c.userhash {
            return Err(AuthError::UserhashUnsupported);
        }
        let algorithm = DigestAlgorithm::from_codec(c.algorithm.as_ref())
            .filter(|a| self.config.algorithms.contains(a))
            .ok_or_else(|| AuthError::UnsupportedAlgorithm {
                algorithm: c
                    .algorithm
                    .as_ref()
                    .map_or("MD5", |a| a.as_str())
                    .to_owned(),
            })?;
        let use_ = match &c.qop {
            None if self.config.allow_rfc2069 => NonceUse::Rfc2069,
            None => return Err(AuthError::QopRequired),
            Some(Qop::Auth) => {
                let nc = c.nc.ok_or(AuthError::MissingParameter { param: "nc" })?;
                let cnonce = c
                    .cnonce
                    .as_ref()
                    .ok_or(AuthError::MissingParameter { param: "cnonce" })?
                    .as_str();
                if cnonce.len() > MAX_CNONCE_LEN {
                    return Err(AuthError::ParameterTooLong {
                        param: "cnonce",
                        len: cnonce.len(),
                        max: MAX_CNONCE_LEN,
                    });
                }
                NonceUse::Qop { nc, cnonce }
            }
            Some(other) => {
                return Err(AuthError::UnsupportedQop {
                    qop: other.as_str().to_owned(),
                });
            }
        };
        if !uri_matches(request_uri, c.uri.as_str()) {
            return Err(AuthError::UriMismatch {
                request_uri: request_uri.to_owned(),
                credentials_uri: c.uri.as_str().to_owned(),
            });
        }

        // 2. User, realm, response.
        let username = c.username.as_str();
        let bad = |cause| AuthError::BadCredentials {
            username: username.to_owned(),
            cause,
        };
        let qop_parts = match use_ {
            NonceUse::Qop { nc, cnonce } => Some((nc, cnonce)),
            NonceUse::Rfc2069 => None,
        };
        let expected = |ha1: &[u8]| {
            response(
                algorithm,
                ha1,
                c.nonce.as_str(),
                qop_parts,
                method,
                c.uri.as_str(),
            )
        };
        let form = UsernameForm::parse(username);
        let entry = directory.lookup(domain, form.alias);
        let found = entry.as_ref().and_then(|e| {
            e.credentials
                .form(username)
                .map(|f| (e, f.ha1(algorithm), f.kind()))
        });
        let Some((entry, ha1, kind)) = found else {
            // Same work as a known user, so timing does not tell them apart.
            std::hint::black_box(expected(&vec![0; algorithm.output_len()]));
            return Err(bad(match entry {
                None => CredentialsFailure::UnknownUser,
                Some(_) => CredentialsFailure::UnknownUsernameForm,
            }));
        };
        let realm = entry.credentials.realm();
        if c.realm.as_str() != realm {
            std::hint::black_box(expected(ha1));
            return Err(bad(CredentialsFailure::WrongRealm {
                expected: realm.to_owned(),
                got: c.realm.as_str().to_owned(),
            }));
        }
        let sent = c.response.as_str().to_ascii_lowercase();
        if !ct_eq(expected(ha1).as_bytes(), sent.as_bytes()) {
            return Err(bad(CredentialsFailure::WrongPassword));
        }

        // 3 and 4. Nonce and replay.
        let opaque = c.opaque.as_ref().map(ParamValue::as_str);
        self.lock()
            .nonces
            .use_nonce(now, c.nonce.as_str(), realm, opaque, use_)?;
        Ok(Verified {
            entry: Arc::clone(entry),
            algorithm,
            username_form: kind,
        })
    }
}

/// `NONCE_BYTES` random bytes as hex.
fn random_hex(rng: &mut StdRng) -> String {
    let mut bytes = [0u8; NONCE_BYTES];
    rng.fill_bytes(&mut bytes);
    to_hex(&bytes)
}

/// The expected `response`, lower-case hex: RFC 7616 section 3.4.1 (RFC 2617 section
/// 3.2.2.1) with `qop=auth` and `(nc, cnonce)`, RFC 2069 without.
fn response(
    algorithm: DigestAlgorithm,
    ha1: &[u8],
    nonce: &str,
    qop: Option<(u32, &str)>,
    method: &str,
    uri: &str,
) -> String {
    let ha1 = to_hex(ha1);
    let ha2 = to_hex(&algorithm.hash_joined(&[method.as_bytes(), uri.as_bytes()]));
    let digest = match qop {
        Some((nc, cnonce)) => {
            let nc = format!("{nc:08x}");
            algorithm.hash_joined(&[
                ha1.as_bytes(),
                nonce.as_bytes(),
                nc.as_bytes(),
                cnonce.as_bytes(),
                b"auth",
                ha2.as_bytes(),
            ])
        }
        None => algorithm.hash_joined(&[ha1.as_bytes(), nonce.as_bytes(), ha2.as_bytes()]),
    };
    to_hex(&digest)
}

/// Compares in time that depends only on the lengths (which are not secret).
fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether the credentials' `uri` covers the request target (see the module docs).
fn uri_matches(request_uri: &str, credentials_uri: &str) -> bool {
    if request_uri == credentials_uri {
        return true;
    }
    match (origin_of(request_uri), origin_of(credentials_uri)) {
        (Some(path), None) => path == credentials_uri,
        (None, Some(path)) => path == request_uri,
        _ => false,
    }
}

/// The path and query of an absolute-form `http`/`https` URI (`/` when it has none).
fn origin_of(uri: &str) -> Option<&str> {
    let scheme_len = uri.find("://")?;
    let scheme = uri.get(..scheme_len)?;
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
        return None;
    }
    let rest = uri.get(scheme_len + 3..)?;
    Some(rest.find('/').and_then(|i| rest.get(i..)).unwrap_or("/"))
}

#[cfg(test)]
mod tests;
