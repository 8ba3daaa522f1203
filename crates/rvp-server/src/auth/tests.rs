//! Tests of server-side Digest: RFC vectors, librvp's exact header, every refusal.

use std::time::{Duration, Instant};

use md5::Md5;
use proptest::prelude::*;
use rvp_codec::Config;
use rvp_codec::header::{Algorithm, Authorization, DigestCredentials, ParamValue, Qop};
use sha2::{Digest, Sha256};

use super::*;
use crate::directory::{MemoryDirectory, NewPrincipal, PrincipalEntry};

// ---- An independent, straightforward client-side computation. ----

fn hex(b: &[u8]) -> String {
    b.iter().map(|b| format!("{b:02x}")).collect()
}

fn h(alg: DigestAlgorithm, s: &str) -> String {
    match alg {
        DigestAlgorithm::Md5 => hex(&Md5::digest(s.as_bytes())),
        DigestAlgorithm::Sha256 => hex(&Sha256::digest(s.as_bytes())),
    }
}

/// What a client sends as `response`; `qop` is `(nc as written, cnonce)`.
#[allow(clippy::too_many_arguments)]
fn client_response(
    alg: DigestAlgorithm,
    user: &str,
    realm: &str,
    password: &str,
    method: &str,
    uri: &str,
    nonce: &str,
    qop: Option<(&str, &str)>,
) -> String {
    let ha1 = h(alg, &format!("{user}:{realm}:{password}"));
    let ha2 = h(alg, &format!("{method}:{uri}"));
    match qop {
        Some((nc, cnonce)) => h(alg, &format!("{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")),
        None => h(alg, &format!("{ha1}:{nonce}:{ha2}")),
    }
}

fn parse_digest(header: &str) -> DigestCredentials {
    match Authorization::from_bytes(header.as_bytes(), &Config::strict()).unwrap() {
        Authorization::Digest(d) => d,
        other => panic!("{other:?}"),
    }
}

fn pv(s: &str) -> ParamValue {
    ParamValue::new(s).unwrap()
}

fn seeded(f: impl FnOnce(&mut DigestConfig)) -> DigestAuth {
    let mut c = DigestConfig {
        rng_seed: Some(42),
        ..DigestConfig::default()
    };
    f(&mut c);
    DigestAuth::new(c).unwrap()
}

/// alice@example.com, password `secret` (librvp-observed.md's account), NT domain CORP.
fn alice_dir() -> MemoryDirectory {
    let dir = MemoryDirectory::new();
    dir.insert(
        PrincipalEntry::from_password(
            NewPrincipal::new("alice", "example.com").nt_domain("CORP"),
            "secret",
        )
        .unwrap(),
    )
    .unwrap();
    dir
}

/// A nonce from a fresh challenge for realm `example.com`.
fn fresh_nonce(auth: &DigestAuth, now: Instant) -> String {
    let c = auth.challenge(now, &pv("example.com"), false);
    c.digest().unwrap().nonce.as_str().to_owned()
}

const URI: &str = "/instmsg/aliases/alice";

/// librvp's header exactly as observed, for `nonce` and `cnonce`, with a correct response.
fn librvp_header(nonce: &str, cnonce: &str, password: &str) -> String {
    let response = client_response(
        DigestAlgorithm::Md5,
        "alice",
        "example.com",
        password,
        "SUBSCRIBE",
        URI,
        nonce,
        Some(("00000001", cnonce)),
    );
    format!(
        r#"Digest username="alice", realm="example.com", qop="auth", algorithm="MD5", uri="{URI}", nonce="{nonce}", nc=00000001, cnonce="{cnonce}", response="{response}""#
    )
}

fn verify(
    auth: &DigestAuth,
    now: Instant,
    creds: &DigestCredentials,
    dir: &MemoryDirectory,
) -> Result<Verified, AuthError> {
    auth.verify(now, "SUBSCRIBE", URI, creds, dir, "example.com")
}

