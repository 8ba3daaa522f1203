//! The borrowed views and the owned messages agree: on every input, `decode_view` and
//! `decode` accept the same messages (the view's typed headers, target, fields and body
//! equal the owned message's), refuse the same ones with the same error, and leave the
//! same bytes in the buffer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Debug;

use bytes::BytesMut;
use http::HeaderMap;
use proptest::prelude::*;

use crate::header::strategy as hs;
use crate::header::{
    AckType, Authorization, CallBack, Depth, FromPrincipal, HeaderMapExt, HopCount, Location,
    NotificationType, NotificationsVersion, SubscriptionId, SubscriptionLifetime, TypedHeader,
    WwwAuthenticate,
};
use crate::{Config, Headers, RequestDecoder, ResponseDecoder};

fn same<H: TypedHeader + PartialEq + Debug>(view: &Headers<'_>, map: &HeaderMap, config: &Config) {
    assert_eq!(
        view.typed_get_with::<H>(config),
        map.typed_get_with::<H>(config),
        "{}",
        H::TITLE
    );
    assert_eq!(
        view.typed_require_with::<H>(config),
        map.typed_require::<H>(config),
        "{}",
        H::TITLE
    );
}

/// Every typed header, and every field by name, read from the view and from the map.
fn same_headers(view: &Headers<'_>, map: &HeaderMap, config: &Config) {
    assert_eq!(view.len(), map.len());
    for (name, value) in view.iter() {
        assert_eq!(map.get(name).map(|v| v.as_bytes()), view.get(name));
        let from_map: Vec<&[u8]> = map.get_all(name).iter().map(|v| v.as_bytes()).collect();
        let from_view: Vec<&[u8]> = view.get_all(name).collect();
        assert_eq!(from_view, from_map, "{name}");
        assert!(from_view.contains(&value));
    }
    same::<NotificationsVersion>(view, map, config);
    same::<FromPrincipal>(view, map, config);
    same::<CallBack>(view, map, config);
    same::<SubscriptionId>(view, map, config);
    same::<SubscriptionLifetime>(view, map, config);
    same::<NotificationType>(view, map, config);
    same::<AckType>(view, map, config);
    same::<HopCount>(view, map, config);
    same::<Depth>(view, map, config);
    same::<Location>(view, map, config);
    same::<WwwAuthenticate>(view, map, config);
    same::<Authorization>(view, map, config);
}

/// Feeds `input` (in two pieces, split at `split`) to both request decoders and checks
/// each step agrees; ends with the end-of-stream calls.
fn requests_agree(input: &[u8], split: usize, config: Config) {
    let split = split.min(input.len());
    let mut owned = RequestDecoder::new(config);
    let mut viewed = RequestDecoder::new(config);
    let mut a = BytesMut::from(&input[..split]);
    let mut b = BytesMut::from(&input[..split]);
    let mut rest = Some(&input[split..]);
    for _ in 0..64 {
        let o = owned.decode(&mut a);
        let v = viewed.decode_view(&mut b);
        assert_eq!(a, b);
        match (o, v) {
            (Ok(Some(o)), Ok(Some(v))) => {
                assert_eq!(v.to_request(), o);
                assert_eq!(v.method(), &o.method);
                assert_eq!(v.uri(), o.target);
                assert_eq!(v.target().parse::<http::Uri>().ok(), Some(o.target.clone()));
                assert_eq!(v.version(), o.version);
                assert_eq!(v.body(), &o.body[..]);
                same_headers(&v.headers(), &o.headers, &config);
            }
            (Ok(None), Ok(None)) => match rest.take() {
                Some(more) => {
                    a.extend_from_slice(more);
                    b.extend_from_slice(more);
                }
                None => break,
            },
            (Err(o), Err(v)) => {
                assert_eq!(o, v);
                return;
            }
            (o, v) => panic!("decode gave {o:?}, decode_view gave {v:?}"),
        }
    }
    let o = owned.decode_eof(&mut a);
    let v = viewed
        .decode_view_eof(&mut b)
        .map(|v| v.map(|v| v.to_request()));
    assert_eq!(o, v);
    assert_eq!(a, b);
}

