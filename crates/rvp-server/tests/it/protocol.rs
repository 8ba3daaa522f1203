//! Methods, status codes, ack types, leases and renewals.

use std::time::Duration;

use crate::support::*;

const CONFIG: &str = "[[domain]]\nname = \"example.com\"\n";

#[tokio::test]
async fn methods_outside_rvp_are_refused() {
    let server = TestServer::start(CONFIG, users("example.com", &["alice"])).await;
    for (method, status) in [
        ("GET", 501),
        ("HEAD", 501),
        ("POST", 501),
        ("PUT", 501),
        ("LOCK", 501),
        ("UNLOCK", 501),
        ("OPTIONS", 501),
        ("BREW", 501),
        ("COPY", 405),
        ("MOVE", 405),
    ] {
        let req = format!(
            "{method} /instmsg/aliases/alice HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\nRVP-Notifications-Version: 0.2\r\n\r\n"
        );
        let r = raw(server.addr, req.as_bytes()).await;
        assert_eq!(r.status, status, "{method}");
        assert_eq!(header(&r, "rvp-notifications-version"), "0.2");
    }
}

#[tokio::test]
async fn unknown_nodes_malformed_requests_and_version_echo() {
    let server = TestServer::start(CONFIG, users("example.com", &["alice"])).await;
    let alice = Peer::new("alice", "example.com", server.addr);
    let r = alice
        .send("PROPFIND", "nobody", &[("Depth", "0")], b"")
        .await;
    assert_eq!(r.status, 404);
    let r = raw(
        server.addr,
        b"PROPFIND /groups/x HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\n\r\n",
    )
    .await;
    assert_eq!(r.status, 404);
    let r = raw(server.addr, b"PROPFIND http://other.example/instmsg/aliases/x HTTP/1.1\r\nHost: other.example\r\nContent-Length: 0\r\n\r\n").await;
    assert_eq!(r.status, 404);
    let r = raw(
        server.addr,
        b"PROPFIND /instmsg/aliases/alice HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
    )
    .await;
    assert_eq!(r.status, 400, "no Host");
    let r = raw(server.addr, b"NOT HTTP AT ALL\r\n\r\n").await;
    assert_eq!(r.status, 400);
    // Bare LF line ends (one real client) are accepted; the version is echoed.
    let r = raw(server.addr, b"PROPFIND /instmsg/aliases/alice HTTP/1.1\nHost: example.com\nRVP-Notifications-Version: 1.0\nContent-Length: 0\n\n").await;
    assert_eq!(r.status, 401);
    assert_eq!(header(&r, "rvp-notifications-version"), "1.0");
    // Malformed XML after authentication: 400.
    let r = alice
        .send("PROPPATCH", "alice", &[], b"<d:propertyupdate")
        .await;
    assert_eq!(r.status, 400);
    let r = alice
        .send(
            "SUBSCRIBE",
            "alice",
            &[("Call-Back", "http://127.0.0.1:9")],
            b"",
        )
        .await;
    assert_eq!(r.status, 400, "no Notification-Type");
    let r = alice
        .send("PROPFIND", "alice", &[("Depth", "1")], b"")
        .await;
    assert_eq!(r.status, 412, "Depth 1");
    let r = alice
        .send("PROPFIND", "alice", &[("Depth", "infinity")], b"")
        .await;
    assert_eq!(r.status, 412);
    let r = alice
        .send("UNSUBSCRIBE", "alice", &[("Subscription-Id", "9A504")], b"")
        .await;
    assert_eq!(r.status, 404, "opaque ids that are not ours");
    let r = alice
        .send(
            "NOTIFY",
            "alice",
            &[("RVP-Hop-Count", "9")],
            &message_body(&alice.url, &alice.url, "x"),
        )
        .await;
    assert_eq!(r.status, 508, "hop count above the maximum");
}

