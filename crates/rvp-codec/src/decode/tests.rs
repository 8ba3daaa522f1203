#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::{Limits, Method};

fn requests(input: &[u8], config: Config) -> Result<Vec<Request>, DecodeError> {
    let mut d = RequestDecoder::new(config);
    let mut buf = BytesMut::from(input);
    let mut out = Vec::new();
    while let Some(r) = d.decode(&mut buf)? {
        out.push(r);
    }
    if let Some(r) = d.decode_eof(&mut buf)? {
        out.push(r);
    }
    Ok(out)
}

fn response(input: &[u8], config: Config) -> Result<Option<Response>, DecodeError> {
    let mut d = ResponseDecoder::new(config);
    let mut buf = BytesMut::from(input);
    if let Some(r) = d.decode(&mut buf)? {
        return Ok(Some(r));
    }
    d.decode_eof(&mut buf)
}

#[test]
fn content_length_body() {
    let r = requests(
        b"NOTIFY /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
        Config::strict(),
    )
    .unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(&r[0].body[..], b"hello");
}

#[test]
fn pipelined_requests() {
    let input = b"ACL /a HTTP/1.1\r\nContent-Length: 0\r\n\r\nNOTIFY /b HTTP/1.1\r\nContent-Length: 2\r\n\r\nhiPROPFIND /c HTTP/1.1\r\nDepth: 0\r\n\r\n";
    let r = requests(input, Config::strict()).unwrap();
    let methods: Vec<_> = r.iter().map(|r| r.method.clone()).collect();
    assert_eq!(methods, [Method::ACL, Method::NOTIFY, Method::PROPFIND]);
    assert_eq!(&r[1].body[..], b"hi");
}

#[test]
fn request_without_length_has_empty_body() {
    let r = requests(
        b"SUBSCRIPTIONS /lists/sales-event HTTP/1.1\r\nHost: im.example.com\r\n\r\n",
        Config::strict(),
    )
    .unwrap();
    assert!(r[0].body.is_empty());
}

#[test]
fn leading_empty_lines_are_skipped() {
    let r = requests(b"\r\n\r\nACL /a HTTP/1.1\r\n\r\n\r\n", Config::strict()).unwrap();
    assert_eq!(r.len(), 1);
}

#[test]
fn chunked_request() {
    let input = b"NOTIFY /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\nACL /y HTTP/1.1\r\n\r\n";
    let r = requests(input, Config::strict()).unwrap();
    assert_eq!(r.len(), 2);
    assert_eq!(&r[0].body[..], b"abcde");
    assert_eq!(r[1].method, Method::ACL);
}

#[test]
fn chunked_error_offset_is_message_relative() {
    let input = b"NOTIFY /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX";
    let head_len = input.len() - 7;
    let err = requests(input, Config::strict()).unwrap_err();
    assert_eq!(
        err,
        DecodeError::Syntax {
            what: Syntax::ChunkEnd,
            offset: head_len + 6
        }
    );
}

#[test]
fn framing_errors() {
    let c = Config::lenient();
    let both = b"NOTIFY / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n";
    assert_eq!(
        requests(both, c).unwrap_err(),
        DecodeError::ConflictingFraming
    );
    let gzip = b"NOTIFY / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n";
    assert_eq!(
        requests(gzip, c).unwrap_err(),
        DecodeError::UnsupportedTransferCoding
    );
    let not_last = b"NOTIFY / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n";
    assert_eq!(
        requests(not_last, c).unwrap_err(),
        DecodeError::UnsupportedTransferCoding
    );
    let twice =
        b"NOTIFY / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n";
    assert_eq!(
        requests(twice, c).unwrap_err(),
        DecodeError::UnsupportedTransferCoding
    );
    let placeholder = b"NOTIFY / HTTP/1.1\r\nContent-Length: XXXX\r\n\r\n";
    assert_eq!(
        requests(placeholder, c).unwrap_err(),
        DecodeError::InvalidContentLength
    );
    let differ = b"NOTIFY / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab";
    assert_eq!(
        requests(differ, c).unwrap_err(),
        DecodeError::InvalidContentLength
    );
    let same = b"NOTIFY / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2, 2\r\n\r\nab";
    assert_eq!(&requests(same, c).unwrap()[0].body[..], b"ab");
    let huge = b"NOTIFY / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n";
    assert_eq!(
        requests(huge, c).unwrap_err(),
        DecodeError::InvalidContentLength
    );
    let signed = b"NOTIFY / HTTP/1.1\r\nContent-Length: +1\r\n\r\na";
    assert_eq!(
        requests(signed, c).unwrap_err(),
        DecodeError::InvalidContentLength
    );
}

