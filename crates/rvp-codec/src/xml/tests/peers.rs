//! Real peers' exact bytes: librvp (librvp-observed.md) and Miranda (peers.md (e)).

use http::StatusCode;

use super::*;

// ---------------------------------------------------------------------------------------
// librvp (librvp-observed.md)

const LIBRVP_LOGIN_PROPPATCH: &str = "<d:set><d:prop><r:state><r:leased-value><r:value><r:online/></r:value><r:default-value><r:offline/></r:default-value><d:timeout>1200</d:timeout></r:leased-value></r:state></d:prop></d:set></d:propertyupdate>";

#[test]
fn librvp_login_proppatch() {
    let body = librvp("d:propertyupdate", LIBRVP_LOGIN_PROPPATCH);
    for config in [strict(), lenient()] {
        let update = PropertyUpdate::decode(&body, &config).unwrap();
        assert_eq!(update, PropertyUpdate::set(vec![leased(State::Online)]));
    }
}

#[test]
fn librvp_status_proppatch_with_view_id_and_idle() {
    let rest = "<d:set><d:prop><r:state><r:leased-value><r:value><r:idle/></r:value><r:default-value><r:offline/></r:default-value><d:timeout>1200</d:timeout></r:leased-value><r:view-id>3577</r:view-id></r:state></d:prop></d:set></d:propertyupdate>";
    let body = librvp("d:propertyupdate", rest);
    let err = PropertyUpdate::decode(&body, &strict()).unwrap_err();
    assert!(
        matches!(
            err,
            XmlError::InvalidValue {
                element: "state",
                ..
            }
        ),
        "{err}"
    );
    let update = PropertyUpdate::decode(&body, &lenient()).unwrap();
    let mut state = StateProperty::leased(State::Idle, State::Offline, 1200);
    state.view_id = Some("3577".into());
    assert_eq!(update, PropertyUpdate::set(vec![Property::State(state)]));
}

#[test]
fn librvp_logout_proppatch_is_bare() {
    let rest = "<d:set><d:prop><r:state><r:offline/></r:state></d:prop></d:set></d:propertyupdate>";
    let update = PropertyUpdate::decode(&librvp("d:propertyupdate", rest), &strict()).unwrap();
    assert_eq!(
        update,
        PropertyUpdate::set(vec![Property::State(StateProperty::bare(State::Offline))])
    );
}

#[test]
fn librvp_propfind() {
    let body = librvp(
        "d:propfind",
        "<d:prop><d:displayname/></d:prop></d:propfind>",
    );
    assert_eq!(
        PropFind::decode(&body, &strict()).unwrap(),
        PropFind::Prop(vec![PropName::DisplayName])
    );
}

#[test]
fn librvp_acl_allprincipals_as_rvp_principal() {
    let rest = "<a:acl><a:inheritance>none</a:inheritance><a:ace><a:principal><a:rvp-principal>allprincipals</a:rvp-principal><a:credentials><a:assertion/><a:digest/><a:ntlm/></a:credentials></a:principal><a:grant><a:send-to/><a:presence/></a:grant><a:deny/></a:ace></a:acl></a:rvpacl>";
    for config in [strict(), lenient()] {
        let acl = RvpAcl::decode(&librvp("a:rvpacl", rest), &config).unwrap();
        let expected = RvpAcl {
            acl: Some(Acl {
                inheritance: Some("none".into()),
                aces: vec![Ace {
                    principal: AcePrincipal::AllPrincipals,
                    credentials: Credentials::ASSERTION | Credentials::DIGEST | Credentials::NTLM,
                    grant: Rights::SEND_TO | Rights::PRESENCE,
                    deny: Rights::empty(),
                }],
            }),
        };
        assert_eq!(acl, expected);
    }
}

