#![no_main]

//! decode -> encode -> decode: whatever decodes must re-encode to bytes that decode, in
//! strict mode, to the same message, and encode again to the same bytes.
//!
//! The re-decode allows one more header field than the first decode: the encoder adds
//! `Content-Length` to a response whose body was delimited by the end of the connection,
//! so a message with exactly `max_headers` fields legitimately re-encodes with one more.

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use rvp_codec::{Config, Limits, RequestDecoder, ResponseDecoder};

fn strict_plus_one() -> Config {
    let mut limits = Limits::new();
    limits.max_headers += 1;
    Config::strict().with_limits(limits)
}

fuzz_target!(|data: &[u8]| {
    let config = Config::lenient();
    let mut buf = BytesMut::from(data);
    let mut decoder = RequestDecoder::new(config);
    while let Ok(Some(req)) = decoder.decode(&mut buf) {
        let once = req.to_bytes();
        let mut again = BytesMut::from(&once[..]);
        let req2 = RequestDecoder::new(strict_plus_one())
            .decode(&mut again)
            .expect("re-encoded request decodes")
            .expect("re-encoded request is complete");
        assert!(again.is_empty());
        assert_eq!(
            (&req2.method, &req2.target, &req2.body),
            (&req.method, &req.target, &req.body)
        );
        assert_eq!(req2.to_bytes(), once);
    }

    let mut buf = BytesMut::from(data);
    let mut decoder = ResponseDecoder::new(config);
    let rsp = match decoder.decode(&mut buf) {
        Ok(Some(r)) => Some(r),
        Ok(None) => decoder.decode_eof(&mut buf).ok().flatten(),
        Err(_) => None,
    };
    if let Some(rsp) = rsp {
        let once = rsp.to_bytes();
        let mut again = BytesMut::from(&once[..]);
        let rsp2 = ResponseDecoder::new(strict_plus_one())
            .decode(&mut again)
            .expect("re-encoded response decodes")
            .expect("re-encoded response is complete");
        assert_eq!(rsp2.to_bytes(), once);
    }
});
