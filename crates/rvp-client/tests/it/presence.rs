//! Presence both ways, contacts, blocking, idle, polling, logoff.

use std::time::Duration;

use rvp_client::{Delivery, Event, PresenceState};

use crate::support::*;

fn presence_of(who: &str, state: PresenceState) -> impl FnMut(&Event) -> Option<()> {
    let who = addr(who);
    move |e| match e {
        Event::Presence { contact, state: s }
            if contact.address.as_ref() == Some(&who) && *s == state =>
        {
            Some(())
        }
        _ => None,
    }
}

#[tokio::test]
async fn presence_both_ways() {
    let server = TestServer::start(users(&["alice", "bob"])).await;
    let (alice, mut alice_events) = login("alice", server.addr).await;
    let (bob, mut bob_events) = login("bob", server.addr).await;

    assert_eq!(
        alice.add_contact(&addr("bob")).await.unwrap(),
        Some(PresenceState::Online)
    );
    alice_events
        .until(presence_of("bob", PresenceState::Online))
        .await;
    assert_eq!(
        bob.add_contact(&addr("alice")).await.unwrap(),
        Some(PresenceState::Online)
    );

    bob.set_state(PresenceState::Busy).await.unwrap();
    alice_events
        .until(presence_of("bob", PresenceState::Busy))
        .await;
    alice.set_state(PresenceState::OnPhone).await.unwrap();
    bob_events
        .until(presence_of("alice", PresenceState::OnPhone))
        .await;

    // Alice is among Bob's watchers.
    let watchers = bob.watchers().await.unwrap();
    assert!(
        watchers.iter().any(|w| w
            .principal
            .as_deref()
            .is_some_and(|p| p.ends_with("/alice"))
            || w.href.as_deref().is_some_and(|p| p.ends_with("/alice"))),
        "{watchers:?}"
    );
}

#[tokio::test]
async fn removed_contact_is_no_longer_watched() {
    let server = TestServer::start(users(&["alice", "bob"])).await;
    let (alice, mut alice_events) = login("alice", server.addr).await;
    let (bob, _bob_events) = login("bob", server.addr).await;
    alice.add_contact(&addr("bob")).await.unwrap();
    alice_events
        .until(presence_of("bob", PresenceState::Online))
        .await;
    alice.remove_contact(&addr("bob")).await.unwrap();
    assert!(alice.contacts().unwrap().is_empty());
    assert!(bob.watchers().await.unwrap().is_empty());
    bob.set_state(PresenceState::Away).await.unwrap();
    alice_events
        .none_for(Duration::from_millis(500), |e| {
            matches!(e, Event::Presence { .. })
        })
        .await;
}

#[tokio::test]
async fn contact_list_is_kept_in_a_file_per_account() {
    let server = TestServer::start(users(&["alice", "bob"])).await;
    let dir = TempDir::new();
    let (_bob, _b) = login("bob", server.addr).await;
    let mut c = config("alice", server.addr);
    c.contacts_dir = Some(dir.0.clone());
    let (alice, _a) = login_with(c.clone()).await;
    alice.add_contact(&addr("bob")).await.unwrap();
    alice.logoff().await.unwrap();
    let text = std::fs::read_to_string(dir.0.join("alice@example.com.contacts")).unwrap();
    assert!(text.contains("bob@example.com"), "{text}");

    // The next login watches the saved contacts again.
    let (alice, mut events) = login_with(c).await;
    assert_eq!(alice.contacts().unwrap(), vec![addr("bob")]);
    events
        .until(presence_of("bob", PresenceState::Online))
        .await;
}

#[tokio::test]
async fn blocked_contact_sees_nothing_and_cannot_send() {
    let server = TestServer::start(users(&["alice", "bob"])).await;
    let (alice, mut alice_events) = login("alice", server.addr).await;
    let (bob, _bob_events) = login("bob", server.addr).await;
    alice.add_contact(&addr("bob")).await.unwrap();
    bob.block(&addr("alice")).await.unwrap();
    bob.set_state(PresenceState::Busy).await.unwrap();
    alice_events
        .none_for(Duration::from_millis(500), |e| {
            matches!(
                e,
                Event::Presence {
                    state: PresenceState::Busy,
                    ..
                }
            )
        })
        .await;
    let chat = alice.conversation(vec![addr("bob")]);
    let r = alice.send_text(&chat, "hello?").await;
    // The server answers a blocked sender as it would for an offline
    // recipient (412), so the block is not revealed (see rvp-server's docs).
    assert_eq!(r[0].result.as_ref().unwrap_err().0, Some(412), "{r:?}");

    // Allowed again: messages go through.
    bob.allow(&addr("alice")).await.unwrap();
    let r = alice.send_text(&chat, "hello again").await;
    assert!(r[0].result.is_ok(), "{r:?}");
}

