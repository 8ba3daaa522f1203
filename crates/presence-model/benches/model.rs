//! Criterion benches for the presence core.
fn main() {}
