//! Integration tests of im-url: the public API only.
//!
//! - `parse_stability`: the body of the fuzz target, run on fixed inputs;
//! - `roundtrip`: proptest round trips of addresses and URLs;
//! - `fake_dns` (feature `resolver`): in-test UDP/TCP servers for truncation, timeouts,
//!   retries and forged replies;
//! - `dnsmasq` (feature `resolver`): real SRV records served by dnsmasq on loopback;
//! - `vectors`: replies captured from dnsmasq, read offline.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

#[cfg(feature = "resolver")]
mod dnsmasq;
#[cfg(feature = "resolver")]
mod fake_dns;
mod parse_stability;
mod roundtrip;
mod vectors;

/// Without the `resolver` feature the DNS tests are not built; under CI that must fail
/// rather than pass silently (run `cargo test -p im-url --all-features`).
#[cfg(not(feature = "resolver"))]
#[test]
fn dns_tests_need_the_resolver_feature() {
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set but im-url's DNS tests were not built: run with --features resolver"
    );
    eprintln!("skipping im-url DNS tests: build with --features resolver");
}
