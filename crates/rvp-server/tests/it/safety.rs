//! Callback safety and every limit: sizes, connections, slow clients,
//! subscriptions, queues, failing callbacks.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::*;

const CONFIG: &str = "[[domain]]\nname = \"example.com\"\n";

#[tokio::test]
async fn callbacks_must_point_at_the_client_or_a_principal() {
    let server = TestServer::start(CONFIG, users("example.com", &["alice", "bob"])).await;
    let alice = Peer::new("alice", "example.com", server.addr);
    for (callback, status) in [
        ("http://10.1.2.3:1051", 403),
        ("http://169.254.169.254/latest", 403),
        ("http://internal.example.net:8080/x", 403),
        ("https://127.0.0.1:4443", 403),
        ("http://example.com/instmsg/aliases/nobody", 403),
        ("http://other.test/instmsg/aliases/mallory", 403),
        ("not a url", 403),
        // A login whose callback is a node would loop.
        ("http://example.com/instmsg/aliases/alice", 400),
        ("http://127.0.0.1:40000", 200),
        ("http://localhost:40000", 200),
    ] {
        let r = alice
            .send(
                "SUBSCRIBE",
                "alice",
                &[
                    ("Notification-Type", "pragma/notify"),
                    ("Subscription-Lifetime", "600"),
                    ("Call-Back", callback),
                ],
                b"",
            )
            .await;
        assert_eq!(r.status, status, "{callback}");
    }
    // Another principal of ours as callback needs subscribe-others.
    let r = alice
        .send(
            "SUBSCRIBE",
            "bob",
            &[
                ("Notification-Type", "update/propchange"),
                ("Subscription-Lifetime", "600"),
                ("Call-Back", "http://example.com/instmsg/aliases/bob"),
            ],
            b"",
        )
        .await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn size_limits() {
    let config = format!("{CONFIG}[limits]\nmax-body-bytes = 2048\nmax-head-bytes = 8192\n");
    let server = TestServer::start(&config, users("example.com", &["alice"])).await;
    let alice = Peer::new("alice", "example.com", server.addr);
    let big = vec![b'x'; 4096];
    let r = alice.send("PROPPATCH", "alice", &[], &big).await;
    assert_eq!(r.status, 413);
    let long = "a".repeat(10_000);
    let req = format!(
        "PROPFIND /instmsg/aliases/alice HTTP/1.1\r\nHost: example.com\r\nX-Long: {long}\r\n\r\n"
    );
    let mut s = TcpStream::connect(server.addr).await.unwrap();
    let _ = s.write_all(req.as_bytes()).await;
    let mut out = Vec::new();
    let _ = tokio::time::timeout(WAIT, s.read_to_end(&mut out)).await;
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("HTTP/1.1 431"), "{text}");
}

#[tokio::test]
async fn connections_per_address_are_limited_and_slow_clients_cut_off() {
    let config =
        format!("{CONFIG}[limits]\nmax-connections-per-ip = 2\nrequest-timeout-secs = 1\n");
    let server = TestServer::start(&config, users("example.com", &["alice"])).await;
    let a = TcpStream::connect(server.addr).await.unwrap();
    let b = TcpStream::connect(server.addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut c = TcpStream::connect(server.addr).await.unwrap();
    let mut buf = [0u8; 16];
    let n = tokio::time::timeout(WAIT, c.read(&mut buf))
        .await
        .unwrap()
        .unwrap_or(0);
    assert_eq!(n, 0, "the third connection is closed at once");
    drop((a, b));
    tokio::time::sleep(Duration::from_millis(100)).await;
    // A client that starts a request and stalls is cut off after the timeout.
    let mut slow = TcpStream::connect(server.addr).await.unwrap();
    slow.write_all(b"PROPFIND /instmsg/aliases/alice HTTP/1.1\r\nHost: exa")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(WAIT, slow.read_to_end(&mut out))
        .await
        .expect("closed in time");
    assert!(started.elapsed() < Duration::from_secs(5));
    // The server still serves.
    let r = raw(server.addr, b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n").await;
    assert_eq!(r.status, 501);
}

#[tokio::test]
async fn subscriptions_per_principal_are_limited() {
    let config = format!("{CONFIG}[limits]\nmax-subscriptions-per-principal = 2\n");
    let server = TestServer::start(
        &config,
        users("example.com", &["alice", "bob", "carol", "dave"]),
    )
    .await;
    let alice = Peer::new("alice", "example.com", server.addr);
    assert_eq!(alice.watch("bob").await.status, 207);
    assert_eq!(alice.watch("carol").await.status, 207);
    let r = alice.watch("dave").await;
    assert_eq!(r.status, 507, "{r:?}");
}

#[tokio::test]
async fn polling_queue_is_bounded_and_reports_drops() {
    let config = format!("{CONFIG}[limits]\nmax-queued-notifications = 2\n");
    let server = TestServer::start(&config, users("example.com", &["alice", "bob"])).await;
    let alice = Peer::new("alice", "example.com", server.addr);
    let bob = Peer::new("bob", "example.com", server.addr);
    let r = alice
        .send(
            "SUBSCRIBE",
            "alice",
            &[
                ("Notification-Type", "pragma/notify"),
                ("Subscription-Lifetime", "600"),
                ("RVP-Poll-Interval", "60"),
            ],
            b"",
        )
        .await;
    let id = header(&r, "subscription-id");
    for i in 0..5 {
        assert_eq!(
            bob.message("alice", &format!("m{i}"), "DeepOr")
                .await
                .status,
            200
        );
    }
    let r = alice
        .send("POLL", "alice", &[("Subscription-Id", &id)], b"")
        .await;
    assert_eq!(header(&r, "rvp-poll-dropped"), "3");
    assert_eq!(header(&r, "rvp-poll-remaining"), "1");
    assert!(body_text(&r.body).contains("m3"));
}

#[tokio::test]
async fn a_callback_that_keeps_failing_ends_the_login_and_watchers_are_told() {
    let config = format!("{CONFIG}[limits]\ncallback-failures = 2\n");
    let server = TestServer::start(&config, users("example.com", &["alice", "bob"])).await;
    let alice = Peer::new("alice", "example.com", server.addr);
    let bob = Peer::new("bob", "example.com", server.addr);
    let alice_cb = Listener::start().await;
    let mut bob_cb = Listener::start().await;
    bob.login(&bob_cb.url).await;
    bob.watch("alice").await;
    alice.login(&alice_cb.url).await;
    bob_cb.next_with("<r:online/>").await;
    alice_cb
        .fail
        .store(true, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(bob.message("alice", "one", "DeepOr").await.status, 412);
    assert_eq!(bob.message("alice", "two", "DeepOr").await.status, 412);
    bob_cb.next_with("<r:offline/>").await;
    assert_eq!(bob.message("alice", "three", "DeepOr").await.status, 412);
}
