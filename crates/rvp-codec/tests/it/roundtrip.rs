//! Property tests: every request and response the public API can build survives
//! encode -> decode unchanged (apart from the `Content-Length` the encoder adds), in both
//! configurations, whole and split at an arbitrary point.

use bytes::{Bytes, BytesMut};
use http::header::{CONTENT_LENGTH, HeaderName, HeaderValue};
use http::{HeaderMap, StatusCode, Uri, Version};
use proptest::prelude::*;
use rvp_codec::{Config, Method, ReasonPhrase, Request, RequestDecoder, Response, ResponseDecoder};

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![
        prop::sample::select(vec![
            Method::SUBSCRIBE,
            Method::UNSUBSCRIBE,
            Method::SUBSCRIPTIONS,
            Method::PROPFIND,
            Method::PROPPATCH,
            Method::NOTIFY,
            Method::ACL,
            Method::POLL,
            Method::GET,
            Method::COPY,
        ]),
        "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,32}".prop_map(|s| s.parse().unwrap()),
    ]
}

fn target() -> impl Strategy<Value = Uri> {
    let segment = "[A-Za-z0-9._~%!$&'()*+,;=:@-]{0,12}";
    let path = prop::collection::vec(segment, 1..5).prop_map(|s| format!("/{}", s.join("/")));
    let query = prop::option::of("[A-Za-z0-9=&]{0,10}");
    let host = prop_oneof![
        "[a-z][a-z0-9-]{0,10}(\\.[a-z]{2,5}){0,2}",
        "127\\.0\\.0\\.[0-9]{1,2}"
    ];
    let port = prop::option::of(1u16..);
    (prop::bool::ANY, host, port, path, query).prop_map(|(absolute, host, port, path, query)| {
        let mut s = String::new();
        if absolute {
            s.push_str("http://");
            s.push_str(&host);
            if let Some(p) = port {
                s.push_str(&format!(":{p}"));
            }
        }
        s.push_str(&path);
        if let Some(q) = query {
            s.push('?');
            s.push_str(&q);
        }
        s.parse().unwrap()
    })
}

fn headers() -> impl Strategy<Value = HeaderMap> {
    let name = "[a-z0-9!#$%&'*+.^_`|~-]{1,20}".prop_filter("framing", |n| {
        n != "content-length" && n != "transfer-encoding"
    });
    // Field values: no leading or trailing whitespace (it is not part of the value).
    let value = prop::collection::vec(
        prop_oneof![0x21u8..0x7f, 0x80u8..=0xff, Just(b' '), Just(b'\t')],
        0..40,
    )
    .prop_map(|mut v| {
        while v.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
            v.remove(0);
        }
        while v.last().is_some_and(|b| *b == b' ' || *b == b'\t') {
            v.pop();
        }
        v
    });
    prop::collection::vec((name, value), 0..12).prop_map(|fields| {
        let mut map = HeaderMap::new();
        for (n, v) in fields {
            map.append(
                HeaderName::from_bytes(n.as_bytes()).unwrap(),
                HeaderValue::from_bytes(&v).unwrap(),
            );
        }
        map
    })
}

fn body() -> impl Strategy<Value = Bytes> {
    prop::collection::vec(any::<u8>(), 0..300).prop_map(Bytes::from)
}

fn version() -> impl Strategy<Value = Version> {
    prop::sample::select(vec![Version::HTTP_11, Version::HTTP_10])
}

fn request() -> impl Strategy<Value = Request> {
    (method(), target(), version(), headers(), body()).prop_map(|(m, t, v, h, b)| {
        let mut r = Request::new(m, t).with_headers(h).with_body(b);
        r.version = v;
        r
    })
}

fn response() -> impl Strategy<Value = Response> {
    let reason = prop::option::of(
        prop::collection::vec(prop_oneof![0x20u8..0x7f, 0x80u8..=0xff, Just(b'\t')], 0..30)
            .prop_map(|v| ReasonPhrase::from_bytes(v).unwrap()),
    );
    (200u16..1000, reason, version(), headers(), body()).prop_map(|(s, reason, v, h, b)| {
        let mut r = Response::new(StatusCode::from_u16(s).unwrap())
            .with_headers(h)
            .with_body(b);
        r.reason = reason;
        r.version = v;
        if s == 204 || s == 304 {
            r.body = Bytes::new();
        }
        r
    })
}

fn without_length(mut h: HeaderMap) -> HeaderMap {
    h.remove(CONTENT_LENGTH);
    h
}

proptest! {
    #[test]
    fn request_round_trip(req in request(), split in any::<prop::sample::Index>(), lenient in any::<bool>()) {
        let wire = req.to_bytes();
        let config = if lenient { Config::lenient() } else { Config::strict() };
        let mut d = RequestDecoder::new(config);
        let at = split.index(wire.len() + 1);
        let mut buf = BytesMut::from(&wire[..at]);
        let first = d.decode(&mut buf).unwrap();
        prop_assert!(first.is_none() || at == wire.len());
        buf.extend_from_slice(&wire[at..]);
        let got = match first { Some(r) => r, None => d.decode(&mut buf).unwrap().unwrap() };
        prop_assert!(buf.is_empty());
        prop_assert_eq!(&got.method, &req.method);
        prop_assert_eq!(&got.target, &req.target);
        prop_assert_eq!(got.version, req.version);
        prop_assert_eq!(without_length(got.headers.clone()), req.headers.clone());
        prop_assert_eq!(&got.body, &req.body);
        prop_assert_eq!(got.to_bytes(), wire);
    }

    #[test]
    fn response_round_trip(rsp in response(), lenient in any::<bool>()) {
        let wire = rsp.to_bytes();
        let config = if lenient { Config::lenient() } else { Config::strict() };
        let mut d = ResponseDecoder::new(config);
        let mut buf = BytesMut::from(&wire[..]);
        let got = d.decode(&mut buf).unwrap().unwrap();
        prop_assert!(buf.is_empty());
        prop_assert_eq!(got.status, rsp.status);
        prop_assert_eq!(got.reason(), rsp.reason());
        prop_assert_eq!(got.version, rsp.version);
        prop_assert_eq!(without_length(got.headers.clone()), rsp.headers.clone());
        prop_assert_eq!(&got.body, &rsp.body);
        prop_assert_eq!(got.to_bytes(), wire);
    }

    /// Arbitrary bytes never panic, and whatever decodes re-encodes to a fixed point.
    #[test]
    fn arbitrary_input(data in prop::collection::vec(any::<u8>(), 0..400), lenient in any::<bool>()) {
        let config = if lenient { Config::lenient() } else { Config::strict() };
        let mut d = RequestDecoder::new(config);
        let mut buf = BytesMut::from(&data[..]);
        while let Ok(Some(r)) = d.decode(&mut buf) {
            let once = r.to_bytes();
            let mut again = BytesMut::from(&once[..]);
            let r2 = RequestDecoder::new(Config::strict()).decode(&mut again).unwrap().unwrap();
            prop_assert_eq!(r2.to_bytes(), once);
        }
    }
}
