//! Access control on every path, and ACLs that survive a restart.

use std::sync::Arc;

use crate::support::*;

const CONFIG: &str = "[[domain]]\nname = \"example.com\"\n";

fn block(who: &str) -> Vec<u8> {
    xml_doc(&format!(
        "<a:rvpacl><a:acl><a:inheritance>none</a:inheritance><a:ace><a:principal><a:rvp-principal>allprincipals</a:rvp-principal><a:credentials><a:assertion/><a:digest/><a:ntlm/></a:credentials></a:principal><a:grant><a:send-to/><a:presence/></a:grant><a:deny/></a:ace><a:ace><a:principal><a:rvp-principal>{who}</a:rvp-principal><a:credentials><a:assertion/><a:digest/><a:ntlm/></a:credentials></a:principal><a:grant/><a:deny><a:send-to/><a:presence/></a:deny></a:ace></a:acl></a:rvpacl>"
    ))
}

#[tokio::test]
async fn blocked_watcher_sees_offline_and_cannot_send_and_the_acl_persists() {
    let dir = Arc::new(users("example.com", &["alice", "bob"]));
    let server = TestServer::start_with(CONFIG, Arc::clone(&dir), TempDir::new()).await;
    let alice = Peer::new("alice", "example.com", server.addr);
    let bob = Peer::new("bob", "example.com", server.addr);
    let alice_cb = Listener::start().await;
    let mut bob_cb = Listener::start().await;
    bob.login(&bob_cb.url).await;
    bob.watch("alice").await;
    alice.login(&alice_cb.url).await;
    bob_cb.next_with("<r:online/>").await;

    let r = alice.send("ACL", "alice", &[], &block(&bob.url)).await;
    assert_eq!(r.status, 200);
    // Bob is told Alice went offline (he may no longer see her presence).
    bob_cb.next_with("<r:offline/>").await;
    // A message is refused as if Alice were offline: 412, which librvp reports as
    // "could not be delivered" (it drops a 403 silently), and the block stays hidden.
    assert_eq!(
        bob.message("alice", "let me in", "DeepOr").await.status,
        412
    );
    // Her changes stay hidden from him.
    assert_eq!(alice.set_state("busy").await.status, 207);
    bob_cb
        .nothing_for(std::time::Duration::from_millis(500))
        .await;
    // Bob may not read or write Alice's ACL, nor list her watchers.
    assert_eq!(bob.send("ACL", "alice", &[], b"").await.status, 403);
    assert_eq!(
        bob.send("ACL", "alice", &[], &block(&alice.url))
            .await
            .status,
        403
    );
    assert_eq!(
        bob.send("SUBSCRIPTIONS", "alice", &[], b"").await.status,
        403
    );
    // A new watch shows offline.
    let r = bob.watch("alice").await;
    assert!(body_text(&r.body).contains("<r:offline/>"));

    // The ACL is on disk and survives a restart.
    let data = server.stop().await;
    let server = TestServer::start_with(CONFIG, dir, data).await;
    let alice = Peer::new("alice", "example.com", server.addr);
    let bob = Peer::new("bob", "example.com", server.addr);
    let r = alice.send("ACL", "alice", &[], b"").await;
    assert!(
        body_text(&r.body).contains("http://example.com/instmsg/aliases/bob"),
        "{:?}",
        r.body
    );
    let alice_cb = Listener::start().await;
    alice.login(&alice_cb.url).await;
    assert_eq!(
        bob.message("alice", "still blocked?", "DeepOr")
            .await
            .status,
        412
    );
}

#[tokio::test]
async fn librvp_self_grant_acl_is_accepted() {
    let server = TestServer::start(CONFIG, users("example.com", &["alice"])).await;
    let alice = Peer::new("alice", "example.com", server.addr);
    let body = xml_doc(&format!(
        "<a:rvpacl><a:acl><a:inheritance>none</a:inheritance><a:ace><a:principal><a:rvp-principal>{}</a:rvp-principal><a:credentials><a:assertion/><a:digest/><a:ntlm/></a:credentials></a:principal><a:grant><a:list/><a:read/><a:write/><a:send-to/><a:receive-from/><a:readacl/><a:writeacl/><a:presence/><a:subscriptions/><a:subscribe-others/></a:grant><a:deny/></a:ace></a:acl></a:rvpacl>",
        alice.url
    ));
    assert_eq!(alice.send("ACL", "alice", &[], &body).await.status, 200);
    assert_eq!(
        alice.send("ACL", "alice", &[], &body).await.status,
        200,
        "sent twice by librvp"
    );
    let r = alice.send("ACL", "alice", &[], b"").await;
    assert!(body_text(&r.body).contains("subscribe-others"));
}