#[tokio::test]
async fn ack_types() {
    let server = TestServer::start(CONFIG, users("example.com", &["alice", "bob"])).await;
    let alice = Peer::new("alice", "example.com", server.addr);
    let bob = Peer::new("bob", "example.com", server.addr);
    // Offline principal: 412 whatever the ack type.
    for ack in ["SingleHop", "DeepOr", "DeepAnd"] {
        assert_eq!(alice.message("bob", "hi", ack).await.status, 412, "{ack}");
    }
    let mut ok = Listener::start().await;
    let bad = Listener::start().await;
    bad.fail.store(true, std::sync::atomic::Ordering::Relaxed);
    bob.login(&ok.url).await;
    // A second login of bob whose callback fails.
    let r = bob
        .send(
            "SUBSCRIBE",
            "bob",
            &[
                ("Notification-Type", "pragma/notify"),
                ("Subscription-Lifetime", "600"),
                ("Call-Back", &bad.url),
            ],
            b"",
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(alice.message("bob", "deep-or", "DeepOr").await.status, 200);
    ok.next_with("deep-or").await;
    assert_eq!(
        alice.message("bob", "deep-and", "DeepAnd").await.status,
        412
    );
    ok.next_with("deep-and").await;
    assert_eq!(
        alice.message("bob", "single", "SingleHop").await.status,
        200
    );
    ok.next_with("single").await;
}

#[tokio::test]
async fn presence_lease_expiry_notifies_offline() {
    let config = format!("{CONFIG}[leases]\npresence-min-secs = 1\n");
    let server = TestServer::start(&config, users("example.com", &["alice", "bob"])).await;
    let alice = Peer::new("alice", "example.com", server.addr);
    let bob = Peer::new("bob", "example.com", server.addr);
    let mut bob_cb = Listener::start().await;
    bob.login(&bob_cb.url).await;
    bob.watch("alice").await;
    let r = alice
        .send("PROPPATCH", "alice", &[], &leased_state("busy", 1))
        .await;
    assert_eq!(r.status, 207);
    assert!(body_text(&r.body).contains("<d:timeout>1</d:timeout>"));
    bob_cb.next_with("<r:busy/>").await;
    // No refresh: the lease runs out and the default (offline) is published.
    bob_cb.next_with("<r:offline/>").await;
}

#[tokio::test]
async fn subscription_expiry_and_librvp_renewal() {
    let config =
        format!("{CONFIG}[leases]\nsubscription-min-secs = 1\nsubscription-max-secs = 2\n");
    let server = TestServer::start(&config, users("example.com", &["alice", "bob"])).await;
    let alice = Peer::new("alice", "example.com", server.addr);
    let bob = Peer::new("bob", "example.com", server.addr);
    let mut alice_cb = Listener::start().await;
    let r = alice
        .send(
            "SUBSCRIBE",
            "alice",
            &[
                ("Notification-Type", "pragma/notify"),
                ("Subscription-Lifetime", "14000"),
                ("Call-Back", &alice_cb.url),
            ],
            b"",
        )
        .await;
    assert_eq!(
        header(&r, "subscription-lifetime"),
        "2",
        "clamped to the maximum"
    );
    assert_eq!(alice.set_state("online").await.status, 207);
    // librvp's self update/propchange subscription: its id is the one it renews.
    let url = alice.url.clone();
    let r = alice
        .send(
            "SUBSCRIBE",
            "alice",
            &[
                ("Notification-Type", "update/propchange"),
                ("Subscription-Lifetime", "14000"),
                ("Call-Back", &url),
            ],
            b"",
        )
        .await;
    assert_eq!(r.status, 207);
    let self_id = header(&r, "subscription-id");
    // Renew with that id only (no Notification-Type, no Call-Back), every second,
    // for longer than the lifetime: the login subscription lives on.
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(900)).await;
        let r = alice
            .send(
                "SUBSCRIBE",
                "alice",
                &[
                    ("Subscription-Lifetime", "14000"),
                    ("Subscription-Id", &self_id),
                ],
                b"",
            )
            .await;
        assert_eq!(r.status, 200);
        assert_eq!(header(&r, "subscription-id"), self_id);
    }
    assert_eq!(
        bob.message("alice", "still there", "DeepOr").await.status,
        200
    );
    alice_cb.next_with("still there").await;
    // Without renewals everything expires.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(bob.message("alice", "gone", "DeepOr").await.status, 412);
    // Her login ended with it: she reads offline although her presence lease
    // (1200 s) has not run out.
    let r = bob
        .send(
            "PROPFIND",
            "alice",
            &[("Depth", "0")],
            &xml_doc("<d:propfind><d:prop><r:state/></d:prop></d:propfind>"),
        )
        .await;
    assert_eq!(r.status, 207);
    assert!(body_text(&r.body).contains("<r:offline/>"), "{r:?}");
    let r = alice
        .send(
            "SUBSCRIBE",
            "alice",
            &[
                ("Subscription-Lifetime", "14000"),
                ("Subscription-Id", &self_id),
            ],
            b"",
        )
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn polling_login_queues_until_polled() {
    let server = TestServer::start(CONFIG, users("example.com", &["alice", "bob"])).await;
    let alice = Peer::new("alice", "example.com", server.addr);
    let bob = Peer::new("bob", "example.com", server.addr);
    let r = alice
        .send(
            "SUBSCRIBE",
            "alice",
            &[
                ("Notification-Type", "pragma/notify"),
                ("Subscription-Lifetime", "14000"),
                ("RVP-Poll-Interval", "5"),
            ],
            b"",
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        header(&r, "rvp-poll-interval"),
        "60",
        "clamped to the minimum"
    );
    let id = header(&r, "subscription-id");
    let r = alice
        .send("POLL", "alice", &[("Subscription-Id", &id)], b"")
        .await;
    assert_eq!(r.status, 204);
    for text in ["first", "second"] {
        assert_eq!(bob.message("alice", text, "DeepOr").await.status, 200);
    }
    let r = alice
        .send("POLL", "alice", &[("Subscription-Id", &id)], b"")
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(header(&r, "rvp-poll-remaining"), "1");
    assert_eq!(header(&r, "rvp-from-principal"), bob.url);
    assert!(body_text(&r.body).contains("first"));
    let r = alice
        .send("POLL", "alice", &[("Subscription-Id", &id)], b"")
        .await;
    assert!(body_text(&r.body).contains("second"));
    assert_eq!(header(&r, "rvp-poll-remaining"), "0");
    // Someone else's login cannot be polled.
    let r = bob
        .send("POLL", "alice", &[("Subscription-Id", &id)], b"")
        .await;
    assert_eq!(r.status, 403);
}

