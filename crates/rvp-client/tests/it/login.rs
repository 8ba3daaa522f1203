//! Logging in: server discovery, Digest, the login sequence, callbacks.

use std::time::Duration;

use im_url::{SrvTarget, StaticResolver};
use rvp_client::{
    AuthError, CallbackPort, Client, Delivery, Error, Event, PresenceState, UsernameForm,
};
use rvp_codec::xml::Property;

use crate::support::*;

#[tokio::test]
async fn login_reads_own_properties_watchers_and_acl() {
    let server = TestServer::start(users(&["alice"])).await;
    let (alice, _events) = login("alice", server.addr).await;
    assert!(
        alice
            .callback_url()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    assert_eq!(alice.url(), "http://example.com/instmsg/aliases/alice");
    let props = alice.properties().await.unwrap();
    assert!(
        props.contains(&Property::DisplayName("alice (test)".into())),
        "{props:?}"
    );
    assert!(alice.watchers().await.unwrap().is_empty());
    assert!(alice.acl().await.unwrap().acl.is_some());
    assert_eq!(alice.state().unwrap(), PresenceState::Online);
    alice.logoff().await.unwrap();
}

#[tokio::test]
async fn login_finds_the_server_through_srv() {
    let server = TestServer::start(users(&["alice"])).await;
    let dns = StaticResolver::new().with_srv(
        "example.com".parse().unwrap(),
        vec![
            SrvTarget::new("im.example.com".parse().unwrap(), server.addr.port())
                .with_addrs(vec![server.addr.ip()]),
        ],
    );
    let mut c = config("alice", server.addr);
    c.server = None;
    let (alice, _rx) = Client::new(c).login_with(dns).await.unwrap();
    assert!(!alice.properties().await.unwrap().is_empty());
}

#[tokio::test]
async fn login_fails_over_to_the_next_srv_target() {
    let server = TestServer::start(users(&["alice"])).await;
    // A port nobody listens on: bind one, note it, close it.
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let dns = StaticResolver::new()
        .with_srv(
            "example.com".parse().unwrap(),
            vec![
                SrvTarget::new("down.example.com".parse().unwrap(), dead.port())
                    .with_priority(0)
                    .with_addrs(vec![dead.ip()]),
                // No addresses in the answer: looked up through the resolver.
                SrvTarget::new("up.example.com".parse().unwrap(), server.addr.port())
                    .with_priority(10),
            ],
        )
        .with_host("up.example.com".parse().unwrap(), vec![server.addr.ip()]);
    let mut c = config("alice", server.addr);
    c.server = None;
    let (alice, _rx) = Client::new(c).login_with(dns).await.unwrap();
    assert_eq!(alice.state().unwrap(), PresenceState::Online);
    alice.logoff().await.unwrap();
}

#[tokio::test]
async fn wrong_password_is_refused() {
    let server = TestServer::start(users(&["alice"])).await;
    let mut c = config("alice", server.addr);
    c.password = "nope".into();
    let err = Client::new(c).login().await.unwrap_err();
    assert!(matches!(err, Error::Auth(AuthError::Refused)), "{err:?}");
}

#[tokio::test]
async fn sha256_digest_when_the_server_offers_it() {
    let conf = format!("{CONFIG}[auth]\noffer-sha256 = true\n");
    let server = TestServer::start_at(&conf, 0, users(&["alice"])).await;
    let (alice, _rx) = login_with(config("alice", server.addr)).await;
    alice.set_state(PresenceState::Busy).await.unwrap();
    alice.logoff().await.unwrap();
}

#[tokio::test]
async fn md5_only_server_and_address_username_form() {
    let conf = format!("{CONFIG}[auth]\noffer-sha256 = false\n");
    let server = TestServer::start_at(&conf, 0, users(&["alice"])).await;
    let mut c = config("alice", server.addr);
    c.username_form = UsernameForm::Address;
    let (alice, _rx) = login_with(c).await;
    alice.set_state(PresenceState::Busy).await.unwrap();
}

#[tokio::test]
async fn stale_nonce_is_answered_again() {
    let conf = format!("{CONFIG}[auth]\nnonce-lifetime-secs = 1\n");
    let server = TestServer::start_at(&conf, 0, users(&["alice"])).await;
    let (alice, _rx) = login("alice", server.addr).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    alice.set_state(PresenceState::Away).await.unwrap();
}

#[tokio::test]
async fn callback_on_a_fixed_port_range() {
    let server = TestServer::start(users(&["alice"])).await;
    // Find a free port, then ask for a range starting there.
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let mut c = config("alice", server.addr);
    c.delivery = Delivery::Callback(CallbackPort::Range(port, port.saturating_add(20)));
    let (alice, _rx) = login_with(c).await;
    let url = alice.callback_url().unwrap().to_owned();
    let got: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
    assert!((port..=port.saturating_add(20)).contains(&got), "{url}");
}

#[tokio::test]
async fn router_redirect_is_followed_and_home_server_cached() {
    let home_l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let home_port = home_l.local_addr().unwrap().port();
    drop(home_l);
    let home_name = format!("127.0.0.1:{home_port}");
    let dir = rvp_server::directory::MemoryDirectory::new();
    for a in ["alice", "bob"] {
        let n = rvp_server::directory::NewPrincipal::new(a, "example.com").home_server(&home_name);
        dir.insert(rvp_server::directory::PrincipalEntry::from_password(n, &password(a)).unwrap())
            .unwrap();
    }
    let dir = std::sync::Arc::new(dir);
    let common = "[[domain]]\nname = \"example.com\"\n[routing]\ntrusted-peers = [\"127.0.0.1\"]\n";
    let _home = TestServer::start_at(
        &format!("server-name = \"{home_name}\"\nrole = \"home\"\n{common}"),
        home_port,
        dir.clone(),
    )
    .await;
    let router = TestServer::start_at(&format!("role = \"router\"\n{common}"), 0, dir).await;
    let (alice, _a) = login("alice", router.addr).await;
    // Everything now goes to the home server: stop the router and go on.
    router.stop().await;
    let (bob, mut bob_events) = login("bob", _home.addr).await;
    assert_eq!(
        alice.add_contact(&addr("bob")).await.unwrap(),
        Some(PresenceState::Online)
    );
    let chat = alice.conversation(vec![addr("bob")]);
    let r = alice.send_text(&chat, "via the home server").await;
    assert!(r[0].result.is_ok(), "{r:?}");
    bob_events
        .until(|e| {
            matches!(e, rvp_client::Event::Message { text, .. } if text == "via the home server")
                .then_some(())
        })
        .await;
    drop(bob);
}

#[tokio::test]
async fn dropping_the_session_stops_its_listener() {
    let server = TestServer::start(users(&["alice"])).await;
    let (alice, events) = login("alice", server.addr).await;
    let cb = alice
        .callback_url()
        .unwrap()
        .trim_start_matches("http://")
        .to_owned();
    assert!(tokio::net::TcpStream::connect(&cb).await.is_ok());
    drop(alice);
    drop(events);
    let deadline = std::time::Instant::now() + WAIT;
    while tokio::net::TcpStream::connect(&cb).await.is_ok() {
        assert!(std::time::Instant::now() < deadline, "listener still open");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn nt_username_forms() {
    let dir = rvp_server::directory::MemoryDirectory::new();
    let n = rvp_server::directory::NewPrincipal::new("alice", "example.com").nt_domain("EXAMPLE");
    dir.insert(
        rvp_server::directory::PrincipalEntry::from_password(n, &password("alice")).unwrap(),
    )
    .unwrap();
    let server = TestServer::start_at(CONFIG, 0, std::sync::Arc::new(dir)).await;
    for form in [
        UsernameForm::NtBackslash("EXAMPLE".into()),
        UsernameForm::NtSlash("EXAMPLE".into()),
    ] {
        let mut c = config("alice", server.addr);
        c.username_form = form;
        let (alice, _rx) = login_with(c).await;
        alice.logoff().await.unwrap();
    }
}

#[tokio::test]
async fn login_with_more_saved_contacts_than_event_room() {
    let names = ["alice", "bob", "carol", "dave", "erin", "frank"];
    let server = TestServer::start(users(&names)).await;
    let dir = TempDir::new();
    let list: String = names[1..]
        .iter()
        .map(|n| format!("{n}@example.com\n"))
        .collect();
    std::fs::create_dir_all(&dir.0).unwrap();
    std::fs::write(dir.0.join("alice@example.com.contacts"), list).unwrap();
    let mut c = config("alice", server.addr);
    c.contacts_dir = Some(dir.0.clone());
    c.event_capacity = 2;
    // Five first presences during the login, before anyone reads events.
    let (alice, mut events) = tokio::time::timeout(WAIT, login_with(c))
        .await
        .expect("login returns");
    assert_eq!(alice.contacts().unwrap().len(), 5);
    for _ in 0..5 {
        events
            .until(|e| matches!(e, Event::Presence { .. }).then_some(()))
            .await;
    }
    alice.logoff().await.unwrap();
}
