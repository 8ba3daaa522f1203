//! The crate's root error type.

use http::StatusCode;

use crate::{DecodeError, HeaderError, MimeError, XmlError};

/// Any error of this crate.
///
/// Each variant wraps the error of one layer; every error knows the HTTP status code a
/// server should answer with ([`Error::status`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Message framing or head syntax.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// A typed header field.
    #[error(transparent)]
    Header(#[from] HeaderError),
    /// An XML body.
    #[error(transparent)]
    Xml(#[from] XmlError),
    /// A MIME payload inside `mime-data`.
    #[error(transparent)]
    Mime(#[from] MimeError),
}

impl Error {
    /// The status code a server answers a request with when decoding it failed with this
    /// error: `431` for an oversized head, `413` for an oversized body, `400` for
    /// malformed input, `501`/`505` for unsupported transfer codings and versions.
    pub fn status(&self) -> StatusCode {
        match self {
            Error::Decode(e) => e.status(),
            Error::Header(e) => e.status(),
            Error::Xml(e) => e.status(),
            Error::Mime(e) => e.status(),
        }
    }
}
