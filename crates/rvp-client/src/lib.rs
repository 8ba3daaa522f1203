//! # rvp-client
//!
//! A reference RVP client (draft-osborne-rvp-00, the protocol of Exchange
//! 2000 Instant Messaging) on tokio and hyper: a session library and the
//! `rvp` command line. It is built on `rvp-codec` (wire format), `im-url`
//! (addresses, SRV discovery) and `presence-model` (renewal scheduling and
//! idle detection).
//!
//! ## What a session does
//! - **Login** ([`Client::login`]): finds the server (`_rvp._tcp` SRV
//!   through `im-url`, or [`Config::server`], or an injected resolver with
//!   [`Client::login_with`]), trying the SRV targets in RFC 2782 order until
//!   one accepts a connection; follows a router's `302` to the home server
//!   and keeps using it for its own node; answers `401` Digest challenges
//!   (SHA-256 preferred, MD5 otherwise, `stale=true` re-answered; user name
//!   forms in [`UsernameForm`]); starts a callback listener ([`CallbackPort`])
//!   or uses the reference server's polling extension ([`Delivery`]); sends
//!   the login `SUBSCRIBE` (`pragma/notify`), `PROPPATCH` of a leased
//!   `online` (1200 s), `PROPFIND` of its own properties, `SUBSCRIPTIONS`
//!   and the `ACL` read, then watches every saved contact.
//! - **Renewals**: the lease and every subscription are renewed a margin
//!   before they end ([`presence_model::RenewalScheduler`]).
//! - **Contacts**: [`Session::add_contact`] and [`Session::remove_contact`]
//!   (`update/propchange` subscriptions with our logical URL as `Call-Back`),
//!   kept in a file per account ([`Config::contacts_dir`]);
//!   [`Session::block`] and [`Session::allow`] edit our ACL.
//! - **Messaging**: [`Session::send_text`], [`Session::send_typing`] (or
//!   [`Session::typing_notifier`], every 4 s while typing),
//!   [`Session::send_invitation`], [`Session::leave`]: a NOTIFY per
//!   participant with `RVP-Ack-Type: DeepOr`, every recipient listed as
//!   `notification-to`, and always a `Session-Id`. Failures are reported
//!   per recipient.
//! - **Presence**: [`Session::set_state`], the idle hook
//!   [`Session::activity`], [`Session::logoff`].
//! - **Resilience**: randomized exponential back-off ([`RetryPolicy`]) on
//!   unreachable or failing servers; a keepalive renewal of the login
//!   notices a server that forgot the session, which is then logged in
//!   again ([`Event::SessionLost`], [`Event::Reconnected`]).
//!
//! Everything that arrives is an [`Event`] on the channel returned by
//! [`Client::login`].
//!
//! ## Talking to Pidgin's RVP plugin (librvp)
//! librvp double-encodes non-ASCII text (its UTF-8 bytes encoded again as
//! if Latin-1) and decodes what it receives into Latin-1 bytes, so plain
//! UTF-8 from us reaches its user as mojibake. A message from librvp is
//! recognised by its `X-MMS-IM-Format` (`FN=MS%%20Shell%%20Dlg`: a template
//! formatted twice, which no other known client writes): its text is
//! repaired before it becomes an [`Event::Message`], and the sender is
//! remembered (at most 1024 peers), so text we send to that peer goes
//! double-encoded as librvp expects. Until a peer has sent us a message we
//! cannot tell, and send standard UTF-8. The cross-check against the real
//! plugin is `rvp-server`'s `tests/librvp.rs`.
//!
//! ## Example
//! ```no_run
//! # async fn f() -> Result<(), rvp_client::Error> {
//! use rvp_client::{Client, Config, Event};
//!
//! let mut config = Config::new("alice@example.com".parse().expect("an address"), "secret");
//! config.server = Some("127.0.0.1:8080".into());
//! let (session, mut events) = Client::new(config).login().await?;
//! let bob = "bob@example.com".parse().expect("an address");
//! session.add_contact(&bob).await?;
//! let chat = session.conversation(vec![bob]);
//! session.send_text(&chat, "Hello Bob").await;
//! while let Some(event) = events.recv().await {
//!     if let Event::Message { from, text, .. } = event {
//!         println!("{from}: {text}");
//!         break;
//!     }
//! }
//! session.logoff().await
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod auth;
mod contacts;
mod error;
mod event;
mod listener;
mod session;
mod transport;

pub use auth::{AuthError, UsernameForm};
pub use error::{Error, TransportKind};
pub use event::{Conversation, Event, Party, address_of};
pub use listener::CallbackPort;
pub use session::{Client, Config, Delivery, DeliveryReport, Session, TypingNotifier, Watcher};
pub use transport::RetryPolicy;

pub use im_url::Address;
pub use presence_model::PresenceState;
pub use rvp_codec::mime::{Guid, Invitation, InvitationCommand, SessionId};
