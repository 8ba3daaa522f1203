//! The white paper's seven scenarios, end to end over loopback TCP, with the
//! wire shapes librvp sends (support.rs) and assertions on the raw answers
//! and NOTIFYs.

use crate::support::*;

const CONFIG: &str = "[[domain]]\nname = \"example.com\"\n";

/// Scenario 1: logging on. The login subscription with a callback, the
/// leased state, PROPFIND, SUBSCRIPTIONS and the ACL read, each answered
/// as librvp needs.
#[tokio::test]
async fn scenario_1_log_on() {
    let server = TestServer::start(CONFIG, users("example.com", &["alice", "bob"])).await;
    let alice = Peer::new("alice", "example.com", server.addr);
    let listener = Listener::start().await;

    // Without credentials: a Digest challenge for the IM domain.
    let bare = raw(
        server.addr,
        b"SUBSCRIBE /instmsg/aliases/alice HTTP/1.1\r\nContent-Length: 0\r\nRVP-Notifications-Version: 0.2\r\nHost: example.com\r\nNotification-Type: pragma/notify\r\n\r\n",
    )
    .await;
    assert_eq!(bare.status, 401);
    let www = header(&bare, "www-authenticate");
    assert!(www.starts_with("Digest "), "{www}");
    assert!(www.contains("realm=\"example.com\""), "{www}");
    assert!(www.contains("qop=\"auth\""), "{www}");
    assert_eq!(header(&bare, "rvp-notifications-version"), "0.2");

    let r = alice
        .send(
            "SUBSCRIBE",
            "alice",
            &[
                ("Notification-Type", "pragma/notify"),
                ("Subscription-Lifetime", "14000"),
                ("Call-Back", &listener.url),
            ],
            b"",
        )
        .await;
    assert_eq!(r.status, 200);
    let id: u32 = header(&r, "subscription-id").parse().unwrap();
    assert!(id >= 1 && id <= i32::MAX as u32);
    assert_eq!(header(&r, "subscription-lifetime"), "14000");

    let r = alice.set_state("online").await;
    assert_eq!(r.status, 207);
    let body = body_text(&r.body);
    assert!(
        body.contains("<d:href>http://example.com/instmsg/aliases/alice</d:href>"),
        "{body}"
    );
    assert!(body.contains("<r:online/>"), "{body}");
    assert!(body.contains("<d:timeout>1200</d:timeout>"), "{body}");
    assert!(body.contains("<r:view-id>"), "{body}");

    let r = alice
        .send(
            "PROPFIND",
            "alice",
            &[("Depth", "0")],
            &xml_doc("<d:propfind><d:prop><d:displayname/><r:state/><r:mobile-state/></d:prop></d:propfind>"),
        )
        .await;
    assert_eq!(r.status, 207);
    let body = body_text(&r.body);
    assert!(
        body.contains("<d:displayname>alice (test)</d:displayname>"),
        "{body}"
    );
    assert!(body.contains("<r:state><r:online/></r:state>"), "{body}");
    // The missing property is a 404 propstat.
    assert!(body.contains("<r:mobile-state/>"), "{body}");
    assert!(body.contains("HTTP/1.1 404"), "{body}");

    let r = alice
        .send(
            "SUBSCRIPTIONS",
            "alice",
            &[("Notification-Type", "update/propchange")],
            b"",
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(body_text(&r.body).contains("subscriptions"), "{:?}", r.body);

    let r = alice.send("ACL", "alice", &[], b"").await;
    assert_eq!(r.status, 200);
    assert!(body_text(&r.body).contains("a:rvpacl"));
}

/// Scenarios 2, 3, 5 and 6: Bob adds Alice (207 with her state and a
/// Subscription-Id), Alice logs on and changes her presence (on the phone,
/// then idle -> away -> online), and Bob's listener gets each change as a
/// bare-state propnotification, routed through his logical URL.
#[tokio::test]
async fn scenarios_2_3_5_6_contacts_and_presence() {
    let server = TestServer::start(CONFIG, users("example.com", &["alice", "bob"])).await;
    let alice = Peer::new("alice", "example.com", server.addr);
    let bob = Peer::new("bob", "example.com", server.addr);
    let mut bob_cb = Listener::start().await;
    let alice_cb = Listener::start().await;
    bob.login(&bob_cb.url).await;

    // Scenario 2: add a contact.
    let r = bob.watch("alice").await;
    assert_eq!(r.status, 207);
    let body = body_text(&r.body);
    assert!(
        body.contains("<d:href>http://example.com/instmsg/aliases/alice</d:href>"),
        "{body}"
    );
    assert!(body.contains("<r:state><r:offline/></r:state>"), "{body}");
    let sub = header(&r, "subscription-id");
    assert_eq!(header(&r, "subscription-lifetime"), "14000");

    // Scenario 3: the contact logs on.
    alice.login(&alice_cb.url).await;
    let n = bob_cb.next_with("<r:online/>").await;
    assert_eq!(n.method.as_str(), "NOTIFY");
    assert_eq!(n.headers["notification-type"], "update/propchange");
    assert_eq!(n.headers["subscription-id"], sub.as_str());
    assert_eq!(
        n.headers["rvp-from-principal"],
        "http://example.com/instmsg/aliases/alice"
    );
    let body = body_text(&n.body);
    assert!(body.contains("r:propnotification"), "{body}");
    assert!(body.contains("<r:state><r:online/></r:state>"), "{body}");
    assert!(!body.contains("leased-value"), "{body}");

    // Scenario 5: presence change.
    assert_eq!(alice.set_state("on-phone").await.status, 207);
    bob_cb.next_with("<r:on-phone/>").await;

    // Scenario 6: idle -> away, activity -> online.
    assert_eq!(alice.set_state("away").await.status, 207);
    bob_cb.next_with("<r:away/>").await;
    assert_eq!(alice.set_state("online").await.status, 207);
    bob_cb.next_with("<r:online/>").await;

    // Bob's SUBSCRIPTIONS on Alice is not his to read; Alice's lists Bob.
    let r = alice
        .send(
            "SUBSCRIPTIONS",
            "alice",
            &[("Notification-Type", "update/propchange")],
            b"",
        )
        .await;
    let body = body_text(&r.body);
    assert!(
        body.contains("http://example.com/instmsg/aliases/bob"),
        "{body}"
    );
    assert!(body.contains(&format!(">{sub}<")), "{body}");
}

/// Scenario 4: messages both ways, typing notices, delivered to the login
/// callback with the body unchanged; DeepOr answers 200.
#[tokio::test]
async fn scenario_4_exchange_messages() {
    let server = TestServer::start(CONFIG, users("example.com", &["alice", "bob"])).await;
    let alice = Peer::new("alice", "example.com", server.addr);
    let bob = Peer::new("bob", "example.com", server.addr);
    let mut alice_cb = Listener::start().await;
    let mut bob_cb = Listener::start().await;
    alice.login(&alice_cb.url).await;
    bob.login(&bob_cb.url).await;

    let text = "Hello Bob <b>bold</b> & \"quotes\" \u{e4}\u{f6}\u{fc}";
    let sent = message_body(&alice.url, &alice.url_of("bob"), text);
    let r = alice.message("bob", text, "DeepOr").await;
    assert_eq!(r.status, 200);
    let n = bob_cb.next_with("text/plain").await;
    assert_eq!(
        &n.body[..],
        &sent[..],
        "the body reaches the callback unchanged"
    );
    assert_eq!(n.headers["rvp-from-principal"], alice.url.as_str());
    assert_eq!(n.headers["content-type"], "text/xml");
    assert_eq!(n.headers["rvp-hop-count"], "2");

    let typing = xml_doc(&format!(
        "<r:notification><r:message><r:notification-from><r:contact><d:href>{}</d:href></r:contact></r:notification-from><r:notification-to><r:contact><d:href>{}</d:href></r:contact></r:notification-to><r:msgbody><r:mime-data><![CDATA[MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol; charset=UTF-8\r\nTypingUser: alice@example.com\r\nSession-Id: {{9BCA3DAF-70A2-7372-6CA5-2A6002C7D16F}}\r\n\r\n]]></r:mime-data></r:msgbody></r:message></r:notification>",
        alice.url,
        alice.url_of("bob")
    ));
    let r = alice
        .send(
            "NOTIFY",
            "bob",
            &[("RVP-Hop-Count", "1"), ("RVP-Ack-Type", "DeepOr")],
            &typing,
        )
        .await;
    assert_eq!(r.status, 200);
    bob_cb.next_with("TypingUser: alice@example.com").await;

    let r = bob.message("alice", "hi alice", "DeepOr").await;
    assert_eq!(r.status, 200);
    alice_cb.next_with("hi alice").await;
}

/// Scenario 7: logging off. librvp's fast logout (UNSUBSCRIBE of the last
/// self subscription, PROPPATCH offline without a lease) tells watchers the
/// principal went offline; a full logoff (UNSUBSCRIBE of the login) makes
/// messages undeliverable (412).
#[tokio::test]
async fn scenario_7_log_off() {
    let server = TestServer::start(CONFIG, users("example.com", &["alice", "bob"])).await;
    let alice = Peer::new("alice", "example.com", server.addr);
    let bob = Peer::new("bob", "example.com", server.addr);
    let alice_cb = Listener::start().await;
    let mut bob_cb = Listener::start().await;
    bob.login(&bob_cb.url).await;
    assert_eq!(bob.watch("alice").await.status, 207);
    let login = alice.login(&alice_cb.url).await;
    bob_cb.next_with("<r:online/>").await;

    let offline = xml_doc(
        "<d:propertyupdate><d:set><d:prop><r:state><r:offline/></r:state></d:prop></d:set></d:propertyupdate>",
    );
    assert_eq!(
        alice.send("PROPPATCH", "alice", &[], &offline).await.status,
        207
    );
    bob_cb.next_with("<r:offline/>").await;

    let r = alice
        .send("UNSUBSCRIBE", "alice", &[("Subscription-Id", &login)], b"")
        .await;
    assert_eq!(r.status, 200);
    let r = bob.message("alice", "are you there?", "DeepOr").await;
    assert_eq!(r.status, 412);
    // Unsubscribing again: the id is gone.
    let r = alice
        .send("UNSUBSCRIBE", "alice", &[("Subscription-Id", &login)], b"")
        .await;
    assert_eq!(r.status, 404);
}

/// librvp's logout starts with the UNSUBSCRIBE of its login subscription; the
/// PROPPATCH to offline that should follow never comes when its logout busy-wait
/// misses the request (it then hangs). Ending the login takes the view offline, so
/// watchers see the log-off anyway.
#[tokio::test]
async fn unsubscribing_the_login_takes_the_view_offline() {
    let server = TestServer::start(CONFIG, users("example.com", &["alice", "bob"])).await;
    let alice = Peer::new("alice", "example.com", server.addr);
    let bob = Peer::new("bob", "example.com", server.addr);
    let alice_cb = Listener::start().await;
    let mut bob_cb = Listener::start().await;
    bob.login(&bob_cb.url).await;
    assert_eq!(bob.watch("alice").await.status, 207);
    let login = alice.login(&alice_cb.url).await;
    bob_cb.next_with("<r:online/>").await;

    let r = alice
        .send("UNSUBSCRIBE", "alice", &[("Subscription-Id", &login)], b"")
        .await;
    assert_eq!(r.status, 200);
    bob_cb.next_with("<r:offline/>").await;
    let r = bob.watch("alice").await;
    assert!(body_text(&r.body).contains("<r:offline/>"));
}
