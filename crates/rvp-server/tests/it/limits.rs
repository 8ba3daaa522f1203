//! Limits with answers a client can tell apart: per-principal subscription
//! and watcher limits, stalled request bodies, and the per-address
//! connection limit.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::*;

const CONFIG: &str = "[[domain]]\nname = \"example.com\"\n";

fn reason(r: &rvp_codec::Response) -> String {
    r.reason
        .as_ref()
        .map(|p| p.to_str_lossy().into_owned())
        .unwrap_or_default()
}

/// The subscriber's limit answers 507 with its own reason phrase and an
/// explanation, unlike an ACL denial (403, empty body).
#[tokio::test]
async fn subscription_limit_answers_507_with_an_explanation() {
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
    assert_eq!(reason(&r), "Subscription Limit Reached");
    assert_eq!(header(&r, "content-type"), "text/plain; charset=utf-8");
    let text = body_text(&r.body);
    assert!(text.contains("max-subscriptions-per-principal"), "{text}");
    assert!(text.contains(&alice.url), "{text}");
    assert!(r.headers.get("subscription-id").is_none());
    // An ACL denial looks different.
    let denied = alice.send("SUBSCRIPTIONS", "bob", &[], b"").await;
    assert_eq!(denied.status, 403);
    assert!(denied.body.is_empty());
    // Cancelling one (its id from carol's watcher list) frees a place.
    let carol_sub = {
        let carol = Peer::new("carol", "example.com", server.addr);
        let r = carol
            .send(
                "SUBSCRIPTIONS",
                "carol",
                &[("Notification-Type", "update/propchange")],
                b"",
            )
            .await;
        assert_eq!(r.status, 200);
        let text = body_text(&r.body);
        text.split("subscription-id>")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap()
            .to_owned()
    };
    let r = alice
        .send(
            "UNSUBSCRIBE",
            "carol",
            &[("Subscription-Id", &carol_sub)],
            b"",
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(alice.watch("dave").await.status, 207);
}

/// The watched principal's limit (watchers and logins on its node) answers
/// 507 with another reason phrase.
#[tokio::test]
async fn watcher_limit_answers_507_with_an_explanation() {
    let config = format!("{CONFIG}[limits]\nmax-watchers-per-principal = 2\n");
    let server = TestServer::start(
        &config,
        users("example.com", &["alice", "bob", "carol", "dave"]),
    )
    .await;
    let alice = Peer::new("alice", "example.com", server.addr);
    for who in ["bob", "carol"] {
        let p = Peer::new(who, "example.com", server.addr);
        assert_eq!(p.watch("alice").await.status, 207, "{who}");
    }
    let dave = Peer::new("dave", "example.com", server.addr);
    let r = dave.watch("alice").await;
    assert_eq!(r.status, 507, "{r:?}");
    assert_eq!(reason(&r), "Watcher Limit Reached");
    let text = body_text(&r.body);
    assert!(text.contains("max-watchers-per-principal"), "{text}");
    assert!(text.contains(&alice.url), "{text}");
    // Logins count too: the node is full.
    let r = alice
        .send(
            "SUBSCRIBE",
            "alice",
            &[
                ("Notification-Type", "pragma/notify"),
                ("Subscription-Lifetime", "600"),
                ("Call-Back", "http://127.0.0.1:40000"),
            ],
            b"",
        )
        .await;
    assert_eq!(r.status, 507);
    assert_eq!(reason(&r), "Watcher Limit Reached");
}

/// A request whose body stops short of its Content-Length gets 408 once
/// the request timeout passes, and the connection closes.
#[tokio::test]
async fn stalled_body_gets_408_and_the_connection_closes() {
    let config = format!("{CONFIG}[limits]\nrequest-timeout-secs = 1\n");
    let server = TestServer::start(&config, users("example.com", &["alice"])).await;
    let mut s = TcpStream::connect(server.addr).await.unwrap();
    s.write_all(
        b"PROPPATCH /instmsg/aliases/alice HTTP/1.1\r\nHost: example.com\r\nRVP-Notifications-Version: 0.2\r\nContent-Type: text/xml\r\nContent-Length: 100\r\n\r\n<?xml version=\"1.0\"?>",
    )
    .await
    .unwrap();
    let started = Instant::now();
    let mut out = Vec::new();
    tokio::time::timeout(WAIT, s.read_to_end(&mut out))
        .await
        .expect("the connection closes in time")
        .unwrap();
    let elapsed = started.elapsed();
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(
        elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(5),
        "{elapsed:?}"
    );
    // The server still serves.
    let r = raw(server.addr, b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n").await;
    assert_eq!(r.status, 501);
}

/// An unauthenticated PROPFIND on an open connection: 401, connection kept.
async fn ask(s: &mut TcpStream) -> u16 {
    s.write_all(b"PROPFIND /instmsg/aliases/alice HTTP/1.1\r\nHost: example.com\r\nRVP-Notifications-Version: 0.2\r\nDepth: 0\r\nContent-Length: 0\r\n\r\n")
        .await
        .unwrap();
    read_response(s).await.status.as_u16()
}

/// One connection too many from an address is closed at once; the
/// connections already open keep working, and a closed one frees a place.
#[tokio::test]
async fn connection_limit_closes_the_extra_one_promptly_and_spares_the_others() {
    let config = format!("{CONFIG}[limits]\nmax-connections-per-ip = 2\n");
    let server = TestServer::start(&config, users("example.com", &["alice"])).await;
    let mut a = TcpStream::connect(server.addr).await.unwrap();
    let mut b = TcpStream::connect(server.addr).await.unwrap();
    assert_eq!(ask(&mut a).await, 401);
    assert_eq!(ask(&mut b).await, 401);
    let started = Instant::now();
    let mut c = TcpStream::connect(server.addr).await.unwrap();
    let mut buf = [0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(2), c.read(&mut buf))
        .await
        .expect("the extra connection is closed within two seconds")
        .unwrap_or(0);
    assert_eq!(n, 0, "closed without an answer");
    assert!(started.elapsed() < Duration::from_secs(2));
    // The first two still serve, on the same connections.
    assert_eq!(ask(&mut a).await, 401);
    assert_eq!(ask(&mut b).await, 401);
    // Closing one frees its place.
    drop(a);
    let deadline = Instant::now() + WAIT;
    loop {
        let mut d = TcpStream::connect(server.addr).await.unwrap();
        let wrote = d
            .write_all(b"PROPFIND /instmsg/aliases/alice HTTP/1.1\r\nHost: example.com\r\nDepth: 0\r\nContent-Length: 0\r\n\r\n")
            .await;
        let mut out = [0u8; 12];
        let got = tokio::time::timeout(Duration::from_secs(1), d.read(&mut out)).await;
        if wrote.is_ok() && matches!(got, Ok(Ok(n)) if n >= 12) {
            assert_eq!(&out, b"HTTP/1.1 401");
            break;
        }
        assert!(Instant::now() < deadline, "the place was never freed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(ask(&mut b).await, 401);
}
