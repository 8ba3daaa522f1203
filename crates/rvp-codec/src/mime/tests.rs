//! Payload-level tests: real peers' exact bytes, the draft's examples and errata in
//! strict and lenient mode, errors, and property-based round trips.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{IpAddr, Ipv4Addr};

use http::StatusCode;
use proptest::prelude::*;

use super::strategy;
use super::*;
use crate::Config;

const GUID_LIBRVP: Guid = Guid::from_u128(0x9BCA3DAF_70A2_7372_6CA5_2A6002C7D16F);
const GUID_DRAFT: Guid = Guid::from_u128(0x79FC61B5_1234_1234_8A10_941F33CA4C90);

fn strict(b: &[u8]) -> Result<Payload, MimeError> {
    Payload::decode(b, &Config::strict())
}

fn lenient(b: &[u8]) -> Result<Payload, MimeError> {
    Payload::decode(b, &Config::lenient())
}

/// Decodes in both modes, checks they agree, and that the canonical re-encoding
/// decodes to the same value.
fn both(b: &[u8]) -> Payload {
    let s = strict(b).unwrap();
    assert_eq!(lenient(b).unwrap(), s);
    assert_eq!(strict(&s.to_bytes()).unwrap(), s);
    s
}

fn text(p: Payload) -> TextMessage {
    match p {
        Payload::Text(t) => t,
        other => panic!("not text: {other:?}"),
    }
}

fn typing(p: Payload) -> TypingNotice {
    match p {
        Payload::Typing(t) => t,
        other => panic!("not typing: {other:?}"),
    }
}

fn invitation(p: Payload) -> Invitation {
    match p {
        Payload::Invitation(t) => t,
        other => panic!("not an invitation: {other:?}"),
    }
}

fn fv(s: &str) -> FieldValue {
    FieldValue::new(s).unwrap()
}

// ---------------------------------------------------------------------------------
// librvp (librvp-observed.md, "Instant messages and typing")

const LIBRVP_TEXT: &[u8] = b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\
X-MMS-IM-Format: FN=MS%%20Shell%%20Dlg; EF=; CO=0; CS=0; PF=0\r\n\
Session-Id: {9BCA3DAF-70A2-7372-6CA5-2A6002C7D16F}\r\n\r\n\
Hello Bob <b>bold</b> & \"quotes\" \xc3\x83\xc2\xa4\xc3\x83\xc2\xb6\xc3\x83\xc2\xbc";

#[test]
fn librvp_outbound_text() {
    let m = text(both(LIBRVP_TEXT));
    let f = m.format.clone().unwrap();
    assert_eq!(f.font, "MS Shell Dlg");
    assert_eq!(
        (f.effects, f.colour, f.charset, f.pitch_family),
        (Effects::NONE, Colour::BLACK, 0, 0)
    );
    assert_eq!(m.session_id, Some(SessionId::Guid(GUID_LIBRVP)));
    // Markup and librvp's double-encoded UTF-8 are kept as they are.
    assert_eq!(m.body, "Hello Bob <b>bold</b> & \"quotes\" Ã¤Ã¶Ã¼");
    assert!(m.extra_headers.is_empty());
    // The canonical form differs only in the single-escaped font name.
    let canonical = Payload::Text(m).to_bytes();
    let expected = String::from_utf8(LIBRVP_TEXT.to_vec())
        .unwrap()
        .replace("%%", "%");
    assert_eq!(canonical, expected.as_bytes());
}

#[test]
fn librvp_accepted_inbound_text() {
    let wire = b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\
X-MMS-IM-Format: FN=MS%20Shell%20Dlg; EF=; CO=0; CS=0; PF=0\r\n\
Session-Id: {9BCA3DAF-70A2-7372-6CA5-2A6002C7D16F}\r\n\r\ntext";
    let p = both(wire);
    assert_eq!(p.to_bytes(), wire);
    assert_eq!(text(p).body, "text");
}