#[tokio::test]
async fn logoff_is_seen_by_the_watcher() {
    let server = TestServer::start(users(&["alice", "bob"])).await;
    let (alice, mut alice_events) = login("alice", server.addr).await;
    let (bob, _b) = login("bob", server.addr).await;
    bob.add_contact(&addr("alice")).await.unwrap();
    alice.add_contact(&addr("bob")).await.unwrap();
    bob.logoff().await.unwrap();
    alice_events
        .until(presence_of("bob", PresenceState::Offline))
        .await;
    // Bob's subscription to Alice went with his logoff.
    assert!(alice.watchers().await.unwrap().is_empty());
}

#[tokio::test]
async fn idle_goes_away_and_activity_comes_back() {
    let server = TestServer::start(users(&["alice", "bob"])).await;
    let mut c = config("alice", server.addr);
    c.idle_after = Some(Duration::from_millis(300));
    let (alice, mut alice_events) = login_with(c).await;
    let (bob, mut bob_events) = login("bob", server.addr).await;
    bob.add_contact(&addr("alice")).await.unwrap();
    alice_events
        .until(|e| {
            matches!(
                e,
                Event::OwnState {
                    state: PresenceState::Away
                }
            )
            .then_some(())
        })
        .await;
    bob_events
        .until(presence_of("alice", PresenceState::Away))
        .await;
    alice.activity();
    alice_events
        .until(|e| {
            matches!(
                e,
                Event::OwnState {
                    state: PresenceState::Online
                }
            )
            .then_some(())
        })
        .await;
    bob_events
        .until(presence_of("alice", PresenceState::Online))
        .await;
}

#[tokio::test]
async fn polling_mode_receives_presence_and_messages() {
    let server = TestServer::start(users(&["alice", "bob"])).await;
    let mut c = config("bob", server.addr);
    c.delivery = Delivery::Polling {
        interval: Duration::from_secs(1),
    };
    let (bob, mut bob_events) = login_with(c).await;
    assert!(bob.callback_url().is_none());
    let (alice, _a) = login("alice", server.addr).await;
    bob.add_contact(&addr("alice")).await.unwrap();
    alice.set_state(PresenceState::Busy).await.unwrap();
    let chat = alice.conversation(vec![addr("bob")]);
    let r = alice.send_text(&chat, "polled").await;
    assert!(r[0].result.is_ok(), "queued counts as delivered: {r:?}");
    // The driver polls every second.
    bob_events
        .until(presence_of("alice", PresenceState::Busy))
        .await;
    let id = bob_events
        .until(|e| match e {
            Event::Message {
                text, session_id, ..
            } if text == "polled" => Some(session_id.clone()),
            _ => None,
        })
        .await;
    assert_eq!(id, chat.id);
}

#[tokio::test]
async fn adding_a_contact_twice_keeps_one_subscription() {
    let server = TestServer::start(users(&["alice", "bob"])).await;
    let (alice, _a) = login("alice", server.addr).await;
    let (bob, _b) = login("bob", server.addr).await;
    alice.add_contact(&addr("bob")).await.unwrap();
    alice.add_contact(&addr("bob")).await.unwrap();
    assert_eq!(bob.watchers().await.unwrap().len(), 1);
    assert_eq!(
        alice.add_contact_transient(&addr("bob")).await.unwrap(),
        Some(PresenceState::Online)
    );
    assert_eq!(bob.watchers().await.unwrap().len(), 1);
}

#[tokio::test]
async fn lease_and_subscriptions_are_renewed_before_they_end() {
    let conf = format!("{CONFIG}[leases]\npresence-min-secs = 1\nsubscription-min-secs = 1\n");
    let server = TestServer::start_at(&conf, 0, users(&["alice", "bob"])).await;
    let short = |alias: &str| {
        let mut c = config(alias, server.addr);
        c.lease = Duration::from_secs(2);
        c.subscription_lifetime = Duration::from_secs(2);
        c.keepalive = None;
        c
    };
    let (alice, _a) = login_with(short("alice")).await;
    let (bob, mut bob_events) = login_with(short("bob")).await;
    bob.add_contact(&addr("alice")).await.unwrap();
    bob_events
        .until(presence_of("alice", PresenceState::Online))
        .await;
    // Three lifetimes later: Alice's lease never lapsed (Bob saw no
    // offline), and Bob's subscription still delivers.
    bob_events
        .none_for(Duration::from_secs(6), |e| {
            matches!(
                e,
                Event::Presence {
                    state: PresenceState::Offline,
                    ..
                }
            )
        })
        .await;
    assert_eq!(alice.watchers().await.unwrap().len(), 1);
    alice.set_state(PresenceState::AtLunch).await.unwrap();
    bob_events
        .until(presence_of("alice", PresenceState::AtLunch))
        .await;
}
