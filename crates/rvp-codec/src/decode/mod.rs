//! Incremental decoding of requests and responses from a caller-owned buffer.

mod error;

pub use error::{DecodeError, Syntax};