/// A login SUBSCRIBE with a callback and the lifetime asked.
async fn login_for(peer: &Peer, callback: &str, lifetime: &str) -> String {
    let alias = peer.alias.clone();
    let r = peer
        .send(
            "SUBSCRIBE",
            &alias,
            &[
                ("Notification-Type", "pragma/notify"),
                ("Subscription-Lifetime", lifetime),
                ("Call-Back", callback),
            ],
            b"",
        )
        .await;
    assert_eq!(r.status, 200, "login SUBSCRIBE");
    header(&r, "subscription-id")
}

/// A polling login SUBSCRIBE; returns (id, granted interval).
async fn polling_login(peer: &Peer, interval: &str, lifetime: &str) -> (String, String) {
    let alias = peer.alias.clone();
    let r = peer
        .send(
            "SUBSCRIBE",
            &alias,
            &[
                ("Notification-Type", "pragma/notify"),
                ("Subscription-Lifetime", lifetime),
                ("RVP-Poll-Interval", interval),
            ],
            b"",
        )
        .await;
    assert_eq!(r.status, 200, "polling login");
    (
        header(&r, "subscription-id"),
        header(&r, "rvp-poll-interval"),
    )
}

async fn poll(peer: &Peer, id: &str) -> rvp_codec::Response {
    let alias = peer.alias.clone();
    peer.send("POLL", &alias, &[("Subscription-Id", id)], b"")
        .await
}

