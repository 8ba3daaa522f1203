//! Proptest strategies for every typed header, for round-trip tests here and at the
//! message level.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Debug;

use http::HeaderValue;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

use super::*;
use crate::Config;

/// Encodes `v`, decodes the result with the strict and the lenient configuration, and
/// checks both give `v` back and re-encode to the same bytes.
pub(crate) fn assert_round_trip<H: TypedHeader + Debug + PartialEq>(v: &H) {
    let mut values: Vec<HeaderValue> = Vec::new();
    v.encode(&mut values);
    assert!(!values.is_empty(), "{v:?} encoded to nothing");
    for config in [Config::strict(), Config::lenient()] {
        let decoded = H::decode(values.iter(), &config)
            .unwrap_or_else(|e| panic!("{v:?} encoded as {values:?} fails to decode: {e}"));
        assert_eq!(&decoded, v, "encoded as {values:?}");
        let mut again: Vec<HeaderValue> = Vec::new();
        decoded.encode(&mut again);
        assert_eq!(again, values);
    }
}

const TCHARS: &str = "[!#$%&'*+.^_`|~0-9A-Za-z-]";

fn token_string(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("{TCHARS}{{1,{max}}}")).unwrap()
}

/// `RVP-Notifications-Version`.
pub(crate) fn notifications_version() -> impl Strategy<Value = NotificationsVersion> {
    (any::<u16>(), any::<u16>()).prop_map(|(a, b)| NotificationsVersion::new(a, b))
}

/// `Subscription-Id`: numbers and arbitrary tokens.
pub(crate) fn subscription_id() -> impl Strategy<Value = SubscriptionId> {
    prop_oneof![
        any::<u64>().prop_map(SubscriptionId::from),
        token_string(SubscriptionId::MAX_LEN).prop_map(|s| s.parse().unwrap()),
    ]
}

/// `Subscription-Lifetime`.
pub(crate) fn subscription_lifetime() -> impl Strategy<Value = SubscriptionLifetime> {
    any::<u32>().prop_map(SubscriptionLifetime::from_secs)
}

/// `Notification-Type`: the two defined values and extensions.
pub(crate) fn notification_type() -> impl Strategy<Value = NotificationType> {
    prop_oneof![
        Just(NotificationType::UPDATE_PROPCHANGE),
        Just(NotificationType::PRAGMA_NOTIFY),
        (token_string(20), token_string(20)).prop_map(|(a, b)| format!("{a}/{b}").parse().unwrap()),
    ]
}

/// `RVP-Ack-Type`.
pub(crate) fn ack_type() -> impl Strategy<Value = AckType> {
    prop_oneof![
        Just(AckType::SingleHop),
        Just(AckType::DeepOr),
        Just(AckType::DeepAnd)
    ]
}

/// `RVP-Hop-Count`.
pub(crate) fn hop_count() -> impl Strategy<Value = HopCount> {
    (1u8..=255).prop_map(|n| HopCount::new(n).unwrap())
}

/// `Depth`.
pub(crate) fn depth() -> impl Strategy<Value = Depth> {
    prop_oneof![Just(Depth::Zero), Just(Depth::One), Just(Depth::Infinity)]
}

/// A host: a DNS name or an IPv4 address.
fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z][a-zA-Z0-9-]{0,12}(\\.[a-zA-Z][a-zA-Z0-9-]{0,12}){0,3}",
        (any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>())
            .prop_map(|(a, b, c, d)| format!("{a}.{b}.{c}.{d}")),
    ]
}

/// An absolute http(s) URL with an optional port, path and query.
pub(crate) fn absolute_url() -> impl Strategy<Value = AbsoluteUrl> {
    (
        prop_oneof![Just("http"), Just("https")],
        host(),
        option::of(1u16..),
        "(/[a-zA-Z0-9._~%-]{0,12}){0,4}",
        option::of("[a-z0-9=&]{0,10}"),
    )
        .prop_map(|(scheme, host, port, path, query)| {
            let port = port.map(|p| format!(":{p}")).unwrap_or_default();
            let query = query.map(|q| format!("?{q}")).unwrap_or_default();
            format!("{scheme}://{host}{port}{path}{query}")
                .parse()
                .unwrap()
        })
}

