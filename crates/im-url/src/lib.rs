//! RVP addressing: how `JoBrown@adatum.com` becomes the URL a client talks to and the
//! server it connects to.
//!
//! RVP (the presence and instant-messaging protocol of Exchange 2000 Instant Messaging) names
//! every node by an HTTP URL. This crate provides:
//!
//! - [`Address`] (`alias@domain`) with [`Alias`] and [`Domain`]: validation with precise
//!   errors, case-insensitive comparison, original case kept for display;
//! - [`NodeUrl`]: logical URLs `http://<im-host>[:port]/instmsg/aliases/<alias>`, physical
//!   (home-server) URLs `http://<home>/instmsg/local/<im-host>/instmsg/aliases/<alias>`,
//!   group, device and other nodes ([`NodePath`]); conversions between the forms; request
//!   targets taken off the wire; the addressing draft's equality rules;
//! - DNS discovery messages: the `_rvp._tcp.<domain>` SRV query and its answer
//!   ([`DnsQuery`], [`SrvAnswer`]), NXDOMAIN and NODATA kept apart, target `.` meaning
//!   "no service", truncation reported for a TCP retry;
//! - RFC 2782 target ordering with an injectable RNG ([`order_targets`]);
//! - [`locate`]: SRV, selection, address lookup, and the fallback to `<domain>:80`, over
//!   any [`Resolve`] implementation, such as the [`StaticResolver`] table;
//! - with the `resolver` feature, `DnsResolver`: async UDP/TCP queries with tokio,
//!   resolv.conf defaults, timeouts, retries and a TTL cache with negative caching.
//!
//! The core (everything but `DnsResolver`) does no I/O, reads no clock and builds without
//! tokio. hickory-proto encodes and decodes DNS messages; none of its types is public.
//!
//! # Getting started
//!
//! ```
//! use im_url::{locate, Address, NodeUrl, SrvTarget, StaticResolver};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // White paper, scenario 1: JoBrown@adatum.com, SRV _rvp._tcp.adatum.com -> im.adatum.com.
//! let jo: Address = "JoBrown@adatum.com".parse()?;
//! let dns = StaticResolver::new()
//!     .with_srv("adatum.com".parse()?, vec![SrvTarget::new("im.adatum.com".parse()?, 80)])
//!     .with_host("im.adatum.com".parse()?, vec!["10.0.0.1".parse()?]);
//! let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(1);
//! let location = block_on(locate(&dns, &jo, &mut rng))?;
//! assert_eq!(location.logical_url.to_string(), "http://im.adatum.com/instmsg/aliases/JoBrown");
//!
//! // The router redirects to the home server's physical URL...
//! let physical: NodeUrl =
//!     "http://imhomeserver1/instmsg/local/im.adatum.com/instmsg/aliases/JoBrown".parse()?;
//! // ...which names the same principal.
//! assert_eq!(physical.to_logical(), Some(location.logical_url.clone()));
//! assert_eq!(physical.address_in("adatum.com".parse()?), Some(jo));
//! # Ok(()) }
//! # fn block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
//! #     let mut f = std::pin::pin!(f);
//! #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
//! # }
//! ```
//!
//! # What this crate does not do
//! It opens no HTTP connection and follows no redirect; it does not map internationalised
//! names (IDNA): give them in A-label (`xn--`) form; it does not validate DNSSEC.

#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod address;
#[cfg(feature = "resolver")]
mod cache;
mod dns;
mod error;
mod host;
mod locate;
#[cfg(feature = "resolver")]
mod resolver;
mod select;
mod url;

pub use crate::address::{
    Address, Alias, Domain, MAX_ADDRESS_LEN, MAX_ALIAS_LEN, MAX_DOMAIN_LEN, MAX_LABEL_LEN,
};
pub use crate::dns::{
    AddrAnswer, DnsQuery, MAX_ADDRS_PER_HOST, MAX_CNAME_CHAIN, MAX_SRV_RECORDS, QueryKind, Reply,
    SrvAnswer, SrvTarget,
};
pub use crate::error::{
    AddressError, AliasError, ConfigError, DnsError, DomainError, Error, ResolveError, UrlError,
};
pub use crate::host::{Authority, Host};
pub use crate::locate::{
    DEFAULT_PORT, Endpoint, Location, Overlay, Resolve, Source, StaticResolver, locate,
};
#[cfg(feature = "resolver")]
pub use crate::resolver::{CacheStats, DnsResolver, RESOLV_CONF, ResolverConfig};
pub use crate::select::{order_targets, select_target};
pub use crate::url::{MAX_SEGMENTS, MAX_URL_LEN, NodePath, NodeUrl, OtherPath, Scheme, Segment};
