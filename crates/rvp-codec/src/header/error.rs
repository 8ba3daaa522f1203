//! The error of typed header decoding: which field, and what is wrong with it.

use http::StatusCode;

/// A header field that is missing where required, repeated where it must be single, or
/// has a value that does not parse.
///
/// Every variant names the field in the Title-Case spelling peers use
/// (`Subscription-Id`), and [`HeaderError::Invalid`] says what is wrong and, where it
/// applies, at which byte of the field value.
///
/// ```
/// use http::{HeaderMap, HeaderValue};
/// use rvp_codec::header::{HeaderMapExt, InvalidValue, SubscriptionLifetime};
/// use rvp_codec::HeaderError;
///
/// let mut headers = HeaderMap::new();
/// headers.insert("subscription-lifetime", HeaderValue::from_static("14400s"));
/// let err = headers.typed_get::<SubscriptionLifetime>().unwrap_err();
/// assert_eq!(
///     err,
///     HeaderError::Invalid {
///         name: "Subscription-Lifetime",
///         reason: InvalidValue::UnexpectedByte { offset: 5, byte: b's' },
///     }
/// );
/// assert_eq!(err.status(), http::StatusCode::BAD_REQUEST);
/// assert_eq!(
///     err.to_string(),
///     "invalid Subscription-Lifetime header value: unexpected byte 0x73 at offset 5"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderError {
    /// A required header field is absent.
    #[error("missing {name} header")]
    Missing {
        /// The header field's name, in Title-Case.
        name: &'static str,
    },
    /// A header field that must occur at most once occurs several times.
    #[error("{name} header repeated where only one is allowed")]
    Repeated {
        /// The header field's name, in Title-Case.
        name: &'static str,
    },
    /// The value of the named header field does not parse.
    #[error("invalid {name} header value: {reason}")]
    Invalid {
        /// The header field's name, in Title-Case.
        name: &'static str,
        /// What is wrong with the value.
        reason: InvalidValue,
    },
}

impl HeaderError {
    /// The status code to answer a request with: `400`.
    pub fn status(&self) -> StatusCode {
        StatusCode::BAD_REQUEST
    }

    /// The Title-Case name of the header field the error is about.
    pub fn name(&self) -> &'static str {
        match self {
            HeaderError::Missing { name }
            | HeaderError::Repeated { name }
            | HeaderError::Invalid { name, .. } => name,
        }
    }
}

/// What is wrong with a header field value.
///
/// Offsets count bytes from the start of the field value as stored in the
/// [`HeaderValue`](http::HeaderValue) (after the decoder removed surrounding whitespace).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidValue {
    /// The value is empty.
    #[error("empty value")]
    Empty,
    /// A byte that the value's grammar does not allow at this place.
    #[error("unexpected byte 0x{byte:02x} at offset {offset}")]
    UnexpectedByte {
        /// Offset of the byte in the value.
        offset: usize,
        /// The byte.
        byte: u8,
    },
    /// The value ends where its grammar needs more (an unterminated quoted string, a
    /// parameter without a value, a version without a minor number).
    #[error("value ends early, at offset {offset}")]
    UnexpectedEnd {
        /// The length of the value.
        offset: usize,
    },
    /// Text that is not UTF-8 where text is expected.
    #[error("invalid UTF-8 at offset {offset}")]
    NotUtf8 {
        /// Offset of the first byte that is not part of valid UTF-8.
        offset: usize,
    },
    /// The value, or a part of it, is longer than this codec accepts.
    #[error("value of {len} bytes is longer than the maximum of {max}")]
    TooLong {
        /// The length found.
        len: usize,
        /// The largest length accepted.
        max: usize,
    },
    /// A number outside the range the field allows.
    #[error("number out of range {min}..={max}")]
    OutOfRange {
        /// The smallest value allowed.
        min: u64,
        /// The largest value allowed.
        max: u64,
    },
    /// A well-formed value that is none of the values the field defines.
    #[error("unknown value")]
    UnknownValue,
    /// Not a URL the field can use: not a URI, or missing the scheme or host, or with a
    /// user-info part or a fragment.
    #[error("not an absolute http(s) URL")]
    NotAbsoluteUrl,
    /// Not a server name: not a host name or address with an optional port.
    #[error("not a host name with an optional port")]
    InvalidHost,
    /// A URL whose scheme is neither `http` nor `https`.
    #[error("URL scheme is not http or https")]
    UnsupportedScheme,
    /// An authentication parameter the scheme requires is absent.
    #[error("missing parameter {param}")]
    MissingParameter {
        /// The parameter's name.
        param: &'static str,
    },
    /// An authentication parameter occurs twice (names compare case-insensitively).
    #[error("duplicate parameter {param}")]
    DuplicateParameter {
        /// The parameter's name as received.
        param: Box<str>,
    },
    /// An authentication parameter whose value does not have the form its definition
    /// requires (an `nc` that is not 8 hex digits, a `stale` that is neither `true` nor
    /// `false`).
    #[error("invalid value of parameter {param} at offset {offset}")]
    InvalidParameter {
        /// The parameter's name as received.
        param: Box<str>,
        /// Offset of the parameter's value in the field value.
        offset: usize,
    },
    /// More authentication parameters in one challenge or credentials than accepted.
    #[error("more than {max} parameters")]
    TooManyParameters {
        /// The most parameters accepted.
        max: usize,
    },
    /// More challenges in `WWW-Authenticate` fields than accepted.
    #[error("more than {max} challenges")]
    TooManyChallenges {
        /// The most challenges accepted.
        max: usize,
    },
    /// An authentication scheme that needs a token (NTLM, Negotiate or Basic
    /// credentials) without one, or one that takes a token given parameters.
    #[error("authentication scheme needs a token68 at offset {offset}")]
    ExpectedToken68 {
        /// Where the token was expected.
        offset: usize,
    },
    /// An authentication scheme that takes parameters (Digest, Basic challenges) given a
    /// token68.
    #[error("authentication scheme needs parameters at offset {offset}")]
    ExpectedParameters {
        /// Where the parameters were expected.
        offset: usize,
    },
    /// Base64 data (NTLM messages, Basic credentials) that is not strict, padded
    /// base64 of the standard alphabet.
    #[error("invalid base64 at offset {offset}")]
    InvalidBase64 {
        /// Offset of the offending character in the base64 text.
        offset: usize,
    },
}
