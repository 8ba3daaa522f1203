//! Routers and home servers: 302 redirects, proxying, and two IM domains
//! on two servers exchanging presence and messages.

use std::sync::Arc;

use rvp_server::directory::MemoryDirectory;
use tokio::net::TcpListener;

use crate::support::*;

/// A free loopback port (bound and released), for servers that must know
/// each other's address before they start.
pub async fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub async fn start_at(config: &str, port: u16, dir: Arc<MemoryDirectory>) -> TestServer {
    let config = format!("server-name = \"127.0.0.1:{port}\"\n{config}");
    TestServer::start_at(&config, port, dir).await
}

#[tokio::test]
async fn router_redirects_and_proxies_to_the_home_server() {
    let home_port = free_port().await;
    let home_name = format!("127.0.0.1:{home_port}");
    let dir = Arc::new(MemoryDirectory::new());
    add_users(&dir, "example.com", &["alice", "bob"], Some(&home_name));
    let common = "[[domain]]\nname = \"example.com\"\n[routing]\ntrusted-peers = [\"127.0.0.1\"]\n";
    let home = start_at(
        &format!("role = \"home\"\n{common}"),
        home_port,
        Arc::clone(&dir),
    )
    .await;
    let router_port = free_port().await;
    let router = start_at(
        &format!("role = \"router\"\n{common}"),
        router_port,
        Arc::clone(&dir),
    )
    .await;

    // The router answers 302 with the physical URL, without asking for credentials.
    let r = raw(
        router.addr,
        b"SUBSCRIBE /instmsg/aliases/alice HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\nNotification-Type: pragma/notify\r\n\r\n",
    )
    .await;
    assert_eq!(r.status, 302);
    let location = header(&r, "location");
    assert_eq!(
        location,
        format!("http://{home_name}/instmsg/local/example.com/instmsg/aliases/alice")
    );

    // The client follows it: the physical URL works on the home server.
    let mut alice_cb = Listener::start().await;
    let mut alice = Peer::new("alice", "example.com", home.addr);
    alice.login(&alice_cb.url).await;
    let path = "/instmsg/local/example.com/instmsg/aliases/alice";
    let r = alice
        .request_path(
            "PROPFIND",
            path,
            &[("Depth", "0"), ("RVP-From-Principal", &alice.url.clone())],
            b"",
        )
        .await;
    assert_eq!(r.status, 207);
    assert!(
        body_text(&r.body).contains("<d:href>http://example.com/instmsg/aliases/alice</d:href>")
    );

    // Proxy mode: a request to the router is answered by the home server.
    router.stop().await;
    let router = start_at(
        &format!("role = \"router\"\n{common}same-organisation = \"proxy\"\n"),
        router_port,
        Arc::clone(&dir),
    )
    .await;
    let bob = Peer::new("bob", "example.com", router.addr);
    assert_eq!(
        bob.message("alice", "through the router", "DeepOr")
            .await
            .status,
        200
    );
    alice_cb.next_with("through the router").await;
    alice.server = router.addr;
    let r = alice
        .send("PROPFIND", "alice", &[("Depth", "0")], b"")
        .await;
    assert_eq!(r.status, 207);
}

