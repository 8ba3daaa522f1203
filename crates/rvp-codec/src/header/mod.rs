//! Typed header fields of RVP (draft-osborne-rvp-00 section 8) and of HTTP
//! authentication (RFC 9110 section 11, RFC 7616 Digest, NTLM).
//!
//! Each header is a type implementing [`TypedHeader`]: its field name, a decoder from all
//! the field values carrying that name, and an infallible encoder. [`HeaderMapExt`] adds
//! `typed_get`, `typed_require` and `typed_insert` to [`http::HeaderMap`]:
//!
//! ```
//! use http::HeaderMap;
//! use rvp_codec::Config;
//! use rvp_codec::header::{
//!     AckType, HeaderMapExt, HopCount, NotificationsVersion, SubscriptionId,
//! };
//!
//! let mut headers = HeaderMap::new();
//! headers.typed_insert(NotificationsVersion::V0_2);
//! headers.typed_insert(AckType::DeepOr);
//! headers.typed_insert(HopCount::CLIENT_TO_SERVER);
//! assert_eq!(headers["rvp-ack-type"], "DeepOr");
//!
//! headers.insert("subscription-id", "9A504".parse()?);
//! let id: SubscriptionId = headers.typed_require(&Config::lenient())?;
//! assert_eq!(id.as_str(), "9A504");
//! assert_eq!(headers.typed_get::<HopCount>()?, Some(HopCount::CLIENT_TO_SERVER));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Names
//!
//! Header names are matched case-insensitively ([`http::HeaderName`] stores them in
//! lower case: `Content-length` and `content-length` are one field). The name constants
//! of the RVP headers are below; the standard ones come from [`http::header`]. The
//! encoder of the message head writes names in the Title-Case peers use;
//! [`canonical_name`] gives that spelling for every header of this module.
//!
//! # Single and list fields
//!
//! Every RVP header, `Depth`, `Location` and `Authorization` may occur at most once: a
//! second field is [`HeaderError::Repeated`]. `WWW-Authenticate` is a list: all its
//! fields, and all challenges inside each field, are read (see [`WwwAuthenticate`]).
//!
//! # Quoted strings and backslashes
//!
//! RFC 9110 section 5.6.4 makes any `\x` in a quoted string a quoted-pair standing for
//! `x`. Real RVP clients do not escape: librvp sends `username="CORP\alice"`, and the
//! Digest response it sends is computed over the literal `CORP\alice`. Reading `\a` as
//! `a` would make every such response fail to verify. So this module, in every
//! configuration, treats only `\"` and `\\` as quoted-pairs and keeps any other
//! backslash literally. An RFC-conforming sender never writes a lone backslash, so the
//! only values read differently are those of senders that did not escape. The encoders
//! always escape `"` and `\`, which every reading decodes the same way.
//!
//! # Digest parameters: token or quoted string
//!
//! RFC 7616 tells *senders* not to quote `algorithm`, `qop`, `nc` and `stale`, but both
//! real clients do (librvp: `qop="auth", algorithm="MD5"`; Miranda also `nc="00000001"`),
//! and RFC 9110 section 11.2 (after RFC 7235 section 2.2) notes that recipients may need
//! to accept both notations. Every parameter is therefore accepted as a token or a
//! quoted string, in every configuration; the encoders write the RFC 7616 form.
//!
//! # Draft errata and real peers
//!
//! What each deviation of the draft's examples (see `peers.md` section (d)) and of the
//! real clients (section (e)) that concerns header values gives, in [`Config::strict`]
//! and [`Config::lenient`]. Lenience here is controlled by
//! [`Config::relaxed_head_syntax`]; the other flags do not affect header values.
//!
//! | Input | Strict | Lenient | Why |
//! |---|---|---|---|
//! | `RVP-Notifications-Version: 1.0` (draft) and `0.2` (Miranda, librvp) | accepted | accepted | both are well-formed versions; the draft defines no other; a server answers with the version the client used |
//! | `RVP-From-Principal: im.example.com` (draft §6.6.1, a server name) | accepted as [`FromPrincipal::Server`] | same | draft §6.7.2 names a server identifier as a valid principal identifier, and §8.2 says the value is only *typically* a URL |
//! | `Subscription-Id: 9A504` (draft §6.6.1; §6.1.1 says "a number") | accepted | accepted | §8.2 calls it a unique identifier, Miranda keeps it as a string: ids are opaque tokens |
//! | `RVP-Hop-Count: 1` in a response, `2` on a server-to-client NOTIFY (draft §6.6.1) | accepted | accepted | the value is well-formed; where the field belongs is the message layer's concern |
//! | `Authorization: NTLM` with its token folded over two lines (draft §7.3), read as `NTLM TlRM…ATg AAAA…` after unfolding | rejected ([`InvalidValue::UnexpectedByte`] at the second piece) | accepted, the pieces joined into one token68 | a token68 cannot hold a space; the draft split it only to fit its page |
//! | `WWW-Authenticate: Digest … nonce="78a8…7fe da"` (draft §7.3, folded inside the quoted nonce) | accepted, the nonce holding the space | same | a quoted string may hold spaces; the nonce is the server's own and only echoed back |
//! | Call-Back `http:// 198.176.154.132:1234` (draft §6.1.4 prose) | rejected ([`InvalidValue::NotAbsoluteUrl`]) | rejected | not a URL; no peer sends it, and guessing a callback address is unsafe |
//! | librvp `username="CORP\alice"`, unescaped backslash | accepted as `CORP\alice` | same | see above |
//! | librvp `qop="auth", algorithm="MD5"`, Miranda `nc="00000001"` (quoted) | accepted | same | see above |
//!
//! [`Config::strict`]: crate::Config::strict
//! [`Config::lenient`]: crate::Config::lenient
//! [`Config::relaxed_head_syntax`]: crate::Config::relaxed_head_syntax

