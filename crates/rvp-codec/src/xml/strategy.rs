//! Proptest strategies for the XML types, for round-trip tests here and at the message
//! level.
//!
//! They generate *canonical* values: text without characters XML 1.0 cannot carry,
//! tokens (hrefs, ids, principals) without surrounding whitespace and not empty, free
//! text without surrounding whitespace (so lenient trimming is a no-op), propstat values
//! whose text is not empty. For such values `decode(encode(v)) == v` holds with
//! [`Config::lenient`](crate::Config::lenient) and with the strict configuration plus
//! `allow_extended_states` (the strategies generate `idle`, `invisible` and extension
//! states).

use http::StatusCode;
use proptest::prelude::*;

use super::reader::{is_xml_char, trim_xml};
use super::*;

/// Arbitrary representable text, dense in `<`, `&`, `]]>`, quotes and line ends.
pub(crate) fn raw_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[<>&\"' \r\n\t\\]a-z\u{e4}\u{20ac}\u{1F600}]{0,24}",
        Just("]]>".to_owned()),
        Just("a]]>b]]]>c".to_owned()),
    ]
    .prop_map(|s| s.chars().filter(|&c| is_xml_char(c)).collect())
}

/// Free text without surrounding XML whitespace (possibly empty).
pub(crate) fn text() -> impl Strategy<Value = String> {
    raw_text().prop_map(|s| trim_xml(&s).to_owned())
}

/// A non-empty token without surrounding whitespace.
pub(crate) fn token() -> impl Strategy<Value = String> {
    text().prop_filter("non-empty", |s| !s.is_empty())
}

/// A principal URL.
pub(crate) fn url() -> impl Strategy<Value = String> {
    "[a-z]{1,10}(\\.[a-z]{2,5}){0,2}(:[0-9]{2,5})?/instmsg/aliases/[a-zA-Z0-9_.-]{1,12}"
        .prop_map(|s| format!("http://{s}"))
}

/// Any state, extensions included.
pub(crate) fn state() -> impl Strategy<Value = State> {
    prop_oneof![
        Just(State::Online),
        Just(State::Offline),
        Just(State::Away),
        Just(State::Busy),
        Just(State::BackSoon),
        Just(State::OnPhone),
        Just(State::AtLunch),
        Just(State::Idle),
        Just(State::Invisible),
        "[a-z][a-z0-9-]{0,10}".prop_filter_map("state name", |s| State::parse(&s)),
    ]
}

/// A `state` property, bare or leased, with or without a view id.
pub(crate) fn state_property() -> impl Strategy<Value = StateProperty> {
    let value = prop_oneof![
        state().prop_map(StateValue::Bare),
        (state(), state(), any::<u32>()).prop_map(|(value, default_value, timeout_secs)| {
            StateValue::Leased(LeasedValue {
                value,
                default_value,
                timeout_secs,
            })
        }),
    ];
    (value, proptest::option::of(token()))
        .prop_map(|(value, view_id)| StateProperty { value, view_id })
}

/// A name for an unknown property.
pub(crate) fn xml_name() -> impl Strategy<Value = XmlName> {
    let ns = prop_oneof![
        Just(String::new()),
        Just("urn:example:x".to_owned()),
        Just("http://example.com/ns?a=1&b=\"2\"".to_owned()),
        Just(DAV_NS.to_owned()),
        Just(RVP_NS.to_owned()),
        Just(ACL_NS.to_owned()),
    ];
    (ns, "[a-zA-Z_][a-zA-Z0-9._-]{0,10}").prop_filter_map("not a known property", |(ns, local)| {
        XmlName::new(ns, local).ok()
    })
}

/// Escaped text or a small element as unknown property content (possibly empty).
fn raw_fragment() -> impl Strategy<Value = String> {
    fn escaped() -> impl Strategy<Value = String> {
        raw_text().prop_map(|s| {
            let mut out = Vec::new();
            writer::escape(&mut out, &s, false);
            String::from_utf8(out).unwrap_or_default()
        })
    }
    prop_oneof![
        escaped(),
        escaped().prop_map(|s| format!("<r:x a=\"1\">{s}</r:x><d:y/>")),
        Just("<w xmlns=\"urn:w\"><v>1</v></w>".to_owned()),
    ]
}

/// An unknown property.
pub(crate) fn unknown_property() -> impl Strategy<Value = UnknownProperty> {
    (xml_name(), raw_fragment()).prop_filter_map("well-formed", |(name, raw)| {
        UnknownProperty::new(name, raw).ok()
    })
}

/// A property with a value (empty text allowed).
pub(crate) fn property() -> impl Strategy<Value = Property> {
    prop_oneof![
        state_property().prop_map(Property::State),
        text().prop_map(Property::DisplayName),
        text().prop_map(Property::Email),
        any::<bool>().prop_map(Property::MobileState),
        text().prop_map(Property::MobileDescription),
        unknown_property().prop_map(Property::Unknown),
    ]
}

/// A property name.
pub(crate) fn prop_name() -> impl Strategy<Value = PropName> {
    prop_oneof![
        Just(PropName::State),
        Just(PropName::DisplayName),
        Just(PropName::Email),
        Just(PropName::MobileState),
        Just(PropName::MobileDescription),
        xml_name().prop_map(PropName::Unknown),
    ]
}

/// A `propfind` body.
pub(crate) fn propfind() -> impl Strategy<Value = PropFind> {
    prop_oneof![
        proptest::collection::vec(prop_name(), 0..5).prop_map(PropFind::Prop),
        Just(PropFind::AllProp),
        Just(PropFind::PropName),
    ]
}