/// When a login subscription runs out (no renewal), the login ends as an
/// UNSUBSCRIBE ends it: the principal's watchers are told she went offline,
/// and messages get 412.
#[tokio::test]
async fn login_expiry_tells_watchers_offline() {
    let config = format!("{CONFIG}[leases]\nsubscription-min-secs = 1\n");
    let server = TestServer::start(&config, users("example.com", &["alice", "bob"])).await;
    let alice = Peer::new("alice", "example.com", server.addr);
    let bob = Peer::new("bob", "example.com", server.addr);
    let alice_cb = Listener::start().await;
    let mut bob_cb = Listener::start().await;
    bob.login(&bob_cb.url).await;
    assert_eq!(bob.watch("alice").await.status, 207);
    // Alice's login asks 2 s; her presence lease is 1200 s.
    login_for(&alice, &alice_cb.url, "2").await;
    assert_eq!(alice.set_state("online").await.status, 207);
    bob_cb.next_with("<r:online/>").await;
    assert_eq!(bob.message("alice", "here", "DeepOr").await.status, 200);
    let started = std::time::Instant::now();
    let offline = bob_cb.next_with("<r:offline/>").await;
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(body_text(&offline.body).contains(&alice.url));
    assert_eq!(bob.message("alice", "gone", "DeepOr").await.status, 412);
}

/// SingleHop answers once routed, without waiting for a callback that never
/// answers; DeepOr and DeepAnd wait for it and answer 412 when it does not
/// accept (timeout or error).
#[tokio::test]
async fn single_hop_does_not_wait_for_a_hung_callback() {
    let config = format!("{CONFIG}[limits]\noutbound-timeout-secs = 3\ncallback-failures = 10\n");
    let server = TestServer::start(&config, users("example.com", &["alice", "bob", "carol"])).await;
    let alice = Peer::new("alice", "example.com", server.addr);
    let bob = Peer::new("bob", "example.com", server.addr);
    let carol = Peer::new("carol", "example.com", server.addr);
    // Bob's only login never answers.
    let hung = SilentListener::start().await;
    login_for(&bob, &hung.url, "600").await;
    let started = std::time::Instant::now();
    assert_eq!(
        alice.message("bob", "single", "SingleHop").await.status,
        200
    );
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "SingleHop waited {:?}",
        started.elapsed()
    );
    let started = std::time::Instant::now();
    assert_eq!(alice.message("bob", "deep-or", "DeepOr").await.status, 412);
    assert!(
        started.elapsed() >= Duration::from_millis(2500),
        "DeepOr answered after {:?}, before the callback timed out",
        started.elapsed()
    );
    assert_eq!(
        alice.message("bob", "deep-and", "DeepAnd").await.status,
        412
    );
    assert!(hung.accepted.load(std::sync::atomic::Ordering::Relaxed) >= 1);
    // Carol's only login answers 500 at once.
    let failing = Listener::start().await;
    failing
        .fail
        .store(true, std::sync::atomic::Ordering::Relaxed);
    login_for(&carol, &failing.url, "600").await;
    let started = std::time::Instant::now();
    assert_eq!(
        alice.message("carol", "single", "SingleHop").await.status,
        200
    );
    assert_eq!(
        alice.message("carol", "deep-or", "DeepOr").await.status,
        412
    );
    assert_eq!(
        alice.message("carol", "deep-and", "DeepAnd").await.status,
        412
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "a 500 is not waited out: {:?}",
        started.elapsed()
    );
}

