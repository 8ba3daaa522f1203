//! Tests of the XML bodies: real peers' exact bytes, the draft's examples and errata in
//! strict and lenient mode, limits and malformed input, round-trip properties.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod draft;
mod peers;
mod props;

use super::*;
use crate::Config;

fn strict() -> Config {
    Config::strict()
}

fn lenient() -> Config {
    Config::lenient()
}

/// Strict, plus the states real clients send.
fn strict_ext() -> Config {
    let mut config = Config::strict();
    config.allow_extended_states = true;
    config
}

const ROOT_NS: &str = r#"xmlns:d="DAV:" xmlns:r="http://schemas.microsoft.com/rvp/" xmlns:a="http://schemas.microsoft.com/rvp/acl/""#;

/// A librvp body: declaration, newline, the document on one line with the three
/// namespaces declared on the root, newline.
fn librvp(root: &str, rest: &str) -> Vec<u8> {
    format!("<?xml version=\"1.0\"?>\n<{root} {ROOT_NS}>{rest}\n").into_bytes()
}

fn leased(value: State) -> Property {
    Property::State(StateProperty::leased(value, State::Offline, 1200))
}