use http::header::{self, HeaderName};
use http::{HeaderMap, HeaderValue};

use crate::Config;

/// Implements [`FromStr`](std::str::FromStr) and [`TypedHeader`] for a header field that
/// occurs at most once and whose value is the type's `from_bytes` input and `Display`
/// output: every RVP header, `Depth` and `Location`.
macro_rules! single_field_header {
    ($ty:ty, $name:expr, $title:literal) => {
        impl ::std::str::FromStr for $ty {
            type Err = $crate::header::InvalidValue;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::from_bytes(s.as_bytes())
            }
        }

        impl $crate::header::TypedHeader for $ty {
            const NAME: ::http::HeaderName = $name;
            const TITLE: &'static str = $title;

            fn decode<'a, I>(
                values: I,
                config: &$crate::Config,
            ) -> Result<Self, $crate::header::HeaderError>
            where
                I: Iterator<Item = &'a ::http::HeaderValue>,
            {
                Self::decode_bytes(values.map(::http::HeaderValue::as_bytes), config)
            }

            #[inline]
            fn decode_bytes<'a, I>(
                values: I,
                _config: &$crate::Config,
            ) -> Result<Self, $crate::header::HeaderError>
            where
                I: Iterator<Item = &'a [u8]>,
            {
                let value = $crate::header::syntax::required(values, Self::TITLE)?;
                Self::from_bytes(value).map_err(|reason| $crate::header::HeaderError::Invalid {
                    name: Self::TITLE,
                    reason,
                })
            }

            fn encode<E: Extend<::http::HeaderValue>>(&self, values: &mut E) {
                values.extend([$crate::header::syntax::display_value(self)]);
            }
        }
    };
}

mod ack_type;
mod auth;
mod call_back;
mod depth;
mod error;
mod from_principal;
mod hop_count;
mod location;
mod notification_type;
mod subscription_id;
mod subscription_lifetime;
mod syntax;
mod url;
mod version;

#[cfg(test)]
pub(crate) mod strategy;

