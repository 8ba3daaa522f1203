//! Property tests: generated addresses and URLs survive display -> parse, and the
//! comparison rules hold under case changes and default ports.

use im_url::{Address, Alias, Authority, Domain, NodePath, NodeUrl, Scheme};
use proptest::prelude::*;

fn alias() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_~!$&'*+=-]{1,20}(\\.[A-Za-z0-9_-]{1,10}){0,2}"
}

fn label() -> impl Strategy<Value = String> {
    "[A-Za-z0-9]([A-Za-z0-9-]{0,10}[A-Za-z0-9])?"
}

fn domain() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(label(), 0..3),
        "[A-Za-z][A-Za-z0-9]{0,6}",
    )
        .prop_map(|(mut v, tld)| {
            v.push(tld);
            v.join(".")
        })
}

fn segment() -> impl Strategy<Value = String> {
    "([A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-F]{2}){1,12}"
}

fn flip_case(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_lowercase() {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

proptest! {
    #[test]
    fn address_roundtrip(a in alias(), d in domain()) {
        let text = format!("{a}@{d}");
        let addr = Address::parse(&text).unwrap();
        prop_assert_eq!(addr.to_string(), text.clone());
        let flipped = Address::parse(&flip_case(&text)).unwrap();
        prop_assert_eq!(&flipped, &addr);
        prop_assert_eq!(flipped.cmp(&addr), std::cmp::Ordering::Equal);
    }

    #[test]
    fn logical_physical_roundtrip(
        a in alias(), im in domain(), home in domain(),
        port in prop::option::of(1u16..),
        home_port in prop::option::of(1u16..),
    ) {
        let alias = Alias::new(&a).unwrap();
        let im = Authority::new(Domain::new(&im).unwrap(), port);
        let home = Authority::new(Domain::new(&home).unwrap(), home_port);
        let logical = NodeUrl::logical(im.clone(), alias.clone());
        let parsed = NodeUrl::parse(&logical.to_string()).unwrap();
        prop_assert_eq!(&parsed, &logical);
        prop_assert_eq!(parsed.to_string(), logical.to_string());
        let physical = logical.to_physical(home).unwrap();
        let parsed = NodeUrl::parse(&physical.to_string()).unwrap();
        prop_assert!(parsed.is_physical());
        prop_assert_eq!(&parsed, &physical);
        prop_assert_eq!(parsed.to_logical().unwrap(), logical.clone());
        // Case and explicit default port do not matter.
        let shouted = NodeUrl::parse(&flip_case(&logical.to_string())).unwrap();
        prop_assert_eq!(&shouted, &logical);
        if port.is_none() {
            let explicit = NodeUrl::parse(&format!(
                "http://{}:80{}", im, logical.origin_form()
            )).unwrap();
            prop_assert_eq!(&explicit, &logical);
        }
        let uri = logical.to_uri().unwrap();
        prop_assert_eq!(NodeUrl::try_from(&uri).unwrap(), logical);
    }

    #[test]
    fn other_paths_roundtrip(d in domain(), segs in prop::collection::vec(segment(), 0..6)) {
        let path = format!("/{}", segs.join("/"));
        let url = NodeUrl::new(
            Scheme::Http,
            Authority::new(Domain::new(&d).unwrap(), None),
            NodePath::parse(&path).unwrap(),
        );
        let parsed = NodeUrl::parse(&url.to_string()).unwrap();
        prop_assert_eq!(&parsed, &url);
        prop_assert_eq!(parsed.to_string(), url.to_string());
        super::parse_stability::check(url.to_string().as_bytes());
    }

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,80}") {
        super::parse_stability::check(s.as_bytes());
    }

    #[test]
    fn url_like_text_never_panics(s in "(http|HTTPS|rvp)://[a-z0-9.:\\[\\]@%/-]{0,40}") {
        super::parse_stability::check(s.as_bytes());
    }
}
