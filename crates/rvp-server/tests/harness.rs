//! The in-process harness of feature `fuzzing` over hand-written request
//! sequences: logins, presence, watching, messages, polling, failing
//! callbacks, expiry after time advances; the server's invariants are
//! checked after every step.
#![cfg(feature = "fuzzing")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use rvp_server::Config;
use rvp_server::directory::{MemoryDirectory, NewPrincipal, PrincipalEntry};
use rvp_server::fuzzing::Harness;

const DOMAIN: &str = "example.com";

fn url(alias: &str) -> String {
    format!("http://{DOMAIN}/instmsg/aliases/{alias}")
}

fn password(alias: &str) -> String {
    format!("{alias}-secret")
}

fn peer(n: u8) -> SocketAddr {
    SocketAddr::from(([10, 0, 0, n], 40_000))
}

fn xml(inner: &str) -> Vec<u8> {
    let end = inner.find(['>', '/']).unwrap();
    let (name, rest) = inner.split_at(end);
    format!(
        "<?xml version=\"1.0\"?>\n{name} xmlns:d=\"DAV:\" xmlns:r=\"http://schemas.microsoft.com/rvp/\" xmlns:a=\"http://schemas.microsoft.com/rvp/acl/\"{rest}\n"
    )
    .into_bytes()
}

fn leased(state: &str, secs: u32) -> Vec<u8> {
    xml(&format!(
        "<d:propertyupdate><d:set><d:prop><r:state><r:leased-value><r:value><r:{state}/></r:value><r:default-value><r:offline/></r:default-value><d:timeout>{secs}</d:timeout></r:leased-value></r:state></d:prop></d:set></d:propertyupdate>"
    ))
}

fn message(from: &str, to: &str) -> Vec<u8> {
    xml(&format!(
        "<r:notification><r:message><r:notification-from><r:contact><d:href>{}</d:href></r:contact></r:notification-from><r:notification-to><r:contact><d:href>{}</d:href></r:contact></r:notification-to><r:msgbody><r:mime-data>MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nhello</r:mime-data></r:msgbody></r:message></r:notification>",
        url(from),
        url(to)
    ))
}

/// A harness with alice, bob and carol, and the given configuration
/// changes.
fn harness(tune: impl FnOnce(&mut Config)) -> Harness {
    let mut config = Config::default();
    config.domains[0].name = DOMAIN.into();
    tune(&mut config);
    let dir = MemoryDirectory::new();
    for alias in ["alice", "bob", "carol"] {
        let entry =
            PrincipalEntry::from_password(NewPrincipal::new(alias, DOMAIN), &password(alias))
                .unwrap();
        dir.insert(entry).unwrap();
    }
    let h = Harness::new(config, Arc::new(dir)).unwrap();
    h.check_invariants().unwrap();
    h
}

/// Sends `method` to `target`'s node as `who` (authenticated) from peer
/// `10.0.0.<n>`, then checks the invariants.
fn send(
    h: &Harness,
    who: &str,
    n: u8,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Response<Bytes> {
    let mut b = Request::builder().method(method).uri(url(target));
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    if !body.is_empty() {
        b = b.header("Content-Type", "text/xml");
    }
    let mut req = b.body(Bytes::from(body)).unwrap();
    h.authorize(&mut req, who, DOMAIN, &password(who));
    let r = h.request(req, peer(n));
    if let Err(e) = h.check_invariants() {
        panic!("after {method} {target} as {who}: {e}");
    }
    r
}

fn header<'a>(r: &'a Response<Bytes>, name: &str) -> &'a str {
    r.headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} in {r:?}"))
        .to_str()
        .unwrap()
}

fn login(h: &Harness, who: &str, n: u8) -> String {
    let callback = format!("http://10.0.0.{n}:7000/{who}");
    let r = send(
        h,
        who,
        n,
        "SUBSCRIBE",
        who,
        &[
            ("Notification-Type", "pragma/notify"),
            ("Subscription-Lifetime", "14400"),
            ("Call-Back", &callback),
        ],
        Vec::new(),
    );
    assert_eq!(r.status(), StatusCode::OK, "login of {who}");
    header(&r, "subscription-id").to_owned()
}

fn advance(h: &Harness, by: Duration) {
    h.advance(by);
    if let Err(e) = h.check_invariants() {
        panic!("after advancing {by:?}: {e}");
    }
}

#[test]
fn requests_without_credentials_are_challenged() {
    let h = harness(|_| {});
    let req = Request::builder()
        .method("PROPFIND")
        .uri(url("alice"))
        .body(Bytes::new())
        .unwrap();
    let r = h.request(req.clone(), peer(1));
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(header(&r, "www-authenticate").starts_with("Digest realm=\"example.com\""));
    let mut wrong = req;
    h.authorize(&mut wrong, "alice", DOMAIN, "not-her-password");
    assert_eq!(h.request(wrong, peer(1)).status(), StatusCode::UNAUTHORIZED);
    h.check_invariants().unwrap();
    assert_eq!(h.sink().count(), 0);
}