#[test]
fn librvp_acl_self_grant() {
    let rest = "<a:acl><a:ace><a:principal><a:rvp-principal>http://example.com/instmsg/aliases/alice</a:rvp-principal><a:credentials><a:assertion/><a:digest/><a:ntlm/></a:credentials></a:principal><a:grant><a:list/><a:read/><a:write/><a:send-to/><a:receive-from/><a:readacl/><a:writeacl/><a:presence/><a:subscriptions/><a:subscribe-others/></a:grant><a:deny/></a:ace></a:acl></a:rvpacl>";
    let acl = RvpAcl::decode(&librvp("a:rvpacl", rest), &strict()).unwrap();
    let ace = &acl.acl.unwrap().aces[0];
    assert_eq!(
        ace.principal,
        AcePrincipal::Url("http://example.com/instmsg/aliases/alice".into())
    );
    let everything = Rights::LIST
        | Rights::READ
        | Rights::WRITE
        | Rights::SEND_TO
        | Rights::RECEIVE_FROM
        | Rights::READ_ACL
        | Rights::WRITE_ACL
        | Rights::PRESENCE
        | Rights::SUBSCRIPTIONS
        | Rights::SUBSCRIBE_OTHERS;
    assert_eq!(ace.grant, everything);
    assert!(!ace.grant.contains(Rights::ALL));
}

const LIBRVP_MIME: &str = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nX-MMS-IM-Format: FN=MS%%20Shell%%20Dlg; EF=; CO=0; CS=0; PF=0\r\nSession-Id: {9BCA3DAF-70A2-7372-6CA5-2A6002C7D16F}\r\n\r\nHello Bob <b>bold</b> & \"quotes\" \u{c3}\u{a4}\u{c3}\u{b6}\u{c3}\u{bc}";

fn librvp_notify_body() -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r:notification {ROOT_NS}><r:message><r:notification-from><r:contact><d:href>http://example.com/instmsg/aliases/alice</d:href><r:description>alice</r:description></r:contact></r:notification-from><r:notification-to><r:contact><d:href>http://example.com/instmsg/aliases/bob</d:href><r:description>bob</r:description></r:contact></r:notification-to><r:msgbody><r:mime-data><![CDATA[{LIBRVP_MIME}]]></r:mime-data></r:msgbody></r:message></r:notification>\n"
    )
    .into_bytes()
}

#[test]
fn librvp_instant_message() {
    let body = librvp_notify_body();
    for config in [strict(), lenient()] {
        let Notification::Message(message) = Notification::decode(&body, &config).unwrap() else {
            panic!("not a message");
        };
        assert_eq!(
            message.from,
            Contact::new("http://example.com/instmsg/aliases/alice", "alice")
        );
        assert_eq!(
            message.to,
            vec![Contact::new(
                "http://example.com/instmsg/aliases/bob",
                "bob"
            )]
        );
        assert_eq!(message.mime_data, LIBRVP_MIME);
    }
}

#[test]
fn librvp_typing_with_empty_description() {
    let mime = "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol; charset=UTF-8\r\nTypingUser: alice@example.com\r\nSession-Id: {9BCA3DAF-70A2-7372-6CA5-2A6002C7D16F}\r\n\r\n";
    let rest = format!(
        "<r:message><r:notification-from><r:contact><d:href>http://example.com/instmsg/aliases/alice</d:href><r:description>alice</r:description></r:contact></r:notification-from><r:notification-to><r:contact><d:href>http://example.com/instmsg/aliases/bob</d:href><r:description/></r:contact></r:notification-to><r:msgbody><r:mime-data><![CDATA[{mime}]]></r:mime-data></r:msgbody></r:message></r:notification>"
    );
    let Notification::Message(message) =
        Notification::decode(&librvp("r:notification", &rest), &strict()).unwrap()
    else {
        panic!("not a message");
    };
    assert_eq!(message.to[0].description.as_deref(), Some(""));
    assert_eq!(message.mime_data, mime);
}

