#![no_main]

//! Typed header values: decoding any field values as any RVP header never panics, in
//! either configuration, and agrees between the raw-bytes path (what `RequestView` uses)
//! and the `HeaderValue` path. A value that decodes encodes to field values that decode,
//! strictly, to the same value. The URL of `Call-Back`, `Location` and a URL
//! `RVP-From-Principal` reads the host, port and scheme `http` parses from it.
//!
//! Input: the first byte picks the header, the rest is its field values separated by
//! `\n` (at most eight).

use std::fmt::Debug;

use http::{HeaderValue, Uri};
use libfuzzer_sys::fuzz_target;
use rvp_codec::Config;
use rvp_codec::header::{
    AbsoluteUrl, AckType, Authorization, CallBack, Depth, FromPrincipal, HopCount, Location,
    NotificationType, NotificationsVersion, SubscriptionId, SubscriptionLifetime, TypedHeader,
    WwwAuthenticate,
};

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let values: Vec<&[u8]> = rest.split(|&b| b == b'\n').take(8).collect();
    for config in [Config::strict(), Config::lenient()] {
        match which % 12 {
            0 => drop(check::<NotificationsVersion>(&values, &config)),
            1 => {
                if let Some(FromPrincipal::Url(url)) = check::<FromPrincipal>(&values, &config) {
                    check_url(&url);
                }
            }
            2 => {
                if let Some(cb) = check::<CallBack>(&values, &config) {
                    check_url(cb.url());
                }
            }
            3 => drop(check::<SubscriptionId>(&values, &config)),
            4 => drop(check::<SubscriptionLifetime>(&values, &config)),
            5 => drop(check::<NotificationType>(&values, &config)),
            6 => drop(check::<AckType>(&values, &config)),
            7 => drop(check::<HopCount>(&values, &config)),
            8 => drop(check::<Depth>(&values, &config)),
            9 => {
                if let Some(location) = check::<Location>(&values, &config) {
                    check_url(location.url());
                }
            }
            10 => drop(check::<WwwAuthenticate>(&values, &config)),
            _ => drop(check::<Authorization>(&values, &config)),
        }
    }
});

/// Decodes `values` as `H`; checks the `HeaderValue` path against the bytes path and the
/// round trip of what decoded.
fn check<H: TypedHeader + PartialEq + Debug>(values: &[&[u8]], config: &Config) -> Option<H> {
    let decoded = H::decode_bytes(values.iter().copied(), config);
    // Values as `http` holds them (no surrounding whitespace, as the view gives them).
    let wrapped: Option<Vec<HeaderValue>> = values
        .iter()
        .map(|v| HeaderValue::from_bytes(v).ok())
        .collect();
    if let Some(wrapped) = wrapped
        && values.iter().all(|v| v.trim_ascii() == *v)
    {
        assert_eq!(
            H::decode(wrapped.iter(), config),
            decoded,
            "HeaderValue path"
        );
    }
    let decoded = decoded.ok()?;
    let mut encoded: Vec<HeaderValue> = Vec::new();
    decoded.encode(&mut encoded);
    let again = H::decode(encoded.iter(), &Config::strict())
        .unwrap_or_else(|e| panic!("{decoded:?} encoded as {encoded:?}: {e}"));
    assert_eq!(again, decoded, "encoded as {encoded:?}");
    Some(decoded)
}

fn check_url(url: &AbsoluteUrl) {
    let uri = Uri::try_from(url.as_str()).expect("http accepts every AbsoluteUrl");
    assert_eq!(url.uri(), uri);
    assert_eq!(Some(url.host()), uri.host());
    assert_eq!(url.port(), uri.port_u16());
    let https = uri
        .scheme_str()
        .is_some_and(|s| s.eq_ignore_ascii_case("https"));
    assert_eq!(url.is_https(), https);
}