// ---- RFC vectors. ----

/// The directory entry and an auth that issued `nonce` (with `opaque`) for `realm`.
fn rfc_setup(
    domain: &str,
    realm: &str,
    password: &str,
    nonce: &str,
    opaque: &str,
) -> (MemoryDirectory, DigestAuth, Instant) {
    let dir = MemoryDirectory::new();
    let mut new = NewPrincipal::new("Mufasa", domain);
    new.realm = Some(realm.to_owned());
    dir.insert(PrincipalEntry::from_password(new, password).unwrap())
        .unwrap();
    let auth = seeded(|_| {});
    let now = Instant::now();
    auth.lock().nonces.insert(
        now,
        nonce,
        realm,
        Some(opaque),
        now + Duration::from_secs(60),
    );
    (dir, auth, now)
}

#[test]
fn rfc2617_section_3_5_example() {
    let (dir, auth, now) = rfc_setup(
        "host.com",
        "testrealm@host.com",
        "Circle Of Life",
        "dcd98b7102dd2f0e8b11d0f600bfb0c093",
        "5ccc069c403ebaf9f0171e9517f40e41",
    );
    let creds = parse_digest(
        r#"Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
    );
    let ok = auth
        .verify(now, "GET", "/dir/index.html", &creds, &dir, "host.com")
        .unwrap();
    assert_eq!(ok.entry.alias, "Mufasa");
    assert_eq!(ok.algorithm, DigestAlgorithm::Md5);
    assert_eq!(ok.username_form, UsernameKind::Alias);
}

const RFC7616_NONCE: &str = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
const RFC7616_OPAQUE: &str = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS";

fn rfc7616_creds(algorithm: &str, response: &str) -> DigestCredentials {
    parse_digest(&format!(
        r#"Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm={algorithm}, nonce="{RFC7616_NONCE}", nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, response="{response}", opaque="{RFC7616_OPAQUE}""#
    ))
}

#[test]
fn rfc7616_section_3_9_1_examples() {
    for (name, alg, response) in [
        (
            "SHA-256",
            DigestAlgorithm::Sha256,
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
        ),
        (
            "MD5",
            DigestAlgorithm::Md5,
            "8ca523f5e9506fed4657c9700eebdbec",
        ),
    ] {
        let (dir, auth, now) = rfc_setup(
            "example.org",
            "http-auth@example.org",
            "Circle of Life",
            RFC7616_NONCE,
            RFC7616_OPAQUE,
        );
        let creds = rfc7616_creds(name, response);
        let ok = auth
            .verify(now, "GET", "/dir/index.html", &creds, &dir, "example.org")
            .unwrap();
        assert_eq!(ok.algorithm, alg);
    }
}

// ---- librvp. ----

#[test]
fn librvp_exact_header() {
    let dir = alice_dir();
    let auth = seeded(|_| {});
    let now = Instant::now();
    let nonce = fresh_nonce(&auth, now);
    let creds = parse_digest(&librvp_header(
        &nonce,
        "f56d92ac1795313356cdb78f82",
        "secret",
    ));
    let ok = verify(&auth, now, &creds, &dir).unwrap();
    assert_eq!(ok.entry.address(), "alice@example.com");
    assert_eq!(ok.username_form, UsernameKind::Alias);

    // Replaying the exact same header is refused, with a plain 401.
    let e = verify(&auth, now, &creds, &dir).unwrap_err();
    assert_eq!(e, AuthError::Replay { nc: Some(1) });
    assert_eq!(e.rejection(), Rejection::Unauthorized { stale: false });

    // The same nonce, nc=1 again, a new cnonce: what real clients do; accepted.
    let creds = parse_digest(&librvp_header(
        &nonce,
        "0123456789abcdef0123456789",
        "secret",
    ));
    verify(&auth, now, &creds, &dir).unwrap();
}

