//! Contacts in another organisation: their server is found by SRV and
//! talked to directly.

use std::sync::Arc;

use im_url::{SrvTarget, StaticResolver};
use rvp_client::{Client, Conversation, Event, PresenceState};
use rvp_server::directory::{MemoryDirectory, NewPrincipal, PrincipalEntry};

use crate::support::*;

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn directory(domain: &str, alias: &str) -> Arc<MemoryDirectory> {
    let dir = MemoryDirectory::new();
    let n = NewPrincipal::new(alias, domain);
    dir.insert(PrincipalEntry::from_password(n, &password(alias)).unwrap())
        .unwrap();
    Arc::new(dir)
}

#[tokio::test]
async fn contact_and_messages_across_domains() {
    let (pa, pb) = (free_port(), free_port());
    let routes = |other: &str, port: u16| {
        format!("[routing]\nstatic-routes = {{ \"{other}\" = \"127.0.0.1:{port}\" }}\n")
    };
    let a = TestServer::start_at(
        &format!(
            "[[domain]]\nname = \"example.com\"\n{}",
            routes("example.org", pb)
        ),
        pa,
        directory("example.com", "alice"),
    )
    .await;
    let b = TestServer::start_at(
        &format!(
            "[[domain]]\nname = \"example.org\"\n{}",
            routes("example.com", pa)
        ),
        pb,
        directory("example.org", "carol"),
    )
    .await;
    let srv = |port: u16| {
        vec![
            SrvTarget::new("localhost".parse().unwrap(), port)
                .with_addrs(vec![[127, 0, 0, 1].into()]),
        ]
    };
    let dns = StaticResolver::new()
        .with_srv("example.com".parse().unwrap(), srv(pa))
        .with_srv("example.org".parse().unwrap(), srv(pb));

    let mut ca = config("alice", a.addr);
    ca.server = None;
    let (alice, rx) = Client::new(ca).login_with(dns.clone()).await.unwrap();
    let mut alice_events = Events(rx);
    let mut cc = rvp_client::Config::new("carol@example.org".parse().unwrap(), password("carol"));
    cc.retry = ca_retry();
    let (carol, rx) = Client::new(cc).login_with(dns).await.unwrap();
    let mut carol_events = Events(rx);
    let carol_addr: rvp_client::Address = "carol@example.org".parse().unwrap();

    assert_eq!(
        alice.add_contact(&carol_addr).await.unwrap(),
        Some(PresenceState::Online)
    );
    carol.set_state(PresenceState::Busy).await.unwrap();
    alice_events
        .until(|e| {
            matches!(e, Event::Presence { contact, state: PresenceState::Busy } if contact.address.as_ref() == Some(&carol_addr))
                .then_some(())
        })
        .await;

    let chat = alice.conversation(vec![carol_addr.clone()]);
    let r = alice.send_text(&chat, "hello across").await;
    assert!(r[0].result.is_ok(), "{r:?}");
    let id = carol_events
        .until(|e| match e {
            Event::Message {
                text, session_id, ..
            } if text == "hello across" => Some(session_id.clone()),
            _ => None,
        })
        .await;
    let reply = Conversation::with_id(id, vec![addr("alice")]);
    assert!(
        carol.send_text(&reply, "hello back").await[0]
            .result
            .is_ok()
    );
    alice_events
        .until(|e| matches!(e, Event::Message { text, .. } if text == "hello back").then_some(()))
        .await;
    drop(b);
}

fn ca_retry() -> rvp_client::RetryPolicy {
    rvp_client::RetryPolicy::new(
        std::time::Duration::from_millis(50),
        std::time::Duration::from_millis(400),
        4,
    )
}