pub use ack_type::AckType;
pub use auth::{
    Algorithm, AuthData, AuthParam, AuthParams, Authorization, BasicChallenge, BasicCredentials,
    Challenge, DigestChallenge, DigestCredentials, InvalidBase64, MAX_AUTH_PARAMS, MAX_CHALLENGES,
    ParamValue, Qop, Token, Token68, UsernameForm, WwwAuthenticate,
};
pub use call_back::CallBack;
pub use depth::Depth;
pub use error::{HeaderError, InvalidValue};
pub use from_principal::FromPrincipal;
pub use hop_count::HopCount;
pub use location::Location;
pub use notification_type::NotificationType;
pub use subscription_id::SubscriptionId;
pub use subscription_lifetime::SubscriptionLifetime;
pub use url::AbsoluteUrl;
pub(crate) use url::plain_visible_target;
pub use version::NotificationsVersion;

/// `RVP-Notifications-Version`: the protocol version, on every request and response.
pub const RVP_NOTIFICATIONS_VERSION: HeaderName =
    HeaderName::from_static("rvp-notifications-version");
/// `RVP-From-Principal`: where a request originates.
pub const RVP_FROM_PRINCIPAL: HeaderName = HeaderName::from_static("rvp-from-principal");
/// `Call-Back`: where a subscription's notifications go.
pub const CALL_BACK: HeaderName = HeaderName::from_static("call-back");
/// `Subscription-Id`: the opaque id of a subscription.
pub const SUBSCRIPTION_ID: HeaderName = HeaderName::from_static("subscription-id");
/// `Subscription-Lifetime`: a subscription's lease, in seconds.
pub const SUBSCRIPTION_LIFETIME: HeaderName = HeaderName::from_static("subscription-lifetime");
/// `Notification-Type`: property changes or notifications to a sink.
pub const NOTIFICATION_TYPE: HeaderName = HeaderName::from_static("notification-type");
/// `RVP-Ack-Type`: when a NOTIFY is acknowledged.
pub const RVP_ACK_TYPE: HeaderName = HeaderName::from_static("rvp-ack-type");
/// `RVP-Hop-Count`: how many hops produced a NOTIFY.
pub const RVP_HOP_COUNT: HeaderName = HeaderName::from_static("rvp-hop-count");
/// `Depth` (WebDAV, RFC 4918 section 10.2); `http` has no constant for it.
pub const DEPTH: HeaderName = HeaderName::from_static("depth");

/// A header field with a typed value.
///
/// `decode` reads every field value with the name [`NAME`](TypedHeader::NAME), in
/// order; `encode` appends the values to write. Encoding is infallible: a typed value is
/// valid by construction. For every value `v`, decoding what `encode` wrote gives `v`
/// back, in every configuration.
pub trait TypedHeader: Sized {
    /// The field name, as [`http`] stores it (lower case).
    const NAME: HeaderName;

    /// The field name in the Title-Case peers use (`RVP-From-Principal`).
    const TITLE: &'static str;

    /// Decodes the header from all its field values, in order.
    ///
    /// An empty iterator is [`HeaderError::Missing`]; more than one value for a
    /// single-valued header is [`HeaderError::Repeated`].
    fn decode<'a, I>(values: I, config: &Config) -> Result<Self, HeaderError>
    where
        I: Iterator<Item = &'a HeaderValue>;

