//! Typed header fields of RVP (draft section 8) and of HTTP authentication.

use http::StatusCode;

/// A header field that is missing where required, repeated where it must be single, or
/// has a value that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderError {
    /// The value of the named header field does not parse.
    #[error("invalid {name} header value")]
    Invalid {
        /// The header field's name, in the Title-Case peers use.
        name: &'static str,
    },
}

impl HeaderError {
    /// The status code to answer with: `400`.
    pub fn status(&self) -> StatusCode {
        StatusCode::BAD_REQUEST
    }
}
