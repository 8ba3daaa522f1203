//! The draft's XML examples (its line wrapping and page breaks undone, everything else
//! kept, trailing spaces included) and each XML erratum of peers.md (d1), in strict and
//! lenient mode. The outcomes are the table in the module docs.

use http::StatusCode;

use super::*;

fn assert_syntax(err: &XmlError, expected: &SyntaxKind) {
    match err {
        XmlError::Syntax { kind, .. } => assert_eq!(kind, expected, "{err}"),
        other => panic!("expected {expected:?}, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// Section 6.1.7.2: 207 answer to a property SUBSCRIBE (errata 1 and 2)

const PROPSUB_207: &str = "<?xml.version=\"1.0\"?> 
<d:multistatus xmlns:d=\"DAV:\" 
xmlns:r=\"http://schemas.microsoft.com/rvp/\"> 
     <d:response> 
          <d:href> 
                  http://im.example.com/instmsg/aliases/stevem 
          </d:href> 
          <d:propstat> 
                  <d:prop> 
                          <r:state><r:offline/></r:state> 
                          <d:displayname>Steve</d:displayname> 
                          <r:email>stevem@example.com</r:email> 
                          <r:mobile-state>0</r:mobile-state> 
                          <r:mobile-description> 
                          </r:mobile-description> 
                  </d:prop> 
                  <d:status>HTTP/1.1.200.Successful</d:status> 
          </d:propstat> 
     </d:response> 
</d:multistatus>          
";

#[test]
fn erratum_1_dotted_declaration() {
    let err = MultiStatus::decode(PROPSUB_207.as_bytes(), &strict()).unwrap_err();
    assert_syntax(&err, &SyntaxKind::InvalidDeclaration);
    assert_eq!(err.offset(), 0);
    let mut only_head = strict();
    only_head.relaxed_head_syntax = true;
    only_head.trim_text = true;
    assert!(MultiStatus::decode(PROPSUB_207.as_bytes(), &only_head).is_ok());
    // Only before the root, and only for a would-be declaration.
    let late = format!(
        "{}<?xml.version=\"1.0\"?>",
        PROPSUB_207.replace("<?xml.version", "<?xml version")
    );
    let err = MultiStatus::decode(late.as_bytes(), &lenient()).unwrap_err();
    assert_syntax(&err, &SyntaxKind::InvalidDeclaration);
    let other = PROPSUB_207.replace("<?xml.version=\"1.0\"?>", "<?x=y?>");
    let err = MultiStatus::decode(other.as_bytes(), &lenient()).unwrap_err();
    assert_syntax(&err, &SyntaxKind::InvalidDeclaration);
}

#[test]
fn erratum_1_dotted_status_line() {
    let body = PROPSUB_207.replace("<?xml.version", "<?xml version");
    // Strict: the padded href fails first; with it fixed, the status line fails.
    let err = MultiStatus::decode(body.as_bytes(), &strict()).unwrap_err();
    assert!(
        matches!(
            err,
            XmlError::InvalidValue {
                element: "href",
                ..
            }
        ),
        "{err}"
    );
    let unpadded = body.replace(
        "<d:href> \n                  http://im.example.com/instmsg/aliases/stevem \n          </d:href>",
        "<d:href>http://im.example.com/instmsg/aliases/stevem</d:href>",
    );
    let err = MultiStatus::decode(unpadded.as_bytes(), &strict()).unwrap_err();
    assert!(
        matches!(
            err,
            XmlError::InvalidValue {
                element: "status",
                ..
            }
        ),
        "{err}"
    );

    let ms = MultiStatus::decode(body.as_bytes(), &lenient()).unwrap();
    let response = &ms.responses[0];
    assert_eq!(
        response.href,
        "http://im.example.com/instmsg/aliases/stevem"
    );
    let propstat = &response.propstats[0];
    assert_eq!(propstat.status.code, StatusCode::OK);
    assert_eq!(propstat.status.reason, "Successful");
    assert_eq!(
        propstat.props,
        vec![
            PropEntry::Value(Property::State(StateProperty::bare(State::Offline))),
            PropEntry::Value(Property::DisplayName("Steve".into())),
            PropEntry::Value(Property::Email("stevem@example.com".into())),
            PropEntry::Value(Property::MobileState(false)),
            PropEntry::Value(Property::MobileDescription(String::new())),
        ]
    );
}

// ---------------------------------------------------------------------------------------
// Section 6.4.1: PROPFIND and its answer

const PROPFIND: &str = "<?xml version=\"1.0\" ?> 
<D:propfind xmlns:D=\"DAV:\" 
xmlns:Z=\"http://schemas.microsoft.com/rvp/\"> 
     <D:prop> 
             <D:displayname/> 
     </D:prop> 
</D:propfind> 
";

const PROPFIND_207: &str = "<?xml version=\"1.0\" ?> 
<D:multistatus xmlns:D=\"DAV:\" 
xmlns:Z=\"http://schemas.microsoft.com/rvp/\"> 
     <D:response> 
             <D:href> 
                     http://im.example.com/instmsg/aliases/stevem 
             </D:href> 
             <D:propstat> 
                     <D:prop> 
                             <D:displayname>  
                                     Steve Morgan  
                             </D:displayname> 
                     </D:prop> 
                     <D:status>HTTP/1.1 200 OK</D:status> 
             </D:propstat> 
     </D:response> 
</D:multistatus> 
";

#[test]
fn draft_propfind() {
    for config in [strict(), lenient()] {
        assert_eq!(
            XmlBody::decode(PROPFIND.as_bytes(), &config).unwrap(),
            XmlBody::PropFind(PropFind::Prop(vec![PropName::DisplayName]))
        );
    }
}

#[test]
fn draft_propfind_answer_padding() {
    let err = MultiStatus::decode(PROPFIND_207.as_bytes(), &strict()).unwrap_err();
    assert!(
        matches!(
            err,
            XmlError::InvalidValue {
                element: "href",
                reason: "surrounding whitespace",
                ..
            }
        ),
        "{err}"
    );
    // Free text keeps its padding in strict mode.
    let unpadded = PROPFIND_207.replace(
        "<D:href> \n                     http://im.example.com/instmsg/aliases/stevem \n             </D:href>",
        "<D:href>http://im.example.com/instmsg/aliases/stevem</D:href>",
    );
    let ms = MultiStatus::decode(unpadded.as_bytes(), &strict()).unwrap();
    let PropEntry::Value(Property::DisplayName(name)) = &ms.responses[0].propstats[0].props[0]
    else {
        panic!("no displayname");
    };
    assert_eq!(trim(name), "Steve Morgan");
    assert_ne!(name, "Steve Morgan");

    let ms = MultiStatus::decode(PROPFIND_207.as_bytes(), &lenient()).unwrap();
    assert_eq!(
        ms.responses[0].propstats[0],
        PropStat {
            props: vec![PropEntry::Value(Property::DisplayName(
                "Steve Morgan".into()
            ))],
            status: PropStatus::new(StatusCode::OK),
        }
    );
}

fn trim(s: &str) -> &str {
    s.trim_matches([' ', '\n'])
}

// ---------------------------------------------------------------------------------------
// Section 6.5.1: PROPPATCH (errata 5 and 6) and its answer

const PROPPATCH: &str = "<?xml version=\"1.0\"?> 
<D:propupdate xmlns:D=\"DAV:\" 
xmlns:Z=\"http://schemas.microsoft.com/rvp/\"> 
     <D:set> 
             <D:prop> 
                     <Z:state> 
                             <Z:leased-value> 
                                     <Z:value> 
                                             <Z:online/> 
                                     </Z:value> 
                                     <Z:default-value> 
                                             <Z:offline/> 
                                     </Z:default-value> 
                                     <Z:timeout>3600</Z:timeout> 
                             </Z:leased-value> 
                     </Z:state> 
             </D:prop> 
     </D:set> 
</D:propertyupdate> 
";

#[test]
fn erratum_5_propupdate_root_and_mismatched_end() {
    let err = PropertyUpdate::decode(PROPPATCH.as_bytes(), &strict()).unwrap_err();
    assert!(
        matches!(err, XmlError::UnexpectedRoot { ref found, .. } if found == "D:propupdate"),
        "{err}"
    );
    // The mismatched end tag alone, with the root name fixed.
    let renamed = PROPPATCH
        .replace("<D:propupdate", "<D:propertyupdate")
        .replace("<Z:timeout>3600</Z:timeout>", "<D:timeout>3600</D:timeout>")
        .replace("</D:propertyupdate>", "</D:propupdate>");
    let err = PropertyUpdate::decode(renamed.as_bytes(), &strict()).unwrap_err();
    assert_syntax(
        &err,
        &SyntaxKind::MismatchedEndTag {
            expected: "D:propertyupdate".into(),
            found: "D:propupdate".into(),
        },
    );
    let mut only_end_tags = strict();
    only_end_tags.relaxed_end_tags = true;
    assert!(PropertyUpdate::decode(renamed.as_bytes(), &only_end_tags).is_ok());

    let expected = PropertyUpdate::set(vec![Property::State(StateProperty::leased(
        State::Online,
        State::Offline,
        3600,
    ))]);
    assert_eq!(
        PropertyUpdate::decode(PROPPATCH.as_bytes(), &lenient()).unwrap(),
        expected
    );
    assert_eq!(
        XmlBody::decode(PROPPATCH.as_bytes(), &lenient()).unwrap(),
        XmlBody::PropertyUpdate(expected)
    );
}

#[test]
fn erratum_6_timeout_in_rvp_namespace() {
    let fixed_root = PROPPATCH.replace("<D:propupdate", "<D:propertyupdate");
    let err = PropertyUpdate::decode(fixed_root.as_bytes(), &strict()).unwrap_err();
    assert!(
        matches!(err, XmlError::UnexpectedElement { parent: "leased-value", ref found, .. } if found == "Z:timeout"),
        "{err}"
    );
    let mut relaxed = strict();
    relaxed.relaxed_namespaces = true;
    let update = PropertyUpdate::decode(fixed_root.as_bytes(), &relaxed).unwrap();
    let Some(Property::State(state)) = update.set_props().next() else {
        panic!("no state");
    };
    assert_eq!(
        state.value,
        StateValue::Leased(LeasedValue {
            value: State::Online,
            default_value: State::Offline,
            timeout_secs: 3600
        })
    );
}

const PROPPATCH_207: &str = "<?xml version=\"1.0\"?> 
<D:multistatus xmlns:D=\"DAV:\" 
xmlns:Z=\"http://schemas.microsoft.com/rvp/\"> 
     <D:response> 
             <D:href> 
                     http://im.example.com/instmsg/aliases/stevem 
             </D:href> 
             <D:propstat> 
                     <D:prop> 
                             <Z:state> 
                                     <Z:leased-value> 
                                             <Z:value> 
                                                     <Z:online/> 
                                             </Z:value> 
                                             <Z:default-value> 
                                                     <Z:offline/> 
                                             </Z:default-value> 
                                             <D:timeout> 
                                                     3600 
                                             </D:timeout> 
                                     </Z:leased-value> 
                                     <Z:view-id>3577</Z:view-id> 
                             </Z:state> 
                     </D:prop> 
                     <D:status>HTTP/1.1 200 OK</D:status> 
             </D:propstat> 
     </D:response> 
</D:multistatus> 
";

#[test]
fn draft_proppatch_answer() {
    assert!(MultiStatus::decode(PROPPATCH_207.as_bytes(), &strict()).is_err());
    let ms = MultiStatus::decode(PROPPATCH_207.as_bytes(), &lenient()).unwrap();
    let mut state = StateProperty::leased(State::Online, State::Offline, 3600);
    state.view_id = Some("3577".into());
    assert_eq!(
        ms.responses[0].propstats[0].props,
        vec![PropEntry::Value(Property::State(state))]
    );
}

// ---------------------------------------------------------------------------------------
// Section 6.6.1: instant message NOTIFY (erratum 8)

const IM_NOTIFY: &str = "<?xml version=\"1.0\"?> 
<D:notification xmlns:D=\"DAV:\" 
xmlns:Z=\"http://schemas.microsoft.com/rvp/\"> 
     <Z:message> 
             <Z:notification-from> 
                     <Z:contact> 
                             <D:href> 
                                     http://im.example.com/instmsg/aliases/stevem  
                             </Z:href> 
                             <Z:description> 
                                     Steve Morgan 
                             </Z:description> 
                     </Z:contact> 
             </Z:notification-from> 
             <Z:notification-to> 
                     <Z:contact> 
                             <D:href> 
                    http://im.acmewidgets.com/instmsg/aliases/bruceb</D:href> 
                             <Z:description> 
                                     bruce 
                             </Z:description> 
                     </Z:contact> 
             </Z:notification-to> 
             <Z:msgbody> 
                     <Z:mime-data> 
                             <![CDATA[MIME-Version: 1.0 
                             Content-Type: text/plain; charset=UTF-8 
                             X-MMS-IM-Format: FN=Microsoft%20Sans%20Serif; EF=; CO=0; CS=0; PF=22 
                             Session-Id: {79FC61B5-1234-1234-8A10-941F33CA4C90} 
                              
                             Let\u{c6}s have lunch 
                             ]]> 
                     </Z:mime-data> 
             </Z:msgbody> 
     </Z:message> 
</Z:notification> 
";

#[test]
fn erratum_8_im_notify() {
    let err = Notification::decode(IM_NOTIFY.as_bytes(), &strict()).unwrap_err();
    assert!(
        matches!(err, XmlError::UnexpectedRoot { ref found, .. } if found == "D:notification"),
        "{err}"
    );
    // `<D:href>…</Z:href>` alone.
    let root_fixed = IM_NOTIFY.replace("<D:notification", "<Z:notification");
    let err = Notification::decode(root_fixed.as_bytes(), &strict()).unwrap_err();
    assert_syntax(
        &err,
        &SyntaxKind::MismatchedEndTag {
            expected: "D:href".into(),
            found: "Z:href".into(),
        },
    );

    let Notification::Message(m) = Notification::decode(IM_NOTIFY.as_bytes(), &lenient()).unwrap()
    else {
        panic!("not a message");
    };
    assert_eq!(
        m.from,
        Contact::new(
            "http://im.example.com/instmsg/aliases/stevem",
            "Steve Morgan"
        )
    );
    assert_eq!(
        m.to,
        vec![Contact::new(
            "http://im.acmewidgets.com/instmsg/aliases/bruceb",
            "bruce"
        )]
    );
    // CDATA content kept exactly: indentation, trailing spaces, the Windows-1252 artefact.
    assert!(
        m.mime_data
            .starts_with("MIME-Version: 1.0 \n                             Content-Type")
    );
    assert!(m.mime_data.contains("Let\u{c6}s have lunch"));
    assert!(
        m.mime_data
            .ends_with("lunch \n                             ")
    );
}

#[test]
fn erratum_8_line_break_inside_url_is_kept() {
    let body = "<r:notification xmlns:r=\"http://schemas.microsoft.com/rvp/\" xmlns:d=\"DAV:\"><r:message><r:notification-from><r:contact><d:href>
        http://im.example.com/instms
   g/aliases/stevem  
   </d:href></r:contact></r:notification-from><r:msgbody><r:mime-data/></r:msgbody></r:message></r:notification>";
    assert!(Notification::decode(body.as_bytes(), &strict()).is_err());
    let Notification::Message(m) = Notification::decode(body.as_bytes(), &lenient()).unwrap()
    else {
        panic!("not a message");
    };
    assert_eq!(
        m.from.href,
        "http://im.example.com/instms\n   g/aliases/stevem"
    );
    assert_eq!(m.mime_data, "");
}

// ---------------------------------------------------------------------------------------
// Section 6.6.1: property NOTIFY (erratum 4, bare state)

const PROP_NOTIFY: &str = "<?xml version=\"1.0\"?> 
<Z:notification xmlns:D=\"DAV:\" 
xmlns:Z=\"http://schemas.microsoft.com/rvp/\"> 
     <Z:propnotification> 
             <Z:notification-from> 
                     <Z:contact> 
                             <D:href> 
                                 http://im.example.com/instmsg/aliases/stevem 
                             </D:href> 
                             <Z:description/> 
                     </Z:contact> 
             </Z:notification-from> 
             <Z:notification-to> 
                     <Z:contact> 
                             <D:href> 
                                 http://im.acmewidgets.com/instmsg/aliases/bruceb 
                             </D:href> 
                             <Z:description/> 
                     </Z:contact> 
             </Z:notification-to> 
             <D:propertyupdate> 
                     <D:set> 
                             <D:prop> 
                                     <Z:state> 
                                             <Z:online/> 
                                     </Z:state> 
                             </D:prop> 
                     </D:set> 
             </D:propertyupdate> 
     </Z:propnotification> 
</Z:notification> 
";

#[test]
fn erratum_4_property_notify_bare_state() {
    let err = Notification::decode(PROP_NOTIFY.as_bytes(), &strict()).unwrap_err();
    assert!(
        matches!(
            err,
            XmlError::InvalidValue {
                element: "href",
                ..
            }
        ),
        "{err}"
    );
    let expected = Notification::PropNotification(PropNotification {
        from: Contact::new("http://im.example.com/instmsg/aliases/stevem", ""),
        to: vec![Contact::new(
            "http://im.acmewidgets.com/instmsg/aliases/bruceb",
            "",
        )],
        update: PropertyUpdate::set(vec![Property::State(StateProperty::bare(State::Online))]),
    });
    assert_eq!(
        Notification::decode(PROP_NOTIFY.as_bytes(), &lenient()).unwrap(),
        expected
    );
    // Re-encoded: the bare form, `<r:description/>` for the empty descriptions.
    let text = String::from_utf8(expected.to_bytes().to_vec()).unwrap();
    assert!(text.contains("<r:state><r:online/></r:state>"));
    assert!(text.contains("<r:description/>"));
    assert_eq!(
        Notification::decode(text.as_bytes(), &strict()).unwrap(),
        expected
    );
}

// ---------------------------------------------------------------------------------------
// Section 6.6.1: package tracking, foreign content (erratum 10)

const PACKAGE_EVENT: &str = " 
     <mEvent> 
             <eventType>DELIVER</eventType> 
             <eventTime>13:45 PST</eventTime> 
             <eventDate>03/24/98</eventDate> 
             <eventComment>Signed for by A Ortega</ eventComment> 
     </mEvent> 
";

const PACKAGE_MANIFEST: &str = "<Z:notification> 
     <manifest> 
             <mTrackNo>12345</mTrackNo> 
             <mShipper> 
                     <pName>CDNOW</pName> 
                     <pAddress> 
                             100 any street, anytown, USA 
                     <pAddress> 
                     <pPhone>111-555-1212</pPhone> 
             </mShipper> 
     </manifest> 
</Z:notification> 
";

fn package_notify(event: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?> \n<Z:notification xmlns:D=\"DAV:\" \nxmlns:Z=\"http://schemas.microsoft.com/rvp/\">{event}</Z:notification> \n"
    )
}

#[test]
fn erratum_10_foreign_content_kept_verbatim() {
    let body = package_notify(PACKAGE_EVENT);
    let err = Notification::decode(body.as_bytes(), &strict()).unwrap_err();
    assert_syntax(
        &err,
        &SyntaxKind::MismatchedEndTag {
            expected: "eventComment".into(),
            found: " eventComment".into(),
        },
    );
    let Notification::Foreign(foreign) = Notification::decode(body.as_bytes(), &lenient()).unwrap()
    else {
        panic!("not foreign");
    };
    assert_eq!(foreign.as_str(), PACKAGE_EVENT);

    let fixed_event = PACKAGE_EVENT.replace("</ eventComment>", "</eventComment>");
    let fixed = package_notify(&fixed_event);
    let decoded = Notification::decode(fixed.as_bytes(), &strict()).unwrap();
    let Notification::Foreign(foreign) = &decoded else {
        panic!("not foreign");
    };
    assert_eq!(foreign.as_str(), fixed_event);
    let encoded = decoded.to_bytes();
    assert!(
        encoded
            .windows(fixed_event.len())
            .any(|w| w == fixed_event.as_bytes())
    );
    assert_eq!(Notification::decode(&encoded, &strict()).unwrap(), decoded);
}

#[test]
fn erratum_10_two_documents_and_unclosed_elements() {
    let fixed_event = PACKAGE_EVENT.replace("</ eventComment>", "</eventComment>");
    let two = format!("{}{PACKAGE_MANIFEST}", package_notify(&fixed_event));
    for config in [strict(), lenient()] {
        let err = Notification::decode(two.as_bytes(), &config).unwrap_err();
        assert_syntax(&err, &SyntaxKind::ContentAfterRoot);
    }
    // The manifest alone, with its namespace declared: `<pAddress>` twice.
    let manifest = PACKAGE_MANIFEST.replace(
        "<Z:notification>",
        "<Z:notification xmlns:Z=\"http://schemas.microsoft.com/rvp/\">",
    );
    let err = Notification::decode(manifest.as_bytes(), &strict()).unwrap_err();
    assert!(
        matches!(
            err,
            XmlError::Syntax {
                kind: SyntaxKind::MismatchedEndTag { .. },
                ..
            }
        ),
        "{err}"
    );
    let err = Notification::decode(manifest.as_bytes(), &lenient()).unwrap_err();
    assert!(
        matches!(
            err,
            XmlError::Syntax {
                kind: SyntaxKind::UnexpectedEof { .. },
                ..
            }
        ),
        "{err}"
    );
    // Without declarations the second document's prefix is undeclared.
    let err = Notification::decode(PACKAGE_MANIFEST.as_bytes(), &lenient()).unwrap_err();
    assert!(
        matches!(err, XmlError::UndeclaredPrefix { ref prefix, .. } if prefix == "Z"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------
// Section 6.3.1: SUBSCRIPTIONS answer (erratum 7)

const SUBSCRIPTIONS: &str = "<?xml version=\"1.0\"?> 
<r:subscriptions xmlns:D=\"DAV:\" 
xmlns:Z=http://schemas.microsoft.com/rvp/ 
xmlns:A=http://schemas.Microsoft.com/rvp/acl> 
<Z:subscriptions> 
     <Z:subscription> 
             <Z:subscription-id> 456 </Z:subscription-id> 
             <D:href> 
                     http://im.example.com/instmsg/aliases/bruceb  
             </D:href>        
             <A:principal> 
                     <A:rvp-principal>  
                             http://im.example.com/instmsg/aliases/bruceb 
                     </A:rvp-principal> 
             </A:principal> 
             <D:timeout> 4789 </D:timeout> 
     </Z:subscription> 
     <Z:subscription> 
             <D:href> 
                  http://im.example.com/instmsg/aliases/stevem 
             </D:href> 
             <Z:subscription-id> 6656 </Z:subscription-id> 
             <A:principal> 
                     <A:rvp-principal>  
                             http://im.example.com/instmsg/aliases/stevem  
                     <A:rvp-principal> 
             </A:principal> 
             <D:timeout> 8752 </D:timeout> 
     </Z:subscription> 
</Z:subscriptions> 
";

const NS_QUOTED: &str = "<Z:subscriptions xmlns:D=\"DAV:\" \nxmlns:Z=\"http://schemas.microsoft.com/rvp/\" \nxmlns:A=\"http://schemas.Microsoft.com/rvp/acl\"> \n";

#[test]
fn erratum_7_whole_example_is_rejected_in_both_modes() {
    for config in [strict(), lenient()] {
        let err = Subscriptions::decode(SUBSCRIPTIONS.as_bytes(), &config).unwrap_err();
        assert_syntax(&err, &SyntaxKind::InvalidAttribute);
    }
}

#[test]
fn erratum_7_undeclared_prefix() {
    let body = "<r:subscriptions xmlns:Z=\"http://schemas.microsoft.com/rvp/\"/>";
    for config in [strict(), lenient()] {
        let err = Subscriptions::decode(body.as_bytes(), &config).unwrap_err();
        assert_eq!(
            err,
            XmlError::UndeclaredPrefix {
                prefix: "r".into(),
                offset: 0
            }
        );
    }
}

/// The example with its root declarations quoted and the outer `r:subscriptions` dropped.
fn subscriptions_quoted() -> String {
    let (_, rest) = SUBSCRIPTIONS.split_once("<Z:subscriptions> \n").unwrap();
    format!("<?xml version=\"1.0\"?> \n{NS_QUOTED}{rest}")
}

#[test]
fn erratum_7_missing_slash_and_nesting_stay_rejected() {
    let body = subscriptions_quoted();
    let err = Subscriptions::decode(body.as_bytes(), &strict()).unwrap_err();
    assert!(
        matches!(
            err,
            XmlError::InvalidValue {
                element: "subscription-id",
                ..
            }
        ),
        "{err}"
    );
    let err = Subscriptions::decode(body.as_bytes(), &lenient()).unwrap_err();
    assert!(
        matches!(err, XmlError::UnexpectedElement { parent: "rvp-principal", ref found, .. } if found == "A:rvp-principal"),
        "{err}"
    );
    let slash = body.replace(
        "stevem  \n                     <A:rvp-principal>",
        "stevem  \n                     </A:rvp-principal>",
    );
    let nested = slash
        .replacen(NS_QUOTED, &format!("{NS_QUOTED}<Z:subscriptions>"), 1)
        .replace(
            "</Z:subscriptions> \n",
            "</Z:subscriptions></Z:subscriptions>\n",
        );
    for config in [strict(), lenient()] {
        let err = Subscriptions::decode(nested.as_bytes(), &config).unwrap_err();
        assert!(
            matches!(err, XmlError::UnexpectedElement { parent: "subscriptions", ref found, .. } if found == "Z:subscriptions"),
            "{err}"
        );
    }

    // Padded values: strict rejects, lenient trims.
    let err = Subscriptions::decode(slash.as_bytes(), &strict()).unwrap_err();
    assert!(
        matches!(
            err,
            XmlError::InvalidValue {
                element: "subscription-id",
                ..
            }
        ),
        "{err}"
    );
    let list = Subscriptions::decode(slash.as_bytes(), &lenient()).unwrap();
    assert_eq!(
        list.items,
        vec![
            SubscriptionEntry {
                id: "456".into(),
                href: Some("http://im.example.com/instmsg/aliases/bruceb".into()),
                principal: Some("http://im.example.com/instmsg/aliases/bruceb".into()),
                timeout_secs: 4789,
            },
            SubscriptionEntry {
                id: "6656".into(),
                href: Some("http://im.example.com/instmsg/aliases/stevem".into()),
                principal: Some("http://im.example.com/instmsg/aliases/stevem".into()),
                timeout_secs: 8752,
            },
        ]
    );
}

#[test]
fn erratum_7_acl_namespace_variant() {
    let body = format!(
        "{NS_QUOTED}<Z:subscription><Z:subscription-id>1</Z:subscription-id><A:principal><A:rvp-principal>http://x/instmsg/aliases/y</A:rvp-principal></A:principal><D:timeout>5</D:timeout></Z:subscription></Z:subscriptions>"
    );
    let err = Subscriptions::decode(body.as_bytes(), &strict()).unwrap_err();
    assert!(
        matches!(err, XmlError::UnexpectedElement { parent: "subscription", ref found, .. } if found == "A:principal"),
        "{err}"
    );
    let mut relaxed = strict();
    relaxed.relaxed_namespaces = true;
    let list = Subscriptions::decode(body.as_bytes(), &relaxed).unwrap();
    assert_eq!(
        list.items[0].principal.as_deref(),
        Some("http://x/instmsg/aliases/y")
    );
}

// ---------------------------------------------------------------------------------------
// Section 6.7.3: ACL answer (erratum 11)

const ACL_ANSWER: &str = "<?xml version=\"1.0\"?> 
<a:rvpacl xmlns:a=\"http://schemas.microsoft.com/rvp/acl/\"> 
     <a:acl> 
             <a:inheritance>none</a:inheritance> 
             <a:ace> 
                     <a:principal> 
                             <a:rvp-principal> 
                                http://im.example.com/instmsg/aliases/steveb/ 
                             </a:rvp-principal> 
                             <a:credentials> 
                                     <a:assertion/> 
                                     <a:digest/> 
                                     <a:ntlm/> 
                             </a:credentials> 
                     </a:principal> 
                     <a:grant/> 
                     <a:deny> 
                             <a:send-to/> 
                             <a:presence/> 
                     </a:deny> 
             </a:ace> 
             <a:ace> 
                     <a:principal> 
                             <a:allprincipals/> 
                             <a:credentials> 
                                     <a:assertion/> 
                                     <a:digest/> 
                                     <a:ntlm/> 
                             </a:credentials> 
                     </a:principal> 
                     <a:grant> 
                             <a:list/> 
                             <a:read/> 
                             <a:send-to/> 
                             <a:presence/> 
                     </a:grant> 
                     <a:deny/> 
             </a:ace> 
             <a:ace> 
                     <a:principal> 
                             <a:rvp-principal> 
                                     http://im.acme.com/instmsg/aliases/bruceb 
                             </a:rvp-principal> 
                             <a:credentials> 
                                     <a:assertion/> 
                             </a:credentials> 
                     </a:principal> 
                     <a:grant> 
                             <a:list/> 
                             <a:read/> 
                             <a:write/> 
                             <a:send-to/> 
                             <a:receive-from/> 
                             <a:readacl/> 
                             <a:writeacl/> 
                             <a:presence/> 
                             <a:subscriptions/> 
                             <a:subscribe-others/> 
                     </a:grant> 
                     <a:deny/> 
             </a:ace> 
     </a:acl> 
</a:rvpacl> 
";

#[test]
fn erratum_11_acl_answer() {
    let err = RvpAcl::decode(ACL_ANSWER.as_bytes(), &strict()).unwrap_err();
    assert!(
        matches!(
            err,
            XmlError::InvalidValue {
                element: "rvp-principal",
                reason: "surrounding whitespace",
                ..
            }
        ),
        "{err}"
    );
    let web = Credentials::ASSERTION | Credentials::DIGEST | Credentials::NTLM;
    let unpadded = ACL_ANSWER
        .replace("<a:rvp-principal> \n                                http://im.example.com/instmsg/aliases/steveb/ \n                             </a:rvp-principal>", "<a:rvp-principal>http://im.example.com/instmsg/aliases/steveb/</a:rvp-principal>")
        .replace("<a:rvp-principal> \n                                     http://im.acme.com/instmsg/aliases/bruceb \n                             </a:rvp-principal>", "<a:rvp-principal>http://im.acme.com/instmsg/aliases/bruceb</a:rvp-principal>");
    assert!(RvpAcl::decode(unpadded.as_bytes(), &strict()).is_ok());
    for (body, config) in [(unpadded.as_str(), strict()), (ACL_ANSWER, lenient())] {
        let acl = RvpAcl::decode(body.as_bytes(), &config)
            .unwrap()
            .acl
            .unwrap();
        assert_eq!(acl.inheritance.as_deref(), Some("none"));
        assert_eq!(acl.aces.len(), 3);
        assert_eq!(
            acl.aces[0],
            Ace {
                principal: AcePrincipal::Url(
                    "http://im.example.com/instmsg/aliases/steveb/".into()
                ),
                credentials: web,
                grant: Rights::empty(),
                deny: Rights::SEND_TO | Rights::PRESENCE,
            }
        );
        assert_eq!(acl.aces[1].principal, AcePrincipal::AllPrincipals);
        assert_eq!(
            acl.aces[1].grant,
            Rights::LIST | Rights::READ | Rights::SEND_TO | Rights::PRESENCE
        );
        assert_eq!(acl.aces[2].credentials, Credentials::ASSERTION);
        assert!(
            acl.aces[2]
                .grant
                .contains(Rights::SUBSCRIBE_OTHERS | Rights::WRITE_ACL)
        );
    }
}

#[test]
fn credentials_not_specified() {
    let missing = "<a:rvpacl xmlns:a=\"http://schemas.microsoft.com/rvp/acl/\"><a:acl><a:ace><a:principal><a:allprincipals/></a:principal></a:ace></a:acl></a:rvpacl>";
    let empty = missing.replace("<a:allprincipals/>", "<a:allprincipals/><a:credentials/>");
    for body in [missing.to_owned(), empty] {
        for config in [strict(), lenient()] {
            let err = RvpAcl::decode(body.as_bytes(), &config).unwrap_err();
            assert!(
                matches!(err, XmlError::CredentialsNotSpecified { offset } if offset > 0),
                "{err}"
            );
            assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        }
    }
}

#[test]
fn erratum_12_no_dtd_is_processed() {
    let body = "<!DOCTYPE rvpacl [<!ENTITY x \"y\">]><a:rvpacl xmlns:a=\"http://schemas.microsoft.com/rvp/acl/\"/>";
    for config in [strict(), lenient()] {
        let err = RvpAcl::decode(body.as_bytes(), &config).unwrap_err();
        assert_syntax(&err, &SyntaxKind::Doctype);
    }
}
