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
}
