#![no_main]

//! XML bodies: decoding never panics or exceeds the limits, in either configuration; what
//! decodes strictly re-encodes to a document that decodes strictly again and encodes to
//! the same bytes.
//!
//! The fixed point is not asserted for lenient decodes: content kept verbatim (unknown
//! properties, foreign notification content) keeps the mismatched end tags that
//! `relaxed_end_tags` accepted, so its re-encoding is not always well-formed. A known gap,
//! listed in the xml module's docs.

use libfuzzer_sys::fuzz_target;
use rvp_codec::Config;
use rvp_codec::xml::XmlBody;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = XmlBody::decode(data, &Config::strict()) {
        let once = doc.to_bytes();
        let again = XmlBody::decode(&once, &Config::strict()).expect("encoded XML decodes again");
        assert_eq!(again.to_bytes(), once);
    }
    if let Ok(doc) = XmlBody::decode(data, &Config::lenient()) {
        let _ = doc.to_bytes();
    }
});
