//! What a session reports: [`Event`], and the decoding of inbound NOTIFYs
//! (from the callback listener or from POLL answers) into events.

use im_url::{Address, NodeUrl};
use presence_model::PresenceState;
use rvp_codec::mime::{Guid, Invitation, SessionId};
use rvp_codec::xml::{Contact, Notification, Property};
use rvp_codec::{Config, Payload};

/// A party of a notification: its URL, its address when the URL is a
/// logical URL, and the description it gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Party {
    /// The URL as received (`http://example.com/instmsg/aliases/bob`).
    pub url: String,
    /// `bob@example.com`, when the URL names a principal.
    pub address: Option<Address>,
    /// The `description` (a display name), if any.
    pub description: Option<String>,
}

impl Party {
    /// The party named by `url`.
    pub fn from_url(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            address: address_of(url),
            description: None,
        }
    }

    fn from_contact(c: &Contact) -> Self {
        Self {
            url: c.href.clone(),
            address: address_of(&c.href),
            description: c.description.clone().filter(|d| !d.is_empty()),
        }
    }
}

impl std::fmt::Display for Party {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.address {
            Some(a) => write!(f, "{a}"),
            None => f.write_str(&self.url),
        }
    }
}

/// The address a logical (or physical) URL names.
pub fn address_of(url: &str) -> Option<Address> {
    let node = NodeUrl::parse(url).ok()?;
    let logical = node.to_logical().unwrap_or(node);
    logical.host_address()
}

/// A conversation: its `Session-Id` and the other participants. Every
/// message, typing notice and leave notice carries the `Session-Id` (librvp
/// crashes on a message without one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conversation {
    /// The conversation's id.
    pub id: SessionId,
    /// The other participants.
    pub participants: Vec<Address>,
}

impl Conversation {
    /// A conversation with these participants and the given id.
    pub fn with_id(id: SessionId, participants: Vec<Address>) -> Self {
        Self { id, participants }
    }

    pub(crate) fn fresh(random: u128, participants: Vec<Address>) -> Self {
        Self::with_id(SessionId::from(Guid::from_u128(random)), participants)
    }
}

/// Something that happened to the session, delivered on the events channel.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// A contact's presence (at subscription, then on each change).
    Presence {
        /// The contact.
        contact: Party,
        /// Its state.
        state: PresenceState,
    },
    /// An instant message.
    Message {
        /// The sender.
        from: Party,
        /// Every recipient (more than one in a multi-party conversation).
        to: Vec<Party>,
        /// The text.
        text: String,
        /// The conversation.
        session_id: SessionId,
    },
    /// The sender is typing.
    Typing {
        /// Who types.
        from: Party,
        /// The conversation.
        session_id: SessionId,
    },
    /// An application invitation (file transfer, NetMeeting...) or its answer.
    Invitation {
        /// The sender.
        from: Party,
        /// The conversation.
        session_id: SessionId,
        /// The invitation.
        invitation: Box<Invitation>,
    },
    /// A participant left a multi-party conversation.
    Left {
        /// Who left.
        from: Party,
        /// The conversation.
        session_id: SessionId,
    },
    /// A message (or typing or leave notice) could not be delivered to one
    /// recipient.
    DeliveryFailed {
        /// The recipient.
        to: Address,
        /// The conversation.
        session_id: SessionId,
        /// The server's answer (`412`: not online; `403`: refused by the
        /// recipient's ACL; `500`: left the conversation), or `None` when
        /// the server could not be reached.
        status: Option<u16>,
        /// In words.
        reason: String,
    },
    /// Our own state changed without an explicit request (idle detection).
    OwnState {
        /// The new state.
        state: PresenceState,
    },
    /// The server forgot the session or cannot be reached; the session is
    /// logging in again (with back-off). Sent once more, with a reason
    /// ending in "not retrying", when a new login is refused for the
    /// password: the session then stays down.
    SessionLost {
        /// Why.
        reason: String,
    },
    /// The session logged in again after [`Event::SessionLost`].
    Reconnected,
}

/// The peers known to run librvp (Pidgin's RVP plugin), learned from the
/// messages they send: their non-ASCII text arrives double-encoded and
/// ours must go to them double-encoded too (librvp decodes what it
/// receives as UTF-8 into Latin-1 bytes). Bounded: past
/// [`LibrvpPeers::MAX`] names the oldest half is forgotten.
#[derive(Debug, Default)]
pub(crate) struct LibrvpPeers(std::sync::Mutex<std::collections::VecDeque<Address>>);

