#![no_main]

//! XML bodies: decoding never panics or exceeds the limits, and whatever decodes
//! re-encodes to a document that decodes strictly and encodes to the same bytes.

use libfuzzer_sys::fuzz_target;
use rvp_codec::Config;
use rvp_codec::xml::XmlBody;

fuzz_target!(|data: &[u8]| {
    for config in [Config::strict(), Config::lenient()] {
        if let Ok(doc) = XmlBody::decode(data, &config) {
            let once = doc.to_bytes();
            let again =
                XmlBody::decode(&once, &Config::strict()).expect("encoded XML decodes strictly");
            assert_eq!(again.to_bytes(), once);
        }
    }
});
