//! Opaque identifiers: principals, callbacks, subscriptions, views, client origins.

use std::fmt;
use std::sync::Arc;

/// The identity of an RVP principal (a user or any other node), keyed by its
/// canonical logical URL, e.g. `http://example.com/instmsg/aliases/alice`.
///
/// The core compares ids byte for byte: **the caller canonicalises** (lower-case
/// scheme and host, default port dropped, no trailing slash, the logical rather
/// than the physical URL) before building one. Cloning is a reference-count bump.
///
/// ```
/// use presence_model::PrincipalId;
/// let alice = PrincipalId::new("http://example.com/instmsg/aliases/alice");
/// assert_eq!(alice.as_str(), "http://example.com/instmsg/aliases/alice");
/// assert_eq!(alice, PrincipalId::from("http://example.com/instmsg/aliases/alice"));
/// ```
#[derive(Clone, Eq, PartialOrd, Ord)]
pub struct PrincipalId(Arc<str>);

impl std::hash::Hash for PrincipalId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl PartialEq for PrincipalId {
    fn eq(&self, other: &Self) -> bool {
        // Clones of one id share the allocation: skip the byte comparison.
        Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0
    }
}

impl PrincipalId {
    /// Wraps an already canonical logical URL.
    pub fn new(canonical_url: impl Into<Arc<str>>) -> Self {
        Self(canonical_url.into())
    }

    /// The URL text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for PrincipalId {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

impl From<String> for PrincipalId {
    fn from(s: String) -> Self {
        Self::new(s)
    }
}

impl fmt::Debug for PrincipalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PrincipalId({:?})", &*self.0)
    }
}

impl fmt::Display for PrincipalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The `Call-Back` URL of a subscription: where the server sends NOTIFYs.
///
/// Either a client listener (`http://198.176.154.132:1234`) or a principal's
/// logical URL (so that notifications route through that principal's home
/// server). Opaque to the core except for one comparison: a callback equal to
/// the subscriber's own [`PrincipalId`] text is "recognised" (see
/// [`Rights::SUBSCRIBE_OTHERS`](crate::Rights::SUBSCRIBE_OTHERS)). The caller
/// canonicalises.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CallbackUrl(Arc<str>);

impl CallbackUrl {
    /// Wraps a canonical callback URL.
    pub fn new(url: impl Into<Arc<str>>) -> Self {
        Self(url.into())
    }

    /// The URL text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for CallbackUrl {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

impl From<&PrincipalId> for CallbackUrl {
    fn from(p: &PrincipalId) -> Self {
        Self(p.0.clone())
    }
}

impl fmt::Debug for CallbackUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CallbackUrl({:?})", &*self.0)
    }
}

impl fmt::Display for CallbackUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A `Subscription-Id`, unique per server while the subscription lives.
///
/// Drawn at random from `1..=i32::MAX` (librvp reads the header with `%d`, so
/// ids must fit a positive 32-bit signed integer). Unpredictable unless the
/// server's RNG was seeded ([`Config::rng_seed`](crate::Config::rng_seed)).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct SubscriptionId(u32);

impl SubscriptionId {
    /// Builds an id from its header value (for lookups; the core issues ids).
    pub const fn new(value: u32) -> Self {
        Self(value)
    }

    /// The numeric value for the `Subscription-Id` header.
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for SubscriptionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A `view-id`: one presentity (login) of a principal, returned by PROPPATCH.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct ViewId(u32);

impl ViewId {
    /// Builds a view id from its XML value.
    pub const fn new(value: u32) -> Self {
        Self(value)
    }

    /// The numeric value for `<r:view-id>`.
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for ViewId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An opaque tag for the client program a request came from, chosen by the
/// caller (for example a hash of the remote IP address, or of the callback
/// host of the login subscription). Used only by the renewal-family rule
/// (see [`Server::renew`](crate::Server::renew)); `None` means "unknown".
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Origin(pub u64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principal_equality_is_bytewise() {
        let a = PrincipalId::new("http://example.com/instmsg/aliases/alice");
        let b = PrincipalId::new("http://EXAMPLE.com/instmsg/aliases/alice");
        assert_ne!(a, b, "the caller canonicalises, the core does not");
        assert_eq!(a.to_string(), "http://example.com/instmsg/aliases/alice");
    }

    #[test]
    fn callback_from_principal_shares_text() {
        let a = PrincipalId::new("http://example.com/instmsg/aliases/alice");
        assert_eq!(CallbackUrl::from(&a).as_str(), a.as_str());
    }

    #[test]
    fn ids_round_trip() {
        assert_eq!(SubscriptionId::new(98210).get(), 98210);
        assert_eq!(ViewId::new(3577).to_string(), "3577");
    }
}