#[tokio::test]
async fn two_domains_on_two_servers_exchange_presence_and_messages() {
    let (pa, pb) = (free_port().await, free_port().await);
    let dir_a = Arc::new(users("a.test", &["alice"]));
    let dir_b = Arc::new(users("b.test", &["bob"]));
    let a = start_at(
        &format!("[[domain]]\nname = \"a.test\"\n[routing]\nstatic-routes = {{ \"b.test\" = \"127.0.0.1:{pb}\" }}\n"),
        pa,
        dir_a,
    )
    .await;
    let b = start_at(
        &format!("[[domain]]\nname = \"b.test\"\n[routing]\nstatic-routes = {{ \"a.test\" = \"127.0.0.1:{pa}\" }}\n"),
        pb,
        dir_b,
    )
    .await;
    let alice = Peer::new("alice", "a.test", a.addr);
    let bob = Peer::new("bob", "b.test", b.addr);
    let mut alice_cb = Listener::start().await;
    let mut bob_cb = Listener::start().await;
    alice.login(&alice_cb.url).await;
    bob.login(&bob_cb.url).await;

    // Alice watches Bob on his server (no credentials there: her
    // RVP-From-Principal is of another domain; the Call-Back is her own URL).
    let mut on_b = alice.clone();
    on_b.server = b.addr;
    on_b.host = "b.test".into();
    let alice_url = alice.url.clone();
    let r = on_b
        .request(
            "SUBSCRIBE",
            "bob",
            &[
                ("Notification-Type", "update/propchange"),
                ("Subscription-Lifetime", "14000"),
                ("Call-Back", &alice_url),
                ("RVP-From-Principal", &alice_url),
            ],
            b"",
        )
        .await;
    assert_eq!(r.status, 207, "{r:?}");
    // Bob changes state: B sends the NOTIFY to A, A to Alice's listener.
    assert_eq!(bob.set_state("busy").await.status, 207);
    let n = alice_cb.next_with("<r:busy/>").await;
    assert_eq!(n.headers["rvp-from-principal"], bob.url.as_str());

    // Messages across domains, sent to the other server directly.
    let body = message_body(&alice.url, &bob.url, "hello from a.test");
    let r = on_b
        .request(
            "NOTIFY",
            "bob",
            &[
                ("RVP-From-Principal", &alice_url),
                ("RVP-Ack-Type", "DeepOr"),
                ("Content-Type", "text/xml"),
            ],
            &body,
        )
        .await;
    assert_eq!(r.status, 200);
    bob_cb.next_with("hello from a.test").await;

    // The other way: Bob watches Alice on her server, and writes to her there.
    let mut on_a = bob.clone();
    on_a.server = a.addr;
    on_a.host = "a.test".into();
    let bob_url = bob.url.clone();
    let r = on_a
        .request(
            "SUBSCRIBE",
            "alice",
            &[
                ("Notification-Type", "update/propchange"),
                ("Subscription-Lifetime", "14000"),
                ("Call-Back", &bob_url),
                ("RVP-From-Principal", &bob_url),
            ],
            b"",
        )
        .await;
    assert_eq!(r.status, 207, "{r:?}");
    assert_eq!(alice.set_state("on-phone").await.status, 207);
    let n = bob_cb.next_with("<r:on-phone/>").await;
    assert_eq!(n.headers["rvp-from-principal"], alice.url.as_str());
    // Server to server, then server to client.
    assert_eq!(n.headers["rvp-hop-count"], "3");
    let body = message_body(&bob.url, &alice.url, "hello from b.test");
    let r = on_a
        .request(
            "NOTIFY",
            "alice",
            &[
                ("RVP-From-Principal", &bob_url),
                ("RVP-Ack-Type", "DeepOr"),
                ("Content-Type", "text/xml"),
            ],
            &body,
        )
        .await;
    assert_eq!(r.status, 200);
    let n = alice_cb.next_with("hello from b.test").await;
    assert_eq!(n.headers["rvp-from-principal"], bob.url.as_str());
}

/// Follows a 302: the same request, with credentials, to the `Location`'s
/// path on `server`.
async fn follow(
    peer: &Peer,
    server: std::net::SocketAddr,
    location: &str,
    method: &str,
    headers: Headers<'_>,
    body: &[u8],
) -> rvp_codec::Response {
    let mut at = peer.clone();
    at.server = server;
    let path = location
        .strip_prefix("http://")
        .and_then(|rest| rest.find('/').map(|i| &rest[i..]))
        .expect("an absolute http Location");
    let mut all = headers.to_vec();
    all.push(("RVP-From-Principal", &peer.url));
    if !body.is_empty() {
        all.push(("Content-Type", "text/xml"));
    }
    at.request_path(method, path, &all, body).await
}