/// Like [`requests_agree`] for one response (and its end of stream).
fn responses_agree(input: &[u8], config: Config) {
    let mut owned = ResponseDecoder::new(config);
    let mut viewed = ResponseDecoder::new(config);
    let mut a = BytesMut::from(input);
    let mut b = BytesMut::from(input);
    let o = owned.decode(&mut a);
    let v = viewed.decode_view(&mut b);
    match (&o, v) {
        (Ok(Some(o)), Ok(Some(v))) => {
            assert_eq!(&v.to_response(), o);
            assert_eq!(v.status(), o.status);
            assert_eq!(v.reason(), o.reason.as_ref().map(|r| r.as_bytes()));
            assert_eq!(v.body(), &o.body[..]);
            same_headers(&v.headers(), &o.headers, &config);
            return;
        }
        (Ok(None), Ok(None)) => {}
        (Err(o), Err(v)) => {
            assert_eq!(o, &v);
            return;
        }
        (o, v) => panic!("decode gave {o:?}, decode_view gave {v:?}"),
    }
    let o = owned.decode_eof(&mut a);
    let v = viewed
        .decode_view_eof(&mut b)
        .map(|v| v.map(|v| v.to_response()));
    assert_eq!(o, v);
    assert_eq!(a, b);
}

/// One header line with a typed value, its name in a random letter case.
fn typed_field() -> impl Strategy<Value = (String, String)> {
    fn line<H: TypedHeader>(v: H) -> (String, String) {
        let mut values: Vec<http::HeaderValue> = Vec::new();
        v.encode(&mut values);
        let value = values
            .first()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default();
        (H::TITLE.to_owned(), value)
    }
    prop_oneof![
        hs::notifications_version().prop_map(line),
        hs::from_principal().prop_map(line),
        hs::call_back().prop_map(line),
        hs::subscription_id().prop_map(line),
        hs::subscription_lifetime().prop_map(line),
        hs::notification_type().prop_map(line),
        hs::ack_type().prop_map(line),
        hs::hop_count().prop_map(line),
        hs::depth().prop_map(line),
        hs::location().prop_map(line),
        hs::www_authenticate().prop_map(line),
        hs::authorization().prop_map(line),
        ("[A-Za-z-]{1,12}", "[ -~]{0,20}").prop_map(|(n, v)| (n, v)),
        Just(("Content-Length".to_owned(), "3".to_owned())),
        Just(("Transfer-Encoding".to_owned(), "chunked".to_owned())),
    ]
}

/// A message head (request or status line first) with typed fields, names in mixed
/// case, some fields repeated or folded, then `body`; `flips` overwrite bytes.
fn message(start: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(start.to_vec()),
        prop::collection::vec((typed_field(), any::<u8>()), 0..10),
        prop::collection::vec(any::<u8>(), 0..16),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..3),
        any::<bool>(),
    )
        .prop_map(|(start, fields, body, flips, bare_lf)| {
            let eol = if bare_lf { "\n" } else { "\r\n" };
            let mut s = format!("{start}{eol}");
            for ((name, value), style) in fields {
                let name: String = name
                    .chars()
                    .enumerate()
                    .map(|(i, c)| {
                        if (style >> (i % 8)) & 1 == 1 {
                            c.to_ascii_uppercase()
                        } else {
                            c.to_ascii_lowercase()
                        }
                    })
                    .collect();
                match style % 16 {
                    0 => s.push_str(&format!("{name} :{value}{eol}")),
                    1 => s.push_str(&format!("{name}: {value}{eol} folded{eol}")),
                    2 => s.push_str(&format!("{name}:{value}{eol}{name}: {value}{eol}")),
                    _ => s.push_str(&format!("{name}: {value}{eol}")),
                }
            }
            s.push_str(eol);
            let mut bytes = s.into_bytes();
            bytes.extend_from_slice(&body);
            for (at, byte) in flips {
                let i = at.index(bytes.len());
                bytes[i] = byte;
            }
            bytes
        })
}