#[test]
fn librvp_rfc2069_form_once_per_nonce() {
    let dir = alice_dir();
    let auth = seeded(|_| {});
    let now = Instant::now();
    let nonce = fresh_nonce(&auth, now);
    let response = client_response(
        DigestAlgorithm::Md5,
        "alice",
        "example.com",
        "secret",
        "SUBSCRIBE",
        URI,
        &nonce,
        None,
    );
    let creds = parse_digest(&format!(
        r#"Digest username="alice", realm="example.com", uri="{URI}", nonce="{nonce}", response="{response}""#
    ));
    verify(&auth, now, &creds, &dir).unwrap();
    assert_eq!(
        verify(&auth, now, &creds, &dir).unwrap_err(),
        AuthError::Replay { nc: None }
    );

    let strict = seeded(|c| c.allow_rfc2069 = false);
    let nonce = fresh_nonce(&strict, now);
    let mut creds = creds.clone();
    creds.nonce = pv(&nonce);
    assert_eq!(
        verify(&strict, now, &creds, &dir).unwrap_err(),
        AuthError::QopRequired
    );
}

// ---- Each user name form, both algorithms. ----

#[test]
fn every_username_form_and_algorithm() {
    let dir = alice_dir();
    let auth = seeded(|_| {});
    let now = Instant::now();
    let forms = [
        ("alice", UsernameKind::Alias),
        ("alice@example.com", UsernameKind::AliasAtDomain),
        ("CORP\\alice", UsernameKind::NtBackslash),
        ("CORP/alice", UsernameKind::NtSlash),
    ];
    for (user, kind) in forms {
        for alg in DigestAlgorithm::ALL {
            let nonce = fresh_nonce(&auth, now);
            let response = client_response(
                alg,
                user,
                "example.com",
                "secret",
                "SUBSCRIBE",
                URI,
                &nonce,
                Some(("00000001", "cn")),
            );
            let mut creds = DigestCredentials::new(
                pv(user),
                pv("example.com"),
                pv(&nonce),
                pv(URI),
                pv(&response),
            );
            creds.qop = Some(Qop::Auth);
            creds.nc = Some(1);
            creds.cnonce = Some(pv("cn"));
            creds.algorithm = Some(alg.to_codec());
            let ok = verify(&auth, now, &creds, &dir).unwrap();
            assert_eq!(
                (ok.username_form, ok.algorithm),
                (kind, alg),
                "{user} {alg}"
            );
        }
    }
}

// ---- Refusals. ----

fn good_creds(auth: &DigestAuth, now: Instant) -> DigestCredentials {
    let nonce = fresh_nonce(auth, now);
    parse_digest(&librvp_header(&nonce, "c1", "secret"))
}

fn cause(e: AuthError) -> CredentialsFailure {
    match e {
        AuthError::BadCredentials { cause, .. } => cause,
        other => panic!("{other:?}"),
    }
}

#[test]
fn wrong_password_and_unknown_user_look_the_same() {
    let dir = alice_dir();
    let auth = seeded(|_| {});
    let now = Instant::now();
    let nonce = fresh_nonce(&auth, now);
    let wrong = parse_digest(&librvp_header(&nonce, "c1", "guess"));
    let e1 = verify(&auth, now, &wrong, &dir).unwrap_err();
    let mut unknown = good_creds(&auth, now);
    unknown.username = pv("mallory");
    let e2 = verify(&auth, now, &unknown, &dir).unwrap_err();
    assert_eq!(e1.rejection(), e2.rejection());
    assert_eq!(e1.rejection(), Rejection::Unauthorized { stale: false });
    assert_eq!(cause(e1), CredentialsFailure::WrongPassword);
    assert_eq!(cause(e2), CredentialsFailure::UnknownUser);

    // A form with no stored hash (letter case differs; other NT domain).
    for user in ["Alice", "OTHER\\alice", "alice@other.example"] {
        let mut c = good_creds(&auth, now);
        c.username = pv(user);
        assert_eq!(
            cause(verify(&auth, now, &c, &dir).unwrap_err()),
            CredentialsFailure::UnknownUsernameForm,
            "{user}"
        );
    }
    // Wrong realm.
    let mut c = good_creds(&auth, now);
    c.realm = pv("EXAMPLE.COM");
    assert!(matches!(
        cause(verify(&auth, now, &c, &dir).unwrap_err()),
        CredentialsFailure::WrongRealm { .. }
    ));
    // A wrong password on a good nonce does not use it up.
    let good = parse_digest(&librvp_header(&nonce, "c1", "secret"));
    verify(&auth, now, &good, &dir).unwrap();
}

