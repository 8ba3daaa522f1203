#![no_main]

//! Address and URL parsing: never panics; whatever parses prints back to text that parses
//! to an equal value with the same text; logical <-> physical conversions round-trip.

use im_url::{Address, Authority, NodePath, NodeUrl};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(a) = Address::parse(s) {
        let shown = a.to_string();
        let again = Address::parse(&shown).expect("an address's text parses");
        assert_eq!(a, again);
        assert_eq!(shown, again.to_string());
        assert_eq!(
            a.fallback_url().address_in(a.domain().clone()),
            Some(a.clone())
        );
    }
    if let Ok(u) = NodeUrl::parse(s) {
        let shown = u.to_string();
        let again = NodeUrl::parse(&shown).expect("a URL's text parses");
        assert_eq!(u, again);
        assert_eq!(shown, again.to_string());
        let uri = u.to_uri().expect("http::Uri accepts a validated URL");
        assert_eq!(NodeUrl::try_from(&uri).expect("and back"), u);
        let origin = NodeUrl::from_request_target(&u.origin_form(), Some(&u.host_header()))
            .expect("origin-form plus Host parses");
        assert_eq!(origin.path(), u.path());
        if let Some(logical) = u.to_logical() {
            assert_eq!(
                NodeUrl::parse(&logical.to_string()).expect("logical"),
                logical
            );
            let home: Authority = "home.example".parse().expect("authority");
            let physical = logical.to_physical(home).expect("physical");
            assert_eq!(physical.to_logical().as_ref(), Some(&logical));
            assert_eq!(
                NodeUrl::parse(&physical.to_string()).expect("physical"),
                physical
            );
        }
    }
    if let Ok(p) = NodePath::parse(s) {
        assert_eq!(NodePath::parse(&p.to_string()).expect("path"), p);
    }
    if let Ok(a) = Authority::parse(s) {
        assert_eq!(Authority::parse(&a.to_string()).expect("authority"), a);
    }
    let _ = NodeUrl::from_request_target(s, Some("im.example.com"));
    let _ = NodeUrl::from_request_target(s, Some(s));
});