impl LibrvpPeers {
    /// The most peers remembered.
    pub(crate) const MAX: usize = 1024;

    fn learn(&self, url: &str) {
        let Some(address) = address_of(url) else {
            return;
        };
        let Ok(mut peers) = self.0.lock() else { return };
        if peers.contains(&address) {
            return;
        }
        if peers.len() >= Self::MAX {
            peers.drain(..Self::MAX / 2);
        }
        peers.push_back(address);
    }

    /// Whether `peer` was seen running librvp.
    pub(crate) fn contains(&self, peer: &Address) -> bool {
        self.0.lock().is_ok_and(|p| p.contains(peer))
    }
}

/// Encodes non-ASCII text the way librvp sends it (and expects it): the
/// UTF-8 bytes, each taken as a Latin-1 character, encoded as UTF-8 again.
pub(crate) fn double_utf8(text: &str) -> String {
    text.bytes().map(char::from).collect()
}

/// Decodes an inbound NOTIFY body into an event, learning librvp peers.
pub(crate) fn decode_notify(body: &[u8], librvp: &LibrvpPeers) -> Option<Event> {
    let config = Config::lenient();
    match Notification::decode(body, &config).ok()? {
        Notification::Message(m) => {
            let from = Party::from_contact(&m.from);
            let payload = Payload::decode(m.mime_data.as_bytes(), &config).ok()?;
            let session_id = payload
                .session_id()
                .cloned()
                .unwrap_or_else(|| SessionId::from(Guid::from_u128(0)));
            Some(match payload {
                Payload::Text(t) => Event::Message {
                    from,
                    to: m.to.iter().map(Party::from_contact).collect(),
                    text: if written_by_librvp(m.mime_data.as_bytes()) {
                        librvp.learn(&m.from.href);
                        undo_double_utf8(t.body)
                    } else {
                        t.body
                    },
                    session_id,
                },
                Payload::Typing(_) => Event::Typing { from, session_id },
                Payload::Invitation(i) => Event::Invitation {
                    from,
                    session_id,
                    invitation: Box::new(i),
                },
                Payload::Leave(_) => Event::Left { from, session_id },
                _ => return None,
            })
        }
        Notification::PropNotification(p) => {
            let state = p.update.set_props().find_map(|prop| match prop {
                Property::State(s) => PresenceState::from_token(s.state().as_str()).ok(),
                _ => None,
            })?;
            Some(Event::Presence {
                contact: Party::from_contact(&p.from),
                state,
            })
        }
        _ => None,
    }
}

/// Whether a MIME part was written by librvp (Pidgin's RVP plugin): its
/// `X-MMS-IM-Format` carries the doubled `%` of a template formatted twice
/// (`FN=MS%%20Shell%%20Dlg`), which no other known client writes.
pub(crate) fn written_by_librvp(mime: &[u8]) -> bool {
    mime.split(|&b| b == b'\n')
        .map(<[u8]>::trim_ascii)
        .take_while(|line| !line.is_empty())
        .any(|line| {
            line.get(..16)
                .is_some_and(|name| name.eq_ignore_ascii_case(b"x-mms-im-format:"))
                && line.windows(2).any(|w| w == b"%%")
        })
}