#[test]
fn limits_have_status_codes() {
    let mut c = Config::strict();
    c.limits = Limits {
        max_head_size: 64,
        max_body_size: 4,
        ..Limits::new()
    };
    let long = format!("NOTIFY /{} HTTP/1.1\r\n\r\n", "a".repeat(100));
    let e = requests(long.as_bytes(), c).unwrap_err();
    assert_eq!(e, DecodeError::HeadTooLarge { limit: 64 });
    assert_eq!(e.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);

    // An endless head is refused once it passes the limit, without waiting for its end.
    let mut d = RequestDecoder::new(c);
    let mut buf = BytesMut::from(&b"NOTIFY / HTTP/1.1\r\n"[..]);
    assert!(d.decode(&mut buf).unwrap().is_none());
    buf.extend_from_slice(&[b'x'; 100]);
    assert_eq!(
        d.decode(&mut buf).unwrap_err(),
        DecodeError::HeadTooLarge { limit: 64 }
    );

    let e = requests(b"NOTIFY / HTTP/1.1\r\nContent-Length: 5\r\n\r\n", c).unwrap_err();
    assert_eq!(e, DecodeError::BodyTooLarge { limit: 4 });
    assert_eq!(e.status(), StatusCode::PAYLOAD_TOO_LARGE);

    let e = response(b"HTTP/1.1 200 OK\r\n\r\n12345", c).unwrap_err();
    assert_eq!(e, DecodeError::BodyTooLarge { limit: 4 });
}

#[test]
fn head_exactly_at_limit() {
    let head = b"ACL /a HTTP/1.1\r\nHost: b\r\n\r\n";
    let c = Config::strict().with_limits(Limits {
        max_head_size: head.len(),
        ..Limits::new()
    });
    assert_eq!(requests(head, c).unwrap().len(), 1);
    let c = Config::strict().with_limits(Limits {
        max_head_size: head.len() - 1,
        ..Limits::new()
    });
    assert_eq!(
        requests(head, c).unwrap_err(),
        DecodeError::HeadTooLarge {
            limit: head.len() - 1
        }
    );
}

#[test]
fn response_until_close() {
    let r = response(
        b"HTTP/1.1 200 Successful\r\nContent-Type: text/html\r\n\r\n<HTML>ok</HTML>",
        Config::strict(),
    )
    .unwrap()
    .unwrap();
    assert_eq!(&r.body[..], b"<HTML>ok</HTML>");
}

#[test]
fn response_without_body() {
    for status in ["204 No Content", "304 Not Modified", "100 Continue"] {
        let input = format!("HTTP/1.1 {status}\r\nContent-Length: 3\r\n\r\n");
        let mut d = ResponseDecoder::new(Config::strict());
        let mut buf = BytesMut::from(input.as_bytes());
        let r = d.decode(&mut buf).unwrap().unwrap();
        assert!(r.body.is_empty());
    }
    let mut d = ResponseDecoder::new(Config::strict());
    d.expect_response_to_head();
    let mut buf = BytesMut::from(&b"HTTP/1.1 501 Not Implemented\r\nContent-Length: 3\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"[..]);
    assert!(d.decode(&mut buf).unwrap().unwrap().body.is_empty());
    // The HEAD expectation applies to one response only.
    assert_eq!(&d.decode(&mut buf).unwrap().unwrap().body[..], b"x");
}

