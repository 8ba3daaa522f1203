//! Errors: one root [`Error`] and one enum per operation that callers branch on.

use std::net::SocketAddr;

/// Every error this crate returns, for callers that do not need to branch per operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An alias did not parse.
    #[error(transparent)]
    Alias(#[from] AliasError),
    /// A domain or host name did not parse.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// An address did not parse.
    #[error(transparent)]
    Address(#[from] AddressError),
    /// A URL did not parse.
    #[error(transparent)]
    Url(#[from] UrlError),
    /// A DNS message could not be built or read.
    #[error(transparent)]
    Dns(#[from] DnsError),
    /// Locating the server for an address failed.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// resolv.conf gave no usable configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// Why an alias (the user part of an address) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AliasError {
    /// The alias is empty.
    #[error("empty alias")]
    Empty,
    /// The alias is longer than the limit.
    #[error("alias is {len} bytes long, more than {max}")]
    TooLong {
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A non-ASCII character (aliases are ASCII).
    #[error("non-ASCII character {ch:?} at byte {index} of the alias")]
    NonAscii {
        /// Byte offset.
        index: usize,
        /// The character.
        ch: char,
    },
    /// An ASCII character outside the alias set.
    #[error("character {ch:?} at byte {index} is not allowed in an alias")]
    IllegalChar {
        /// Byte offset.
        index: usize,
        /// The character.
        ch: char,
    },
    /// A leading, trailing or doubled dot.
    #[error("alias starts or ends with '.' or contains '..'")]
    BadDot,
}

/// Why a domain or host name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DomainError {
    /// The name is empty.
    #[error("empty domain name")]
    Empty,
    /// The name is longer than the limit.
    #[error("domain name is {len} bytes long, more than {max}")]
    TooLong {
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A non-ASCII character: internationalised names must be given in A-label form.
    #[error(
        "non-ASCII character {ch:?} at byte {index}: give internationalised names in A-label (xn--) form"
    )]
    NonAscii {
        /// Byte offset.
        index: usize,
        /// The character.
        ch: char,
    },
    /// An empty label (`a..b`, a leading or a trailing dot).
    #[error("empty label at byte {index}")]
    EmptyLabel {
        /// Byte offset of the label.
        index: usize,
    },
    /// A label longer than 63 bytes.
    #[error("label at byte {index} is {len} bytes long, more than {max}")]
    LabelTooLong {
        /// Byte offset of the label.
        index: usize,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A character other than a letter, digit or hyphen.
    #[error("character {ch:?} at byte {index} is not allowed in a host name")]
    IllegalChar {
        /// Byte offset.
        index: usize,
        /// The character.
        ch: char,
    },
    /// A label starting or ending with a hyphen.
    #[error("label at byte {index} starts or ends with '-'")]
    HyphenAtLabelEdge {
        /// Byte offset of the label.
        index: usize,
    },
    /// The last label is all digits (that is an IP address, or nothing).
    #[error("the last label is numeric: not a host name")]
    NumericTopLabel,
}

/// Why an address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AddressError {
    /// No `@`.
    #[error("address has no '@'")]
    MissingAt,
    /// A second `@`.
    #[error("second '@' at byte {index}")]
    ExtraAt {
        /// Byte offset of the second `@`.
        index: usize,
    },
    /// Longer than the limit.
    #[error("address is {len} bytes long, more than {max}")]
    TooLong {
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The alias (before `@`) is invalid.
    #[error("invalid alias: {0}")]
    Alias(#[source] AliasError),
    /// The domain (after `@`) is invalid.
    #[error("invalid domain: {0}")]
    Domain(#[source] DomainError),
}

/// Why a URL, an authority or a request target was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UrlError {
    /// Empty input.
    #[error("empty URL")]
    Empty,
    /// Longer than the limit.
    #[error("URL is {len} bytes long, more than {max}")]
    TooLong {
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Not `http://` or `https://` (compared case-insensitively).
    #[error("unsupported scheme (only http and https)")]
    UnsupportedScheme,
    /// The URL carries `user@` credentials.
    #[error("userinfo is not allowed in an RVP URL")]
    UserInfo,
    /// No host.
    #[error("missing host")]
    MissingHost,
    /// The host is neither a valid name nor an IP literal.
    #[error("invalid host: {0}")]
    Host(#[source] DomainError),
    /// A malformed `[...]` IPv6 literal.
    #[error("invalid IPv6 literal")]
    BadIpv6,
    /// The port is not a number from 0 to 65535.
    #[error("invalid port")]
    BadPort,
    /// The path contains a character that must be percent-encoded.
    #[error("character {ch:?} at byte {index} of the path must be percent-encoded")]
    IllegalPathChar {
        /// Byte offset in the path.
        index: usize,
        /// The character.
        ch: char,
    },
    /// A `%` not followed by two hex digits.
    #[error("bad percent-encoding at byte {index} of the path")]
    BadPercent {
        /// Byte offset in the path.
        index: usize,
    },
    /// A query (`?`) or fragment (`#`): RVP node URLs have neither.
    #[error("RVP node URLs have no query or fragment")]
    QueryOrFragment,
    /// More path segments than the limit.
    #[error("path has more than {max} segments")]
    TooManySegments {
        /// The limit.
        max: usize,
    },
    /// A principal path (`/instmsg/aliases/<alias>`) whose alias is invalid.
    #[error("invalid alias in principal path: {0}")]
    Alias(#[source] AliasError),
    /// A physical path (`/instmsg/local/<im-host>/...`) that is malformed.
    #[error("malformed physical path (expected /instmsg/local/<im-host>/instmsg/aliases/<alias>)")]
    BadLocalPath,
    /// An origin-form request target (`/path`) came without a `Host` header.
    #[error("origin-form request target without a Host header")]
    MissingHostHeader,
    /// A request target that is neither absolute-form nor origin-form.
    #[error("request target is neither absolute-form nor origin-form")]
    BadRequestTarget,
    /// `http::Uri` refused the text (should not happen for validated URLs).
    #[error("http::Uri refused the URL")]
    UriRejected,
}

/// Why a DNS message could not be built or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DnsError {
    /// The query name could not be encoded.
    #[error("cannot encode the DNS query")]
    Encode,
    /// The answer is not a valid DNS message.
    #[error("malformed DNS message")]
    Malformed,
    /// The answer's id is not the query's.
    #[error("answer id {got} does not match query id {expected}")]
    IdMismatch {
        /// The query id.
        expected: u16,
        /// The id in the answer.
        got: u16,
    },
    /// The answer is not a response, or answers another question.
    #[error("the message does not answer the question asked")]
    WrongQuestion,
    /// The server answered with an error code other than NXDOMAIN.
    #[error("DNS server error, response code {rcode}")]
    ServerFailure {
        /// The numeric response code (2 SERVFAIL, 4 NOTIMP, 5 REFUSED, ...).
        rcode: u16,
    },
    /// More records of one kind than the limit.
    #[error("more than {max} records in the answer")]
    TooManyRecords {
        /// The limit.
        max: usize,
    },
    /// A record with a name that is not a valid host name (for example an SRV target).
    #[error("invalid host name in the answer: {0}")]
    BadName(#[source] DomainError),
}

/// Why locating the server for an address failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// The domain publishes `_rvp._tcp` with target `.`: "no RVP service here" (RFC 2782).
    #[error("{domain} declares that it offers no RVP service (SRV target '.')")]
    NoService {
        /// The domain.
        domain: String,
    },
    /// Neither an SRV record nor the domain's own address exists.
    #[error("{name} does not exist (NXDOMAIN)")]
    NoSuchDomain {
        /// The name that does not exist.
        name: String,
    },
    /// The host exists but has no A or AAAA record.
    #[error("{name} has no address records")]
    NoAddress {
        /// The host name.
        name: String,
    },
    /// No name server answered in time after every retry.
    #[error("no answer from the name servers for {name}")]
    Timeout {
        /// The queried name.
        name: String,
    },
    /// No name server is configured.
    #[error("no name server configured")]
    NoNameServers,
    /// A socket operation failed.
    #[error("I/O error talking to {server}: {kind:?}")]
    Io {
        /// The name server.
        server: SocketAddr,
        /// What failed.
        kind: std::io::ErrorKind,
    },
    /// The answer was unusable.
    #[error("bad DNS answer from {server}: {source}")]
    Dns {
        /// The name server.
        server: SocketAddr,
        /// What was wrong.
        #[source]
        source: DnsError,
    },
    /// The name to query is not a valid host name.
    #[error("invalid name: {0}")]
    Name(#[source] DomainError),
}

/// Why resolv.conf gave no usable configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {kind:?}")]
    Read {
        /// The path.
        path: String,
        /// What failed.
        kind: std::io::ErrorKind,
    },
    /// The file lists no usable `nameserver`.
    #[error("no nameserver line in resolv.conf")]
    NoNameServers,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_error_wraps_every_operation_and_keeps_messages() {
        let e: Error = AliasError::Empty.into();
        assert_eq!(e.to_string(), "empty alias");
        let e: Error = AddressError::Domain(DomainError::NonAscii { index: 1, ch: 'ü' }).into();
        assert!(e.to_string().contains("A-label"), "{e}");
        let e: Error = ResolveError::NoSuchDomain {
            name: "ghost.test".into(),
        }
        .into();
        assert_eq!(e.to_string(), "ghost.test does not exist (NXDOMAIN)");
        let e: Error = DnsError::ServerFailure { rcode: 5 }.into();
        assert_eq!(e.to_string(), "DNS server error, response code 5");
        let e: Error = UrlError::MissingHostHeader.into();
        assert!(matches!(e, Error::Url(_)));
        let e: Error = ConfigError::NoNameServers.into();
        assert!(matches!(e, Error::Config(_)));
        let e: Error = DomainError::Empty.into();
        assert!(matches!(e, Error::Domain(_)));
    }
}