#[test]
fn stale_and_expired_nonces() {
    let dir = alice_dir();
    let auth = seeded(|_| {});
    let now = Instant::now();
    let creds = good_creds(&auth, now);
    let later = now + Duration::from_secs(300);
    let e = verify(&auth, later, &creds, &dir).unwrap_err();
    assert_eq!(
        e,
        AuthError::Stale {
            reason: StaleReason::Expired
        }
    );
    assert_eq!(e.rejection(), Rejection::Unauthorized { stale: true });
    let c = auth.challenge(later, &pv("example.com"), e.is_stale());
    assert!(
        c.0.iter()
            .all(|c| matches!(c, Challenge::Digest(d) if d.stale))
    );
    // Once purged, the old nonce is unknown: still stale.
    auth.purge_expired(later);
    assert_eq!(
        verify(&auth, later, &creds, &dir).unwrap_err(),
        AuthError::Stale {
            reason: StaleReason::Unknown
        }
    );
    // A nonce never issued, with a correct response: stale, so the client retries.
    let creds = parse_digest(&librvp_header(
        "00112233445566778899aabbccddeeff",
        "c",
        "secret",
    ));
    assert!(verify(&auth, now, &creds, &dir).unwrap_err().is_stale());
    // A nonce never issued with a wrong password: not stale.
    let creds = parse_digest(&librvp_header(
        "00112233445566778899aabbccddeeff",
        "c",
        "guess",
    ));
    assert!(!verify(&auth, now, &creds, &dir).unwrap_err().is_stale());
}

#[test]
fn nonce_uses_are_bounded() {
    let dir = alice_dir();
    let auth = seeded(|c| c.max_uses_per_nonce = 2);
    let now = Instant::now();
    let nonce = fresh_nonce(&auth, now);
    for cnonce in ["a", "b"] {
        verify(
            &auth,
            now,
            &parse_digest(&librvp_header(&nonce, cnonce, "secret")),
            &dir,
        )
        .unwrap();
    }
    assert_eq!(
        verify(
            &auth,
            now,
            &parse_digest(&librvp_header(&nonce, "c", "secret")),
            &dir
        )
        .unwrap_err(),
        AuthError::Stale {
            reason: StaleReason::Exhausted
        }
    );
}

#[test]
fn nonce_table_is_bounded() {
    let dir = alice_dir();
    let auth = seeded(|c| c.max_outstanding_nonces = 2);
    let now = Instant::now();
    let first = good_creds(&auth, now);
    let _second = fresh_nonce(&auth, now);
    let third = good_creds(&auth, now);
    assert_eq!(auth.outstanding_nonces(), 2);
    assert_eq!(
        verify(&auth, now, &first, &dir).unwrap_err(),
        AuthError::Stale {
            reason: StaleReason::Unknown
        }
    );
    verify(&auth, now, &third, &dir).unwrap();
    for _ in 0..100 {
        fresh_nonce(&auth, now);
    }
    assert_eq!(auth.outstanding_nonces(), 2);
}

