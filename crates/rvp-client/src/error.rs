//! The crate's error type.

use http::StatusCode;

use crate::auth::AuthError;

/// Why an operation of the client failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server could not be reached or gave no complete answer (after
    /// the retries of [`RetryPolicy`](crate::RetryPolicy)).
    #[error("cannot reach {url}: {reason}")]
    Transport {
        /// The URL requested.
        url: String,
        /// Whether the request may have reached the server.
        kind: TransportKind,
        /// What went wrong (the error and its causes).
        reason: String,
    },
    /// A URL could not be built (a bad server name or address).
    #[error("unusable URL {url}")]
    BadUrl {
        /// The URL.
        url: String,
    },
    /// Digest authentication failed.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The server's location could not be found (SRV or address lookup).
    #[error("cannot locate the server: {0}")]
    Locate(#[from] im_url::ResolveError),
    /// The system's DNS configuration could not be read.
    #[error("cannot read the DNS configuration: {0}")]
    ResolverConfig(#[from] im_url::ConfigError),
    /// The server answered a request with an unexpected status.
    #[error("{method} answered {status}")]
    Status {
        /// The request method.
        method: String,
        /// The status received.
        status: StatusCode,
    },
    /// The server's answer could not be understood.
    #[error("malformed answer to {method}: {reason}")]
    Malformed {
        /// The request method.
        method: String,
        /// What was wrong.
        reason: String,
    },
    /// The callback listener could not be bound.
    #[error("cannot listen for callbacks: {0}")]
    Listen(#[source] std::io::Error),
    /// The contact list file could not be read or written.
    #[error("contact list {path}: {source}")]
    ContactFile {
        /// The file.
        path: std::path::PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The session has been logged off or shut down.
    #[error("the session is closed")]
    Closed,
    /// A lock was poisoned by a panicking task.
    #[error("internal state poisoned by a panic")]
    Poisoned,
}

/// How an exchange with a server failed, which says whether the request may
/// have been processed (and so whether repeating it is safe).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// No connection could be made: the request was not sent.
    Connect,
    /// No complete answer within the request timeout: the server may have
    /// processed the request.
    Timeout,
    /// The connection failed after the request was (partly) sent, or the
    /// answer was unreadable: the server may have processed the request.
    Broken,
}

impl Error {
    pub(crate) fn transport(url: &str, kind: TransportKind, e: &dyn std::error::Error) -> Self {
        let mut reason = e.to_string();
        let mut source = e.source();
        while let Some(cause) = source {
            reason.push_str(": ");
            reason.push_str(&cause.to_string());
            source = cause.source();
        }
        Error::Transport {
            url: url.to_owned(),
            kind,
            reason,
        }
    }

    pub(crate) fn status(method: &str, status: StatusCode) -> Self {
        Error::Status {
            method: method.to_owned(),
            status,
        }
    }

    pub(crate) fn malformed(method: &str, reason: impl std::fmt::Display) -> Self {
        Error::Malformed {
            method: method.to_owned(),
            reason: reason.to_string(),
        }
    }
}