/// `Call-Back`.
pub(crate) fn call_back() -> impl Strategy<Value = CallBack> {
    absolute_url().prop_map(CallBack)
}

/// `Location`.
pub(crate) fn location() -> impl Strategy<Value = Location> {
    absolute_url().prop_map(Location)
}

/// `RVP-From-Principal`: URLs and server names.
pub(crate) fn from_principal() -> impl Strategy<Value = FromPrincipal> {
    prop_oneof![
        absolute_url().prop_map(FromPrincipal::Url),
        (host(), option::of(1u16..)).prop_map(|(h, p)| {
            let s = match p {
                Some(p) => format!("{h}:{p}"),
                None => h,
            };
            s.parse().unwrap()
        }),
    ]
}

/// A token.
pub(crate) fn token() -> impl Strategy<Value = Token> {
    token_string(20).prop_map(|s| s.parse().unwrap())
}

/// A parameter value, with quotes, backslashes, tabs and non-ASCII text.
pub(crate) fn param_value() -> impl Strategy<Value = ParamValue> {
    "[\\t -~\u{e9}\u{4e2d}]{0,24}".prop_map(|s| s.parse().unwrap())
}

/// A token68.
pub(crate) fn token68() -> impl Strategy<Value = Token68> {
    "[A-Za-z0-9+/._~-]{1,40}={0,2}".prop_map(|s| s.parse().unwrap())
}

/// Extension parameters whose names are not in `exclude`.
pub(crate) fn auth_params(
    exclude: &'static [&'static str],
    min: usize,
) -> impl Strategy<Value = AuthParams> {
    vec((token(), param_value()), min..5)
        .prop_map(move |pairs| {
            let mut params = AuthParams::new();
            for (name, value) in pairs {
                if exclude.iter().any(|e| name.eq_ignore_ascii_case(e)) {
                    continue;
                }
                let _ = params.push(AuthParam::new(name, value));
            }
            params
        })
        .prop_filter("too few parameters", move |p| p.len() >= min)
}

/// A Digest algorithm.
pub(crate) fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop_oneof![
        Just(Algorithm::Md5),
        Just(Algorithm::Md5Sess),
        Just(Algorithm::Sha256),
        Just(Algorithm::Sha256Sess),
        Just(Algorithm::Sha512_256),
        Just(Algorithm::Sha512_256Sess),
        param_value().prop_map(|v| Algorithm::from_name(v.as_str()).unwrap()),
    ]
}

/// A Digest qop.
pub(crate) fn qop() -> impl Strategy<Value = Qop> {
    prop_oneof![
        Just(Qop::Auth),
        Just(Qop::AuthInt),
        token().prop_map(|t| Qop::from_token(t.as_str()).unwrap()),
    ]
}

const DIGEST_CHALLENGE: &[&str] = &[
    "realm",
    "nonce",
    "qop",
    "algorithm",
    "opaque",
    "stale",
    "domain",
    "charset",
    "userhash",
];

/// A Digest challenge.
pub(crate) fn digest_challenge() -> impl Strategy<Value = DigestChallenge> {
    (
        (param_value(), param_value(), vec(qop(), 0..3)),
        (
            option::of(algorithm()),
            option::of(param_value()),
            any::<bool>(),
            option::of(param_value()),
            option::of(param_value()),
            any::<bool>(),
        ),
        auth_params(DIGEST_CHALLENGE, 0),
    )
        .prop_map(
            |(
                (realm, nonce, qop),
                (algorithm, opaque, stale, domain, charset, userhash),
                other,
            )| {
                DigestChallenge {
                    realm,
                    nonce,
                    qop,
                    algorithm,
                    opaque,
                    stale,
                    domain,
                    charset,
                    userhash,
                    other,
                }
            },
        )
}