#[test]
fn login_presence_messages_and_expiry() {
    let h = harness(|_| {});
    login(&h, "alice", 1);
    login(&h, "bob", 2);
    assert_eq!(h.logins(), 2);

    // Bob watches alice; alice goes online for a minute.
    let r = send(
        &h,
        "bob",
        2,
        "SUBSCRIBE",
        "alice",
        &[
            ("Notification-Type", "update/propchange"),
            ("Subscription-Lifetime", "14400"),
            ("Call-Back", &url("bob")),
        ],
        Vec::new(),
    );
    assert_eq!(r.status(), StatusCode::MULTI_STATUS);
    h.sink().take();
    let r = send(
        &h,
        "alice",
        1,
        "PROPPATCH",
        "alice",
        &[],
        leased("online", 60),
    );
    assert_eq!(r.status(), StatusCode::MULTI_STATUS);
    let sent = h.sink().take();
    assert_eq!(sent.len(), 1, "bob's login is told: {sent:?}");
    assert_eq!(sent[0].uri, "http://10.0.0.2:7000/bob");
    assert!(String::from_utf8_lossy(&sent[0].body).contains("online"));

    // A message from bob reaches alice's callback.
    let r = send(
        &h,
        "bob",
        2,
        "NOTIFY",
        "alice",
        &[("RVP-Ack-Type", "DeepOr")],
        message("bob", "alice"),
    );
    assert_eq!(r.status(), StatusCode::OK);
    let sent = h.sink().take();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].uri, "http://10.0.0.1:7000/alice");

    // The lease runs out: bob is told alice is offline.
    advance(&h, Duration::from_secs(61));
    let sent = h.sink().take();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(String::from_utf8_lossy(&sent[0].body).contains("offline"));
    assert_eq!(h.stats().views, 0);

    // Four hours later every subscription has expired, logins included.
    advance(&h, Duration::from_secs(4 * 3600));
    assert_eq!(h.stats().subscriptions, 0);
    assert_eq!(h.logins(), 0);
    let r = send(
        &h,
        "bob",
        2,
        "NOTIFY",
        "alice",
        &[],
        message("bob", "alice"),
    );
    assert_eq!(r.status(), StatusCode::PRECONDITION_FAILED);
}

#[test]
fn renewal_keeps_the_login_and_unsubscribe_ends_it() {
    let h = harness(|_| {});
    let id = login(&h, "alice", 1);
    advance(&h, Duration::from_secs(3 * 3600));
    let r = send(
        &h,
        "alice",
        1,
        "SUBSCRIBE",
        "alice",
        &[("Subscription-Id", &id), ("Subscription-Lifetime", "14400")],
        Vec::new(),
    );
    assert_eq!(r.status(), StatusCode::OK);
    advance(&h, Duration::from_secs(2 * 3600));
    assert_eq!(h.logins(), 1);
    let r = send(
        &h,
        "alice",
        1,
        "UNSUBSCRIBE",
        "alice",
        &[("Subscription-Id", &id)],
        Vec::new(),
    );
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(h.logins(), 0);
}

#[test]
fn polling_queues_stay_bounded() {
    let h = harness(|c| c.limits.max_queued_notifications = 2);
    let r = send(
        &h,
        "alice",
        1,
        "SUBSCRIBE",
        "alice",
        &[
            ("Notification-Type", "pragma/notify"),
            ("Subscription-Lifetime", "14400"),
            ("RVP-Poll-Interval", "60"),
        ],
        Vec::new(),
    );
    assert_eq!(r.status(), StatusCode::OK);
    let id = header(&r, "subscription-id").to_owned();
    for _ in 0..5 {
        let r = send(
            &h,
            "bob",
            2,
            "NOTIFY",
            "alice",
            &[],
            message("bob", "alice"),
        );
        assert_eq!(r.status(), StatusCode::OK);
    }
    let poll = |expect: StatusCode| {
        let r = send(
            &h,
            "alice",
            1,
            "POLL",
            "alice",
            &[("Subscription-Id", &id)],
            Vec::new(),
        );
        assert_eq!(r.status(), expect);
        r
    };
    let r = poll(StatusCode::OK);
    assert_eq!(header(&r, "rvp-poll-dropped"), "3");
    assert_eq!(header(&r, "rvp-poll-remaining"), "1");
    poll(StatusCode::OK);
    poll(StatusCode::NO_CONTENT);
    assert_eq!(h.sink().count(), 0, "polling sends nothing out");
}