/// The three message shapes librvp accepted from its server.
#[test]
fn librvp_inbound_message_shapes() {
    let prefixed = "<r:notification xmlns:r=\"http://schemas.microsoft.com/rvp/\" xmlns:d=\"DAV:\"><r:message><r:notification-from><r:contact><d:href>http://example.com/instmsg/aliases/bob</d:href><r:description>Name</r:description></r:contact></r:notification-from><r:notification-to><r:contact><d:href>http://example.com/instmsg/aliases/alice</d:href></r:contact></r:notification-to><r:msgbody><r:mime-data><![CDATA[MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\ntext]]></r:mime-data></r:msgbody></r:message></r:notification>";
    let default_ns = "<notification xmlns=\"http://schemas.microsoft.com/rvp/\" xmlns:d=\"DAV:\"><message><notification-from><contact><d:href>http://example.com/instmsg/aliases/bob</d:href><description>Name</description></contact></notification-from><notification-to><contact><d:href>http://example.com/instmsg/aliases/alice</d:href></contact></notification-to><msgbody><mime-data><![CDATA[MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\ntext]]></mime-data></msgbody></message></notification>";
    let escaped = "<r:notification xmlns:r=\"http://schemas.microsoft.com/rvp/\" xmlns:d=\"DAV:\"><r:message><r:notification-from><r:contact><d:href>http://example.com/instmsg/aliases/bob</d:href><r:description>Name</r:description></r:contact></r:notification-from><r:notification-to><r:contact><d:href>http://example.com/instmsg/aliases/alice</d:href></r:contact></r:notification-to><r:msgbody><r:mime-data>MIME-Version: 1.0&#13;\nContent-Type: text/plain; charset=UTF-8\r\n\r\ntext</r:mime-data></r:msgbody></r:message></r:notification>";
    let expected = Notification::Message(MessageNotification {
        from: Contact::new("http://example.com/instmsg/aliases/bob", "Name"),
        to: vec![Contact {
            href: "http://example.com/instmsg/aliases/alice".into(),
            description: None,
        }],
        mime_data: "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\ntext"
            .into(),
    });
    for body in [prefixed, default_ns, escaped] {
        for config in [strict(), lenient()] {
            assert_eq!(
                XmlBody::decode(body.as_bytes(), &config).unwrap(),
                XmlBody::Notification(expected.clone())
            );
        }
    }
}

#[test]
fn librvp_inbound_presence() {
    let body = "<r:notification xmlns:r=\"http://schemas.microsoft.com/rvp/\" xmlns:d=\"DAV:\"><r:propnotification><r:notification-from><r:contact><d:href>http://example.com/instmsg/aliases/bob</d:href></r:contact></r:notification-from><r:notification-to><r:contact><d:href>http://example.com/instmsg/aliases/alice</d:href></r:contact></r:notification-to><d:propertyupdate><d:set><d:prop><r:state><r:back-soon/></r:state></d:prop></d:set></d:propertyupdate></r:propnotification></r:notification>";
    let Notification::PropNotification(n) =
        Notification::decode(body.as_bytes(), &strict()).unwrap()
    else {
        panic!("not a propnotification");
    };
    assert_eq!(n.from.href, "http://example.com/instmsg/aliases/bob");
    assert_eq!(
        n.update,
        PropertyUpdate::set(vec![Property::State(StateProperty::bare(State::BackSoon))])
    );
}

/// librvp answers `400 Parse Error` to a `propnotification` root ("unexpected doc root").
#[test]
fn propnotification_as_root_is_rejected() {
    let body = "<r:propnotification xmlns:r=\"http://schemas.microsoft.com/rvp/\"/>";
    let err = XmlBody::decode(body.as_bytes(), &lenient()).unwrap_err();
    assert!(matches!(err, XmlError::UnexpectedRoot { .. }), "{err}");
    assert_eq!(err.status(), StatusCode::BAD_REQUEST);
}

/// What librvp needs from its server: an empty SUBSCRIPTIONS list and an empty ACL.
#[test]
fn librvp_accepted_answers() {
    let subs = "<r:subscriptions xmlns:r=\"http://schemas.microsoft.com/rvp/\" />";
    assert_eq!(
        Subscriptions::decode(subs.as_bytes(), &strict()).unwrap(),
        Subscriptions::default()
    );
    let acl = "<a:rvpacl xmlns:a=\"http://schemas.microsoft.com/rvp/acl/\"/>";
    assert_eq!(
        RvpAcl::decode(acl.as_bytes(), &strict()).unwrap(),
        RvpAcl::default()
    );
    assert!(
        Subscriptions::default()
            .to_bytes()
            .starts_with(b"<?xml version=\"1.0\"?><r:subscriptions ")
    );
}

