//! # rvp-load
//!
//! A load generator for RVP servers (Exchange 2000 Instant Messaging,
//! draft-osborne-rvp-00), with its baselines and the scenarios of the
//! project's performance issue.
//!
//! - Simulated clients ([`User`]) log in as the white paper describes
//!   (login SUBSCRIBE `pragma/notify` with a `Call-Back`, PROPPATCH of a
//!   leased state, PROPFIND, SUBSCRIPTIONS, ACL, one `update/propchange`
//!   SUBSCRIBE per contact), answer Digest challenges reusing the nonce with
//!   an incrementing count ([`DigestSession`]), renew leases and
//!   subscriptions, change presence and send messages.
//! - Their NOTIFYs arrive on a few shared callback listeners
//!   ([`Listeners`]): each client has its own callback path, each message
//!   carries its id and send time, so the listener measures latency and
//!   counts receipts per message (exactly-once check).
//! - Requests go over a pooled keep-alive client or a new connection each
//!   ([`ConnMode`]).
//! - Baselines ([`Baseline`]): a bare hyper server answering at once, and a
//!   bare forwarder relaying NOTIFYs to callbacks.
//! - Scenarios ([`Scenario`]): delivery, login storm, fan-out, capacity and
//!   soak, each reporting requests/s, deliveries/s, latency percentiles
//!   ([`Histogram`]), errors by kind, the server's RSS and CPU time from
//!   `/proc`, the ratios to the baseline and the goals ([`Report`]).
//!
//! The `rvp-load` binary runs them; see `BENCHMARKS.md` at the repository
//! root for the commands and the figures measured.
//!
//! ```
//! use rvp_load::{Histogram, listener};
//!
//! let text = listener::message_text(7, 1_000, 3);
//! assert_eq!(listener::parse_message(text.as_bytes()), Some((7, 1_000, 3)));
//! let mut h = Histogram::new();
//! h.record(250);
//! assert_eq!(h.quantile(0.99), 250);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod baseline;
pub mod client;
pub mod digest;
pub mod histogram;
pub mod http;
pub mod listener;
pub mod metrics;
pub mod report;
pub mod rig;
pub mod scenario;
pub mod server;

pub use baseline::{Baseline, BaselineKind};
pub use client::{Env, RequestError, User};
pub use digest::{DigestError, DigestSession};
pub use histogram::{Histogram, Quantiles};
pub use http::{ConnMode, ExchangeError, HttpClient};
pub use listener::Listeners;
pub use metrics::{Metrics, Tally};
pub use report::{Goal, Report, RunResult};
pub use rig::{Rig, RigOptions};
pub use scenario::{Options, Scenario, ScenarioError, Target};
pub use server::{ProcSample, ServerError, ServerSpec, SpawnedServer};
