//! The client library against the reference server on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used, unreachable_pub)]

mod support;

mod cli;
mod federation;
mod login;
mod messaging;
mod presence;
mod pty;
mod resilience;
