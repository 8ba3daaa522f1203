//! Server configuration: policies, limits, randomness.

use crate::{Credentials, TimeoutPolicy};

/// Resource limits, each with a typed error when exceeded.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub struct Limits {
    /// Subscriptions on the whole server.
    pub max_subscriptions: usize,
    /// Subscriptions (watchers, both notification types) on one node.
    pub max_watchers_per_principal: usize,
    /// Subscriptions held by one subscriber principal (local or remote).
    pub max_subscriptions_per_subscriber: usize,
    /// Views (logins) per principal; a new view beyond this evicts the view
    /// whose lease ends first.
    pub max_views_per_principal: usize,
    /// Entries in one ACL.
    pub max_aces: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_subscriptions: 4_000_000,
            max_watchers_per_principal: 10_000,
            max_subscriptions_per_subscriber: 2_000,
            max_views_per_principal: 16,
            max_aces: 1_000,
        }
    }
}

/// Configuration of a [`Server`](crate::Server).
///
/// ```
/// use presence_model::{Config, TimeoutPolicy};
/// use std::time::Duration;
/// let mut config = Config::default();
/// config.rng_seed = Some(7); // deterministic subscription ids (tests)
/// config.lease = TimeoutPolicy::lease().with_default(Duration::from_secs(600));
/// assert_eq!(config.subscription.default, Duration::from_secs(14_400));
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Config {
    /// Policy for presence lease timeouts (default [`TimeoutPolicy::lease`]).
    pub lease: TimeoutPolicy,
    /// Policy for subscription lifetimes (default [`TimeoutPolicy::subscription`]).
    pub subscription: TimeoutPolicy,
    /// Resource limits.
    pub limits: Limits,
    /// Seed for subscription ids. `None` (the default) seeds from the
    /// operating system so ids are unpredictable; tests set a seed.
    pub rng_seed: Option<u64>,
    /// Credential kinds with which a principal holds implicit full rights on
    /// its own node (default: any). A server that does not trust bare
    /// assertions for writes sets `NTLM | DIGEST | INTERNAL`.
    pub owner_credentials: Credentials,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            lease: TimeoutPolicy::lease(),
            subscription: TimeoutPolicy::subscription(),
            limits: Limits::default(),
            rng_seed: None,
            owner_credentials: Credentials::ANY,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_exchange() {
        let c = Config::default();
        assert_eq!(c.lease.default.as_secs(), 1200);
        assert_eq!(c.subscription.max.as_secs(), 14_400);
        assert_eq!(c.rng_seed, None);
        assert!(c.limits.max_subscriptions >= 2_000_000);
    }
}
