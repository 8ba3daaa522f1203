//! # rvp
//!
//! A Rust implementation of RVP, the presence and instant-messaging protocol of
//! Microsoft Exchange 2000 Instant Messaging (draft-osborne-rvp-00): an extension of
//! HTTP/1.1 with the methods SUBSCRIBE, UNSUBSCRIBE, SUBSCRIPTIONS, PROPFIND, PROPPATCH,
//! NOTIFY and ACL, XML bodies, leased presence, home servers and routers.
//!
//! This crate is a thin facade: it re-exports the workspace's libraries behind features
//! so that one dependency line gives access to all of them, and it hosts the
//! workspace's top-level `examples/` and `benches/`.
//!
//! | feature | module | crate |
//! |---|---|---|
//! | `codec` (default) | [`codec`] | `rvp-codec`: wire parsing and serialisation |
//! | `url` (default) | [`url`] | `im-url`: addresses, logical and physical URLs, DNS SRV discovery |
//! | `resolver` | [`url`] | the async DNS resolver of `im-url` (tokio) |
//! | `model` (default) | [`model`] | `presence-model`: states, leases, views, subscriptions, ACLs (sans-IO) |
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

#[cfg(feature = "codec")]
#[doc(inline)]
pub use rvp_codec as codec;

#[cfg(feature = "url")]
#[doc(inline)]
pub use im_url as url;

#[cfg(feature = "model")]
#[doc(inline)]
pub use presence_model as model;
