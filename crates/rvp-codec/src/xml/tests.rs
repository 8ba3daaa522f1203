//! Tests with real peers' bytes and the draft's examples.