#[test]
fn request_target_must_match() {
    let dir = alice_dir();
    let auth = seeded(|_| {});
    let now = Instant::now();
    let creds = good_creds(&auth, now);
    let e = auth
        .verify(
            now,
            "SUBSCRIBE",
            "/instmsg/aliases/bob",
            &creds,
            &dir,
            "example.com",
        )
        .unwrap_err();
    assert!(matches!(e, AuthError::UriMismatch { .. }));
    assert_eq!(e.rejection(), Rejection::BadRequest);
    // The absolute form of the same target is accepted.
    auth.verify(
        now,
        "SUBSCRIBE",
        "http://im.example.com:8080/instmsg/aliases/alice",
        &creds,
        &dir,
        "example.com",
    )
    .unwrap();
    // The method is covered by the response.
    let creds = good_creds(&auth, now);
    let e = auth
        .verify(now, "NOTIFY", URI, &creds, &dir, "example.com")
        .unwrap_err();
    assert_eq!(cause(e), CredentialsFailure::WrongPassword);
}

#[test]
fn uri_forms() {
    assert!(uri_matches("/a?b", "/a?b"));
    assert!(uri_matches("http://h/a", "/a"));
    assert!(uri_matches("/a", "HTTPS://h:1/a"));
    assert!(uri_matches("http://h", "/"));
    assert!(!uri_matches("http://h/a", "http://g/a"));
    assert!(!uri_matches("/a", "/A"));
    assert!(!uri_matches("ftp://h/a", "/a"));
    assert!(!uri_matches("/a", "/a/"));
}

#[test]
fn unsupported_parameters_are_bad_requests() {
    let dir = alice_dir();
    let md5_only = seeded(|c| c.algorithms = vec![DigestAlgorithm::Md5]);
    let now = Instant::now();
    type Change = fn(&mut DigestCredentials);
    let cases: [(&str, Change); 6] = [
        ("md5-sess", |c| c.algorithm = Some(Algorithm::Md5Sess)),
        ("sha-256 not offered", |c| {
            c.algorithm = Some(Algorithm::Sha256)
        }),
        ("auth-int", |c| c.qop = Some(Qop::AuthInt)),
        ("userhash", |c| c.userhash = true),
        ("long cnonce", |c| {
            c.cnonce = Some(ParamValue::new(&"x".repeat(MAX_CNONCE_LEN + 1)).unwrap())
        }),
        ("no nc", |c| c.nc = None),
    ];
    for (name, change) in cases {
        let mut c = good_creds(&md5_only, now);
        change(&mut c);
        let e = verify(&md5_only, now, &c, &dir).unwrap_err();
        assert_eq!(e.rejection(), Rejection::BadRequest, "{name}: {e}");
    }
}

#[test]
fn upper_case_response_hex_is_accepted() {
    let dir = alice_dir();
    let auth = seeded(|_| {});
    let now = Instant::now();
    let mut c = good_creds(&auth, now);
    c.response = pv(&c.response.as_str().to_ascii_uppercase());
    verify(&auth, now, &c, &dir).unwrap();
}

#[test]
fn opaque_round_trip() {
    let dir = alice_dir();
    let auth = seeded(|c| c.opaque = true);
    let now = Instant::now();
    let ch = auth.challenge(now, &pv("example.com"), false);
    let d = ch.digest().unwrap();
    let opaque = d.opaque.clone().unwrap();
    let mut c = parse_digest(&librvp_header(d.nonce.as_str(), "c", "secret"));
    assert_eq!(
        verify(&auth, now, &c, &dir).unwrap_err(),
        AuthError::OpaqueMismatch
    );
    c.opaque = Some(opaque);
    verify(&auth, now, &c, &dir).unwrap();
}

