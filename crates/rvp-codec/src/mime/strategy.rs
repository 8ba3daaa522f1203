//! Proptest strategies for every MIME payload type, for round-trip tests here and at the
//! message level.
//!
//! Every value produced decodes back to itself with [`Config::strict`] (and
//! [`Config::lenient`]), except [`malformed_session_id`] and values built with it
//! ([`lenient_payload`]), which need [`Config::allow_known_typos`].
//!
//! [`Config::strict`]: crate::Config::strict
//! [`Config::lenient`]: crate::Config::lenient
//! [`Config::allow_known_typos`]: crate::Config::allow_known_typos

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::IpAddr;

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

use super::{
    CancelCode, Colour, Effects, Field, FieldValue, FormatExtension, Guid, ImFormat, Invitation,
    InvitationCommand, LeaveNotice, Payload, SessionId, TextMessage, TypingNotice, UnknownPayload,
};

/// Any GUID.
pub(crate) fn guid() -> impl Strategy<Value = Guid> {
    prop_oneof![
        any::<u128>().prop_map(Guid::from_u128),
        Just(Guid::FILE_TRANSFER),
        Just(Guid::NETMEETING),
    ]
}

/// A well-formed `Session-Id`.
pub(crate) fn session_id() -> impl Strategy<Value = SessionId> {
    guid().prop_map(SessionId::Guid)
}

/// A malformed `Session-Id` (decodes only with `allow_known_typos`).
pub(crate) fn malformed_session_id() -> impl Strategy<Value = SessionId> {
    prop_oneof![
        Just("{79FC6B5-1234-1234-8A0-941F33CA4C90}".to_owned()),
        "[0-9A-Fa-f{}-]{0,40}",
        field_text(),
    ]
    .prop_filter("must not be a GUID", |s| Guid::parse(s).is_err())
    .prop_map(|s| SessionId::Malformed(FieldValue::new(s).unwrap()))
}

/// Text that is a valid [`FieldValue`]: printable Unicode and tabs, trimmed.
pub(crate) fn field_text() -> impl Strategy<Value = String> {
    "[\\PC\t]{0,24}".prop_map(|s| s.trim_matches([' ', '\t']).to_owned())
}

/// Any valid [`FieldValue`].
pub(crate) fn field_value() -> impl Strategy<Value = FieldValue> {
    field_text().prop_map(|s| FieldValue::new(s).unwrap())
}

/// An unknown header field: its name starts with `X-` and so never collides with a
/// field the codec interprets.
pub(crate) fn extra_field() -> impl Strategy<Value = Field> {
    ("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}", field_text())
        .prop_map(|(n, v)| Field::new(format!("X-{n}"), v).unwrap())
}

fn extra_fields() -> impl Strategy<Value = Vec<Field>> {
    vec(extra_field(), 0..4)
}

/// Any set of effects.
pub(crate) fn effects() -> impl Strategy<Value = Effects> {
    (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(b, i, u, s)| {
        let mut e = Effects::NONE;
        for (on, x) in [
            (b, Effects::BOLD),
            (i, Effects::ITALIC),
            (u, Effects::UNDERLINE),
            (s, Effects::STRIKETHROUGH),
        ] {
            if on {
                e |= x;
            }
        }
        e
    })
}

/// Any `X-MMS-IM-Format`, with an arbitrary (even control-character) font name.
pub(crate) fn im_format() -> impl Strategy<Value = ImFormat> {
    (
        any::<String>(),
        effects(),
        any::<[u8; 3]>(),
        any::<u8>(),
        any::<u8>(),
        any::<bool>(),
        vec(
            ("X[A-Za-z0-9-]{0,6}", "[a-zA-Z0-9 %=.]{0,10}")
                .prop_map(|(k, v)| FormatExtension::new(k, v.trim_matches(' ')).unwrap()),
            0..3,
        ),
    )
        .prop_map(
            |(font, effects, [r, g, b], charset, pitch_family, rtl, extensions)| {
                let mut f = ImFormat::new(font);
                f.effects = effects;
                f.colour = Colour::rgb(r, g, b);
                f.charset = charset;
                f.pitch_family = pitch_family;
                f.right_to_left = rtl;
                f.extensions = extensions;
                f
            },
        )
}

/// Any text message, with an arbitrary Unicode body (CR, LF and all).
pub(crate) fn text_message() -> impl Strategy<Value = TextMessage> {
    (
        option::of(im_format()),
        option::of(session_id()),
        extra_fields(),
        any::<String>(),
    )
        .prop_map(|(format, session_id, extra_headers, body)| {
            let mut m = TextMessage::new(body);
            m.format = format;
            m.session_id = session_id;
            m.extra_headers = extra_headers;
            m
        })
}