/// Two home servers of one organisation sharing one directory: each
/// hosts one principal and routes the other (white paper scenario 5).
#[tokio::test]
async fn scenario_5_two_home_servers_of_one_organisation() {
    let (pa, pb) = (free_port().await, free_port().await);
    let dir = Arc::new(MemoryDirectory::new());
    add_users(
        &dir,
        "example.com",
        &["alice"],
        Some(&format!("127.0.0.1:{pa}")),
    );
    add_users(
        &dir,
        "example.com",
        &["bob"],
        Some(&format!("127.0.0.1:{pb}")),
    );
    let common = "role = \"home\"\n[[domain]]\nname = \"example.com\"\n[routing]\ntrusted-peers = [\"127.0.0.1\"]\n";
    // A redirects requests for bob; B proxies requests for alice.
    let a = start_at(
        &format!("{common}same-organisation = \"redirect\"\n"),
        pa,
        Arc::clone(&dir),
    )
    .await;
    let b = start_at(
        &format!("{common}same-organisation = \"proxy\"\n"),
        pb,
        Arc::clone(&dir),
    )
    .await;
    let alice = Peer::new("alice", "example.com", a.addr);
    let bob = Peer::new("bob", "example.com", b.addr);
    let mut alice_cb = Listener::start().await;
    let mut bob_cb = Listener::start().await;
    alice.login(&alice_cb.url).await;
    bob.login(&bob_cb.url).await;

    // Alice adds bob on her server: 302 to B, where she subscribes.
    let r = alice.watch("bob").await;
    assert_eq!(r.status, 302);
    let location = header(&r, "location");
    assert_eq!(
        location,
        format!("http://127.0.0.1:{pb}/instmsg/local/example.com/instmsg/aliases/bob")
    );
    let alice_url = alice.url.clone();
    let r = follow(
        &alice,
        b.addr,
        &location,
        "SUBSCRIBE",
        &[
            ("Notification-Type", "update/propchange"),
            ("Subscription-Lifetime", "14000"),
            ("Call-Back", &alice_url),
        ],
        b"",
    )
    .await;
    assert_eq!(r.status, 207, "{r:?}");
    // Bob adds alice on his server, which proxies to A.
    assert_eq!(bob.watch("alice").await.status, 207);

    // Presence both ways, server to server.
    assert_eq!(bob.set_state("busy").await.status, 207);
    let n = alice_cb.next_with("<r:busy/>").await;
    assert_eq!(n.headers["rvp-from-principal"], bob.url.as_str());
    assert_eq!(alice.set_state("away").await.status, 207);
    let n = bob_cb.next_with("<r:away/>").await;
    assert_eq!(n.headers["rvp-from-principal"], alice.url.as_str());

    // Messages both ways: alice through the redirect, bob through the proxy.
    let r = alice.message("bob", "hello bob, via 302", "DeepOr").await;
    assert_eq!(r.status, 302);
    let body = message_body(&alice.url, &alice.url_of("bob"), "hello bob, via 302");
    let r = follow(
        &alice,
        b.addr,
        &header(&r, "location"),
        "NOTIFY",
        &[("RVP-Hop-Count", "1"), ("RVP-Ack-Type", "DeepOr")],
        &body,
    )
    .await;
    assert_eq!(r.status, 200);
    let n = bob_cb.next_with("hello bob, via 302").await;
    assert_eq!(n.headers["rvp-from-principal"], alice.url.as_str());
    let r = bob
        .message("alice", "hello alice, via proxy", "DeepOr")
        .await;
    assert_eq!(r.status, 200);
    let n = alice_cb.next_with("hello alice, via proxy").await;
    assert_eq!(n.headers["rvp-from-principal"], bob.url.as_str());
}