    /// Decodes the header from the raw bytes of all its field values, in order, as
    /// [`RequestView`](crate::RequestView) and [`ResponseView`](crate::ResponseView)
    /// hold them: field-value bytes (HTAB, SP, visible ASCII, `obs-text`) without
    /// surrounding whitespace.
    ///
    /// Gives the same result as [`decode`](Self::decode) over the same values. The
    /// provided implementation wraps each value in a [`HeaderValue`] and calls
    /// `decode`; every header of this module reads the bytes directly.
    fn decode_bytes<'a, I>(values: I, config: &Config) -> Result<Self, HeaderError>
    where
        I: Iterator<Item = &'a [u8]>,
    {
        let mut wrapped = Vec::new();
        for (offset, value) in values.enumerate() {
            let value = HeaderValue::from_bytes(value).map_err(|_| HeaderError::Invalid {
                name: Self::TITLE,
                reason: InvalidValue::UnexpectedByte {
                    offset,
                    byte: value
                        .iter()
                        .copied()
                        .find(|&b| !(b == b'\t' || (b >= 0x20 && b != 0x7f)))
                        .unwrap_or(0),
                },
            })?;
            wrapped.push(value);
        }
        Self::decode(wrapped.iter(), config)
    }

    /// Appends the field values that represent `self` (at least one).
    fn encode<E: Extend<HeaderValue>>(&self, values: &mut E);
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for http::HeaderMap {}
}

/// Typed access to an [`http::HeaderMap`].
///
/// ```
/// use http::HeaderMap;
/// use rvp_codec::Config;
/// use rvp_codec::header::{HeaderMapExt, SubscriptionLifetime};
/// use rvp_codec::HeaderError;
///
/// let mut headers = HeaderMap::new();
/// assert_eq!(headers.typed_get::<SubscriptionLifetime>(), Ok(None));
/// assert_eq!(
///     headers.typed_require::<SubscriptionLifetime>(&Config::strict()),
///     Err(HeaderError::Missing { name: "Subscription-Lifetime" })
/// );
/// headers.typed_insert(SubscriptionLifetime::from_secs(14000));
/// headers.typed_insert(SubscriptionLifetime::from_secs(14400)); // replaces
/// assert_eq!(headers.get_all("subscription-lifetime").iter().count(), 1);
/// assert_eq!(headers["subscription-lifetime"], "14400");
/// ```
pub trait HeaderMapExt: sealed::Sealed {
    /// Decodes header `H` with [`Config::strict`](crate::Config::strict); `Ok(None)`
    /// when the map has no field of that name.
    fn typed_get<H: TypedHeader>(&self) -> Result<Option<H>, HeaderError>;

    /// Decodes header `H` with the given configuration; `Ok(None)` when the map has no
    /// field of that name.
    fn typed_get_with<H: TypedHeader>(&self, config: &Config) -> Result<Option<H>, HeaderError>;

    /// Decodes header `H`, which must be present.
    fn typed_require<H: TypedHeader>(&self, config: &Config) -> Result<H, HeaderError>;

    /// Replaces every field named `H::NAME` by the encoding of `header`.
    fn typed_insert<H: TypedHeader>(&mut self, header: H);
}

impl HeaderMapExt for HeaderMap {
    fn typed_get<H: TypedHeader>(&self) -> Result<Option<H>, HeaderError> {
        self.typed_get_with(&Config::strict())
    }

    fn typed_get_with<H: TypedHeader>(&self, config: &Config) -> Result<Option<H>, HeaderError> {
        let mut values = self.get_all(H::NAME).iter().peekable();
        if values.peek().is_none() {
            return Ok(None);
        }
        H::decode(values, config).map(Some)
    }

    fn typed_require<H: TypedHeader>(&self, config: &Config) -> Result<H, HeaderError> {
        H::decode(self.get_all(H::NAME).iter(), config)
    }

    fn typed_insert<H: TypedHeader>(&mut self, header: H) {
        let mut values: Vec<HeaderValue> = Vec::with_capacity(1);
        header.encode(&mut values);
        let mut values = values.into_iter();
        // `insert` replaces every field of the name: one lookup for the usual single
        // value instead of a removal and an append.
        match values.next() {
            Some(first) => {
                self.insert(H::NAME, first);
                for value in values {
                    self.append(H::NAME, value);
                }
            }
            None => {
                self.remove(H::NAME);
            }
        }
    }
}