const REQUEST_LINES: &[&str] = &[
    "SUBSCRIBE /instmsg/aliases/alice HTTP/1.1",
    "NOTIFY http://im.example.com/instmsg/aliases/bob HTTP/1.1",
    "PROPPATCH  /a?b=c HTTP/1.0",
    "ACL * HTTP/1.1",
    "X-EXT //x#frag HTTP/1.1",
    "GET http://[::1]:80/ HTTP/1.1",
    "GET ftp://u@h/p HTTP/1.1",
];

const STATUS_LINES: &[&str] = &[
    "HTTP/1.1 200 Successful",
    "HTTP/1.1 302 Object moved",
    "HTTP/1.0 401",
    "HTTP/1.1 204 No Content",
];

/// The one-pass field parser and the checking one give the same index or error.
fn field_parsers_agree(msg: &[u8], config: &Config) {
    let pos = msg
        .iter()
        .position(|&b| b == b'\n')
        .map_or(msg.len(), |p| p + 1);
    let head = bytes::Bytes::copy_from_slice(msg);
    let fast = super::head::parse_fields(head.clone(), pos, config, Vec::new());
    let checked = super::head::parse_fields_checked(head, pos, config, Vec::new());
    match (fast, checked) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.fields, b.fields);
            assert_eq!(a.folded, b.folded);
            assert_eq!(a.framing, b.framing);
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        (a, b) => panic!("one pass: {a:?}, checked: {b:?}"),
    }
}

proptest! {
    #[test]
    fn field_parsers_agree_on_heads(msg in message(REQUEST_LINES), data in prop::collection::vec(any::<u8>(), 0..200), lenient in any::<bool>()) {
        let mut config = if lenient { Config::lenient() } else { Config::strict() };
        config.limits.max_headers = 6;
        field_parsers_agree(&msg, &config);
        field_parsers_agree(&data, &config);
    }

    #[test]
    fn views_agree_on_requests(msg in message(REQUEST_LINES), split in any::<prop::sample::Index>(), lenient in any::<bool>()) {
        let config = if lenient { Config::lenient() } else { Config::strict() };
        requests_agree(&msg, split.index(msg.len() + 1), config);
    }

    #[test]
    fn views_agree_on_responses(msg in message(STATUS_LINES), lenient in any::<bool>()) {
        let config = if lenient { Config::lenient() } else { Config::strict() };
        responses_agree(&msg, config);
    }

    #[test]
    fn views_agree_on_arbitrary_bytes(data in prop::collection::vec(any::<u8>(), 0..300), split in any::<prop::sample::Index>(), lenient in any::<bool>()) {
        let config = if lenient { Config::lenient() } else { Config::strict() };
        requests_agree(&data, split.index(data.len() + 1), config);
        responses_agree(&data, config);
    }
}

#[test]
fn views_agree_on_the_vectors() {
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
        let bytes = std::fs::read(dir.join(file)).unwrap();
        for config in [Config::strict(), Config::lenient()] {
            match kind {
                "req" => requests_agree(&bytes, bytes.len(), config),
                "rsp" => responses_agree(&bytes, config),
                _ => continue,
            }
            seen += 1;
        }
    }
    assert!(seen > 100, "only {seen} vector decodes compared");
}

#[test]
fn limits_agree() {
    let mut config = Config::strict();
    config.limits.max_headers = 2;
    config.limits.max_head_size = 64;
    config.limits.max_body_size = 4;
    for input in [
        &b"ACL / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"[..],
        b"ACL / HTTP/1.1\r\nA: 1\r\nB: 22222222222222222222222222222222222222222222222222\r\n\r\n",
        b"ACL / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
        b"ACL / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        b"ACL / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        b"ACL / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
    ] {
        requests_agree(input, input.len(), config);
        requests_agree(input, input.len() / 2, config);
    }
}
