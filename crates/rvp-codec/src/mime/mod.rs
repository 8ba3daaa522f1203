//! MIME payloads carried in a notification's `mime-data`: text messages, typing
//! notifications, application invitations and leave notices.

use http::StatusCode;

/// A MIME payload that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MimeError {
    /// A header line of the payload is malformed.
    #[error("malformed MIME header at line {line}")]
    Header {
        /// 1-based line number in the payload.
        line: usize,
    },
}

impl MimeError {
    /// The status code to answer with: `400`.
    pub fn status(&self) -> StatusCode {
        StatusCode::BAD_REQUEST
    }
}
