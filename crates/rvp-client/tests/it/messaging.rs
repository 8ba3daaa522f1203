//! Messages, typing, multi-party conversations and delivery failures.

use rvp_client::{Conversation, Event};

use crate::support::*;

fn message(text: &'static str) -> impl FnMut(&Event) -> Option<Event> {
    move |e| match e {
        Event::Message { text: t, .. } if t == text => Some(e.clone()),
        _ => None,
    }
}

#[tokio::test]
async fn messages_both_ways_in_one_conversation() {
    let server = TestServer::start(users(&["alice", "bob"])).await;
    let (alice, mut alice_events) = login("alice", server.addr).await;
    let (bob, mut bob_events) = login("bob", server.addr).await;

    let chat = alice.conversation(vec![addr("bob")]);
    let r = alice.send_text(&chat, "Hello Bob").await;
    assert!(r[0].result.is_ok(), "{r:?}");
    let Event::Message {
        from,
        to,
        session_id,
        ..
    } = bob_events.until(message("Hello Bob")).await
    else {
        unreachable!()
    };
    assert_eq!(from.address, Some(addr("alice")));
    assert_eq!(to[0].address, Some(addr("bob")));
    assert_eq!(session_id, chat.id);

    // Bob answers in the same conversation.
    let reply = Conversation::with_id(session_id, vec![addr("alice")]);
    assert!(bob.send_text(&reply, "Hi Alice").await[0].result.is_ok());
    let Event::Message { session_id, .. } = alice_events.until(message("Hi Alice")).await else {
        unreachable!()
    };
    assert_eq!(session_id, chat.id);
}

#[tokio::test]
async fn typing_is_reported() {
    let server = TestServer::start(users(&["alice", "bob"])).await;
    let (alice, _a) = login("alice", server.addr).await;
    let (_bob, mut bob_events) = login("bob", server.addr).await;
    let chat = alice.conversation(vec![addr("bob")]);
    assert!(alice.send_typing(&chat).await[0].result.is_ok());
    let (from, id) = bob_events
        .until(|e| match e {
            Event::Typing { from, session_id } => Some((from.clone(), session_id.clone())),
            _ => None,
        })
        .await;
    assert_eq!(from.address, Some(addr("alice")));
    assert_eq!(id, chat.id);
}

#[tokio::test]
async fn multi_party_conversation_and_leave() {
    let server = TestServer::start(users(&["alice", "bob", "carol"])).await;
    let (alice, _a) = login("alice", server.addr).await;
    let (_bob, mut bob_events) = login("bob", server.addr).await;
    let (carol, mut carol_events) = login("carol", server.addr).await;
    let chat = alice.conversation(vec![addr("bob"), addr("carol")]);
    let r = alice.send_text(&chat, "Hello both").await;
    assert!(r.iter().all(|d| d.result.is_ok()), "{r:?}");
    for events in [&mut bob_events, &mut carol_events] {
        let Event::Message { to, session_id, .. } = events.until(message("Hello both")).await
        else {
            unreachable!()
        };
        assert_eq!(to.len(), 2);
        assert_eq!(session_id, chat.id);
    }
    // Carol leaves: Bob (and Alice) are told.
    let carols = Conversation::with_id(chat.id.clone(), vec![addr("alice"), addr("bob")]);
    assert!(carol.leave(&carols).await.iter().all(|d| d.result.is_ok()));
    let (from, id) = bob_events
        .until(|e| match e {
            Event::Left { from, session_id } => Some((from.clone(), session_id.clone())),
            _ => None,
        })
        .await;
    assert_eq!(from.address, Some(addr("carol")));
    assert_eq!(id, chat.id);
}

#[tokio::test]
async fn delivery_failure_is_reported_per_message() {
    let server = TestServer::start(users(&["alice", "bob", "dave"])).await;
    let (alice, mut alice_events) = login("alice", server.addr).await;
    let (_bob, _b) = login("bob", server.addr).await;
    // Dave is not logged in: 412 for him, delivered to Bob.
    let chat = alice.conversation(vec![addr("bob"), addr("dave")]);
    let r = alice.send_text(&chat, "anyone?").await;
    assert!(r[0].result.is_ok(), "{r:?}");
    assert_eq!(r[1].result.as_ref().unwrap_err().0, Some(412), "{r:?}");
    let (to, status, id) = alice_events
        .until(|e| match e {
            Event::DeliveryFailed {
                to,
                status,
                session_id,
                ..
            } => Some((to.clone(), *status, session_id.clone())),
            _ => None,
        })
        .await;
    assert_eq!((to, status, id), (addr("dave"), Some(412), chat.id));
}

#[tokio::test]
async fn typing_notifier_sends_at_most_every_four_seconds() {
    let server = TestServer::start(users(&["alice", "bob"])).await;
    let (alice, _a) = login("alice", server.addr).await;
    let (_bob, mut bob_events) = login("bob", server.addr).await;
    let chat = alice.conversation(vec![addr("bob")]);
    let mut typing = alice.typing_notifier(&chat);
    assert!(typing.keystroke().await);
    assert!(!typing.keystroke().await, "within 4 s: no second notice");
    bob_events
        .until(|e| matches!(e, Event::Typing { .. }).then_some(()))
        .await;
    bob_events
        .none_for(std::time::Duration::from_millis(300), |e| {
            matches!(e, Event::Typing { .. })
        })
        .await;
    typing.reset();
    assert!(typing.keystroke().await, "after a sent message: at once");
}

#[tokio::test]
async fn invitations_are_sent_and_surfaced_as_events() {
    use rvp_client::{Guid, Invitation, InvitationCommand};
    let server = TestServer::start(users(&["alice", "bob"])).await;
    let (alice, _a) = login("alice", server.addr).await;
    let (_bob, mut bob_events) = login("bob", server.addr).await;
    let chat = alice.conversation(vec![addr("bob")]);
    let mut offer = Invitation::new(InvitationCommand::Invite, 4242);
    offer.application_guid = Some(Guid::FILE_TRANSFER);
    assert!(alice.send_invitation(&chat, offer).await[0].result.is_ok());
    let (invitation, id) = bob_events
        .until(|e| match e {
            Event::Invitation {
                invitation,
                session_id,
                ..
            } => Some((invitation.clone(), session_id.clone())),
            _ => None,
        })
        .await;
    assert_eq!(id, chat.id);
    assert_eq!(invitation.command, InvitationCommand::Invite);
    assert_eq!(invitation.cookie, 4242);
    assert_eq!(invitation.application_guid, Some(Guid::FILE_TRANSFER));
}
