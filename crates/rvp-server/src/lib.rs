//! # rvp-server
//!
//! A reference RVP home server and router (draft-osborne-rvp-00) on tokio and hyper.
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod auth;
pub mod directory;
