#![no_main]

//! decode -> encode -> decode: whatever decodes must re-encode to bytes that decode, in
//! strict mode, to the same message, and encode again to the same bytes.

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use rvp_codec::{Config, RequestDecoder, ResponseDecoder};

fuzz_target!(|data: &[u8]| {
    let config = Config::lenient();
    let mut buf = BytesMut::from(data);
    let mut decoder = RequestDecoder::new(config);
    while let Ok(Some(req)) = decoder.decode(&mut buf) {
        let once = req.to_bytes();
        let mut again = BytesMut::from(&once[..]);
        let req2 = RequestDecoder::new(Config::strict())
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
        let rsp2 = ResponseDecoder::new(Config::strict())
            .decode(&mut again)
            .expect("re-encoded response decodes")
            .expect("re-encoded response is complete");
        assert_eq!(rsp2.to_bytes(), once);
    }
});
