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

/// An ACE for `who` (a URL or `allprincipals`) with every credential kind.
fn ace(who: &str, grant: &[&str], deny: &[&str]) -> String {
    let rights = |r: &[&str]| r.iter().map(|x| format!("<a:{x}/>")).collect::<String>();
    format!(
        "<a:ace><a:principal><a:rvp-principal>{who}</a:rvp-principal><a:credentials><a:assertion/><a:digest/><a:ntlm/></a:credentials></a:principal><a:grant>{}</a:grant><a:deny>{}</a:deny></a:ace>",
        rights(grant),
        rights(deny)
    )
}

fn acl_doc(aces: &[String]) -> Vec<u8> {
    xml_doc(&format!(
        "<a:rvpacl><a:acl><a:inheritance>none</a:inheritance>{}</a:acl></a:rvpacl>",
        aces.concat()
    ))
}

const ALLPROP: &str = "<d:propfind><d:allprop/></d:propfind>";
const PROPNAME: &str = "<d:propfind><d:propname/></d:propfind>";
const DISPLAYNAME: &str = "<d:propfind><d:prop><d:displayname/></d:prop></d:propfind>";

async fn propfind(who: &Peer, target: &str, body: &str) -> rvp_codec::Response {
    let body = if body.is_empty() {
        Vec::new()
    } else {
        xml_doc(body)
    };
    who.send("PROPFIND", target, &[("Depth", "0")], &body).await
}

/// The draft's `list` right (§6.7.1, "who is allowed to list properties"):
/// `d:prop` needs `read`, `d:propname` needs `list`, `d:allprop` (or no body)
/// needs both.
#[tokio::test]
async fn propfind_listing_needs_the_list_right() {
    let server = TestServer::start(CONFIG, users("example.com", &["alice", "bob", "carol"])).await;
    let alice = Peer::new("alice", "example.com", server.addr);
    let bob = Peer::new("bob", "example.com", server.addr);
    let carol = Peer::new("carol", "example.com", server.addr);
    // The default ACL grants everyone read and list.
    let r = propfind(&bob, "alice", ALLPROP).await;
    assert_eq!(r.status, 207);
    assert!(body_text(&r.body).contains("alice (test)"), "{r:?}");

    // Everyone may read named properties; only carol may list them.
    let acl = acl_doc(&[
        ace("allprincipals", &["read", "send-to", "presence"], &[]),
        ace(&carol.url, &["list"], &[]),
    ]);
    assert_eq!(alice.send("ACL", "alice", &[], &acl).await.status, 200);
    let r = propfind(&bob, "alice", DISPLAYNAME).await;
    assert_eq!(r.status, 207, "read is enough for named properties");
    assert!(body_text(&r.body).contains("alice (test)"));
    for body in [ALLPROP, PROPNAME, ""] {
        let r = propfind(&bob, "alice", body).await;
        assert_eq!(r.status, 403, "bob, {body:?}");
        assert!(r.body.is_empty());
    }
    let r = propfind(&carol, "alice", ALLPROP).await;
    assert_eq!(r.status, 207);
    assert!(body_text(&r.body).contains("alice (test)"));
    assert!(body_text(&r.body).contains("<r:offline/>"));
    // propname: the names, no values.
    let r = propfind(&carol, "alice", PROPNAME).await;
    assert_eq!(r.status, 207);
    let text = body_text(&r.body);
    assert!(text.contains("<d:displayname/>"), "{text}");
    assert!(text.contains("<r:state/>"), "{text}");
    assert!(!text.contains("alice (test)"), "{text}");
    assert!(text.contains("HTTP/1.1 200"), "{text}");
    // The owner lists whatever the ACL says.
    assert_eq!(propfind(&alice, "alice", ALLPROP).await.status, 207);
    assert_eq!(propfind(&alice, "alice", "").await.status, 207);

    // list without read: the names only.
    let acl = acl_doc(&[ace("allprincipals", &["list"], &["read"])]);
    assert_eq!(alice.send("ACL", "alice", &[], &acl).await.status, 200);
    assert_eq!(propfind(&bob, "alice", PROPNAME).await.status, 207);
    assert_eq!(propfind(&bob, "alice", ALLPROP).await.status, 403);
    assert_eq!(propfind(&bob, "alice", DISPLAYNAME).await.status, 403);

    // A deny of list for one principal wins over the general grant.
    let acl = acl_doc(&[
        ace("allprincipals", &["read", "list"], &[]),
        ace(&bob.url, &[], &["list"]),
    ]);
    assert_eq!(alice.send("ACL", "alice", &[], &acl).await.status, 200);
    assert_eq!(propfind(&bob, "alice", ALLPROP).await.status, 403);
    assert_eq!(propfind(&bob, "alice", DISPLAYNAME).await.status, 207);
    assert_eq!(propfind(&carol, "alice", ALLPROP).await.status, 207);
}