#[test]
fn failing_callbacks_end_the_login() {
    let h = harness(|c| c.limits.callback_failures = 2);
    login(&h, "alice", 1);
    h.sink().set_answer(None);
    for expect in [StatusCode::PRECONDITION_FAILED; 2] {
        let r = send(
            &h,
            "bob",
            2,
            "NOTIFY",
            "alice",
            &[],
            message("bob", "alice"),
        );
        assert_eq!(r.status(), expect);
    }
    assert_eq!(h.logins(), 0);
    assert_eq!(h.stats().subscriptions, 0);
}

#[test]
fn acl_writes_are_stored_as_in_force() {
    let h = harness(|_| {});
    let body = xml(&format!(
        "<a:rvpacl><a:acl><a:inheritance>none</a:inheritance><a:ace><a:principal><a:rvp-principal>{}</a:rvp-principal><a:credentials><a:digest/></a:credentials></a:principal><a:grant/><a:deny><a:send-to/><a:presence/></a:deny></a:ace></a:acl></a:rvpacl>",
        url("carol")
    ));
    let r = send(&h, "alice", 1, "ACL", "alice", &[], body);
    assert_eq!(r.status(), StatusCode::OK);
    login(&h, "alice", 1);
    // Carol is denied send-to: answered like an offline principal.
    let r = send(
        &h,
        "carol",
        3,
        "NOTIFY",
        "alice",
        &[],
        message("carol", "alice"),
    );
    assert_eq!(r.status(), StatusCode::PRECONDITION_FAILED);
    let r = send(&h, "alice", 1, "ACL", "alice", &[], Vec::new());
    assert_eq!(r.status(), StatusCode::OK);
    assert!(String::from_utf8_lossy(r.body()).contains("carol"));
}

/// A login SUBSCRIBE from `peer` with `Call-Back` and extra headers.
fn login_from(h: &Harness, peer: SocketAddr, callback: &str, extra: &[(&str, &str)]) -> StatusCode {
    let mut b = Request::builder()
        .method("SUBSCRIBE")
        .uri(url("alice"))
        .header("Notification-Type", "pragma/notify")
        .header("Subscription-Lifetime", "600")
        .header("Call-Back", callback);
    for (k, v) in extra {
        b = b.header(*k, *v);
    }
    let mut req = b.body(Bytes::new()).unwrap();
    h.authorize(&mut req, "alice", DOMAIN, &password("alice"));
    let status = h.request(req, peer).status();
    h.check_invariants().unwrap();
    status
}

#[test]
fn dual_stack_peers_are_compared_as_ipv4() {
    // A `[::]` listener reports the IPv4 client 10.0.0.1 as ::ffff:10.0.0.1.
    let h = harness(|_| {});
    let mapped: SocketAddr = "[::ffff:10.0.0.1]:40000".parse().unwrap();
    assert_eq!(
        login_from(&h, mapped, "http://10.0.0.1:7000/alice", &[]),
        StatusCode::OK
    );
    assert_eq!(
        login_from(&h, mapped, "http://[::ffff:10.0.0.1]:7000/alice", &[]),
        StatusCode::OK
    );
    assert_eq!(
        login_from(&h, mapped, "http://10.0.0.2:7000/alice", &[]),
        StatusCode::FORBIDDEN
    );
    // A trusted peer listed as IPv4 is recognised behind a dual-stack
    // listener too: its forwarded client address counts.
    let h = harness(|c| c.routing.trusted_peers = vec!["10.0.0.9".parse().unwrap()]);
    let router: SocketAddr = "[::ffff:10.0.0.9]:40000".parse().unwrap();
    assert_eq!(
        login_from(
            &h,
            router,
            "http://10.0.0.1:7000/alice",
            &[("X-Forwarded-For", "10.0.0.1")]
        ),
        StatusCode::OK
    );
}

#[test]
fn logins_through_a_router_are_checked_against_the_forwarded_client() {
    // Our router at 10.0.0.9 proxies alice's login from 10.0.0.1.
    let h = harness(|c| c.routing.trusted_peers = vec!["10.0.0.9".parse().unwrap()]);
    let xff = [("X-Forwarded-For", "10.0.0.1")];
    assert_eq!(
        login_from(&h, peer(9), "http://10.0.0.1:7000/alice", &xff),
        StatusCode::OK
    );
    // Without the header the client would be the router itself.
    assert_eq!(
        login_from(&h, peer(9), "http://10.0.0.1:7000/alice", &[]),
        StatusCode::FORBIDDEN
    );
    // The forwarded client may not point elsewhere either.
    assert_eq!(
        login_from(&h, peer(9), "http://10.0.0.2:7000/alice", &xff),
        StatusCode::FORBIDDEN
    );
    // From anyone but a trusted peer the header is ignored.
    assert_eq!(
        login_from(&h, peer(3), "http://10.0.0.1:7000/alice", &xff),
        StatusCode::FORBIDDEN
    );
    assert_eq!(h.logins(), 1);
}
