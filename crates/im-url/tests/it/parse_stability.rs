//! The fuzz target's body: parsing never panics, and what parses prints back to text that
//! parses to an equal value with the same text.

use im_url::{Address, Authority, NodePath, NodeUrl};

/// Checks one input; panics on a violated property.
pub(crate) fn check(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(a) = Address::parse(s) {
        let shown = a.to_string();
        let again = Address::parse(&shown).expect("an address's text parses");
        assert_eq!(a, again);
        assert_eq!(shown, again.to_string());
        let url = a.fallback_url();
        assert_eq!(url.address_in(a.domain().clone()), Some(a.clone()));
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
}

#[test]
fn fixed_inputs() {
    let inputs: &[&[u8]] = &[
        b"JoBrown@adatum.com",
        b"http://im.adatum.com/instmsg/aliases/JoBrown",
        b"http://imhomeserver1/instmsg/local/im.adatum.com/instmsg/aliases/JoBrown",
        b"http://imhomeserver1/instmsg/aliases/local/im.adatum.com/instmsg/aliases/JoBrown",
        b"HTTP://IM.example.com:80/InstMsg/Aliases/%62ob",
        b"http://h/instmsg/local/im.x.com:8080/instmsg/aliases/a",
        b"http://h/instmsg/local/10.1.2.3/instmsg/aliases/a",
        b"http://[::1]:8080/groups/rec-cycling",
        b"https://h/devices/printers/floor1prn",
        b"http://h",
        b"http://h/",
        b"http://h//",
        b"http://h/instmsg/aliases/%",
        b"http://h/instmsg/aliases/%4",
        b"http://h/instmsg/aliases/%C3%A9",
        b"http://h/instmsg/aliases/a%2Fb",
        b"http://10.10.1.98:1051",
        b"http://h:99999/",
        b"http://h:/",
        b"http://[::1/",
        b"http://u@h/",
        b"/instmsg/aliases/bob",
        b"*",
        b"a@b@c",
        b"@",
        b"\xff\xfe",
        "jö@bücher.de".as_bytes(),
        b"",
    ];
    for input in inputs {
        check(input);
    }
}