// ---------------------------------------------------------------------------------------
// Miranda (peers.md (e))

#[test]
fn miranda_proppatch_exact_and_our_encoding_matches_it() {
    let body = "<?xml version=\"1.0\"?><d:propertyupdate xmlns:d='DAV:' xmlns:r='http://schemas.microsoft.com/rvp/' xmlns:a='http://schemas.microsoft.com/rvp/acl/'><d:set><d:prop><r:state><r:leased-value><r:value><r:on-phone/></r:value><r:default-value><r:offline/></r:default-value><d:timeout>1200</d:timeout></r:leased-value></r:state></d:prop></d:set></d:propertyupdate>";
    let update = PropertyUpdate::decode(body.as_bytes(), &strict()).unwrap();
    assert_eq!(update, PropertyUpdate::set(vec![leased(State::OnPhone)]));
    // Same bytes apart from the quote style and the final newline.
    let ours = String::from_utf8(update.to_bytes().to_vec()).unwrap();
    assert_eq!(ours, format!("{}\n", body.replace('\'', "\"")));
}

#[test]
fn miranda_notify_and_propfind() {
    let notify = "<r:notification xmlns:d='DAV:' xmlns:r='http://schemas.microsoft.com/rvp/' xmlns:a='http://schemas.microsoft.com/rvp/acl/'><r:message><r:notification-from><r:contact><d:href>http://im.example.com/instmsg/aliases/a</d:href><r:description>A & B</r:description></r:contact></r:notification-from><r:notification-to><r:contact><d:href>http://im.example.com/instmsg/aliases/b</d:href><r:description>B</r:description></r:contact></r:notification-to><r:msgbody><r:mime-data><![CDATA[MIME-Version: 1.0\r\nX-MMS-IM-Format: FN=Tahoma; EF=; CO=0; CS=ee; PF=22\r\n\r\nx]]]]><![CDATA[>y]]></r:mime-data></r:msgbody></r:message></r:notification>";
    // Miranda inserts names without escaping: a bare `&` is not well-formed.
    let err = Notification::decode(notify.as_bytes(), &lenient()).unwrap_err();
    assert!(
        matches!(
            err,
            XmlError::Syntax {
                kind: SyntaxKind::InvalidReference,
                ..
            }
        ),
        "{err}"
    );
    let fixed = notify.replace("A & B", "A &amp; B");
    let Notification::Message(m) = Notification::decode(fixed.as_bytes(), &strict()).unwrap()
    else {
        panic!("not a message");
    };
    assert_eq!(m.from.description.as_deref(), Some("A & B"));
    assert!(m.mime_data.ends_with("\r\n\r\nx]]>y"));

    let find = "<d:propfind xmlns:d='DAV:' xmlns:r='http://schemas.microsoft.com/rvp/'><d:prop><r:state/><r:email/></d:prop></d:propfind>";
    assert_eq!(
        PropFind::decode(find.as_bytes(), &strict()).unwrap(),
        PropFind::Prop(vec![PropName::State, PropName::Email])
    );
}

#[test]
fn miranda_subscriptions_shape() {
    let out = Subscriptions {
        items: vec![SubscriptionEntry {
            id: "7".into(),
            href: None,
            principal: Some("http://im.example.com/instmsg/aliases/b".into()),
            timeout_secs: 14400,
        }],
    }
    .to_bytes();
    let text = std::str::from_utf8(&out).unwrap();
    assert!(text.contains("<r:subscriptions "));
    assert!(text.contains("<r:subscription><r:subscription-id>7</r:subscription-id><a:principal><a:rvp-principal>http://im.example.com/instmsg/aliases/b</a:rvp-principal></a:principal><d:timeout>14400</d:timeout></r:subscription>"));
}
