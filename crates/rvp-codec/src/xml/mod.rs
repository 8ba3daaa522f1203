//! XML bodies: the DAV and RVP documents, as typed values.

use http::StatusCode;

/// An XML body that is not well-formed, exceeds a limit, or is not the expected document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum XmlError {
    /// The body is not well-formed XML.
    #[error("malformed XML at byte {offset}")]
    Syntax {
        /// Byte offset in the body.
        offset: usize,
    },
}

impl XmlError {
    /// The status code to answer with: `400`.
    pub fn status(&self) -> StatusCode {
        StatusCode::BAD_REQUEST
    }
}
