//! Integration tests of rvp-codec: the wire vectors under `tests/vectors`, decoded and
//! re-encoded through the public API.

mod roundtrip;
mod vectors;
