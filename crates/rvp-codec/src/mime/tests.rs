//! Payload-level tests.
