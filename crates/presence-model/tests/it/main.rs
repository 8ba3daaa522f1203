//! Integration tests: a virtual-clock simulator, scenarios from the white
//! paper and librvp, and model-based property tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::field_reassign_with_default
)]

mod client;
mod model;
mod scenarios;
mod sim;
