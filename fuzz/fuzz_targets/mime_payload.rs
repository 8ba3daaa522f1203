#![no_main]

//! MIME payloads: decoding never panics, and whatever decodes re-encodes to a payload
//! that decodes again (leniently: a malformed Session-Id is kept raw) to the same bytes.

use libfuzzer_sys::fuzz_target;
use rvp_codec::{Config, Payload};

fuzz_target!(|data: &[u8]| {
    for config in [Config::strict(), Config::lenient()] {
        if let Ok(payload) = Payload::decode(data, &config) {
            let once = payload.to_bytes();
            let again = Payload::decode(&once, &config).expect("encoded payload decodes");
            assert_eq!(again.to_bytes(), once);
        }
    }
});
