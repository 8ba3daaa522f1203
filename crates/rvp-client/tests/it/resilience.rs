//! Back-off under a failing server and re-login after a restart.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rvp_client::{Client, Error, Event, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::*;

/// A server that answers every request with `503` and records when.
async fn failing_server() -> (std::net::SocketAddr, Arc<Mutex<Vec<Instant>>>) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((mut c, _)) = l.accept().await {
            let s = Arc::clone(&s);
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match c.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                s.lock().unwrap().push(Instant::now());
                let _ = c
                    .write_all(
                        b"HTTP/1.1 503 Busy\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    )
                    .await;
            });
        }
    });
    (addr, seen)
}

#[tokio::test]
async fn backoff_under_a_failing_server() {
    let (addr, seen) = failing_server().await;
    let mut c = config("alice", addr);
    c.retry = RetryPolicy::new(Duration::from_millis(100), Duration::from_secs(1), 4);
    c.rng_seed = None;
    let err = Client::new(c).login().await.unwrap_err();
    assert!(
        matches!(err, Error::Status { status, .. } if status == 503),
        "{err:?}"
    );
    let times = seen.lock().unwrap().clone();
    assert_eq!(times.len(), 4, "one try and three retries");
    // Retry n waits at least half of 100 ms * 2^n, at most all of it (+ slack).
    for (n, w) in times.windows(2).enumerate() {
        let gap = w[1] - w[0];
        let cap = Duration::from_millis(100) * 2u32.pow(n as u32);
        assert!(gap >= cap / 2, "retry {n} after {gap:?}");
        // Generous slack: the machine running the tests may be busy.
        assert!(
            gap <= cap + Duration::from_millis(1500),
            "retry {n} after {gap:?}"
        );
    }
}

#[tokio::test]
async fn login_waits_for_a_server_that_comes_back() {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let dir = users(&["alice"]);
    let starter = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        TestServer::start_at(CONFIG, port, dir).await
    });
    let mut c = config("alice", std::net::SocketAddr::from(([127, 0, 0, 1], port)));
    c.retry = RetryPolicy::new(Duration::from_millis(100), Duration::from_millis(800), 8);
    let (alice, _rx) = Client::new(c).login().await.unwrap();
    let _server = starter.await.unwrap();
    assert!(!alice.properties().await.unwrap().is_empty());
}

#[tokio::test]
async fn relogin_after_a_server_restart() {
    let dir = users(&["alice", "bob"]);
    let server = TestServer::start_at(CONFIG, 0, Arc::clone(&dir)).await;
    let port = server.addr.port();
    let mut c = config("alice", server.addr);
    c.keepalive = Some(Duration::from_millis(200));
    let (_alice, mut events) = login_with(c).await;
    server.stop().await;
    let server = TestServer::start_at(CONFIG, port, dir).await;
    events
        .until(|e| matches!(e, Event::SessionLost { .. }).then_some(()))
        .await;
    events
        .until(|e| matches!(e, Event::Reconnected).then_some(()))
        .await;
    // The new server knows Alice's callback again: a message reaches her.
    let (bob, _b) = login("bob", server.addr).await;
    let chat = bob.conversation(vec![addr("alice")]);
    let r = bob.send_text(&chat, "welcome back").await;
    assert!(r[0].result.is_ok(), "{r:?}");
    events
        .until(|e| matches!(e, Event::Message { text, .. } if text == "welcome back").then_some(()))
        .await;
}

#[tokio::test]
async fn polling_client_logs_in_again_after_a_server_restart() {
    let dir = users(&["alice", "bob"]);
    let server = TestServer::start_at(CONFIG, 0, Arc::clone(&dir)).await;
    let port = server.addr.port();
    let mut c = config("alice", server.addr);
    c.delivery = rvp_client::Delivery::Polling {
        interval: Duration::from_secs(1),
    };
    let (_alice, mut events) = login_with(c).await;
    server.stop().await;
    let server = TestServer::start_at(CONFIG, port, dir).await;
    // The next POLL names a login the new server does not know.
    events
        .until(|e| matches!(e, Event::SessionLost { .. }).then_some(()))
        .await;
    events
        .until(|e| matches!(e, Event::Reconnected).then_some(()))
        .await;
    let (bob, _b) = login("bob", server.addr).await;
    let chat = bob.conversation(vec![addr("alice")]);
    assert!(bob.send_text(&chat, "polled again").await[0].result.is_ok());
    events
        .until(|e| matches!(e, Event::Message { text, .. } if text == "polled again").then_some(()))
        .await;
}

/// A TCP relay to `to` that can be cut: while down it closes every
/// connection, the ones already open included.
async fn relay(
    to: std::net::SocketAddr,
) -> (std::net::SocketAddr, tokio::sync::watch::Sender<bool>) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let (down_tx, down) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        while let Ok((mut c, _)) = l.accept().await {
            if *down.borrow() {
                continue;
            }
            let mut down = down.clone();
            tokio::spawn(async move {
                let Ok(mut s) = tokio::net::TcpStream::connect(to).await else {
                    return;
                };
                tokio::select! {
                    _ = tokio::io::copy_bidirectional(&mut c, &mut s) => {}
                    _ = down.wait_for(|d| *d) => {}
                }
            });
        }
    });
    (addr, down_tx)
}

#[tokio::test]
async fn an_unanswered_lease_renewal_is_retried_before_the_lease_ends() {
    let conf = format!(
        "{CONFIG}[leases]\npresence-min-secs = 2\npresence-default-secs = 8\npresence-max-secs = 1200\n"
    );
    let server = TestServer::start_at(&conf, 0, users(&["alice", "bob"])).await;
    let (via, down) = relay(server.addr).await;
    let mut c = config("alice", via);
    // An 8 s lease: renewed 4 s before it ends.
    c.lease = Duration::from_secs(8);
    let (_alice, mut alice_events) = login_with(c).await;
    let (bob, mut bob_events) = login("bob", server.addr).await;
    assert_eq!(
        bob.add_contact(&addr("alice")).await.unwrap(),
        Some(rvp_client::PresenceState::Online)
    );
    // Unreachable from before the renewal (4 s) until 5.5 s: the renewal
    // fails, is asked again halfway to the end, and lands before 8 s.
    down.send_replace(true);
    tokio::time::sleep(Duration::from_millis(5500)).await;
    down.send_replace(false);
    bob_events
        .none_for(Duration::from_secs(6), |e| {
            matches!(
                e,
                Event::Presence {
                    state: rvp_client::PresenceState::Offline,
                    ..
                }
            )
        })
        .await;
    alice_events
        .none_for(Duration::ZERO, |e| matches!(e, Event::SessionLost { .. }))
        .await;
}