const KNOWN_SCHEMES: &[&str] = &["digest", "ntlm", "negotiate", "basic"];

fn other_scheme() -> impl Strategy<Value = Token> {
    token().prop_filter("known scheme", |t| {
        !KNOWN_SCHEMES.iter().any(|k| t.eq_ignore_ascii_case(k))
    })
}

fn auth_data() -> impl Strategy<Value = AuthData> {
    prop_oneof![
        Just(AuthData::None),
        token68().prop_map(AuthData::Token68),
        auth_params(&[], 1).prop_map(AuthData::Params),
    ]
}

/// One challenge of any scheme.
pub(crate) fn challenge() -> impl Strategy<Value = Challenge> {
    prop_oneof![
        digest_challenge().prop_map(Challenge::Digest),
        option::of(token68()).prop_map(Challenge::Ntlm),
        option::of(token68()).prop_map(Challenge::Negotiate),
        (option::of(param_value()), auth_params(&["realm"], 0))
            .prop_map(|(realm, other)| Challenge::Basic(BasicChallenge { realm, other })),
        (other_scheme(), auth_data()).prop_map(|(scheme, data)| Challenge::Other { scheme, data }),
    ]
}

/// `WWW-Authenticate`: one to four challenges.
pub(crate) fn www_authenticate() -> impl Strategy<Value = WwwAuthenticate> {
    vec(challenge(), 1..5).prop_map(WwwAuthenticate)
}

const DIGEST_CREDENTIALS: &[&str] = &[
    "username",
    "realm",
    "nonce",
    "uri",
    "response",
    "algorithm",
    "cnonce",
    "opaque",
    "qop",
    "nc",
    "userhash",
];

/// Digest credentials (with `qop`, `cnonce` and `nc` are always present).
pub(crate) fn digest_credentials() -> impl Strategy<Value = DigestCredentials> {
    (
        (
            param_value(),
            param_value(),
            param_value(),
            param_value(),
            param_value(),
        ),
        (
            option::of(algorithm()),
            option::of(param_value()),
            option::of(param_value()),
            option::of(qop()),
            option::of(any::<u32>()),
            any::<bool>(),
        ),
        auth_params(DIGEST_CREDENTIALS, 0),
    )
        .prop_map(
            |(
                (username, realm, nonce, uri, response),
                (algorithm, cnonce, opaque, qop, nc, userhash),
                other,
            )| {
                let (cnonce, nc) = if qop.is_some() {
                    (Some(cnonce.unwrap_or_default()), Some(nc.unwrap_or(1)))
                } else {
                    (cnonce, nc)
                };
                DigestCredentials {
                    username,
                    realm,
                    nonce,
                    uri,
                    response,
                    algorithm,
                    cnonce,
                    opaque,
                    qop,
                    nc,
                    userhash,
                    other,
                }
            },
        )
}

/// Basic credentials.
pub(crate) fn basic_credentials() -> impl Strategy<Value = BasicCredentials> {
    ("[ -9;-~\u{e9}]{0,12}", "[ -~\u{e9}]{0,12}")
        .prop_map(|(u, p)| BasicCredentials::new(&u, &p).unwrap())
}

/// `Authorization` of any scheme.
pub(crate) fn authorization() -> impl Strategy<Value = Authorization> {
    prop_oneof![
        digest_credentials().prop_map(Authorization::Digest),
        token68().prop_map(Authorization::Ntlm),
        token68().prop_map(Authorization::Negotiate),
        basic_credentials().prop_map(Authorization::Basic),
        (other_scheme(), auth_data())
            .prop_map(|(scheme, data)| Authorization::Other { scheme, data }),
    ]
}
