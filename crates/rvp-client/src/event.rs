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
    /// logging in again.
    SessionLost {
        /// Why.
        reason: String,
    },
    /// The session logged in again after [`Event::SessionLost`].
    Reconnected,
}

/// Decodes an inbound NOTIFY body into an event.
pub(crate) fn decode_notify(body: &[u8]) -> Option<Event> {
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
                    text: t.body,
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn presence_notification_decodes() {
        let body = br#"<?xml version="1.0"?><r:notification xmlns:d="DAV:" xmlns:r="http://schemas.microsoft.com/rvp/"><r:propnotification><r:notification-from><r:contact><d:href>http://example.com/instmsg/aliases/bob</d:href></r:contact></r:notification-from><r:notification-to><r:contact><d:href>http://example.com/instmsg/aliases/alice</d:href></r:contact></r:notification-to><d:propertyupdate><d:set><d:prop><r:state><r:busy/></r:state></d:prop></d:set></d:propertyupdate></r:propnotification></r:notification>"#;
        let Some(Event::Presence { contact, state }) = decode_notify(body) else {
            panic!("not a presence event")
        };
        assert_eq!(state, PresenceState::Busy);
        assert_eq!(contact.address.unwrap().to_string(), "bob@example.com");
    }
}
