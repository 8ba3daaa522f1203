//! The `rvp-server` binary.
fn main() {}