#[test]
fn challenge_shape() {
    let auth = seeded(|_| {});
    let now = Instant::now();
    let ch = auth.challenge(now, &pv("example.com"), false);
    let [Challenge::Digest(md5), Challenge::Digest(sha)] = ch.0.as_slice() else {
        panic!("{ch:?}")
    };
    assert_eq!(md5.algorithm, None);
    assert_eq!(sha.algorithm, Some(Algorithm::Sha256));
    assert_eq!(md5.nonce, sha.nonce);
    assert_eq!(md5.nonce.as_str().len(), 32);
    assert_eq!(md5.qop, [Qop::Auth]);
    assert!(!md5.stale && md5.opaque.is_none());
    // Seeded: reproducible; fresh each time.
    let again = seeded(|_| {}).challenge(now, &pv("example.com"), false);
    assert_eq!(again.digest().unwrap().nonce, md5.nonce);
    assert_ne!(fresh_nonce(&auth, now), md5.nonce.as_str());
}

#[test]
fn config_errors() {
    let bad = |f: fn(&mut DigestConfig)| {
        let mut c = DigestConfig::default();
        f(&mut c);
        DigestAuth::new(c).unwrap_err()
    };
    assert_eq!(
        bad(|c| c.algorithms.clear()),
        DigestConfigError::NoAlgorithms
    );
    assert_eq!(
        bad(|c| c.algorithms = vec![DigestAlgorithm::Md5, DigestAlgorithm::Md5]),
        DigestConfigError::DuplicateAlgorithm(DigestAlgorithm::Md5)
    );
    assert!(matches!(
        bad(|c| c.max_uses_per_nonce = 0),
        DigestConfigError::Zero { .. }
    ));
    assert!(matches!(
        bad(|c| c.max_outstanding_nonces = 0),
        DigestConfigError::Zero { .. }
    ));
    assert!(matches!(
        bad(|c| c.nonce_lifetime = Duration::ZERO),
        DigestConfigError::Zero { .. }
    ));
}

#[test]
fn constant_time_eq() {
    assert!(ct_eq(b"abc", b"abc"));
    assert!(!ct_eq(b"abc", b"abd"));
    assert!(!ct_eq(b"abc", b"ab"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// No header, however odd, makes verify panic.
    #[test]
    fn verify_never_panics(header in "Digest [ -~]{0,300}") {
        let dir = alice_dir();
        let auth = seeded(|c| c.max_outstanding_nonces = 4);
        let now = Instant::now();
        let _ = fresh_nonce(&auth, now);
        if let Ok(Authorization::Digest(c)) = Authorization::from_bytes(header.as_bytes(), &Config::lenient()) {
            let _ = verify(&auth, now, &c, &dir);
        }
    }

    /// Nor do arbitrary field values, built directly.
    #[test]
    fn verify_fields_never_panic(
        user in "\\PC{0,40}",
        realm in "\\PC{0,20}",
        uri in "\\PC{0,40}",
        response in "[0-9a-fA-F]{0,70}",
        cnonce in proptest::option::of("\\PC{0,300}"),
        nc in proptest::option::of(any::<u32>()),
        qop in 0u8..3,
        alg in 0u8..4,
        userhash in any::<bool>(),
        method in "[A-Z]{0,12}",
        later in 0u64..1000,
    ) {
        let dir = alice_dir();
        let auth = seeded(|_| {});
        let now = Instant::now();
        let nonce = fresh_nonce(&auth, now);
        let (Ok(u), Ok(r), Ok(ur), Ok(resp)) =
            (ParamValue::new(&user), ParamValue::new(&realm), ParamValue::new(&uri), ParamValue::new(&response))
        else {
            return Ok(());
        };
        let mut c = DigestCredentials::new(u, r, pv(&nonce), ur, resp);
        c.cnonce = cnonce.and_then(|s| ParamValue::new(&s).ok());
        c.nc = nc;
        c.qop = [None, Some(Qop::Auth), Some(Qop::AuthInt)][usize::from(qop)].clone();
        c.algorithm = [None, Some(Algorithm::Md5), Some(Algorithm::Sha256), Some(Algorithm::Md5Sess)]
            [usize::from(alg)].clone();
        c.userhash = userhash;
        let _ = auth.verify(now + Duration::from_secs(later), &method, &uri, &c, &dir, "example.com");
    }
}