#[test]
fn librvp_typing_with_and_without_user() {
    let wire = b"MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol; charset=UTF-8\r\n\
TypingUser: alice@example.com\r\nSession-Id: {9BCA3DAF-70A2-7372-6CA5-2A6002C7D16F}\r\n\r\n";
    let t = typing(both(wire));
    assert_eq!(t.typing_user, Some(fv("alice@example.com")));
    assert_eq!(t.session_id, Some(GUID_LIBRVP.into()));

    let wire = b"MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol; charset=UTF-8\r\n\
Session-Id: {9BCA3DAF-70A2-7372-6CA5-2A6002C7D16F}\r\n\r\n";
    let t = typing(both(wire));
    assert_eq!(t.typing_user, None);
    assert_eq!(t.session_id, Some(GUID_LIBRVP.into()));
}

#[test]
fn librvp_lower_case_names() {
    let wire = b"mime-version: 1.0\r\ncontent-type: text/x-msmsgscontrol\r\n\
typinguser: bob@example.com\r\nsession-id: {9bca3daf-70a2-7372-6ca5-2a6002c7d16f}\r\n\r\n";
    let t = typing(both(wire));
    assert_eq!(t.typing_user, Some(fv("bob@example.com")));
    assert_eq!(t.session_id, Some(GUID_LIBRVP.into()));
}

#[test]
fn librvp_leave() {
    let wire = b"MIME-Version: 1.0\r\nContent-Type: text/x-imleave; charset=UTF-8\r\n\
Session-Id: {9BCA3DAF-70A2-7372-6CA5-2A6002C7D16F}\r\n\r\n";
    let p = both(wire);
    assert_eq!(p, Payload::Leave(LeaveNotice::new(GUID_LIBRVP.into())));
    assert_eq!(p.to_bytes(), wire);
}

// ---------------------------------------------------------------------------------
// Miranda / Windows Messenger (peers.md (e))

const MIRANDA_TEXT: &[u8] = b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\
X-MMS-IM-Format: FN=Tahoma; EF=; CO=0; CS=ee; PF=22\r\n\
Session-Id: {9BCA3DAF-70A2-7372-6CA5-2A6002C7D16F}\r\n\r\nHi \xe2\x82\xac";

#[test]
fn miranda_text() {
    let p = both(MIRANDA_TEXT);
    assert_eq!(p.to_bytes(), MIRANDA_TEXT);
    let m = text(p);
    let f = m.format.unwrap();
    assert_eq!(
        (f.font.as_str(), f.charset, f.pitch_family),
        ("Tahoma", 0xee, 0x22)
    );
    assert_eq!(m.body, "Hi €");
}

#[test]
fn miranda_typing() {
    let wire = b"MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol\r\n\
TypingUser: bob@example.com\r\nSession-Id: {9BCA3DAF-70A2-7372-6CA5-2A6002C7D16F}\r\n\r\n";
    let p = both(wire);
    assert_eq!(p.to_bytes(), wire);
    assert_eq!(typing(p).typing_user, Some(fv("bob@example.com")));
}

#[test]
fn bare_lf_payload_needs_allow_bare_lf() {
    let wire = String::from_utf8(MIRANDA_TEXT.to_vec())
        .unwrap()
        .replace("\r\n", "\n");
    assert_eq!(
        strict(wire.as_bytes()).unwrap_err(),
        MimeError::BareLf { line: 1 }
    );
    let mut config = Config::strict();
    config.allow_bare_lf = true;
    let p = Payload::decode(wire.as_bytes(), &config).unwrap();
    assert_eq!(p, strict(MIRANDA_TEXT).unwrap());
}

const FT_INVITE: &[u8] =
    b"MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsinvite; charset=UTF-8\r\n\
Session-Id: {9BCA3DAF-70A2-7372-6CA5-2A6002C7D16F}\r\n\r\n\
Application-Name: File Transfer\r\n\
Application-GUID: {5D3E02AB-6190-11d3-BBBB-00C04F795683}\r\n\
Invitation-Command: INVITE\r\nInvitation-Cookie: 2084931\r\n\
Application-File: notes \xc3\xbc.txt\r\nApplication-FileSize: 1234\r\n\
Connectivity: N\r\n\r\n";

#[test]
fn file_transfer_invite() {
    let p = both(FT_INVITE);
    assert_eq!(p.to_bytes(), FT_INVITE);
    let i = invitation(p);
    assert_eq!(i.session_id, Some(GUID_LIBRVP.into()));
    assert_eq!(i.application_name, Some(fv("File Transfer")));
    assert_eq!(i.application_guid, Some(Guid::FILE_TRANSFER));
    assert_eq!(i.command, InvitationCommand::Invite);
    assert_eq!(i.cookie, 2_084_931);
    assert_eq!(i.application_file, Some(fv("notes ü.txt")));
    assert_eq!(i.application_file_size, Some(1234));
    assert_eq!(i.extra_fields, [Field::new("Connectivity", "N").unwrap()]);
}