/// A stored ACL that cannot be read must not fall back to the permissive
/// default (a block list would silently disappear): only the owner has
/// rights until she writes a new ACL.
#[tokio::test]
async fn unreadable_stored_acl_fails_closed() {
    let data = TempDir::new();
    let file = data.0.join("acl").join("example.com").join("alice.xml");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let torn = block("http://example.com/instmsg/aliases/bob");
    std::fs::write(&file, &torn[..torn.len() / 2]).unwrap();
    let dir = Arc::new(users("example.com", &["alice", "bob"]));
    let server = TestServer::start_with(CONFIG, dir, data).await;
    let alice = Peer::new("alice", "example.com", server.addr);
    let bob = Peer::new("bob", "example.com", server.addr);
    let alice_cb = Listener::start().await;
    let mut bob_cb = Listener::start().await;
    bob.login(&bob_cb.url).await;
    // The owner keeps every right.
    alice.login(&alice_cb.url).await;
    let r = alice.send("ACL", "alice", &[], b"").await;
    assert_eq!(r.status, 200);
    assert!(!body_text(&r.body).contains("allprincipals"), "{r:?}");
    // Others get nothing: presence hidden, messages refused as if offline,
    // properties unreadable.
    let r = bob.watch("alice").await;
    assert_eq!(r.status, 207);
    assert!(body_text(&r.body).contains("<r:offline/>"), "{r:?}");
    assert_eq!(bob.message("alice", "hello?", "DeepOr").await.status, 412);
    assert_eq!(propfind(&bob, "alice", DISPLAYNAME).await.status, 403);
    // The file is left for the operator.
    assert_eq!(std::fs::read(&file).unwrap(), &torn[..torn.len() / 2]);
    // Alice writes a new ACL: it replaces the file and applies.
    let open = acl_doc(&[ace(
        "allprincipals",
        &["read", "list", "send-to", "presence"],
        &[],
    )]);
    assert_eq!(alice.send("ACL", "alice", &[], &open).await.status, 200);
    bob_cb.next_with("<r:online/>").await;
    assert_eq!(bob.message("alice", "hello", "DeepOr").await.status, 200);
    assert!(body_text(&std::fs::read(&file).unwrap().into()).contains("allprincipals"));
}

/// An ACL write whose save fails answers 500 and changes nothing: the old
/// ACL stays in force (and on disk).
#[tokio::test]
async fn failed_acl_save_answers_500_and_keeps_the_old_acl() {
    let server = TestServer::start(CONFIG, users("example.com", &["alice", "bob"])).await;
    let alice = Peer::new("alice", "example.com", server.addr);
    let bob = Peer::new("bob", "example.com", server.addr);
    let mut alice_cb = Listener::start().await;
    let mut bob_cb = Listener::start().await;
    bob.login(&bob_cb.url).await;
    bob.watch("alice").await;
    alice.login(&alice_cb.url).await;
    bob_cb.next_with("<r:online/>").await;
    // A file where the domain's ACL directory belongs: the save fails (root
    // ignores permission bits, so a read-only directory would not).
    let acl_dir = server.data.0.join("acl");
    std::fs::create_dir_all(&acl_dir).unwrap();
    std::fs::write(acl_dir.join("example.com"), b"in the way").unwrap();
    let r = alice.send("ACL", "alice", &[], &block(&bob.url)).await;
    assert_eq!(r.status, 500);
    // The block is not in force: bob still sees her and may message her.
    bob_cb
        .nothing_for(std::time::Duration::from_millis(300))
        .await;
    assert_eq!(
        bob.message("alice", "not blocked", "DeepOr").await.status,
        200
    );
    alice_cb.next_with("not blocked").await;
    let r = alice.send("ACL", "alice", &[], b"").await;
    assert!(!body_text(&r.body).contains(&bob.url), "{r:?}");
    // Once the save can succeed the same write applies.
    std::fs::remove_file(acl_dir.join("example.com")).unwrap();
    assert_eq!(
        alice
            .send("ACL", "alice", &[], &block(&bob.url))
            .await
            .status,
        200
    );
    bob_cb.next_with("<r:offline/>").await;
    assert_eq!(bob.message("alice", "blocked", "DeepOr").await.status, 412);
}
