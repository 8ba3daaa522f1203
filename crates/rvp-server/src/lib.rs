//! # rvp-server
//!
//! A reference RVP home server and router (draft-osborne-rvp-00, Exchange
//! 2000 Instant Messaging) on tokio and hyper, built on `rvp-codec` (wire
//! format), `im-url` (addresses, SRV) and `presence-model` (the sans-IO
//! presence core). The `rvp-server` binary runs it; this library lets a
//! product embed it (see [`Server`]).
//!
//! ## Roles
//! - **Home server**: hosts principals: their leased state and views,
//!   properties, subscriptions, ACLs, and their clients' callbacks.
//! - **Router**: owns the IM domain names, hosts nobody, and for a principal
//!   whose directory entry names another `home_server` answers `302` with
//!   the physical URL `http://<home>/instmsg/local/<domain>/instmsg/aliases/<alias>`
//!   or proxies the request there ([`config::RoutingConfig`]). `role =
//!   "both"` (the default) hosts the principals without a `home_server`.
//!
//! ## Methods and answers
//! SUBSCRIBE `pragma/notify` (a login: the `Call-Back` receives what is sent
//! to the principal) → `200`; SUBSCRIBE `update/propchange` → `207` with the
//! current state; SUBSCRIBE with a `Subscription-Id` (with or without
//! `Notification-Type` and `Call-Back`, as librvp renews) → `200`, extending
//! the subscriptions of the same client as `presence-model`'s renewal rule
//! says; UNSUBSCRIBE → `200`; SUBSCRIPTIONS → `200` with a `subscriptions`
//! document; PROPFIND (`Depth: 0` only, else `412`; missing properties in a
//! `404` propstat) → `207`; PROPPATCH → `207` echoing the state with the
//! granted timeout and the `view-id`; ACL without a body → `200` with the
//! `rvpacl`, with one → `200`; NOTIFY → as `RVP-Ack-Type` says (below);
//! GET, HEAD, POST, PUT, LOCK, UNLOCK, OPTIONS and unknown methods → `501`;
//! COPY and MOVE → `405`. Every answer carries the client's
//! `RVP-Notifications-Version`. Multistatus hrefs are absolute logical
//! URLs. A missing right is `403` (not the core's `401`: librvp treats a
//! `401` after its credentials as a wrong password), except a NOTIFY denied
//! `send-to`, which is `412` like a NOTIFY to a principal with no login (the
//! block stays hidden, and librvp shows "could not be delivered" for `412`
//! and `404` but nothing at all for a `403`).
//!
//! ## Access control: which request needs which right
//! Rights are the draft's (§6.7.1), held on the *target* node (the
//! Request-URI's principal) and decided by its ACL as `presence-model`
//! evaluates it. The node's owner, authenticated, holds every right
//! whatever the ACL says. A principal without a stored ACL has the default
//! one: the owner all rights, everyone `read`, `list`, `send-to` and
//! `presence`.
//!
//! | request | right needed | when it is missing |
//! |---|---|---|
//! | PROPFIND with `d:prop` (named properties) | `read` | `403` |
//! | PROPFIND with `d:propname` (the names only) | `list` | `403` |
//! | PROPFIND with `d:allprop`, or no body (names and values) | `read` and `list` | `403` |
//! | the value of `state` (PROPFIND, SUBSCRIBE `207`, presence NOTIFYs) | `presence` | seen as `offline` (the block stays hidden) |
//! | PROPPATCH | `write` | `403` |
//! | SUBSCRIBE `pragma/notify` (a login) | `receive-from` | `403` |
//! | SUBSCRIBE `update/propchange` with one's own URL as `Call-Back` | none | — |
//! | SUBSCRIBE with any other `Call-Back` | `subscribe-others` (besides the above) | `403` |
//! | SUBSCRIBE renewal (`Subscription-Id`) | being the subscriber | `403` |
//! | UNSUBSCRIBE | being the subscriber, or `write` | `403` |
//! | SUBSCRIPTIONS | `subscriptions` | `403` |
//! | ACL without a body (read) | `readacl` | `403` |
//! | ACL with a body (replace) | `writeacl` | `403` |
//! | NOTIFY (message or notification) | `send-to`; each login's subscriber keeps `receive-from` | `412`, as for an offline principal (see above) |
//! | POLL | being the principal whose polling login it is | `403` |
//!
//! The `list` right is the draft's "who is allowed to list properties":
//! learning which properties a node has (`propname`, `allprop`) needs it;
//! reading a property one names does not.
//!
//! ACLs are stored one file per principal under `data-dir` and written
//! before they apply: an ACL write whose save fails answers `500` and the
//! old ACL stays in force. A stored ACL that cannot be read or used does
//! not fall back to the permissive default: the principal gets an empty
//! ACL (owner only) and the server logs an error naming the file, until
//! the owner writes a new ACL.
//!
//! ## Delivery
//! NOTIFYs to a principal go to its logins' callbacks, unchanged. Presence
//! changes go to each permitted watcher's `Call-Back`: a listener
//! (`http://ip:port`) directly; a logical URL of one of our principals to
//! that principal's logins (librvp uses its own URL as `Call-Back`); a
//! principal of another domain through its server (static route or
//! `_rvp._tcp` SRV, public addresses only: see the authentication policy),
//! following one `302` within that domain. `RVP-Hop-Count` increments at
//! each hop and is bounded (`508` beyond, answered by the server that would
//! forward past the bound). Each destination has one ordered
//! worker over a pooled keep-alive client, with bounded queues, a bound on
//! requests in flight and timeouts. `RVP-Ack-Type`: `SingleHop` answers
//! `200` once routed; `DeepOr` (the default) `200` once one login accepted
//! it, `412` when none is online or none accepted; `DeepAnd` `200` only if
//! every login accepted it. A login whose callback fails
//! `callback-failures` times in a row ends, its view goes offline and its
//! watchers are told.
//!
//! ## Authentication policy
//! - Every request about a principal of our domains is authenticated with
//!   HTTP Digest (RFC 2617 MD5 with `qop=auth`; RFC 7616 SHA-256 too when
//!   `[auth] offer-sha256` is on, which librvp cannot log in with), except
//!   the router's `302` (which reveals only the home server's name). The
//!   challenge's realm is the IM domain. Usernames: `alias`,
//!   `alias@domain`, `NTDOMAIN\alias`, `NTDOMAIN/alias` (hashes for each
//!   form are in the directory; passwords are never stored). Nonces expire
//!   (`stale=true`); a replayed (nonce, nc, cnonce) is refused; a fresh
//!   cnonce with `nc=00000001` on a live nonce is accepted, as real clients
//!   send. Only Digest is offered.
//! - `RVP-From-Principal`, when it names a principal of ours, must be the
//!   authenticated one (`403`); so must `notification-from` in a NOTIFY.
//! - **Anonymous peers**: a request whose `RVP-From-Principal` is a
//!   principal of *another* IM domain is accepted without credentials (no
//!   trust relationship exists to check them), with assertion-level
//!   credentials, when `routing.accept-foreign-assertions` is on (default).
//!   The ACL decides what it may do: the default ACL lets everyone send
//!   messages, watch presence and read; an ACE can require `digest` to
//!   shut assertions out. Such requesters never hold owner rights.
//! - A NOTIFY with `RVP-Hop-Count` ≥ 2 from an address in
//!   `routing.trusted-peers` (the organisation's other servers) is accepted
//!   for the principal it names (server-to-server delivery).
//! - **Logins through a proxying router**: a router in proxy mode sends the
//!   client's address in `X-Forwarded-For` (replacing any the client sent).
//!   A home server takes it as the client's address (for the `Call-Back`
//!   check below and the view's origin) only from an address in
//!   `routing.trusted-peers`; from anyone else the header is ignored. So
//!   list the routers in each home server's `trusted-peers`.
//! - **Outbound requests** (server-to-server NOTIFYs): an unauthenticated
//!   peer of another domain chooses the domain our presence NOTIFYs go to,
//!   and that domain's DNS chooses the addresses. So a destination found in
//!   DNS (`_rvp._tcp` SRV or the `<domain>:80` fallback) is used only if its
//!   address is publicly routable: not unspecified, loopback, private
//!   (10/8, 172.16/12, 192.168/16, `fc00::/7`), shared (100.64/10),
//!   link-local (169.254/16, `fe80::/10`), multicast, broadcast,
//!   documentation, benchmarking or reserved; IPv4 inside IPv6 (v4-mapped,
//!   NAT64, 6to4) is judged as IPv4. The connection goes to the address
//!   checked (no second lookup). A `302` is followed once, only to the same
//!   IM domain (the domain, a name under it, or the located server) at an
//!   address that passes the same check, or to a configured destination
//!   (a `static-routes` target or a `trusted-peers` address). Destinations
//!   the operator configured (`static-routes`, `trusted-peers`, home
//!   servers in the directory) are used as given. Refusals are logged
//!   (`server-to-server NOTIFY failed`) and nothing is sent.
//!   `routing.allow-private-destinations = true` lifts the address check,
//!   for closed networks and tests only.
//!
//! ## Callback safety
//! A `Call-Back` must be the requesting client's own address (an IP
//! literal equal to the client's, IPv4-mapped IPv6 addresses read as IPv4,
//! or `localhost` for a loopback client; the client is the peer, or the
//! address a trusted router forwarded), a
//! principal of ours that exists, or, for a requester of another domain, its
//! own logical URL. Anything else is `403`, so the server cannot be used to
//! send requests to arbitrary hosts.
//!
//! ## Polling (this project's design)
//! Exchange 2000 SP1's Instant Message Polling has no public wire
//! description; this is ours, for clients that cannot accept callbacks:
//! 1. The login SUBSCRIBE (`pragma/notify`) carries
//!    `RVP-Poll-Interval: <seconds>` instead of `Call-Back`. The answer is
//!    `200` with `Subscription-Id`, `Subscription-Lifetime` and the granted
//!    `RVP-Poll-Interval` (clamped to `polling.min-interval-secs` ..=
//!    `max-interval-secs`, 1 to 15 minutes by default; the configuration
//!    refuses a maximum above 15 minutes).
//! 2. What is sent to the principal is queued for that login (at most
//!    `limits.max-queued-notifications`; beyond, the oldest is dropped and
//!    counted). A queued message counts as accepted for `DeepOr`.
//! 3. `POLL /instmsg/aliases/<alias>` with `Subscription-Id: <login id>`
//!    returns the oldest queued NOTIFY as the answer: `200`, its headers
//!    (`RVP-From-Principal`, `Content-Type`, and `Notification-Type` and
//!    `Subscription-Id` for presence), its body unchanged, plus
//!    `RVP-Poll-Remaining: <n>` (poll again at once while it is not 0) and
//!    `RVP-Poll-Dropped: <n>` when messages were lost. `204` when nothing
//!    waits. Messages are kept until polled or until the login subscription
//!    ends (lease or UNSUBSCRIBE): then they are dropped, POLL with that id
//!    answers `404`, and the login ends as any other (below).
//! 4. Presence changes of principals the polling principal watches (with
//!    its own URL as `Call-Back`, as clients do) are queued the same way,
//!    with `Notification-Type: update/propchange`.
//!
//! ## Login end
//! A login ends by UNSUBSCRIBE, by its subscription running out without a
//! renewal, or by `limits.callback-failures` failed deliveries in a row.
//! Each way, when the principal has no other login from the same client
//! address, that client's view goes `offline` and watchers are told.
//!
//! ## Limits
//! Request head (`431`) and body (`413`) sizes, a request read timeout
//! (a stalled head is cut off; a stalled body gets `408` and the connection
//! closes), connections in all and per peer address (closed at accept),
//! subscriptions per principal, watchers per principal, properties per
//! principal (`507`), queued notifications per polling login and per
//! destination, requests in flight outbound, hop count (`508`): see
//! [`config::LimitsConfig`] and the README's table of every key.
//!
//! The per-principal subscription limits answer SUBSCRIBE with
//! `507 Insufficient Storage` (WebDAV's answer to a quota, RFC 4918
//! §11.5; the draft names none), so a client can tell them from an ACL
//! denial (`403`) and from a full server (`503`): the reason phrase is
//! `Subscription Limit Reached` (the requester holds
//! `max-subscriptions-per-principal`) or `Watcher Limit Reached` (the
//! target has `max-watchers-per-principal` watchers and logins), and a
//! `text/plain` body says which limit and how to get under it.
//!
//! ## Feature `fuzzing`
//! Off by default and **unstable**: `fuzzing::Harness` drives the
//! request path in-process with a manual clock, an in-memory outbound sink
//! and ACL store, and checks the server's invariants; the fuzz target
//! `server_requests` and the `harness` tests use it.
//!
//! ## Embedding
//! ```no_run
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use rvp_server::{Config, Server};
//! use rvp_server::directory::FileDirectory;
//!
//! let config = Config::load("rvp-server.toml".as_ref())?;
//! let directory = Arc::new(FileDirectory::open(config.directory_path())?);
//! let server = Server::bind(config, directory).await?;
//! server.run_until(async { let _ = tokio::signal::ctrl_c().await; }).await;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod acl_store;
pub mod auth;
pub mod cli_user;
pub mod config;
pub mod directory;
mod dispatch;
mod egress;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod handler;
mod logins;
mod names;
pub mod outbound;
mod serve;
mod state;

pub use config::{Config, ConfigError, Role, RouteMode};
pub use handler::{RVP_POLL_DROPPED, RVP_POLL_INTERVAL, RVP_POLL_REMAINING};
pub use serve::{Server, StartError};
