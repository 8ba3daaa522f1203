//! Where server-to-server requests may go: foreign domains whose DNS points
//! at private addresses, redirects, and the client address a proxying
//! router forwards.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use bytes::BytesMut;
use rvp_codec::{Config as CodecConfig, Request, RequestDecoder, Response};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::mpsc;

use crate::fake_dns::{FakeDns, Zone};
use crate::support::*;

/// How long a refused delivery is given to show up anyway.
const QUIET: Duration = Duration::from_millis(1500);

/// A server that reports every request and answers it with `answer`
/// (the whole response, raw), then closes the connection.
pub async fn canned(answer: String) -> (SocketAddr, mpsc::UnboundedReceiver<Request>) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = l.accept().await else {
                break;
            };
            let tx = tx.clone();
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut decoder = RequestDecoder::new(CodecConfig::lenient());
                let mut buf = BytesMut::new();
                loop {
                    if let Ok(Some(req)) = decoder.decode(&mut buf) {
                        let _ = tx.send(req);
                        let _ = s.write_all(answer.as_bytes()).await;
                        return;
                    }
                    let mut chunk = [0u8; 8192];
                    match s.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
            });
        }
    });
    (addr, rx)
}

/// The `host:port` of a listener URL.
fn authority(url: &str) -> &str {
    url.trim_start_matches("http://")
}

/// `who` (a principal of another domain, no credentials) watches `alias`
/// on `server`, with its own logical URL as `Call-Back`.
async fn watch_as_foreign(server: SocketAddr, domain: &str, alias: &str, who: &str) -> Response {
    raw(
        server,
        format!(
            "SUBSCRIBE /instmsg/aliases/{alias} HTTP/1.1\r\nHost: {domain}\r\nContent-Length: 0\r\n\
             RVP-Notifications-Version: 0.2\r\nNotification-Type: update/propchange\r\n\
             Subscription-Lifetime: 600\r\nCall-Back: {who}\r\nRVP-From-Principal: {who}\r\n\r\n"
        )
        .as_bytes(),
    )
    .await
}

#[tokio::test]
async fn a_foreign_domain_that_resolves_to_a_private_address_gets_nothing() {
    // mallory@evil.test claims her domain's server is 127.0.0.1 (SRV + A);
    // gina@good.test is reached through a configured static route.
    for allow in [false, true] {
        let mut evil = Listener::start().await;
        let mut good = Listener::start().await;
        let evil_port: u16 = authority(&evil.url)
            .rsplit_once(':')
            .unwrap()
            .1
            .parse()
            .unwrap();
        let dns = FakeDns::start(
            Zone::new()
                .srv("evil.test", "im.evil.test", evil_port)
                .host("im.evil.test", Ipv4Addr::LOCALHOST),
        )
        .await;
        let config = format!(
            "[[domain]]\nname = \"a.test\"\n[routing]\n{}allow-private-destinations = {allow}\n\
             static-routes = {{ \"good.test\" = \"{}\" }}\n",
            dns.config_line(),
            authority(&good.url)
        );
        let server = TestServer::start(&config, users("a.test", &["alice"])).await;
        let mallory = "http://evil.test/instmsg/aliases/mallory";
        let gina = "http://good.test/instmsg/aliases/gina";
        assert_eq!(
            watch_as_foreign(server.addr, "a.test", "alice", mallory)
                .await
                .status,
            207
        );
        assert_eq!(
            watch_as_foreign(server.addr, "a.test", "alice", gina)
                .await
                .status,
            207
        );
        let alice_cb = Listener::start().await;
        Peer::new("alice", "a.test", server.addr)
            .login(&alice_cb.url)
            .await;

        // The configured route is used as given, loopback or not.
        let n = good.next_with("<r:online/>").await;
        assert_eq!(n.target.path(), "/instmsg/aliases/gina");
        assert_eq!(n.headers["host"], "good.test");
        if allow {
            let n = evil.next_with("<r:online/>").await;
            assert_eq!(n.target.path(), "/instmsg/aliases/mallory");
            assert_eq!(n.headers["host"], "evil.test");
            assert_eq!(n.headers["rvp-hop-count"], "2");
        } else {
            evil.nothing_for(QUIET).await;
        }
        server.stop().await;
    }
}