/// A `propertyupdate` body.
pub(crate) fn property_update() -> impl Strategy<Value = PropertyUpdate> {
    let op = prop_oneof![
        proptest::collection::vec(property(), 0..4).prop_map(UpdateOp::Set),
        proptest::collection::vec(prop_name(), 0..4).prop_map(UpdateOp::Remove),
    ];
    proptest::collection::vec(op, 0..3).prop_map(|ops| PropertyUpdate { ops })
}

/// A status line.
pub(crate) fn prop_status() -> impl Strategy<Value = PropStatus> {
    (100u16..1000, text()).prop_filter_map("status code", |(code, reason)| {
        Some(PropStatus {
            code: StatusCode::from_u16(code).ok()?,
            reason,
        })
    })
}

/// A `multistatus` body.
pub(crate) fn multistatus() -> impl Strategy<Value = MultiStatus> {
    let entry = prop_oneof![
        property()
            .prop_filter("written with content", |p| match p {
                Property::DisplayName(s) | Property::Email(s) | Property::MobileDescription(s) => {
                    !s.is_empty()
                }
                Property::Unknown(u) => !u.raw().is_empty(),
                _ => true,
            })
            .prop_map(PropEntry::Value),
        prop_name().prop_map(PropEntry::Name),
    ];
    let propstat = (proptest::collection::vec(entry, 0..4), prop_status())
        .prop_map(|(props, status)| PropStat { props, status });
    let response = (token(), proptest::collection::vec(propstat, 0..3))
        .prop_map(|(href, propstats)| StatusResponse { href, propstats });
    proptest::collection::vec(response, 0..3).prop_map(|responses| MultiStatus { responses })
}

/// A contact.
pub(crate) fn contact() -> impl Strategy<Value = Contact> {
    (token(), proptest::option::of(text()))
        .prop_map(|(href, description)| Contact { href, description })
}

/// Foreign notification content.
pub(crate) fn foreign() -> impl Strategy<Value = ForeignXml> {
    (text(), "[ \n]{0,3}").prop_filter_map("well-formed", |(comment, ws)| {
        let mut escaped = Vec::new();
        writer::escape(&mut escaped, &comment, false);
        let comment = String::from_utf8(escaped).ok()?;
        ForeignXml::new(format!(
            "{ws}<mEvent><eventType>DELIVERY</eventType><eventComment>{comment}</eventComment></mEvent>{ws}<manifest/>{ws}"
        ))
        .ok()
    })
}

/// A `notification` body.
pub(crate) fn notification() -> impl Strategy<Value = Notification> {
    let to = || proptest::collection::vec(contact(), 0..4);
    prop_oneof![
        (contact(), to(), raw_text()).prop_map(|(from, to, mime_data)| {
            Notification::Message(MessageNotification {
                from,
                to,
                mime_data,
            })
        }),
        (contact(), to(), property_update()).prop_map(|(from, to, update)| {
            Notification::PropNotification(PropNotification { from, to, update })
        }),
        foreign().prop_map(Notification::Foreign),
    ]
}

/// A `subscriptions` body.
pub(crate) fn subscriptions() -> impl Strategy<Value = Subscriptions> {
    let entry = (
        token(),
        proptest::option::of(token()),
        proptest::option::of(url()),
        any::<u32>(),
    )
        .prop_map(|(id, href, principal, timeout_secs)| SubscriptionEntry {
            id,
            href,
            principal,
            timeout_secs,
        });
    proptest::collection::vec(entry, 0..4).prop_map(|items| Subscriptions { items })
}

fn rights() -> impl Strategy<Value = Rights> {
    proptest::collection::vec(
        proptest::sample::select(vec![
            Rights::READ,
            Rights::WRITE,
            Rights::READ_ACL,
            Rights::WRITE_ACL,
            Rights::ALL,
            Rights::SEND_TO,
            Rights::PRESENCE,
            Rights::LIST,
            Rights::RECEIVE_FROM,
            Rights::SUBSCRIPTIONS,
            Rights::SUBSCRIBE_OTHERS,
        ]),
        0..6,
    )
    .prop_map(|flags| flags.into_iter().fold(Rights::empty(), |a, b| a | b))
}

fn credentials() -> impl Strategy<Value = Credentials> {
    proptest::collection::vec(
        proptest::sample::select(vec![
            Credentials::NTLM,
            Credentials::DIGEST,
            Credentials::ASSERTION,
            Credentials::INTERNAL,
            Credentials::ANY,
        ]),
        1..4,
    )
    .prop_map(|flags| flags.into_iter().fold(Credentials::empty(), |a, b| a | b))
}

/// An `rvpacl` body.
pub(crate) fn rvp_acl() -> impl Strategy<Value = RvpAcl> {
    let principal = prop_oneof![
        url().prop_map(AcePrincipal::Url),
        Just(AcePrincipal::AllPrincipals),
    ];
    let ace = (principal, credentials(), rights(), rights()).prop_map(
        |(principal, credentials, grant, deny)| Ace {
            principal,
            credentials,
            grant,
            deny,
        },
    );
    let acl = (
        proptest::option::of(text()),
        proptest::collection::vec(ace, 0..4),
    )
        .prop_map(|(inheritance, aces)| Acl { inheritance, aces });
    proptest::option::of(acl).prop_map(|acl| RvpAcl { acl })
}

/// Any body.
pub(crate) fn xml_body() -> impl Strategy<Value = XmlBody> {
    prop_oneof![
        propfind().prop_map(XmlBody::PropFind),
        property_update().prop_map(XmlBody::PropertyUpdate),
        multistatus().prop_map(XmlBody::MultiStatus),
        notification().prop_map(XmlBody::Notification),
        subscriptions().prop_map(XmlBody::Subscriptions),
        rvp_acl().prop_map(XmlBody::RvpAcl),
    ]
}
