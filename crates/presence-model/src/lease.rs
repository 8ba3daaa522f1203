//! Leased values and the server policy for timeouts and lifetimes.

use std::time::{Duration, Instant};

/// What a policy does with a requested duration outside `min..=max`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum OutOfRange {
    /// Grant the nearest bound (the draft allows a server to choose another
    /// lifetime, §6.1.2).
    Clamp,
    /// Refuse the request (the draft allows a server to decline a lease whose
    /// timeout its policy does not permit, §6.5).
    Refuse,
}

/// What a policy does when no duration was requested (a PROPPATCH without
/// `timeout`, a SUBSCRIBE without `Subscription-Lifetime` = permanent).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum WhenAbsent {
    /// Grant [`TimeoutPolicy::default`].
    UseDefault,
    /// Refuse (Exchange 2000 refuses permanent subscriptions, §6.1.2).
    Refuse,
}

/// A server policy for lease timeouts or subscription lifetimes.
///
/// ```
/// use std::time::Duration;
/// use presence_model::{Adjustment, TimeoutPolicy};
/// let p = TimeoutPolicy::lease();
/// let g = p.decide(Some(Duration::from_secs(7 * 3600))).unwrap();
/// assert_eq!(g.duration, p.max);
/// assert_eq!(g.adjustment, Adjustment::LoweredToMax);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub struct TimeoutPolicy {
    /// Shortest duration granted.
    pub min: Duration,
    /// Longest duration granted.
    pub max: Duration,
    /// Duration granted when none was requested and [`WhenAbsent::UseDefault`].
    pub default: Duration,
    /// Requests outside `min..=max`.
    pub out_of_range: OutOfRange,
    /// Requests without a duration.
    pub when_absent: WhenAbsent,
}

impl TimeoutPolicy {
    /// Presence leases: 30 s ..= 1 h, default 20 min (Exchange 2000, §6.5.2),
    /// clamped; an absent timeout gets the default.
    pub const fn lease() -> Self {
        Self {
            min: Duration::from_secs(30),
            max: Duration::from_secs(3600),
            default: Duration::from_secs(20 * 60),
            out_of_range: OutOfRange::Clamp,
            when_absent: WhenAbsent::UseDefault,
        }
    }

    /// Subscriptions: 60 s ..= 4 h, default 4 h (the examples' 14400 s; the
    /// white paper's "times out after 4 hours"), clamped; permanent
    /// subscriptions refused as Exchange does.
    pub const fn subscription() -> Self {
        Self {
            min: Duration::from_secs(60),
            max: Duration::from_secs(4 * 3600),
            default: Duration::from_secs(4 * 3600),
            out_of_range: OutOfRange::Clamp,
            when_absent: WhenAbsent::Refuse,
        }
    }

    /// Sets the bounds (builder style).
    pub const fn with_bounds(mut self, min: Duration, max: Duration) -> Self {
        self.min = min;
        self.max = max;
        self
    }

    /// Sets the default (builder style).
    pub const fn with_default(mut self, default: Duration) -> Self {
        self.default = default;
        self
    }

    /// Sets the out-of-range rule (builder style).
    pub const fn with_out_of_range(mut self, rule: OutOfRange) -> Self {
        self.out_of_range = rule;
        self
    }

    /// Sets the absent-duration rule (builder style).
    pub const fn with_when_absent(mut self, rule: WhenAbsent) -> Self {
        self.when_absent = rule;
        self
    }

    /// Decides a request; the outcome says whether it was changed.
    pub fn decide(&self, requested: Option<Duration>) -> Result<Grant, PolicyRefusal> {
        let Some(req) = requested else {
            return match self.when_absent {
                WhenAbsent::UseDefault => Ok(Grant {
                    duration: self.default,
                    adjustment: Adjustment::Defaulted,
                }),
                WhenAbsent::Refuse => Err(PolicyRefusal::DurationRequired),
            };
        };
        let (duration, adjustment) = if req < self.min {
            (self.min, Adjustment::RaisedToMin)
        } else if req > self.max {
            (self.max, Adjustment::LoweredToMax)
        } else {
            (req, Adjustment::AsRequested)
        };
        if adjustment != Adjustment::AsRequested && self.out_of_range == OutOfRange::Refuse {
            return Err(PolicyRefusal::OutOfRange {
                requested: req,
                min: self.min,
                max: self.max,
            });
        }
        Ok(Grant {
            duration,
            adjustment,
        })
    }
}

/// How a granted duration relates to the requested one.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum Adjustment {
    /// Granted as requested.
    AsRequested,
    /// Nothing was requested; the policy default was granted.
    Defaulted,
    /// Below the minimum; the minimum was granted.
    RaisedToMin,
    /// Above the maximum; the maximum was granted.
    LoweredToMax,
}

/// A granted duration, to be echoed to the client (`d:timeout`,
/// `Subscription-Lifetime`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Grant {
    /// The duration granted.
    pub duration: Duration,
    /// How it relates to the request.
    pub adjustment: Adjustment,
}

