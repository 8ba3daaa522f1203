//! Integration tests of rvp-server: real TCP on loopback.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    unreachable_pub
)]

mod acl;
mod auth;
mod binary;
mod fake_dns;
mod limits;
mod outbound;
mod protocol;
mod routing;
mod safety;
mod scenarios;
mod support;
