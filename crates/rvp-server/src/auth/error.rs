//! Why credentials are refused, and what the server answers.

use http::StatusCode;

/// What the server answers a request whose credentials were refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rejection {
    /// `401 Unauthorized` with a fresh challenge; `stale=true` when only the nonce was
    /// the problem (the client retries without asking its user).
    Unauthorized {
        /// Whether to send `stale=true`.
        stale: bool,
    },
    /// `400 Bad Request`: the credentials could never answer this server's challenge.
    BadRequest,
}

impl Rejection {
    /// The status code.
    pub fn status(self) -> StatusCode {
        match self {
            Rejection::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Rejection::BadRequest => StatusCode::BAD_REQUEST,
        }
    }
}

/// Why the user name, realm or password did not check out. The peer is never told which
/// (all of them answer the same `401`); the server logs it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsFailure {
    /// No principal with that alias in the domain.
    #[error("no such user")]
    UnknownUser,
    /// The principal exists, but no hash is stored for the user name form sent (for
    /// example `CORP\alice` when no NT domain is configured, or a different letter case).
    #[error("no credentials stored for this user name form")]
    UnknownUsernameForm,
    /// The realm is not the one the principal's hashes were made for.
    #[error("realm {got:?} is not {expected:?}")]
    WrongRealm {
        /// The principal's realm.
        expected: String,
        /// The realm sent.
        got: String,
    },
    /// The response does not match: wrong password (or a client computing it wrongly).
    #[error("wrong password (response does not match)")]
    WrongPassword,
}

/// Why a nonce is no longer good.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum StaleReason {
    /// Its lifetime is over.
    #[error("expired")]
    Expired,
    /// Not issued by this server, or forgotten (evicted, or the server restarted).
    #[error("unknown")]
    Unknown,
    /// Used as many times as allowed.
    #[error("used up")]
    Exhausted,
}

/// Why [`DigestAuth::verify`](super::DigestAuth::verify) refused credentials.
///
/// [`AuthError::rejection`] says what to answer. `Display` is for logs: it may name the
/// user and the reason, which the peer must not see.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// Unknown user, unknown user name form, wrong realm or wrong password: one variant,
    /// one answer (`401`), so the peer cannot tell which; `cause` is for the log.
    #[error("credentials of {username:?} refused: {cause}")]
    BadCredentials {
        /// The user name as sent.
        username: String,
        /// Which check failed.
        cause: CredentialsFailure,
    },
    /// The response was right but the nonce is no longer good: `401` with `stale=true`.
    #[error("stale nonce ({reason})")]
    Stale {
        /// Why.
        reason: StaleReason,
    },
    /// These exact credentials (nonce, nonce count and client nonce) were accepted before.
    #[error("replayed credentials (nc {nc:?})")]
    Replay {
        /// The nonce count sent (none for RFC 2069 credentials).
        nc: Option<u32>,
    },
    /// `opaque` is not the value of the challenge.
    #[error("opaque does not match the challenge")]
    OpaqueMismatch,
    /// The `uri` parameter is not the request's target (RFC 7616 section 3.4.6: `400`).
    #[error("credentials are for {credentials_uri:?}, the request is for {request_uri:?}")]
    UriMismatch {
        /// The request target the server received.
        request_uri: String,
        /// The `uri` parameter.
        credentials_uri: String,
    },
    /// An algorithm this server does not offer (`MD5-sess`, `SHA-512-256`, ...).
    #[error("algorithm {algorithm:?} is not offered")]
    UnsupportedAlgorithm {
        /// Its name, as sent.
        algorithm: String,
    },
    /// A quality of protection other than `auth`.
    #[error("qop {qop:?} is not offered")]
    UnsupportedQop {
        /// As sent.
        qop: String,
    },
    /// RFC 2069 credentials (no `qop`) while they are disabled.
    #[error("credentials without qop are not accepted")]
    QopRequired,
    /// `qop` without `nc` or `cnonce` (the codec's parser already refuses this; built
    /// credentials may lack them).
    #[error("missing parameter {param}")]
    MissingParameter {
        /// Its name.
        param: &'static str,
    },
    /// A parameter longer than this server keeps.
    #[error("parameter {param} is {len} bytes long, more than {max}")]
    ParameterTooLong {
        /// Its name.
        param: &'static str,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// `userhash=true` (RFC 7616 section 3.4.4): not implemented, never offered.
    #[error("userhash is not supported")]
    UserhashUnsupported,
}

impl AuthError {
    /// What to answer: `401` (with `stale=true` for [`AuthError::Stale`]) when a fresh
    /// challenge can help, `400` when the credentials can never be valid here.
    ///
    /// ```
    /// use rvp_server::auth::{AuthError, Rejection, StaleReason};
    ///
    /// let e = AuthError::Stale { reason: StaleReason::Expired };
    /// assert_eq!(e.rejection(), Rejection::Unauthorized { stale: true });
    /// assert_eq!(AuthError::UserhashUnsupported.rejection(), Rejection::BadRequest);
    /// ```
    pub fn rejection(&self) -> Rejection {
        match self {
            AuthError::Stale { .. } => Rejection::Unauthorized { stale: true },
            AuthError::BadCredentials { .. }
            | AuthError::Replay { .. }
            | AuthError::OpaqueMismatch => Rejection::Unauthorized { stale: false },
            AuthError::UriMismatch { .. }
            | AuthError::UnsupportedAlgorithm { .. }
            | AuthError::UnsupportedQop { .. }
            | AuthError::QopRequired
            | AuthError::MissingParameter { .. }
            | AuthError::ParameterTooLong { .. }
            | AuthError::UserhashUnsupported => Rejection::BadRequest,
        }
    }

    /// Whether the answer is `401` with `stale=true`.
    pub fn is_stale(&self) -> bool {
        matches!(self.rejection(), Rejection::Unauthorized { stale: true })
    }

    /// The status code to answer with.
    pub fn status(&self) -> StatusCode {
        self.rejection().status()
    }
}

/// A [`DigestConfig`](super::DigestConfig) that cannot work.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DigestConfigError {
    /// No algorithm offered.
    #[error("no Digest algorithm offered")]
    NoAlgorithms,
    /// The same algorithm twice.
    #[error("algorithm {0} offered twice")]
    DuplicateAlgorithm(crate::directory::DigestAlgorithm),
    /// A limit of zero.
    #[error("{field} must be at least 1")]
    Zero {
        /// The field.
        field: &'static str,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        let bad = AuthError::BadCredentials {
            username: "alice".into(),
            cause: CredentialsFailure::UnknownUser,
        };
        let wrong = AuthError::BadCredentials {
            username: "alice".into(),
            cause: CredentialsFailure::WrongPassword,
        };
        // Same answer to the peer, different log line.
        assert_eq!(bad.rejection(), wrong.rejection());
        assert_ne!(bad.to_string(), wrong.to_string());
        assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
        assert!(!bad.is_stale());
        assert!(
            AuthError::Stale {
                reason: StaleReason::Unknown
            }
            .is_stale()
        );
        assert_eq!(
            AuthError::UriMismatch {
                request_uri: "/a".into(),
                credentials_uri: "/b".into()
            }
            .status(),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(Rejection::BadRequest.status(), StatusCode::BAD_REQUEST);
    }
}