/// The Title-Case spelling peers use for the name of a header of this module
/// (`rvp-from-principal` → `RVP-From-Principal`, `www-authenticate` →
/// `WWW-Authenticate`); `None` for other names.
///
/// ```
/// use rvp_codec::header::{canonical_name, RVP_HOP_COUNT};
///
/// assert_eq!(canonical_name(&RVP_HOP_COUNT), Some("RVP-Hop-Count"));
/// assert_eq!(canonical_name(&http::header::WWW_AUTHENTICATE), Some("WWW-Authenticate"));
/// assert_eq!(canonical_name(&http::header::ACCEPT), None);
/// ```
pub fn canonical_name(name: &HeaderName) -> Option<&'static str> {
    Some(match name.as_str() {
        "rvp-notifications-version" => "RVP-Notifications-Version",
        "rvp-from-principal" => "RVP-From-Principal",
        "call-back" => "Call-Back",
        "subscription-id" => "Subscription-Id",
        "subscription-lifetime" => "Subscription-Lifetime",
        "notification-type" => "Notification-Type",
        "rvp-ack-type" => "RVP-Ack-Type",
        "rvp-hop-count" => "RVP-Hop-Count",
        "depth" => "Depth",
        "location" => "Location",
        "www-authenticate" => "WWW-Authenticate",
        "authorization" => "Authorization",
        _ => return None,
    })
}

/// Compile-time check that the standard names this module uses are the `http` ones.
const _: [HeaderName; 3] = [
    header::LOCATION,
    header::WWW_AUTHENTICATE,
    header::AUTHORIZATION,
];

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn canonical_names_match_constants() {
        for (name, title) in [
            (RVP_NOTIFICATIONS_VERSION, NotificationsVersion::TITLE),
            (RVP_FROM_PRINCIPAL, FromPrincipal::TITLE),
            (CALL_BACK, CallBack::TITLE),
            (SUBSCRIPTION_ID, SubscriptionId::TITLE),
            (SUBSCRIPTION_LIFETIME, SubscriptionLifetime::TITLE),
            (NOTIFICATION_TYPE, NotificationType::TITLE),
            (RVP_ACK_TYPE, AckType::TITLE),
            (RVP_HOP_COUNT, HopCount::TITLE),
            (DEPTH, Depth::TITLE),
            (header::LOCATION, Location::TITLE),
            (header::WWW_AUTHENTICATE, WwwAuthenticate::TITLE),
            (header::AUTHORIZATION, Authorization::TITLE),
        ] {
            assert_eq!(canonical_name(&name), Some(title));
            assert!(title.eq_ignore_ascii_case(name.as_str()));
        }
    }

    #[test]
    fn canonical_names_are_what_the_encoder_writes() {
        for name in [
            RVP_NOTIFICATIONS_VERSION,
            RVP_FROM_PRINCIPAL,
            CALL_BACK,
            SUBSCRIPTION_ID,
            SUBSCRIPTION_LIFETIME,
            NOTIFICATION_TYPE,
            RVP_ACK_TYPE,
            RVP_HOP_COUNT,
            DEPTH,
            header::LOCATION,
            header::WWW_AUTHENTICATE,
            header::AUTHORIZATION,
        ] {
            assert_eq!(
                canonical_name(&name),
                Some(crate::title_case(&name).as_str())
            );
        }
    }

    #[test]
    fn names_are_case_insensitive() {
        let mut headers = HeaderMap::new();
        headers.insert(
            HeaderName::from_bytes(b"RVP-HOP-COUNT").unwrap(),
            HeaderValue::from_static("2"),
        );
        assert_eq!(
            headers.typed_get::<HopCount>().unwrap(),
            Some(HopCount::SERVER_TO_SERVER)
        );
    }

    #[test]
    fn insert_replaces_all_fields() {
        let mut headers = HeaderMap::new();
        headers.append(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic"));
        headers.append(header::WWW_AUTHENTICATE, HeaderValue::from_static("NTLM"));
        headers.typed_insert(WwwAuthenticate(vec![Challenge::Negotiate(None)]));
        let all: Vec<_> = headers.get_all(header::WWW_AUTHENTICATE).iter().collect();
        assert_eq!(all, ["Negotiate"]);
    }

    /// Decodes every typed header from the same value in both configurations.
    fn decode_all(value: &HeaderValue) {
        for config in [Config::strict(), Config::lenient()] {
            let one = || std::iter::once(value);
            let _ = NotificationsVersion::decode(one(), &config);
            let _ = FromPrincipal::decode(one(), &config);
            let _ = CallBack::decode(one(), &config);
            let _ = SubscriptionId::decode(one(), &config);
            let _ = SubscriptionLifetime::decode(one(), &config);
            let _ = NotificationType::decode(one(), &config);
            let _ = AckType::decode(one(), &config);
            let _ = HopCount::decode(one(), &config);
            let _ = Depth::decode(one(), &config);
            let _ = Location::decode(one(), &config);
            let _ = WwwAuthenticate::decode(one(), &config);
            let _ = Authorization::decode(one(), &config);
        }
    }

    proptest::proptest! {
        #[test]
        fn no_header_panics_on_any_value(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..96)) {
            if let Ok(value) = HeaderValue::from_bytes(&bytes) {
                decode_all(&value);
            }
        }
    }
}

