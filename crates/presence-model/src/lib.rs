//! # presence-model
//!
//! The sans-IO presence core of RVP (draft-osborne-rvp-00 §6.1–6.7, §10):
//! everything an RVP home server decides, as a deterministic state machine
//! with no I/O and no clock.
//!
//! What it does:
//! - **States** ([`PresenceState`]): the seven RVP tokens, `idle`,
//!   `invisible` and extension tokens, with display names, and documented
//!   mapping tables to MSN, Communicator, XMPP and PIDF/RPID ([`mapping`]).
//! - **Leases** ([`TimeoutPolicy`], [`LeasedValue`]): values that revert to a
//!   default, with a policy that clamps or refuses timeouts.
//! - **Views**: several logins per principal, replicated versus per-view
//!   states, and one published state per principal ([`Server`] docs).
//! - **Subscriptions**: unpredictable ids from a seedable RNG, both
//!   notification types, lifetimes by policy, renewal (with the librvp
//!   renewal-family rule, see [`Server::renew`]), UNSUBSCRIBE, the
//!   SUBSCRIPTIONS listing, limits.
//! - **Access control** ([`Acl`]): rights, principals, credential kinds, a
//!   documented evaluation order, default ACL, and the decisions the server
//!   needs; a blocked watcher sees `offline`.
//! - **Outputs** ([`Event`]): one notification per permitted watcher when
//!   what it sees changes; expired subscriptions and views.
//! - **Client helpers**: [`RenewalScheduler`] and [`IdleTracker`].
//!
//! What it does not do: parse or write RVP messages (that is `rvp-codec`),
//! canonicalise URLs (the caller builds [`PrincipalId`]s from canonical
//! logical URLs), authenticate (the caller says which [`CredentialKind`] was
//! used), deliver NOTIFYs, persist, or read the clock. Every input takes
//! `now: Instant`; [`Server::poll_timeout`] gives the next deadline and
//! [`Server::handle_timeout`] processes it; outputs are drained with
//! [`Server::poll_event`].
//!
//! ## Getting started
//!
//! ```
//! use std::time::{Duration, Instant};
//! use presence_model::*;
//!
//! let t0 = Instant::now();
//! let mut config = Config::default();
//! config.rng_seed = Some(42);
//! let mut server = Server::new(config, t0);
//!
//! let alice = PrincipalId::from("http://example.com/instmsg/aliases/alice");
//! let bob = PrincipalId::from("http://example.com/instmsg/aliases/bob");
//! server.register(t0, alice.clone());
//! server.register(t0, bob.clone());
//! let as_alice = Requester::new(alice.clone(), CredentialKind::Ntlm);
//! let as_bob = Requester::new(bob.clone(), CredentialKind::Ntlm);
//!
//! // Bob watches Alice (update/propchange, callback = his own URL).
//! let sub = server.subscribe(t0, &as_bob, SubscribeRequest {
//!     target: alice.clone(),
//!     notification_type: NotificationType::UpdatePropchange,
//!     callback: CallbackUrl::from(&bob),
//!     lifetime: Some(Duration::from_secs(14_400)),
//!     origin: None,
//! })?;
//!
//! // Alice logs on: online for 20 minutes, then offline unless refreshed.
//! let out = server.set_state(t0, &as_alice, &alice, StateUpdate::leased(
//!     PresenceState::Online, PresenceState::Offline, Some(Duration::from_secs(1200))))?;
//! assert!(out.view_created);
//!
//! // The server sends one NOTIFY per event.
//! while let Some(event) = server.poll_event() {
//!     if let Event::Notify(n) = event {
//!         assert_eq!((n.subscription, &n.callback, &n.state), (sub.id, &CallbackUrl::from(&bob), &PresenceState::Online));
//!     }
//! }
//!
//! // The driver sleeps until the next deadline and hands it back.
//! let deadline = server.poll_timeout().expect("a lease is pending");
//! server.handle_timeout(deadline);
//! assert_eq!(server.published(&alice), Some(&PresenceState::Offline));
//! # Ok::<(), presence_model::Error>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::field_reassign_with_default
    )
)]

mod acl;
mod client;
mod config;
mod error;
mod event;
mod ids;
mod lease;
pub mod mapping;
mod request;
mod server;
mod state;

pub use acl::{Ace, AcePrincipal, Acl, CredentialKind, Credentials, InvalidAcl, Requester, Rights};
pub use client::{IdleTracker, Renewal, RenewalPolicy, RenewalScheduler};
pub use config::{Config, Limits};
pub use error::{
    AccessError, Error, RenewError, SendError, SetAclError, SetStateError, SubscribeError,
    UnsubscribeError,
};
pub use event::{Event, ExpiredSubscription, NotificationType, StateNotification};
pub use ids::{CallbackUrl, Origin, PrincipalId, SubscriptionId, ViewId};
pub use lease::{
    Adjustment, Grant, LeasedValue, OutOfRange, PolicyRefusal, TimeoutPolicy, WhenAbsent,
};
pub use request::{
    Delivery, LeaseRequest, Renewed, StateOutcome, StateUpdate, SubscribeRequest, Subscribed,
    WatcherEntry,
};
pub use server::{InvariantViolation, Server, Stats};
pub use state::{InvalidStateToken, PresenceState};