/// Two servers whose directories send bob to each other, proxying: the hop
/// count ends the loop with 508.
#[tokio::test]
async fn a_proxy_loop_across_two_servers_ends_in_508() {
    let (pa, pb) = (free_port().await, free_port().await);
    let dir_a = Arc::new(MemoryDirectory::new());
    add_users(
        &dir_a,
        "example.com",
        &["bob"],
        Some(&format!("127.0.0.1:{pb}")),
    );
    let dir_b = Arc::new(MemoryDirectory::new());
    add_users(
        &dir_b,
        "example.com",
        &["bob"],
        Some(&format!("127.0.0.1:{pa}")),
    );
    let config = "[[domain]]\nname = \"example.com\"\n[routing]\nsame-organisation = \"proxy\"\nmax-hop-count = 6\n";
    let a = start_at(config, pa, dir_a).await;
    let _b = start_at(config, pb, dir_b).await;
    let started = std::time::Instant::now();
    let r = raw(
        a.addr,
        b"PROPFIND /instmsg/aliases/bob HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\nRVP-Hop-Count: 1\r\nDepth: 0\r\n\r\n",
    )
    .await;
    assert_eq!(r.status, 508, "{r:?}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "the loop took {:?}",
        started.elapsed()
    );
    // Both still serve.
    let r = raw(a.addr, b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n").await;
    assert_eq!(r.status, 501);
}

/// A proxying router increments `RVP-Hop-Count` and adds the client's
/// address; the home server is a raw listener here, so the test sees
/// exactly what it receives.
#[tokio::test]
async fn a_proxying_router_increments_the_hop_count_and_forwards_the_client_address() {
    let home = Listener::start().await;
    let home_name = home.url.trim_start_matches("http://").to_owned();
    let dir = Arc::new(MemoryDirectory::new());
    add_users(&dir, "example.com", &["alice"], Some(&home_name));
    let router = TestServer::start_with(
        "role = \"router\"\n[[domain]]\nname = \"example.com\"\n[routing]\nsame-organisation = \"proxy\"\n",
        dir,
        TempDir::new(),
    )
    .await;
    let mut home = home;
    for (sent, forwarded) in [("1", "2"), ("3", "4")] {
        let request = format!(
            "NOTIFY /instmsg/aliases/alice HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\n\
             RVP-Hop-Count: {sent}\r\nX-Forwarded-For: 203.0.113.9\r\n\r\n"
        );
        let r =
            crate::outbound::raw_from(std::net::Ipv4Addr::new(127, 0, 0, 2), router.addr, &request)
                .await;
        assert_eq!(r.status, 200, "the home server's answer, relayed");
        let got = home.next().await;
        assert_eq!(got.headers["rvp-hop-count"], forwarded);
        // The client's own X-Forwarded-For is replaced by the address the
        // router saw.
        let xff: Vec<_> = got.headers.get_all("x-forwarded-for").iter().collect();
        assert_eq!(xff, ["127.0.0.2"]);
    }
    // One more hop would exceed max-hop-count (4): the router answers 508
    // and sends nothing.
    let r = raw(
        router.addr,
        b"NOTIFY /instmsg/aliases/alice HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\nRVP-Hop-Count: 4\r\n\r\n",
    )
    .await;
    assert_eq!(r.status, 508);
    home.nothing_for(std::time::Duration::from_millis(500))
        .await;
}

/// A login through a proxying router: the home server checks the
/// `Call-Back` against the client address the router forwards.
#[tokio::test]
async fn logins_through_a_proxying_router() {
    let home_port = free_port().await;
    let dir = Arc::new(MemoryDirectory::new());
    add_users(
        &dir,
        "example.com",
        &["alice", "bob"],
        Some(&format!("127.0.0.1:{home_port}")),
    );
    let common = "[[domain]]\nname = \"example.com\"\n[routing]\ntrusted-peers = [\"127.0.0.1\"]\n";
    let home = start_at(
        &format!("role = \"home\"\n{common}"),
        home_port,
        Arc::clone(&dir),
    )
    .await;
    let router = start_at(
        &format!("role = \"router\"\n{common}same-organisation = \"proxy\"\n"),
        free_port().await,
        Arc::clone(&dir),
    )
    .await;
    // Alice's client is at 127.0.0.2 and logs in through the router with a
    // listener on its own address.
    let cb = TcpListener::bind("127.0.0.2:0").await.unwrap();
    let cb_url = format!("http://{}", cb.local_addr().unwrap());
    drop(cb);
    let subscribe = format!(
        "SUBSCRIBE /instmsg/aliases/alice HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\n\
         Notification-Type: pragma/notify\r\nSubscription-Lifetime: 600\r\nCall-Back: {cb_url}\r\n\
         RVP-From-Principal: http://example.com/instmsg/aliases/alice\r\n"
    );
    let alice = Peer::new("alice", "example.com", router.addr);
    let from = std::net::Ipv4Addr::new(127, 0, 0, 2);
    let r = crate::outbound::raw_from(from, router.addr, &format!("{subscribe}\r\n")).await;
    assert_eq!(r.status, 401, "the home server's challenge, relayed");
    let auth = alice.authorization(&r, "SUBSCRIBE", "/instmsg/aliases/alice", &alice.password);
    let r = crate::outbound::raw_from(
        from,
        router.addr,
        &format!("{subscribe}Authorization: {auth}\r\n\r\n"),
    )
    .await;
    assert_eq!(r.status, 200, "{r:?}");
    // A Call-Back elsewhere than the client is still refused.
    let elsewhere = subscribe.replace(&cb_url, "http://192.0.2.99:7000");
    let r = crate::outbound::raw_from(from, router.addr, &format!("{elsewhere}\r\n")).await;
    let auth = alice.authorization(&r, "SUBSCRIBE", "/instmsg/aliases/alice", &alice.password);
    let r = crate::outbound::raw_from(
        from,
        router.addr,
        &format!("{elsewhere}Authorization: {auth}\r\n\r\n"),
    )
    .await;
    assert_eq!(r.status, 403, "{r:?}");

    // A full login through the router; a message from bob reaches it.
    let mut alice_cb = Listener::start().await;
    alice.login(&alice_cb.url).await;
    let bob = Peer::new("bob", "example.com", home.addr);
    assert_eq!(
        bob.message("alice", "through the proxy login", "DeepOr")
            .await
            .status,
        200
    );
    alice_cb.next_with("through the proxy login").await;
}

/// `other-domains`: requests from principals of other IM domains are
/// proxied (default) or redirected, whatever `same-organisation` says.
#[tokio::test]
async fn other_domains_setting_decides_for_foreign_requesters() {
    let home_port = free_port().await;
    let dir = Arc::new(MemoryDirectory::new());
    add_users(
        &dir,
        "example.com",
        &["alice"],
        Some(&format!("127.0.0.1:{home_port}")),
    );
    let common =
        "[[domain]]\nname = \"example.com\"\n[routing]\nsame-organisation = \"redirect\"\n";
    let _home = start_at(
        &format!("role = \"home\"\n{common}"),
        home_port,
        Arc::clone(&dir),
    )
    .await;
    let watch = |from: &str| {
        format!(
            "SUBSCRIBE /instmsg/aliases/alice HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\n\
             Notification-Type: update/propchange\r\nSubscription-Lifetime: 600\r\n\
             Call-Back: {from}\r\nRVP-From-Principal: {from}\r\n\r\n"
        )
    };
    let foreign = watch("http://other.test/instmsg/aliases/xavier");
    let ours = watch("http://example.com/instmsg/aliases/alice");
    let physical =
        format!("http://127.0.0.1:{home_port}/instmsg/local/example.com/instmsg/aliases/alice");
    for (setting, foreign_status) in [
        ("", 207),
        ("other-domains = \"proxy\"\n", 207),
        ("other-domains = \"redirect\"\n", 302),
    ] {
        let router = TestServer::start_with(
            &format!("role = \"router\"\n{common}{setting}"),
            Arc::clone(&dir),
            TempDir::new(),
        )
        .await;
        let r = raw(router.addr, foreign.as_bytes()).await;
        assert_eq!(r.status, foreign_status, "{setting:?}: {r:?}");
        if foreign_status == 207 {
            // Answered by the home server, which the requester never sees.
            assert!(r.headers.get("location").is_none());
            assert!(
                body_text(&r.body)
                    .contains("<d:href>http://example.com/instmsg/aliases/alice</d:href>")
            );
        } else {
            assert_eq!(header(&r, "location"), physical);
        }
        // Our own principals are redirected as same-organisation says.
        let r = raw(router.addr, ours.as_bytes()).await;
        assert_eq!(r.status, 302, "{setting:?}");
        assert_eq!(header(&r, "location"), physical);
        router.stop().await;
    }
}