/// One test per row of the errata table in the module docs: the outcome in strict and
/// in lenient mode.
#[cfg(test)]
mod errata {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn both<H: TypedHeader>(value: &str) -> [Result<H, HeaderError>; 2] {
        let value = HeaderValue::from_str(value).unwrap();
        [Config::strict(), Config::lenient()].map(|c| H::decode(std::iter::once(&value), &c))
    }

    #[test]
    fn version_1_0_and_0_2() {
        for (s, v) in [
            ("1.0", NotificationsVersion::V1_0),
            ("0.2", NotificationsVersion::V0_2),
        ] {
            assert_eq!(both::<NotificationsVersion>(s), [Ok(v), Ok(v)]);
        }
    }

    #[test]
    fn from_principal_server_name() {
        for r in both::<FromPrincipal>("im.example.com") {
            assert!(matches!(r, Ok(FromPrincipal::Server(a)) if a == "im.example.com"));
        }
    }

    #[test]
    fn subscription_id_not_a_number() {
        for r in both::<SubscriptionId>("9A504") {
            assert_eq!(r.unwrap().as_str(), "9A504");
        }
    }

    #[test]
    fn hop_count_in_response_and_to_client() {
        // The value parses; the message layer judges where it appears.
        assert_eq!(
            both::<HopCount>("1"),
            [
                Ok(HopCount::CLIENT_TO_SERVER),
                Ok(HopCount::CLIENT_TO_SERVER)
            ]
        );
        assert_eq!(
            both::<HopCount>("2"),
            [
                Ok(HopCount::SERVER_TO_SERVER),
                Ok(HopCount::SERVER_TO_SERVER)
            ]
        );
    }

    #[test]
    fn folded_ntlm_authorization() {
        let folded = "NTLM TlRMTVNTUAADABCDGAAYAF4AAAAYABgAdgAAAAAAAABABCDDgAOAEAAAAAQABAATg AAAAAAAACOAAAABYKAgHIAbwBiAGUAcgB0AG8AUgBPAEIARQBS";
        let [strict, lenient] = both::<Authorization>(folded);
        assert_eq!(
            strict,
            Err(HeaderError::Invalid {
                name: "Authorization",
                reason: InvalidValue::UnexpectedByte {
                    offset: 71,
                    byte: b'A'
                },
            })
        );
        assert!(matches!(lenient, Ok(Authorization::Ntlm(t)) if !t.as_str().contains(' ')));
    }

    #[test]
    fn folded_digest_nonce() {
        let value = r#"Digest qop="auth", realm="im.acme.com", nonce="78a8ffeeb123458a400358100000b4d0ed33ae239123441b44896487fe da""#;
        for r in both::<WwwAuthenticate>(value) {
            assert!(
                r.unwrap()
                    .digest()
                    .unwrap()
                    .nonce
                    .as_str()
                    .contains("fe da")
            );
        }
    }

