//! Digest authentication: success, failure, stale nonces, replay, the
//! username forms, and the identity checks around it.

use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::support::*;

const CONFIG: &str = "[[domain]]\nname = \"example.com\"\n";

fn propfind(auth: Option<&str>) -> String {
    let mut s = String::from(
        "PROPFIND /instmsg/aliases/alice HTTP/1.1\r\nContent-Length: 0\r\nRVP-Notifications-Version: 0.2\r\nHost: example.com\r\nDepth: 0\r\nRVP-From-Principal: http://example.com/instmsg/aliases/alice\r\n",
    );
    if let Some(a) = auth {
        s.push_str(&format!("Authorization: {a}\r\n"));
    }
    s.push_str("\r\n");
    s
}

/// Alice's PROPFIND credentials (MD5, nc=1, a fresh cnonce) for `nonce`.
fn propfind_auth(user: &str, password: &str, uri: &str, nonce: &str) -> String {
    digest_header(
        user,
        "example.com",
        password,
        "PROPFIND",
        uri,
        nonce,
        1,
        &cnonce(),
    )
}

async fn challenge(addr: std::net::SocketAddr) -> (TcpStream, String, String) {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(propfind(None).as_bytes()).await.unwrap();
    let r = read_response(&mut s).await;
    assert_eq!(r.status, 401);
    let www = header(&r, "www-authenticate");
    let nonce = www
        .split("nonce=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    (s, nonce, www)
}

/// librvp reads every `WWW-Authenticate` challenge's parameters in turn (the last
/// `algorithm` wins) and fails with "Server asked for unknown algorithm 'SHA-256'" when
/// a SHA-256 challenge is offered at all: by default the 401 carries only MD5.
#[tokio::test]
async fn default_challenge_is_md5_only_for_librvp() {
    let server = TestServer::start(CONFIG, users("example.com", &["alice"])).await;
    let r = raw(server.addr, propfind(None).as_bytes()).await;
    let offered: Vec<_> = r
        .headers
        .get_all("www-authenticate")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert_eq!(offered.len(), 1, "{offered:?}");
    assert!(!offered[0].contains("algorithm"), "{offered:?}");
    assert!(offered[0].starts_with("Digest "), "{offered:?}");
}

#[tokio::test]
async fn digest_md5_and_sha256_are_offered_and_md5_verifies() {
    let config = format!("{CONFIG}[auth]\noffer-sha256 = true\n");
    let server = TestServer::start(&config, users("example.com", &["alice"])).await;
    let r = raw(server.addr, propfind(None).as_bytes()).await;
    let offered: Vec<_> = r
        .headers
        .get_all("www-authenticate")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let all = offered.join("\n");
    // MD5 first, in the form librvp answers (no algorithm parameter).
    assert!(
        !offered[0].contains("algorithm") || offered[0].contains("MD5"),
        "{all}"
    );
    assert!(all.contains("SHA-256"), "{all}");
    assert!(
        !all.contains("NTLM") && !all.contains("Basic"),
        "only implemented schemes: {all}"
    );

    let (mut s, nonce, _) = challenge(server.addr).await;
    let auth = propfind_auth(
        "alice",
        &password("alice"),
        "/instmsg/aliases/alice",
        &nonce,
    );
    s.write_all(propfind(Some(&auth)).as_bytes()).await.unwrap();
    assert_eq!(read_response(&mut s).await.status, 207);
}

#[tokio::test]
async fn username_forms() {
    // The NT domain is part of the directory entry: its hashes cover
    // EXAMPLE\alice and EXAMPLE/alice too.
    let dir = rvp_server::directory::MemoryDirectory::new();
    dir.insert(
        rvp_server::directory::PrincipalEntry::from_password(
            rvp_server::directory::NewPrincipal::new("alice", "example.com").nt_domain("EXAMPLE"),
            &password("alice"),
        )
        .unwrap(),
    )
    .unwrap();
    let server = TestServer::start(CONFIG, dir).await;
    for user in [
        "alice",
        "alice@example.com",
        "EXAMPLE\\alice",
        "EXAMPLE/alice",
    ] {
        let (mut s, nonce, _) = challenge(server.addr).await;
        let auth = propfind_auth(user, &password("alice"), "/instmsg/aliases/alice", &nonce);
        s.write_all(propfind(Some(&auth)).as_bytes()).await.unwrap();
        assert_eq!(read_response(&mut s).await.status, 207, "{user}");
    }
}

#[tokio::test]
async fn wrong_password_unknown_user_and_wrong_uri_fail() {
    let server = TestServer::start(CONFIG, users("example.com", &["alice"])).await;
    for (user, pw, uri) in [
        ("alice", "wrong", "/instmsg/aliases/alice"),
        ("mallory", "x", "/instmsg/aliases/alice"),
        ("alice", "alice-pw", "/instmsg/aliases/bob"),
    ] {
        let (mut s, nonce, _) = challenge(server.addr).await;
        let auth = propfind_auth(user, pw, uri, &nonce);
        s.write_all(propfind(Some(&auth)).as_bytes()).await.unwrap();
        let r = read_response(&mut s).await;
        assert_eq!(r.status, 401, "{user} {pw} {uri}");
        assert!(!header(&r, "www-authenticate").contains("stale=true"));
    }
}

#[tokio::test]
async fn replay_is_refused_and_a_fresh_cnonce_is_not_a_replay() {
    let server = TestServer::start(CONFIG, users("example.com", &["alice"])).await;
    let (mut s, nonce, _) = challenge(server.addr).await;
    let auth = propfind_auth(
        "alice",
        &password("alice"),
        "/instmsg/aliases/alice",
        &nonce,
    );
    s.write_all(propfind(Some(&auth)).as_bytes()).await.unwrap();
    assert_eq!(read_response(&mut s).await.status, 207);
    // The same header again, on another connection: a replay.
    let r = raw(server.addr, propfind(Some(&auth)).as_bytes()).await;
    assert_eq!(r.status, 401);
    // nc=1 again with a new cnonce on the same nonce (real clients do this).
    let again = propfind_auth(
        "alice",
        &password("alice"),
        "/instmsg/aliases/alice",
        &nonce,
    );
    let r = raw(server.addr, propfind(Some(&again)).as_bytes()).await;
    assert_eq!(r.status, 207);
}

#[tokio::test]
async fn stale_nonce_gets_stale_true() {
    let config = format!("{CONFIG}[auth]\nnonce-lifetime-secs = 1\n");
    let server = TestServer::start(&config, users("example.com", &["alice"])).await;
    let (_, nonce, _) = challenge(server.addr).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let auth = propfind_auth(
        "alice",
        &password("alice"),
        "/instmsg/aliases/alice",
        &nonce,
    );
    let r = raw(server.addr, propfind(Some(&auth)).as_bytes()).await;
    assert_eq!(r.status, 401);
    assert!(
        header(&r, "www-authenticate").contains("stale=true"),
        "{r:?}"
    );
}

#[tokio::test]
async fn from_principal_must_be_the_authenticated_principal() {
    let server = TestServer::start(CONFIG, users("example.com", &["alice", "bob"])).await;
    let bob = Peer::new("bob", "example.com", server.addr);
    // Bob authenticates but claims to be Alice.
    let r = bob
        .request(
            "PROPPATCH",
            "alice",
            &[
                (
                    "RVP-From-Principal",
                    "http://example.com/instmsg/aliases/alice",
                ),
                ("Content-Type", "text/xml"),
            ],
            &leased_state("online", 1200),
        )
        .await;
    assert_eq!(r.status, 403);
    // Under his own name he may not write Alice's state either.
    let r = bob
        .send("PROPPATCH", "alice", &[], &leased_state("online", 1200))
        .await;
    assert_eq!(r.status, 403);
    // Nor send a message claiming to be from Alice.
    let body = message_body(
        "http://example.com/instmsg/aliases/alice",
        &bob.url_of("alice"),
        "spoof",
    );
    let r = bob
        .send("NOTIFY", "alice", &[("RVP-Ack-Type", "DeepOr")], &body)
        .await;
    assert_eq!(r.status, 403);
}

/// Alice's PROPFIND credentials for `algorithm` (`MD5` or `SHA-256`).
fn propfind_auth_with(algorithm: &str, password: &str, nonce: &str) -> String {
    digest_header_with(
        algorithm,
        "alice",
        "example.com",
        password,
        "PROPFIND",
        "/instmsg/aliases/alice",
        nonce,
        1,
        &cnonce(),
    )
}

/// The nonce of the SHA-256 challenge of a 401.
fn sha256_nonce(r: &rvp_codec::Response) -> String {
    let sha = r
        .headers
        .get_all("www-authenticate")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.contains("SHA-256"))
        .expect("a SHA-256 challenge");
    sha.split("nonce=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn sha256_digest_logs_in_when_offered() {
    let config = format!("{CONFIG}[auth]\noffer-sha256 = true\n");
    let server = TestServer::start(&config, users("example.com", &["alice"])).await;
    // The right password under SHA-256, answering the SHA-256 challenge on
    // the same connection: 207.
    let mut s = TcpStream::connect(server.addr).await.unwrap();
    s.write_all(propfind(None).as_bytes()).await.unwrap();
    let first = read_response(&mut s).await;
    assert_eq!(first.status, 401);
    let nonce = sha256_nonce(&first);
    let auth = propfind_auth_with("SHA-256", &password("alice"), &nonce);
    s.write_all(propfind(Some(&auth)).as_bytes()).await.unwrap();
    let r = read_response(&mut s).await;
    assert_eq!(r.status, 207, "{r:?}");
    assert!(body_text(&r.body).contains("alice (test)"), "{r:?}");
    // The same credentials again: a replay.
    let r = raw(server.addr, propfind(Some(&auth)).as_bytes()).await;
    assert_eq!(r.status, 401);
    // A wrong password under SHA-256: 401, not stale.
    let r = raw(server.addr, propfind(None).as_bytes()).await;
    let nonce = sha256_nonce(&r);
    let wrong = propfind_auth_with("SHA-256", "wrong", &nonce);
    let r = raw(server.addr, propfind(Some(&wrong)).as_bytes()).await;
    assert_eq!(r.status, 401);
    assert!(!header(&r, "www-authenticate").contains("stale=true"));
    // An MD5 hash sent as SHA-256 does not verify.
    let r = raw(server.addr, propfind(None).as_bytes()).await;
    let nonce = sha256_nonce(&r);
    let md5_as_sha = propfind_auth_with("MD5", &password("alice"), &nonce)
        .replace("algorithm=\"MD5\"", "algorithm=\"SHA-256\"");
    let r = raw(server.addr, propfind(Some(&md5_as_sha)).as_bytes()).await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn sha256_digest_is_refused_when_not_offered() {
    let server = TestServer::start(CONFIG, users("example.com", &["alice"])).await;
    let (mut s, nonce, _) = challenge(server.addr).await;
    let auth = propfind_auth_with("SHA-256", &password("alice"), &nonce);
    s.write_all(propfind(Some(&auth)).as_bytes()).await.unwrap();
    let r = read_response(&mut s).await;
    assert_eq!(r.status, 401, "SHA-256 is off by default (librvp)");
    // The same password under MD5 on the same nonce logs in.
    let auth = propfind_auth_with("MD5", &password("alice"), &nonce);
    let r = raw(server.addr, propfind(Some(&auth)).as_bytes()).await;
    assert_eq!(r.status, 207);
}