/// DeepAnd answers 200 when every login of the principal accepts.
#[tokio::test]
async fn deep_and_when_every_login_accepts() {
    let server = TestServer::start(CONFIG, users("example.com", &["alice", "bob"])).await;
    let alice = Peer::new("alice", "example.com", server.addr);
    let bob = Peer::new("bob", "example.com", server.addr);
    let mut one = Listener::start().await;
    let mut two = Listener::start().await;
    bob.login(&one.url).await;
    login_for(&bob, &two.url, "600").await;
    assert_eq!(alice.message("bob", "to both", "DeepAnd").await.status, 200);
    // Both were delivered before the answer (DeepAnd waits for every login).
    one.next_with("to both").await;
    two.next_with("to both").await;
    assert_eq!(alice.message("bob", "either", "DeepOr").await.status, 200);
    one.next_with("either").await;
    two.next_with("either").await;
    // One login starts failing: DeepAnd no longer holds, DeepOr still does.
    two.fail.store(true, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(alice.message("bob", "and", "DeepAnd").await.status, 412);
    assert_eq!(alice.message("bob", "or", "DeepOr").await.status, 200);
}

#[tokio::test]
async fn polling_interval_is_clamped_to_fifteen_minutes() {
    let server = TestServer::start(CONFIG, users("example.com", &["alice"])).await;
    let alice = Peer::new("alice", "example.com", server.addr);
    for (asked, granted) in [
        ("3600", "900"),
        ("901", "900"),
        ("900", "900"),
        ("300", "300"),
    ] {
        assert_eq!(
            polling_login(&alice, asked, "600").await.1,
            granted,
            "{asked}"
        );
    }
    let r = alice
        .send(
            "SUBSCRIBE",
            "alice",
            &[
                ("Notification-Type", "pragma/notify"),
                ("Subscription-Lifetime", "600"),
                ("RVP-Poll-Interval", "soon"),
            ],
            b"",
        )
        .await;
    assert_eq!(r.status, 400);
}

/// Queued messages live as long as the polling login: UNSUBSCRIBE or the
/// end of its lifetime drops them, and a new login starts empty.
#[tokio::test]
async fn polling_queue_is_dropped_when_the_login_ends() {
    let config = format!("{CONFIG}[leases]\nsubscription-min-secs = 1\n");
    let server = TestServer::start(&config, users("example.com", &["alice", "bob"])).await;
    let alice = Peer::new("alice", "example.com", server.addr);
    let bob = Peer::new("bob", "example.com", server.addr);
    let (id, _) = polling_login(&alice, "60", "600").await;
    for text in ["one", "two"] {
        assert_eq!(bob.message("alice", text, "DeepOr").await.status, 200);
    }
    let r = alice
        .send("UNSUBSCRIBE", "alice", &[("Subscription-Id", &id)], b"")
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(poll(&alice, &id).await.status, 404);
    assert_eq!(bob.message("alice", "three", "DeepOr").await.status, 412);
    let (again, _) = polling_login(&alice, "60", "600").await;
    let r = poll(&alice, &again).await;
    assert_eq!(r.status, 204, "nothing carried over: {r:?}");

    // The lifetime runs out.
    assert_eq!(
        alice
            .send("UNSUBSCRIBE", "alice", &[("Subscription-Id", &again)], b"")
            .await
            .status,
        200
    );
    let (short, _) = polling_login(&alice, "60", "1").await;
    assert_eq!(bob.message("alice", "four", "DeepOr").await.status, 200);
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert_eq!(poll(&alice, &short).await.status, 404);
    assert_eq!(bob.message("alice", "five", "DeepOr").await.status, 412);
}

/// Presence changes of a watched principal reach a polling login (its
/// `Call-Back` is the principal's own URL, so they are queued like messages).
#[tokio::test]
async fn presence_changes_reach_a_polling_login() {
    let server = TestServer::start(CONFIG, users("example.com", &["alice", "bob"])).await;
    let alice = Peer::new("alice", "example.com", server.addr);
    let bob = Peer::new("bob", "example.com", server.addr);
    let (id, _) = polling_login(&alice, "60", "600").await;
    let r = alice.watch("bob").await;
    assert_eq!(r.status, 207);
    assert!(body_text(&r.body).contains("<r:offline/>"));
    assert_eq!(bob.set_state("busy").await.status, 207);
    // Delivery to the queue runs after the PROPPATCH's answer.
    let deadline = std::time::Instant::now() + WAIT;
    let r = loop {
        let r = poll(&alice, &id).await;
        if r.status == 200 {
            break r;
        }
        assert_eq!(r.status, 204);
        assert!(
            std::time::Instant::now() < deadline,
            "no notification queued"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(header(&r, "notification-type"), "update/propchange");
    assert_eq!(header(&r, "rvp-from-principal"), bob.url);
    let text = body_text(&r.body);
    assert!(text.contains("propnotification"), "{text}");
    assert!(text.contains("<r:busy/>"), "{text}");
    assert!(text.contains(&bob.url), "{text}");
    assert_eq!(header(&r, "rvp-poll-remaining"), "0");
}