#[test]
fn file_transfer_accept_and_cancel() {
    let receiver = b"MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsinvite; charset=UTF-8\r\n\r\n\
Invitation-Command: ACCEPT\r\nInvitation-Cookie: 7\r\nLaunch-Application: FALSE\r\n\
Request-Data: IP-Address:\r\n\r\n";
    let i = invitation(both(receiver));
    assert_eq!(i.command, InvitationCommand::Accept);
    assert_eq!(i.launch_application, Some(false));
    assert_eq!(i.request_data, Some(fv("IP-Address:")));
    assert_eq!(Payload::Invitation(i).to_bytes(), receiver);

    let sender = b"MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsinvite; charset=UTF-8\r\n\r\n\
Invitation-Command: ACCEPT\r\nInvitation-Cookie: 7\r\nIP-Address: 192.0.2.1\r\nPort: 6891\r\n\
AuthCookie: 4294967295\r\nSender-Connect: TRUE\r\n\r\n";
    let i = invitation(both(sender));
    assert_eq!(i.ip_address, Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1))));
    assert_eq!(i.port, Some(6891));
    assert_eq!(i.auth_cookie, Some(u32::MAX));
    assert_eq!(
        i.extra_fields,
        [Field::new("Sender-Connect", "TRUE").unwrap()]
    );

    for (code, expected) in [
        ("REJECT", CancelCode::Reject),
        ("TIMEOUT", CancelCode::Timeout),
        ("FTTIMEOUT", CancelCode::new("FTTIMEOUT").unwrap()),
    ] {
        let wire = format!(
            "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsinvite; charset=UTF-8\r\n\r\n\
Invitation-Command: CANCEL\r\nInvitation-Cookie: 7\r\nCancel-Code: {code}\r\n\r\n"
        );
        let i = invitation(both(wire.as_bytes()));
        assert_eq!(i.command, InvitationCommand::Cancel);
        assert_eq!(i.cancel_code, Some(expected));
        assert_eq!(Payload::Invitation(i).to_bytes(), wire.as_bytes());
    }
}

#[test]
fn unknown_content_type_preserved() {
    let wire = b"MIME-Version: 1.0\r\nContent-Type: text/x-clientcaps; a=\"b c\"\r\n\
Session-Id: {x}\r\nX-Other: 1\r\n\r\nClient-Name: Foo\r\n\x00\xff";
    let p = both(wire);
    assert_eq!(p.to_bytes(), wire);
    let Payload::Unknown(u) = p else { panic!() };
    assert_eq!(u.media_type(), "text/x-clientcaps");
    assert_eq!(u.content_type, "text/x-clientcaps; a=\"b c\"");
    assert_eq!(
        u.headers,
        [
            Field::new("Session-Id", "{x}").unwrap(),
            Field::new("X-Other", "1").unwrap()
        ]
    );
    assert_eq!(u.body, b"Client-Name: Foo\r\n\x00\xff");
}

// ---------------------------------------------------------------------------------
// The draft's examples (section 11, and 6.6.1), line wrapping undone, with the draft's
// indentation, LF line ends and CDATA boundaries; and each erratum on its own.

const DRAFT_11_1: &str = "
   MIME-Version: 1.0
   Content-Type: text/plain; charset=UTF-8
   X-MMS-IM-Format: FN=Microsoft%20Sans%20Serif; EF=; CO=0; CS=0; PF=22
   Session-Id: {79FC61B5-1234-1234-8A10-941F33CA4C90}

   Lets have lunch";

const DRAFT_11_2: &str = "
   MIME-Version 1.0
   Content-Type: text/x-msmsscontrol
   TypingUser: bruceb@example.com
   Session-Id: {79FC6B5-1234-1234-8A0-941F33CA4C90}

   ";

