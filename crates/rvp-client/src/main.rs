//! The `rvp` command line.
fn main() {}