/// Undoes one level of double UTF-8 encoding (UTF-8 bytes encoded again as
/// if each were a Latin-1 character), as librvp sends non-ASCII text: when
/// every character is below U+0100 and those code points, taken as bytes,
/// are valid UTF-8, the decoded text; otherwise `text` unchanged.
pub(crate) fn undo_double_utf8(text: String) -> String {
    if text.is_ascii() {
        return text;
    }
    let mut bytes = Vec::with_capacity(text.len());
    for c in text.chars() {
        match u8::try_from(u32::from(c)) {
            Ok(b) => bytes.push(b),
            Err(_) => return text,
        }
    }
    String::from_utf8(bytes).unwrap_or(text)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn presence_notification_decodes() {
        let body = br#"<?xml version="1.0"?><r:notification xmlns:d="DAV:" xmlns:r="http://schemas.microsoft.com/rvp/"><r:propnotification><r:notification-from><r:contact><d:href>http://example.com/instmsg/aliases/bob</d:href></r:contact></r:notification-from><r:notification-to><r:contact><d:href>http://example.com/instmsg/aliases/alice</d:href></r:contact></r:notification-to><d:propertyupdate><d:set><d:prop><r:state><r:busy/></r:state></d:prop></d:set></d:propertyupdate></r:propnotification></r:notification>"#;
        let Some(Event::Presence { contact, state }) = decode_notify(body, &LibrvpPeers::default())
        else {
            panic!("not a presence event")
        };
        assert_eq!(state, PresenceState::Busy);
        assert_eq!(contact.address.unwrap().to_string(), "bob@example.com");
    }

    /// A NOTIFY as librvp writes it (its `%%` in `X-MMS-IM-Format`, its double-encoded
    /// text), or as another client would (`%20`, plain UTF-8).
    fn message_from(href: &str, format: &str, text: &str) -> Vec<u8> {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><r:notification xmlns:d=\"DAV:\" xmlns:r=\"http://schemas.microsoft.com/rvp/\"><r:message><r:notification-from><r:contact><d:href>{href}</d:href><r:description>x</r:description></r:contact></r:notification-from><r:notification-to><r:contact><d:href>http://localhost/instmsg/aliases/bob</d:href><r:description/></r:contact></r:notification-to><r:msgbody><r:mime-data><![CDATA[MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nX-MMS-IM-Format: {format}\r\nSession-Id: {{C3E4B3FC-A234-3412-A247-E5A36D456BD1}}\r\n\r\n{text}]]></r:mime-data></r:msgbody></r:message></r:notification>"
        )
        .into_bytes()
    }

    fn text_of(event: Option<Event>) -> String {
        match event {
            Some(Event::Message { text, .. }) => text,
            other => panic!("not a message: {other:?}"),
        }
    }

    #[test]
    fn librvp_text_is_repaired_and_its_sender_learned() {
        let peers = LibrvpPeers::default();
        let alice = "http://localhost/instmsg/aliases/alice";
        let librvp = "FN=MS%%20Shell%%20Dlg; EF=; CO=0; CS=0; PF=0";
        let sent = "Gr\u{fc}\u{df}e \u{20ac} \u{65e5}\u{672c} <b>&amp;</b>";
        let body = message_from(alice, librvp, &double_utf8(sent));
        assert_eq!(text_of(decode_notify(&body, &peers)), sent);
        assert!(peers.contains(&"alice@localhost".parse().unwrap()));
        assert!(!peers.contains(&"bob@localhost".parse().unwrap()));
    }

    #[test]
    fn other_clients_text_is_kept_as_sent() {
        let peers = LibrvpPeers::default();
        let carol = "http://localhost/instmsg/aliases/carol";
        // Text that looks double-encoded, from a client without librvp's fingerprint.
        let body = message_from(
            carol,
            "FN=MS%20Shell%20Dlg; EF=; CO=0; CS=0; PF=0",
            "\u{c3}\u{a4}",
        );
        assert_eq!(text_of(decode_notify(&body, &peers)), "\u{c3}\u{a4}");
        assert!(!peers.contains(&"carol@localhost".parse().unwrap()));
    }

    #[test]
    fn the_fingerprint_is_only_read_in_the_header_block() {
        assert!(written_by_librvp(
            b"MIME-Version: 1.0\r\nx-mms-im-format: FN=A%%20B\r\n\r\nhi"
        ));
        assert!(!written_by_librvp(
            b"MIME-Version: 1.0\r\n\r\nX-MMS-IM-Format: FN=A%%20B"
        ));
        assert!(!written_by_librvp(
            b"X-MMS-IM-Format: FN=A%20B; EF=\r\n\r\n%%"
        ));
    }

    #[test]
    fn double_encoding_round_trips_and_leaves_other_text_alone() {
        for text in [
            "",
            "plain",
            "\u{e4}\u{f6}\u{fc}",
            "\u{20ac}\u{1f600}",
            "a]]>b",
        ] {
            assert_eq!(undo_double_utf8(double_utf8(text)), text);
        }
        // Beyond U+00FF, or not valid UTF-8 as bytes: unchanged.
        assert_eq!(
            undo_double_utf8("\u{e4}\u{20ac}".to_owned()),
            "\u{e4}\u{20ac}"
        );
        assert_eq!(undo_double_utf8("caf\u{e9}".to_owned()), "caf\u{e9}");
    }

    #[test]
    fn remembered_peers_are_bounded() {
        let peers = LibrvpPeers::default();
        for i in 0..LibrvpPeers::MAX + 10 {
            peers.learn(&format!("http://localhost/instmsg/aliases/u{i}"));
        }
        let n = peers.0.lock().unwrap().len();
        assert!(n <= LibrvpPeers::MAX, "{n}");
        let last: Address = format!("u{}@localhost", LibrvpPeers::MAX + 9)
            .parse()
            .unwrap();
        assert!(peers.contains(&last));
        assert!(!peers.contains(&"u0@localhost".parse().unwrap()));
    }
}
