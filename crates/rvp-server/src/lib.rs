//! # rvp-server
//!
//! A reference RVP home server and router (draft-osborne-rvp-00, Exchange
//! 2000 Instant Messaging) on tokio and hyper, built on `rvp-codec` (wire
//! format), `im-url` (addresses, SRV) and `presence-model` (the sans-IO
//! presence core).
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod acl_store;
pub mod auth;
pub mod cli_user;
pub mod config;
pub mod directory;
mod dispatch;
mod handler;
mod names;
pub mod outbound;
mod serve;
mod state;

pub use config::{Config, ConfigError, Role, RouteMode};
pub use handler::{RVP_POLL_DROPPED, RVP_POLL_INTERVAL, RVP_POLL_REMAINING};
pub use serve::{Server, StartError};