    #[test]
    fn call_back_with_space() {
        for r in both::<CallBack>("http:// 198.176.154.132:1234") {
            assert!(matches!(
                r,
                Err(HeaderError::Invalid {
                    reason: InvalidValue::UnexpectedByte { offset: 7, .. },
                    ..
                })
            ));
        }
    }

    #[test]
    fn unescaped_backslash_and_quoted_nc() {
        let value = r#"Digest username="CORP\alice", realm="r", nonce="n", uri="/", qop="auth", nc="00000001", cnonce="c", algorithm="MD5", response="x""#;
        for r in both::<Authorization>(value) {
            let Ok(Authorization::Digest(d)) = r else {
                panic!("{r:?}")
            };
            assert_eq!((d.username.as_str(), d.nc), (r"CORP\alice", Some(1)));
        }
    }
}

/// The typed headers of every wire vector (`tests/vectors`): each header of this module
/// that a vector carries decodes, in every mode whose head decoding succeeds.
#[cfg(test)]
mod vectors {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::{RequestDecoder, ResponseDecoder};
    use bytes::BytesMut;

    fn heads(kind: &str, bytes: &[u8], config: Config) -> Option<HeaderMap> {
        let mut buf = BytesMut::from(bytes);
        match kind {
            "req" => {
                let mut d = RequestDecoder::new(config);
                let r = match d.decode(&mut buf).ok()? {
                    Some(r) => Some(r),
                    None => d.decode_eof(&mut buf).ok()?,
                };
                r.map(|r| r.headers)
            }
            _ => {
                let mut d = ResponseDecoder::new(config);
                let r = match d.decode(&mut buf).ok()? {
                    Some(r) => Some(r),
                    None => d.decode_eof(&mut buf).ok()?,
                };
                r.map(|r| r.headers)
            }
        }
    }

    fn check<H: TypedHeader + std::fmt::Debug>(
        headers: &HeaderMap,
        config: &Config,
        file: &str,
        seen: &mut usize,
    ) {
        match headers.typed_get_with::<H>(config) {
            Ok(Some(_)) => *seen += 1,
            Ok(None) => {}
            Err(e) => panic!("{file}: {e}"),
        }
    }

    #[test]
    fn every_vector_header_decodes() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
        let Ok(manifest) = std::fs::read_to_string(dir.join("MANIFEST")) else {
            return; // vectors not present in this checkout
        };
        let mut seen = 0;
        for line in manifest.lines().filter(|l| !l.starts_with('#')) {
            let mut fields = line.split_whitespace();
            let (Some(file), Some(kind)) = (fields.next(), fields.next()) else {
                continue;
            };
            if kind != "req" && kind != "rsp" {
                continue;
            }
            let bytes = std::fs::read(dir.join(file)).unwrap();
            for config in [Config::strict(), Config::lenient()] {
                let Some(h) = heads(kind, &bytes, config) else {
                    continue;
                };
                check::<NotificationsVersion>(&h, &config, file, &mut seen);
                check::<FromPrincipal>(&h, &config, file, &mut seen);
                check::<CallBack>(&h, &config, file, &mut seen);
                check::<SubscriptionId>(&h, &config, file, &mut seen);
                check::<SubscriptionLifetime>(&h, &config, file, &mut seen);
                check::<NotificationType>(&h, &config, file, &mut seen);
                check::<AckType>(&h, &config, file, &mut seen);
                check::<HopCount>(&h, &config, file, &mut seen);
                check::<Depth>(&h, &config, file, &mut seen);
                check::<Location>(&h, &config, file, &mut seen);
                check::<WwwAuthenticate>(&h, &config, file, &mut seen);
                check::<Authorization>(&h, &config, file, &mut seen);
            }
        }
        assert!(seen > 100, "only {seen} typed headers seen");
    }
}