/// Why a policy refused a duration.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyRefusal {
    /// No duration was given and the policy requires one (permanent subscription).
    #[error("a duration is required (permanent subscriptions are not accepted)")]
    DurationRequired,
    /// The duration is outside the policy's bounds.
    #[error("requested {requested:?} is outside {min:?}..={max:?}")]
    OutOfRange {
        /// Requested.
        requested: Duration,
        /// Policy minimum.
        min: Duration,
        /// Policy maximum.
        max: Duration,
    },
}

/// A value that reverts to a default when its lease runs out
/// (`r:leased-value`: value, default-value, timeout; draft §6.5, §10.1.2).
///
/// A standalone helper (the server core keeps its own compact form).
///
/// ```
/// use std::time::{Duration, Instant};
/// use presence_model::{LeasedValue, PresenceState};
/// let t0 = Instant::now();
/// let mut v = LeasedValue::new(PresenceState::Online, PresenceState::Offline, t0, Duration::from_secs(1200));
/// assert_eq!(v.current(t0 + Duration::from_secs(1199)), &PresenceState::Online);
/// assert_eq!(v.current(t0 + Duration::from_secs(1200)), &PresenceState::Offline);
/// v.refresh(t0 + Duration::from_secs(1100), Duration::from_secs(1200));
/// assert_eq!(v.current(t0 + Duration::from_secs(2000)), &PresenceState::Online);
/// ```
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LeasedValue<T> {
    value: T,
    default: T,
    expires_at: Instant,
}

impl<T> LeasedValue<T> {
    /// A value leased from `now` for `timeout`.
    pub fn new(value: T, default: T, now: Instant, timeout: Duration) -> Self {
        Self {
            value,
            default,
            expires_at: now + timeout,
        }
    }

    /// The value in force at `now`: the leased value before expiry, the
    /// default from the expiry instant on.
    pub fn current(&self, now: Instant) -> &T {
        if self.is_expired(now) {
            &self.default
        } else {
            &self.value
        }
    }

    /// Whether the lease has run out at `now`.
    pub fn is_expired(&self, now: Instant) -> bool {
        now >= self.expires_at
    }

    /// When the lease runs out.
    pub fn expires_at(&self) -> Instant {
        self.expires_at
    }

    /// The leased value (regardless of expiry).
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The default value.
    pub fn default_value(&self) -> &T {
        &self.default
    }

    /// Extends the lease to `now + timeout`, keeping the value.
    pub fn refresh(&mut self, now: Instant, timeout: Duration) {
        self.expires_at = now + timeout;
    }

    /// Replaces value and default and restarts the lease.
    pub fn set(&mut self, value: T, default: T, now: Instant, timeout: Duration) {
        *self = Self::new(value, default, now, timeout);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn lease_policy_defaults() {
        let p = TimeoutPolicy::lease();
        assert_eq!(
            p.decide(None),
            Ok(Grant {
                duration: S(1200),
                adjustment: Adjustment::Defaulted
            })
        );
        assert_eq!(
            p.decide(Some(S(1200))).map(|g| g.adjustment),
            Ok(Adjustment::AsRequested)
        );
        assert_eq!(p.decide(Some(S(1))).map(|g| g.duration), Ok(S(30)));
        assert_eq!(
            p.decide(Some(S(0))).map(|g| g.adjustment),
            Ok(Adjustment::RaisedToMin)
        );
    }

    #[test]
    fn subscription_policy_refuses_permanent_and_clamps() {
        let p = TimeoutPolicy::subscription();
        assert_eq!(p.decide(None), Err(PolicyRefusal::DurationRequired));
        assert_eq!(p.decide(Some(S(86_400))).map(|g| g.duration), Ok(S(14_400)));
        assert_eq!(p.decide(Some(S(14_000))).map(|g| g.duration), Ok(S(14_000)));
        let lenient = p.with_when_absent(WhenAbsent::UseDefault);
        assert_eq!(lenient.decide(None).map(|g| g.duration), Ok(S(14_400)));
    }

    #[test]
    fn refuse_rule() {
        let p = TimeoutPolicy::lease().with_out_of_range(OutOfRange::Refuse);
        assert!(matches!(
            p.decide(Some(S(7200))),
            Err(PolicyRefusal::OutOfRange { .. })
        ));
        assert!(p.decide(Some(S(600))).is_ok());
        let p = p.with_bounds(S(10), S(20)).with_default(S(15));
        assert_eq!(p.decide(None).map(|g| g.duration), Ok(S(15)));
    }

    #[test]
    fn leased_value_reverts_at_expiry() {
        let t0 = Instant::now();
        let mut v = LeasedValue::new(1, 0, t0, S(10));
        assert_eq!(*v.current(t0), 1);
        assert!(!v.is_expired(t0 + S(9)));
        assert_eq!(*v.current(t0 + S(10)), 0);
        v.set(2, 5, t0 + S(10), S(1));
        assert_eq!((*v.value(), *v.default_value()), (2, 5));
        assert_eq!(v.expires_at(), t0 + S(11));
    }
}
