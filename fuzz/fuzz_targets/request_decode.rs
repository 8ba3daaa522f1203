#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use rvp_codec::{Config, RequestDecoder};

fuzz_target!(|data: &[u8]| {
    for config in [Config::strict(), Config::lenient()] {
        let mut decoder = RequestDecoder::new(config);
        let mut buf = BytesMut::from(data);
        while let Ok(Some(_)) = decoder.decode(&mut buf) {}
        let _ = decoder.decode_eof(&mut buf);
    }
});