const DRAFT_11_3: &str = "
   MIME-Version: 1.0
   Content-Type: text/x-msmsgsinvite;.charset=UTF-8
   Session-Id: {79FC61B5-1234-1234-8A10-941F33CA4C90}

   Application-Name: NetMeeting.3.01
   Application-GUID: {44BBA842-CC51-11CF-AAFA-00AA00B6015C}
   Invitation-Command: INVITE
   Invitation-Cookie: 3


   ";

const DRAFT_6_6_1: &str = "MIME-Version: 1.0
                                Content-Type: text/plain; charset=UTF-8
                                X-MMS-IM-Format: FN=Microsoft%20Sans%20Serif; EF=; CO=0; CS=0; PF=22
                                Session-Id: {79FC61B5-1234-1234-8A10-941F33CA4C90}

                                LetÆs have lunch
                                ";

fn draft_format() -> ImFormat {
    let mut f = ImFormat::new("Microsoft Sans Serif");
    f.pitch_family = 0x22;
    f
}

#[test]
fn draft_11_1_text() {
    assert_eq!(
        strict(DRAFT_11_1.as_bytes()).unwrap_err(),
        MimeError::LeadingWhitespace { line: 1 }
    );
    let m = text(lenient(DRAFT_11_1.as_bytes()).unwrap());
    assert_eq!(m.format, Some(draft_format()));
    assert_eq!(m.session_id, Some(GUID_DRAFT.into()));
    assert_eq!(m.body, "Lets have lunch");
}

#[test]
fn draft_6_6_1_indented_text() {
    // Erratum 8: the CDATA starts with the first header, then every line is indented.
    assert_eq!(
        strict(DRAFT_6_6_1.as_bytes()).unwrap_err(),
        MimeError::BareLf { line: 1 }
    );
    let crlf = DRAFT_6_6_1.replace('\n', "\r\n");
    assert_eq!(
        strict(crlf.as_bytes()).unwrap_err(),
        MimeError::Folded { line: 2 }
    );
    let mut config = Config::lenient();
    config.relaxed_head_syntax = false;
    let m = text(Payload::decode(DRAFT_6_6_1.as_bytes(), &config).unwrap());
    assert_eq!(m.format, Some(draft_format()));
    assert_eq!(m.session_id, Some(GUID_DRAFT.into()));
    assert_eq!(m.body, "LetÆs have lunch");
    assert_eq!(text(lenient(DRAFT_6_6_1.as_bytes()).unwrap()), m);
}

#[test]
fn draft_6_6_1_wrapped_lines_are_rejected() {
    let wrapped = "MIME-Version: 1.0
                                Content-Type: text/plain;
                                charset=UTF-8
                                X-MMS-IM-Format:
                                FN=Microsoft%20Sans%20Serif; EF=;
                                CO=0; CS=0; PF=22
                                Session-Id: {79FC61B5-1234-1234-
                                8A10-941F33CA4C90}

                                LetÆs have lunch
                                ";
    let crlf = wrapped.replace('\n', "\r\n");
    assert_eq!(
        strict(crlf.as_bytes()).unwrap_err(),
        MimeError::Folded { line: 2 }
    );
    assert_eq!(
        lenient(wrapped.as_bytes()).unwrap_err(),
        MimeError::MissingColon { line: 3 }
    );
}

#[test]
fn draft_11_2_typing() {
    assert_eq!(
        strict(DRAFT_11_2.as_bytes()).unwrap_err(),
        MimeError::LeadingWhitespace { line: 1 }
    );
    let t = typing(lenient(DRAFT_11_2.as_bytes()).unwrap());
    assert_eq!(t.typing_user, Some(fv("bruceb@example.com")));
    assert_eq!(
        t.session_id,
        Some(SessionId::Malformed(fv(
            "{79FC6B5-1234-1234-8A0-941F33CA4C90}"
        )))
    );
    assert!(t.extra_headers.is_empty());
    // The malformed id is echoed back verbatim.
    let out = Payload::Typing(t.clone()).to_bytes();
    assert!(out.ends_with(b"Session-Id: {79FC6B5-1234-1234-8A0-941F33CA4C90}\r\n\r\n"));
    assert_eq!(lenient(&out).unwrap(), Payload::Typing(t));
    assert_eq!(
        strict(&out).unwrap_err(),
        MimeError::InvalidValue {
            name: "Session-Id",
            line: 4
        }
    );
}