#[test]
fn eof_cases() {
    let mut d = RequestDecoder::new(Config::strict());
    let mut buf = BytesMut::from(&b"NOTIFY / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab"[..]);
    assert!(d.decode(&mut buf).unwrap().is_none());
    assert!(d.is_mid_message());
    assert_eq!(
        d.decode_eof(&mut buf).unwrap_err(),
        DecodeError::UnexpectedEof
    );
    assert!(!d.is_mid_message());

    let mut buf = BytesMut::from(&b"NOTIFY / HT"[..]);
    assert_eq!(
        d.decode_eof(&mut buf).unwrap_err(),
        DecodeError::UnexpectedEof
    );

    let mut buf = BytesMut::from(&b"\r\n"[..]);
    assert!(d.decode_eof(&mut buf).unwrap().is_none());
}

#[test]
fn decoder_recovers_state_after_error() {
    let mut d = RequestDecoder::new(Config::strict());
    let mut buf = BytesMut::from(&b"NOTIFY / HTTP/1.1\r\nContent-Length: x\r\n\r\n"[..]);
    assert!(d.decode(&mut buf).is_err());
    let mut buf = BytesMut::from(&b"ACL / HTTP/1.1\r\n\r\n"[..]);
    assert_eq!(d.decode(&mut buf).unwrap().unwrap().method, Method::ACL);
}

/// Feeding a message one byte at a time yields "need more" for every proper prefix and
/// the same message at the end.
#[test]
fn byte_by_byte() {
    let input: &[u8] = b"NOTIFY /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nX: y\r\n\r\n3\r\nabc\r\n0\r\nT: 1\r\n\r\n";
    let whole = requests(input, Config::strict()).unwrap();
    let mut d = RequestDecoder::new(Config::strict());
    let mut buf = BytesMut::new();
    let mut got = None;
    for (i, b) in input.iter().enumerate() {
        buf.extend_from_slice(&[*b]);
        let r = d.decode(&mut buf).unwrap();
        if i + 1 < input.len() {
            assert!(
                r.is_none(),
                "complete after {} of {} bytes",
                i + 1,
                input.len()
            );
        } else {
            got = r;
        }
    }
    assert_eq!(got.as_ref(), whole.first());
}

#[test]
fn bare_lf_message() {
    let input = b"NOTIFY /x HTTP/1.1\nContent-Length: 2\n\nhi";
    assert!(matches!(
        requests(input, Config::strict()),
        Err(DecodeError::Syntax {
            what: Syntax::LineEnding,
            offset: 18
        })
    ));
    assert_eq!(
        &requests(input, Config::lenient()).unwrap()[0].body[..],
        b"hi"
    );
}

#[test]
fn find_head_end_resumes() {
    assert_eq!(find_head_end(b"A\r\n\r\n", 0, 100), Some(5));
    assert_eq!(find_head_end(b"A\n\n", 0, 100), Some(3));
    assert_eq!(find_head_end(b"A\r\nB\r\n", 0, 100), None);
    assert_eq!(find_head_end(b"A\r\nB\r\n\r\n", 4, 100), Some(8));
    assert_eq!(find_head_end(b"A\r\n\r\n", 10, 100), None);
}

proptest::proptest! {
    /// The word-at-a-time head end search finds what a look at every line feed finds.
    #[test]
    fn find_head_end_agrees_with_a_byte_scan(
        bytes in proptest::collection::vec(
            proptest::sample::select(vec![b'\r', b'\n', b'a', b' ', 0x0b, 0x0a ^ 0x80]),
            0..64,
        ),
        from in 0usize..70,
        limit in 0usize..70,
    ) {
        let window = &bytes[..bytes.len().min(limit + 4)];
        let expected = (from..window.len())
            .filter(|&lf| window[lf] == b'\n')
            .find_map(|lf| match window.get(lf + 1) {
                Some(b'\n') => Some(lf + 2),
                Some(b'\r') if window.get(lf + 2) == Some(&b'\n') => Some(lf + 3),
                _ => None,
            });
        proptest::prop_assert_eq!(find_head_end(&bytes, from, limit), expected);
    }
}
