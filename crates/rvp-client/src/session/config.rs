//! The session's configuration.

use std::path::PathBuf;
use std::time::Duration;

use im_url::Address;
use presence_model::RenewalPolicy;

use crate::auth::UsernameForm;
use crate::listener::CallbackPort;
use crate::transport::RetryPolicy;

/// How notifications reach the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Delivery {
    /// The server pushes NOTIFYs to a callback listener of ours.
    Callback(CallbackPort),
    /// We ask the server with POLL every `interval` (the reference server's
    /// extension, for clients that cannot accept connections).
    Polling {
        /// The interval asked for (the server may clamp it).
        interval: Duration,
    },
}

/// A session's configuration. Build with [`Config::new`] and set fields.
/// Its `Debug` output shows the password as `"<redacted>"`.
#[derive(Clone)]
#[non_exhaustive]
pub struct Config {
    /// Who logs in.
    pub address: Address,
    /// The password.
    pub password: String,
    /// How the Digest user name is written.
    pub username_form: UsernameForm,
    /// `host:port` of the server, bypassing SRV discovery.
    pub server: Option<String>,
    /// Callback listener or polling.
    pub delivery: Delivery,
    /// The presence lease asked for (1200 s).
    pub lease: Duration,
    /// The subscription lifetime asked for (14400 s).
    pub subscription_lifetime: Duration,
    /// When to renew before a grant ends.
    pub renewal: RenewalPolicy,
    /// Retries on server failure.
    pub retry: RetryPolicy,
    /// How often the login subscription is checked (renewed) to notice a
    /// server that forgot the session; `None`: only at renewal time.
    pub keepalive: Option<Duration>,
    /// Switch to `away` after this long without [`Session::activity`](crate::Session::activity).
    pub idle_after: Option<Duration>,
    /// Where the contact list is kept (a file per account); `None`: in memory.
    pub contacts_dir: Option<PathBuf>,
    /// Timeout of one HTTP exchange.
    pub request_timeout: Duration,
    /// Seed of the RNG (session ids, back-off jitter); `None`: from the OS.
    pub rng_seed: Option<u64>,
    /// Capacity of the events channel. Read it: when it is full, the
    /// listener and the background task wait (and the server's NOTIFYs
    /// time out).
    pub event_capacity: usize,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("address", &self.address)
            .field("password", &"<redacted>")
            .field("username_form", &self.username_form)
            .field("server", &self.server)
            .field("delivery", &self.delivery)
            .field("lease", &self.lease)
            .field("subscription_lifetime", &self.subscription_lifetime)
            .field("renewal", &self.renewal)
            .field("retry", &self.retry)
            .field("keepalive", &self.keepalive)
            .field("idle_after", &self.idle_after)
            .field("contacts_dir", &self.contacts_dir)
            .field("request_timeout", &self.request_timeout)
            .field("rng_seed", &self.rng_seed)
            .field("event_capacity", &self.event_capacity)
            .finish()
    }
}

impl Config {
    /// Defaults: callback on a random port, 1200 s lease, 4 h subscriptions,
    /// idle after 10 minutes, keepalive every 5 minutes.
    pub fn new(address: Address, password: impl Into<String>) -> Self {
        Self {
            address,
            password: password.into(),
            username_form: UsernameForm::default(),
            server: None,
            delivery: Delivery::Callback(CallbackPort::Random),
            lease: Duration::from_secs(1200),
            subscription_lifetime: Duration::from_secs(14400),
            renewal: RenewalPolicy::default(),
            retry: RetryPolicy::default(),
            keepalive: Some(Duration::from_secs(300)),
            idle_after: Some(Duration::from_secs(600)),
            contacts_dir: None,
            request_timeout: Duration::from_secs(20),
            rng_seed: None,
            event_capacity: 256,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn debug_output_hides_the_password() {
        let c = Config::new("alice@example.com".parse().unwrap(), "hunter2-secret");
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2-secret"), "{shown}");
        assert!(
            shown.contains("<redacted>") && shown.contains("alice@example.com"),
            "{shown}"
        );
    }
}
