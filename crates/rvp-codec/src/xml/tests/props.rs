//! Round-trip properties, limits, malformed input and the encoder's output format.

use http::StatusCode;
use proptest::prelude::*;

use super::*;
use crate::Limits;
use crate::xml::strategy;

fn limited(depth: usize, elements: usize) -> Config {
    Config::lenient().with_limits(Limits {
        max_xml_depth: depth,
        max_xml_elements: elements,
        ..Limits::new()
    })
}

fn roundtrip(body: &XmlBody) {
    let bytes = body.to_bytes();
    let text = std::str::from_utf8(&bytes).unwrap();
    assert!(text.starts_with("<?xml version=\"1.0\"?><"), "{text}");
    assert!(text.ends_with(">\n"), "{text}");
    for config in [strict_ext(), lenient()] {
        match XmlBody::decode(&bytes, &config) {
            Ok(decoded) => assert_eq!(&decoded, body, "{text}"),
            Err(err) => panic!("{err}: {text}"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_body_roundtrips(body in strategy::xml_body()) {
        roundtrip(&body);
    }

    #[test]
    fn notifications_roundtrip(n in strategy::notification()) {
        roundtrip(&XmlBody::Notification(n));
    }

    #[test]
    fn multistatus_roundtrips(ms in strategy::multistatus()) {
        roundtrip(&XmlBody::MultiStatus(ms));
    }

    /// Strict decoding keeps padded free text, so those round-trip too.
    #[test]
    fn padded_free_text_roundtrips_strictly(name in strategy::raw_text(), desc in strategy::raw_text()) {
        let update = PropertyUpdate::set(vec![Property::DisplayName(name)]);
        prop_assert_eq!(PropertyUpdate::decode(&update.to_bytes(), &strict()).unwrap(), update);
        let n = Notification::Message(MessageNotification {
            from: Contact { href: "h".into(), description: Some(desc) },
            to: vec![],
            mime_data: String::new(),
        });
        prop_assert_eq!(Notification::decode(&n.to_bytes(), &strict()).unwrap(), n);
    }

    /// Any text, unrepresentable characters included: the output is well-formed and
    /// reads back with those characters replaced by U+FFFD.
    #[test]
    fn unrepresentable_characters_are_replaced(text in any::<String>()) {
        let sanitized: String = text
            .chars()
            .map(|c| if super::super::reader::is_xml_char(c) { c } else { '\u{FFFD}' })
            .collect();
        let n = Notification::Message(MessageNotification {
            from: Contact { href: "h".into(), description: Some(text.clone()) },
            to: vec![],
            mime_data: text,
        });
        let Notification::Message(m) = Notification::decode(&n.to_bytes(), &strict()).unwrap() else {
            panic!("not a message");
        };
        prop_assert_eq!(m.description_of_from(), Some(sanitized.as_str()));
        prop_assert_eq!(m.mime_data, sanitized);
    }

    /// No input panics, in either configuration, with small limits too.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        for config in [strict(), lenient(), limited(3, 5)] {
            let _ = XmlBody::decode(&bytes, &config);
        }
    }

    /// Valid bodies cut short or with one byte changed: errors, never panics.
    #[test]
    fn mutated_bodies_never_panic(body in strategy::xml_body(), cut in any::<usize>(), byte in any::<u8>()) {
        let bytes = body.to_bytes().to_vec();
        let at = cut % (bytes.len() + 1);
        let truncated = bytes.get(..at).unwrap_or(&[]);
        let mut changed = bytes.clone();
        if let Some(b) = changed.get_mut(at) {
            *b = byte;
        }
        for config in [strict(), lenient(), limited(4, 8)] {
            let _ = XmlBody::decode(truncated, &config);
            let _ = XmlBody::decode(&changed, &config);
        }
    }
}

trait FromDescription {
    fn description_of_from(&self) -> Option<&str>;
}

impl FromDescription for MessageNotification {
    fn description_of_from(&self) -> Option<&str> {
        self.from.description.as_deref()
    }
}

#[test]
fn encoder_output_is_exact() {
    let update = PropertyUpdate::set(vec![leased(State::Online)]);
    assert_eq!(
        std::str::from_utf8(&update.to_bytes()).unwrap(),
        format!(
            "<?xml version=\"1.0\"?><d:propertyupdate {ROOT_NS}>{LOGIN}\n",
            LOGIN = "<d:set><d:prop><r:state><r:leased-value><r:value><r:online/></r:value><r:default-value><r:offline/></r:default-value><d:timeout>1200</d:timeout></r:leased-value></r:state></d:prop></d:set></d:propertyupdate>"
        )
    );
    let find = PropFind::Prop(vec![PropName::DisplayName]);
    assert_eq!(
        std::str::from_utf8(&find.to_bytes()).unwrap(),
        format!(
            "<?xml version=\"1.0\"?><d:propfind {ROOT_NS}><d:prop><d:displayname/></d:prop></d:propfind>\n"
        )
    );
}

#[test]
fn encoder_escapes_text_and_splits_cdata() {
    let n = Notification::Message(MessageNotification {
        from: Contact::new("http://h/?a=1&b=<2>", "A \"B\" & <C>\r"),
        to: vec![],
        mime_data: "x]]>y".into(),
    });
    let bytes = n.to_bytes();
    let text = std::str::from_utf8(&bytes).unwrap();
    assert!(
        text.contains("<d:href>http://h/?a=1&amp;b=&lt;2&gt;</d:href>"),
        "{text}"
    );
    assert!(
        text.contains("<r:description>A \"B\" &amp; &lt;C&gt;&#13;</r:description>"),
        "{text}"
    );
    assert!(
        text.contains("<r:mime-data><![CDATA[x]]]]><![CDATA[>y]]></r:mime-data>"),
        "{text}"
    );
    assert_eq!(Notification::decode(&bytes, &strict()).unwrap(), n);
}

#[test]
fn unknown_properties_are_kept() {
    let body = format!(
        "<d:propertyupdate {ROOT_NS} xmlns:x=\"urn:x\"><d:set><d:prop><x:mood lang=\"en\">happy &amp; <x:b>bold</x:b></x:mood><r:custom/></d:prop></d:set><d:remove><d:prop><x:old/><r:email/></d:prop></d:remove></d:propertyupdate>"
    );
    let update = PropertyUpdate::decode(body.as_bytes(), &strict()).unwrap();
    let UpdateOp::Set(props) = &update.ops[0] else {
        panic!("no set");
    };
    let Property::Unknown(mood) = &props[0] else {
        panic!("not unknown");
    };
    assert_eq!(mood.name(), &XmlName::new("urn:x", "mood").unwrap());
    // `x:` is declared on the original root only: the kept content declares it itself,
    // so that it stays well-formed wherever it is written (regression: it used not to).
    assert_eq!(mood.raw(), "happy &amp; <x:b xmlns:x=\"urn:x\">bold</x:b>");
    assert_eq!(
        update.ops[1],
        UpdateOp::Remove(vec![
            PropName::Unknown(XmlName::new("urn:x", "old").unwrap()),
            PropName::Email
        ])
    );
    // The re-encoded document reads back to the same value.
    assert_eq!(
        PropertyUpdate::decode(&update.to_bytes(), &strict()).unwrap(),
        update
    );
    // The custom RVP property round-trips.
    let custom = PropertyUpdate::set(vec![props[1].clone()]);
    assert_eq!(
        PropertyUpdate::decode(&custom.to_bytes(), &strict()).unwrap(),
        custom
    );
}

#[test]
fn multistatus_names_and_values() {
    let body = format!(
        "<d:multistatus {ROOT_NS}><d:response><d:href>http://example.com/instmsg/aliases/alice</d:href><d:propstat><d:prop><d:displayname>Alice</d:displayname></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat><d:propstat><d:prop><r:email/><r:mobile-state></r:mobile-state></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat></d:response></d:multistatus>"
    );
    let ms = MultiStatus::decode(body.as_bytes(), &strict()).unwrap();
    let failed = &ms.responses[0].propstats[1];
    assert_eq!(failed.status.code, StatusCode::NOT_FOUND);
    assert_eq!(
        failed.props,
        vec![
            PropEntry::Name(PropName::Email),
            PropEntry::Name(PropName::MobileState)
        ]
    );
}

#[test]
fn depth_limit() {
    let nested = |n: usize| {
        let mut body = format!("<r:notification {ROOT_NS}>");
        body.push_str(&"<x>".repeat(n));
        body.push_str(&"</x>".repeat(n));
        body.push_str("</r:notification>");
        body
    };
    // Root plus 3 levels of foreign content is depth 4.
    assert!(Notification::decode(nested(3).as_bytes(), &limited(4, 100)).is_ok());
    let err = Notification::decode(nested(4).as_bytes(), &limited(4, 100)).unwrap_err();
    assert!(
        matches!(err, XmlError::DepthLimit { limit: 4, .. }),
        "{err}"
    );
    assert_eq!(err.status(), StatusCode::BAD_REQUEST);
    // Deep input under the default limit fails fast, without recursion.
    let err = XmlBody::decode(nested(100_000).as_bytes(), &lenient()).unwrap_err();
    assert!(
        matches!(err, XmlError::DepthLimit { limit: 32, .. }),
        "{err}"
    );
}

#[test]
fn element_limit() {
    let flat = |n: usize| {
        format!(
            "<r:notification {ROOT_NS}>{}</r:notification>",
            "<x/>".repeat(n)
        )
    };
    assert!(Notification::decode(flat(9).as_bytes(), &limited(8, 10)).is_ok());
    let err = Notification::decode(flat(10).as_bytes(), &limited(8, 10)).unwrap_err();
    assert!(
        matches!(err, XmlError::ElementLimit { limit: 10, .. }),
        "{err}"
    );
    assert_eq!(err.status(), StatusCode::BAD_REQUEST);
}

#[test]
fn malformed_input_errors() {
    type Case = (&'static [u8], fn(&XmlError) -> bool);
    let cases: &[Case] = &[
        (b"", |e| {
            matches!(
                e,
                XmlError::Syntax {
                    kind: SyntaxKind::NoRoot,
                    ..
                }
            )
        }),
        (b"  <!-- c -->  ", |e| {
            matches!(
                e,
                XmlError::Syntax {
                    kind: SyntaxKind::NoRoot,
                    ..
                }
            )
        }),
        (b"text<a/>", |e| {
            matches!(
                e,
                XmlError::Syntax {
                    kind: SyntaxKind::TextBeforeRoot,
                    ..
                }
            )
        }),
        (
            b"<a:rvpacl xmlns:a=\"http://schemas.microsoft.com/rvp/acl/\"/>text",
            |e| {
                matches!(
                    e,
                    XmlError::Syntax {
                        kind: SyntaxKind::ContentAfterRoot,
                        ..
                    }
                )
            },
        ),
        (
            b"<a:rvpacl xmlns:a=\"http://schemas.microsoft.com/rvp/acl/\">",
            |e| {
                matches!(
                    e,
                    XmlError::Syntax {
                        kind: SyntaxKind::UnexpectedEof { .. },
                        ..
                    }
                )
            },
        ),
        (b"<a", |e| {
            matches!(
                e,
                XmlError::Syntax {
                    kind: SyntaxKind::UnclosedMarkup,
                    ..
                }
            )
        }),
        (
            b"<a:rvpacl xmlns:a=\"http://schemas.microsoft.com/rvp/acl/\"></a:rvpacl></b>",
            |e| {
                matches!(
                    e,
                    XmlError::Syntax {
                        kind: SyntaxKind::UnmatchedEndTag { .. },
                        ..
                    }
                )
            },
        ),
        (b"<a b=c/>", |e| {
            matches!(
                e,
                XmlError::Syntax {
                    kind: SyntaxKind::InvalidAttribute,
                    ..
                }
            )
        }),
        (b"<a b='1' b='2'/>", |e| {
            matches!(
                e,
                XmlError::Syntax {
                    kind: SyntaxKind::InvalidAttribute,
                    ..
                }
            )
        }),
        (
            b"<a:rvpacl xmlns:a=\"http://schemas.microsoft.com/rvp/acl/\">&foo;</a:rvpacl>",
            |e| {
                matches!(
                    e,
                    XmlError::Syntax {
                        kind: SyntaxKind::InvalidReference,
                        ..
                    }
                )
            },
        ),
        (
            b"<a:rvpacl xmlns:a=\"http://schemas.microsoft.com/rvp/acl/\">&#1;</a:rvpacl>",
            |e| {
                matches!(
                    e,
                    XmlError::Syntax {
                        kind: SyntaxKind::InvalidReference,
                        ..
                    }
                )
            },
        ),
        (
            b"<a:rvpacl xmlns:a=\"http://schemas.microsoft.com/rvp/acl/\"/><?xml version=\"1.0\"?>",
            |e| {
                matches!(
                    e,
                    XmlError::Syntax {
                        kind: SyntaxKind::InvalidDeclaration,
                        ..
                    }
                )
            },
        ),
        (b"<x:a/>", |e| {
            matches!(e, XmlError::UndeclaredPrefix { .. })
        }),
        (b"<a>\xff</a>", |e| {
            matches!(e, XmlError::NotUtf8 { offset: 3 })
        }),
        (b"<a xmlns='urn:other'/>", |e| {
            matches!(e, XmlError::UnexpectedRoot { .. })
        }),
    ];
    for (body, check) in cases {
        for config in [strict(), lenient()] {
            let err = XmlBody::decode(body, &config).unwrap_err();
            assert!(check(&err), "{:?}: {err:?}", String::from_utf8_lossy(body));
            assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        }
    }
}

#[test]
fn structural_errors_name_the_element() {
    let no_from = format!(
        "<r:notification {ROOT_NS}><r:message><r:msgbody><r:mime-data/></r:msgbody></r:message></r:notification>"
    );
    let err = Notification::decode(no_from.as_bytes(), &strict()).unwrap_err();
    assert!(
        matches!(
            err,
            XmlError::MissingElement {
                parent: "message",
                missing: "notification-from",
                ..
            }
        ),
        "{err}"
    );

    let two_hrefs = format!(
        "<d:multistatus {ROOT_NS}><d:response><d:href>a</d:href><d:href>b</d:href></d:response></d:multistatus>"
    );
    let err = MultiStatus::decode(two_hrefs.as_bytes(), &strict()).unwrap_err();
    assert!(
        matches!(
            err,
            XmlError::DuplicateElement {
                parent: "response",
                element: "href",
                ..
            }
        ),
        "{err}"
    );

    let text = format!("<d:propfind {ROOT_NS}>oops<d:allprop/></d:propfind>");
    let err = PropFind::decode(text.as_bytes(), &strict()).unwrap_err();
    assert!(
        matches!(
            err,
            XmlError::UnexpectedText {
                element: "propfind",
                ..
            }
        ),
        "{err}"
    );

    let bad_mobile = format!(
        "<d:propertyupdate {ROOT_NS}><d:set><d:prop><r:mobile-state>2</r:mobile-state></d:prop></d:set></d:propertyupdate>"
    );
    let err = PropertyUpdate::decode(bad_mobile.as_bytes(), &lenient()).unwrap_err();
    assert!(
        matches!(
            err,
            XmlError::InvalidValue {
                element: "mobile-state",
                ..
            }
        ),
        "{err}"
    );

    let big_timeout = format!(
        "<d:propertyupdate {ROOT_NS}><d:set><d:prop><r:state><r:leased-value><r:value><r:online/></r:value><r:default-value><r:offline/></r:default-value><d:timeout>99999999999</d:timeout></r:leased-value></r:state></d:prop></d:set></d:propertyupdate>"
    );
    let err = PropertyUpdate::decode(big_timeout.as_bytes(), &lenient()).unwrap_err();
    assert!(
        matches!(
            err,
            XmlError::InvalidValue {
                element: "timeout",
                reason: "number out of range",
                ..
            }
        ),
        "{err}"
    );

    let wrong_doc = format!("<d:propfind {ROOT_NS}><d:allprop/></d:propfind>");
    let err = RvpAcl::decode(wrong_doc.as_bytes(), &strict()).unwrap_err();
    assert!(
        matches!(
            err,
            XmlError::UnexpectedRoot {
                expected: "RVP ACL rvpacl",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn extended_states() {
    for (name, state) in [("idle", State::Idle), ("invisible", State::Invisible)] {
        let body = format!(
            "<d:propertyupdate {ROOT_NS}><d:set><d:prop><r:state><r:{name}/></r:state></d:prop></d:set></d:propertyupdate>"
        );
        assert!(PropertyUpdate::decode(body.as_bytes(), &strict()).is_err());
        let update = PropertyUpdate::decode(body.as_bytes(), &lenient()).unwrap();
        assert_eq!(
            update,
            PropertyUpdate::set(vec![Property::State(StateProperty::bare(state))])
        );
    }
    let body = format!(
        "<d:propertyupdate {ROOT_NS}><d:set><d:prop><r:state><r:knitting/></r:state></d:prop></d:set></d:propertyupdate>"
    );
    let update = PropertyUpdate::decode(body.as_bytes(), &lenient()).unwrap();
    let Some(Property::State(state)) = update.set_props().next() else {
        panic!("no state");
    };
    assert_eq!(state.state().as_str(), "knitting");
    assert!(!state.state().is_draft_state());
}

#[test]
fn constructors_validate() {
    assert!(XmlName::new("", "x").is_ok());
    assert!(XmlName::new("http://schemas.microsoft.com/rvp/", "email").is_err());
    assert!(XmlName::new("urn:x", "a:b").is_err());
    let name = XmlName::new("urn:x", "y").unwrap();
    assert!(UnknownProperty::new(name.clone(), "<a>").is_err());
    assert!(UnknownProperty::new(name.clone(), "a & b").is_err());
    assert!(UnknownProperty::new(name.clone(), "</y><y>").is_err());
    assert!(UnknownProperty::new(name, "a &amp; b").is_ok());
    assert!(ForeignXml::new("<r:message/>").is_err());
    assert!(ForeignXml::new("<x/></r:notification><r:notification>").is_err());
    assert!(ForeignXml::new(" <x/> text ").is_ok());
}

#[test]
fn namespace_scoping() {
    // A prefix declared on a child is in scope for that subtree only.
    let body = r#"<q:propfind xmlns:q="DAV:"><q:prop><z:state xmlns:z="http://schemas.microsoft.com/rvp/"/><z:email xmlns:z="http://schemas.microsoft.com/rvp/"/></q:prop></q:propfind>"#;
    assert_eq!(
        PropFind::decode(body.as_bytes(), &strict()).unwrap(),
        PropFind::Prop(vec![PropName::State, PropName::Email])
    );
    let leaked = r#"<q:propfind xmlns:q="DAV:"><q:prop><z:state xmlns:z="http://schemas.microsoft.com/rvp/"/><z:email/></q:prop></q:propfind>"#;
    let err = PropFind::decode(leaked.as_bytes(), &strict()).unwrap_err();
    assert!(
        matches!(err, XmlError::UndeclaredPrefix { ref prefix, .. } if prefix == "z"),
        "{err}"
    );

    // Redeclaring a prefix shadows the outer binding; the default namespace can be
    // removed with `xmlns=""`.
    let shadow = r#"<propfind xmlns="DAV:" xmlns:p="urn:x"><prop xmlns:p="http://schemas.microsoft.com/rvp/"><p:state/><displayname/><other xmlns=""/></prop></propfind>"#;
    assert_eq!(
        PropFind::decode(shadow.as_bytes(), &strict()).unwrap(),
        PropFind::Prop(vec![
            PropName::State,
            PropName::DisplayName,
            PropName::Unknown(XmlName::new("", "other").unwrap()),
        ])
    );

    // Escaped namespace URIs are compared unescaped.
    let escaped = r#"<d:propfind xmlns:d="D&#65;V:"><d:allprop/></d:propfind>"#;
    assert_eq!(
        PropFind::decode(escaped.as_bytes(), &strict()).unwrap(),
        PropFind::AllProp
    );

    // Reserved prefixes.
    for bad in [
        r#"<d:propfind xmlns:d="DAV:" xmlns:xmlns="urn:x"/>"#,
        r#"<d:propfind xmlns:d="DAV:" xmlns:xml="urn:x"/>"#,
        r#"<d:propfind xmlns:d="DAV:" xmlns:e=""/>"#,
    ] {
        let err = PropFind::decode(bad.as_bytes(), &lenient()).unwrap_err();
        assert!(
            matches!(
                err,
                XmlError::Syntax {
                    kind: SyntaxKind::InvalidNamespaceDeclaration,
                    ..
                }
            ),
            "{bad}: {err}"
        );
    }
    // The empty element's own declarations end with it.
    let empty = r#"<d:propfind xmlns:d="DAV:"><d:prop><r:state xmlns:r="http://schemas.microsoft.com/rvp/"/><r:email/></d:prop></d:propfind>"#;
    assert!(PropFind::decode(empty.as_bytes(), &strict()).is_err());
}

#[test]
fn byte_order_mark_and_encoding_declaration() {
    let body = "\u{FEFF}<?xml version=\"1.0\" encoding=\"UTF-8\"?><d:propfind xmlns:d=\"DAV:\"><d:allprop/></d:propfind>";
    assert_eq!(
        PropFind::decode(body.as_bytes(), &strict()).unwrap(),
        PropFind::AllProp
    );
}

/// Regression (found by `multistatus_roundtrips`): in a propstat the reader looks ahead
/// to tell a name from a value; the raw content of an unknown property must start at the
/// looked-ahead text, not after it.
#[test]
fn regression_unknown_value_in_propstat_keeps_its_first_text() {
    let body = format!(
        "<d:multistatus {ROOT_NS}><d:response><d:href>h</d:href><d:propstat><d:prop><e xmlns=\"\">]]&gt;<x/>t</e></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>"
    );
    let ms = MultiStatus::decode(body.as_bytes(), &strict()).unwrap();
    let PropEntry::Value(Property::Unknown(e)) = &ms.responses[0].propstats[0].props[0] else {
        panic!("not an unknown value");
    };
    assert_eq!(e.raw(), "]]&gt;<x/>t");
}

/// Regression (found by `any_body_roundtrips`): namespace URIs written with entity
/// references are compared and kept unescaped.
#[test]
fn regression_escaped_namespace_uri_is_unescaped() {
    let name = XmlName::new("http://example.com/ns?a=1&b=\"2\"", "mood").unwrap();
    let update = PropertyUpdate::set(vec![Property::Unknown(
        UnknownProperty::new(name, "x").unwrap(),
    )]);
    let bytes = update.to_bytes();
    assert!(
        std::str::from_utf8(&bytes)
            .unwrap()
            .contains("xmlns:x=\"http://example.com/ns?a=1&amp;b=&quot;2&quot;\"")
    );
    assert_eq!(PropertyUpdate::decode(&bytes, &strict()).unwrap(), update);
}

/// Regression (found by the `xml_body` fuzz target): foreign notification content using a
/// prefix declared only on the received root (the draft's `Z:`) was re-encoded with that
/// prefix undeclared, so the output was not namespace-well-formed.
#[test]
fn foreign_content_with_root_prefix_re_encodes_well_formed() {
    let body = br#"<Z:notification xmlns:D="DAV:" xmlns:Z="http://schemas.microsoft.com/rvp/"><mEvent><Z:note>x</Z:note></mEvent></Z:notification>"#;
    let n = Notification::decode(body, &strict()).unwrap();
    let once = n.to_bytes();
    let again = Notification::decode(&once, &strict()).unwrap();
    assert_eq!(again, n);
    assert_eq!(again.to_bytes(), once);
}

/// Regression (found by the `xml_body` fuzz target): with a UTF-8 byte order mark before
/// the document, kept content (an unknown property) was sliced three bytes off.
#[test]
fn byte_order_mark_does_not_shift_kept_content() {
    let body = "\u{feff}<?xml version=\"1.0\"?><d:propertyupdate xmlns:d=\"DAV:\" xmlns:u=\"urn:u\"><d:set><d:prop><u:mood><u:b>happy</u:b></u:mood></d:prop></d:set></d:propertyupdate>";
    let update = PropertyUpdate::decode(body.as_bytes(), &strict()).unwrap();
    let UpdateOp::Set(props) = &update.ops[0] else {
        panic!("no set")
    };
    let Property::Unknown(mood) = &props[0] else {
        panic!("not unknown")
    };
    assert_eq!(mood.raw(), "<u:b xmlns:u=\"urn:u\">happy</u:b>");
    assert_eq!(
        PropertyUpdate::decode(&update.to_bytes(), &strict()).unwrap(),
        update
    );
}

/// Regression (found by the `xml_body` fuzz target): foreign content with a mismatched end
/// tag (accepted with `relaxed_end_tags`) stopped the scan for undeclared prefixes early.
#[test]
fn foreign_content_with_mismatched_end_tag_re_encodes_well_formed() {
    let body = br#"<Z:notification xmlns:Z="http://schemas.microsoft.com/rvp/" xmlns:Y="urn:y"><Y:a><Y:b></Y:c></Y:a><Y:d/></Z:notification>"#;
    let n = Notification::decode(body, &lenient()).unwrap();
    let once = n.to_bytes();
    let again = Notification::decode(&once, &lenient()).unwrap();
    assert_eq!(again.to_bytes(), once);
}

/// Regression (found by the `xml_body` fuzz target): `<:x>` was read as `x` in the default
/// namespace; a qualified name needs a non-empty prefix and local part.
#[test]
fn malformed_qualified_names_are_rejected() {
    for body in [&b"<:x/>"[..], b"<a:/>", b"<a:b:c xmlns:a='urn:a'/>"] {
        assert!(
            matches!(
                XmlBody::decode(body, &lenient()),
                Err(XmlError::Syntax {
                    kind: SyntaxKind::InvalidQualifiedName,
                    ..
                })
            ),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
}