/// Any typing notice.
pub(crate) fn typing_notice() -> impl Strategy<Value = TypingNotice> {
    (
        option::of(field_value()),
        option::of(session_id()),
        extra_fields(),
    )
        .prop_map(|(typing_user, session_id, extra_headers)| TypingNotice {
            typing_user,
            session_id,
            extra_headers,
        })
}

/// Any leave notice.
pub(crate) fn leave_notice() -> impl Strategy<Value = LeaveNotice> {
    (option::of(session_id()), extra_fields()).prop_map(|(session_id, extra_headers)| LeaveNotice {
        session_id,
        extra_headers,
    })
}

/// Any cancel code.
pub(crate) fn cancel_code() -> impl Strategy<Value = CancelCode> {
    prop_oneof![
        Just(CancelCode::Reject),
        Just(CancelCode::Timeout),
        "[A-Z_]{1,20}".prop_map(|s| CancelCode::new(&s).unwrap()),
    ]
}

/// Any invitation, with every optional field present or not.
pub(crate) fn invitation() -> impl Strategy<Value = Invitation> {
    let command = prop_oneof![
        Just(InvitationCommand::Invite),
        Just(InvitationCommand::Accept),
        Just(InvitationCommand::Cancel),
    ];
    (
        (
            option::of(session_id()),
            extra_fields(),
            command,
            any::<u32>(),
        ),
        (
            option::of(field_value()),
            option::of(guid()),
            option::of(field_value()),
            option::of(any::<u64>()),
            option::of(any::<IpAddr>()),
            option::of(any::<u16>()),
        ),
        (
            option::of(any::<u32>()),
            option::of(any::<bool>()),
            option::of(field_value()),
            option::of(cancel_code()),
            extra_fields(),
        ),
    )
        .prop_map(
            |(
                (session_id, extra_headers, command, cookie),
                (name, app_guid, file, size, ip, port),
                (auth, launch, request, cancel, extra_fields),
            )| {
                let mut inv = Invitation::new(command, cookie);
                inv.session_id = session_id;
                inv.extra_headers = extra_headers;
                inv.application_name = name;
                inv.application_guid = app_guid;
                inv.application_file = file;
                inv.application_file_size = size;
                inv.ip_address = ip;
                inv.port = port;
                inv.auth_cookie = auth;
                inv.launch_application = launch;
                inv.request_data = request;
                inv.cancel_code = cancel;
                inv.extra_fields = extra_fields;
                inv
            },
        )
}

/// Any payload of an unknown content type, with a raw binary body.
pub(crate) fn unknown_payload() -> impl Strategy<Value = UnknownPayload> {
    (
        "(application|x-[a-z]{1,6}|image)/[a-z0-9.+-]{1,12}(; [a-z]{1,6}=[A-Za-z0-9-]{1,8}){0,2}",
        vec(extra_field(), 0..4),
        vec(any::<u8>(), 0..64),
    )
        .prop_map(|(ct, headers, body)| {
            let mut u = UnknownPayload::new(FieldValue::new(ct).unwrap(), body);
            u.headers = headers;
            u
        })
}

/// Any payload that decodes back to itself in strict mode.
pub(crate) fn payload() -> impl Strategy<Value = Payload> {
    prop_oneof![
        text_message().prop_map(Payload::Text),
        typing_notice().prop_map(Payload::Typing),
        invitation().prop_map(Payload::Invitation),
        leave_notice().prop_map(Payload::Leave),
        unknown_payload().prop_map(Payload::Unknown),
    ]
}

/// Payloads whose `Session-Id` is malformed: they decode back to themselves only with
/// `allow_known_typos`.
pub(crate) fn lenient_payload() -> impl Strategy<Value = Payload> {
    prop_oneof![
        (text_message(), malformed_session_id()).prop_map(|(mut m, id)| {
            m.session_id = Some(id);
            Payload::Text(m)
        }),
        (typing_notice(), malformed_session_id()).prop_map(|(mut t, id)| {
            t.session_id = Some(id);
            Payload::Typing(t)
        }),
        (invitation(), malformed_session_id()).prop_map(|(mut i, id)| {
            i.session_id = Some(id);
            Payload::Invitation(i)
        }),
        malformed_session_id().prop_map(|id| Payload::Leave(LeaveNotice::new(id))),
    ]
}
