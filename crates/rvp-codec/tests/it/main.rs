//! Integration tests of rvp-codec: the wire vectors under `tests/vectors`, decoded and
//! re-encoded through the public API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod roundtrip;
mod vectors;