#[tokio::test]
async fn a_redirect_is_followed_only_within_the_domain_or_to_a_configured_server() {
    // b.test's configured server answers 302 to `location host`; the
    // listener behind that name must receive the NOTIFY only when allowed.
    // (host, allow-private-destinations, trusted-peers, followed)
    let cases = [
        ("127.0.0.1", false, false, false),
        // An address is not a server of b.test, whatever the address check.
        ("127.0.0.1", true, false, false),
        // A name of b.test, but it resolves to loopback.
        ("im2.b.test", false, false, false),
        ("im2.b.test", true, false, true),
        // Another domain.
        ("elsewhere.test", true, false, false),
        // A server of the organisation (configured).
        ("127.0.0.1", false, true, true),
    ];
    for (host, allow, trusted, followed) in cases {
        let mut target = Listener::start().await;
        let port = authority(&target.url)
            .rsplit_once(':')
            .unwrap()
            .1
            .to_owned();
        let location = format!("http://{host}:{port}/instmsg/local/b.test/instmsg/aliases/bob");
        let (router, mut router_rx) = canned(format!(
            "HTTP/1.1 302 Object moved\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n"
        ))
        .await;
        let dns = FakeDns::start(
            Zone::new()
                .host("im2.b.test", Ipv4Addr::LOCALHOST)
                .host("elsewhere.test", Ipv4Addr::LOCALHOST),
        )
        .await;
        let trusted_peers = if trusted { "[\"127.0.0.1\"]" } else { "[]" };
        let config = format!(
            "[[domain]]\nname = \"a.test\"\n[routing]\n{}allow-private-destinations = {allow}\n\
             trusted-peers = {trusted_peers}\nstatic-routes = {{ \"b.test\" = \"{router}\" }}\n",
            dns.config_line(),
        );
        let server = TestServer::start(&config, users("a.test", &["alice"])).await;
        let bob = "http://b.test/instmsg/aliases/bob";
        assert_eq!(
            watch_as_foreign(server.addr, "a.test", "alice", bob)
                .await
                .status,
            207
        );
        let alice_cb = Listener::start().await;
        Peer::new("alice", "a.test", server.addr)
            .login(&alice_cb.url)
            .await;
        // The configured server is asked first.
        let first = tokio::time::timeout(WAIT, router_rx.recv())
            .await
            .expect("the NOTIFY reaches b.test's server")
            .unwrap();
        assert_eq!(first.target.path(), "/instmsg/aliases/bob");
        let case = format!("302 to {host}, allow-private {allow}, trusted {trusted}");
        if followed {
            let n = target.next_with("<r:online/>").await;
            assert_eq!(
                n.target.path(),
                "/instmsg/local/b.test/instmsg/aliases/bob",
                "{case}"
            );
            assert_eq!(
                n.headers["host"],
                format!("{host}:{port}").as_str(),
                "{case}"
            );
        } else {
            eprintln!("{case}: must not be followed");
            target.nothing_for(QUIET).await;
        }
        server.stop().await;
    }
}

/// Sends `request` from the loopback address `from` and reads the answer.
pub async fn raw_from(from: Ipv4Addr, to: SocketAddr, request: &str) -> Response {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::from((from, 0))).unwrap();
    let mut s = socket.connect(to).await.unwrap();
    s.write_all(request.as_bytes()).await.unwrap();
    read_response(&mut s).await
}

#[tokio::test]
async fn a_forwarded_client_address_counts_only_from_a_trusted_peer() {
    let config = "[[domain]]\nname = \"example.com\"\n[routing]\ntrusted-peers = [\"127.0.0.1\"]\n";
    let server = TestServer::start(config, users("example.com", &["alice"])).await;
    let alice = Peer::new("alice", "example.com", server.addr);
    // 127.0.0.1 plays our router: the client it forwards for is at
    // 192.0.2.99, and so is the Call-Back.
    let login = |forwarded: &'static str| {
        let alice = alice.clone();
        async move {
            alice
                .send(
                    "SUBSCRIBE",
                    "alice",
                    &[
                        ("Notification-Type", "pragma/notify"),
                        ("Subscription-Lifetime", "600"),
                        ("Call-Back", "http://192.0.2.99:7000"),
                        ("X-Forwarded-For", forwarded),
                    ],
                    b"",
                )
                .await
                .status
        }
    };
    assert_eq!(login("192.0.2.99").await, 200);
    // The last address is the one our router added.
    assert_eq!(login("10.0.0.1, 192.0.2.99").await, 200);
    assert_eq!(login("192.0.2.98").await, 403);
    assert_eq!(login("not an address").await, 400);

    // From anyone else the header is ignored: the client is its peer address.
    let request = "SUBSCRIBE /instmsg/aliases/alice HTTP/1.1\r\nHost: example.com\r\n\
                   Content-Length: 0\r\nNotification-Type: pragma/notify\r\n\
                   Call-Back: http://192.0.2.99:7000\r\nX-Forwarded-For: 192.0.2.99\r\n\r\n";
    let r = raw_from(Ipv4Addr::new(127, 0, 0, 2), server.addr, request).await;
    assert_eq!(r.status, 401, "credentials are asked first");
    let auth = alice.authorization(&r, "SUBSCRIBE", "/instmsg/aliases/alice", &alice.password);
    let with_auth = request.replace("\r\n\r\n", &format!("\r\nAuthorization: {auth}\r\n\r\n"));
    let r = raw_from(Ipv4Addr::new(127, 0, 0, 2), server.addr, &with_auth).await;
    assert_eq!(r.status, 403, "{r:?}");
}