#[test]
fn draft_11_3_invitation() {
    assert_eq!(
        strict(DRAFT_11_3.as_bytes()).unwrap_err(),
        MimeError::LeadingWhitespace { line: 1 }
    );
    let i = invitation(lenient(DRAFT_11_3.as_bytes()).unwrap());
    assert_eq!(i.session_id, Some(GUID_DRAFT.into()));
    assert_eq!(i.application_name, Some(fv("NetMeeting.3.01")));
    assert_eq!(i.application_guid, Some(Guid::NETMEETING));
    assert_eq!(i.command, InvitationCommand::Invite);
    assert_eq!(i.cookie, 3);
    assert!(i.extra_fields.is_empty() && i.extra_headers.is_empty());
    let out = Payload::Invitation(i.clone()).to_bytes();
    assert_eq!(
        out,
        b"MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsinvite; charset=UTF-8\r\n\
Session-Id: {79FC61B5-1234-1234-8A10-941F33CA4C90}\r\n\r\n\
Application-Name: NetMeeting.3.01\r\nApplication-GUID: {44BBA842-CC51-11CF-AAFA-00AA00B6015C}\r\n\
Invitation-Command: INVITE\r\nInvitation-Cookie: 3\r\n\r\n"
    );
    assert_eq!(strict(&out).unwrap(), Payload::Invitation(i));
}

#[test]
fn draft_examples_with_the_drafts_trailing_spaces() {
    // Every line of the draft's text ends with a space; a line holding only the
    // indentation is blank, and header values lose their trailing whitespace.
    for example in [DRAFT_11_1, DRAFT_11_2, DRAFT_11_3, DRAFT_6_6_1] {
        let padded = example.replace('\n', " \n");
        assert_eq!(
            lenient(padded.as_bytes()).unwrap(),
            lenient(example.as_bytes()).unwrap(),
            "{padded:?}"
        );
        let crlf = example.replace('\n', "\r\n");
        assert_eq!(
            lenient(crlf.as_bytes()).unwrap(),
            lenient(example.as_bytes()).unwrap()
        );
    }
}

/// The canonical CRLF payload with one substitution, for testing one erratum alone.
fn with(from: &str, to: &str, base: &[u8]) -> Vec<u8> {
    let s = String::from_utf8(base.to_vec()).unwrap();
    assert!(s.contains(from), "{from:?}");
    s.replacen(from, to, 1).into_bytes()
}

#[test]
fn erratum_13_mime_version_without_colon() {
    let wire = with("MIME-Version: 1.0", "MIME-Version 1.0", MIRANDA_TEXT);
    assert_eq!(
        strict(&wire).unwrap_err(),
        MimeError::MissingColon { line: 1 }
    );
    assert_eq!(lenient(&wire).unwrap(), strict(MIRANDA_TEXT).unwrap());
}

#[test]
fn erratum_13_control_typo() {
    let base = b"MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol\r\n\
TypingUser: bruceb@example.com\r\nSession-Id: {79FC61B5-1234-1234-8A10-941F33CA4C90}\r\n\r\n";
    let wire = with("x-msmsgscontrol", "x-msmsscontrol", base);
    // Strict: a well-formed, unknown content type: preserved, not typed.
    let Payload::Unknown(u) = strict(&wire).unwrap() else {
        panic!()
    };
    assert_eq!(u.content_type, "text/x-msmsscontrol");
    assert_eq!(u.headers.len(), 2);
    assert_eq!(lenient(&wire).unwrap(), strict(base).unwrap());
}

#[test]
fn erratum_13_malformed_session_id() {
    let wire = with(
        "{9BCA3DAF-70A2-7372-6CA5-2A6002C7D16F}",
        "{79FC6B5-1234-1234-8A0-941F33CA4C90}",
        MIRANDA_TEXT,
    );
    assert_eq!(
        strict(&wire).unwrap_err(),
        MimeError::InvalidValue {
            name: "Session-Id",
            line: 4
        }
    );
    let m = text(lenient(&wire).unwrap());
    assert_eq!(
        m.session_id.as_ref().map(SessionId::to_string).as_deref(),
        Some("{79FC6B5-1234-1234-8A0-941F33CA4C90}")
    );
    assert_eq!(m.session_id.and_then(|s| s.guid()), None);
}

#[test]
fn erratum_14_dot_before_charset() {
    let wire = with("; charset=UTF-8", ";.charset=UTF-8", FT_INVITE);
    assert_eq!(
        strict(&wire).unwrap_err(),
        MimeError::UnexpectedParameter {
            parameter: ".charset".into(),
            line: 2
        }
    );
    assert_eq!(lenient(&wire).unwrap(), strict(FT_INVITE).unwrap());
}

#[test]
fn erratum_15_leading_newline() {
    let mut wire = b"\r\n".to_vec();
    wire.extend_from_slice(MIRANDA_TEXT);
    assert_eq!(
        strict(&wire).unwrap_err(),
        MimeError::LeadingWhitespace { line: 1 }
    );
    assert_eq!(lenient(&wire).unwrap(), strict(MIRANDA_TEXT).unwrap());
    // Reported lines count the dropped one.
    let bad = with("Session-Id: {", "Session-Id: x{", &wire);
    assert_eq!(
        Payload::decode(&bad, &{
            let mut c = Config::lenient();
            c.allow_known_typos = false;
            c
        })
        .unwrap_err(),
        MimeError::InvalidValue {
            name: "Session-Id",
            line: 5
        }
    );
}

// ---------------------------------------------------------------------------------
// Charsets and errors

#[test]
fn latin1_and_windows_1252_bodies() {
    let latin1 =
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=ISO-8859-1\r\n\r\n\xe4\xf6\xfc";
    assert_eq!(text(strict(latin1).unwrap()).body, "äöü");
    let cp1252 =
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=windows-1252\r\n\r\nLet\x92s \x80";
    let m = text(strict(cp1252).unwrap());
    assert_eq!(m.body, "Let\u{2019}s €");
    // Re-encoded as UTF-8.
    assert!(
        Payload::Text(m)
            .to_bytes()
            .starts_with(b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n")
    );
    let no_charset = b"MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n\xc3\xa4";
    assert_eq!(text(strict(no_charset).unwrap()).body, "ä");
}

#[test]
fn errors_and_status() {
    let cases: Vec<(&[u8], MimeError, StatusCode)> = vec![
        (b"", MimeError::MissingField { name: "MIME-Version" }, StatusCode::BAD_REQUEST),
        (
            b"MIME-Version: 1.0\r\n\r\n",
            MimeError::MissingField { name: "Content-Type" },
            StatusCode::BAD_REQUEST,
        ),
        (
            b"MIME-Version: 2.0\r\nContent-Type: a/b\r\n\r\n",
            MimeError::InvalidValue { name: "MIME-Version", line: 1 },
            StatusCode::BAD_REQUEST,
        ),
        (
            b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=koi8-r\r\n\r\nx",
            MimeError::UnsupportedCharset { charset: "koi8-r".into() },
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            b"MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nab\xff",
            MimeError::InvalidUtf8Body { offset: 49 },
            StatusCode::BAD_REQUEST,
        ),
        (
            b"MIME-Version: 1.0\r\nContent-Type: text/plain\r\nSession-Id: {9BCA3DAF-70A2-7372-6CA5-2A6002C7D16F}\r\nsession-id: {9BCA3DAF-70A2-7372-6CA5-2A6002C7D16F}\r\n\r\n",
            MimeError::DuplicateField { name: "Session-Id", line: 4 },
            StatusCode::BAD_REQUEST,
        ),
        (
            b"MIME-Version: 1.0\r\nContent-Type: text/x-imleave\r\n\r\n\r\n  hello",
            MimeError::UnexpectedBody { content_type: "text/x-imleave", line: 5 },
            StatusCode::BAD_REQUEST,
        ),
        (
            b"MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol\r\n\r\nx",
            MimeError::UnexpectedBody { content_type: "text/x-msmsgscontrol", line: 4 },
            StatusCode::BAD_REQUEST,
        ),
        (
            b"MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsinvite\r\n\r\nInvitation-Cookie: 1\r\n",
            MimeError::MissingField { name: "Invitation-Command" },
            StatusCode::BAD_REQUEST,
        ),
        (
            b"MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsinvite\r\n\r\nInvitation-Command: INVITE\r\n",
            MimeError::MissingField { name: "Invitation-Cookie" },
            StatusCode::BAD_REQUEST,
        ),
        (
            b"MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsinvite\r\n\r\nInvitation-Command: BYE\r\n",
            MimeError::UnknownInvitationCommand { command: "BYE".into(), line: 4 },
            StatusCode::BAD_REQUEST,
        ),
        (
            b"MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsinvite\r\n\r\nInvitation-Command: ACCEPT\r\nInvitation-Cookie: 1\r\nPort: 65536\r\n",
            MimeError::InvalidValue { name: "Port", line: 6 },
            StatusCode::BAD_REQUEST,
        ),
        (
            b"MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsinvite\r\n\r\nInvitation-Command: ACCEPT\r\nInvitation-Cookie: -1\r\n",
            MimeError::InvalidValue { name: "Invitation-Cookie", line: 5 },
            StatusCode::BAD_REQUEST,
        ),
        (
            b"MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsinvite\r\n\r\nInvitation-Command: ACCEPT\r\nInvitation-Cookie: 1\r\n\r\ntrailing",
            MimeError::UnexpectedBody { content_type: "text/x-msmsgsinvite", line: 7 },
            StatusCode::BAD_REQUEST,
        ),
        (
            b"MIME-Version: 1.0\r\nContent-Type: text/plain\r\nX-MMS-IM-Format: CO=zz\r\n\r\n",
            MimeError::InvalidImFormat { key: Some("CO"), line: 3 },
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (input, error, status) in cases {
        let got = lenient(input).unwrap_err();
        assert_eq!(got, error, "{}", String::from_utf8_lossy(input));
        assert_eq!(got.status(), status);
        assert_eq!(crate::Error::from(got).status(), status);
    }
}

#[test]
fn too_many_fields_is_431() {
    let mut wire = b"MIME-Version: 1.0\r\nContent-Type: a/b\r\n".to_vec();
    for i in 0..Config::strict().limits.max_headers {
        wire.extend_from_slice(format!("X-{i}: v\r\n").as_bytes());
    }
    let e = strict(&wire).unwrap_err();
    assert_eq!(e, MimeError::TooManyFields { limit: 64 });
    assert_eq!(e.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
}

#[test]
fn invitation_field_syntax() {
    let base = "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsinvite; charset=UTF-8\r\n\r\n";
    let wire = format!(
        "{base}invitation-command: accept\r\nINVITATION-COOKIE: 0\r\n\
         application-guid: {{5d3e02ab-6190-11d3-bbbb-00c04f795683}}\r\n\
         launch-application: true\r\nip-address: ::1\r\nX: a\r\nx: b\r\n"
    );
    let i = invitation(both(wire.as_bytes()));
    assert_eq!(i.command, InvitationCommand::Accept);
    assert_eq!(i.cookie, 0);
    assert_eq!(i.application_guid, Some(Guid::FILE_TRANSFER));
    assert_eq!(i.launch_application, Some(true));
    assert_eq!(i.ip_address, Some("::1".parse().unwrap()));
    assert_eq!(
        i.extra_fields,
        [Field::new("X", "a").unwrap(), Field::new("x", "b").unwrap()]
    );
    let out = String::from_utf8(Payload::Invitation(i).to_bytes()).unwrap();
    assert!(out.contains("Application-GUID: {5D3E02AB-6190-11d3-BBBB-00C04F795683}\r\n"));
    assert!(out.contains("Launch-Application: TRUE\r\n"));

    for (field, value) in [
        ("Application-GUID", "5D3E02AB-6190-11d3-BBBB-00C04F795683"),
        ("Application-FileSize", "+1"),
        ("Application-FileSize", "18446744073709551616"),
        ("IP-Address", "example.com"),
        ("AuthCookie", "4294967296"),
        ("Launch-Application", "yes"),
        ("Cancel-Code", "NOT A TOKEN"),
    ] {
        let wire = format!(
            "{base}Invitation-Command: CANCEL\r\nInvitation-Cookie: 1\r\n{field}: {value}\r\n"
        );
        let err = lenient(wire.as_bytes()).unwrap_err();
        assert!(
            matches!(err, MimeError::InvalidValue { name, line: 6 } if name == field),
            "{field}: {err:?}"
        );
    }
    let dup = format!(
        "{base}Invitation-Command: CANCEL\r\nInvitation-Cookie: 1\r\nPort: 1\r\nport: 2\r\n"
    );
    assert_eq!(
        lenient(dup.as_bytes()).unwrap_err(),
        MimeError::DuplicateField {
            name: "Port",
            line: 7
        }
    );
}

#[test]
fn folded_and_spaced_headers_need_relaxed_head_syntax() {
    let wire = b"MIME-Version: 1.0\r\nContent-Type: text/plain;\r\n charset=UTF-8\r\nTypingUser : x\r\n\r\nhi";
    assert_eq!(strict(wire).unwrap_err(), MimeError::Folded { line: 3 });
    let mut config = Config::strict();
    config.relaxed_head_syntax = true;
    let m = text(Payload::decode(wire, &config).unwrap());
    assert_eq!(m.extra_headers, [Field::new("TypingUser", "x").unwrap()]);
    assert_eq!(m.body, "hi");
}

#[test]
fn mime_version_comment_accepted() {
    let wire = b"MIME-Version: 1.0 (Generated by X)\r\nContent-Type: text/x-imleave\r\n\r\n";
    assert_eq!(both(wire), Payload::Leave(LeaveNotice::default()));
}

#[test]
fn every_prefix_decodes_without_panic() {
    let fixtures: [&[u8]; 7] = [
        LIBRVP_TEXT,
        MIRANDA_TEXT,
        FT_INVITE,
        DRAFT_11_1.as_bytes(),
        DRAFT_11_2.as_bytes(),
        DRAFT_11_3.as_bytes(),
        DRAFT_6_6_1.as_bytes(),
    ];
    for f in fixtures {
        for end in 0..=f.len() {
            let _ = strict(&f[..end]);
            let _ = lenient(&f[..end]);
        }
    }
}

// ---------------------------------------------------------------------------------
// Round trips

proptest! {
    #[test]
    fn payload_round_trips(p in strategy::payload()) {
        let bytes = p.to_bytes();
        prop_assert_eq!(&strict(&bytes).unwrap(), &p);
        prop_assert_eq!(&lenient(&bytes).unwrap(), &p);
        let decoded = strict(&bytes).unwrap();
        prop_assert_eq!(p.session_id(), decoded.session_id());
    }

    #[test]
    fn malformed_session_ids_round_trip_leniently(p in strategy::lenient_payload()) {
        let bytes = p.to_bytes();
        prop_assert_eq!(lenient(&bytes).unwrap(), p);
        let is_session_error = matches!(
            strict(&bytes),
            Err(MimeError::InvalidValue { name: "Session-Id", .. })
        );
        prop_assert!(is_session_error);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        for config in [Config::strict(), Config::lenient()] {
            if let Ok(p) = Payload::decode(&bytes, &config) {
                prop_assert_eq!(Payload::decode(&p.to_bytes(), &config).unwrap(), p);
            }
        }
    }

    #[test]
    fn header_like_input_never_panics(
        lines in proptest::collection::vec(
            prop_oneof![
                Just("MIME-Version: 1.0".to_owned()),
                Just("MIME-Version 1.0".to_owned()),
                Just("Content-Type: text/plain; charset=UTF-8".to_owned()),
                Just("Content-Type: text/x-msmsgsinvite;.charset=UTF-8".to_owned()),
                Just("Content-Type: text/x-msmsscontrol".to_owned()),
                Just("Content-Type: text/x-imleave".to_owned()),
                Just("X-MMS-IM-Format: FN=MS%%20Shell%%20Dlg; EF=BIUS; CO=ff; CS=ee; PF=22".to_owned()),
                Just("Session-Id: {79FC6B5-1234-1234-8A0-941F33CA4C90}".to_owned()),
                Just("Invitation-Command: INVITE".to_owned()),
                Just("Invitation-Cookie: 3".to_owned()),
                Just(String::new()),
                "[ \t]{0,3}[A-Za-z-]{1,12}:[ -~]{0,20}",
                "[\\PC\r\n\t ]{0,20}",
            ],
            0..12,
        ),
        crlf in any::<bool>(),
    ) {
        let input = lines.join(if crlf { "\r\n" } else { "\n" });
        for config in [Config::strict(), Config::lenient()] {
            if let Ok(p) = Payload::decode(input.as_bytes(), &config) {
                prop_assert_eq!(Payload::decode(&p.to_bytes(), &config).unwrap(), p);
            }
        }
    }
}
